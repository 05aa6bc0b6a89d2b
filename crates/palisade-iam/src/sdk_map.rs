//! From an AWS SDK call as the code writes it ([`SdkCall`]) to the IAM actions it needs, each
//! with how its resource ARN is built from the request's parameters.
//!
//! Four SDK shapes reach here: boto3 clients (`s3` and `put_object`), boto3 resources
//! (`dynamodb`, `Table` and `put_item`), JS SDK v2 (`S3` and `putObject`;
//! `DynamoDB.DocumentClient` and `put`) and JS SDK v3 (`@aws-sdk/client-s3` and
//! `PutObjectCommand`; `@aws-sdk/lib-dynamodb` and `PutCommand`; `@aws-sdk/lib-storage` and
//! `Upload`). An operation the map does not know needs,
//! by AWS's naming convention, the action of its own name under the service's prefix, when the
//! catalog has one. A call Palisade cannot resolve keeps its service, so nothing is dropped
//! silently.

use std::borrow::Cow;

use palisade_model::{Language, ResourceName, SdkCall, Segment, Text};

use crate::catalog::{Action, catalog};
use crate::sdk_data::{MapAction, Service, tables};

/// What one SDK call needs.
#[derive(Clone, Debug)]
pub struct SdkActions {
    /// The IAM prefix of the service called, when the client is known.
    pub service: Option<&'static str>,
    /// The API operations the call sends (`PutObject`; several for `upload_file`).
    pub operations: Vec<String>,
    pub actions: Vec<SdkAction>,
    /// The call's resource names under the API's parameter names (`Bucket`, `TableName`): a
    /// boto3 resource's constructor arguments become the parameters they fill.
    pub params: Vec<(String, ResourceName)>,
    pub unresolved: Option<Unresolved>,
}

/// One IAM action of a call.
#[derive(Clone, Debug)]
pub struct SdkAction {
    pub action: &'static Action,
    /// The API operation that needs it.
    pub operation: String,
    pub resource: ResourceMapping,
    /// The action is needed only for some requests, which the analysis cannot tell apart
    /// (`dynamodb:PartiQLSelect` when the statement is a `SELECT`).
    pub when: Option<String>,
}

/// How the resource an action is allowed on is written from the request.
#[derive(Clone, Debug, PartialEq)]
pub enum ResourceMapping {
    /// A resource type of the action, its ARN template from the catalog
    /// (`arn:${Partition}:s3:::${BucketName}/${ObjectName}`), and for each of its variables a
    /// template over request parameters (`${Bucket}`; `%%regex%${QueueUrl}%/…/g%%` extracts
    /// part of one). Variables without a template are any value.
    Arn {
        resource_type: &'static str,
        arn: &'static str,
        vars: Vec<(&'static str, Cow<'static, str>)>,
    },
    /// The whole ARN, as a template over request parameters (`${TopicArn}`) in which
    /// `${Partition}`, `${Region}` and `${Account}` are the ARN's own.
    Whole(&'static str),
    /// Nothing in the request names the resource, or the action accepts only `*`.
    Any,
}

/// Why a call's actions are not (all) known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Unresolved {
    /// The client is not one of the AWS SDK's.
    UnknownClient,
    /// The operation is chosen at run time: any action of the service is possible.
    DynamicOperation,
    /// Neither the map nor the naming convention gives an IAM action for this operation.
    UnknownOperation(String),
}

impl SdkActions {
    fn new(service: Option<&'static str>, params: Vec<(String, ResourceName)>) -> SdkActions {
        SdkActions {
            service,
            operations: Vec::new(),
            actions: Vec::new(),
            params,
            unresolved: None,
        }
    }

    fn unresolved(mut self, why: Unresolved) -> SdkActions {
        self.unresolved = Some(why);
        self
    }

    /// Resource names of the call by API parameter name.
    pub fn param(&self, name: &str) -> Option<&ResourceName> {
        self.params.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    /// How the unresolved part reads in a report: `service s3, operation unknown`.
    pub fn unresolved_text(&self) -> Option<String> {
        let service = self.service.unwrap_or("unknown");
        Some(match self.unresolved.as_ref()? {
            Unresolved::UnknownClient => "not a known AWS SDK client".to_string(),
            Unresolved::DynamicOperation => {
                format!("service {service}, operation chosen at run time")
            }
            Unresolved::UnknownOperation(op) => {
                format!("service {service}, no IAM action known for operation {op}")
            }
        })
    }
}

/// Client helper methods that send no request of their own.
const NO_REQUEST: &[&str] = &[
    "get_paginator",
    "get_waiter",
    "can_paginate",
    "close",
    "exceptions",
    "meta",
    "promise",
    "createSet",
    "wrapper",
];

/// Key an operation by its lower-case API name: boto3 methods are its snake case, JS v2
/// methods its camel case, JS v3 commands its name followed by `Command`.
fn op_key(method: &str) -> String {
    let m = method.strip_suffix("Command").unwrap_or(method);
    let m = m
        .strip_prefix("paginate")
        .filter(|r| !r.is_empty())
        .unwrap_or(m);
    m.chars()
        .filter(|c| *c != '_')
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The IAM actions an SDK call needs.
pub fn actions_for(call: &SdkCall) -> SdkActions {
    let t = tables();
    // `require("aws-sdk/clients/s3")` names the v2 class by its file.
    let client = call
        .client
        .strip_prefix("aws-sdk/clients/")
        .unwrap_or(&call.client);
    let js = matches!(call.language, Language::JavaScript | Language::TypeScript);
    let plain = || call.resources.clone();
    if js {
        if let Some((svc, commands)) = t.library(client) {
            return with_operation(call, svc, plain(), |op| {
                commands
                    .get(op)
                    .map(|ops| ops.iter().map(|o| (*o).to_string()).collect())
            });
        }
        if let Some(base) = client.strip_suffix(".DocumentClient")
            && let Some(svc) = t.js_v2(base)
        {
            // DocumentClient methods are lib-dynamodb's commands in lower camel case.
            let commands = t.library("@aws-sdk/lib-dynamodb").map(|(_, c)| c);
            return with_operation(call, svc, plain(), |op| {
                let command = format!("{}Command", upper_first(op));
                commands?
                    .get(command.as_str())
                    .map(|ops| ops.iter().map(|o| (*o).to_string()).collect())
            });
        }
        if let Some(svc) = t.js_v3(client).or_else(|| t.js_v2(client)) {
            return with_operation(call, svc, plain(), |op| {
                // JS v2's managed upload is lib-storage's `Upload`.
                if svc.boto3 == "s3" && op == "upload" {
                    return t
                        .library("@aws-sdk/lib-storage")
                        .and_then(|(_, c)| c.get("Upload"))
                        .map(|ops| ops.iter().map(|o| (*o).to_string()).collect());
                }
                None
            });
        }
        return SdkActions::new(None, plain()).unresolved(Unresolved::UnknownClient);
    }
    let Some(svc) = t.boto3(client) else {
        return SdkActions::new(None, plain()).unresolved(Unresolved::UnknownClient);
    };
    match call.resource_type.as_deref() {
        None => with_operation(call, svc, plain(), |op| {
            if let Some(ops) = svc.utilities.get(&(None, op)) {
                return Some(ops.iter().map(|o| (*o).to_string()).collect());
            }
            if let Some(o) = svc.resource_methods.get(&(None, op)) {
                return Some(vec![(*o).to_string()]);
            }
            (svc.boto3 == "s3" && op == "generate_presigned_post")
                .then(|| vec!["PutObject".to_string()])
        }),
        Some(rtype) => {
            let params = resource_params(svc, rtype, &call.resources);
            with_operation(call, svc, params, |op| {
                // `bucket.objects.all()`: the collection's name.
                let method = op.split('.').next().unwrap_or(op);
                if let Some(ops) = svc.utilities.get(&(Some(rtype), method)) {
                    return Some(ops.iter().map(|o| (*o).to_string()).collect());
                }
                svc.resource_methods
                    .get(&(Some(rtype), method))
                    .map(|o| vec![(*o).to_string()])
            })
        }
    }
}

fn upper_first(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
        .unwrap_or_default()
}

/// Resolve the call's method to operations (`special` first, then the method as an operation
/// name) and each operation to its actions.
fn with_operation(
    call: &SdkCall,
    svc: &'static Service,
    params: Vec<(String, ResourceName)>,
    special: impl Fn(&str) -> Option<Vec<String>>,
) -> SdkActions {
    let mut out = SdkActions::new(Some(svc.prefix), params);
    let Some(method) = call.operation.as_deref() else {
        return out.unresolved(Unresolved::DynamicOperation);
    };
    let operations = match special(method) {
        Some(ops) => ops,
        None if NO_REQUEST.contains(&method) => return out,
        None => vec![method.to_string()],
    };
    for op in operations {
        let key = op_key(&op);
        if let Some(entry) = svc.operations.get(&key) {
            out.operations.push(entry.name.to_string());
            for a in &entry.actions {
                if let Some(action) = mapped_action(svc, entry.name, a, &out.params) {
                    out.actions.push(action);
                }
            }
            continue;
        }
        // The naming convention: the action of the operation's own name.
        let c = catalog();
        let Some(action) = c.service(svc.prefix).and_then(|s| {
            s.actions
                .iter()
                .find(|a| a.name.to_ascii_lowercase() == key)
        }) else {
            out.unresolved = Some(Unresolved::UnknownOperation(op));
            continue;
        };
        out.operations.push(action.name.to_string());
        out.actions.push(SdkAction {
            action,
            operation: action.name.to_string(),
            resource: inferred_mapping(action, &out.params),
            when: None,
        });
    }
    out
}

/// Map the arguments of a boto3 resource's constructor to the request parameters its
/// identifiers fill: `Table("orders")` gives `TableName`, `Object(bucket, key)` gives `Bucket`
/// and `Key`. The argument under the resource type's own name fills the first identifier
/// not given by name.
fn resource_params(
    svc: &Service,
    rtype: &str,
    given: &[(String, ResourceName)],
) -> Vec<(String, ResourceName)> {
    let Some(ids) = svc.identifiers.get(rtype) else {
        return given.to_vec();
    };
    let norm = |s: &str| -> String {
        let s: String = s
            .chars()
            .filter(|c| *c != '_')
            .map(|c| c.to_ascii_lowercase())
            .collect();
        s.strip_suffix("name").map(str::to_string).unwrap_or(s)
    };
    let mut out: Vec<(String, ResourceName)> = Vec::new();
    let mut positional = Vec::new();
    for (name, value) in given {
        if name == rtype {
            positional.push(value.clone());
            continue;
        }
        let n = norm(name);
        let param = ids
            .iter()
            .find(|p| norm(p) == n || ((n == "url" || n == "arn") && norm(p).ends_with(&n)))
            .map_or_else(|| name.clone(), |p| (*p).to_string());
        out.push((param, value.clone()));
    }
    let free: Vec<&str> = ids
        .iter()
        .copied()
        .filter(|p| !out.iter().any(|(n, _)| n == p))
        .collect();
    out.extend(
        free.into_iter()
            .zip(positional)
            .map(|(p, value)| (p.to_string(), value)),
    );
    out
}

/// The `${…}` names of a template.
pub(crate) fn template_names(template: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find("${") {
        let after = &rest[open + 2..];
        let Some(close) = after.find('}') else { break };
        out.push(&after[..close]);
        rest = &after[close + 1..];
    }
    out
}

const ARN_CONTEXT: [&str; 3] = ["Partition", "Region", "Account"];

fn mapped_action(
    svc: &Service,
    op: &'static str,
    a: &MapAction,
    params: &[(String, ResourceName)],
) -> Option<SdkAction> {
    let c = catalog();
    let action = if a.action == "=" {
        c.service(svc.prefix)?.action(op)?
    } else {
        c.action(a.action)?
    };
    let mut vars: Vec<(&'static str, Cow<'static, str>)> = Vec::new();
    let mut whole: Option<&'static str> = None;
    let mut when = None;
    for f in &a.fields {
        if let Some(r) = f.strip_prefix("R:") {
            match r.split_once('=') {
                Some((var, template)) => vars.push((var, Cow::Borrowed(template))),
                None => vars.push((r, Cow::Owned(format!("${{{r}}}")))),
            }
        } else if let Some(o) = f.strip_prefix("O:") {
            whole = Some(o);
        } else if let Some(n) = f.strip_prefix("N:") {
            // Several types may take the same parameter (tagging any resource of the
            // service): the first whose parameter the call names.
            let template = n.split_once('=').map_or(n, |(_, t)| t);
            let named = template_names(template)
                .iter()
                .all(|p| params.iter().any(|(n, _)| n == p));
            if whole.is_none() || named {
                whole = Some(template);
            }
        } else if let Some(w) = f.strip_prefix("W:") {
            match condition(w, params) {
                Some(text) => when = text,
                None => return None,
            }
        }
    }
    let resource = match whole {
        Some("*") => ResourceMapping::Any,
        Some(t) => ResourceMapping::Whole(t),
        None => arn_mapping(action, vars, params),
    };
    Some(SdkAction {
        action,
        operation: op.to_string(),
        resource,
        when,
    })
}

/// Whether a map condition keeps the action: `None` drops it; `Some(None)` keeps it
/// unconditionally; `Some(Some(why))` keeps it as needed only for some requests.
///
/// A top-level parameter's presence is known from the call only when it names a resource;
/// the default request has none of the optional ones (`VersionId`), so `Exists` on one drops
/// the action and `NotExists` keeps it. Tests of nested parameters and of text cannot be
/// decided here: the action is kept, marked.
fn condition(w: &str, params: &[(String, ResourceName)]) -> Option<Option<String>> {
    let mut parts = w.splitn(3, '|');
    let (lhs, op, rhs) = (
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
    );
    let nested = lhs.contains(['.', '[']);
    let named = params.iter().any(|(n, _)| n == lhs);
    match op {
        "Exists" if !nested => named.then_some(None),
        "NotExists" if !nested => (!named).then_some(None),
        "Exists" => Some(Some(format!("when the request has {lhs}"))),
        "NotExists" => Some(Some(format!("when the request has no {lhs}"))),
        _ => Some(Some(format!(
            "when {lhs} {} \"{}\"",
            split_camel(op),
            rhs.trim()
        ))),
    }
}

/// `INotContains` → `does not contain (any case)`, for messages.
fn split_camel(op: &str) -> String {
    match op {
        "IContains" => "contains (any case)".into(),
        "INotContains" => "does not contain (any case)".into(),
        "Equals" => "is".into(),
        "NotEquals" => "is not".into(),
        "StartsWith" => "starts with".into(),
        "NotStartsWith" => "does not start with".into(),
        other => other.to_string(),
    }
}

/// The resource type whose ARN the mapped variables fill best, given what the call names: a
/// type all of whose variables come from parameters the call has, the most of them (an index
/// over its table when `IndexName` is given); then a required type.
fn arn_mapping(
    action: &'static Action,
    vars: Vec<(&'static str, Cow<'static, str>)>,
    params: &[(String, ResourceName)],
) -> ResourceMapping {
    let Some(service) = catalog().service(action.service) else {
        return ResourceMapping::Any;
    };
    let given = |var: &str| {
        vars.iter().any(|(v, t)| {
            *v == var
                && template_names(t)
                    .iter()
                    .all(|p| params.iter().any(|(n, _)| n == p))
        })
    };
    let mut best: Option<((bool, usize, bool), &'static str, &'static str)> = None;
    for (name, required) in &action.resource_types {
        let Some(rt) = service.resource_types.iter().find(|r| r.name == *name) else {
            continue;
        };
        let own: Vec<&str> = template_names(rt.arn)
            .into_iter()
            .filter(|v| !ARN_CONTEXT.contains(v))
            .collect();
        let filled = own.iter().filter(|v| given(v)).count();
        let score = (filled == own.len() && filled > 0, filled, *required);
        if best.as_ref().is_none_or(|(s, _, _)| score > *s) {
            best = Some((score, rt.name, rt.arn));
        }
    }
    match best {
        Some((_, resource_type, arn)) => {
            let names = template_names(arn);
            ResourceMapping::Arn {
                resource_type,
                arn,
                vars: vars
                    .into_iter()
                    .filter(|(v, _)| names.contains(v))
                    .collect(),
            }
        }
        None => ResourceMapping::Any,
    }
}

/// For an operation the map lacks: each ARN variable of the action's resource types taken
/// from a request parameter of the same name (`TableName`, `FunctionName`, `StreamName`).
fn inferred_mapping(action: &'static Action, params: &[(String, ResourceName)]) -> ResourceMapping {
    let Some(service) = catalog().service(action.service) else {
        return ResourceMapping::Any;
    };
    let mut vars: Vec<(&'static str, Cow<'static, str>)> = Vec::new();
    for (name, _) in &action.resource_types {
        for rt in service.resource_types.iter().filter(|r| r.name == *name) {
            for v in template_names(rt.arn) {
                if !ARN_CONTEXT.contains(&v) && !vars.iter().any(|(x, _)| *x == v) {
                    vars.push((v, Cow::Owned(format!("${{{v}}}"))));
                }
            }
        }
    }
    arn_mapping(action, vars, params)
}

/// Fill a template (`${Bucket}`, `prefix/${Key}`, `%%regex%${QueueUrl}%/^.+\/(.+?)$/g%%`)
/// from parameter values. A regular expression applies only to a literal value; `None` when a
/// parameter is missing, or the template is of a form Palisade does not evaluate.
pub fn fill_template(template: &str, value: &dyn Fn(&str) -> Option<Text>) -> Option<Text> {
    let mut out = Text::default();
    let mut rest = template;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("%%regex%") {
            let end = after.find("%%")?;
            let (inner, tail) = (&after[..end], &after[end + 2..]);
            let (input, pattern) = inner.split_once('%')?;
            let text = fill_template(input, value)?;
            out.push(Segment::Lit(apply_regex(pattern, text.literal()?)?));
            rest = tail;
        } else if rest.starts_with("%%") {
            return None;
        } else if let Some(after) = rest.strip_prefix("${") {
            let close = after.find('}')?;
            let name = &after[..close];
            if name.ends_with("[]") || name.contains(':') {
                return None;
            }
            out.extend(value(name)?);
            rest = &after[close + 1..];
        } else {
            let next = [rest.find("${"), rest.find("%%")]
                .into_iter()
                .flatten()
                .min()
                .unwrap_or(rest.len());
            out.push(Segment::Lit(rest[..next].to_string()));
            rest = &rest[next..];
        }
    }
    Some(out)
}

/// Apply a JavaScript-style `/pattern/flags` and return its first group (or the whole match).
fn apply_regex(js: &str, input: &str) -> Option<String> {
    let body = js.strip_prefix('/')?;
    let close = body.rfind('/')?;
    let re = regex::Regex::new(&body[..close]).ok()?;
    let caps = re.captures(input)?;
    caps.get(1)
        .or_else(|| caps.get(0))
        .map(|m| m.as_str().to_string())
}

#[cfg(test)]
mod tests {
    use palisade_model::Span;

    use super::*;

    fn call(
        language: Language,
        client: &str,
        resource_type: Option<&str>,
        operation: Option<&str>,
        resources: &[(&str, ResourceName)],
    ) -> SdkCall {
        SdkCall {
            client: client.into(),
            resource_type: resource_type.map(str::to_string),
            operation: operation.map(str::to_string),
            language,
            span: Span::default(),
            resources: resources
                .iter()
                .map(|(n, v)| ((*n).to_string(), v.clone()))
                .collect(),
        }
    }

    fn names(a: &SdkActions) -> Vec<String> {
        a.actions.iter().map(|x| x.action.full_name()).collect()
    }

    fn lit(s: &str) -> ResourceName {
        ResourceName::Literal(s.into())
    }

    #[test]
    fn boto3_client_method() {
        let a = actions_for(&call(
            Language::Python,
            "s3",
            None,
            Some("put_object"),
            &[("Bucket", lit("uploads")), ("Key", ResourceName::Unknown)],
        ));
        assert_eq!(names(&a), ["s3:PutObject"]);
        assert_eq!(a.service, Some("s3"));
        assert_eq!(a.operations, ["PutObject"]);
        let ResourceMapping::Arn {
            resource_type,
            arn,
            vars,
        } = &a.actions[0].resource
        else {
            panic!("{:?}", a.actions[0].resource)
        };
        assert_eq!(*resource_type, "object");
        assert_eq!(*arn, "arn:${Partition}:s3:::${BucketName}/${ObjectName}");
        assert!(vars.contains(&("BucketName", Cow::Borrowed("${Bucket}"))));
        assert!(a.unresolved.is_none());
    }

    #[test]
    fn boto3_client_file_transfer_sends_several_operations() {
        let a = actions_for(&call(
            Language::Python,
            "s3",
            None,
            Some("upload_file"),
            &[],
        ));
        assert_eq!(
            a.operations,
            [
                "PutObject",
                "CreateMultipartUpload",
                "UploadPart",
                "CompleteMultipartUpload"
            ]
        );
        // Multipart parts are authorized by s3:PutObject.
        assert!(names(&a).iter().all(|n| n == "s3:PutObject"), "{a:?}");
    }

    #[test]
    fn boto3_resource_methods_take_the_constructor_identifier() {
        let a = actions_for(&call(
            Language::Python,
            "dynamodb",
            Some("Table"),
            Some("put_item"),
            &[("Table", ResourceName::Env("TABLE_NAME".into()))],
        ));
        assert_eq!(names(&a), ["dynamodb:PutItem"]);
        assert_eq!(
            a.param("TableName"),
            Some(&ResourceName::Env("TABLE_NAME".into()))
        );
        let ResourceMapping::Arn { resource_type, .. } = &a.actions[0].resource else {
            panic!()
        };
        assert_eq!(*resource_type, "table");

        let up = actions_for(&call(
            Language::Python,
            "s3",
            Some("Bucket"),
            Some("upload_file"),
            &[("Bucket", lit("b")), ("Key", lit("k"))],
        ));
        assert!(up.operations.contains(&"PutObject".to_string()));
        assert_eq!(up.param("Bucket"), Some(&lit("b")));

        let get = actions_for(&call(
            Language::Python,
            "s3",
            Some("Object"),
            Some("get"),
            &[("Object", lit("b")), ("key", lit("k"))],
        ));
        assert_eq!(names(&get), ["s3:GetObject"]);
        assert_eq!(get.param("Bucket"), Some(&lit("b")));
        assert_eq!(get.param("Key"), Some(&lit("k")));

        let list = actions_for(&call(
            Language::Python,
            "s3",
            Some("Bucket"),
            Some("objects.all"),
            &[("Bucket", lit("b"))],
        ));
        assert_eq!(names(&list), ["s3:ListBucket"]);

        let send = actions_for(&call(
            Language::Python,
            "sqs",
            Some("Queue"),
            Some("send_message"),
            &[("Queue", ResourceName::Env("QUEUE_URL".into()))],
        ));
        assert_eq!(names(&send), ["sqs:SendMessage"]);
        assert!(send.param("QueueUrl").is_some());
    }

    #[test]
    fn js_v2_clients_and_the_document_client() {
        let a = actions_for(&call(
            Language::JavaScript,
            "S3",
            None,
            Some("putObject"),
            &[],
        ));
        assert_eq!(names(&a), ["s3:PutObject"]);
        for (method, action) in [
            ("put", "dynamodb:PutItem"),
            ("get", "dynamodb:GetItem"),
            ("update", "dynamodb:UpdateItem"),
            ("delete", "dynamodb:DeleteItem"),
            ("query", "dynamodb:Query"),
            ("scan", "dynamodb:Scan"),
            ("batchGet", "dynamodb:BatchGetItem"),
            ("batchWrite", "dynamodb:BatchWriteItem"),
            ("transactGet", "dynamodb:GetItem"),
        ] {
            let a = actions_for(&call(
                Language::JavaScript,
                "DynamoDB.DocumentClient",
                None,
                Some(method),
                &[("TableName", lit("orders"))],
            ));
            assert!(names(&a).contains(&action.to_string()), "{method}: {a:?}");
        }
        let tw = actions_for(&call(
            Language::TypeScript,
            "DynamoDB.DocumentClient",
            None,
            Some("transactWrite"),
            &[],
        ));
        assert!(
            names(&tw).contains(&"dynamodb:PutItem".to_string()),
            "{tw:?}"
        );
        assert!(tw.actions.iter().all(|a| a.when.is_some()));
        let file = actions_for(&call(
            Language::JavaScript,
            "aws-sdk/clients/dynamodb.DocumentClient",
            None,
            Some("put"),
            &[],
        ));
        assert_eq!(names(&file), ["dynamodb:PutItem"]);
        let upload = actions_for(&call(Language::JavaScript, "S3", None, Some("upload"), &[]));
        assert!(
            upload
                .operations
                .contains(&"CreateMultipartUpload".to_string())
        );
    }

    #[test]
    fn js_v3_commands_and_libraries() {
        let a = actions_for(&call(
            Language::TypeScript,
            "@aws-sdk/client-s3",
            None,
            Some("PutObjectCommand"),
            &[],
        ));
        assert_eq!(names(&a), ["s3:PutObject"]);
        let put = actions_for(&call(
            Language::JavaScript,
            "@aws-sdk/lib-dynamodb",
            None,
            Some("PutCommand"),
            &[],
        ));
        assert_eq!(names(&put), ["dynamodb:PutItem"]);
        let up = actions_for(&call(
            Language::JavaScript,
            "@aws-sdk/lib-storage",
            None,
            Some("Upload"),
            &[],
        ));
        assert_eq!(up.service, Some("s3"));
        assert!(names(&up).contains(&"s3:PutObjectTagging".to_string()));
        let sfn = actions_for(&call(
            Language::JavaScript,
            "@aws-sdk/client-sfn",
            None,
            Some("StartExecutionCommand"),
            &[],
        ));
        assert_eq!(names(&sfn), ["states:StartExecution"]);
        let pages = actions_for(&call(
            Language::JavaScript,
            "@aws-sdk/client-dynamodb",
            None,
            Some("paginateQuery"),
            &[],
        ));
        assert_eq!(names(&pages), ["dynamodb:Query"]);
    }

    #[test]
    fn operations_the_map_lacks_follow_the_naming_convention() {
        // Not in the 2022 map: the action of the same name, its table from `TableName`.
        let a = actions_for(&call(
            Language::Python,
            "dynamodb",
            None,
            Some("describe_continuous_backups"),
            &[("TableName", lit("t"))],
        ));
        assert_eq!(names(&a), ["dynamodb:DescribeContinuousBackups"]);
        assert!(matches!(
            &a.actions[0].resource,
            ResourceMapping::Arn {
                resource_type: "table",
                ..
            }
        ));
        let none = actions_for(&call(
            Language::Python,
            "s3",
            None,
            Some("no_such_operation"),
            &[],
        ));
        assert!(none.actions.is_empty());
        assert_eq!(
            none.unresolved,
            Some(Unresolved::UnknownOperation("no_such_operation".into()))
        );
        assert_eq!(none.service, Some("s3"));
    }

    #[test]
    fn dynamic_and_unknown_calls_keep_what_is_known() {
        let a = actions_for(&call(Language::Python, "sqs", None, None, &[]));
        assert_eq!(a.service, Some("sqs"));
        assert_eq!(a.unresolved, Some(Unresolved::DynamicOperation));
        assert_eq!(
            a.unresolved_text().as_deref(),
            Some("service sqs, operation chosen at run time")
        );
        let b = actions_for(&call(Language::Python, "nosuch", None, Some("x"), &[]));
        assert_eq!(b.service, None);
        assert_eq!(b.unresolved, Some(Unresolved::UnknownClient));
        let helper = actions_for(&call(
            Language::Python,
            "s3",
            None,
            Some("get_paginator"),
            &[],
        ));
        assert!(helper.actions.is_empty() && helper.unresolved.is_none());
    }

    #[test]
    fn conditions_on_optional_parameters() {
        let head = actions_for(&call(
            Language::Python,
            "s3",
            None,
            Some("head_object"),
            &[],
        ));
        assert_eq!(names(&head), ["s3:GetObject"]);
        let partiql = actions_for(&call(
            Language::Python,
            "dynamodb",
            None,
            Some("execute_statement"),
            &[],
        ));
        assert_eq!(partiql.actions.len(), 4);
        assert!(
            partiql.actions[0]
                .when
                .as_deref()
                .is_some_and(|w| w.contains("SELECT"))
        );
    }

    #[test]
    fn whole_arn_parameters_and_overrides() {
        let publish = actions_for(&call(
            Language::Python,
            "sns",
            None,
            Some("publish"),
            &[("TopicArn", lit("arn:aws:sns:eu-west-1:1:t"))],
        ));
        assert_eq!(
            publish.actions[0].resource,
            ResourceMapping::Whole("${TopicArn}")
        );
        let secret = actions_for(&call(
            Language::Python,
            "secretsmanager",
            None,
            Some("get_secret_value"),
            &[],
        ));
        assert!(matches!(
            secret.actions[0].resource,
            ResourceMapping::Whole(t) if t.starts_with("arn:${Partition}:secretsmanager:")
        ));
    }

    #[test]
    fn dynamodb_query_on_an_index_is_scoped_to_the_index() {
        let t = actions_for(&call(
            Language::Python,
            "dynamodb",
            None,
            Some("query"),
            &[("TableName", lit("t"))],
        ));
        assert!(matches!(
            &t.actions[0].resource,
            ResourceMapping::Arn {
                resource_type: "table",
                ..
            }
        ));
        let i = actions_for(&call(
            Language::Python,
            "dynamodb",
            None,
            Some("query"),
            &[("TableName", lit("t")), ("IndexName", lit("byDate"))],
        ));
        assert!(matches!(
            &i.actions[0].resource,
            ResourceMapping::Arn {
                resource_type: "index",
                ..
            }
        ));
    }

    #[test]
    fn templates_fill_from_literals_and_symbols() {
        let values = |name: &str| match name {
            "QueueUrl" => Some(Text::lit("https://sqs.eu-west-1.amazonaws.com/1/orders")),
            "Bucket" => Some(Text::sym(palisade_model::Symbol::Ref("Uploads".into()))),
            _ => None,
        };
        let q = fill_template("%%regex%${QueueUrl}%/^.+\\/(.+?)$/g%%", &values).unwrap();
        assert_eq!(q.literal(), Some("orders"));
        let b = fill_template("${Bucket}", &values).unwrap();
        assert_eq!(b.render(), "${Uploads}");
        assert!(fill_template("${Missing}", &values).is_none());
        assert!(fill_template("%%many%${A}%${B}%%", &values).is_none());
        // A regular expression over a value known only at deploy time is not evaluated.
        assert!(fill_template("%%regex%${Bucket}%/(.+)/g%%", &values).is_none());
    }
}

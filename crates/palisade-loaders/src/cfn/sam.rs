//! The SAM transform, read straight into the model: globals, events as triggers, generated
//! execution roles with their policies, implicit APIs.

use std::collections::BTreeMap;

use palisade_model::{
    ApiKind, DestinationKind, Function, ManagedPolicyRef, PolicyDocument, PolicySource, Prop, Role,
    RoleKind, RoleRef, Span, Text, Trigger, TriggerKind, Value, ValueKind,
};

use super::function::{self, Flavor};
use super::{Builder, Res};
use crate::sam_data;
use crate::yaml::{Node, NodeKind};
use palisade_model::policy::{from_json, policy_document};

pub(crate) const IMPLICIT_REST_API: &str = "ServerlessRestApi";
pub(crate) const IMPLICIT_HTTP_API: &str = "ServerlessHttpApi";

/// An API event whose authorization is decided once every API has been read.
pub(crate) struct PendingRoute {
    pub function: String,
    pub trigger: usize,
    pub api: String,
    /// `Auth.Authorizer` of the event, when set.
    pub authorizer: Option<(String, Span)>,
    pub api_key_required: Option<bool>,
}

/// Ids the transform will create, so that `!Ref ServerlessRestApi` or `!GetAtt FnRole.Arn`
/// resolve to a resource instead of a warning.
pub(crate) fn declare_generated_ids(b: &mut Builder<'_>, found: &[(&str, &str, &Node, &Node)]) {
    let mut generated = vec![
        (
            IMPLICIT_REST_API.to_string(),
            "AWS::Serverless::Api".to_string(),
        ),
        (
            IMPLICIT_HTTP_API.to_string(),
            "AWS::Serverless::HttpApi".to_string(),
        ),
    ];
    for (id, type_name, _, body) in found {
        if *type_name == "AWS::Serverless::Function" {
            let props = body.get("Properties");
            if props.and_then(|p| p.get("Role")).is_none() {
                generated.push((format!("{id}Role"), "AWS::IAM::Role".to_string()));
            }
            generated.push((format!("{id}Url"), "AWS::Lambda::Url".to_string()));
        }
    }
    for (id, t) in generated {
        if !b.types.contains_key(&id) {
            b.r.add_resource_id(id.clone());
            b.types.insert(id, t);
        }
    }
}

/// SAM globals: maps merge (the resource wins per key), lists are concatenated (globals
/// first), anything else is overridden; an intrinsic on either side is taken whole.
pub(crate) fn merge(global: &Node, local: &Node) -> Node {
    let intrinsic = |n: &Node| {
        n.tag.is_some()
            || n.as_map().is_some_and(|m| {
                m.len() == 1
                    && m.first()
                        .and_then(|(k, _)| k.as_str())
                        .is_some_and(|k| k == "Ref" || k.starts_with("Fn::"))
            })
    };
    if intrinsic(global) || intrinsic(local) {
        return local.clone();
    }
    match (&global.kind, &local.kind) {
        (NodeKind::Map(g), NodeKind::Map(l)) => {
            let mut entries: Vec<(Node, Node)> = g.clone();
            for (lk, lv) in l {
                match entries
                    .iter_mut()
                    .find(|(gk, _)| gk.as_str() == lk.as_str())
                {
                    Some(slot) => {
                        slot.1 = merge(&slot.1, lv);
                        slot.0 = lk.clone();
                    }
                    None => entries.push((lk.clone(), lv.clone())),
                }
            }
            Node {
                kind: NodeKind::Map(entries),
                ..local.clone()
            }
        }
        (NodeKind::Seq(g), NodeKind::Seq(l)) => Node {
            kind: NodeKind::Seq(g.iter().chain(l).cloned().collect()),
            ..local.clone()
        },
        _ => local.clone(),
    }
}

/// The properties of a SAM resource with its section of `Globals` merged in.
pub(crate) fn with_globals(b: &Builder<'_>, section: &str, props: Option<&Node>) -> Option<Node> {
    let global = b.globals.and_then(|g| g.get(section));
    match (global, props) {
        (Some(g), Some(p)) => Some(merge(g, p)),
        (Some(g), None) => Some(g.clone()),
        (None, Some(p)) => Some(p.clone()),
        (None, None) => None,
    }
}

/// `AWS::Serverless::Function`.
pub(crate) fn function(b: &mut Builder<'_>, res: &Res<'_>) {
    let merged = with_globals(b, "Function", res.props);
    let props = merged.as_ref();
    let mut f = function::read(b, res, props, Flavor::Sam);

    if let Some(events) = props.and_then(|p| p.get("Events")).and_then(Node::as_map) {
        for (key, body) in events {
            let Some(name) = key.as_str() else { continue };
            event(b, &mut f, name, key, body);
        }
    }

    match props.and_then(|p| p.get("Role")) {
        Some(role) => {
            let v = b.r.resolve(role);
            f.role = function::role_ref(b, Some(v));
        }
        None => {
            let role = generated_role(b, &f, props);
            f.role = RoleRef::Local(role.id.clone());
            b.app.roles.push(role);
        }
    }
    b.app.functions.push(f);
}

fn trigger_kind(event_type: &str) -> TriggerKind {
    match event_type {
        "Api" => TriggerKind::RestApi,
        "HttpApi" => TriggerKind::HttpApi,
        "S3" => TriggerKind::S3,
        "SNS" => TriggerKind::Sns,
        "SQS" => TriggerKind::Sqs,
        "Kinesis" => TriggerKind::Kinesis,
        "DynamoDB" => TriggerKind::DynamoDbStream,
        "MSK" | "SelfManagedKafka" => TriggerKind::Msk,
        "MQ" => TriggerKind::Mq,
        "EventBridgeRule" | "CloudWatchEvent" => TriggerKind::EventBridgeRule,
        "Schedule" | "ScheduleV2" => TriggerKind::Schedule,
        "CloudWatchLogs" => TriggerKind::CloudWatchLogs,
        "Cognito" => TriggerKind::Cognito,
        "IoTRule" => TriggerKind::Iot,
        other => TriggerKind::Other(other.to_string()),
    }
}

fn event(b: &mut Builder<'_>, f: &mut Function, name: &str, key: &Node, body: &Node) {
    let event_type = body.get("Type").and_then(Node::as_str).unwrap_or("");
    let props = body.get("Properties");
    let kind = trigger_kind(event_type);
    let mut t = Trigger::new(name, kind.clone(), b.pair_span(key, body));

    let source_key = match kind {
        TriggerKind::S3 => Some("Bucket"),
        TriggerKind::Sns => Some("Topic"),
        TriggerKind::Sqs => Some("Queue"),
        TriggerKind::Kinesis | TriggerKind::DynamoDbStream | TriggerKind::Msk => Some("Stream"),
        TriggerKind::Mq => Some("Broker"),
        TriggerKind::Cognito => Some("UserPool"),
        TriggerKind::CloudWatchLogs => Some("LogGroupName"),
        TriggerKind::EventBridgeRule => Some("EventBusName"),
        _ => None,
    };
    if let Some(v) = source_key.and_then(|k| b.value(props, k)) {
        t.source = b.referenced_id(&v);
        t.source_arn = Some(Prop::from_text_value(&v));
    }
    if kind == TriggerKind::Schedule {
        t.schedule = b
            .value(props, "Schedule")
            .or_else(|| b.value(props, "ScheduleExpression"))
            .map(|v| v.render());
    }

    if matches!(kind, TriggerKind::RestApi | TriggerKind::HttpApi) {
        let (api_key, implicit) = if kind == TriggerKind::RestApi {
            ("RestApiId", IMPLICIT_REST_API)
        } else {
            ("ApiId", IMPLICIT_HTTP_API)
        };
        let api = match b.value(props, api_key) {
            Some(v) => b.referenced_id(&v).unwrap_or_else(|| v.render()),
            None => implicit.to_string(),
        };
        t.api = Some(api.clone());
        t.path = b
            .value(props, "Path")
            .map(|v| v.render())
            .or_else(|| (kind == TriggerKind::HttpApi).then(|| "$default".to_string()));
        t.method = b
            .value(props, "Method")
            .map(|v| v.render().to_ascii_uppercase())
            .or_else(|| (kind == TriggerKind::HttpApi).then(|| "ANY".to_string()));
        let auth = props.and_then(|p| p.get("Auth"));
        let authorizer = auth
            .and_then(|a| a.get("Authorizer"))
            .map(|n| (b.r.resolve(n).render(), b.span(n)));
        let api_key_required = auth
            .and_then(|a| b.boolean(Some(a), "ApiKeyRequired"))
            .and_then(|p| p.get().copied());
        b.pending_routes.push(PendingRoute {
            function: f.id.clone(),
            trigger: f.triggers.len(),
            api,
            authorizer,
            api_key_required,
        });
    }
    f.triggers.push(t);
}

fn managed(arn: &str, span: Span, written_as: Option<&str>) -> ManagedPolicyRef {
    ManagedPolicyRef {
        arn: Prop::known(Text::lit(arn), span),
        span,
        written_as: written_as.map(str::to_string),
    }
}

fn aws_managed(name: &str, span: Span) -> ManagedPolicyRef {
    let arn = sam_data::managed_policy_arn(name)
        .map_or_else(|| format!("arn:aws:iam::aws:policy/{name}"), str::to_string);
    managed(&arn, span, None)
}

/// The role SAM generates for a function without `Role`.
fn generated_role(b: &Builder<'_>, f: &Function, props: Option<&Node>) -> Role {
    let mut role = Role::new(
        format!("{}Role", f.id),
        RoleKind::Generated {
            function: f.id.clone(),
        },
        "AWS::IAM::Role",
        f.span,
    );
    role.condition = f.condition.clone();
    let trust = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Service": ["lambda.amazonaws.com"]},
            "Action": ["sts:AssumeRole"]
        }]
    });
    // SAM uses the function's `AssumeRolePolicyDocument` for the role it creates, if given.
    let trust = match b.value(props, "AssumeRolePolicyDocument") {
        Some(declared) => declared,
        None => from_json(&trust, f.span),
    };
    role.trust = Some(policy_document(&trust, PolicySource::Trust));
    role.managed
        .push(aws_managed("AWSLambdaBasicExecutionRole", f.span));
    if let Some(t) = &f.tracing
        && t.get() == Some(&palisade_model::Tracing::Active)
    {
        role.managed
            .push(aws_managed("AWSXrayWriteOnlyAccess", t.span));
    }
    if let Some(vpc) = &f.vpc {
        role.managed
            .push(aws_managed("AWSLambdaVPCAccessExecutionRole", vpc.span));
    }
    for t in &f.triggers {
        let policy = match t.kind {
            TriggerKind::Sqs => Some("AWSLambdaSQSQueueExecutionRole"),
            TriggerKind::Kinesis => Some("AWSLambdaKinesisExecutionRole"),
            TriggerKind::DynamoDbStream => Some("AWSLambdaDynamoDBExecutionRole"),
            TriggerKind::Msk => Some("AWSLambdaMSKExecutionRole"),
            _ => None,
        };
        if let Some(p) = policy
            && !role.managed.iter().any(|m| {
                m.arn
                    .get()
                    .and_then(Text::literal)
                    .is_some_and(|a| a.ends_with(p))
            })
        {
            role.managed.push(aws_managed(p, t.span));
        }
    }
    for (why, dest) in [
        ("the dead-letter queue", &f.dead_letter),
        ("the on-failure destination", &f.on_failure),
        ("the on-success destination", &f.on_success),
    ] {
        let Some(dest) = dest else { continue };
        let action = match dest.kind {
            DestinationKind::Sqs => "sqs:SendMessage",
            DestinationKind::Sns => "sns:Publish",
            DestinationKind::Lambda => "lambda:InvokeFunction",
            DestinationKind::EventBridge => "events:PutEvents",
            DestinationKind::S3 => "s3:PutObject",
            DestinationKind::Unknown => continue,
        };
        let stmt = Value::new(
            ValueKind::Map(vec![
                entry("Effect", text_value("Allow", dest.span)),
                entry("Action", text_value(action, dest.span)),
                entry("Resource", dest.target.clone()),
            ]),
            dest.span,
        );
        let doc = Value::new(
            ValueKind::Map(vec![entry(
                "Statement",
                Value::new(ValueKind::List(vec![stmt]), dest.span),
            )]),
            dest.span,
        );
        role.policies.push(policy_document(
            &doc,
            PolicySource::Generated {
                why: why.to_string(),
            },
        ));
    }
    if let Some(policies) = props.and_then(|p| p.get("Policies")) {
        sam_policies(b, policies, &mut role);
    }
    role.permissions_boundary = b.text(props, "PermissionsBoundary");
    role
}

fn entry(key: &str, value: Value) -> palisade_model::MapEntry {
    palisade_model::MapEntry {
        key: key.to_string(),
        key_span: value.span,
        value,
    }
}

fn text_value(s: &str, span: Span) -> Value {
    Value::new(ValueKind::Text(Text::lit(s)), span)
}

/// SAM `Policies`: managed policy names and ARNs, inline documents, policy templates.
pub(crate) fn sam_policies(b: &Builder<'_>, node: &Node, role: &mut Role) {
    let value = b.r.resolve(node);
    let items: Vec<Value> = match &value.kind {
        ValueKind::List(items) => items.clone(),
        _ => vec![value],
    };
    for (index, item) in items.into_iter().enumerate() {
        policy_item(item, index, role);
    }
}

fn policy_item(item: Value, index: usize, role: &mut Role) {
    match &item.kind {
        ValueKind::Choice { options, .. } => {
            for option in options.iter().flatten() {
                policy_item(option.clone(), index, role);
            }
        }
        ValueKind::Text(text) => match text.literal() {
            Some(name) if !name.starts_with("arn:") => match sam_data::managed_policy_arn(name) {
                Some(arn) => role.managed.push(managed(arn, item.span, Some(name))),
                None => role.managed.push(ManagedPolicyRef {
                    arn: Prop::known(text.clone(), item.span),
                    span: item.span,
                    written_as: Some(name.to_string()),
                }),
            },
            _ => role.managed.push(ManagedPolicyRef {
                arn: Prop::known(text.clone(), item.span),
                span: item.span,
                written_as: None,
            }),
        },
        ValueKind::Map(entries) => {
            if item.get("Statement").is_some() {
                role.policies.push(policy_document(
                    &item,
                    PolicySource::Inline {
                        name: format!("{}Policy{index}", role.id),
                    },
                ));
                return;
            }
            for e in entries {
                let source = PolicySource::SamTemplate {
                    name: e.key.clone(),
                };
                match sam_data::policy_template(&e.key) {
                    Some(def) => {
                        let mut given = BTreeMap::new();
                        if let Some(map) = e.value.as_map() {
                            for p in map {
                                given.insert(p.key.clone(), p.value.clone());
                            }
                        }
                        let expanded = sam_data::instantiate(def, &given, item.span);
                        role.policies.push(policy_document(&expanded, source));
                    }
                    None => {
                        let mut doc = PolicyDocument {
                            source,
                            span: item.span,
                            version: None,
                            statements: Vec::new(),
                            incomplete: Some(format!("`{}` is not a SAM policy template", e.key)),
                            when: None,
                        };
                        doc.span = e.key_span;
                        role.policies.push(doc);
                    }
                }
            }
        }
        _ => role.managed.push(ManagedPolicyRef {
            arn: Prop::from_text_value(&item),
            span: item.span,
            written_as: None,
        }),
    }
}

/// Create the implicit APIs that events without an API id imply.
pub(crate) fn implicit_apis(b: &mut Builder<'_>) {
    for (id, kind, section) in [
        (IMPLICIT_REST_API, ApiKind::Rest, "Api"),
        (IMPLICIT_HTTP_API, ApiKind::Http, "HttpApi"),
    ] {
        if b.app.api(id).is_some() {
            continue;
        }
        let first_use = b.pending_routes.iter().find(|p| p.api == id).and_then(|p| {
            b.app
                .function(&p.function)
                .and_then(|f| f.triggers.get(p.trigger))
                .map(|t| t.span)
        });
        let Some(span) = first_use else { continue };
        let props = with_globals(b, section, None);
        super::api::sam_api_from(b, id, props.as_ref(), span, kind, true, None);
    }
}

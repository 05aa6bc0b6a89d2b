//! A resolved serverless.yml into the CloudFormation/SAM document the Framework would deploy.
//!
//! Functions become `AWS::Serverless::Function`s named by their key in `functions:` with an
//! explicit `Role` (the Framework never lets SAM generate one), so that SAM's event reading,
//! API auth and URL handling apply unchanged. What the Framework creates around them (the
//! shared `IamRoleLambdaExecution`, `<Name>LogGroup`, `ApiGatewayRestApi`, `HttpApi`,
//! `ServerlessDeploymentBucket`, topics, buckets and pools for events) is generated under the
//! Framework's own logical ids, so that `resources:` can refer to and override them.

use std::collections::{BTreeMap, BTreeSet};

use super::function::{dlq_type, function};
use super::node::{self, At};
use super::vars::{Diag, Level};
use super::{apis, iam};
use crate::yaml::{Node, NodeKind};

/// Everything known about the service while translating.
pub(crate) struct Tr<'r> {
    pub cfg: &'r Node,
    pub provider: Option<&'r Node>,
    /// The service's name and stage, as nodes (symbolic when they come from variables).
    pub service: Node,
    pub stage: Node,
    pub at_root: At,
    /// Generated resources by logical id, in order of creation.
    pub resources: Vec<(String, Node)>,
    pub diags: Vec<Diag>,
    /// Function key → logical id.
    pub fn_ids: BTreeMap<String, String>,
    /// Logical ids declared in `resources.Resources`.
    pub user_ids: BTreeSet<String>,
    /// Statements for the shared role that events and settings add.
    pub shared_statements: Vec<Node>,
    pub shared_managed: Vec<Node>,
    pub shared_used: bool,
    pub shared_xray: bool,
    pub rest: apis::RestApi,
    pub http: apis::HttpApi,
    pub websocket: apis::WebSocket,
}

impl<'r> Tr<'r> {
    pub fn warn(&mut self, message: String, at: &Node) {
        self.diags.push(Diag {
            level: Level::Warning,
            message,
            offset: at.start,
        });
    }

    pub fn provider(&self, key: &str) -> Option<&'r Node> {
        self.provider?.get(key)
    }

    /// Add a generated resource, or merge into one of the same id (for resources shared by
    /// several events, such as one bucket notifying two functions).
    pub fn add_resource(&mut self, id: &str, body: Node) {
        if let Some(slot) = self.resources.iter_mut().find(|(i, _)| i == id) {
            slot.1 = merge_lists(&slot.1, &body);
        } else {
            self.resources.push((id.to_string(), body));
        }
    }

    /// `${service}-${stage}` and the like.
    pub fn name(&self, suffix: &[&str], at: At) -> Node {
        let mut parts = vec![self.service.clone(), node::s("-", at), self.stage.clone()];
        for s in suffix {
            parts.push(node::s(s, at));
        }
        node::concat(parts, at)
    }

    /// The logical id of a function of the service by its key.
    pub fn function_id(&self, key: &str) -> Option<&str> {
        self.fn_ids.get(key).map(String::as_str)
    }
}

/// Merge two generated bodies: mappings merge, lists concatenate.
fn merge_lists(a: &Node, b: &Node) -> Node {
    match (&a.kind, &b.kind) {
        (NodeKind::Map(x), NodeKind::Map(y)) => {
            let mut entries = x.clone();
            for (k, v) in y {
                match entries.iter_mut().find(|(ek, _)| ek.as_str() == k.as_str()) {
                    Some(slot) => slot.1 = merge_lists(&slot.1, v),
                    None => entries.push((k.clone(), v.clone())),
                }
            }
            Node {
                kind: NodeKind::Map(entries),
                ..a.clone()
            }
        }
        (NodeKind::Seq(x), NodeKind::Seq(y)) => Node {
            kind: NodeKind::Seq(x.iter().chain(y).cloned().collect()),
            ..a.clone()
        },
        _ => a.clone(),
    }
}

/// The translated document and what was not understood.
pub(crate) struct Translated {
    pub root: Node,
    pub diags: Vec<Diag>,
}

/// Translate a resolved configuration. `symbols` are the variables left unresolved, which
/// become parameters without a default.
pub(crate) fn translate(cfg: &Node, stage: &str, symbols: &BTreeMap<String, usize>) -> Translated {
    // What the Framework generates for the whole service points at `service:`.
    let at_root = match cfg.entry("service") {
        Some((k, v)) => At {
            start: k.start,
            end: v.end.max(k.end),
        },
        None => At::of(cfg),
    };
    let service_node = match cfg.get("service") {
        Some(s) if s.as_map().is_some() => s.get("name").cloned(),
        other => other.cloned(),
    }
    .unwrap_or_else(|| node::s("service", at_root));
    let stage_node = match cfg.get("provider").and_then(|p| p.get("stage")) {
        Some(s) if node::text(Some(s)) == Some(stage) || s.tag.is_some() => s.clone(),
        _ => node::s(stage, at_root),
    };
    let user_resources = cfg.get("resources").and_then(|r| r.get("Resources"));
    let user_ids: BTreeSet<String> = user_resources
        .and_then(Node::as_map)
        .unwrap_or(&[])
        .iter()
        .filter_map(|(k, _)| k.as_str().map(str::to_string))
        .collect();
    let mut tr = Tr {
        cfg,
        provider: cfg.get("provider"),
        service: service_node,
        stage: stage_node,
        at_root,
        resources: Vec::new(),
        diags: Vec::new(),
        fn_ids: BTreeMap::new(),
        user_ids,
        shared_statements: Vec::new(),
        shared_managed: Vec::new(),
        shared_used: false,
        shared_xray: false,
        rest: apis::RestApi::default(),
        http: apis::HttpApi::default(),
        websocket: apis::WebSocket::default(),
    };

    let functions: Vec<(&Node, &Node)> = cfg
        .get("functions")
        .and_then(Node::as_map)
        .unwrap_or(&[])
        .iter()
        .map(|(k, v)| (k, v))
        .collect();
    for (k, _) in &functions {
        let Some(key) = k.as_str() else { continue };
        let generated = format!("{}LambdaFunction", node::normalize(key));
        // A function named like a resource of `resources` takes the Framework's id instead.
        let id = if tr.user_ids.contains(key) || key.is_empty() {
            generated
        } else {
            key.to_string()
        };
        tr.fn_ids.insert(key.to_string(), id);
    }

    let mut fn_resources = Vec::new();
    for (k, body) in &functions {
        let Some(key) = k.as_str() else { continue };
        if let Some(r) = function(&mut tr, key, k, body) {
            fn_resources.push(r);
        }
    }
    apis::finish(&mut tr);
    iam::shared_role(&mut tr);
    deployment_bucket(&mut tr);
    layers(&mut tr);

    // Functions first, then what the Framework generates, then the user's resources, which
    // override generated ones of the same id the way the Framework merges them.
    let mut all: Vec<(Node, Node)> = fn_resources;
    for (id, body) in std::mem::take(&mut tr.resources) {
        all.push((node::s(&id, At::of(&body)), body));
    }
    for (k, v) in user_resources.and_then(Node::as_map).unwrap_or(&[]) {
        let Some(id) = k.as_str() else { continue };
        let target = rename_target(&tr, id);
        match all
            .iter_mut()
            .find(|(ek, _)| ek.as_str() == Some(target.as_deref().unwrap_or(id)))
        {
            Some(slot) if target.is_some() => slot.1 = override_function(&slot.1, v),
            Some(slot) => slot.1 = node::deep_merge(&slot.1, v),
            None => all.push((k.clone(), v.clone())),
        }
    }
    let renames = renames(&tr);
    let mut resources_node = Node {
        kind: NodeKind::Map(all),
        start: at_root.start,
        end: at_root.end,
        tag: None,
    };
    rename_refs(&mut resources_node, &renames, 0);

    let mut top: Vec<(&str, Node)> = vec![
        ("AWSTemplateFormatVersion", node::s("2010-09-09", at_root)),
        ("Transform", node::s(crate::cfn::SAM_TRANSFORM, at_root)),
    ];
    if let Some(ignore) = cfg
        .get("custom")
        .and_then(|c| c.get("palisade"))
        .and_then(|p| p.get("ignore"))
    {
        let at = At::of(ignore);
        top.push((
            "Metadata",
            node::map(
                vec![("palisade", node::map(vec![("ignore", ignore.clone())], at))],
                at,
            ),
        ));
    }
    let mut params: Vec<(String, Node)> = Vec::new();
    for (name, offset) in symbols {
        let at = At {
            start: *offset,
            end: *offset,
        };
        params.push((
            name.clone(),
            node::map(
                vec![
                    ("Type", node::s("String", at)),
                    ("NoEcho", node::boolean(true, at)),
                ],
                at,
            ),
        ));
    }
    if let Some(user) = cfg
        .get("resources")
        .and_then(|r| r.get("Parameters"))
        .and_then(Node::as_map)
    {
        for (k, v) in user {
            if let Some(name) = k.as_str() {
                params.push((name.to_string(), v.clone()));
            }
        }
    }
    if !params.is_empty() {
        top.push(("Parameters", node::map_owned(params, at_root)));
    }
    for section in ["Conditions", "Mappings"] {
        if let Some(c) = cfg.get("resources").and_then(|r| r.get(section)) {
            top.push((section, c.clone()));
        }
    }
    top.push(("Resources", resources_node));
    if let Some(o) = cfg.get("resources").and_then(|r| r.get("Outputs")) {
        let mut o = o.clone();
        rename_refs(&mut o, &renames, 0);
        top.push(("Outputs", o));
    }
    Translated {
        root: node::map(top, at_root),
        diags: tr.diags,
    }
}

/// A user resource that overrides a function (`HelloLambdaFunction`) names the function.
fn rename_target(tr: &Tr<'_>, id: &str) -> Option<String> {
    tr.fn_ids
        .iter()
        .find(|(key, fid)| *fid != id && format!("{}LambdaFunction", node::normalize(key)) == id)
        .map(|(_, fid)| fid.clone())
}

/// `HelloLambdaFunction: {Properties: …}` in `resources` over a SAM function: the Lambda
/// property names SAM spells differently are translated.
fn override_function(base: &Node, over: &Node) -> Node {
    let mut over = over.clone();
    if let NodeKind::Map(entries) = &mut over.kind {
        entries.retain(|(k, _)| k.as_str() != Some("Type"));
    }
    let props = match &mut over.kind {
        NodeKind::Map(e) => e
            .iter_mut()
            .find(|(k, _)| k.as_str() == Some("Properties"))
            .map(|(_, v)| &mut v.kind),
        _ => None,
    };
    if let Some(NodeKind::Map(props)) = props {
        let mut out = Vec::new();
        for (k, v) in props.drain(..) {
            match k.as_str() {
                Some("Code") => {}
                Some("TracingConfig") => {
                    if let Some(mode) = v.get("Mode") {
                        out.push((node::s("Tracing", At::of(&k)), mode.clone()));
                    }
                }
                Some("DeadLetterConfig") => {
                    if let Some(t) = v.get("TargetArn") {
                        let at = At::of(&v);
                        out.push((
                            node::s("DeadLetterQueue", At::of(&k)),
                            node::map(
                                vec![("Type", node::s(dlq_type(t), at)), ("TargetArn", t.clone())],
                                at,
                            ),
                        ));
                    }
                }
                _ => out.push((k, v)),
            }
        }
        *props = out;
    }
    node::deep_merge(base, &over)
}

/// Serverless-generated logical ids that name something else here.
fn renames(tr: &Tr<'_>) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for (key, id) in &tr.fn_ids {
        let norm = node::normalize(key);
        let lambda = format!("{norm}LambdaFunction");
        if &lambda != id {
            out.insert(lambda, id.clone());
        }
        out.insert(format!("{norm}LambdaFunctionUrl"), format!("{id}Url"));
    }
    out
}

/// Point `Ref`, `GetAtt`, `Sub` and `DependsOn` references at the ids used here.
fn rename_refs(n: &mut Node, renames: &BTreeMap<String, String>, depth: usize) {
    if renames.is_empty() || depth > 512 {
        return;
    }
    let rename = |s: &str| -> Option<String> {
        let (id, rest) = match s.split_once('.') {
            Some((id, rest)) => (id, Some(rest)),
            None => (s, None),
        };
        let new = renames.get(id)?;
        Some(match rest {
            Some(r) => format!("{new}.{r}"),
            None => new.clone(),
        })
    };
    match n.tag.as_deref() {
        Some("Ref" | "GetAtt") => {
            match &mut n.kind {
                NodeKind::Str(s) => {
                    if let Some(new) = rename(s) {
                        *s = new;
                    }
                }
                NodeKind::Seq(items) => {
                    if let Some(first) = items.first_mut()
                        && let NodeKind::Str(s) = &mut first.kind
                        && let Some(new) = rename(s)
                    {
                        *s = new;
                    }
                }
                _ => {}
            }
            return;
        }
        Some("Sub") => {
            if let NodeKind::Str(s) = &mut n.kind {
                *s = rename_sub(s, renames);
            }
            if let NodeKind::Seq(items) = &mut n.kind
                && let Some(first) = items.first_mut()
                && let NodeKind::Str(s) = &mut first.kind
            {
                *s = rename_sub(s, renames);
            }
        }
        _ => {}
    }
    if let NodeKind::Map(entries) = &mut n.kind {
        for (k, v) in entries.iter_mut() {
            match k.as_str() {
                Some("Ref" | "DependsOn") => {
                    if let NodeKind::Str(s) = &mut v.kind
                        && let Some(new) = rename(s)
                    {
                        *s = new;
                    }
                    if let NodeKind::Seq(items) = &mut v.kind {
                        for i in items {
                            if let NodeKind::Str(s) = &mut i.kind
                                && let Some(new) = rename(s)
                            {
                                *s = new;
                            }
                        }
                    }
                }
                Some("Fn::GetAtt") => match &mut v.kind {
                    NodeKind::Str(s) => {
                        if let Some(new) = rename(s) {
                            *s = new;
                        }
                    }
                    NodeKind::Seq(items) => {
                        if let Some(first) = items.first_mut()
                            && let NodeKind::Str(s) = &mut first.kind
                            && let Some(new) = rename(s)
                        {
                            *s = new;
                        }
                    }
                    _ => {}
                },
                Some("Fn::Sub") => {
                    if let NodeKind::Str(s) = &mut v.kind {
                        *s = rename_sub(s, renames);
                    }
                    if let NodeKind::Seq(items) = &mut v.kind
                        && let Some(first) = items.first_mut()
                        && let NodeKind::Str(s) = &mut first.kind
                    {
                        *s = rename_sub(s, renames);
                    }
                    rename_refs(v, renames, depth + 1);
                }
                _ => rename_refs(v, renames, depth + 1),
            }
        }
    } else if let NodeKind::Seq(items) = &mut n.kind {
        for i in items {
            rename_refs(i, renames, depth + 1);
        }
    }
}

/// `${HelloLambdaFunction.Arn}` → `${hello.Arn}` inside a `Fn::Sub` template.
fn rename_sub(s: &str, renames: &BTreeMap<String, String>) -> String {
    let mut out = s.to_string();
    for (old, new) in renames {
        out = out
            .replace(&format!("${{{old}}}"), &format!("${{{new}}}"))
            .replace(&format!("${{{old}."), &format!("${{{new}."));
    }
    out
}

/// `provider.deploymentBucket` names an existing bucket; otherwise the Framework creates
/// `ServerlessDeploymentBucket`, encrypted, public access blocked only when asked.
/// The service's own layers (`layers:`), as the Framework deploys them: an
/// `AWS::Lambda::LayerVersion` named `<Name>LambdaLayer` whose content is the layer's folder
/// (or its `package.artifact`), and a permission per account in `allowedAccounts`.
fn layers(tr: &mut Tr<'_>) {
    let Some(entries) = tr.cfg.get("layers").and_then(Node::as_map) else {
        return;
    };
    for (k, body) in entries {
        let Some(name) = k.as_str() else { continue };
        let at = At::of(body);
        let id = format!("{}LambdaLayer", node::normalize(name));
        let mut props = vec![(
            "LayerName",
            body.get("name")
                .cloned()
                .unwrap_or_else(|| node::s(name, At::of(k))),
        )];
        let content = body
            .get("package")
            .and_then(|p| p.get("artifact"))
            .or_else(|| body.get("path"));
        if let Some(c) = content {
            props.push(("Content", c.clone()));
        }
        if let Some(r) = body.get("compatibleRuntimes") {
            props.push(("CompatibleRuntimes", r.clone()));
        }
        let layer = node::map(
            vec![
                ("Type", node::s("AWS::Lambda::LayerVersion", at)),
                ("Properties", node::map(props, at)),
            ],
            at,
        );
        tr.add_resource(&id, layer);
        for account in body
            .get("allowedAccounts")
            .and_then(Node::as_seq)
            .unwrap_or(&[])
        {
            let Some(a) = node::text(Some(account)) else {
                continue;
            };
            let suffix = if a == "*" {
                "Wildcard".to_string()
            } else {
                node::normalize(a)
            };
            let aat = At::of(account);
            let permission = node::map(
                vec![
                    ("Type", node::s("AWS::Lambda::LayerVersionPermission", aat)),
                    (
                        "Properties",
                        node::map(
                            vec![
                                ("Action", node::s("lambda:GetLayerVersion", aat)),
                                ("LayerVersionArn", node::reference(&id, aat)),
                                ("Principal", account.clone()),
                            ],
                            aat,
                        ),
                    ),
                ],
                aat,
            );
            tr.add_resource(
                &format!("{}LambdaLayerPermission{suffix}", node::normalize(name)),
                permission,
            );
        }
    }
}

fn deployment_bucket(tr: &mut Tr<'_>) {
    let given = tr.provider("deploymentBucket");
    let named = match given {
        Some(n) if n.as_map().is_some() => n.get("name").is_some(),
        Some(n) => node::text(Some(n)).is_some() || n.tag.is_some(),
        None => false,
    } || tr.provider("deploymentBucketName").is_some();
    if named {
        return;
    }
    let at = given.map_or(tr.at_root, At::of);
    let mut props = vec![(
        "BucketEncryption",
        node::map(
            vec![(
                "ServerSideEncryptionConfiguration",
                node::seq(
                    vec![node::map(
                        vec![(
                            "ServerSideEncryptionByDefault",
                            node::map(vec![("SSEAlgorithm", node::s("AES256", at))], at),
                        )],
                        at,
                    )],
                    at,
                ),
            )],
            at,
        ),
    )];
    if node::truthy(given.and_then(|g| g.get("blockPublicAccess"))) {
        let t = || node::boolean(true, at);
        props.push((
            "PublicAccessBlockConfiguration",
            node::map(
                vec![
                    ("BlockPublicAcls", t()),
                    ("BlockPublicPolicy", t()),
                    ("IgnorePublicAcls", t()),
                    ("RestrictPublicBuckets", t()),
                ],
                at,
            ),
        ));
    }
    let body = node::map(
        vec![
            ("Type", node::s("AWS::S3::Bucket", at)),
            ("Properties", node::map(props, at)),
        ],
        at,
    );
    tr.add_resource("ServerlessDeploymentBucket", body);
}

//! A resolved serverless.yml into the CloudFormation/SAM document the Framework would deploy.
//!
//! Functions become `AWS::Serverless::Function`s named by their key in `functions:` with an
//! explicit `Role` (the Framework never lets SAM generate one), so that SAM's event reading,
//! API auth and URL handling apply unchanged. What the Framework creates around them (the
//! shared `IamRoleLambdaExecution`, `<Name>LogGroup`, `ApiGatewayRestApi`, `HttpApi`,
//! `ServerlessDeploymentBucket`, topics, buckets and pools for events) is generated under the
//! Framework's own logical ids, so that `resources:` can refer to and override them.

use std::collections::{BTreeMap, BTreeSet};

use super::node::{self, At};
use super::vars::{Diag, Level};
use super::{apis, events, iam};
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

/// `SNS` or `SQS`, from an ARN or a reference.
pub(crate) fn dlq_type(target: &Node) -> &'static str {
    let rendered = super::events::flat_text(target);
    if rendered.contains(":sqs:") || rendered.contains("Queue") {
        "SQS"
    } else {
        "SNS"
    }
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

/// The first of a function's and the provider's setting.
fn setting<'n>(tr: &Tr<'n>, body: &'n Node, fkey: &str, pkey: &str) -> Option<&'n Node> {
    body.get(fkey).or_else(|| tr.provider(pkey))
}

/// Translate one function; returns its resource (key node, body).
fn function(tr: &mut Tr<'_>, key: &str, key_node: &Node, body: &Node) -> Option<(Node, Node)> {
    let id = tr.function_id(key)?.to_string();
    let at = At::of(body);
    if body.as_map().is_none() {
        tr.warn(format!("function `{key}` is not a mapping; skipped"), body);
        return None;
    }
    let mut props: Vec<(String, Node)> = Vec::new();
    let mut put = |k: &str, v: Node| props.push((k.to_string(), v));

    let fname = match body.get("name") {
        Some(n) => n.clone(),
        None => tr.name(&["-", key], At::of(key_node)),
    };
    put("FunctionName", fname.clone());
    code(tr, body, at, &mut put);
    if let Some(r) = setting(tr, body, "runtime", "runtime") {
        put("Runtime", r.clone());
    }
    let timeout = setting(tr, body, "timeout", "timeout")
        .cloned()
        .unwrap_or_else(|| node::num(6, at));
    put("Timeout", timeout);
    let memory = setting(tr, body, "memorySize", "memorySize")
        .cloned()
        .unwrap_or_else(|| node::num(1024, at));
    put("MemorySize", memory);
    if let Some(a) = setting(tr, body, "architecture", "architecture") {
        put("Architectures", node::seq(vec![a.clone()], At::of(a)));
    }
    if let Some(e) = body.get("ephemeralStorageSize") {
        put(
            "EphemeralStorage",
            node::map(vec![("Size", e.clone())], At::of(e)),
        );
    }
    if let Some(env) = environment(tr, body) {
        put("Environment", env);
    }
    let tracing = tracing(tr, body);
    if let Some(t) = &tracing {
        put("Tracing", t.clone());
    }
    let vpc = setting(tr, body, "vpc", "vpc").filter(|v| v.as_map().is_some());
    if let Some(v) = vpc {
        let vat = At::of(v);
        let mut entries = Vec::new();
        if let Some(sg) = v.get("securityGroupIds") {
            entries.push(("SecurityGroupIds", sg.clone()));
        }
        if let Some(sn) = v.get("subnetIds") {
            entries.push(("SubnetIds", sn.clone()));
        }
        put("VpcConfig", node::map(entries, vat));
    }
    if let Some(l) = setting(tr, body, "layers", "layers") {
        put("Layers", l.clone());
    }
    if let Some(k) = setting(tr, body, "kmsKeyArn", "kmsKeyArn") {
        put("KmsKeyArn", k.clone());
    }
    if let Some(r) = body.get("reservedConcurrency") {
        put("ReservedConcurrentExecutions", r.clone());
    }
    if let Some(p) = body.get("provisionedConcurrency") {
        let pat = At::of(p);
        put(
            "ProvisionedConcurrencyConfig",
            node::map(vec![("ProvisionedConcurrentExecutions", p.clone())], pat),
        );
        put("AutoPublishAlias", node::s("provisioned", pat));
    }
    let mut role_statements: Vec<Node> = Vec::new();
    if let Some(cfg) = destinations(tr, body, &mut role_statements) {
        put("EventInvokeConfig", cfg);
    }
    if let Some(on_error) = body.get("onError") {
        let oat = At::of(on_error);
        let kind = dlq_type(on_error);
        put(
            "DeadLetterQueue",
            node::map(
                vec![
                    ("Type", node::s(kind, oat)),
                    ("TargetArn", on_error.clone()),
                ],
                oat,
            ),
        );
        let action = if kind == "SQS" {
            "sqs:SendMessage"
        } else {
            "sns:Publish"
        };
        role_statements.push(iam::statement(&[action], vec![on_error.clone()], oat));
    }
    if let Some(url) = body.get("url").filter(|u| node::enabled(Some(u))) {
        put("FunctionUrlConfig", apis::function_url(url));
    }
    let tags = merged_map(tr.provider("tags"), body.get("tags"));
    if let Some(t) = tags {
        put("Tags", t);
    }
    let ctx = events::FnCtx {
        key: key.to_string(),
        id: id.clone(),
    };
    let ev = events::events(tr, &ctx, body.get("events"), &mut role_statements);
    if !ev.is_empty() {
        put("Events", node::map_owned(ev, at));
    }
    let tracing_active = tracing
        .as_ref()
        .and_then(|t| node::text(Some(t)))
        .is_some_and(|t| t == "Active");
    let role = iam::function_role(
        tr,
        &iam::RoleNeeds {
            key,
            body,
            fname: &fname,
            statements: role_statements,
            vpc: vpc.is_some(),
            tracing: tracing_active,
        },
    );
    put("Role", role);

    let mut resource = vec![
        ("Type".to_string(), node::s("AWS::Serverless::Function", at)),
        ("Properties".to_string(), node::map_owned(props, at)),
    ];
    if let Some(ignore) = body.get("palisade").and_then(|p| p.get("ignore")) {
        let iat = At::of(ignore);
        resource.push((
            "Metadata".to_string(),
            node::map(
                vec![("palisade", node::map(vec![("ignore", ignore.clone())], iat))],
                iat,
            ),
        ));
    }
    if let Some(c) = body.get("condition") {
        resource.push(("Condition".to_string(), c.clone()));
    }
    if let Some(d) = body.get("dependsOn") {
        resource.push(("DependsOn".to_string(), d.clone()));
    }
    log_group(tr, key, body, &fname);
    let key_out = Node {
        kind: NodeKind::Str(id),
        ..key_node.clone()
    };
    Some((key_out, node::map_owned(resource, at)))
}

/// `CodeUri`/`Handler`, or `PackageType: Image`.
fn code(tr: &Tr<'_>, body: &Node, at: At, put: &mut impl FnMut(&str, Node)) {
    if let Some(image) = body.get("image") {
        let iat = At::of(image);
        let uri = match image.as_map() {
            Some(_) => image
                .get("uri")
                .cloned()
                .or_else(|| {
                    let name = node::text(image.get("name"))?;
                    tr.provider("ecr")
                        .and_then(|e| e.get("images"))
                        .and_then(|i| i.get(name))
                        .and_then(|i| i.get("uri"))
                        .cloned()
                })
                .unwrap_or_else(|| node::s("image built by the Serverless Framework", iat)),
            None => image.clone(),
        };
        put("PackageType", node::s("Image", iat));
        put("ImageUri", uri);
        return;
    }
    let artifact = body
        .get("package")
        .and_then(|p| p.get("artifact"))
        .or_else(|| tr.provider("package").and_then(|p| p.get("artifact")))
        .or_else(|| tr.cfg.get("package").and_then(|p| p.get("artifact")));
    let handler = body.get("handler");
    let (dir, module) = match handler.and_then(|h| node::text(Some(h))) {
        Some(h) => match h.rsplit_once('/') {
            Some((dir, m)) => (dir.to_string(), m.to_string()),
            None => (String::new(), h.to_string()),
        },
        None => (String::new(), String::new()),
    };
    if let Some(h) = handler {
        let mut h2 = h.clone();
        if node::text(Some(h)).is_some() {
            h2.kind = NodeKind::Str(module);
        }
        put("Handler", h2);
    }
    if let Some(a) = artifact {
        put("CodeUri", a.clone());
        return;
    }
    let base = node::text(body.get("module")).unwrap_or("");
    let joined = [base.trim_end_matches('/'), dir.as_str()]
        .iter()
        .filter(|p| !p.is_empty() && **p != ".")
        .copied()
        .collect::<Vec<_>>()
        .join("/");
    let code_at = handler.map_or(at, At::of);
    let path = if joined.is_empty() {
        ".".to_string()
    } else {
        joined.trim_start_matches("./").to_string()
    };
    put("CodeUri", node::s(&path, code_at));
}

/// The provider's environment with the function's over it.
fn environment(tr: &Tr<'_>, body: &Node) -> Option<Node> {
    let vars = merged_map(tr.provider("environment"), body.get("environment"))?;
    let at = At::of(&vars);
    Some(node::map(vec![("Variables", vars)], at))
}

/// Two optional mappings merged key by key (the second wins).
fn merged_map(base: Option<&Node>, over: Option<&Node>) -> Option<Node> {
    match (base.filter(|b| b.as_map().is_some()), over) {
        (Some(b), Some(o)) if o.as_map().is_some() => {
            let mut entries: Vec<(Node, Node)> = b.as_map().unwrap_or(&[]).to_vec();
            for (k, v) in o.as_map().unwrap_or(&[]) {
                entries.retain(|(ek, _)| ek.as_str() != k.as_str());
                entries.push((k.clone(), v.clone()));
            }
            Some(Node {
                kind: NodeKind::Map(entries),
                ..o.clone()
            })
        }
        (_, Some(o)) => Some(o.clone()),
        (Some(b), None) => Some(b.clone()),
        (None, None) => None,
    }
}

/// `tracing: Active|PassThrough|true` on the function, else `provider.tracing.lambda`.
fn tracing(tr: &Tr<'_>, body: &Node) -> Option<Node> {
    let t = body
        .get("tracing")
        .or_else(|| tr.provider("tracing").and_then(|t| t.get("lambda")))?;
    let at = At::of(t);
    let mode = match &t.kind {
        NodeKind::Bool(true) => "Active",
        NodeKind::Bool(false) => "PassThrough",
        NodeKind::Str(s) if s.eq_ignore_ascii_case("active") || s == "true" => "Active",
        NodeKind::Str(s) if s.eq_ignore_ascii_case("passthrough") || s == "false" => "PassThrough",
        _ => return Some(t.clone()),
    };
    Some(node::s(mode, at))
}

/// `destinations: {onSuccess, onFailure}`: an ARN, a function of the service, or
/// `{type, arn}`. The Framework grants the shared role the right to send there.
fn destinations(tr: &Tr<'_>, body: &Node, statements: &mut Vec<Node>) -> Option<Node> {
    let d = body.get("destinations");
    let retries = body.get("maximumRetryAttempts");
    if d.is_none() && retries.is_none() {
        return None;
    }
    let at = At::of(d.or(retries)?);
    let mut cfg = Vec::new();
    if let Some(r) = retries {
        cfg.push(("MaximumRetryAttempts", r.clone()));
    }
    let mut dest = Vec::new();
    for (key, out) in [("onSuccess", "OnSuccess"), ("onFailure", "OnFailure")] {
        let Some(v) = d.and_then(|d| d.get(key)) else {
            continue;
        };
        let vat = At::of(v);
        let (target, declared) = match v.as_map() {
            Some(_) if v.tag.is_none() && v.get("arn").is_some() => (
                v.get("arn").cloned().unwrap_or_else(|| v.clone()),
                node::text(v.get("type")).map(str::to_ascii_lowercase),
            ),
            _ => (v.clone(), None),
        };
        let target = match node::text(Some(&target)).and_then(|t| tr.function_id(t)) {
            Some(fid) => node::get_att(fid, "Arn", vat),
            None => target,
        };
        let rendered = super::events::flat_text(&target);
        let kind = match declared.as_deref() {
            Some("sqs") => "SQS",
            Some("sns") => "SNS",
            Some("eventbus") => "EventBridge",
            Some("function") => "Lambda",
            _ if rendered.contains(":sqs:") => "SQS",
            _ if rendered.contains(":sns:") => "SNS",
            _ if rendered.contains(":events:") => "EventBridge",
            _ => "Lambda",
        };
        let action = match kind {
            "SQS" => "sqs:SendMessage",
            "SNS" => "sns:Publish",
            "EventBridge" => "events:PutEvents",
            _ => "lambda:InvokeFunction",
        };
        statements.push(iam::statement(&[action], vec![target.clone()], vat));
        dest.push((
            out,
            node::map(
                vec![("Type", node::s(kind, vat)), ("Destination", target)],
                vat,
            ),
        ));
    }
    if !dest.is_empty() {
        cfg.push(("DestinationConfig", node::map(dest, at)));
    }
    Some(node::map(cfg, at))
}

/// `<Name>LogGroup`, which the Framework creates for every function (unless `disableLogs`).
fn log_group(tr: &mut Tr<'_>, key: &str, body: &Node, fname: &Node) {
    if node::truthy(body.get("disableLogs")) {
        return;
    }
    let at = At::of(body);
    let name = node::concat(vec![node::s("/aws/lambda/", at), fname.clone()], at);
    let mut props = vec![("LogGroupName", name)];
    if let Some(r) = body
        .get("logRetentionInDays")
        .or_else(|| tr.provider("logRetentionInDays"))
    {
        props.push(("RetentionInDays", r.clone()));
    }
    if let Some(k) = tr
        .provider("logs")
        .and_then(|l| l.get("lambda"))
        .and_then(|l| l.get("kmsKeyArn"))
    {
        props.push(("KmsKeyId", k.clone()));
    }
    let body = node::map(
        vec![
            ("Type", node::s("AWS::Logs::LogGroup", at)),
            ("Properties", node::map(props, at)),
        ],
        at,
    );
    tr.add_resource(&format!("{}LogGroup", node::normalize(key)), body);
}

//! One entry of `functions:` into an `AWS::Serverless::Function` with an explicit `Role`,
//! its `<Name>LogGroup`, and what its events and destinations need from its role.

use super::node::{self, At};
use super::translate::Tr;
use super::{apis, events, iam};
use crate::yaml::{Node, NodeKind};

/// `SNS` or `SQS`, from an ARN or a reference.
pub(crate) fn dlq_type(target: &Node) -> &'static str {
    let rendered = super::events::flat_text(target);
    if rendered.contains(":sqs:") || rendered.contains("Queue") {
        "SQS"
    } else {
        "SNS"
    }
}

/// The first of a function's and the provider's setting.
fn setting<'n>(tr: &Tr<'n>, body: &'n Node, fkey: &str, pkey: &str) -> Option<&'n Node> {
    body.get(fkey).or_else(|| tr.provider(pkey))
}

/// Translate one function; returns its resource (key node, body).
pub(crate) fn function(
    tr: &mut Tr<'_>,
    key: &str,
    key_node: &Node,
    body: &Node,
) -> Option<(Node, Node)> {
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

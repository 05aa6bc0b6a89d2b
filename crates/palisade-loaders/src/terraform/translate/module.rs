//! Calls of the registry module `terraform-aws-modules/lambda/aws`: its main inputs into the
//! function, role, URL, log group, permissions and event source mappings the module creates,
//! under the addresses it gives them (`module.NAME.aws_lambda_function.this[0]`).

use super::iam::{document, statement};
use super::lambda::{cors, local_code};
use super::nodes::{
    attr, entry, get_att, join, join_path, lit_bool, lit_i64, lit_str, map_at, pseudo, ref_at,
    seq_at, str_at,
};
use super::values::invoke_arn;
use super::{Ctx, Out, TfResource};
use crate::yaml::{Node, NodeKind};

/// True for the registry Lambda module (any version, registry host or Git spelling), not its
/// helper submodules.
pub(super) fn is_lambda_module(source: &str) -> bool {
    let base = source.split('?').next().unwrap_or(source);
    // The subpath follows a `//` that is not a URL scheme's (`https://`).
    let split = base
        .match_indices("//")
        .map(|(i, _)| i)
        .find(|i| !base.get(..*i).unwrap_or_default().ends_with(':'));
    let (base, sub) = match split {
        Some(i) => (
            base.get(..i).unwrap_or_default(),
            base.get(i + 2..).unwrap_or_default(),
        ),
        None => (base, ""),
    };
    let base = base.trim_end_matches(".git");
    let lambda = base.ends_with("terraform-aws-modules/lambda/aws")
        || base.ends_with("terraform-aws-modules/terraform-aws-lambda");
    lambda && !sub.trim_matches('/').starts_with("modules/")
}

/// The logical ids of what the module creates for a call.
struct Ids {
    function: String,
    role: String,
    url: String,
    log_group: String,
}

fn ids(res: &TfResource) -> Ids {
    let m = &res.address;
    Ids {
        function: format!("{m}.aws_lambda_function.this[0]"),
        role: format!("{m}.aws_iam_role.lambda[0]"),
        url: format!("{m}.aws_lambda_function_url.this[0]"),
        log_group: format!("{m}.aws_cloudwatch_log_group.lambda[0]"),
    }
}

/// An input of boolean type: `Some(true)` when set to true, or to something not known (the
/// resource may exist, so it is modelled).
fn flag(body: &Node, name: &str, default: bool) -> bool {
    match body.get(name) {
        Some(v) if !super::nodes::is_unset(v) => lit_bool(v).unwrap_or(true),
        _ => default,
    }
}

fn creates_function(body: &Node) -> bool {
    flag(body, "create", true) && flag(body, "create_function", true)
}

fn creates_role(body: &Node) -> bool {
    creates_function(body) && flag(body, "create_role", true)
}

fn map_entries<'n>(body: &'n Node, name: &str) -> &'n [(Node, Node)] {
    match body.get(name) {
        Some(v) if v.tag.is_none() || v.tag.as_deref() == Some("TfJson") => {
            v.as_map().unwrap_or(&[])
        }
        _ => &[],
    }
}

/// Logical ids (and Terraform types) a call declares.
pub(super) fn declared_ids(res: &TfResource) -> Vec<(String, &'static str)> {
    let body = &res.body;
    let ids = ids(res);
    let mut out = Vec::new();
    if !creates_function(body) {
        return out;
    }
    out.push((ids.function.clone(), "aws_lambda_function"));
    if creates_role(body) {
        out.push((ids.role, "aws_iam_role"));
    }
    if flag(body, "create_lambda_function_url", false) {
        out.push((ids.url, "aws_lambda_function_url"));
    }
    if !flag(body, "use_existing_cloudwatch_log_group", false) {
        out.push((ids.log_group, "aws_cloudwatch_log_group"));
    }
    for (k, _) in map_entries(body, "allowed_triggers") {
        if let Some(name) = k.as_str() {
            out.push((
                format!(
                    "{}.aws_lambda_permission.unqualified_alias_triggers[\"{name}\"]",
                    res.address
                ),
                "aws_lambda_permission",
            ));
        }
    }
    for (k, _) in map_entries(body, "event_source_mapping") {
        if let Some(name) = k.as_str() {
            out.push((
                format!(
                    "{}.aws_lambda_event_source_mapping.this[\"{name}\"]",
                    res.address
                ),
                "aws_lambda_event_source_mapping",
            ));
        }
    }
    out
}

/// An output of a call, for the outputs that name what the module creates.
pub(super) fn output(ctx: &mut Ctx<'_>, res: &TfResource, name: &str, at: &Node) -> Option<Node> {
    if !is_lambda_module(&res.type_name) || !creates_function(&res.body) {
        return None;
    }
    let ids = ids(res);
    let declared = |id: &str| ctx.declared.contains_key(id);
    let n = match name {
        "lambda_function_arn" | "lambda_function_qualified_arn" => {
            get_att(&ids.function, "Arn", at)
        }
        "lambda_function_name" => ref_at(&ids.function, at),
        "lambda_function_invoke_arn" | "lambda_function_qualified_invoke_arn" => {
            invoke_arn(get_att(&ids.function, "Arn", at), at)
        }
        "lambda_role_arn" if declared(&ids.role) => get_att(&ids.role, "Arn", at),
        "lambda_role_name" if declared(&ids.role) => ref_at(&ids.role, at),
        "lambda_function_url" if declared(&ids.url) => get_att(&ids.url, "FunctionUrl", at),
        "lambda_cloudwatch_log_group_name" if declared(&ids.log_group) => {
            ref_at(&ids.log_group, at)
        }
        "lambda_cloudwatch_log_group_arn" if declared(&ids.log_group) => {
            get_att(&ids.log_group, "Arn", at)
        }
        _ => return None,
    };
    let _ = ctx;
    Some(n)
}

/// Translate one call of the module.
pub(super) fn lambda_module<'a>(ctx: &mut Ctx<'a>, res: &'a TfResource) {
    let body = &res.body;
    if !creates_function(body) {
        return;
    }
    let ids = ids(res);
    let head = str_at(
        "",
        &Node {
            kind: NodeKind::Null,
            start: res.start,
            end: Out::with_id(res, "", "").header_end,
            tag: None,
        },
    );
    let fname = attr(body, "function_name").map(|(_, v)| ctx.conv(v));

    let mut f = Out::with_id(res, &ids.function, "AWS::Lambda::Function");
    for (tf, cfn) in [
        ("function_name", "FunctionName"),
        ("handler", "Handler"),
        ("runtime", "Runtime"),
        ("timeout", "Timeout"),
        ("memory_size", "MemorySize"),
        ("kms_key_arn", "KmsKeyArn"),
        ("layers", "Layers"),
        ("architectures", "Architectures"),
        ("package_type", "PackageType"),
        ("code_signing_config_arn", "CodeSigningConfigArn"),
    ] {
        if let Some((k, v)) = attr(body, tf) {
            let value = ctx.conv(v);
            f.set(cfn, k, value);
        }
    }
    if let Some((k, v)) = attr(body, "reserved_concurrent_executions")
        && lit_i64(v).is_none_or(|n| n >= 0)
    {
        let value = ctx.conv(v);
        f.set("ReservedConcurrentExecutions", k, value);
    }
    if let Some((k, v)) = attr(body, "environment_variables") {
        let vars = ctx.conv(v);
        f.set(
            "Environment",
            k,
            map_at(vec![entry("Variables", k, vars)], v),
        );
    }
    for (tf, cfn, inner) in [
        ("tracing_mode", "TracingConfig", "Mode"),
        ("dead_letter_target_arn", "DeadLetterConfig", "TargetArn"),
        ("ephemeral_storage_size", "EphemeralStorage", "Size"),
    ] {
        if let Some((k, v)) = attr(body, tf) {
            let value = ctx.conv(v);
            f.set(cfn, k, map_at(vec![entry(inner, k, value)], v));
        }
    }
    if let Some((k, v)) = attr(body, "vpc_subnet_ids") {
        let mut e = vec![entry("SubnetIds", k, ctx.conv(v))];
        if let Some((sk, sv)) = attr(body, "vpc_security_group_ids") {
            e.push(entry("SecurityGroupIds", sk, ctx.conv(sv)));
        }
        f.set("VpcConfig", k, map_at(e, v));
    }
    if let Some((k, code)) = code(ctx, res) {
        f.set("Code", &k, code);
    }
    if creates_role(body) {
        f.set("Role", &head, get_att(&ids.role, "Arn", &head));
    } else if let Some((k, v)) = attr(body, "lambda_role") {
        let role = ctx.conv(v);
        f.set("Role", k, role);
    }
    ctx.push(f);

    if creates_role(body) {
        let role = role(ctx, res, &ids, &head, fname.clone());
        ctx.push(role);
    }

    if flag(body, "create_lambda_function_url", false) {
        let mut u = Out::with_id(res, &ids.url, "AWS::Lambda::Url");
        let key = body
            .entry("create_lambda_function_url")
            .map_or(head.clone(), |(k, _)| k.clone());
        u.set(
            "TargetFunctionArn",
            &key,
            get_att(&ids.function, "Arn", &key),
        );
        match attr(body, "authorization_type") {
            Some((k, v)) => {
                let t = ctx.conv(v);
                u.set("AuthType", k, t);
            }
            // The module's default.
            None => u.set("AuthType", &key, str_at("NONE", &key)),
        }
        if let Some((k, v)) = attr(body, "cors") {
            let c = cors(ctx, v);
            u.set("Cors", k, c);
        }
        ctx.push(u);
    }

    if !flag(body, "use_existing_cloudwatch_log_group", false) {
        let mut g = Out::with_id(res, &ids.log_group, "AWS::Logs::LogGroup");
        let name = match &fname {
            Some(n) if n.tag.is_none() && n.as_str().is_some() => str_at(
                &format!("/aws/lambda/{}", n.as_str().unwrap_or_default()),
                n,
            ),
            _ => join(
                vec![str_at("/aws/lambda/", &head), ref_at(&ids.function, &head)],
                &head,
            ),
        };
        g.set("LogGroupName", &head, name);
        for (tf, cfn) in [
            ("cloudwatch_logs_retention_in_days", "RetentionInDays"),
            ("cloudwatch_logs_kms_key_id", "KmsKeyId"),
        ] {
            if let Some((k, v)) = attr(body, tf)
                && lit_i64(v) != Some(0)
            {
                let value = ctx.conv(v);
                g.set(cfn, k, value);
            }
        }
        ctx.push(g);
    }

    for (k, t) in map_entries(body, "allowed_triggers") {
        let Some(name) = k.as_str() else { continue };
        let id = format!(
            "{}.aws_lambda_permission.unqualified_alias_triggers[\"{name}\"]",
            res.address
        );
        let mut p = Out::with_id(res, &id, "AWS::Lambda::Permission");
        p.set("FunctionName", k, ref_at(&ids.function, k));
        match attr(t, "action") {
            Some((ak, av)) => {
                let a = ctx.conv(av);
                p.set("Action", ak, a);
            }
            None => p.set("Action", k, str_at("lambda:InvokeFunction", k)),
        }
        if let Some((pk, pv)) = attr(t, "principal") {
            let v = ctx.conv(pv);
            p.set("Principal", pk, v);
        } else if let Some((sk, sv)) = attr(t, "service") {
            let principal = match lit_str(sv) {
                Some(s) => str_at(&format!("{s}.amazonaws.com"), sv),
                None => ctx.conv(sv),
            };
            p.set("Principal", sk, principal);
        }
        for (tf, cfn) in [
            ("source_arn", "SourceArn"),
            ("source_account", "SourceAccount"),
            ("principal_org_id", "PrincipalOrgID"),
        ] {
            if let Some((xk, xv)) = attr(t, tf) {
                let v = ctx.conv(xv);
                p.set(cfn, xk, v);
            }
        }
        ctx.push(p);
    }

    for (k, m) in map_entries(body, "event_source_mapping") {
        let Some(name) = k.as_str() else { continue };
        let id = format!(
            "{}.aws_lambda_event_source_mapping.this[\"{name}\"]",
            res.address
        );
        let mut e = Out::with_id(res, &id, "AWS::Lambda::EventSourceMapping");
        e.set("FunctionName", k, ref_at(&ids.function, k));
        for (tf, cfn) in [
            ("event_source_arn", "EventSourceArn"),
            ("batch_size", "BatchSize"),
            ("starting_position", "StartingPosition"),
        ] {
            if let Some((xk, xv)) = attr(m, tf) {
                let v = ctx.conv(xv);
                e.set(cfn, xk, v);
            }
        }
        ctx.push(e);
    }
}

/// The package: an image, an existing package (local or S3), or `source_path`.
fn code<'a>(ctx: &mut Ctx<'a>, res: &'a TfResource) -> Option<(Node, Node)> {
    let body = &res.body;
    if let Some((k, v)) = attr(body, "image_uri") {
        let uri = ctx.conv(v);
        return Some((k.clone(), map_at(vec![entry("ImageUri", k, uri)], v)));
    }
    if let Some((k, v)) = attr(body, "s3_existing_package") {
        let mut e = Vec::new();
        for (tf, cfn) in [("bucket", "S3Bucket"), ("key", "S3Key")] {
            if let Some((xk, xv)) = attr(v, tf) {
                e.push(entry(cfn, xk, ctx.conv(xv)));
            }
        }
        return Some((k.clone(), map_at(e, v)));
    }
    if let Some((k, v)) = attr(body, "local_existing_package") {
        return Some((k.clone(), local_code(ctx, v, &res.module_dir)));
    }
    let (k, v) = attr(body, "source_path")?;
    // A string, or a list of strings or of `{path = ...}` objects: the first names the
    // function's own sources.
    let first = match v.as_seq() {
        Some(items) if v.tag.is_none() => items.first()?,
        _ => v,
    };
    let path = match first.get("path") {
        Some(p) => p,
        None => first,
    };
    let node = match lit_str(path) {
        Some(p) => str_at(&join_path(&res.module_dir, p), path),
        None => ctx.conv(path),
    };
    Some((k.clone(), node))
}

/// The role the module creates, with the policies its `attach_*` inputs ask for.
fn role<'a>(
    ctx: &mut Ctx<'a>,
    res: &'a TfResource,
    ids: &Ids,
    head: &Node,
    fname: Option<Node>,
) -> Out {
    let body = &res.body;
    let mut r = Out::with_id(res, &ids.role, "AWS::IAM::Role");
    match attr(body, "role_name") {
        Some((k, v)) => {
            let n = ctx.conv(v);
            r.set("RoleName", k, n);
        }
        None => {
            if let Some(n) = fname.clone() {
                r.set("RoleName", head, n);
            }
        }
    }
    let mut services = vec![str_at("lambda.amazonaws.com", head)];
    if let Some((_, v)) = attr(body, "trusted_entities")
        && let Some(items) = v.as_seq()
    {
        services.extend(
            items
                .iter()
                .filter(|i| lit_str(i).is_some())
                .map(|i| ctx.conv(i)),
        );
    }
    let trust = map_at(
        vec![
            entry("Effect", head, str_at("Allow", head)),
            entry(
                "Principal",
                head,
                map_at(vec![entry("Service", head, seq_at(services, head))], head),
            ),
            entry("Action", head, str_at("sts:AssumeRole", head)),
        ],
        head,
    );
    r.set(
        "AssumeRolePolicyDocument",
        head,
        document(vec![trust], head),
    );

    let mut policies = Vec::new();
    let mut push_policy = |name: &str, at: &Node, doc: Node| {
        policies.push(map_at(
            vec![
                entry("PolicyName", at, str_at(name, at)),
                entry("PolicyDocument", at, doc),
            ],
            at,
        ));
    };
    if flag(body, "attach_cloudwatch_logs_policy", true) {
        let group = match &fname {
            Some(n) => n.clone(),
            None => ref_at(&ids.function, head),
        };
        let arn = |suffix: &str| {
            join(
                vec![
                    str_at("arn:", head),
                    pseudo("AWS::Partition", head),
                    str_at(":logs:", head),
                    pseudo("AWS::Region", head),
                    str_at(":", head),
                    pseudo("AWS::AccountId", head),
                    str_at(":log-group:/aws/lambda/", head),
                    group.clone(),
                    str_at(suffix, head),
                ],
                head,
            )
        };
        let st = map_at(
            vec![
                entry("Effect", head, str_at("Allow", head)),
                entry(
                    "Action",
                    head,
                    seq_at(
                        vec![
                            str_at("logs:CreateLogGroup", head),
                            str_at("logs:CreateLogStream", head),
                            str_at("logs:PutLogEvents", head),
                        ],
                        head,
                    ),
                ),
                entry("Resource", head, seq_at(vec![arn(":*"), arn(":*:*")], head)),
            ],
            head,
        );
        push_policy("logs", head, document(vec![st], head));
    }
    if flag(body, "attach_dead_letter_policy", false)
        && let Some((k, v)) = attr(body, "dead_letter_target_arn")
    {
        let target = ctx.conv(v);
        let st = map_at(
            vec![
                entry("Effect", k, str_at("Allow", k)),
                entry(
                    "Action",
                    k,
                    seq_at(
                        vec![str_at("sns:Publish", k), str_at("sqs:SendMessage", k)],
                        k,
                    ),
                ),
                entry("Resource", k, target),
            ],
            k,
        );
        push_policy("dead-letter", k, document(vec![st], k));
    }
    if flag(body, "attach_policy_statements", false)
        && let Some((k, v)) = attr(body, "policy_statements")
    {
        let mut stmts = Vec::new();
        for (sid, st) in map_entries(body, "policy_statements") {
            stmts.push(statement(ctx, st, Some(sid)));
        }
        push_policy("policy_statements", k, document(stmts, v));
    }
    if flag(body, "attach_policy_json", false)
        && let Some((k, v)) = attr(body, "policy_json")
    {
        let doc = ctx.conv_json(v);
        push_policy("policy_json", k, doc);
    }
    if flag(body, "attach_policy_jsons", false)
        && let Some((k, v)) = attr(body, "policy_jsons")
        && let Some(items) = v.as_seq()
    {
        for (i, item) in items.iter().enumerate() {
            let doc = ctx.conv_json(item);
            push_policy(&format!("policy_jsons[{i}]"), k, doc);
        }
    }
    if !policies.is_empty() {
        r.set("Policies", head, seq_at(policies, head));
    }

    let mut managed = Vec::new();
    if flag(body, "attach_policies", false)
        && let Some((_, v)) = attr(body, "policies")
    {
        match v.as_seq() {
            Some(items) if v.tag.is_none() => managed.extend(items.iter().map(|i| ctx.conv(i))),
            _ => managed.push(ctx.conv(v)),
        }
    }
    if flag(body, "attach_policy", false)
        && let Some((_, v)) = attr(body, "policy")
    {
        managed.push(ctx.conv(v));
    }
    for (input, arn) in [
        (
            "attach_tracing_policy",
            "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess",
        ),
        (
            "attach_network_policy",
            "arn:aws:iam::aws:policy/service-role/AWSLambdaENIManagementAccess",
        ),
    ] {
        if flag(body, input, false) {
            let at = body.entry(input).map_or(head.clone(), |(k, _)| k.clone());
            managed.push(str_at(arn, &at));
        }
    }
    if !managed.is_empty() {
        r.set("ManagedPolicyArns", head, seq_at(managed, head));
    }
    if let Some((k, v)) = attr(body, "role_permissions_boundary") {
        let b = ctx.conv(v);
        r.set("PermissionsBoundary", k, b);
    }
    r
}

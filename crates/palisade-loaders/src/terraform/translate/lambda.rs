//! Lambda: functions (with the folder of their code), permissions, URLs, event source
//! mappings, asynchronous invocation settings, aliases and layers.

use super::nodes::{
    attr, block, entry, join_path, lit_i64, lit_str, map_at, parent_path, ref_at, str_at,
};
use super::{Ctx, Mode, Out, TfResource};
use crate::yaml::Node;

pub(super) fn primary<'a>(ctx: &mut Ctx<'a>, res: &'a TfResource) -> bool {
    let body = &res.body;
    let out = match res.type_name.as_str() {
        "aws_lambda_function" => function(ctx, res),
        "aws_lambda_permission" => {
            let mut out = Out::of(res, "AWS::Lambda::Permission");
            copy(
                ctx,
                &mut out,
                body,
                &[
                    ("function_name", "FunctionName"),
                    ("action", "Action"),
                    ("principal", "Principal"),
                    ("source_arn", "SourceArn"),
                    ("source_account", "SourceAccount"),
                    ("principal_org_id", "PrincipalOrgID"),
                    ("function_url_auth_type", "FunctionUrlAuthType"),
                    ("event_source_token", "EventSourceToken"),
                ],
            );
            out
        }
        "aws_lambda_function_url" => {
            let mut out = Out::of(res, "AWS::Lambda::Url");
            copy(
                ctx,
                &mut out,
                body,
                &[
                    ("function_name", "TargetFunctionArn"),
                    ("authorization_type", "AuthType"),
                    ("qualifier", "Qualifier"),
                    ("invoke_mode", "InvokeMode"),
                ],
            );
            if let Some(c) = block(body, "cors") {
                let cors = cors(ctx, c);
                out.set("Cors", c, cors);
            }
            out
        }
        "aws_lambda_event_source_mapping" => {
            let mut out = Out::of(res, "AWS::Lambda::EventSourceMapping");
            copy(
                ctx,
                &mut out,
                body,
                &[
                    ("function_name", "FunctionName"),
                    ("event_source_arn", "EventSourceArn"),
                    ("batch_size", "BatchSize"),
                    ("enabled", "Enabled"),
                    ("starting_position", "StartingPosition"),
                ],
            );
            if let Some(s) = block(body, "self_managed_event_source") {
                let v = ctx.conv(s);
                out.set("SelfManagedEventSource", s, v);
            }
            out
        }
        "aws_lambda_function_event_invoke_config" => {
            let mut out = Out::of(res, "AWS::Lambda::EventInvokeConfig");
            copy(
                ctx,
                &mut out,
                body,
                &[
                    ("function_name", "FunctionName"),
                    ("qualifier", "Qualifier"),
                    ("maximum_retry_attempts", "MaximumRetryAttempts"),
                    ("maximum_event_age_in_seconds", "MaximumEventAgeInSeconds"),
                ],
            );
            if let Some(d) = block(body, "destination_config") {
                let mut e = Vec::new();
                for (tf, cfn) in [("on_failure", "OnFailure"), ("on_success", "OnSuccess")] {
                    if let Some(b) = block(d, tf)
                        && let Some((k, v)) = attr(b, "destination")
                    {
                        let dest = map_at(vec![entry("Destination", k, ctx.conv(v))], b);
                        e.push(entry(cfn, b, dest));
                    }
                }
                out.set("DestinationConfig", d, map_at(e, d));
            }
            out
        }
        "aws_lambda_alias" => {
            let mut out = Out::of(res, "AWS::Lambda::Alias");
            copy(
                ctx,
                &mut out,
                body,
                &[
                    ("function_name", "FunctionName"),
                    ("name", "Name"),
                    ("function_version", "FunctionVersion"),
                ],
            );
            out
        }
        "aws_lambda_layer_version" => {
            let mut out = Out::of(res, "AWS::Lambda::LayerVersion");
            copy(
                ctx,
                &mut out,
                body,
                &[
                    ("layer_name", "LayerName"),
                    ("compatible_runtimes", "CompatibleRuntimes"),
                ],
            );
            // The layer's content, like a function's code, so that what it ships is audited.
            if let Some((k, content)) = code(ctx, res) {
                out.set("Content", &k, content);
            }
            out
        }
        "aws_lambda_layer_version_permission" => {
            let mut out = Out::of(res, "AWS::Lambda::LayerVersionPermission");
            copy(
                ctx,
                &mut out,
                body,
                &[
                    ("layer_name", "LayerVersionArn"),
                    ("action", "Action"),
                    ("principal", "Principal"),
                    ("organization_id", "OrganizationId"),
                ],
            );
            out
        }
        _ => return false,
    };
    ctx.push(out);
    true
}

/// Copy attributes that map one to one. A function named by its literal name (a state
/// records names, not references) is a reference to that function.
pub(super) fn copy(ctx: &mut Ctx<'_>, out: &mut Out, body: &Node, pairs: &[(&str, &str)]) {
    for (tf, cfn) in pairs {
        if let Some((k, v)) = attr(body, tf) {
            let by_name = if out.cfn_type == "AWS::Lambda::Function" {
                None
            } else {
                function_by_name(ctx, tf, v)
            };
            let value = match by_name {
                Some(id) => ref_at(&id, v),
                None => ctx.conv(v),
            };
            out.set(cfn, k, value);
        }
    }
}

fn function_by_name(ctx: &Ctx<'_>, attr_name: &str, v: &Node) -> Option<String> {
    if attr_name != "function_name" {
        return None;
    }
    let name = lit_str(v)?;
    ctx.by_address
        .values()
        .find(|r| {
            r.mode == Mode::Managed
                && r.type_name == "aws_lambda_function"
                && ctx.declared.contains_key(&r.address)
                && r.body.get("function_name").and_then(lit_str) == Some(name)
        })
        .map(|r| r.address.clone())
}

/// A `cors` block (function URLs and HTTP APIs share the shape).
pub(super) fn cors(ctx: &mut Ctx<'_>, c: &Node) -> Node {
    let mut e = Vec::new();
    for (tf, cfn) in [
        ("allow_origins", "AllowOrigins"),
        ("allow_credentials", "AllowCredentials"),
        ("allow_methods", "AllowMethods"),
        ("allow_headers", "AllowHeaders"),
        ("expose_headers", "ExposeHeaders"),
        ("max_age", "MaxAge"),
    ] {
        if let Some((k, v)) = attr(c, tf) {
            e.push(entry(cfn, k, ctx.conv(v)));
        }
    }
    map_at(e, c)
}

fn function<'a>(ctx: &mut Ctx<'a>, res: &'a TfResource) -> Out {
    let body = &res.body;
    let mut out = Out::of(res, "AWS::Lambda::Function");
    copy(
        ctx,
        &mut out,
        body,
        &[
            ("function_name", "FunctionName"),
            ("handler", "Handler"),
            ("runtime", "Runtime"),
            ("role", "Role"),
            ("timeout", "Timeout"),
            ("memory_size", "MemorySize"),
            ("kms_key_arn", "KmsKeyArn"),
            ("layers", "Layers"),
            ("architectures", "Architectures"),
            ("package_type", "PackageType"),
            ("code_signing_config_arn", "CodeSigningConfigArn"),
        ],
    );
    // `-1` is Terraform's "no reserved concurrency".
    if let Some((k, v)) = attr(body, "reserved_concurrent_executions")
        && lit_i64(v).is_none_or(|n| n >= 0)
    {
        let value = ctx.conv(v);
        out.set("ReservedConcurrentExecutions", k, value);
    }
    if let Some(env) = block(body, "environment")
        && let Some((k, v)) = attr(env, "variables")
    {
        let vars = ctx.conv(v);
        out.set(
            "Environment",
            env,
            map_at(vec![entry("Variables", k, vars)], env),
        );
    }
    if let Some(vpc) = block(body, "vpc_config") {
        let mut e = Vec::new();
        for (tf, cfn) in [
            ("subnet_ids", "SubnetIds"),
            ("security_group_ids", "SecurityGroupIds"),
        ] {
            if let Some((k, v)) = attr(vpc, tf) {
                e.push(entry(cfn, k, ctx.conv(v)));
            }
        }
        out.set("VpcConfig", vpc, map_at(e, vpc));
    }
    for (tf, inner_tf, cfn, inner) in [
        ("tracing_config", "mode", "TracingConfig", "Mode"),
        (
            "dead_letter_config",
            "target_arn",
            "DeadLetterConfig",
            "TargetArn",
        ),
        ("ephemeral_storage", "size", "EphemeralStorage", "Size"),
        ("logging_config", "log_group", "LoggingConfig", "LogGroup"),
    ] {
        if let Some(b) = block(body, tf)
            && let Some((k, v)) = attr(b, inner_tf)
        {
            let value = map_at(vec![entry(inner, k, ctx.conv(v))], b);
            out.set(cfn, b, value);
        }
    }
    if let Some((k, code)) = code(ctx, res) {
        out.set("Code", &k, code);
    }
    out
}

/// The function's `Code`: an image, an S3 object, or the local folder of its sources.
fn code<'a>(ctx: &mut Ctx<'a>, res: &'a TfResource) -> Option<(Node, Node)> {
    let body = &res.body;
    if let Some((k, v)) = attr(body, "image_uri") {
        let uri = ctx.conv(v);
        return Some((k.clone(), map_at(vec![entry("ImageUri", k, uri)], v)));
    }
    if let (Some((bk, bv)), Some((kk, kv))) = (attr(body, "s3_bucket"), attr(body, "s3_key")) {
        let b = ctx.conv(bv);
        let key = ctx.conv(kv);
        return Some((
            bk.clone(),
            map_at(vec![entry("S3Bucket", bk, b), entry("S3Key", kk, key)], bk),
        ));
    }
    let (k, v) = attr(body, "filename")?;
    Some((k.clone(), local_code(ctx, v, &res.module_dir)))
}

/// A package path: the sources an `archive_file` data source zips when the package is its
/// output, else the path itself (relative to the root module's folder).
pub(super) fn local_code(ctx: &mut Ctx<'_>, v: &Node, module_dir: &str) -> Node {
    if v.tag.as_deref() == Some("TfRef")
        && let Some((target, _)) = v.as_str().and_then(|s| ctx.split_address(s))
        && target.mode == Mode::Data
        && target.type_name == "archive_file"
        && let Some(src) = archive_source(target)
    {
        return str_at(&src, v);
    }
    if let Some(path) = lit_str(v) {
        let full = join_path(module_dir, path);
        let archive = ctx.by_address.values().find(|r| {
            r.mode == Mode::Data
                && r.type_name == "archive_file"
                && r.body
                    .get("output_path")
                    .and_then(lit_str)
                    .is_some_and(|o| join_path(&r.module_dir, o) == full)
        });
        let src = archive.and_then(|a| archive_source(a)).unwrap_or(full);
        return str_at(&src, v);
    }
    ctx.conv(v)
}

/// The folder an `archive_file` zips (`source_dir`, or the folder of `source_file`).
fn archive_source(a: &TfResource) -> Option<String> {
    if let Some(dir) = a.body.get("source_dir").and_then(lit_str) {
        return Some(join_path(&a.module_dir, dir));
    }
    let file = a.body.get("source_file").and_then(lit_str)?;
    Some(parent_path(&join_path(&a.module_dir, file)))
}

//! Function properties shared by `AWS::Lambda::Function` and `AWS::Serverless::Function`
//! (the SAM spelling differs for a few of them).

use palisade_model::{
    Code, Destination, DestinationKind, EnvVar, Function, FunctionUrl, PackageType, Prop, RoleRef,
    Text, Tracing, Value, VpcConfig,
};

use super::{Builder, Res};
use crate::yaml::Node;

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flavor {
    Lambda,
    Sam,
}

/// Read the properties both flavours share; `props` are the (globals-merged) properties.
pub(crate) fn read(
    b: &Builder<'_>,
    res: &Res<'_>,
    props: Option<&Node>,
    flavor: Flavor,
) -> Function {
    let mut f = Function::new(res.id, res.type_name, b.res_span(res));
    f.condition = res.condition.clone();
    f.suppressions = res.suppressions.clone();
    f.name = b.text(props, "FunctionName");
    f.runtime = b.string(props, "Runtime");
    f.handler = b.string(props, "Handler");
    if let Some(archs) = b.value(props, "Architectures") {
        f.architectures = archs
            .one_or_many()
            .into_iter()
            .map(|a| Prop::from_value(a, |v| v.as_str().map(str::to_string)))
            .collect();
    }
    if b.string(props, "PackageType")
        .and_then(|p| p.get().cloned())
        .is_some_and(|p| p.eq_ignore_ascii_case("Image"))
    {
        f.package_type = PackageType::Image;
    }
    f.timeout = b.number(props, "Timeout");
    f.memory = b.number(props, "MemorySize");
    f.ephemeral_storage = b
        .block(props, "EphemeralStorage")
        .and_then(|e| b.number(Some(&e), "Size"));
    read_environment(b, props, &mut f);
    f.layers = b
        .value(props, "Layers")
        .map(|v| {
            v.one_or_many()
                .into_iter()
                .map(Prop::from_text_value)
                .collect()
        })
        .unwrap_or_default();
    f.reserved_concurrency = b.number(props, "ReservedConcurrentExecutions");
    f.code_signing = b.text(props, "CodeSigningConfigArn");
    f.kms_key = b.text(props, "KmsKeyArn");
    f.logging_config_group = b
        .block(props, "LoggingConfig")
        .and_then(|l| b.text(Some(&l), "LogGroup"));
    if let Some(vpc) = b.block(props, "VpcConfig") {
        let vpc_value = b.r.resolve(&vpc);
        let list = |key: &str| {
            vpc_value
                .get(key)
                .map(|v| v.one_or_many().into_iter().cloned().collect())
                .unwrap_or_default()
        };
        f.vpc = Some(VpcConfig {
            security_groups: list("SecurityGroupIds"),
            subnets: list("SubnetIds"),
            span: b.span(&vpc),
        });
    }

    match flavor {
        Flavor::Lambda => {
            f.code = lambda_code(b, props.and_then(|p| p.get("Code")));
            f.tracing = b
                .block(props, "TracingConfig")
                .and_then(|t| b.value(Some(&t), "Mode"))
                .map(|v| Prop::from_value(&v, tracing_mode));
            f.dead_letter = b
                .block(props, "DeadLetterConfig")
                .and_then(|d| b.value(Some(&d), "TargetArn"))
                .map(|target| destination_from_arn(b, target));
            f.role = role_ref(b, b.value(props, "Role"));
        }
        Flavor::Sam => {
            f.code = sam_code(b, props);
            f.tracing = b
                .value(props, "Tracing")
                .map(|v| Prop::from_value(&v, tracing_mode));
            if let Some(dlq) = b.block(props, "DeadLetterQueue") {
                let kind = b
                    .value(Some(&dlq), "Type")
                    .and_then(|t| t.as_str().map(str::to_ascii_uppercase));
                let target = b.value(Some(&dlq), "TargetArn");
                if let Some(target) = target {
                    f.dead_letter = Some(Destination {
                        kind: match kind.as_deref() {
                            Some("SQS") => DestinationKind::Sqs,
                            Some("SNS") => DestinationKind::Sns,
                            _ => kind_from_target(b, &target),
                        },
                        span: b.span(&dlq),
                        target,
                    });
                }
            }
            if let Some(cfg) = b.block(props, "EventInvokeConfig") {
                event_invoke_config(b, &cfg, &mut f);
            }
            f.provisioned_concurrency = b
                .block(props, "ProvisionedConcurrencyConfig")
                .and_then(|p| b.number(Some(&p), "ProvisionedConcurrentExecutions"));
            f.auto_publish_alias = b.text(props, "AutoPublishAlias");
            if let Some(url) = b.block(props, "FunctionUrlConfig") {
                f.url = Some(function_url(b, &url, None));
            }
            // The role is decided by the SAM reader (explicit or generated).
        }
    }
    f
}

fn read_environment(b: &Builder<'_>, props: Option<&Node>, f: &mut Function) {
    let Some(vars) = props
        .and_then(|p| p.get("Environment"))
        .and_then(|e| e.get("Variables"))
    else {
        return;
    };
    f.environment_span = Some(b.span(vars));
    let Some(entries) = vars.as_map() else {
        // `Variables: !If [...]` or similar: keep the block, with one unknown entry.
        return;
    };
    for (k, v) in entries {
        let Some(name) = k.as_str() else { continue };
        let Some(value) = b.r.resolve_opt(v) else {
            continue;
        };
        f.environment.push(EnvVar {
            name: name.to_string(),
            name_span: b.span(k),
            value,
        });
    }
}

fn tracing_mode(v: &Value) -> Option<Tracing> {
    match v.as_str()?.to_ascii_lowercase().as_str() {
        "active" => Some(Tracing::Active),
        "passthrough" => Some(Tracing::PassThrough),
        "disabled" => Some(Tracing::Disabled),
        _ => None,
    }
}

pub(crate) fn role_ref(b: &Builder<'_>, role: Option<Value>) -> RoleRef {
    let Some(role) = role else {
        return RoleRef::None;
    };
    if let Some(id) = b.referenced_id(&role)
        && b.type_of(&id) == Some("AWS::IAM::Role")
    {
        return RoleRef::Local(id);
    }
    RoleRef::External(Prop::from_text_value(&role))
}

pub(crate) fn lambda_code(b: &Builder<'_>, code: Option<&Node>) -> Code {
    let Some(code) = code else { return Code::None };
    let span = b.span(code);
    if let Some(zip) = code.get("ZipFile") {
        let v = b.r.resolve(zip);
        return match v.as_str() {
            Some(source) => Code::Inline {
                source: source.to_string(),
                span: b.span(zip),
            },
            None => Code::Unknown {
                expr: v.render(),
                span,
            },
        };
    }
    if let Some(image) = b.text(Some(code), "ImageUri") {
        return Code::Image {
            uri: image.get().cloned().unwrap_or_default(),
            span,
        };
    }
    let bucket = b.value(Some(code), "S3Bucket");
    let key = b.value(Some(code), "S3Key");
    if let (Some(bucket), Some(key)) = (bucket, key) {
        let mut location = Text::lit("s3://");
        location.extend(bucket.to_text().unwrap_or_default());
        location.push(palisade_model::Segment::Lit("/".into()));
        location.extend(key.to_text().unwrap_or_default());
        return Code::S3 { location, span };
    }
    // `aws cloudformation package` input: a local path in `Code`.
    let v = b.r.resolve(code);
    match v.as_str() {
        Some(path) => Code::Local {
            path: path.to_string(),
            span,
        },
        None => Code::Unknown {
            expr: v.render(),
            span,
        },
    }
}

fn sam_code(b: &Builder<'_>, props: Option<&Node>) -> Code {
    sam_uri(b, props, "CodeUri")
}

/// A SAM `CodeUri` or `ContentUri`: a local path, an `s3://` URI or `{Bucket, Key}`.
pub(crate) fn sam_uri(b: &Builder<'_>, props: Option<&Node>, key: &str) -> Code {
    if let Some(inline) = props.and_then(|p| p.get("InlineCode")) {
        let v = b.r.resolve(inline);
        return match v.as_str() {
            Some(source) => Code::Inline {
                source: source.to_string(),
                span: b.span(inline),
            },
            None => Code::Unknown {
                expr: v.render(),
                span: b.span(inline),
            },
        };
    }
    if let Some(image) = props.and_then(|p| p.get("ImageUri")) {
        let v = b.r.resolve(image);
        return Code::Image {
            uri: v.to_text().unwrap_or_default(),
            span: b.span(image),
        };
    }
    let Some(uri) = props.and_then(|p| p.get(key)) else {
        return Code::None;
    };
    let span = b.span(uri);
    let v = b.r.resolve(uri);
    if let Some(s) = v.as_str() {
        if s.starts_with("s3://") {
            return Code::S3 {
                location: Text::lit(s),
                span,
            };
        }
        return Code::Local {
            path: s.to_string(),
            span,
        };
    }
    if let (Some(bucket), Some(key)) = (v.get("Bucket"), v.get("Key")) {
        let mut location = Text::lit("s3://");
        location.extend(bucket.to_text().unwrap_or_default());
        location.push(palisade_model::Segment::Lit("/".into()));
        location.extend(key.to_text().unwrap_or_default());
        return Code::S3 { location, span };
    }
    Code::Unknown {
        expr: v.render(),
        span,
    }
}

/// Classify a destination from its ARN or the type of the resource it references.
pub(crate) fn kind_from_target(b: &Builder<'_>, target: &Value) -> DestinationKind {
    if let Some(id) = b.referenced_id(target) {
        return match b.type_of(&id) {
            Some("AWS::SQS::Queue") => DestinationKind::Sqs,
            Some("AWS::SNS::Topic") => DestinationKind::Sns,
            Some("AWS::Lambda::Function" | "AWS::Serverless::Function") => DestinationKind::Lambda,
            Some("AWS::Events::EventBus") => DestinationKind::EventBridge,
            Some("AWS::S3::Bucket") => DestinationKind::S3,
            _ => DestinationKind::Unknown,
        };
    }
    let rendered = target.render();
    let service = rendered.split(':').nth(2).unwrap_or("");
    match service {
        "sqs" => DestinationKind::Sqs,
        "sns" => DestinationKind::Sns,
        "lambda" => DestinationKind::Lambda,
        "events" => DestinationKind::EventBridge,
        "s3" => DestinationKind::S3,
        _ => DestinationKind::Unknown,
    }
}

fn destination_from_arn(b: &Builder<'_>, target: Value) -> Destination {
    Destination {
        kind: kind_from_target(b, &target),
        span: target.span,
        target,
    }
}

/// `EventInvokeConfig` (SAM) and `AWS::Lambda::EventInvokeConfig` share their shape.
pub(crate) fn event_invoke_config(b: &Builder<'_>, cfg: &Node, f: &mut Function) {
    f.max_retry_attempts = b.number(Some(cfg), "MaximumRetryAttempts");
    let Some(dest) = cfg.get("DestinationConfig") else {
        return;
    };
    for (key, slot) in [
        ("OnFailure", &mut f.on_failure),
        ("OnSuccess", &mut f.on_success),
    ] {
        let Some(node) = dest.get(key) else { continue };
        let declared = b
            .value(Some(node), "Type")
            .and_then(|t| t.as_str().map(str::to_ascii_uppercase));
        // SAM creates the queue or topic itself when only the `Type` is given.
        let target = match (b.value(Some(node), "Destination"), declared.as_deref()) {
            (Some(t), _) => t,
            (None, Some(kind @ ("SQS" | "SNS"))) => Value::new(
                palisade_model::ValueKind::Unknown(format!("{kind} destination created by SAM")),
                b.span(node),
            ),
            (None, _) => continue,
        };
        let kind = match declared.as_deref() {
            Some("SQS") => DestinationKind::Sqs,
            Some("SNS") => DestinationKind::Sns,
            Some("LAMBDA") => DestinationKind::Lambda,
            Some("EVENTBRIDGE") => DestinationKind::EventBridge,
            Some("S3BUCKET") => DestinationKind::S3,
            _ => kind_from_target(b, &target),
        };
        *slot = Some(Destination {
            kind,
            target,
            span: b.span(node),
        });
    }
}

/// `FunctionUrlConfig` (SAM) and `AWS::Lambda::Url` properties.
pub(crate) fn function_url(b: &Builder<'_>, node: &Node, resource: Option<&str>) -> FunctionUrl {
    let auth_type = b.string(Some(node), "AuthType").unwrap_or(Prop {
        value: palisade_model::Resolved::Unknown("no AuthType".into()),
        span: b.span(node),
    });
    FunctionUrl {
        auth_type,
        cors: node.get("Cors").map(|c| cors_v2(b, c)),
        span: b.span(node),
        resource: resource.map(str::to_string),
        condition: None,
    }
}

/// CORS in the HTTP API / function URL shape (`AllowOrigins` list, `AllowCredentials`).
pub(crate) fn cors_v2(b: &Builder<'_>, node: &Node) -> palisade_model::Cors {
    let origins = b
        .value(Some(node), "AllowOrigins")
        .map(|v| {
            v.one_or_many()
                .into_iter()
                .map(Prop::from_text_value)
                .collect()
        })
        .unwrap_or_default();
    palisade_model::Cors {
        allow_origins: origins,
        allow_credentials: b.boolean(Some(node), "AllowCredentials"),
        span: b.span(node),
    }
}

/// `AWS::Lambda::Function`.
pub(crate) fn lambda_function(b: &mut Builder<'_>, res: &Res<'_>) {
    let f = read(b, res, res.props, Flavor::Lambda);
    b.app.functions.push(f);
}

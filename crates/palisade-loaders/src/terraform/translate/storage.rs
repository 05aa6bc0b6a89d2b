//! Buckets (with their ACL, public access block, encryption, versioning, logging and
//! notifications folded in), queues, topics, tables, log groups, keys, secrets, parameters,
//! WAF associations and EventBridge rules (with their targets folded in).

use super::lambda::copy;
use super::nodes::{
    attr, block, blocks, entry, lit_bool, lit_i64, lit_str, map_at, node, ref_at, seq_at, str_at,
};
use super::values::pascal;
use super::{Ctx, Out, TfResource};
use crate::yaml::{Node, NodeKind};

pub(super) fn primary<'a>(ctx: &mut Ctx<'a>, res: &'a TfResource) -> bool {
    let body = &res.body;
    let out = match res.type_name.as_str() {
        "aws_s3_bucket" => bucket(ctx, res),
        "aws_s3_bucket_policy" => {
            let mut out = Out::of(res, "AWS::S3::BucketPolicy");
            copy(ctx, &mut out, body, &[("bucket", "Bucket")]);
            policy(ctx, &mut out, body, "policy");
            out
        }
        "aws_sqs_queue" => {
            let mut out = Out::of(res, "AWS::SQS::Queue");
            copy(
                ctx,
                &mut out,
                body,
                &[
                    ("name", "QueueName"),
                    ("visibility_timeout_seconds", "VisibilityTimeout"),
                    ("sqs_managed_sse_enabled", "SqsManagedSseEnabled"),
                    ("kms_master_key_id", "KmsMasterKeyId"),
                    ("fifo_queue", "FifoQueue"),
                    ("message_retention_seconds", "MessageRetentionPeriod"),
                ],
            );
            if let Some((k, v)) = attr(body, "redrive_policy") {
                let doc = ctx.conv_json(v);
                out.set("RedrivePolicy", k, doc);
            }
            if let Some((k, v)) = attr(body, "policy") {
                // An inline queue policy: the policy resource CloudFormation would declare.
                let doc = ctx.conv_json(v);
                ctx.push(side_policy(
                    res,
                    "AWS::SQS::QueuePolicy",
                    "Queues",
                    true,
                    k,
                    doc,
                ));
            }
            out
        }
        "aws_sqs_queue_policy" => {
            let mut out = Out::of(res, "AWS::SQS::QueuePolicy");
            if let Some((k, v)) = attr(body, "queue_url") {
                let q = ctx.conv(v);
                out.set("Queues", k, seq_at(vec![q], v));
            }
            policy(ctx, &mut out, body, "policy");
            out
        }
        "aws_sns_topic" => {
            let mut out = Out::of(res, "AWS::SNS::Topic");
            copy(
                ctx,
                &mut out,
                body,
                &[
                    ("name", "TopicName"),
                    ("kms_master_key_id", "KmsMasterKeyId"),
                    ("fifo_topic", "FifoTopic"),
                ],
            );
            if let Some((k, v)) = attr(body, "policy") {
                let doc = ctx.conv_json(v);
                ctx.push(side_policy(
                    res,
                    "AWS::SNS::TopicPolicy",
                    "Topics",
                    true,
                    k,
                    doc,
                ));
            }
            out
        }
        "aws_sns_topic_subscription" => {
            let mut out = Out::of(res, "AWS::SNS::Subscription");
            copy(
                ctx,
                &mut out,
                body,
                &[
                    ("topic_arn", "TopicArn"),
                    ("protocol", "Protocol"),
                    ("endpoint", "Endpoint"),
                    ("filter_policy", "FilterPolicy"),
                ],
            );
            out
        }
        "aws_sns_topic_policy" => {
            let mut out = Out::of(res, "AWS::SNS::TopicPolicy");
            if let Some((k, v)) = attr(body, "arn") {
                let t = ctx.conv(v);
                out.set("Topics", k, seq_at(vec![t], v));
            }
            policy(ctx, &mut out, body, "policy");
            out
        }
        "aws_dynamodb_table" => table(ctx, res),
        "aws_cloudwatch_log_group" => {
            let mut out = Out::of(res, "AWS::Logs::LogGroup");
            copy(
                ctx,
                &mut out,
                body,
                &[("name", "LogGroupName"), ("kms_key_id", "KmsKeyId")],
            );
            // `0` is Terraform's "never expire".
            if let Some((k, v)) = attr(body, "retention_in_days")
                && lit_i64(v) != Some(0)
            {
                let value = ctx.conv(v);
                out.set("RetentionInDays", k, value);
            }
            out
        }
        "aws_wafv2_web_acl_association" | "aws_wafregional_web_acl_association" => {
            let mut out = Out::of(res, "AWS::WAFv2::WebACLAssociation");
            copy(
                ctx,
                &mut out,
                body,
                &[
                    ("resource_arn", "ResourceArn"),
                    ("web_acl_arn", "WebACLArn"),
                    ("web_acl_id", "WebACLArn"),
                ],
            );
            out
        }
        "aws_kms_key" => {
            let mut out = Out::of(res, "AWS::KMS::Key");
            copy(
                ctx,
                &mut out,
                body,
                &[
                    ("enable_key_rotation", "EnableKeyRotation"),
                    ("description", "Description"),
                ],
            );
            if let Some((k, v)) = attr(body, "policy") {
                let doc = ctx.conv_json(v);
                out.set("KeyPolicy", k, doc);
            }
            out
        }
        "aws_secretsmanager_secret" => {
            let mut out = Out::of(res, "AWS::SecretsManager::Secret");
            copy(
                ctx,
                &mut out,
                body,
                &[("name", "Name"), ("kms_key_id", "KmsKeyId")],
            );
            out
        }
        "aws_ssm_parameter" => {
            let mut out = Out::of(res, "AWS::SSM::Parameter");
            copy(
                ctx,
                &mut out,
                body,
                &[("name", "Name"), ("type", "Type"), ("value", "Value")],
            );
            out
        }
        "aws_kinesis_stream" => {
            let mut out = Out::of(res, "AWS::Kinesis::Stream");
            copy(ctx, &mut out, body, &[("name", "Name")]);
            if let Some((k, v)) = attr(body, "encryption_type")
                && lit_str(v) != Some("NONE")
            {
                let value = ctx.conv(v);
                out.set(
                    "StreamEncryption",
                    k,
                    map_at(vec![entry("EncryptionType", k, value)], v),
                );
            }
            out
        }
        "aws_sfn_state_machine" => {
            let mut out = Out::of(res, "AWS::StepFunctions::StateMachine");
            copy(
                ctx,
                &mut out,
                body,
                &[("name", "StateMachineName"), ("role_arn", "RoleArn")],
            );
            out
        }
        "aws_cloudwatch_event_rule" => {
            let mut out = Out::of(res, "AWS::Events::Rule");
            copy(
                ctx,
                &mut out,
                body,
                &[
                    ("name", "Name"),
                    ("schedule_expression", "ScheduleExpression"),
                    ("event_bus_name", "EventBusName"),
                    ("state", "State"),
                ],
            );
            if let Some((k, v)) = attr(body, "event_pattern") {
                let doc = ctx.conv_json(v);
                out.set("EventPattern", k, doc);
            }
            out
        }
        _ => return false,
    };
    ctx.push(out);
    true
}

/// `policy` attribute into `PolicyDocument`.
fn policy(ctx: &mut Ctx<'_>, out: &mut Out, body: &Node, name: &str) {
    if let Some((k, v)) = attr(body, name) {
        let doc = ctx.conv_json(v);
        out.set("PolicyDocument", k, doc);
    }
}

/// The policy resource standing for a policy written inline on a queue, topic or bucket.
fn side_policy(
    res: &TfResource,
    cfn_type: &str,
    target_key: &str,
    list: bool,
    key: &Node,
    doc: Node,
) -> Out {
    let mut out = Out::with_id(res, &format!("{}/policy", res.address), cfn_type);
    let target = ref_at(&res.address, key);
    let target = if list {
        seq_at(vec![target], key)
    } else {
        target
    };
    out.set(target_key, key, target);
    out.set("PolicyDocument", key, doc);
    out
}

/// `public-read` → `PublicRead` (canned ACLs as CloudFormation spells them).
fn canned_acl(v: &Node) -> Node {
    match lit_str(v) {
        Some(s) => str_at(&pascal(&s.replace('-', "_")), v),
        None => v.clone(),
    }
}

fn bucket<'a>(ctx: &mut Ctx<'a>, res: &'a TfResource) -> Out {
    let body = &res.body;
    let mut out = Out::of(res, "AWS::S3::Bucket");
    copy(ctx, &mut out, body, &[("bucket", "BucketName")]);
    if let Some((k, v)) = attr(body, "acl") {
        let acl = ctx.conv(v);
        out.set("AccessControl", k, canned_acl(&acl));
    }
    // Arguments of the AWS provider before v4, now resources of their own.
    if let Some(sse) = block(body, "server_side_encryption_configuration") {
        let v = encryption(ctx, sse);
        out.set("BucketEncryption", sse, v);
    }
    if let Some(ver) = block(body, "versioning")
        && let Some((k, v)) = attr(ver, "enabled")
    {
        let status = match lit_bool(v) {
            Some(true) => str_at("Enabled", v),
            Some(false) => str_at("Suspended", v),
            None => ctx.conv(v),
        };
        out.set(
            "VersioningConfiguration",
            ver,
            map_at(vec![entry("Status", k, status)], ver),
        );
    }
    if let Some(log) = block(body, "logging") {
        let v = logging(ctx, log);
        out.set("LoggingConfiguration", log, v);
    }
    if let Some((k, v)) = attr(body, "policy") {
        let doc = ctx.conv_json(v);
        ctx.push(side_policy(
            res,
            "AWS::S3::BucketPolicy",
            "Bucket",
            false,
            k,
            doc,
        ));
    }
    out
}

fn encryption(ctx: &mut Ctx<'_>, sse: &Node) -> Node {
    let mut rules = Vec::new();
    for rule in blocks(sse, "rule") {
        let mut e = Vec::new();
        if let Some(d) = block(rule, "apply_server_side_encryption_by_default") {
            let mut inner = Vec::new();
            for (tf, cfn) in [
                ("sse_algorithm", "SSEAlgorithm"),
                ("kms_master_key_id", "KMSMasterKeyID"),
            ] {
                if let Some((k, v)) = attr(d, tf) {
                    inner.push(entry(cfn, k, ctx.conv(v)));
                }
            }
            e.push(entry("ServerSideEncryptionByDefault", d, map_at(inner, d)));
        }
        if let Some((k, v)) = attr(rule, "bucket_key_enabled") {
            e.push(entry("BucketKeyEnabled", k, ctx.conv(v)));
        }
        rules.push(map_at(e, rule));
    }
    map_at(
        vec![entry(
            "ServerSideEncryptionConfiguration",
            sse,
            seq_at(rules, sse),
        )],
        sse,
    )
}

fn logging(ctx: &mut Ctx<'_>, log: &Node) -> Node {
    let mut e = Vec::new();
    for (tf, cfn) in [
        ("target_bucket", "DestinationBucketName"),
        ("target_prefix", "LogFilePrefix"),
    ] {
        if let Some((k, v)) = attr(log, tf) {
            e.push(entry(cfn, k, ctx.conv(v)));
        }
    }
    map_at(e, log)
}

fn table<'a>(ctx: &mut Ctx<'a>, res: &'a TfResource) -> Out {
    let body = &res.body;
    let mut out = Out::of(res, "AWS::DynamoDB::Table");
    copy(
        ctx,
        &mut out,
        body,
        &[("name", "TableName"), ("billing_mode", "BillingMode")],
    );
    if let Some(sse) = block(body, "server_side_encryption") {
        let mut e = Vec::new();
        if let Some((k, v)) = attr(sse, "enabled") {
            e.push(entry("SSEEnabled", k, ctx.conv(v)));
        }
        if let Some((k, v)) = attr(sse, "kms_key_arn") {
            e.push(entry("KMSMasterKeyId", k, ctx.conv(v)));
        }
        out.set("SSESpecification", sse, map_at(e, sse));
    }
    if let Some(p) = block(body, "point_in_time_recovery")
        && let Some((k, v)) = attr(p, "enabled")
    {
        let value = ctx.conv(v);
        out.set(
            "PointInTimeRecoverySpecification",
            p,
            map_at(vec![entry("PointInTimeRecoveryEnabled", k, value)], p),
        );
    }
    if let Some((k, v)) = attr(body, "stream_enabled")
        && lit_bool(v) != Some(false)
    {
        let view = match attr(body, "stream_view_type") {
            Some((vk, vv)) => entry("StreamViewType", vk, ctx.conv(vv)),
            None => entry("StreamViewType", k, str_at("NEW_AND_OLD_IMAGES", k)),
        };
        out.set("StreamSpecification", k, map_at(vec![view], k));
    }
    out
}

/// Resources that configure a bucket, an API or a rule declared elsewhere.
pub(super) fn fold<'a>(ctx: &mut Ctx<'a>, res: &'a TfResource) -> bool {
    let body = &res.body;
    let t = res.type_name.as_str();
    if t == "aws_cloudwatch_event_target" {
        event_target(ctx, res);
        return true;
    }
    if t == "aws_sqs_queue_redrive_policy" {
        if let Some(q) =
            attr(body, "queue_url").and_then(|(_, v)| ctx.target_of(v, "aws_sqs_queue", "url"))
            && let Some((k, v)) = attr(body, "redrive_policy")
        {
            let doc = ctx.conv_json(v);
            if let Some(out) = ctx.out_mut(&q) {
                out.set("RedrivePolicy", k, doc);
            }
        }
        return true;
    }
    if !t.starts_with("aws_s3_bucket_") {
        return false;
    }
    let Some(bucket) =
        attr(body, "bucket").and_then(|(_, v)| ctx.target_of(v, "aws_s3_bucket", "bucket"))
    else {
        return true;
    };
    let whole = res.body.clone();
    let (name, value): (&str, Node) = match t {
        "aws_s3_bucket_acl" => match attr(body, "acl") {
            Some((_, v)) => {
                let acl = ctx.conv(v);
                ("AccessControl", canned_acl(&acl))
            }
            None => return true,
        },
        "aws_s3_bucket_public_access_block" => {
            let mut e = Vec::new();
            for (tf, cfn) in [
                ("block_public_acls", "BlockPublicAcls"),
                ("ignore_public_acls", "IgnorePublicAcls"),
                ("block_public_policy", "BlockPublicPolicy"),
                ("restrict_public_buckets", "RestrictPublicBuckets"),
            ] {
                if let Some((k, v)) = attr(body, tf) {
                    e.push(entry(cfn, k, ctx.conv(v)));
                }
            }
            ("PublicAccessBlockConfiguration", map_at(e, body))
        }
        "aws_s3_bucket_server_side_encryption_configuration" => {
            ("BucketEncryption", encryption(ctx, body))
        }
        "aws_s3_bucket_versioning" => {
            let Some(cfg) = block(body, "versioning_configuration") else {
                return true;
            };
            let mut e = Vec::new();
            if let Some((k, v)) = attr(cfg, "status") {
                e.push(entry("Status", k, ctx.conv(v)));
            }
            ("VersioningConfiguration", map_at(e, cfg))
        }
        "aws_s3_bucket_logging" => ("LoggingConfiguration", logging(ctx, body)),
        "aws_s3_bucket_notification" => {
            let mut configs = Vec::new();
            for l in blocks(body, "lambda_function") {
                let mut e = Vec::new();
                if let Some((k, v)) = attr(l, "lambda_function_arn") {
                    e.push(entry("Function", k, ctx.conv(v)));
                }
                if let Some((k, v)) = attr(l, "events") {
                    // CloudFormation takes one event per configuration; the first names it.
                    let ev = match v.as_seq().and_then(|s| s.first()) {
                        Some(first) if v.tag.is_none() => ctx.conv(first),
                        _ => ctx.conv(v),
                    };
                    e.push(entry("Event", k, ev));
                }
                configs.push(map_at(e, l));
            }
            let at = body.get("lambda_function").unwrap_or(body);
            (
                "NotificationConfiguration",
                map_at(
                    vec![entry("LambdaConfigurations", at, seq_at(configs, at))],
                    body,
                ),
            )
        }
        _ => return false,
    };
    if let Some(out) = ctx.out_mut(&bucket) {
        out.set(name, &whole, value);
    }
    true
}

/// `aws_cloudwatch_event_target` into its rule's `Targets`.
fn event_target<'a>(ctx: &mut Ctx<'a>, res: &'a TfResource) {
    let body = &res.body;
    let Some(rule) =
        attr(body, "rule").and_then(|(_, v)| ctx.target_of(v, "aws_cloudwatch_event_rule", "name"))
    else {
        return;
    };
    let mut e = Vec::new();
    match attr(body, "target_id") {
        Some((k, v)) => e.push(entry("Id", k, ctx.conv(v))),
        None => e.push(entry("Id", body, str_at(&res.address, body))),
    }
    if let Some((k, v)) = attr(body, "arn") {
        e.push(entry("Arn", k, ctx.conv(v)));
    }
    // The trigger spans the target block.
    let item = node(NodeKind::Map(e), res.start, res.end);
    if let Some(out) = ctx.out_mut(&rule) {
        match out
            .props
            .iter_mut()
            .find(|(k, _)| k.as_str() == Some("Targets"))
        {
            Some((_, list)) => {
                if let NodeKind::Seq(items) = &mut list.kind {
                    items.push(item);
                }
            }
            None => {
                let at = item.clone();
                out.props
                    .push(entry("Targets", &at, seq_at(vec![item], &at)));
            }
        }
    }
}

//! Roles and the other resources functions touch, each into its typed model element.

use palisade_model::{
    Bucket, LogGroup, ManagedPolicyRef, Permission, PolicySource, Prop, PublicAccessBlock, Queue,
    Resolved, Resource, ResourceKind, Role, RoleKind, Topic, Value, WafAssociation,
};

use super::{Builder, Res};
use crate::yaml::Node;
use palisade_model::policy::policy_document;

/// `AWS::IAM::Role`.
pub(crate) fn role(b: &mut Builder<'_>, res: &Res<'_>) {
    let props = res.props;
    let mut role = Role::new(res.id, RoleKind::Declared, res.type_name, b.res_span(res));
    role.name = b.text(props, "RoleName");
    role.condition = res.condition.clone();
    role.suppressions = res.suppressions.clone();
    role.trust = b
        .value(props, "AssumeRolePolicyDocument")
        .map(|v| policy_document(&v, PolicySource::Trust));
    if let Some(policies) = b.value(props, "Policies") {
        for (i, p) in policies.one_or_many().into_iter().enumerate() {
            let name = p
                .get("PolicyName")
                .map_or_else(|| format!("Policies[{i}]"), Value::render);
            if let Some(doc) = p.get("PolicyDocument") {
                role.policies
                    .push(policy_document(doc, PolicySource::Inline { name }));
            }
        }
    }
    if let Some(arns) = b.value(props, "ManagedPolicyArns") {
        for a in arns.one_or_many() {
            role.managed.push(ManagedPolicyRef {
                arn: Prop::from_text_value(a),
                span: a.span,
                written_as: None,
            });
        }
    }
    role.permissions_boundary = b.text(props, "PermissionsBoundary");
    b.app.roles.push(role);
}

/// Every other resource: typed where rules need it, with its resolved properties kept.
pub(crate) fn other(b: &mut Builder<'_>, res: &Res<'_>) {
    let props = res.props;
    let kind = match res.type_name {
        "AWS::S3::Bucket" => ResourceKind::Bucket(bucket(b, props)),
        "AWS::SQS::Queue" => ResourceKind::Queue(Queue {
            visibility_timeout: b.number(props, "VisibilityTimeout"),
            sqs_managed_sse: b.boolean(props, "SqsManagedSseEnabled"),
            kms_key: b.text(props, "KmsMasterKeyId"),
            policy: None,
            redrive: props.and_then(|p| p.get("RedrivePolicy")).is_some(),
        }),
        "AWS::SNS::Topic" => ResourceKind::Topic(Topic {
            kms_key: b.text(props, "KmsMasterKeyId"),
            policy: None,
        }),
        "AWS::DynamoDB::Table" | "AWS::Serverless::SimpleTable" | "AWS::DynamoDB::GlobalTable" => {
            ResourceKind::Table {
                sse_enabled: b
                    .block(props, "SSESpecification")
                    .and_then(|s| b.boolean(Some(&s), "SSEEnabled")),
                stream: props.and_then(|p| p.get("StreamSpecification")).is_some(),
            }
        }
        "AWS::Kinesis::Stream" => ResourceKind::Stream {
            encrypted: b
                .block(props, "StreamEncryption")
                .map(|n| Prop::known(true, b.span(&n))),
        },
        "AWS::KMS::Key" => ResourceKind::Key {
            rotation: b.boolean(props, "EnableKeyRotation"),
            policy: b.value(props, "KeyPolicy").map(|v| {
                policy_document(
                    &v,
                    PolicySource::ResourcePolicy {
                        resource: res.id.to_string(),
                    },
                )
            }),
        },
        "AWS::SecretsManager::Secret" => ResourceKind::Secret,
        "AWS::SSM::Parameter" => ResourceKind::Parameter {
            secure: b
                .value(props, "Type")
                .and_then(|t| t.as_str().map(|s| s == "SecureString"))
                .unwrap_or(false),
            value: b.value(props, "Value"),
        },
        "AWS::Logs::LogGroup" => ResourceKind::LogGroup(LogGroup {
            name: b.text(props, "LogGroupName"),
            retention_days: b.number(props, "RetentionInDays"),
            kms_key: b.text(props, "KmsKeyId"),
        }),
        "AWS::WAFv2::WebACLAssociation" | "AWS::WAFRegional::WebACLAssociation" => {
            let missing = |what: &str| Prop {
                value: Resolved::Unknown(format!("no {what}")),
                span: b.res_span(res),
            };
            ResourceKind::WafAssociation(WafAssociation {
                resource_arn: b
                    .text(props, "ResourceArn")
                    .unwrap_or_else(|| missing("ResourceArn")),
                web_acl_arn: b
                    .text(props, "WebACLArn")
                    .or_else(|| b.text(props, "WebACLId"))
                    .unwrap_or_else(|| missing("WebACLArn")),
            })
        }
        "AWS::Lambda::Permission" => ResourceKind::Permission(permission(b, res)),
        "AWS::Lambda::LayerVersion" => ResourceKind::Layer {
            public: false,
            content: super::function::lambda_code(b, props.and_then(|p| p.get("Content"))),
        },
        "AWS::Serverless::LayerVersion" => ResourceKind::Layer {
            public: false,
            content: super::function::sam_uri(b, props, "ContentUri"),
        },
        "AWS::StepFunctions::StateMachine" | "AWS::Serverless::StateMachine" => {
            ResourceKind::StateMachine
        }
        "AWS::Cognito::UserPool" => ResourceKind::UserPool,
        _ => ResourceKind::Other,
    };
    b.app.resources.push(Resource {
        id: res.id.to_string(),
        resource_type: res.type_name.to_string(),
        span: b.res_span(res),
        kind,
        properties: props.map(|p| b.r.resolve(p)),
        condition: res.condition.clone(),
        suppressions: res.suppressions.clone(),
    });
}

fn bucket(b: &Builder<'_>, props: Option<&Node>) -> Bucket {
    let pab = b
        .block(props, "PublicAccessBlockConfiguration")
        .map(|n| PublicAccessBlock {
            block_public_acls: b.boolean(Some(&n), "BlockPublicAcls"),
            ignore_public_acls: b.boolean(Some(&n), "IgnorePublicAcls"),
            block_public_policy: b.boolean(Some(&n), "BlockPublicPolicy"),
            restrict_public_buckets: b.boolean(Some(&n), "RestrictPublicBuckets"),
            span: b.span(&n),
        });
    Bucket {
        acl: b.string(props, "AccessControl"),
        public_access_block: pab,
        policy: None,
        encryption: props
            .and_then(|p| p.get("BucketEncryption"))
            .map(|n| b.span(n)),
    }
}

fn permission(b: &Builder<'_>, res: &Res<'_>) -> Permission {
    let props = res.props;
    let span = b.res_span(res);
    let missing = |what: &str| Prop {
        value: Resolved::Unknown(format!("no {what}")),
        span,
    };
    let missing_string = |what: &str| Prop {
        value: Resolved::Unknown(format!("no {what}")),
        span,
    };
    let function_value = b.value(props, "FunctionName");
    let function = function_value.as_ref().and_then(|v| {
        let id = b.referenced_id(v)?;
        matches!(
            b.type_of(&id),
            Some("AWS::Lambda::Function" | "AWS::Serverless::Function")
        )
        .then_some(id)
    });
    let principal_node = props.and_then(|p| p.get("Principal"));
    Permission {
        function,
        function_ref: function_value
            .map(|v| Prop::from_text_value(&v))
            .unwrap_or_else(|| missing("FunctionName")),
        action: b
            .string(props, "Action")
            .unwrap_or_else(|| missing_string("Action")),
        principal: b
            .text(props, "Principal")
            .unwrap_or_else(|| missing("Principal")),
        principal_span: principal_node.map_or(span, |n| b.span(n)),
        source_arn: b.text(props, "SourceArn"),
        source_account: b.text(props, "SourceAccount"),
        principal_org_id: b.text(props, "PrincipalOrgID"),
        function_url_auth_type: b.string(props, "FunctionUrlAuthType"),
    }
}

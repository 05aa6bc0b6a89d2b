//! The resources functions touch or sit behind: APIs, buckets, queues, topics, log groups,
//! permissions. Typed where rules need it; every resource also keeps its resolved properties.

use crate::iam::PolicyDocument;
use crate::source::Span;
use crate::suppression::Suppression;
use crate::value::{Prop, Text, Value};

#[derive(Clone, Debug, PartialEq)]
pub struct Resource {
    pub id: String,
    /// The resource type as written (`AWS::S3::Bucket`, `aws_s3_bucket`).
    pub resource_type: String,
    pub span: Span,
    pub kind: ResourceKind,
    /// All properties, resolved as far as statically possible.
    pub properties: Option<Value>,
    pub condition: Option<String>,
    pub suppressions: Vec<Suppression>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ResourceKind {
    Bucket(Bucket),
    Queue(Queue),
    Topic(Topic),
    Table {
        sse_enabled: Option<Prop<bool>>,
        stream: bool,
    },
    Stream {
        encrypted: Option<Prop<bool>>,
    },
    Key {
        rotation: Option<Prop<bool>>,
        policy: Option<PolicyDocument>,
    },
    Secret,
    Parameter {
        secure: bool,
        value: Option<Value>,
    },
    LogGroup(LogGroup),
    WafAssociation(WafAssociation),
    Permission(Permission),
    Layer {
        public: bool,
        /// Where the layer's content lives (`ContentUri`, `Content`), like a function's code.
        content: crate::function::Code,
    },
    StateMachine,
    UserPool,
    /// A type Palisade has no typed view of.
    Other,
}

impl ResourceKind {
    pub fn label(&self) -> &'static str {
        match self {
            ResourceKind::Bucket(_) => "bucket",
            ResourceKind::Queue(_) => "queue",
            ResourceKind::Topic(_) => "topic",
            ResourceKind::Table { .. } => "table",
            ResourceKind::Stream { .. } => "stream",
            ResourceKind::Key { .. } => "key",
            ResourceKind::Secret => "secret",
            ResourceKind::Parameter { .. } => "parameter",
            ResourceKind::LogGroup(_) => "log group",
            ResourceKind::WafAssociation(_) => "WAF association",
            ResourceKind::Permission(_) => "permission",
            ResourceKind::Layer { .. } => "layer",
            ResourceKind::StateMachine => "state machine",
            ResourceKind::UserPool => "user pool",
            ResourceKind::Other => "resource",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Default)]
pub struct Bucket {
    /// Canned ACL (`AccessControl`).
    pub acl: Option<Prop<String>>,
    pub public_access_block: Option<PublicAccessBlock>,
    /// The bucket policy, linked from its policy resource.
    pub policy: Option<PolicyDocument>,
    pub encryption: Option<Span>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct PublicAccessBlock {
    pub block_public_acls: Option<Prop<bool>>,
    pub ignore_public_acls: Option<Prop<bool>>,
    pub block_public_policy: Option<Prop<bool>>,
    pub restrict_public_buckets: Option<Prop<bool>>,
    pub span: Span,
}

impl PublicAccessBlock {
    /// The settings that are not known to be `true`.
    pub fn open_settings(&self) -> Vec<&'static str> {
        let mut open = Vec::new();
        for (name, p) in [
            ("BlockPublicAcls", &self.block_public_acls),
            ("IgnorePublicAcls", &self.ignore_public_acls),
            ("BlockPublicPolicy", &self.block_public_policy),
            ("RestrictPublicBuckets", &self.restrict_public_buckets),
        ] {
            let always_on = p
                .as_ref()
                .is_some_and(|p| p.test_or_absent(|on| *on, false) == crate::value::Truth::Always);
            if !always_on {
                open.push(name);
            }
        }
        open
    }
}

#[derive(Clone, Debug, PartialEq, Default)]
pub struct Queue {
    pub visibility_timeout: Option<Prop<u64>>,
    pub sqs_managed_sse: Option<Prop<bool>>,
    pub kms_key: Option<Prop<Text>>,
    pub policy: Option<PolicyDocument>,
    pub redrive: bool,
}

#[derive(Clone, Debug, PartialEq, Default)]
pub struct Topic {
    pub kms_key: Option<Prop<Text>>,
    pub policy: Option<PolicyDocument>,
}

#[derive(Clone, Debug, PartialEq, Default)]
pub struct LogGroup {
    pub name: Option<Prop<Text>>,
    pub retention_days: Option<Prop<u64>>,
    pub kms_key: Option<Prop<Text>>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct WafAssociation {
    pub resource_arn: Prop<Text>,
    pub web_acl_arn: Prop<Text>,
}

/// A Lambda permission: one statement of a function's resource policy.
#[derive(Clone, Debug, PartialEq)]
pub struct Permission {
    /// The function it applies to: a logical id when it is in the app.
    pub function: Option<String>,
    pub function_ref: Prop<Text>,
    pub action: Prop<String>,
    pub principal: Prop<Text>,
    pub principal_span: Span,
    pub source_arn: Option<Prop<Text>>,
    pub source_account: Option<Prop<Text>>,
    pub principal_org_id: Option<Prop<Text>>,
    pub function_url_auth_type: Option<Prop<String>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ApiKind {
    Rest,
    Http,
    WebSocket,
}

impl ApiKind {
    pub fn label(self) -> &'static str {
        match self {
            ApiKind::Rest => "REST API",
            ApiKind::Http => "HTTP API",
            ApiKind::WebSocket => "WebSocket API",
        }
    }
}

/// An API Gateway API, declared or implicit (SAM's `ServerlessRestApi`).
#[derive(Clone, Debug, PartialEq)]
pub struct Api {
    pub id: String,
    pub kind: ApiKind,
    pub resource_type: String,
    pub span: Span,
    /// SAM creates an API for events that name none.
    pub implicit: bool,
    pub stages: Vec<Stage>,
    pub routes: Vec<Route>,
    pub cors: Option<Cors>,
    /// `PRIVATE`, `REGIONAL`, `EDGE`.
    pub endpoint_type: Option<Prop<String>>,
    pub disable_execute_api_endpoint: Option<Prop<bool>>,
    /// Where a resource policy limits who may call the API (SAM `Auth.ResourcePolicy`,
    /// `RestApi.Policy`), when it has one.
    pub resource_policy: Option<Span>,
    pub condition: Option<String>,
    pub suppressions: Vec<Suppression>,
}

impl Api {
    pub fn is_private(&self) -> bool {
        self.endpoint_type
            .as_ref()
            .and_then(Prop::get)
            .is_some_and(|t| t.eq_ignore_ascii_case("PRIVATE"))
    }
}

/// A deployed stage of an API and its protections.
#[derive(Clone, Debug, PartialEq)]
pub struct Stage {
    pub name: Prop<Text>,
    pub span: Span,
    /// Logical id of the stage resource, when it is a resource of its own.
    pub resource: Option<String>,
    pub access_log_destination: Option<Prop<Text>>,
    /// Execution logging level set for all methods (`OFF`, `ERROR`, `INFO`).
    pub execution_logging: Option<Prop<String>>,
    pub tracing: Option<Prop<bool>>,
    /// Throttling for all routes (burst, rate), when set.
    pub throttling: Option<Span>,
    /// Logical id of the WAF association that protects this stage, once linked.
    pub waf: Option<String>,
    pub cache_encrypted: Option<Prop<bool>>,
}

/// One method of an API and who may call it.
#[derive(Clone, Debug, PartialEq)]
pub struct Route {
    pub method: String,
    pub path: String,
    pub span: Span,
    pub auth: crate::trigger::Auth,
    pub api_key_required: bool,
    /// The function behind it, when it is in the app.
    pub function: Option<String>,
    /// Where the authorization was decided (the default authorizer, an override), for messages.
    pub auth_span: Option<Span>,
}

/// Cross-origin settings of an API or function URL.
#[derive(Clone, Debug, PartialEq)]
pub struct Cors {
    /// Allowed origins, unquoted (`'*'` in SAM REST APIs becomes `*`).
    pub allow_origins: Vec<Prop<Text>>,
    pub allow_credentials: Option<Prop<bool>>,
    pub span: Span,
}

impl Cors {
    pub fn allows_any_origin(&self) -> Option<&Prop<Text>> {
        self.allow_origins.iter().find(|o| {
            o.possible()
                .iter()
                .any(|t| t.literal().is_some_and(|s| s.trim() == "*"))
        })
    }
}

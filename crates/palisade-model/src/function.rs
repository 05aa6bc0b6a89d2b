//! A function and everything its owner configures about it.

use crate::source::Span;
use crate::suppression::Suppression;
use crate::trigger::Trigger;
use crate::value::{Prop, Text, Value};

/// Lambda's default timeout, in seconds, when none is configured.
pub const DEFAULT_TIMEOUT: u64 = 3;
/// Lambda's default memory, in MB, when none is configured.
pub const DEFAULT_MEMORY: u64 = 128;

#[derive(Clone, Debug, PartialEq)]
pub struct Function {
    /// Logical id (CloudFormation) or address (Terraform).
    pub id: String,
    /// The resource type as written (`AWS::Serverless::Function`).
    pub resource_type: String,
    /// Span of the whole resource definition (its key and body).
    pub span: Span,
    pub name: Option<Prop<Text>>,
    pub runtime: Option<Prop<String>>,
    pub architectures: Vec<Prop<String>>,
    pub handler: Option<Prop<String>>,
    pub package_type: PackageType,
    pub code: Code,
    pub timeout: Option<Prop<u64>>,
    pub memory: Option<Prop<u64>>,
    pub ephemeral_storage: Option<Prop<u64>>,
    /// The `Environment.Variables` block, when present.
    pub environment_span: Option<Span>,
    pub environment: Vec<EnvVar>,
    pub role: RoleRef,
    pub layers: Vec<Prop<Text>>,
    pub reserved_concurrency: Option<Prop<u64>>,
    pub provisioned_concurrency: Option<Prop<u64>>,
    pub dead_letter: Option<Destination>,
    pub on_failure: Option<Destination>,
    pub on_success: Option<Destination>,
    pub max_retry_attempts: Option<Prop<u64>>,
    pub tracing: Option<Prop<Tracing>>,
    pub vpc: Option<VpcConfig>,
    pub code_signing: Option<Prop<Text>>,
    pub kms_key: Option<Prop<Text>>,
    /// Logical id of the log group resource that holds this function's logs, once linked.
    pub log_group: Option<String>,
    /// A log group named in `LoggingConfig.LogGroup`.
    pub logging_config_group: Option<Prop<Text>>,
    pub url: Option<FunctionUrl>,
    pub triggers: Vec<Trigger>,
    pub auto_publish_alias: Option<Prop<Text>>,
    /// The template condition the function is created under, when it cannot be evaluated.
    pub condition: Option<String>,
    pub suppressions: Vec<Suppression>,
}

impl Function {
    pub fn new(id: impl Into<String>, resource_type: impl Into<String>, span: Span) -> Self {
        Function {
            id: id.into(),
            resource_type: resource_type.into(),
            span,
            name: None,
            runtime: None,
            architectures: Vec::new(),
            handler: None,
            package_type: PackageType::Zip,
            code: Code::None,
            timeout: None,
            memory: None,
            ephemeral_storage: None,
            environment_span: None,
            environment: Vec::new(),
            role: RoleRef::None,
            layers: Vec::new(),
            reserved_concurrency: None,
            provisioned_concurrency: None,
            dead_letter: None,
            on_failure: None,
            on_success: None,
            max_retry_attempts: None,
            tracing: None,
            vpc: None,
            code_signing: None,
            kms_key: None,
            log_group: None,
            logging_config_group: None,
            url: None,
            triggers: Vec::new(),
            auto_publish_alias: None,
            condition: None,
            suppressions: Vec::new(),
        }
    }

    /// The configured timeout, or Lambda's default; `None` when it cannot be known statically.
    pub fn timeout_secs(&self) -> Option<u64> {
        match &self.timeout {
            None => Some(DEFAULT_TIMEOUT),
            Some(p) => p.get().copied(),
        }
    }

    /// Every timeout the function can have (several when it depends on a condition).
    pub fn possible_timeouts(&self) -> Vec<u64> {
        match &self.timeout {
            None => vec![DEFAULT_TIMEOUT],
            Some(p) => p.possible().into_iter().copied().collect(),
        }
    }

    /// True when any trigger is reachable from the internet without AWS credentials.
    pub fn is_internet_facing(&self) -> bool {
        self.triggers.iter().any(Trigger::is_internet_facing)
    }

    pub fn runtime_name(&self) -> Option<&str> {
        self.runtime
            .as_ref()
            .and_then(|p| p.get())
            .map(String::as_str)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PackageType {
    Zip,
    Image,
}

/// Where the function's code lives.
#[derive(Clone, Debug, PartialEq)]
pub enum Code {
    None,
    /// A local folder or file, relative to the app's file.
    Local {
        path: String,
        span: Span,
    },
    /// An S3 object (`s3://…` or `{Bucket, Key}`).
    S3 {
        location: Text,
        span: Span,
    },
    /// Source written inline in the template (`ZipFile`, `InlineCode`).
    Inline {
        source: String,
        span: Span,
    },
    /// A container image.
    Image {
        uri: Text,
        span: Span,
    },
    Unknown {
        expr: String,
        span: Span,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct EnvVar {
    pub name: String,
    pub name_span: Span,
    pub value: Value,
}

/// The execution role of a function.
#[derive(Clone, Debug, PartialEq)]
pub enum RoleRef {
    None,
    /// A role of the same app, by logical id (declared, or generated by a transform).
    Local(String),
    /// A role given by ARN or by an expression that is not a role of the app.
    External(Prop<Text>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tracing {
    Active,
    PassThrough,
    Disabled,
}

impl std::fmt::Display for Tracing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Tracing::Active => "Active",
            Tracing::PassThrough => "PassThrough",
            Tracing::Disabled => "Disabled",
        })
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct VpcConfig {
    pub security_groups: Vec<Value>,
    pub subnets: Vec<Value>,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DestinationKind {
    Sqs,
    Sns,
    Lambda,
    EventBridge,
    S3,
    Unknown,
}

/// A dead-letter queue or an asynchronous invocation destination.
#[derive(Clone, Debug, PartialEq)]
pub struct Destination {
    pub kind: DestinationKind,
    pub target: Value,
    pub span: Span,
}

/// A function URL (`FunctionUrlConfig`, `AWS::Lambda::Url`).
#[derive(Clone, Debug, PartialEq)]
pub struct FunctionUrl {
    /// `NONE` or `AWS_IAM`.
    pub auth_type: Prop<String>,
    pub cors: Option<crate::resource::Cors>,
    pub span: Span,
    /// Logical id of a standalone `AWS::Lambda::Url` resource, when it is one.
    pub resource: Option<String>,
    /// The template condition the URL exists under.
    pub condition: Option<String>,
}

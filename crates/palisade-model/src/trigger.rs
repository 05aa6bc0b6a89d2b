//! What invokes a function, and who may make it do so.

use crate::resource::Cors;
use crate::source::Span;
use crate::value::{Prop, Text};

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum TriggerKind {
    RestApi,
    HttpApi,
    WebSocketApi,
    FunctionUrl,
    Alb,
    S3,
    Sqs,
    Sns,
    DynamoDbStream,
    Kinesis,
    Msk,
    Mq,
    EventBridgeRule,
    Schedule,
    CloudWatchLogs,
    Cognito,
    Iot,
    Ses,
    /// Anything else, with the source's own name for it.
    Other(String),
}

impl TriggerKind {
    pub fn label(&self) -> &str {
        match self {
            TriggerKind::RestApi => "REST API",
            TriggerKind::HttpApi => "HTTP API",
            TriggerKind::WebSocketApi => "WebSocket API",
            TriggerKind::FunctionUrl => "function URL",
            TriggerKind::Alb => "Application Load Balancer",
            TriggerKind::S3 => "S3",
            TriggerKind::Sqs => "SQS",
            TriggerKind::Sns => "SNS",
            TriggerKind::DynamoDbStream => "DynamoDB stream",
            TriggerKind::Kinesis => "Kinesis",
            TriggerKind::Msk => "MSK / Kafka",
            TriggerKind::Mq => "Amazon MQ",
            TriggerKind::EventBridgeRule => "EventBridge rule",
            TriggerKind::Schedule => "schedule",
            TriggerKind::CloudWatchLogs => "CloudWatch Logs",
            TriggerKind::Cognito => "Cognito",
            TriggerKind::Iot => "IoT",
            TriggerKind::Ses => "SES",
            TriggerKind::Other(name) => name,
        }
    }

    /// HTTP front doors, which a WAF can (in principle) inspect.
    pub fn is_http(&self) -> bool {
        matches!(
            self,
            TriggerKind::RestApi
                | TriggerKind::HttpApi
                | TriggerKind::WebSocketApi
                | TriggerKind::FunctionUrl
                | TriggerKind::Alb
        )
    }

    /// Sources that invoke the function asynchronously: failed events are retried and then
    /// lost unless a dead-letter queue or on-failure destination is configured.
    pub fn is_async(&self) -> bool {
        matches!(
            self,
            TriggerKind::S3
                | TriggerKind::Sns
                | TriggerKind::EventBridgeRule
                | TriggerKind::Schedule
                | TriggerKind::CloudWatchLogs
                | TriggerKind::Iot
                | TriggerKind::Ses
        )
    }

    /// Sources read through an event source mapping (Lambda polls them).
    pub fn is_polled(&self) -> bool {
        matches!(
            self,
            TriggerKind::Sqs
                | TriggerKind::DynamoDbStream
                | TriggerKind::Kinesis
                | TriggerKind::Msk
                | TriggerKind::Mq
        )
    }

    /// Sources that carry data an outside party can shape but that no WAF inspects.
    pub fn is_unprotected_data_source(&self) -> bool {
        matches!(
            self,
            TriggerKind::S3
                | TriggerKind::Sqs
                | TriggerKind::Sns
                | TriggerKind::DynamoDbStream
                | TriggerKind::Kinesis
                | TriggerKind::Msk
                | TriggerKind::Mq
                | TriggerKind::Iot
                | TriggerKind::Ses
                | TriggerKind::CloudWatchLogs
                | TriggerKind::EventBridgeRule
        )
    }
}

/// How callers of an HTTP trigger are authenticated.
#[derive(Clone, Debug, PartialEq)]
pub enum Auth {
    /// Explicitly or implicitly open to anyone.
    None,
    /// AWS Signature V4 (IAM).
    Iam,
    Cognito {
        authorizer: String,
    },
    /// A Lambda (custom) authorizer.
    Lambda {
        authorizer: String,
    },
    Jwt {
        authorizer: String,
    },
    /// Authorization that Palisade cannot see (e.g. an OpenAPI document kept outside).
    Unknown(String),
}

impl Auth {
    pub fn is_none(&self) -> bool {
        matches!(self, Auth::None)
    }

    pub fn describe(&self) -> String {
        match self {
            Auth::None => "no authorization".into(),
            Auth::Iam => "AWS_IAM".into(),
            Auth::Cognito { authorizer } => format!("Cognito authorizer {authorizer}"),
            Auth::Lambda { authorizer } => format!("Lambda authorizer {authorizer}"),
            Auth::Jwt { authorizer } => format!("JWT authorizer {authorizer}"),
            Auth::Unknown(expr) => format!("unknown ({expr})"),
        }
    }
}

/// One event source of one function.
#[derive(Clone, Debug, PartialEq)]
pub struct Trigger {
    /// The event's name (SAM `Events` key) or the logical id of the resource that wires it.
    pub id: String,
    pub kind: TriggerKind,
    pub span: Span,
    /// The resource that emits the events, by logical id when it is in the app.
    pub source: Option<String>,
    /// The source as written, when it is an ARN or an expression.
    pub source_arn: Option<Prop<Text>>,
    /// For API triggers: the API's logical id (implicit APIs have SAM's generated ids).
    pub api: Option<String>,
    pub path: Option<String>,
    pub method: Option<String>,
    /// For HTTP triggers: who may call.
    pub auth: Option<Auth>,
    pub api_key_required: bool,
    pub cors: Option<Cors>,
    /// For ALB triggers: whether the load balancer is internet-facing (when known).
    pub internet_facing: Option<bool>,
    /// For schedules: the expression.
    pub schedule: Option<String>,
}

impl Trigger {
    pub fn new(id: impl Into<String>, kind: TriggerKind, span: Span) -> Self {
        Trigger {
            id: id.into(),
            kind,
            span,
            source: None,
            source_arn: None,
            api: None,
            path: None,
            method: None,
            auth: None,
            api_key_required: false,
            cors: None,
            internet_facing: None,
            schedule: None,
        }
    }

    /// Reachable over the internet by anyone who knows the address (authorization aside).
    pub fn is_internet_facing(&self) -> bool {
        match self.kind {
            TriggerKind::RestApi | TriggerKind::HttpApi | TriggerKind::WebSocketApi => true,
            TriggerKind::FunctionUrl => true,
            TriggerKind::Alb => self.internet_facing != Some(false),
            _ => false,
        }
    }

    /// `GET /orders` style description of an API route.
    pub fn route(&self) -> Option<String> {
        match (&self.method, &self.path) {
            (Some(m), Some(p)) => Some(format!("{} {p}", m.to_ascii_uppercase())),
            (None, Some(p)) => Some(p.clone()),
            _ => None,
        }
    }
}

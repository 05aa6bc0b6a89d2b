//! What the analysis of a function's handler code found: the facts code rules (PAL3xx) and
//! least-privilege generation read. Spans point into the code files, which are in the scan's
//! source map like templates.

use crate::source::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Language {
    Python,
    JavaScript,
    TypeScript,
}

impl Language {
    pub fn label(self) -> &'static str {
        match self {
            Language::Python => "Python",
            Language::JavaScript => "JavaScript",
            Language::TypeScript => "TypeScript",
        }
    }
}

/// The kind of dangerous operation a tainted value reaches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SinkKind {
    Command,
    CodeEval,
    Sql,
    NoSql,
    Deserialization,
    Xxe,
    Ssrf,
    PathTraversal,
    Xss,
    OpenRedirect,
    /// Sensitive data (the whole event, credentials) written to logs.
    Log,
}

impl SinkKind {
    pub const ALL: [SinkKind; 11] = [
        SinkKind::Command,
        SinkKind::CodeEval,
        SinkKind::Sql,
        SinkKind::NoSql,
        SinkKind::Deserialization,
        SinkKind::Xxe,
        SinkKind::Ssrf,
        SinkKind::PathTraversal,
        SinkKind::Xss,
        SinkKind::OpenRedirect,
        SinkKind::Log,
    ];
}

/// One step of a flow, for the finding's trace: `event["body"]` read at …, assigned to `cmd`
/// at …, passed to `run` at ….
#[derive(Clone, Debug, PartialEq)]
pub struct FlowStep {
    pub span: Span,
    pub note: String,
}

/// Untrusted event data reaching a sink.
#[derive(Clone, Debug, PartialEq)]
pub struct TaintFlow {
    pub sink: SinkKind,
    /// The sink as written in the code's terms: `subprocess.run(shell=True)`, `eval`,
    /// `cursor.execute`.
    pub sink_name: String,
    /// The call (or response field) that is the sink.
    pub span: Span,
    /// The trigger the data came from (`API event`, `S3 event`, `event (no known trigger)`).
    pub trigger: String,
    /// The event field: `body`, `Records[].s3.object.key`, `queryStringParameters`.
    pub field: String,
    /// A sanitizer or validation was passed on the way (lower confidence).
    pub weakened: bool,
    /// The sink's danger depends on something the analysis could not see (an unknown
    /// receiver, a dynamic option): lower confidence.
    pub uncertain: bool,
    pub steps: Vec<FlowStep>,
}

/// A risky use that does not need attacker data to be a finding: a deserializer without a
/// safe loader on any input, a JWT decoded without verification, an exception's trace
/// returned in a response, a hard-coded secret.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CodeIssueKind {
    JwtUnverified,
    StackTraceInResponse,
    SecretInCode,
    /// A deserializer or parser that is unsafe whatever the input (`yaml.load` with the
    /// default loader, `pickle.loads` of anything not a literal).
    UnsafeDeserializer,
    /// An XML parser configured to resolve entities.
    XmlEntities,
}

#[derive(Clone, Debug, PartialEq)]
pub struct CodeIssue {
    pub kind: CodeIssueKind,
    pub span: Span,
    pub message: String,
}

/// A call to the AWS SDK, as the code writes it. Mapping it to IAM actions is the IAM
/// engine's job.
///
/// | SDK | `client` | `resource_type` | `operation` |
/// |---|---|---|---|
/// | boto3 client | `s3` (the name given to `boto3.client`) | `None` | `put_object` |
/// | boto3 resource | `dynamodb` (the name given to `boto3.resource`) | `Table`, `Bucket`, `Object`, `Queue`… or `None` for the service resource itself | `put_item`, `upload_file` |
/// | JS SDK v2 | `S3`, `DynamoDB`, `DynamoDB.DocumentClient` | `None` | `putObject`, `put` |
/// | JS SDK v3 | `@aws-sdk/client-s3`, `@aws-sdk/lib-dynamodb`, `@aws-sdk/lib-storage` | `None` | `PutObjectCommand`, `PutCommand`, `Upload` |
#[derive(Clone, Debug, PartialEq)]
pub struct SdkCall {
    pub client: String,
    pub resource_type: Option<String>,
    /// The method or command as written, or `None` when it is chosen at run time
    /// (`getattr(client, name)(…)`, `client[op](…)`).
    pub operation: Option<String>,
    pub language: Language,
    pub span: Span,
    /// Resource names given to the call or to the client/resource object it was called on,
    /// by parameter name as written (`Bucket`, `TableName`, `QueueUrl`, `Key`, and for boto3
    /// resources the constructor argument under the resource type's name, e.g. `Table`).
    pub resources: Vec<(String, ResourceName)>,
}

/// What the code names a resource with.
#[derive(Clone, Debug, PartialEq)]
pub enum ResourceName {
    Literal(String),
    /// An environment variable of the function: the template says what it holds.
    Env(String),
    /// Computed at run time.
    Unknown,
}

/// Everything known about one function's code.
#[derive(Clone, Debug, PartialEq)]
pub struct FunctionCode {
    /// Logical id of the function.
    pub function: String,
    pub language: Language,
    /// The handler's file (relative to the scan root) and span of the entry function.
    pub entry: Span,
    pub entry_name: String,
    /// Files read for this function (the entry first), relative to the scan root.
    pub files: Vec<String>,
    pub flows: Vec<TaintFlow>,
    pub issues: Vec<CodeIssue>,
    pub sdk_calls: Vec<SdkCall>,
    /// The triggers the event sources were typed by (empty: the whole event is untrusted).
    pub triggers: Vec<String>,
}

/// Why a function's code was not analysed, for a diagnostic.
#[derive(Clone, Debug, PartialEq)]
pub enum CodeSkip {
    /// No local code (S3, image, inline code in another language…).
    NoLocalCode,
    UnsupportedRuntime(String),
    HandlerNotFound(String),
}

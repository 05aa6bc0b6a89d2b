//! A function's permissions against what its code calls: what its role grants, what the code
//! needs, the difference, and a policy that grants only what is needed.

use crate::source::Span;

/// One action the code needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NeededPermission {
    /// `dynamodb:PutItem`.
    pub action: String,
    /// `Write`, `Read`, …
    pub access: &'static str,
    /// The resources it is needed on, as ARNs with `${AWS::Region}`-style placeholders (`*`
    /// when the code names a resource Palisade cannot resolve).
    pub resources: Vec<String>,
    /// The calls that need it (empty for the Lambda logs basics).
    pub calls: Vec<Span>,
    /// Needed only for some requests (`when the request has TransactItems[].Put`).
    pub when: Option<String>,
    /// The role grants it (on some resource).
    pub granted: bool,
}

/// An SDK call whose actions are not (all) known. Its service is kept: any action of it may be
/// needed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnresolvedSdkCall {
    pub span: Span,
    pub client: String,
    pub operation: Option<String>,
    /// The IAM prefix of its service, when the client is known.
    pub service: Option<String>,
    pub reason: String,
}

/// A statement of the generated policy (always `Allow`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyStatement {
    pub sid: String,
    pub actions: Vec<String>,
    /// ARNs with `${AWS::Region}`-style placeholders, or `*`.
    pub resources: Vec<String>,
    /// Why the statement is there, when it is not for a call of the code.
    pub note: Option<String>,
}

/// A generated policy written for the app's format.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicySnippet {
    /// `SAM`, `CloudFormation`, `Serverless Framework`, `Terraform`.
    pub format: &'static str,
    /// `yaml` or `hcl`.
    pub language: &'static str,
    pub text: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct LeastPrivilege {
    /// The app's path, as findings name it.
    pub app: String,
    pub function: String,
    /// The role's logical id, when the role is in the app.
    pub role: Option<String>,
    /// False when the function's code was not analysed: nothing is known of what it needs.
    pub analysed: bool,
    /// Actions the role grants on at least one resource.
    pub granted: usize,
    /// What the code needs, by action name, then the Lambda logs basics.
    pub needed: Vec<NeededPermission>,
    /// Granted actions the code does not need (the services of unresolved calls count as
    /// needed).
    pub over_granted: usize,
    pub unresolved: Vec<UnresolvedSdkCall>,
    /// The statements of the least-privilege policy (none when the code was not analysed).
    pub policy: Vec<PolicyStatement>,
    pub snippet: Option<PolicySnippet>,
    /// What to know about the policy's resources.
    pub notes: Vec<String>,
    /// Why `granted` may be too low (a managed policy Palisade cannot read…).
    pub incomplete: Vec<String>,
}

impl LeastPrivilege {
    /// How many times more actions are granted than needed.
    pub fn ratio(&self) -> Option<f64> {
        (self.analysed && !self.needed.is_empty())
            .then(|| self.granted as f64 / self.needed.len() as f64)
    }

    /// Needed actions the role does not grant.
    pub fn not_granted(&self) -> impl Iterator<Item = &NeededPermission> {
        self.needed.iter().filter(|n| !n.granted)
    }
}

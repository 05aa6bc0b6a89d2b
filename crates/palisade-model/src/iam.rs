//! Roles and policy documents, kept exactly as written (every action, resource and principal
//! with its span) so the IAM engine can judge them and point at the offending line.

use crate::source::Span;
use crate::suppression::Suppression;
use crate::value::{Prop, Text, Value};

#[derive(Clone, Debug, PartialEq)]
pub struct Role {
    pub id: String,
    /// `RoleName`, when given.
    pub name: Option<Prop<Text>>,
    pub kind: RoleKind,
    pub span: Span,
    pub resource_type: String,
    /// Who may assume the role (`AssumeRolePolicyDocument`).
    pub trust: Option<PolicyDocument>,
    /// Policy documents attached directly: inline policies, expanded SAM policy templates,
    /// connectors, and customer managed policies of the same app.
    pub policies: Vec<PolicyDocument>,
    /// Managed policies attached by ARN (AWS managed or not).
    pub managed: Vec<ManagedPolicyRef>,
    pub permissions_boundary: Option<Prop<Text>>,
    /// The boundary's document, when it is a policy of the same app.
    pub boundary_document: Option<PolicyDocument>,
    pub condition: Option<String>,
    pub suppressions: Vec<Suppression>,
    /// For a user: the groups it belongs to, whose policies it holds too.
    pub groups: Vec<(String, Span)>,
}

impl Role {
    pub fn new(
        id: impl Into<String>,
        kind: RoleKind,
        resource_type: impl Into<String>,
        span: Span,
    ) -> Self {
        Role {
            id: id.into(),
            name: None,
            kind,
            span,
            resource_type: resource_type.into(),
            trust: None,
            policies: Vec::new(),
            managed: Vec::new(),
            permissions_boundary: None,
            boundary_document: None,
            condition: None,
            suppressions: Vec::new(),
            groups: Vec::new(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RoleKind {
    /// Declared in the source (`AWS::IAM::Role`, `aws_iam_role`).
    Declared,
    /// Generated for a function by a transform (SAM creates `<Function>Role`).
    Generated { function: String },
    /// An IAM user (from an account's authorization details); its groups' policies are
    /// among its policies.
    User,
    /// An IAM group.
    Group,
    /// A customer managed policy of an account, judged alone as if one principal held only it,
    /// so that its risks are reported once, on the policy.
    ManagedPolicy,
}

impl RoleKind {
    /// How messages name a principal of this kind.
    pub fn noun(&self) -> &'static str {
        match self {
            RoleKind::Declared | RoleKind::Generated { .. } => "role",
            RoleKind::User => "user",
            RoleKind::Group => "group",
            RoleKind::ManagedPolicy => "policy",
        }
    }
}

/// Where a policy document came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PolicySource {
    /// An inline policy (`Policies` of a role, `AWS::IAM::Policy`, SAM inline statements).
    Inline { name: String },
    /// A SAM policy template, expanded (`DynamoDBCrudPolicy`).
    SamTemplate { name: String },
    /// A SAM connector.
    Connector { id: String },
    /// A customer managed policy declared in the same app.
    CustomerManaged { id: String },
    /// Permissions a transform adds on its own (SAM's DLQ and event source policies).
    Generated { why: String },
    /// A resource policy (bucket, queue, topic, key).
    ResourcePolicy { resource: String },
    /// A role's trust policy.
    Trust,
    /// An AWS managed policy, resolved from the embedded copy of its default version.
    AwsManaged { name: String },
    /// A policy document on its own, from a file (`palisade iam explain`).
    Standalone { name: String },
}

impl PolicySource {
    pub fn describe(&self) -> String {
        match self {
            PolicySource::Inline { name } => format!("inline policy {name}"),
            PolicySource::SamTemplate { name } => format!("SAM policy template {name}"),
            PolicySource::Connector { id } => format!("connector {id}"),
            PolicySource::CustomerManaged { id } => format!("managed policy {id}"),
            PolicySource::Generated { why } => format!("policy generated for {why}"),
            PolicySource::ResourcePolicy { resource } => format!("resource policy of {resource}"),
            PolicySource::Trust => "trust policy".into(),
            PolicySource::AwsManaged { name } => format!("AWS managed policy {name}"),
            PolicySource::Standalone { name } => format!("policy {name}"),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct PolicyDocument {
    pub source: PolicySource,
    pub span: Span,
    pub version: Option<Prop<String>>,
    pub statements: Vec<Statement>,
    /// The document could not be read completely (an unresolved `Statement`, say).
    pub incomplete: Option<String>,
    /// The template condition the whole document exists under (a conditional policy resource).
    pub when: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    Allow,
    Deny,
}

impl std::fmt::Display for Effect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Effect::Allow => "Allow",
            Effect::Deny => "Deny",
        })
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Statement {
    /// Position in the document's statement list, from 0.
    pub index: usize,
    pub span: Span,
    pub sid: Option<String>,
    pub effect: Prop<Effect>,
    pub action: Option<Patterns>,
    pub not_action: Option<Patterns>,
    pub resource: Option<Patterns>,
    pub not_resource: Option<Patterns>,
    pub principal: Option<Principal>,
    pub not_principal: Option<Principal>,
    /// The `Condition` block, as written.
    pub condition: Option<Value>,
    /// The template condition the statement exists under (`!If [Cond, {...}, AWS::NoValue]`).
    pub when: Option<String>,
}

impl Statement {
    pub fn is_allow(&self) -> bool {
        matches!(self.effect.get(), Some(Effect::Allow))
    }

    pub fn has_condition(&self) -> bool {
        self.condition
            .as_ref()
            .is_some_and(|c| c.as_map().is_none_or(|m| !m.is_empty()))
    }

    /// How reports name the statement: its Sid or its position.
    pub fn label(&self) -> String {
        match &self.sid {
            Some(sid) => format!("Statement[{}] ({sid})", self.index),
            None => format!("Statement[{}]", self.index),
        }
    }
}

/// A list of action, resource or principal patterns as written.
#[derive(Clone, Debug, PartialEq)]
pub struct Patterns {
    pub items: Vec<PatternItem>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct PatternItem {
    pub text: Text,
    pub span: Span,
    /// The template condition this item is written under (`Action: !If [Cond, "*", ...]`).
    pub when: Option<String>,
}

impl Patterns {
    pub fn literals(&self) -> impl Iterator<Item = (&str, &PatternItem)> {
        self.items
            .iter()
            .filter_map(|i| i.text.literal().map(|s| (s, i)))
    }

    /// The item that is exactly `*`, if any.
    pub fn star(&self) -> Option<&PatternItem> {
        self.items.iter().find(|i| i.text.literal() == Some("*"))
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum PrincipalKind {
    Aws,
    Service,
    Federated,
    CanonicalUser,
    Other(String),
}

/// `Principal: "*"` or a map of principal kinds to patterns.
#[derive(Clone, Debug, PartialEq)]
pub enum Principal {
    Any {
        span: Span,
    },
    Map {
        entries: Vec<(PrincipalKind, Patterns)>,
        span: Span,
    },
}

impl Principal {
    pub fn span(&self) -> Span {
        match self {
            Principal::Any { span } | Principal::Map { span, .. } => *span,
        }
    }

    /// `*` or `{"AWS": "*"}`: anyone.
    pub fn is_anyone(&self) -> bool {
        match self {
            Principal::Any { .. } => true,
            Principal::Map { entries, .. } => entries
                .iter()
                .any(|(k, p)| *k == PrincipalKind::Aws && p.star().is_some()),
        }
    }

    pub fn patterns(&self, kind: &PrincipalKind) -> Vec<&PatternItem> {
        match self {
            Principal::Any { .. } => Vec::new(),
            Principal::Map { entries, .. } => entries
                .iter()
                .filter(|(k, _)| k == kind)
                .flat_map(|(_, p)| p.items.iter())
                .collect(),
        }
    }
}

/// A managed policy attached by ARN.
#[derive(Clone, Debug, PartialEq)]
pub struct ManagedPolicyRef {
    pub arn: Prop<Text>,
    pub span: Span,
    /// The name as the source wrote it, when it was a name (SAM `Policies: [AmazonS3ReadOnlyAccess]`).
    pub written_as: Option<String>,
}

impl ManagedPolicyRef {
    /// The name of an AWS managed policy (`arn:aws:iam::aws:policy/service-role/X` → `X`).
    pub fn aws_managed_name(&self) -> Option<&str> {
        let arn = self.arn.get()?.literal()?;
        let rest = arn
            .strip_prefix("arn:")?
            .split_once(':')?
            .1
            .strip_prefix("iam::aws:policy/")?;
        rest.rsplit('/').next()
    }
}

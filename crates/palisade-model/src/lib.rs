//! The application model: the one language spoken between Palisade's loaders and its analyzers.
//!
//! Loaders (SAM/CloudFormation today; Serverless Framework, Terraform and CDK later) turn a file
//! format into an [`App`]; analyzers read an `App` and produce [`Finding`]s; reporters turn
//! findings into bytes. This crate knows neither file formats nor security rules, and depends on
//! no other Palisade crate. Every element of the model carries the [`Span`] it came from.

mod app;
mod code;
mod date;
mod deps;
mod diagnostic;
mod finding;
mod footprint;
mod function;
mod iam;
mod least_privilege;
pub mod policy;
mod resource;
mod rule;
mod source;
mod suppression;
mod trigger;
mod value;

pub use app::{App, AppFormat, Parameter};
pub use code::{
    CodeIssue, CodeIssueKind, CodeSkip, FlowStep, FunctionCode, Language, ResourceName, SdkCall,
    SinkKind, TaintFlow,
};
pub use date::Date;
pub use deps::{
    Cvss, DepOwner, DependencySet, Ecosystem, Manifest, ManifestKind, Package, PackageHash,
    PackageSource, RuntimeSdk, SyncIssue, Vulnerability,
};
pub use diagnostic::{Diagnostic, DiagnosticLevel};
pub use finding::{
    Finding, FindingEvent, FindingPackage, FindingVulnerability, Location, Position, Related,
    fingerprint,
};
pub use footprint::{
    LevelActions, PermissionFootprint, PolicyExplanation, RiskyActions, ServiceActions,
};
pub use function::{
    Code, DEFAULT_MEMORY, DEFAULT_TIMEOUT, Destination, DestinationKind, EnvVar, Function,
    FunctionUrl, PackageType, RoleRef, Tracing, VpcConfig,
};
pub use iam::{
    Effect, ManagedPolicyRef, PatternItem, Patterns, PolicyDocument, PolicySource, Principal,
    PrincipalKind, Role, RoleKind, Statement,
};
pub use least_privilege::{
    LeastPrivilege, NeededPermission, PolicySnippet, PolicyStatement, UnresolvedSdkCall,
};
pub use resource::{
    Api, ApiKind, Bucket, Cors, LogGroup, Permission, PublicAccessBlock, Queue, Resource,
    ResourceKind, Route, Stage, Topic, WafAssociation,
};
pub use rule::{Area, Confidence, RuleMeta, Sas, Severity};
pub use source::{FileId, LineCol, SourceFile, SourceMap, Span, line_col};
pub use suppression::{Suppression, SuppressionOrigin};
pub use trigger::{Auth, Trigger, TriggerKind};
pub use value::{MapEntry, Prop, Resolved, Segment, Symbol, Text, Truth, Value, ValueKind};

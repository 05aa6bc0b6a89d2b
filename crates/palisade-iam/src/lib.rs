//! IAM knowledge: the action catalog (every service, action, access level, resource type and
//! condition key), the AWS managed policies, and IAM pattern matching.
//!
//! Embedded data is parsed lazily on first use. Depends on `palisade-model` only; it knows
//! nothing of file formats.

mod action_set;
mod catalog;
mod effective;
mod managed;
mod pattern;
mod risks;

pub use action_set::{ActionSet, at_level, unrestrictable};
pub use catalog::{AccessLevel, Action, Catalog, ResourceType, Service, catalog};
pub use effective::{
    Boundary, Effective, Expander, Grant, Source, UnknownAction, boundary_actions, effective,
    statement_actions,
};
pub use managed::{ManagedPolicy, managed_policy, managed_policy_by_arn, managed_policy_document};
pub use pattern::wildcard_match;
pub use risks::{Combo, Escalation, combos, escalations, risky_actions};

//! IAM knowledge: the action catalog (every service, action, access level, resource type and
//! condition key), the AWS managed policies, and IAM pattern matching.
//!
//! Embedded data is parsed lazily on first use. Depends on `palisade-model` only; it knows
//! nothing of file formats.

mod catalog;
mod managed;
mod pattern;

pub use catalog::{AccessLevel, Action, Catalog, ResourceType, Service, catalog};
pub use managed::{ManagedPolicy, managed_policy, managed_policy_by_arn, managed_policy_document};
pub use pattern::wildcard_match;

//! IAM knowledge: the action catalog (every service, action, access level, resource type and
//! condition key), the AWS managed policies, IAM pattern matching, and which IAM actions the
//! AWS SDK calls of function code need.
//!
//! Embedded data is parsed lazily on first use. Depends on `palisade-model` only; it knows
//! nothing of file formats.

mod action_set;
mod arn_match;
mod arns;
mod catalog;
mod conditions;
mod effective;
mod footprint;
mod global_keys;
mod managed;
mod needed;
mod pattern;
mod policy_gen;
mod risks;
mod sdk_data;
mod sdk_map;

pub use action_set::{ActionSet, at_level, unrestrictable};
pub use arn_match::{ArnPattern, resource_fits_template};
pub use catalog::{
    AccessLevel, Action, Catalog, ResourceType, Service, catalog, parse_embedded_catalog,
};
pub use conditions::{
    CONDITION_OPERATORS, ConditionKeyInfo, ConditionOperator, OperatorProblem, OperatorType,
    SetQualifier, condition_key_info, is_federation_key, is_multivalued, key_applies_to_action,
    operator_fits, parse_operator, suggest_condition_key, value_fits,
};
pub use effective::{
    Boundary, Effective, Expander, Grant, Source, UnknownAction, boundary_of_document,
    covers_whole_type, effective, statement_actions,
};
pub use footprint::{
    Footprint, FootprintCounts, Granted, LEVELS, Reach, ServiceGrants, footprint, footprint_counts,
};
pub use global_keys::{GLOBAL_CONDITION_KEYS, global_condition_key};
pub use managed::{ManagedPolicy, managed_policy, managed_policy_by_arn, managed_policy_document};
pub use needed::{ArnRef, Needed, NeededAction, UnresolvedCall, lambda_logs, needed};
pub use pattern::{pattern_covers, wildcard_match};
pub use policy_gen::{
    GeneratedPolicy, GeneratedStatement, LOGS_NOTE, SnippetStyle, generate, hcl_expr, yaml_expr,
};
pub use risks::{Combo, Escalation, combos, escalations, risky_actions};
pub use sdk_map::{ResourceMapping, SdkAction, SdkActions, Unresolved, actions_for, fill_template};

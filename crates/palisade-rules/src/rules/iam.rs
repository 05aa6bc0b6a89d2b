//! IAM rules (PAL2xx): judged on each role's own policies.

pub(crate) mod code_calls_action_not_granted;
pub(crate) mod condition_type_mismatch;
pub(crate) mod credentials_exposure;
pub(crate) mod data_exfiltration;
pub(crate) mod iam_passrole_any_resource;
pub(crate) mod iam_service_wildcard;
pub(crate) mod iam_star_action;
pub(crate) mod iam_write_on_any_resource;
mod mod_helpers;
pub(crate) mod over_permissioned_function;
mod policy_lint;
pub(crate) mod policy_variables_without_version;
pub(crate) mod privilege_escalation;
pub(crate) mod privileged_managed_policy;
pub(crate) mod redundant_statement;
pub(crate) mod resource_exposure;
pub(crate) mod resource_mismatch;
pub(crate) mod role_assumable_by_compute_service;
pub(crate) mod role_assumable_by_other_account;
pub(crate) mod role_shared_by_functions;
pub(crate) mod statement_denied_entirely;
pub(crate) mod trust_policy_any_principal;
pub(crate) mod unknown_action;
pub(crate) mod unknown_condition_key;

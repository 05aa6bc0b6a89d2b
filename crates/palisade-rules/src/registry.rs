//! The code table: every rule, once, in code order. Adding a rule is one line here.

use palisade_model::RuleMeta;

use crate::Rule;
use crate::rules::{code, config, deps, iam, tool};

/// Every rule that checks the model, in code order.
static RULES: &[&dyn Rule] = &[
    &config::function_timeout_exceeds_api_timeout::FunctionTimeoutExceedsApiTimeout,
    &config::function_timeout_near_maximum::FunctionTimeoutNearMaximum,
    &config::queue_visibility_timeout_too_short::QueueVisibilityTimeoutTooShort,
    &config::internet_function_without_concurrency_limit::InternetFunctionWithoutConcurrencyLimit,
    &config::function_url_without_auth::FunctionUrlWithoutAuth,
    &config::lambda_permission_to_anyone::LambdaPermissionToAnyone,
    &config::service_permission_without_source::ServicePermissionWithoutSource,
    &config::api_route_without_authorization::ApiRouteWithoutAuthorization,
    &config::cors_any_origin_with_credentials::CorsAnyOriginWithCredentials,
    &config::secret_in_environment_variable::SecretInEnvironmentVariable,
    &config::secret_parameter_without_noecho::SecretParameterWithoutNoEcho,
    &config::deprecated_runtime::DeprecatedRuntime,
    &config::async_trigger_without_failure_destination::AsyncTriggerWithoutFailureDestination,
    &config::function_tracing_disabled::FunctionTracingDisabled,
    &config::function_log_retention_not_set::FunctionLogRetentionNotSet,
    &config::function_without_code_signing::FunctionWithoutCodeSigning,
    &config::environment_secrets_without_customer_key::EnvironmentSecretsWithoutCustomerKey,
    &config::api_stage_without_waf::ApiStageWithoutWaf,
    &config::api_stage_without_access_logging::ApiStageWithoutAccessLogging,
    &config::rest_api_stage_without_execution_logging::RestApiStageWithoutExecutionLogging,
    &config::bucket_public_acl::BucketPublicAcl,
    &config::bucket_policy_public::BucketPolicyPublic,
    &config::bucket_without_public_access_block::BucketWithoutPublicAccessBlock,
    &config::queue_not_encrypted::QueueNotEncrypted,
    &config::topic_not_encrypted::TopicNotEncrypted,
    &config::layer_from_other_account::LayerFromOtherAccount,
    &config::unprotected_event_sources::UnprotectedEventSources,
    &config::api_stage_without_throttling::ApiStageWithoutThrottling,
    &config::resource_policy_public::ResourcePolicyPublic,
    &config::layer_publicly_shared::LayerPubliclyShared,
    &config::kms_key_rotation_disabled::KmsKeyRotationDisabled,
    &iam::iam_star_action::IamStarAction,
    &iam::iam_service_wildcard::IamServiceWildcard,
    &iam::iam_write_on_any_resource::IamWriteOnAnyResource,
    &iam::iam_passrole_any_resource::IamPassroleAnyResource,
    &iam::privileged_managed_policy::PrivilegedManagedPolicy,
    &iam::trust_policy_any_principal::TrustPolicyAnyPrincipal,
    &iam::role_shared_by_functions::RoleSharedByFunctions,
    &iam::privilege_escalation::PrivilegeEscalation,
    &iam::resource_exposure::ResourceExposure,
    &iam::data_exfiltration::DataExfiltration,
    &iam::credentials_exposure::CredentialsExposure,
    &iam::role_assumable_by_other_account::RoleAssumableByOtherAccount,
    &iam::role_assumable_by_compute_service::RoleAssumableByComputeService,
    &iam::over_permissioned_function::OverPermissionedFunction,
    &iam::code_calls_action_not_granted::CodeCallsActionNotGranted,
    &iam::unknown_action::UnknownAction,
    &iam::resource_mismatch::ResourceMismatch,
    &iam::unknown_condition_key::UnknownConditionKey,
    &iam::condition_type_mismatch::ConditionTypeMismatch,
    &iam::redundant_statement::RedundantStatement,
    &iam::statement_denied_entirely::StatementDeniedEntirely,
    &iam::policy_variables_without_version::PolicyVariablesWithoutVersion,
    &code::command_injection::CommandInjection,
    &code::code_injection::CodeInjection,
    &code::sql_injection::SqlInjection,
    &code::nosql_injection::NosqlInjection,
    &code::insecure_deserialization::InsecureDeserialization,
    &code::xml_external_entities::XmlExternalEntities,
    &code::server_side_request_forgery::ServerSideRequestForgery,
    &code::path_traversal::PathTraversal,
    &code::cross_site_scripting::CrossSiteScripting,
    &code::open_redirect::OpenRedirect,
    &code::secret_in_code::SecretInCode,
    &code::jwt_without_verification::JwtWithoutVerification,
    &code::sensitive_data_in_logs::SensitiveDataInLogs,
    &code::stack_trace_in_response::StackTraceInResponse,
    &deps::vulnerable_package::VulnerablePackage,
    &deps::malicious_package::MaliciousPackage,
    &deps::install_script::InstallScript,
    &deps::dependency_outside_registry::DependencyOutsideRegistry,
    &deps::unpinned_without_lock::UnpinnedWithoutLock,
    &deps::lock_file_out_of_sync::LockFileOutOfSync,
    &deps::lookalike_package_name::LookalikePackageName,
    &deps::runtime_provided_sdk::RuntimeProvidedSdk,
];

/// Rules the scan itself emits (suppression hygiene), with their documentation.
pub static TOOL_RULES: &[fn() -> &'static RuleMeta] = &[
    tool::unused_suppression::meta,
    tool::suppression_without_reason::meta,
];

pub fn rules() -> &'static [&'static dyn Rule] {
    RULES
}

/// Metadata of every rule, model and tool rules alike, in code order.
pub fn all_meta() -> Vec<&'static RuleMeta> {
    let mut all: Vec<&'static RuleMeta> = RULES.iter().map(|r| r.meta()).collect();
    all.extend(TOOL_RULES.iter().map(|m| m()));
    all.sort_by_key(|m| m.code);
    all
}

/// A rule's metadata by code (`PAL105`) or name (`function-url-without-auth`), any case.
pub fn meta(code_or_name: &str) -> Option<&'static RuleMeta> {
    all_meta().into_iter().find(|m| {
        m.code.eq_ignore_ascii_case(code_or_name) || m.name.eq_ignore_ascii_case(code_or_name)
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn codes_and_names_are_unique_and_well_formed() {
        let all = all_meta();
        let codes: BTreeSet<_> = all.iter().map(|m| m.code).collect();
        let names: BTreeSet<_> = all.iter().map(|m| m.name).collect();
        assert_eq!(codes.len(), all.len(), "duplicate rule code");
        assert_eq!(names.len(), all.len(), "duplicate rule name");
        for m in &all {
            assert!(m.code.len() == 6 && m.code.starts_with("PAL"), "{}", m.code);
            // IAM rules are PAL2xx, code analysis rules PAL3xx and dependency rules PAL4xx;
            // the other model rules of this crate are PAL1xx (configuration, some of it about
            // code: PAL127).
            let expected: &[&str] = match m.area {
                palisade_model::Area::Iam => &["PAL2"],
                palisade_model::Area::Code => &["PAL1", "PAL3"],
                palisade_model::Area::Dependencies => &["PAL1", "PAL4"],
                _ => &["PAL1"],
            };
            assert!(
                expected.iter().any(|p| m.code.starts_with(p)) || m.code.starts_with("PAL9"),
                "{} has area {:?}",
                m.code,
                m.area
            );
            assert!(
                m.name.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
                "{}",
                m.name
            );
        }
    }

    #[test]
    fn every_rule_is_documented() {
        for m in all_meta() {
            let docs = m.docs_text();
            for heading in [
                "## What it does",
                "## Why is this bad?",
                "## Example",
                "## Fix",
                "## References",
            ] {
                assert!(docs.contains(heading), "{} lacks `{heading}`", m.code);
            }
            assert!(
                docs.contains(m.sas.id()),
                "{} must reference its OWASP category {}",
                m.code,
                m.sas.id()
            );
            assert!(!m.fix.is_empty() && !m.title.is_empty());
        }
    }

    #[test]
    fn at_least_35_rules() {
        assert!(RULES.len() >= 35, "{}", RULES.len());
    }
}

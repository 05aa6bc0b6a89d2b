//! Code rules (PAL3xx): what the handler code does with the event it receives.

pub(crate) mod code_injection;
pub(crate) mod command_injection;
pub(crate) mod cross_site_scripting;
pub(crate) mod insecure_deserialization;
pub(crate) mod jwt_without_verification;
mod mod_helpers;
pub(crate) mod nosql_injection;
pub(crate) mod open_redirect;
pub(crate) mod path_traversal;
pub(crate) mod secret_in_code;
pub(crate) mod sensitive_data_in_logs;
pub(crate) mod server_side_request_forgery;
pub(crate) mod sql_injection;
pub(crate) mod stack_trace_in_response;
pub(crate) mod xml_external_entities;

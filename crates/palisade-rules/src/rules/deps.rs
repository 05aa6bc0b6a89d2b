//! Dependency and supply-chain rules (PAL4xx): what the packages each function and layer
//! ships are known to be, and how they are declared.

pub(crate) mod dependency_outside_registry;
pub(crate) mod install_script;
pub(crate) mod lock_file_out_of_sync;
pub(crate) mod lookalike_package_name;
pub(crate) mod malicious_package;
mod mod_helpers;
pub(crate) mod runtime_provided_sdk;
pub(crate) mod unpinned_without_lock;
pub(crate) mod vulnerable_package;

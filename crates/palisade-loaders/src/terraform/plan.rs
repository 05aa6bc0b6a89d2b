//! `terraform show -json` output (plans, and state) into [`super::TfResource`]s.

use std::path::Path;

use palisade_model::SourceMap;

use crate::{LoadError, LoadSettings, Loaded};

pub(crate) fn load_plan_file(
    _path: &Path,
    _rel: &str,
    _sources: &SourceMap,
    _settings: &LoadSettings,
) -> Result<Loaded, LoadError> {
    Ok(Loaded::NotAnApp)
}

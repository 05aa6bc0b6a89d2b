//! Serverless Framework configuration (`serverless.yml`, v3 and v4) into the application model.

use std::path::Path;

use palisade_model::SourceMap;

use crate::{LoadError, LoadSettings, Loaded};

/// Load one `serverless.yml`: `Ok(NotAnApp)` when it is not a Serverless Framework service
/// for AWS.
pub fn load(
    _path: &Path,
    _rel: &str,
    _sources: &SourceMap,
    _settings: &LoadSettings,
) -> Result<Loaded, LoadError> {
    Ok(Loaded::NotAnApp)
}

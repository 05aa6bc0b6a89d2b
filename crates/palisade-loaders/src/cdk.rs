//! CDK cloud assemblies (`cdk.out`): every stack template, with each function's code folder
//! from the asset metadata and each element's construct path.

use std::path::Path;

use palisade_model::{App, SourceMap};

use crate::{LoadError, LoadSettings};

#[derive(Debug, Default)]
pub struct CdkLoaded {
    pub apps: Vec<App>,
    pub errors: Vec<LoadError>,
}

pub fn load(_dir: &Path, _rel: &str, _sources: &SourceMap, _settings: &LoadSettings) -> CdkLoaded {
    CdkLoaded::default()
}

//! npm manifests and lock files: `package-lock.json` (v1, v2, v3), `npm-shrinkwrap.json`,
//! `yarn.lock` (classic and berry), `pnpm-lock.yaml`, `package.json`, and `node_modules/`.

use std::path::Path;

use palisade_model::ManifestKind;

use crate::parse::{Installed, ParseError, ParsedFile};

/// The kind of an npm file, from its name (and, for `yarn.lock`, its first bytes).
pub fn kind_of(file_name: &str, head: &str) -> Option<ManifestKind> {
    let _ = (file_name, head);
    None
}

/// Parse one npm manifest or lock file.
pub fn parse(kind: ManifestKind, text: &str) -> Result<ParsedFile, ParseError> {
    let _ = text;
    Ok(ParsedFile::new(kind))
}

/// The packages installed under `node_modules` (a folder that contains it is given).
pub fn read_installed(node_modules: &Path) -> Installed {
    let _ = node_modules;
    Installed::default()
}

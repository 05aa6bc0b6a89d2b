//! Python manifests and lock files: `requirements*.txt`, `Pipfile`, `Pipfile.lock`,
//! `poetry.lock`, `uv.lock`, `pyproject.toml`, and installed `*.dist-info` folders.

use std::path::Path;

use palisade_model::ManifestKind;

use crate::parse::{Installed, ParseError, ParsedFile};

/// The kind of a Python file, from its name.
pub fn kind_of(file_name: &str, head: &str) -> Option<ManifestKind> {
    let _ = (file_name, head);
    None
}

/// Parse one Python manifest or lock file.
pub fn parse(kind: ManifestKind, text: &str) -> Result<ParsedFile, ParseError> {
    let _ = text;
    Ok(ParsedFile::new(kind))
}

/// The packages installed in a folder (`pip install -t`): its `*.dist-info` folders.
pub fn read_installed(dir: &Path) -> Installed {
    let _ = dir;
    Installed::default()
}

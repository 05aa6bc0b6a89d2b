//! Errors of the engine itself (not of the scanned input, which become diagnostics).

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("cannot read baseline {path}: {source}")]
    BaselineIo {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("baseline {path} is not a Palisade baseline: {source}")]
    BaselineFormat {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
    #[error("invalid exclude pattern `{pattern}`: {message}")]
    Glob { pattern: String, message: String },
    #[error("scan path {path} does not exist")]
    NoSuchPath { path: PathBuf },
}

//! Why a file could not be loaded.

use palisade_model::{Diagnostic, LineCol};

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read the file: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "the file is {size} bytes, over the {limit}-byte limit for a template; it was not read \
         (raise `max-file-size` in palisade.toml if this is intended)"
    )]
    TooLarge { path: String, size: u64, limit: u64 },
    #[error("binary file (NUL byte at offset {offset}); it was not read")]
    Binary { path: String, offset: usize },
    #[error("invalid UTF-8; templates must be UTF-8 text")]
    InvalidUtf8 { path: String, position: LineCol },
    #[error("{message}")]
    Yaml {
        path: String,
        position: Option<LineCol>,
        message: String,
    },
    #[error("{message}")]
    Json {
        path: String,
        position: Option<LineCol>,
        message: String,
    },
    #[error("{message}")]
    Hcl {
        path: String,
        position: Option<LineCol>,
        message: String,
    },
    #[error("{message}")]
    Walk { path: String, message: String },
}

impl LoadError {
    pub fn path(&self) -> &str {
        match self {
            LoadError::Io { path, .. }
            | LoadError::TooLarge { path, .. }
            | LoadError::Binary { path, .. }
            | LoadError::InvalidUtf8 { path, .. }
            | LoadError::Yaml { path, .. }
            | LoadError::Json { path, .. }
            | LoadError::Hcl { path, .. }
            | LoadError::Walk { path, .. } => path,
        }
    }

    pub fn position(&self) -> Option<LineCol> {
        match self {
            LoadError::InvalidUtf8 { position, .. } => Some(*position),
            LoadError::Yaml { position, .. }
            | LoadError::Json { position, .. }
            | LoadError::Hcl { position, .. } => *position,
            _ => None,
        }
    }

    pub fn to_diagnostic(&self) -> Diagnostic {
        Diagnostic::error(self.path(), self.position(), self.to_string())
    }
}

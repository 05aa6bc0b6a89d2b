//! Problems with the input itself (a file that cannot be parsed, a value that cannot be
//! resolved), as opposed to findings about the application.

use crate::source::LineCol;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DiagnosticLevel {
    /// Something could not be read; results for it are missing.
    Error,
    /// Read, but part of it could not be understood; results may be incomplete.
    Warning,
    /// Informational (a file skipped on purpose).
    Note,
}

impl DiagnosticLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            DiagnosticLevel::Error => "error",
            DiagnosticLevel::Warning => "warning",
            DiagnosticLevel::Note => "note",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diagnostic {
    /// Path relative to the scan root.
    pub path: String,
    pub position: Option<LineCol>,
    pub level: DiagnosticLevel,
    pub message: String,
}

impl Diagnostic {
    pub fn error(
        path: impl Into<String>,
        position: Option<LineCol>,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            path: path.into(),
            position,
            level: DiagnosticLevel::Error,
            message: message.into(),
        }
    }

    pub fn warning(
        path: impl Into<String>,
        position: Option<LineCol>,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            level: DiagnosticLevel::Warning,
            ..Diagnostic::error(path, position, message)
        }
    }

    pub fn note(
        path: impl Into<String>,
        position: Option<LineCol>,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            level: DiagnosticLevel::Note,
            ..Diagnostic::error(path, position, message)
        }
    }
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.position {
            Some(p) => write!(
                f,
                "{}:{}:{}: {}: {}",
                self.path,
                p.line,
                p.col,
                self.level.as_str(),
                self.message
            ),
            None => write!(
                f,
                "{}: {}: {}",
                self.path,
                self.level.as_str(),
                self.message
            ),
        }
    }
}

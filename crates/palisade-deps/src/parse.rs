//! What every manifest and lock-file parser returns: packages with byte ranges into the file's
//! text. Parsers never read other files; the caller follows includes (`-r other.txt`).

use std::ops::Range;

use palisade_model::{ManifestKind, PackageHash, PackageSource};

/// Lock files and manifests larger than this are refused (a lock file of the largest
/// monorepos is a few tens of MB).
pub const MAX_MANIFEST_BYTES: usize = 64 * 1024 * 1024;

/// One package as a file declares it.
#[derive(Clone, Debug, PartialEq)]
pub struct ParsedPackage {
    /// The name as written.
    pub name: String,
    /// The exact version (locked, installed, or pinned with `==`/`===`), when known.
    pub version: Option<String>,
    /// The requirement as written in a manifest (`^4.17.0`, `>=2.0,<3`, `*`); `None` in lock
    /// entries that only carry a version.
    pub requirement: Option<String>,
    pub source: PackageSource,
    /// Development-only (not deployed).
    pub dev: bool,
    /// Declared by the project itself, not pulled in by another package.
    pub direct: bool,
    pub hashes: Vec<PackageHash>,
    /// Runs a script when installed.
    pub install_script: bool,
    /// Byte range of the declaration in the file (the entry's key or line).
    pub range: Range<usize>,
    /// Unique among this file's packages; what [`ParsedPackage::dependencies`] refer to.
    pub key: String,
    /// Keys of the packages this one depends on, resolved within the same file.
    pub dependencies: Vec<String>,
}

/// An include another file asks for (`-r base.txt`, `-c constraints.txt`).
#[derive(Clone, Debug, PartialEq)]
pub struct Include {
    /// The path as written, relative to the including file's folder.
    pub path: String,
    /// `-c`: constraints only, which pin versions of packages declared elsewhere without
    /// declaring any.
    pub constraints: bool,
    pub range: Range<usize>,
}

/// Something the parser skipped or could not understand; the rest of the file is still used.
#[derive(Clone, Debug, PartialEq)]
pub struct ParseProblem {
    pub offset: usize,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ParsedFile {
    pub kind: ManifestKind,
    pub packages: Vec<ParsedPackage>,
    pub includes: Vec<Include>,
    pub problems: Vec<ParseProblem>,
}

impl ParsedFile {
    pub fn new(kind: ManifestKind) -> Self {
        ParsedFile {
            kind,
            packages: Vec::new(),
            includes: Vec::new(),
            problems: Vec::new(),
        }
    }
}

/// Why a file could not be read at all.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("{message}")]
    Syntax { message: String, offset: usize },
    #[error("the file is larger than {limit} bytes")]
    TooLarge { limit: usize },
}

impl ParseError {
    pub fn offset(&self) -> usize {
        match self {
            ParseError::Syntax { offset, .. } => *offset,
            ParseError::TooLarge { .. } => 0,
        }
    }
}

/// One package found installed on disk (`node_modules/x/package.json`,
/// `x-1.0.dist-info/METADATA`), with the text of the file that describes it so that the
/// caller can register it and point at it.
#[derive(Clone, Debug, PartialEq)]
pub struct InstalledFile {
    pub path: std::path::PathBuf,
    pub text: String,
    pub package: ParsedPackage,
}

/// What a walk over installed packages found.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Installed {
    pub files: Vec<InstalledFile>,
    /// Files that could not be read, with why.
    pub problems: Vec<(std::path::PathBuf, ParseProblem)>,
}

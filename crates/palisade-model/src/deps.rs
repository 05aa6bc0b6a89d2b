//! What each function and layer ships as third-party packages, and what is known about them:
//! the facts dependency rules (PAL4xx) and the SBOM read. Filled by the engine through
//! `palisade-deps` after loading.

use crate::rule::Severity;
use crate::source::Span;

/// A package ecosystem, as OSV names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Ecosystem {
    Npm,
    PyPI,
}

impl Ecosystem {
    pub const ALL: [Ecosystem; 2] = [Ecosystem::Npm, Ecosystem::PyPI];

    /// The name OSV records use in `affected[].package.ecosystem`.
    pub fn osv_name(self) -> &'static str {
        match self {
            Ecosystem::Npm => "npm",
            Ecosystem::PyPI => "PyPI",
        }
    }

    pub fn from_osv(name: &str) -> Option<Ecosystem> {
        match name {
            "npm" => Some(Ecosystem::Npm),
            "PyPI" => Some(Ecosystem::PyPI),
            _ => None,
        }
    }

    /// The package-url type (`pkg:npm/…`, `pkg:pypi/…`).
    pub fn purl_type(self) -> &'static str {
        match self {
            Ecosystem::Npm => "npm",
            Ecosystem::PyPI => "pypi",
        }
    }

    /// The name under which two spellings are the same package: npm names compare
    /// case-insensitively in advisories (`Axios`); PyPI names are normalised as PEP 503 says
    /// (lower case, runs of `-`, `_`, `.` become one `-`).
    pub fn normalize_name(self, name: &str) -> String {
        match self {
            Ecosystem::Npm => name.trim().to_ascii_lowercase(),
            Ecosystem::PyPI => {
                let mut out = String::with_capacity(name.len());
                let mut sep = false;
                for c in name.trim().chars() {
                    if matches!(c, '-' | '_' | '.') {
                        sep = true;
                        continue;
                    }
                    if sep && !out.is_empty() {
                        out.push('-');
                    }
                    sep = false;
                    out.push(c.to_ascii_lowercase());
                }
                out
            }
        }
    }
}

/// The kind of file a package list was read from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ManifestKind {
    /// `package-lock.json` (v1, v2, v3) or `node_modules/.package-lock.json`.
    PackageLock,
    NpmShrinkwrap,
    YarnClassic,
    YarnBerry,
    PnpmLock,
    /// `package.json`: ranges only.
    PackageJson,
    /// Packages installed under `node_modules/` (their own `package.json` files).
    NodeModules,
    /// `requirements*.txt` (with its `-r` includes).
    Requirements,
    PipfileLock,
    /// `Pipfile`: ranges only.
    Pipfile,
    PoetryLock,
    UvLock,
    /// `pyproject.toml` (PEP 621 `[project]` or `[tool.poetry]`): ranges only.
    Pyproject,
    /// Packages installed beside the code (`*.dist-info`, `*.egg-info`), as `pip install -t`
    /// leaves them.
    SitePackages,
}

impl ManifestKind {
    pub fn ecosystem(self) -> Ecosystem {
        match self {
            ManifestKind::PackageLock
            | ManifestKind::NpmShrinkwrap
            | ManifestKind::YarnClassic
            | ManifestKind::YarnBerry
            | ManifestKind::PnpmLock
            | ManifestKind::PackageJson
            | ManifestKind::NodeModules => Ecosystem::Npm,
            ManifestKind::Requirements
            | ManifestKind::PipfileLock
            | ManifestKind::Pipfile
            | ManifestKind::PoetryLock
            | ManifestKind::UvLock
            | ManifestKind::Pyproject
            | ManifestKind::SitePackages => Ecosystem::PyPI,
        }
    }

    /// True when the file fixes exact versions (a lock file or what is installed).
    /// `requirements.txt` is not: it pins only what it pins (see [`Package::version`]).
    pub fn is_lock(self) -> bool {
        matches!(
            self,
            ManifestKind::PackageLock
                | ManifestKind::NpmShrinkwrap
                | ManifestKind::YarnClassic
                | ManifestKind::YarnBerry
                | ManifestKind::PnpmLock
                | ManifestKind::NodeModules
                | ManifestKind::PipfileLock
                | ManifestKind::PoetryLock
                | ManifestKind::UvLock
                | ManifestKind::SitePackages
        )
    }

    pub fn label(self) -> &'static str {
        match self {
            ManifestKind::PackageLock => "package-lock.json",
            ManifestKind::NpmShrinkwrap => "npm-shrinkwrap.json",
            ManifestKind::YarnClassic => "yarn.lock (classic)",
            ManifestKind::YarnBerry => "yarn.lock (berry)",
            ManifestKind::PnpmLock => "pnpm-lock.yaml",
            ManifestKind::PackageJson => "package.json",
            ManifestKind::NodeModules => "node_modules",
            ManifestKind::Requirements => "requirements.txt",
            ManifestKind::PipfileLock => "Pipfile.lock",
            ManifestKind::Pipfile => "Pipfile",
            ManifestKind::PoetryLock => "poetry.lock",
            ManifestKind::UvLock => "uv.lock",
            ManifestKind::Pyproject => "pyproject.toml",
            ManifestKind::SitePackages => "installed packages",
        }
    }
}

/// One file a package list was read from.
#[derive(Clone, Debug, PartialEq)]
pub struct Manifest {
    /// Path relative to the scan root, `/`-separated.
    pub path: String,
    pub kind: ManifestKind,
    /// The start of the file (files are in the scan's source map).
    pub span: Span,
}

/// Where a package comes from.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PackageSource {
    /// The ecosystem's registry (npmjs, PyPI, or a mirror of it).
    Registry,
    /// A git repository (`git+https://…`, `github:user/repo`, `git+ssh://…@ref`).
    Git { url: String },
    /// An archive at a URL (`https://…/pkg.tgz`, a wheel URL).
    Url { url: String },
    /// A local folder or file (`file:../lib`, `-e ./pkg`, `{path = "…"}`).
    Path { path: String },
}

/// A hash of the package's archive, as the lock file records it, in hex.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PackageHash {
    /// `SHA-1`, `SHA-256`, `SHA-384` or `SHA-512` (CycloneDX's names).
    pub alg: String,
    /// Lower-case hex.
    pub hex: String,
}

/// One package a function or layer ships (or would ship, for ranges without a lock).
#[derive(Clone, Debug, PartialEq)]
pub struct Package {
    pub ecosystem: Ecosystem,
    /// The name as written.
    pub name: String,
    /// The exact version (locked, installed or pinned with `==`), when known.
    pub version: Option<String>,
    /// The requirement as the manifest writes it (`^4.17.0`, `>=2.0,<3`), when the package is
    /// declared there.
    pub requirement: Option<String>,
    pub source: PackageSource,
    /// Only needed to develop or build (npm `dev`, Pipenv `develop`, poetry groups other than
    /// main): not deployed, so not a finding.
    pub dev: bool,
    /// Declared by the manifest itself rather than pulled in by another package.
    pub direct: bool,
    pub hashes: Vec<PackageHash>,
    /// The package runs a script when installed (npm `preinstall`/`install`/`postinstall`,
    /// `hasInstallScript`).
    pub install_script: bool,
    /// Index of the manifest in [`DependencySet::manifests`] that declares it.
    pub manifest: usize,
    /// Where that manifest declares it.
    pub span: Span,
    /// Indexes in [`DependencySet::packages`] of the packages it depends on.
    pub dependencies: Vec<usize>,
    /// A popular package whose name this one is one edit (or only separators) away from.
    pub lookalike_of: Option<String>,
}

impl Package {
    /// The package URL (`pkg:npm/%40scope/name@1.2.3`, `pkg:pypi/name@1.2.3`).
    pub fn purl(&self) -> String {
        let name = match self.ecosystem {
            Ecosystem::Npm => match self.name.strip_prefix('@').and_then(|s| s.split_once('/')) {
                Some((scope, rest)) => format!("%40{scope}/{rest}"),
                None => self.name.clone(),
            },
            Ecosystem::PyPI => self.ecosystem.normalize_name(&self.name),
        };
        match &self.version {
            Some(v) => format!("pkg:{}/{name}@{v}", self.ecosystem.purl_type()),
            None => format!("pkg:{}/{name}", self.ecosystem.purl_type()),
        }
    }
}

/// A declared dependency whose lock entry is missing or does not satisfy the declaration.
#[derive(Clone, Debug, PartialEq)]
pub struct SyncIssue {
    pub name: String,
    /// What is wrong, in a sentence (`declared ^5.0.0 but the lock has 4.17.21`).
    pub detail: String,
    /// The declaration in the manifest.
    pub span: Span,
    /// The lock file, by index in [`DependencySet::manifests`].
    pub lock: usize,
}

/// The CVSS vector of an advisory and the base score computed from it.
#[derive(Clone, Debug, PartialEq)]
pub struct Cvss {
    /// `CVSS_V3`, `CVSS_V4`, `CVSS_V2`.
    pub kind: String,
    pub vector: String,
    /// The base score, when Palisade can compute it for this version.
    pub score: Option<f32>,
}

/// One vulnerability (all aliases merged) affecting one package.
#[derive(Clone, Debug, PartialEq)]
pub struct Vulnerability {
    /// Index in [`DependencySet::packages`].
    pub package: usize,
    /// The id shown: a GHSA id when one of the merged records has one, else the first id.
    pub id: String,
    /// Every other id of the merged records and their aliases (CVE, GHSA, PYSEC, …), sorted.
    pub aliases: Vec<String>,
    pub summary: String,
    pub severity: Severity,
    pub cvss: Option<Cvss>,
    /// Versions that fix it, in the package's ecosystem order.
    pub fixed: Vec<String>,
    /// An OSV `MAL-` record: the package is known to be malicious.
    pub malicious: bool,
    /// The affected ranges as the advisory states them (`>=0, <4.17.21`), for the message.
    pub affected: String,
    pub references: Vec<String>,
}

/// A function that uses an AWS SDK it does not ship, so it runs the runtime's copy.
#[derive(Clone, Debug, PartialEq)]
pub struct RuntimeSdk {
    /// `boto3`, `aws-sdk` (v2) or `@aws-sdk/*` (v3).
    pub package: String,
    pub runtime: String,
    /// The version the runtime provides, when Palisade's table knows it; `None` when the
    /// runtime does not provide this SDK at all (the import fails at run time).
    pub version: Option<String>,
    /// Where the code uses it.
    pub span: Span,
}

/// Who ships a set of packages.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DepOwner {
    /// A function, by logical id.
    Function(String),
    /// A layer resource of the app, by logical id.
    Layer(String),
}

impl DepOwner {
    pub fn id(&self) -> &str {
        match self {
            DepOwner::Function(id) | DepOwner::Layer(id) => id,
        }
    }
}

/// Everything one function's or layer's code folder ships.
#[derive(Clone, Debug, PartialEq)]
pub struct DependencySet {
    pub owner: DepOwner,
    /// The code folder, relative to the scan root.
    pub folder: String,
    pub manifests: Vec<Manifest>,
    pub packages: Vec<Package>,
    pub sync_issues: Vec<SyncIssue>,
    pub vulnerabilities: Vec<Vulnerability>,
    pub runtime_sdks: Vec<RuntimeSdk>,
    /// Logical ids of the app's layers this function uses (their own sets are separate).
    pub layers: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_normalise_per_ecosystem() {
        assert_eq!(Ecosystem::PyPI.normalize_name("Flask_Cors"), "flask-cors");
        assert_eq!(
            Ecosystem::PyPI.normalize_name("zope.interface"),
            "zope-interface"
        );
        assert_eq!(Ecosystem::PyPI.normalize_name("a--_b"), "a-b");
        assert_eq!(Ecosystem::Npm.normalize_name("Axios"), "axios");
    }
}

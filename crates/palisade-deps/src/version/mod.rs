//! Versions and requirements as each ecosystem defines them: npm semver (node-semver's
//! ranges and pre-release rules) and PEP 440 (normalisation, epochs, local versions,
//! specifiers).
//!
//! Both are maintained crates behind these functions: `nodejs-semver` (npm) and `pep440_rs`
//! (PyPI); `npm.rs` and `pep440.rs` say where they are more lenient than the standard and how
//! that is corrected. Callers that compare one version against many (advisory matching) parse
//! it once with [`Version::parse`] and use [`Version::compare`] / [`Requirement::matches`].

mod npm;
mod pep440;

use std::cmp::Ordering;

use palisade_model::Ecosystem;

pub use pep440::Requirement as PyPIRequirement;

/// A parsed version of one ecosystem.
#[derive(Clone, Debug)]
pub enum Version {
    Npm(nodejs_semver::Version),
    PyPI(pep440_rs::Version),
}

impl Version {
    /// Parse a version: npm accepts node-semver's loose forms found in lock files (`v1.2.3`,
    /// `=1.2.3`, `1.2.3beta`); PyPI accepts every spelling PEP 440 normalises (`1.0RC1`,
    /// `v1.0`, `1.0-1`, `1.0_post1`).
    pub fn parse(ecosystem: Ecosystem, text: &str) -> Option<Version> {
        match ecosystem {
            Ecosystem::Npm => npm::parse_version(text).map(Version::Npm),
            Ecosystem::PyPI => pep440::parse_version(text).map(Version::PyPI),
        }
    }

    pub fn ecosystem(&self) -> Ecosystem {
        match self {
            Version::Npm(_) => Ecosystem::Npm,
            Version::PyPI(_) => Ecosystem::PyPI,
        }
    }

    /// The ecosystem's order (npm: build metadata ignored; PyPI: `1.0 == 1.0.0`, local
    /// versions after their public version); `None` across ecosystems.
    pub fn compare(&self, other: &Version) -> Option<Ordering> {
        match (self, other) {
            (Version::Npm(a), Version::Npm(b)) => Some(a.cmp(b)),
            (Version::PyPI(a), Version::PyPI(b)) => Some(a.cmp(b)),
            _ => None,
        }
    }

    /// Whether the version is a pre-release (npm `-beta`; PyPI `a`/`b`/`rc`/`.dev`).
    pub fn is_prerelease(&self) -> bool {
        match self {
            Version::Npm(v) => v.is_prerelease(),
            Version::PyPI(v) => v.any_prerelease(),
        }
    }
}

/// A parsed requirement of one ecosystem.
#[derive(Clone, Debug)]
pub enum Requirement {
    Npm(nodejs_semver::Range),
    PyPI(PyPIRequirement),
}

impl Requirement {
    /// npm: a node-semver range (`""` and `*` are any version; aliases, git, file, URL and
    /// tag specifiers are not ranges: `None`). PyPI: a PEP 440 specifier set, with poetry's
    /// `^`, `~`, bare versions and `||`.
    pub fn parse(ecosystem: Ecosystem, text: &str) -> Option<Requirement> {
        match ecosystem {
            Ecosystem::Npm => npm::parse_range(text).map(Requirement::Npm),
            Ecosystem::PyPI => pep440::Requirement::parse(text).map(Requirement::PyPI),
        }
    }

    /// Whether the version is allowed; `None` across ecosystems. npm follows node-semver
    /// without `includePrerelease`: a pre-release only matches a comparator set that names a
    /// pre-release of the same `[major, minor, patch]`.
    pub fn matches(&self, version: &Version) -> Option<bool> {
        match (self, version) {
            (Requirement::Npm(range), Version::Npm(v)) => Some(range.satisfies(v)),
            (Requirement::PyPI(req), Version::PyPI(v)) => Some(req.contains(v)),
            _ => None,
        }
    }
}

/// Order two versions; `None` when either is not a valid version of the ecosystem.
pub fn compare(ecosystem: Ecosystem, a: &str, b: &str) -> Option<Ordering> {
    Version::parse(ecosystem, a)?.compare(&Version::parse(ecosystem, b)?)
}

/// Whether a version satisfies a requirement (`^1.2.0 || 2.x`, `>=2.0,<3,!=2.1.*`);
/// `None` when either cannot be parsed.
pub fn satisfies(ecosystem: Ecosystem, version: &str, requirement: &str) -> Option<bool> {
    let version = Version::parse(ecosystem, version)?;
    Requirement::parse(ecosystem, requirement)?.matches(&version)
}

/// The single version a requirement allows, when it pins one (`1.2.3`, `=1.2.3`, `==1.2.3`,
/// `===1.2.3`).
pub fn pinned(ecosystem: Ecosystem, requirement: &str) -> Option<String> {
    match ecosystem {
        Ecosystem::Npm => npm::pinned(requirement),
        Ecosystem::PyPI => pep440::Requirement::pinned(requirement),
    }
}

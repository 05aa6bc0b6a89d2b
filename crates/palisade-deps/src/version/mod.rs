//! Versions and requirements as each ecosystem defines them: npm semver (node-semver's
//! ranges and pre-release rules) and PEP 440 (normalisation, epochs, local versions,
//! specifiers).

use std::cmp::Ordering;

use palisade_model::Ecosystem;

/// Order two versions; `None` when either is not a valid version of the ecosystem.
pub fn compare(ecosystem: Ecosystem, a: &str, b: &str) -> Option<Ordering> {
    let _ = (ecosystem, a, b);
    None
}

/// Whether a version satisfies a requirement (`^1.2.0 || 2.x`, `>=2.0,<3,!=2.1.*`);
/// `None` when either cannot be parsed.
pub fn satisfies(ecosystem: Ecosystem, version: &str, requirement: &str) -> Option<bool> {
    let _ = (ecosystem, version, requirement);
    None
}

/// The single version a requirement allows, when it pins one (`1.2.3`, `=1.2.3`, `==1.2.3`,
/// `===1.2.3`).
pub fn pinned(ecosystem: Ecosystem, requirement: &str) -> Option<String> {
    let _ = (ecosystem, requirement);
    None
}

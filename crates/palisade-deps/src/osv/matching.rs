//! Whether a version is affected by an OSV `affected` entry, in its ecosystem's order.

use palisade_model::Ecosystem;

use super::Affected;

/// True when `version` of the package is affected: it is listed in `versions`, or one of the
/// `SEMVER`/`ECOSYSTEM` ranges contains it. `GIT` ranges are not evaluated.
pub fn affects(ecosystem: Ecosystem, version: &str, affected: &Affected) -> bool {
    let _ = (ecosystem, version, affected);
    false
}

/// The versions that fix it (`fixed` events), in ecosystem order, without duplicates.
pub fn fixed_versions(ecosystem: Ecosystem, affected: &Affected) -> Vec<String> {
    let _ = (ecosystem, affected);
    Vec::new()
}

/// The affected ranges in words: `>=1.0.0, <1.2.3; >=2.0.0, <2.0.5`.
pub fn describe(affected: &Affected) -> String {
    let _ = affected;
    String::new()
}

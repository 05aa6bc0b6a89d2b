use palisade_model::App;

use super::mod_helpers::{finding_package, package_key, report};
use crate::{Checker, Rule};

declare_rule! {
    /// ## What it does
    /// Finds direct dependencies whose name is one edit (a letter added, dropped, changed or two
    /// letters swapped) or only separators (`-`, `_`, `.`) away from a popular package of the
    /// same ecosystem (`reqeusts` for `requests`, `crossenv` for `cross-env`) without being
    /// popular itself: the shape of a typosquat. Scoped npm names are compared only with other
    /// scoped names, outside their own scope. The list of popular packages ships with
    /// Palisade, with its source (`crates/palisade-deps/data/PROVENANCE.md`).
    ///
    /// ## Why is this bad?
    /// Attackers publish packages under misspellings of popular names and wait for a typo in a
    /// manifest; the impostor usually works like the original and also steals what it can.
    ///
    /// ## Example
    /// ```text
    /// reqeusts==2.31.0
    /// ```
    ///
    /// Use instead:
    /// ```text
    /// requests==2.31.0
    /// ```
    ///
    /// ## Fix
    /// Check the name against the package you meant; if it was a typo, replace it and treat the
    /// machines that installed it as compromised.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S9:2017 Using Components with Known Vulnerabilities
    pub(crate) struct LookalikePackageName {
        code: "PAL407",
        name: "lookalike-package-name",
        title: "Dependency named like a popular package (possible typosquat)",
        severity: High,
        confidence: Medium,
        sas: S9,
        area: Dependencies,
        fix: "Check the name against the package you meant; if it was a typo, replace it and treat the machines that installed it as compromised.",
    }
}

impl Rule for LookalikePackageName {
    fn check(&self, app: &App, cx: &mut Checker<'_>) {
        for set in &app.deps {
            for p in &set.packages {
                let Some(popular) = &p.lookalike_of else {
                    continue;
                };
                let message = format!(
                    "{} is one letter away from the popular package {popular}: a typo, or a typosquat",
                    p.name
                );
                let Some(r) = report(cx, app, set, p.span, message) else {
                    continue;
                };
                r.at(package_key(p))
                    .package(finding_package(set, p, None))
                    .emit();
            }
        }
    }
}

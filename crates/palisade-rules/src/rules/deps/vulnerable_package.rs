use palisade_model::App;

use super::mod_helpers::{finding_package, manifest_of, package_key, package_label, report};
use crate::{Checker, Rule};

declare_rule! {
    /// ## What it does
    /// Finds packages a function or layer ships at a version that a published advisory (OSV:
    /// GitHub, PyPA, the Node.js Security WG…) says is vulnerable. Records of one vulnerability
    /// under several ids (GHSA, CVE, PYSEC) are merged into one finding per package, with every
    /// id, the versions that fix it and the severity (CVSS when the advisory gives a vector).
    /// Development dependencies are not deployed and are not reported.
    ///
    /// Needs an advisory database: `palisade db import` (see the guide).
    ///
    /// ## Why is this bad?
    /// A function runs its packages' code with its own role and its own event data. A known
    /// flaw in one of them is the cheapest way in: exploits for published advisories are public.
    ///
    /// ## Example
    /// ```json
    /// "node_modules/lodash": { "version": "4.17.20" }
    /// ```
    ///
    /// Use instead:
    /// ```json
    /// "node_modules/lodash": { "version": "4.17.21" }
    /// ```
    ///
    /// ## Fix
    /// Upgrade the package to a fixed version (for a transitive package, upgrade the package
    /// that pulls it in, or use `overrides` / a constraint), rebuild the lock file and redeploy.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S9:2017 Using Components with Known Vulnerabilities
    /// - OSV schema: https://ossf.github.io/osv-schema/
    pub(crate) struct VulnerablePackage {
        code: "PAL401",
        name: "vulnerable-package",
        title: "Package with a known vulnerability",
        severity: High,
        confidence: High,
        sas: S9,
        area: Dependencies,
        fix: "Upgrade the package to a version that fixes the advisory, rebuild the lock file and redeploy.",
    }
}

impl Rule for VulnerablePackage {
    fn check(&self, app: &App, cx: &mut Checker<'_>) {
        for set in &app.deps {
            for v in set.vulnerabilities.iter().filter(|v| !v.malicious) {
                let Some(p) = set.packages.get(v.package).filter(|p| !p.dev) else {
                    continue;
                };
                let ids = if v.aliases.is_empty() {
                    v.id.clone()
                } else {
                    format!("{} ({})", v.id, v.aliases.join(", "))
                };
                let summary = if v.summary.is_empty() {
                    String::new()
                } else {
                    format!(": {}", v.summary)
                };
                let score = v
                    .cvss
                    .as_ref()
                    .and_then(|c| c.score)
                    .map(|s| format!(", CVSS {s:.1}"))
                    .unwrap_or_default();
                let message = format!(
                    "{} is affected by {ids}{summary} [{}{score}]",
                    package_label(p),
                    v.severity
                );
                let fix = if v.fixed.is_empty() {
                    format!(
                        "No fixed version of {} is published for {}; remove the package or replace it.",
                        p.name, v.id
                    )
                } else {
                    format!(
                        "Upgrade {} to {} or later (see {}), rebuild {} and redeploy.",
                        p.name,
                        v.fixed.join(" / "),
                        v.id,
                        manifest_of(set, p)
                    )
                };
                let Some(r) = report(cx, app, set, p.span, message) else {
                    continue;
                };
                r.at(package_key(p))
                    .at(v.id.clone())
                    .severity(v.severity)
                    .package(finding_package(set, p, Some(v)))
                    .fix(fix)
                    .emit();
            }
        }
    }
}

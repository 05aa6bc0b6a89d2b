use palisade_model::App;

use super::mod_helpers::{finding_package, package_key, package_label, report};
use crate::{Checker, Rule};

declare_rule! {
    /// ## What it does
    /// Finds packages that an OSV `MAL-` record (the OpenSSF malicious-packages database,
    /// imported with `palisade db import`) lists as malicious: typosquats, hijacked releases,
    /// packages published to steal credentials. Every shipped package is checked, development
    /// dependencies too, since a malicious install script runs on the machine that builds.
    ///
    /// ## Why is this bad?
    /// Malicious code runs with the function's role and sees every event; its install script
    /// already ran on the developer's and the CI's machines, where deploy credentials live.
    ///
    /// ## Example
    /// ```text
    /// crossenv==6.1.1    # a typosquat of cross-env that sent environment variables away
    /// ```
    ///
    /// ## Fix
    /// Remove the package, rotate every credential the function's role and the build machines
    /// could reach, and check the function's logs for what it did.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S9:2017 Using Components with Known Vulnerabilities
    /// - OpenSSF malicious packages: https://github.com/ossf/malicious-packages
    pub(crate) struct MaliciousPackage {
        code: "PAL402",
        name: "malicious-package",
        title: "Package known to be malicious",
        severity: Critical,
        confidence: High,
        sas: S9,
        area: Dependencies,
        fix: "Remove the package, rotate every credential the function and the build machines could reach, and review what it did.",
    }
}

impl Rule for MaliciousPackage {
    fn check(&self, app: &App, cx: &mut Checker<'_>) {
        for set in &app.deps {
            for v in set.vulnerabilities.iter().filter(|v| v.malicious) {
                let Some(p) = set.packages.get(v.package) else {
                    continue;
                };
                let summary = if v.summary.is_empty() {
                    String::new()
                } else {
                    format!(": {}", v.summary)
                };
                let message = format!(
                    "{} is a known malicious package ({}){summary}",
                    package_label(p),
                    v.id
                );
                let Some(r) = report(cx, app, set, p.span, message) else {
                    continue;
                };
                r.at(package_key(p))
                    .at(v.id.clone())
                    .package(finding_package(set, p, Some(v)))
                    .emit();
            }
        }
    }
}

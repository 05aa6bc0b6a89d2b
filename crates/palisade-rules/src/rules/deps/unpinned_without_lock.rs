use palisade_model::App;

use super::mod_helpers::{deployed, finding_package, manifest_of, package_key, report};
use crate::{Checker, Rule};

declare_rule! {
    /// ## What it does
    /// Finds deployed dependencies declared with a range (`^4.17.0`, `>=2.0`, `*`, no version at
    /// all) in a folder that has neither a lock file nor installed packages, so the versions
    /// deployed are whatever the registry serves on the day of the build.
    ///
    /// ## Why is this bad?
    /// Every build can ship different code: a compromised or broken release published today
    /// goes to production with the next deploy, and no one can say afterwards which versions
    /// ran. Advisories cannot be matched either, since the version is unknown.
    ///
    /// ## Example
    /// ```text
    /// requests>=2.0
    /// ```
    ///
    /// Use instead:
    /// ```text
    /// requests==2.32.3 --hash=sha256:…
    /// ```
    ///
    /// ## Fix
    /// Commit a lock file (`package-lock.json`, `poetry.lock`, `uv.lock`, `Pipfile.lock`) or pin
    /// exact versions with hashes (`pip-compile --generate-hashes`), and build from it
    /// (`npm ci`, `pip install --require-hashes`).
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S9:2017 Using Components with Known Vulnerabilities
    /// - pip, secure installs: https://pip.pypa.io/en/stable/topics/secure-installs/
    pub(crate) struct UnpinnedWithoutLock {
        code: "PAL405",
        name: "unpinned-dependency-without-lock",
        title: "Dependency version not pinned, and no lock file",
        severity: Medium,
        confidence: High,
        sas: S9,
        area: Dependencies,
        fix: "Commit a lock file or pin exact versions with hashes, and build from it.",
    }
}

impl Rule for UnpinnedWithoutLock {
    fn check(&self, app: &App, cx: &mut Checker<'_>) {
        for set in &app.deps {
            for p in deployed(set) {
                let locked = set
                    .manifests
                    .get(p.manifest)
                    .is_some_and(|m| m.kind.is_lock());
                if locked
                    || p.version.is_some()
                    || !matches!(p.source, palisade_model::PackageSource::Registry)
                {
                    continue;
                }
                let range = match p.requirement.as_deref().map(str::trim) {
                    None | Some("") | Some("*") => "any version".to_string(),
                    Some(r) => format!("the range `{r}`"),
                };
                let message = format!(
                    "{} is declared with {range} in {} and no lock file fixes the version",
                    p.name,
                    manifest_of(set, p)
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

use palisade_model::{App, PackageSource, Severity};

use super::mod_helpers::{deployed, finding_package, package_key, report};
use crate::{Checker, Rule};

declare_rule! {
    /// ## What it does
    /// Finds deployed packages that do not come from the ecosystem's registry: a git
    /// repository (`git+https://…`, `github:user/repo`), an archive at a URL, or a local path
    /// (`file:../lib`, `-e ./pkg`, `{ path = "…" }`).
    ///
    /// ## Why is this bad?
    /// Such packages skip what the registry offers: immutable versions, advisories, malware
    /// takedowns. A branch or tag can be moved to other code without any change to the lock
    /// file; a URL serves whatever its host serves today; a local path ships whatever is in that
    /// folder on the machine that builds.
    ///
    /// ## Example
    /// ```json
    /// "dependencies": { "utils": "github:acme/utils#main" }
    /// ```
    ///
    /// Use instead:
    /// ```json
    /// "dependencies": { "@acme/utils": "2.3.1" }
    /// ```
    ///
    /// ## Fix
    /// Publish the package to a registry (a private one is fine) and depend on a version; if a
    /// git dependency must stay, pin it to a full commit hash.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S9:2017 Using Components with Known Vulnerabilities
    pub(crate) struct DependencyOutsideRegistry {
        code: "PAL404",
        name: "dependency-outside-registry",
        title: "Package from git, a URL or a local path",
        severity: Medium,
        confidence: High,
        sas: S9,
        area: Dependencies,
        fix: "Publish the package to a registry and depend on a version, or pin a git dependency to a full commit hash.",
    }
}

/// A git reference is pinned when it names a full commit (40 or 64 hex digits).
fn pinned_commit(url: &str) -> bool {
    let reference = url.rsplit(['#', '@']).next().unwrap_or("");
    let reference = reference.strip_prefix("commit=").unwrap_or(reference);
    matches!(reference.len(), 40 | 64) && reference.bytes().all(|b| b.is_ascii_hexdigit())
}

impl Rule for DependencyOutsideRegistry {
    fn check(&self, app: &App, cx: &mut Checker<'_>) {
        for set in &app.deps {
            for p in deployed(set) {
                let (what, severity) = match &p.source {
                    PackageSource::Registry => continue,
                    PackageSource::Git { url } if pinned_commit(url) => {
                        (format!("the git repository {url}"), Severity::Low)
                    }
                    PackageSource::Git { url } => (
                        format!("the git repository {url}, at a reference that can move"),
                        Severity::Medium,
                    ),
                    PackageSource::Url { url } => (format!("the URL {url}"), Severity::Medium),
                    PackageSource::Path { path } => {
                        (format!("the local path {path}"), Severity::Low)
                    }
                };
                let message = format!("{} comes from {what}, not from the registry", p.name);
                let Some(r) = report(cx, app, set, p.span, message) else {
                    continue;
                };
                r.at(package_key(p))
                    .severity(severity)
                    .package(finding_package(set, p, None))
                    .emit();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_full_commit_hash_is_pinned() {
        assert!(super::pinned_commit(
            "git+https://github.com/a/b.git#0123456789abcdef0123456789abcdef01234567"
        ));
        assert!(!super::pinned_commit("git+https://github.com/a/b.git#main"));
        assert!(!super::pinned_commit("github:a/b"));
    }
}

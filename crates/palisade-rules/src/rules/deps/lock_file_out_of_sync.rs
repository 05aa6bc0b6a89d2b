use palisade_model::App;

use super::mod_helpers::report;
use crate::{Checker, Rule};

declare_rule! {
    /// ## What it does
    /// Finds manifests whose lock file no longer matches them: a dependency declared in
    /// `package.json`, `Pipfile` or `pyproject.toml` that the lock file does not have, or has at
    /// a version the declaration does not allow.
    ///
    /// ## Why is this bad?
    /// The lock file is what reviews, audits and this scan read; `npm install` or
    /// `pip install` then resolve something else at build time, so what is deployed was never
    /// audited. `npm ci` and `poetry install` fail outright on such a project.
    ///
    /// ## Example
    /// ```json
    /// "dependencies": { "axios": "^1.7.0" }      // package.json
    /// "node_modules/axios": { "version": "0.21.1" } // package-lock.json
    /// ```
    ///
    /// ## Fix
    /// Regenerate the lock file (`npm install`, `poetry lock`, `uv lock`, `pipenv lock`), review
    /// the change, commit both files, and build with the lock-respecting command (`npm ci`).
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S9:2017 Using Components with Known Vulnerabilities
    pub(crate) struct LockFileOutOfSync {
        code: "PAL406",
        name: "lock-file-out-of-sync",
        title: "Lock file out of sync with its manifest",
        severity: Medium,
        confidence: High,
        sas: S9,
        area: Dependencies,
        fix: "Regenerate the lock file, review the change, commit both files, and build with npm ci / poetry install.",
    }
}

impl Rule for LockFileOutOfSync {
    fn check(&self, app: &App, cx: &mut Checker<'_>) {
        for set in &app.deps {
            for issue in &set.sync_issues {
                let lock = set
                    .manifests
                    .get(issue.lock)
                    .map_or("the lock file", |m| m.path.as_str());
                let message = format!("{}: {} ({lock})", issue.name, issue.detail);
                let Some(r) = report(cx, app, set, issue.span, message) else {
                    continue;
                };
                r.at(format!("Sync/{}", issue.name)).emit();
            }
        }
    }
}

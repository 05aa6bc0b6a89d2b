use palisade_model::App;

use super::mod_helpers::{finding_package, package_key, package_label, report};
use crate::{Checker, Rule};

declare_rule! {
    /// ## What it does
    /// Finds packages that run a script when installed: npm `preinstall`, `install` or
    /// `postinstall` scripts (recorded by the lock file as `hasInstallScript` or
    /// `requiresBuild`, or found in the installed package's `package.json`), and native addons
    /// built with node-gyp. Development dependencies count too: they are installed on the
    /// machines that build and deploy.
    ///
    /// ## Why is this bad?
    /// An install script runs arbitrary code, with the developer's or the CI's credentials,
    /// before anyone has looked at the package. It is how most malicious npm releases act.
    ///
    /// ## Example
    /// ```json
    /// "node_modules/some-addon": { "version": "1.0.0", "hasInstallScript": true }
    /// ```
    ///
    /// ## Fix
    /// Keep packages with install scripts to those you have reviewed; install with
    /// `npm ci --ignore-scripts` and run the scripts you need explicitly, or allow-list them
    /// (pnpm `onlyBuiltDependencies`, yarn `enableScripts: false` plus `dependenciesMeta`).
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S9:2017 Using Components with Known Vulnerabilities
    /// - npm docs, scripts: https://docs.npmjs.com/cli/using-npm/scripts
    pub(crate) struct InstallScript {
        code: "PAL403",
        name: "package-install-script",
        title: "Package runs a script when installed",
        severity: Low,
        confidence: High,
        sas: S9,
        area: Dependencies,
        fix: "Review packages with install scripts; install with --ignore-scripts and allow-list the scripts you need.",
    }
}

impl Rule for InstallScript {
    fn check(&self, app: &App, cx: &mut Checker<'_>) {
        for set in &app.deps {
            for p in set.packages.iter().filter(|p| p.install_script) {
                let dev = if p.dev {
                    " (a development dependency)"
                } else {
                    ""
                };
                let message = format!(
                    "{}{dev} runs a script when it is installed",
                    package_label(p)
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

use palisade_model::{App, Confidence, Severity};

use super::mod_helpers::report;
use crate::{Checker, Rule};

declare_rule! {
    /// ## What it does
    /// Finds functions whose code calls an AWS SDK (boto3, the JavaScript SDK v2 `aws-sdk` or
    /// v3 `@aws-sdk/*`) that neither the function nor its folder ships, so it runs the copy
    /// the Lambda runtime provides: the finding names the runtime and the SDK version AWS lists
    /// for it. When the runtime provides no such SDK (the v2 `aws-sdk` on Node.js 18 and
    /// later), the import fails at run time unless a layer provides it, and the finding says so
    /// at a higher severity.
    ///
    /// ## Why is this bad?
    /// The runtime's SDK changes when AWS updates the runtime, outside your releases and your
    /// dependency audit: the version that runs is not the one you tested, and advisories against
    /// it are AWS's schedule, not yours.
    ///
    /// ## Example
    /// ```python
    /// import boto3   # requirements.txt does not list boto3
    /// ```
    ///
    /// ## Fix
    /// Ship the SDK with the function (add `boto3` / `@aws-sdk/client-…` to the manifest and the
    /// lock file) when the version matters; otherwise accept it knowingly.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S9:2017 Using Components with Known Vulnerabilities
    /// - AWS Lambda runtimes: https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html
    pub(crate) struct RuntimeProvidedSdk {
        code: "PAL408",
        name: "runtime-provided-sdk",
        title: "Function uses the AWS SDK its runtime provides",
        severity: Info,
        confidence: Medium,
        sas: S9,
        area: Dependencies,
        fix: "Ship the SDK with the function and lock its version when the version matters.",
    }
}

impl Rule for RuntimeProvidedSdk {
    fn check(&self, app: &App, cx: &mut Checker<'_>) {
        for set in &app.deps {
            for sdk in &set.runtime_sdks {
                let (message, severity) = match &sdk.version {
                    // AWS publishes exact versions for old runtimes only (`1.x` otherwise).
                    Some(v) if v.ends_with(".x") => (
                        format!(
                            "the code uses {} without shipping it: it runs the {} {v} release that AWS chose for the {} runtime",
                            sdk.package, sdk.package, sdk.runtime
                        ),
                        Severity::Info,
                    ),
                    Some(v) => (
                        format!(
                            "the code uses {} without shipping it: it runs the {} runtime's {} {v}",
                            sdk.package, sdk.runtime, sdk.package
                        ),
                        Severity::Info,
                    ),
                    None => (
                        format!(
                            "the code uses {} without shipping it, and the {} runtime does not provide it: the import fails unless a layer ships it",
                            sdk.package, sdk.runtime
                        ),
                        Severity::High,
                    ),
                };
                let Some(r) = report(cx, app, set, sdk.span, message) else {
                    continue;
                };
                let confidence = if set.layers.is_empty() {
                    Confidence::High
                } else {
                    Confidence::Low
                };
                r.at(format!("RuntimeSdk/{}", sdk.package))
                    .severity(severity)
                    .confidence(confidence)
                    .emit();
            }
        }
    }
}

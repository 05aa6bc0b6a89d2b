use palisade_model::{App, Code, PackageType, Truth};

use crate::{Checker, Rule};

declare_rule! {
    /// ## What it does
    /// Finds functions deployed from a .zip package without a code signing configuration.
    ///
    /// ## Why is this bad?
    /// Without code signing, Lambda runs whatever package is uploaded by anyone allowed to call
    /// `UpdateFunctionCode`: a leaked CI credential or a compromised build step can replace the
    /// function's code with no trace in the source repository. Code signing makes Lambda reject
    /// packages not signed by your trusted signing profiles.
    ///
    /// ## Example
    /// ```yaml
    /// Payments:
    ///   Type: AWS::Serverless::Function
    ///   Properties:
    ///     CodeUri: src/payments
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    ///     CodeSigningConfigArn: !Ref SigningConfig
    /// ```
    ///
    /// ## Fix
    /// Create an `AWS::Lambda::CodeSigningConfig` with an AWS Signer profile, set its policy to
    /// `Enforce`, sign packages in CI and reference the config from every function.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S6:2017 Security Misconfiguration
    /// - <https://docs.aws.amazon.com/lambda/latest/dg/configuration-codesigning.html>
    pub(crate) struct FunctionWithoutCodeSigning {
        code: "PAL116",
        name: "function-without-code-signing",
        title: "Function without code signing",
        severity: Low,
        confidence: High,
        sas: S6,
        area: Configuration,
        fix: "Attach a code signing configuration (CodeSigningConfigArn) that enforces signed packages.",
    }
}

impl Rule for FunctionWithoutCodeSigning {
    fn check(&self, app: &App, cx: &mut Checker<'_>) {
        for f in &app.functions {
            // Code signing applies to .zip packages; images and inline code cannot use it.
            if f.package_type == PackageType::Image
                || matches!(f.code, Code::Inline { .. } | Code::Image { .. })
            {
                continue;
            }
            let truth = match &f.code_signing {
                None => Truth::Always,
                Some(p) => match p.absent_when() {
                    Some(cond) => Truth::Depends(cond.to_string()),
                    None => continue,
                },
            };
            cx.report(
                f.span,
                format!("{} has no code signing configuration", f.id),
            )
            .function(f)
            .at("CodeSigningConfigArn")
            .truth(&truth)
            .emit();
        }
    }
}

use palisade_model::{App, Truth};

use crate::{Checker, Rule};

declare_rule! {
    /// ## What it does
    /// Finds function URLs with `AuthType: NONE`.
    ///
    /// ## Why is this bad?
    /// A function URL with no authentication is a public HTTPS endpoint: anyone who learns the URL
    /// can invoke the function, with no API Gateway in front to authorize, throttle, validate or
    /// log requests, and no WAF. Every input the function reads is attacker-controlled.
    ///
    /// ## Example
    /// ```yaml
    /// Webhook:
    ///   Type: AWS::Serverless::Function
    ///   Properties:
    ///     FunctionUrlConfig:
    ///       AuthType: NONE
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    ///     FunctionUrlConfig:
    ///       AuthType: AWS_IAM
    /// ```
    ///
    /// ## Fix
    /// Use `AuthType: AWS_IAM` (callers sign requests), or put the function behind API Gateway with
    /// an authorizer. If the endpoint must be public (a webhook), verify a signature in the handler,
    /// cap its concurrency, and say so in a suppression with the reason.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S2:2017 Broken Authentication
    /// - <https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html>
    pub(crate) struct FunctionUrlWithoutAuth {
        code: "PAL105",
        name: "function-url-without-auth",
        title: "Function URL without authentication",
        severity: High,
        confidence: High,
        sas: S2,
        area: Configuration,
        fix: "Set the function URL's AuthType to AWS_IAM, or front the function with an authorized API.",
    }
}

impl Rule for FunctionUrlWithoutAuth {
    fn check(&self, app: &App, cx: &mut Checker<'_>) {
        for f in &app.functions {
            let Some(url) = &f.url else { continue };
            let truth = match (
                url.auth_type.test(|a| a.eq_ignore_ascii_case("NONE")),
                &url.condition,
            ) {
                // The URL itself exists only under a condition.
                (Truth::Always, Some(cond)) => Truth::Depends(cond.clone()),
                (truth, _) => truth,
            };
            if matches!(truth, Truth::Never | Truth::Unknown(_)) {
                continue;
            }
            cx.report(
                url.auth_type.span,
                format!("the function URL of {} has AuthType NONE: anyone on the internet can invoke it", f.id),
            )
            .function(f)
            .at("FunctionUrl")
            .truth(&truth)
            .emit();
        }
    }
}

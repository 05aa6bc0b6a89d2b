use palisade_model::{App, Cors, Span, Truth};

use crate::{Checker, Rule};

declare_rule! {
    /// ## What it does
    /// Finds APIs and function URLs whose CORS configuration allows any origin (`*`) together with
    /// credentials (`AllowCredentials: true`).
    ///
    /// ## Why is this bad?
    /// Allowing credentials tells browsers to send cookies and authorization headers cross-origin.
    /// Combined with a wildcard origin, the usual implementations reflect the caller's origin so
    /// that browsers accept the response: any website a victim visits can then call the API as the
    /// victim and read the answer.
    ///
    /// ## Example
    /// ```yaml
    /// Api:
    ///   Type: AWS::Serverless::Api
    ///   Properties:
    ///     Cors:
    ///       AllowOrigin: "'*'"
    ///       AllowCredentials: true
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    ///     Cors:
    ///       AllowOrigin: "'https://app.example.com'"
    ///       AllowCredentials: true
    /// ```
    ///
    /// ## Fix
    /// List the exact origins that need credentialed access, or drop `AllowCredentials`.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S6:2017 Security Misconfiguration
    /// - <https://developer.mozilla.org/en-US/docs/Web/HTTP/CORS#requests_with_credentials>
    pub(crate) struct CorsAnyOriginWithCredentials {
        code: "PAL109",
        name: "cors-any-origin-with-credentials",
        title: "CORS allows any origin with credentials",
        severity: Medium,
        confidence: High,
        sas: S6,
        area: Configuration,
        fix: "List the allowed origins explicitly when AllowCredentials is true.",
    }
}

fn risky(cors: &Cors) -> Option<(Span, Truth)> {
    let origin = cors.allows_any_origin()?;
    let creds = cors.allow_credentials.as_ref()?;
    let truth = creds.test(|c| *c);
    matches!(truth, Truth::Always | Truth::Depends(_)).then_some((origin.span, truth))
}

impl Rule for CorsAnyOriginWithCredentials {
    fn check(&self, app: &App, cx: &mut Checker<'_>) {
        for api in &app.apis {
            let Some(cors) = &api.cors else { continue };
            let Some((span, truth)) = risky(cors) else {
                continue;
            };
            cx.report(
                span,
                format!(
                    "{} {} allows any origin (*) to make credentialed requests",
                    api.kind.label(),
                    api.id
                ),
            )
            .api(api)
            .at("Cors")
            .truth(&truth)
            .emit();
        }
        for f in &app.functions {
            let Some(cors) = f.url.as_ref().and_then(|u| u.cors.as_ref()) else {
                continue;
            };
            let Some((span, truth)) = risky(cors) else {
                continue;
            };
            cx.report(
                span,
                format!(
                    "the function URL of {} allows any origin (*) to make credentialed requests",
                    f.id
                ),
            )
            .function(f)
            .at("FunctionUrl/Cors")
            .truth(&truth)
            .emit();
        }
    }
}

use palisade_model::App;

use crate::{Checker, Rule};

declare_rule! {
    /// ## What it does
    /// Finds API stages with no stage-wide throttling (rate and burst limits).
    ///
    /// ## Why is this bad?
    /// Without throttling of its own, a stage shares the account's regional limit (10,000 requests
    /// per second by default): one abused API can exhaust it for every API of the account, and
    /// every request it lets through invokes, and bills, a function.
    ///
    /// ## Example
    /// ```yaml
    /// Api:
    ///   Type: AWS::Serverless::Api
    ///   Properties:
    ///     StageName: prod
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    ///     MethodSettings:
    ///       - {ResourcePath: "/*", HttpMethod: "*", ThrottlingRateLimit: 100, ThrottlingBurstLimit: 50}
    /// ```
    ///
    /// ## Fix
    /// Set rate and burst limits for all routes of the stage (`MethodSettings` for REST APIs,
    /// `DefaultRouteSettings` for HTTP APIs), sized to the expected traffic.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S6:2017 Security Misconfiguration (denial of wallet)
    /// - <https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html>
    pub(crate) struct ApiStageWithoutThrottling {
        code: "PAL128",
        name: "api-stage-without-throttling",
        title: "API stage without throttling limits",
        severity: Low,
        confidence: High,
        sas: S6,
        area: Configuration,
        fix: "Set stage-wide rate and burst limits sized to the expected traffic.",
    }
}

impl Rule for ApiStageWithoutThrottling {
    fn check(&self, app: &App, cx: &mut Checker<'_>) {
        for api in &app.apis {
            if api.is_private() {
                continue;
            }
            for stage in &api.stages {
                if stage.throttling.is_some() {
                    continue;
                }
                let name = stage.name.render();
                cx.report(
                    stage.span,
                    format!(
                        "stage {name} of {} {} sets no throttling limits",
                        api.kind.label(),
                        api.id
                    ),
                )
                .api(api)
                .at(format!("Stage:{name}/Throttling"))
                .emit();
            }
        }
    }
}

use palisade_model::{ApiKind, App, Truth};

use crate::{Checker, Rule};

declare_rule! {
    /// ## What it does
    /// Finds REST API stages whose execution logging (`LoggingLevel` in the stage's method
    /// settings) is absent or `OFF`.
    ///
    /// ## Why is this bad?
    /// Execution logs record what API Gateway itself did with a request: authorizer decisions,
    /// request validation failures, integration errors and throttling. They are how you see an
    /// authorizer being probed or requests rejected before they reach the function.
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
    ///       - {ResourcePath: "/*", HttpMethod: "*", LoggingLevel: ERROR}
    /// ```
    ///
    /// ## Fix
    /// Set `LoggingLevel: ERROR` (or `INFO`) for all methods; avoid `DataTraceEnabled` in
    /// production, which logs request bodies.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S10:2017 Insufficient Logging and Monitoring
    /// - <https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html>
    pub(crate) struct RestApiStageWithoutExecutionLogging {
        code: "PAL120",
        name: "rest-api-stage-without-execution-logging",
        title: "REST API stage without execution logging",
        severity: Low,
        confidence: High,
        sas: S10,
        area: Monitoring,
        fix: "Set LoggingLevel to ERROR or INFO for all methods of the stage.",
    }
}

impl Rule for RestApiStageWithoutExecutionLogging {
    fn check(&self, app: &App, cx: &mut Checker<'_>) {
        for api in app.apis.iter().filter(|a| a.kind == ApiKind::Rest) {
            for stage in &api.stages {
                let (span, truth) = match &stage.execution_logging {
                    None => (stage.span, Truth::Always),
                    Some(level) => (level.span, level.test(|l| l.eq_ignore_ascii_case("OFF"))),
                };
                if matches!(truth, Truth::Never | Truth::Unknown(_)) {
                    continue;
                }
                let name = stage.name.render();
                cx.report(
                    span,
                    format!(
                        "stage {name} of REST API {} has execution logging off",
                        api.id
                    ),
                )
                .api(api)
                .at(format!("Stage:{name}/ExecutionLog"))
                .truth(&truth)
                .emit();
            }
        }
    }
}

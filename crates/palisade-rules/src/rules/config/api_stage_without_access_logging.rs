use palisade_model::App;

use crate::{Checker, Rule};

declare_rule! {
    /// ## What it does
    /// Finds API stages (REST, HTTP and WebSocket) without access logging.
    ///
    /// ## Why is this bad?
    /// Access logs are the record of who called which route, from where, with what result. Without
    /// them, an incident response cannot tell which requests an attacker made, and anomalies
    /// (credential stuffing, enumeration, abuse of one route) go unseen.
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
    ///     AccessLogSetting:
    ///       DestinationArn: !GetAtt ApiLogs.Arn
    ///       Format: '{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","route":"$context.routeKey","status":"$context.status"}'
    /// ```
    ///
    /// ## Fix
    /// Set `AccessLogSetting` (REST) or `AccessLogSettings` (HTTP, WebSocket) with a JSON format,
    /// to a log group with retention.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S10:2017 Insufficient Logging and Monitoring
    /// - <https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html>
    pub(crate) struct ApiStageWithoutAccessLogging {
        code: "PAL119",
        name: "api-stage-without-access-logging",
        title: "API stage without access logging",
        severity: Medium,
        confidence: High,
        sas: S10,
        area: Monitoring,
        fix: "Configure access logging for the stage to a log group with retention.",
    }
}

impl Rule for ApiStageWithoutAccessLogging {
    fn check(&self, app: &App, cx: &mut Checker<'_>) {
        for api in &app.apis {
            for stage in &api.stages {
                if stage.access_log_destination.is_some() {
                    continue;
                }
                let name = stage.name.render();
                cx.report(
                    stage.span,
                    format!(
                        "stage {name} of {} {} has no access logging",
                        api.kind.label(),
                        api.id
                    ),
                )
                .api(api)
                .at(format!("Stage:{name}/AccessLog"))
                .emit();
            }
        }
    }
}

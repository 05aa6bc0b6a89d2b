use palisade_model::{App, TriggerKind};

use crate::{Checker, Rule};

declare_rule! {
    /// ## What it does
    /// Finds functions behind a REST or HTTP API whose timeout is longer than the API's
    /// integration timeout (29 seconds by default for REST APIs, 30 seconds at most for HTTP APIs).
    ///
    /// ## Why is this bad?
    /// API Gateway gives up on the integration after 29 s and answers `504`, but the function keeps
    /// running, and billing, until its own timeout. An attacker who finds a slow path can make each
    /// cheap request cost minutes of compute (denial of wallet), and legitimate callers retry into
    /// work that is still running.
    ///
    /// ## Example
    /// ```yaml
    /// Orders:
    ///   Type: AWS::Serverless::Function
    ///   Properties:
    ///     Timeout: 120
    ///     Events:
    ///       Get: {Type: Api, Properties: {Path: /orders, Method: get}}
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    ///     Timeout: 25
    /// ```
    ///
    /// ## Fix
    /// Set the timeout at or below the API's integration timeout, or hand long work to an
    /// asynchronous path (a queue, a Step Functions execution) and return `202`.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S6:2017 Security Misconfiguration (denial of wallet)
    /// - <https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html>
    pub(crate) struct FunctionTimeoutExceedsApiTimeout {
        code: "PAL101",
        name: "function-timeout-exceeds-api-timeout",
        title: "Function timeout is longer than the API in front of it",
        severity: Medium,
        confidence: High,
        sas: S6,
        area: Configuration,
        fix: "Keep the timeout at or below the API's integration timeout (29 s), or make the work asynchronous.",
    }
}

/// API Gateway's integration timeouts in seconds.
const REST_LIMIT: u64 = 29;
const HTTP_LIMIT: u64 = 30;

impl Rule for FunctionTimeoutExceedsApiTimeout {
    fn check(&self, app: &App, cx: &mut Checker<'_>) {
        for f in &app.functions {
            let Some(trigger) = f
                .triggers
                .iter()
                .find(|t| matches!(t.kind, TriggerKind::RestApi | TriggerKind::HttpApi))
            else {
                continue;
            };
            let limit = if trigger.kind == TriggerKind::RestApi {
                REST_LIMIT
            } else {
                HTTP_LIMIT
            };
            let Some(timeout) = &f.timeout else { continue };
            let truth = timeout.test(|t| *t > limit);
            if matches!(
                truth,
                palisade_model::Truth::Never | palisade_model::Truth::Unknown(_)
            ) {
                continue;
            }
            let route = trigger
                .route()
                .map(|r| format!(" ({r})"))
                .unwrap_or_default();
            cx.report(
                timeout.span,
                format!(
                    "{} has a {} s timeout but is invoked through {} {}{route}, which ends the \
                     request after {limit} s: the caller gets a 504 while the function runs on",
                    f.id,
                    timeout.render(),
                    trigger.kind.label(),
                    trigger.api.as_deref().unwrap_or("?"),
                ),
            )
            .function(f)
            .at("Timeout")
            .truth(&truth)
            .related(
                format!("{} trigger {}", trigger.kind.label(), trigger.id),
                trigger.span,
            )
            .emit();
        }
    }
}

use palisade_model::{App, Truth};

use crate::{Checker, Rule};

declare_rule! {
    /// ## What it does
    /// Finds functions whose timeout is at or near Lambda's 900-second maximum.
    ///
    /// ## Why is this bad?
    /// A timeout is a safety limit, not a target. With 15 minutes, a hung dependency, an infinite
    /// loop or an attacker-controlled slow input keeps an invocation running and billing for the
    /// whole quarter hour, and holds a unit of concurrency that other requests need.
    ///
    /// ## Example
    /// ```yaml
    /// Report:
    ///   Type: AWS::Serverless::Function
    ///   Properties:
    ///     Timeout: 900
    /// ```
    ///
    /// Use instead: measure the real durations (`palisade timeouts` on the function's logs) and set
    /// the timeout a little above their tail, or split long work into steps.
    ///
    /// ## Fix
    /// Set the timeout from observed durations with some headroom; move work that really takes
    /// minutes to Step Functions or a batch service.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S6:2017 Security Misconfiguration (denial of wallet)
    /// - <https://docs.aws.amazon.com/lambda/latest/dg/configuration-timeout.html>
    pub(crate) struct FunctionTimeoutNearMaximum {
        code: "PAL102",
        name: "function-timeout-near-maximum",
        title: "Function timeout at or near the 900 s maximum",
        severity: Low,
        confidence: High,
        sas: S6,
        area: Configuration,
        fix: "Set the timeout from the function's observed durations plus headroom, well below 900 s.",
    }
}

/// Timeouts from this value up are "at or near" the maximum.
const NEAR_MAXIMUM: u64 = 840;

impl Rule for FunctionTimeoutNearMaximum {
    fn check(&self, app: &App, cx: &mut Checker<'_>) {
        for f in &app.functions {
            let Some(timeout) = &f.timeout else { continue };
            let truth = timeout.test(|t| *t >= NEAR_MAXIMUM);
            if matches!(truth, Truth::Never | Truth::Unknown(_)) {
                continue;
            }
            cx.report(
                timeout.span,
                format!(
                    "{} has a {} s timeout (Lambda's maximum is 900 s): a stuck or abused \
                     invocation runs and bills for up to 15 minutes",
                    f.id,
                    timeout.render()
                ),
            )
            .function(f)
            .at("Timeout")
            .truth(&truth)
            .emit();
        }
    }
}

use palisade_model::{App, Tracing, Truth};

use crate::{Checker, Rule};

declare_rule! {
    /// ## What it does
    /// Finds functions without active X-Ray tracing.
    ///
    /// ## Why is this bad?
    /// Traces show which function called which service with what latency and error, across the
    /// many small functions of an application. Without them, following an attacker's path or an
    /// anomaly from the API through queues to the database depends on correlating logs by hand.
    ///
    /// ## Example
    /// ```yaml
    /// Orders:
    ///   Type: AWS::Serverless::Function
    ///   Properties:
    ///     Handler: app.handler
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// Globals:
    ///   Function:
    ///     Tracing: Active
    /// ```
    ///
    /// ## Fix
    /// Set `Tracing: Active` (SAM) or `TracingConfig: {Mode: Active}` for every function.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S10:2017 Insufficient Logging and Monitoring
    /// - <https://docs.aws.amazon.com/lambda/latest/dg/services-xray.html>
    pub(crate) struct FunctionTracingDisabled {
        code: "PAL114",
        name: "function-tracing-disabled",
        title: "Function without active tracing",
        severity: Low,
        confidence: High,
        sas: S10,
        area: Monitoring,
        fix: "Enable active X-Ray tracing (Tracing: Active).",
    }
}

impl Rule for FunctionTracingDisabled {
    fn check(&self, app: &App, cx: &mut Checker<'_>) {
        for f in &app.functions {
            let (span, truth) = match &f.tracing {
                None => (f.span, Truth::Always),
                // An absent branch (`AWS::NoValue`) falls back to PassThrough.
                Some(t) => (t.span, t.test_or_absent(|m| *m != Tracing::Active, true)),
            };
            if matches!(truth, Truth::Never | Truth::Unknown(_)) {
                continue;
            }
            cx.report(span, format!("{} does not have active tracing", f.id))
                .function(f)
                .at("Tracing")
                .truth(&truth)
                .emit();
        }
    }
}

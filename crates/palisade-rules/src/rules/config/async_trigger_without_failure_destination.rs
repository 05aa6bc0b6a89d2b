use palisade_model::App;

use crate::{Checker, Rule};

declare_rule! {
    /// ## What it does
    /// Finds functions invoked asynchronously (by S3, SNS, EventBridge rules and schedules,
    /// CloudWatch Logs, IoT, SES) that have neither a dead-letter queue nor an on-failure
    /// destination.
    ///
    /// ## Why is this bad?
    /// Lambda retries a failed asynchronous event twice and then drops it. Without a place for
    /// failed events, errors caused by malformed or malicious input leave no trace beyond a log
    /// line, data is silently lost, and an attack that makes the function fail goes unnoticed.
    ///
    /// ## Example
    /// ```yaml
    /// Thumbnails:
    ///   Type: AWS::Serverless::Function
    ///   Properties:
    ///     Events:
    ///       Upload: {Type: S3, Properties: {Bucket: !Ref Uploads, Events: s3:ObjectCreated:*}}
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    ///     EventInvokeConfig:
    ///       DestinationConfig:
    ///         OnFailure: {Type: SQS, Destination: !GetAtt FailedEvents.Arn}
    /// ```
    ///
    /// ## Fix
    /// Add an on-failure destination (or a dead-letter queue) and alarm on its depth.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S10:2017 Insufficient Logging and Monitoring
    /// - <https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html>
    pub(crate) struct AsyncTriggerWithoutFailureDestination {
        code: "PAL113",
        name: "async-trigger-without-failure-destination",
        title: "Asynchronously invoked function without a dead-letter queue or on-failure destination",
        severity: Medium,
        confidence: High,
        sas: S10,
        area: Monitoring,
        fix: "Add an OnFailure destination or a DeadLetterQueue, and alarm on it.",
    }
}

impl Rule for AsyncTriggerWithoutFailureDestination {
    fn check(&self, app: &App, cx: &mut Checker<'_>) {
        for f in &app.functions {
            if f.dead_letter.is_some() || f.on_failure.is_some() {
                continue;
            }
            let async_triggers: Vec<_> = f.triggers.iter().filter(|t| t.kind.is_async()).collect();
            let Some(first) = async_triggers.first() else {
                continue;
            };
            let kinds: Vec<String> = async_triggers
                .iter()
                .map(|t| format!("{} ({})", t.kind.label(), t.id))
                .collect();
            cx.report(
                f.span,
                format!(
                    "{} is invoked asynchronously by {} but has no dead-letter queue or on-failure \
                     destination: events that fail after Lambda's retries are dropped",
                    f.id,
                    kinds.join(", ")
                ),
            )
            .function(f)
            .at("FailureDestination")
            .related(format!("asynchronous trigger {}", first.id), first.span)
            .emit();
        }
    }
}

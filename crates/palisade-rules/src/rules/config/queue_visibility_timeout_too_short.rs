use palisade_model::{App, ResourceKind, TriggerKind};

use crate::{Checker, Rule};

declare_rule! {
    /// ## What it does
    /// Finds SQS queues that trigger a function and whose visibility timeout is shorter than six
    /// times the function's timeout.
    ///
    /// ## Why is this bad?
    /// When a batch is still being processed as the visibility timeout expires, SQS makes the
    /// messages visible again and Lambda processes them a second time, in parallel. Duplicate
    /// processing of payments, e-mails or writes is a correctness and abuse problem, and a poison
    /// message multiplies itself. AWS recommends at least six times the function timeout.
    ///
    /// ## Example
    /// ```yaml
    /// Jobs:
    ///   Type: AWS::SQS::Queue
    ///   Properties:
    ///     VisibilityTimeout: 30
    /// Worker:
    ///   Type: AWS::Serverless::Function
    ///   Properties:
    ///     Timeout: 60
    ///     Events:
    ///       Queue: {Type: SQS, Properties: {Queue: !GetAtt Jobs.Arn}}
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    ///     VisibilityTimeout: 360
    /// ```
    ///
    /// ## Fix
    /// Set the queue's `VisibilityTimeout` to at least six times the function's timeout (plus the
    /// batch window, if any), and make the handler idempotent.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S6:2017 Security Misconfiguration
    /// - <https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html#events-sqs-queueconfig>
    pub(crate) struct QueueVisibilityTimeoutTooShort {
        code: "PAL103",
        name: "queue-visibility-timeout-too-short",
        title: "Queue visibility timeout shorter than six times the function timeout",
        severity: Medium,
        confidence: High,
        sas: S6,
        area: Configuration,
        fix: "Set VisibilityTimeout to at least six times the consuming function's timeout.",
    }
}

/// SQS's default visibility timeout in seconds.
const DEFAULT_VISIBILITY: u64 = 30;

impl Rule for QueueVisibilityTimeoutTooShort {
    fn check(&self, app: &App, cx: &mut Checker<'_>) {
        for f in &app.functions {
            let Some(timeout) = f.possible_timeouts().into_iter().max() else {
                continue;
            };
            for t in f.triggers.iter().filter(|t| t.kind == TriggerKind::Sqs) {
                let Some(queue) = t.source.as_deref().and_then(|id| app.resource(id)) else {
                    continue;
                };
                let ResourceKind::Queue(q) = &queue.kind else {
                    continue;
                };
                let (visibility, span, shown) = match &q.visibility_timeout {
                    Some(p) => match p.possible().into_iter().min() {
                        Some(v) => (*v, p.span, p.render()),
                        None => continue,
                    },
                    None => (
                        DEFAULT_VISIBILITY,
                        queue.span,
                        format!("{DEFAULT_VISIBILITY} (the default)"),
                    ),
                };
                let needed = timeout.saturating_mul(6);
                if visibility >= needed {
                    continue;
                }
                cx.report(
                    span,
                    format!(
                        "queue {} has a visibility timeout of {shown} s but feeds {} whose \
                         timeout is {timeout} s: messages reappear and are processed twice \
                         while still in flight (at least {needed} s is needed)",
                        queue.id, f.id
                    ),
                )
                .resource(queue)
                .for_function(&f.id)
                .at(format!("Consumer:{}", f.id))
                .related(format!("SQS trigger {} of {}", t.id, f.id), t.span)
                .emit();
            }
        }
    }
}

use palisade_model::{App, Truth};

use crate::{Checker, Rule};

declare_rule! {
    /// ## What it does
    /// Finds SQS queues with server-side encryption turned off: `SqsManagedSseEnabled: false` and
    /// no KMS key.
    ///
    /// ## Why is this bad?
    /// Messages on a queue often carry the same personal or business data as the functions that
    /// process them; dead-letter queues keep the failed ones for days. SQS encrypts new queues with
    /// SQS-managed keys by default, so a queue without encryption is one where someone turned it off.
    ///
    /// ## Example
    /// ```yaml
    /// Jobs:
    ///   Type: AWS::SQS::Queue
    ///   Properties:
    ///     SqsManagedSseEnabled: false
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    ///     KmsMasterKeyId: !Ref QueueKey
    /// ```
    ///
    /// ## Fix
    /// Remove `SqsManagedSseEnabled: false`, or set `KmsMasterKeyId` to a customer managed key to
    /// also control who can decrypt.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S3:2017 Sensitive Data Exposure
    /// - <https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-server-side-encryption.html>
    pub(crate) struct QueueNotEncrypted {
        code: "PAL124",
        name: "queue-not-encrypted",
        title: "SQS queue without server-side encryption",
        severity: Medium,
        confidence: High,
        sas: S3,
        area: Configuration,
        fix: "Keep SQS-managed encryption on, or set KmsMasterKeyId to a customer managed key.",
    }
}

impl Rule for QueueNotEncrypted {
    fn check(&self, app: &App, cx: &mut Checker<'_>) {
        for (res, q) in app.queues() {
            if q.kms_key.is_some() {
                continue;
            }
            let Some(sse) = &q.sqs_managed_sse else {
                continue;
            };
            let truth = sse.test(|on| !*on);
            if matches!(truth, Truth::Never | Truth::Unknown(_)) {
                continue;
            }
            cx.report(
                sse.span,
                format!("queue {} has server-side encryption turned off", res.id),
            )
            .resource(res)
            .at("Encryption")
            .truth(&truth)
            .emit();
        }
    }
}

use palisade_model::App;

use crate::{Checker, Rule};

declare_rule! {
    /// ## What it does
    /// Finds SNS topics without a KMS key (`KmsMasterKeyId`).
    ///
    /// ## Why is this bad?
    /// SNS does not encrypt messages at rest unless a key is set. Topics fan data out to functions,
    /// queues and e-mail; an unencrypted topic stores that data in clear while it is in flight.
    ///
    /// ## Example
    /// ```yaml
    /// Orders:
    ///   Type: AWS::SNS::Topic
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    ///     Properties:
    ///       KmsMasterKeyId: alias/aws/sns
    /// ```
    ///
    /// ## Fix
    /// Set `KmsMasterKeyId` (the AWS managed `alias/aws/sns`, or a customer managed key whose
    /// policy lets publishers use it).
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S3:2017 Sensitive Data Exposure
    /// - <https://docs.aws.amazon.com/sns/latest/dg/sns-server-side-encryption.html>
    pub(crate) struct TopicNotEncrypted {
        code: "PAL125",
        name: "topic-not-encrypted",
        title: "SNS topic without server-side encryption",
        severity: Medium,
        confidence: High,
        sas: S3,
        area: Configuration,
        fix: "Set KmsMasterKeyId on the topic.",
    }
}

impl Rule for TopicNotEncrypted {
    fn check(&self, app: &App, cx: &mut Checker<'_>) {
        for (res, t) in app.topics() {
            if t.kms_key.is_some() {
                continue;
            }
            cx.report(
                res.span,
                format!(
                    "topic {} is not encrypted at rest (no KmsMasterKeyId)",
                    res.id
                ),
            )
            .resource(res)
            .at("Encryption")
            .emit();
        }
    }
}

use palisade_model::App;

use crate::{Checker, Rule};

declare_rule! {
    /// ## What it does
    /// Reports, once per function, the event sources that deliver data an outsider can shape but
    /// that no WAF or API gateway inspects: S3 object keys and metadata, SQS and SNS messages,
    /// DynamoDB and Kinesis stream records, Kafka and MQ messages, IoT messages, e-mail (SES), log
    /// events and EventBridge events. This is information for the review and for the code analysis,
    /// which treats these fields as untrusted.
    ///
    /// ## Why is this bad?
    /// Injection is not only an HTTP problem. A file name uploaded to a bucket, a message published
    /// to a topic another service writes to, or an e-mail subject reaches the handler with no
    /// filtering in between: the function's own validation is the only defence.
    ///
    /// ## Example
    /// ```yaml
    /// Resize:
    ///   Type: AWS::Serverless::Function
    ///   Properties:
    ///     Events:
    ///       Upload: {Type: S3, Properties: {Bucket: !Ref Uploads, Events: s3:ObjectCreated:*}}
    /// ```
    ///
    /// ## Fix
    /// Validate every event field in the handler (schema validation, allow-lists), never pass them
    /// to shells, queries or file paths unchecked, and restrict who may write to the source.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S1:2017 Injection
    /// - <https://owasp.org/www-project-serverless-top-10/>
    pub(crate) struct UnprotectedEventSources {
        code: "PAL127",
        name: "unprotected-event-sources",
        title: "Function receives untrusted data from sources no WAF inspects",
        severity: Info,
        confidence: High,
        sas: S1,
        area: Code,
        fix: "Validate every field of these events in the handler before using it.",
    }
}

impl Rule for UnprotectedEventSources {
    fn check(&self, app: &App, cx: &mut Checker<'_>) {
        for f in &app.functions {
            let sources: Vec<_> = f
                .triggers
                .iter()
                .filter(|t| t.kind.is_unprotected_data_source())
                .collect();
            let Some(first) = sources.first() else {
                continue;
            };
            let list: Vec<String> = sources
                .iter()
                .map(|t| match &t.source {
                    Some(s) => format!("{} ({s})", t.kind.label()),
                    None => t.kind.label().to_string(),
                })
                .collect();
            cx.report(
                first.span,
                format!(
                    "{} receives events from {} that no WAF inspects: treat their content as untrusted",
                    f.id,
                    list.join(", ")
                ),
            )
            .function(f)
            .at("EventSources")
            .emit();
        }
    }
}

use palisade_model::{App, Severity, TriggerKind};

use crate::{Checker, Rule};

declare_rule! {
    /// ## What it does
    /// Finds S3 buckets whose public access block leaves any of its four settings off, and buckets
    /// that declare no public access block at all. Buckets that trigger functions are reported
    /// with a higher severity.
    ///
    /// ## Why is this bad?
    /// The public access block is the guard rail that stops a later ACL or policy change from
    /// making the bucket public. New buckets get it from S3's defaults, but only a setting stated in
    /// the template is reviewed and kept: a console change, an account-level change or an older
    /// bucket removes it silently. A public bucket that triggers a function is an open door for
    /// attacker-made input.
    ///
    /// ## Example
    /// ```yaml
    /// Uploads:
    ///   Type: AWS::S3::Bucket
    ///   Properties:
    ///     PublicAccessBlockConfiguration:
    ///       BlockPublicPolicy: false
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    ///     PublicAccessBlockConfiguration:
    ///       BlockPublicAcls: true
    ///       IgnorePublicAcls: true
    ///       BlockPublicPolicy: true
    ///       RestrictPublicBuckets: true
    /// ```
    ///
    /// ## Fix
    /// Declare `PublicAccessBlockConfiguration` with all four settings `true`.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S5:2017 Broken Access Control
    /// - <https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html>
    pub(crate) struct BucketWithoutPublicAccessBlock {
        code: "PAL123",
        name: "bucket-without-public-access-block",
        title: "S3 bucket without a complete public access block",
        severity: Medium,
        confidence: High,
        sas: S5,
        area: Configuration,
        fix: "Declare PublicAccessBlockConfiguration with all four settings true.",
    }
}

impl Rule for BucketWithoutPublicAccessBlock {
    fn check(&self, app: &App, cx: &mut Checker<'_>) {
        for (res, bucket) in app.buckets() {
            let triggers: Vec<&str> = app
                .functions
                .iter()
                .filter(|f| {
                    f.triggers
                        .iter()
                        .any(|t| t.kind == TriggerKind::S3 && t.source.as_deref() == Some(&res.id))
                })
                .map(|f| f.id.as_str())
                .collect();
            let feeds = if triggers.is_empty() {
                String::new()
            } else {
                format!(" and it triggers {}", triggers.join(", "))
            };
            match &bucket.public_access_block {
                None => {
                    let severity = if triggers.is_empty() {
                        Severity::Low
                    } else {
                        Severity::Medium
                    };
                    cx.report(
                        res.span,
                        format!(
                            "bucket {} declares no public access block: it relies on S3 defaults that a later change can undo{feeds}",
                            res.id
                        ),
                    )
                    .resource(res)
                    .at("PublicAccessBlock")
                    .severity(severity)
                    .emit();
                }
                Some(pab) => {
                    let open = pab.open_settings();
                    if open.is_empty() {
                        continue;
                    }
                    let severity = if triggers.is_empty() {
                        Severity::Medium
                    } else {
                        Severity::High
                    };
                    // Point at the first setting written as not `true`, else at the block.
                    let span = [
                        &pab.block_public_acls,
                        &pab.ignore_public_acls,
                        &pab.block_public_policy,
                        &pab.restrict_public_buckets,
                    ]
                    .into_iter()
                    .flatten()
                    .find(|p| p.get() != Some(&true))
                    .map_or(pab.span, |p| p.span);
                    cx.report(
                        span,
                        format!(
                            "bucket {} does not enable {} in its public access block{feeds}",
                            res.id,
                            open.join(", ")
                        ),
                    )
                    .resource(res)
                    .at("PublicAccessBlock")
                    .severity(severity)
                    .emit();
                }
            }
        }
    }
}

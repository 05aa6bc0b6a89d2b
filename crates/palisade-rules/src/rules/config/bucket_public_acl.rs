use palisade_model::{App, Severity, TriggerKind};

use crate::{Checker, Rule};

declare_rule! {
    /// ## What it does
    /// Finds S3 buckets with a canned ACL that opens them to everyone (`PublicRead`,
    /// `PublicReadWrite`) or to every AWS user (`AuthenticatedRead`).
    ///
    /// ## Why is this bad?
    /// A public ACL exposes every object to the internet; `PublicReadWrite` also lets anyone upload
    /// or overwrite objects, which is worse when the bucket triggers a function: anyone can then
    /// feed the function crafted files and keys.
    ///
    /// ## Example
    /// ```yaml
    /// Uploads:
    ///   Type: AWS::S3::Bucket
    ///   Properties:
    ///     AccessControl: PublicReadWrite
    /// ```
    ///
    /// Use instead: no `AccessControl` (ACLs disabled with `ObjectOwnership: BucketOwnerEnforced`)
    /// and presigned URLs or CloudFront with origin access control for public content.
    ///
    /// ## Fix
    /// Remove the public ACL, set `OwnershipControls` to `BucketOwnerEnforced`, and enable all four
    /// public access block settings.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S5:2017 Broken Access Control
    /// - <https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html#canned-acl>
    pub(crate) struct BucketPublicAcl {
        code: "PAL121",
        name: "bucket-public-acl",
        title: "S3 bucket with a public ACL",
        severity: High,
        confidence: High,
        sas: S5,
        area: Configuration,
        fix: "Remove the public canned ACL and enforce bucket-owner object ownership.",
    }
}

impl Rule for BucketPublicAcl {
    fn check(&self, app: &App, cx: &mut Checker<'_>) {
        for (res, bucket) in app.buckets() {
            let Some(acl) = &bucket.acl else { continue };
            for value in acl.possible() {
                let severity = match value.as_str() {
                    "PublicReadWrite" => Severity::Critical,
                    "PublicRead" | "AuthenticatedRead" => Severity::High,
                    _ => continue,
                };
                let triggered: Vec<&str> = app
                    .functions
                    .iter()
                    .filter(|f| {
                        f.triggers.iter().any(|t| {
                            t.kind == TriggerKind::S3 && t.source.as_deref() == Some(&res.id)
                        })
                    })
                    .map(|f| f.id.as_str())
                    .collect();
                let feeds = if triggered.is_empty() {
                    String::new()
                } else {
                    format!("; it triggers {}", triggered.join(", "))
                };
                cx.report(
                    acl.span,
                    format!("bucket {} has the canned ACL {value}{feeds}", res.id),
                )
                .resource(res)
                .at("AccessControl")
                .severity(severity)
                .emit();
            }
        }
    }
}

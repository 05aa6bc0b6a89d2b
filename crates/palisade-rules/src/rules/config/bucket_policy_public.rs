use palisade_model::{App, Severity};

use crate::helpers::{PublicStatement, public_statements};
use crate::{Checker, Rule};

declare_rule! {
    /// ## What it does
    /// Finds S3 bucket policies with an `Allow` statement for any principal (`"*"` or
    /// `{"AWS": "*"}`) and no condition that narrows it.
    ///
    /// ## Why is this bad?
    /// Such a statement makes the bucket's objects readable, or writable, by anyone on the
    /// internet. Buckets that trigger functions turn public write access into a way to feed the
    /// function attacker-made input at will.
    ///
    /// ## Example
    /// ```yaml
    /// UploadsPolicy:
    ///   Type: AWS::S3::BucketPolicy
    ///   Properties:
    ///     Bucket: !Ref Uploads
    ///     PolicyDocument:
    ///       Statement:
    ///         - {Effect: Allow, Principal: "*", Action: s3:GetObject, Resource: !Sub "${Uploads.Arn}/*"}
    /// ```
    ///
    /// Use instead: grant the exact principals (a CloudFront origin access control with an
    /// `aws:SourceArn` condition, a role), or serve objects with presigned URLs.
    ///
    /// ## Fix
    /// Replace the wildcard principal, or add conditions (`aws:SourceArn`, `aws:SourceVpce`,
    /// `aws:PrincipalOrgID`) that limit who the statement applies to.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S5:2017 Broken Access Control
    /// - <https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-policy-status>
    pub(crate) struct BucketPolicyPublic {
        code: "PAL122",
        name: "bucket-policy-public",
        title: "S3 bucket policy open to any principal",
        severity: High,
        confidence: High,
        sas: S5,
        area: Configuration,
        fix: "Name the principals that need access, or add conditions that restrict the wildcard principal.",
    }
}

/// Actions that change or delete data.
pub(crate) fn writes(action: &str) -> bool {
    let a = action.to_ascii_lowercase();
    a == "*"
        || a == "s3:*"
        || ["put", "delete", "restore", "replicate", "create"]
            .iter()
            .any(|w| {
                a.split(':')
                    .nth(1)
                    .is_some_and(|n| n.starts_with(w) || n.starts_with('*'))
            })
}

impl Rule for BucketPolicyPublic {
    fn check(&self, app: &App, cx: &mut Checker<'_>) {
        for (res, bucket) in app.buckets() {
            let Some(policy) = &bucket.policy else {
                continue;
            };
            for PublicStatement {
                stmt,
                actions,
                all_but,
                span,
            } in public_statements(policy)
            {
                let (severity, what) = match &all_but {
                    // `NotAction` allows everything else: deleting, rewriting the policy.
                    Some(excluded) => (
                        Severity::Critical,
                        format!("do anything except {}", excluded.join(", ")),
                    ),
                    None if actions.iter().any(|a| writes(a)) => (
                        Severity::Critical,
                        format!("write or delete objects ({})", actions.join(", ")),
                    ),
                    None => (Severity::High, format!("read it ({})", actions.join(", "))),
                };
                cx.report(
                    span,
                    format!("the policy of bucket {} allows anyone to {what}", res.id),
                )
                .resource(res)
                .at(format!("Policy/{}", stmt.label()))
                .severity(severity)
                .emit();
            }
        }
    }
}

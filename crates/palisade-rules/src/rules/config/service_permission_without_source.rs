use palisade_model::App;

use crate::{Checker, Rule};

declare_rule! {
    /// ## What it does
    /// Finds Lambda permissions granted to an AWS service principal (`s3.amazonaws.com`,
    /// `sns.amazonaws.com`, `apigateway.amazonaws.com`, …) without `SourceArn` or `SourceAccount`.
    ///
    /// ## Why is this bad?
    /// A service principal acts for every customer of the service. Without `SourceArn` (which
    /// bucket, topic, API or rule) or `SourceAccount`, any account's bucket or API can be pointed at
    /// the function and invoke it with events it shapes: the "confused deputy" problem.
    ///
    /// ## Example
    /// ```yaml
    /// AllowS3:
    ///   Type: AWS::Lambda::Permission
    ///   Properties:
    ///     FunctionName: !Ref Thumbnails
    ///     Action: lambda:InvokeFunction
    ///     Principal: s3.amazonaws.com
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    ///     SourceArn: !GetAtt Uploads.Arn
    ///     SourceAccount: !Ref AWS::AccountId
    /// ```
    ///
    /// ## Fix
    /// Add `SourceArn` with the exact resource that invokes the function, and `SourceAccount`
    /// (S3 bucket ARNs carry no account).
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S5:2017 Broken Access Control
    /// - <https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html>
    pub(crate) struct ServicePermissionWithoutSource {
        code: "PAL107",
        name: "service-permission-without-source",
        title: "Lambda permission to a service without SourceArn or SourceAccount",
        severity: Medium,
        confidence: High,
        sas: S5,
        area: Configuration,
        fix: "Add SourceArn (and SourceAccount) so that only your resource can invoke the function.",
    }
}

impl Rule for ServicePermissionWithoutSource {
    fn check(&self, app: &App, cx: &mut Checker<'_>) {
        for (res, p) in app.permissions() {
            if p.source_arn.is_some() || p.source_account.is_some() {
                continue;
            }
            let services: Vec<&str> = p
                .principal
                .possible()
                .into_iter()
                .filter_map(|t| t.literal())
                .filter(|s| s.ends_with(".amazonaws.com"))
                .collect();
            let Some(principal) = services.first().copied() else {
                continue;
            };
            let truth = p
                .principal
                .test(|t| t.literal().is_some_and(|s| s.ends_with(".amazonaws.com")));
            let target = p
                .function
                .clone()
                .unwrap_or_else(|| p.function_ref.render());
            let mut r = cx
                .report(
                    p.principal_span,
                    format!(
                        "{} lets {principal} invoke {target} on behalf of any resource in any account \
                         (no SourceArn or SourceAccount)",
                        res.id
                    ),
                )
                .resource(res)
                .truth(&truth);
            if let Some(f) = &p.function {
                r = r.for_function(f);
            }
            r.emit();
        }
    }
}

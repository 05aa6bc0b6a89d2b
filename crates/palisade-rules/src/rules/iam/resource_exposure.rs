use palisade_model::App;

use super::mod_helpers::report_category;
use crate::iam_view::risk_category;
use crate::{Checker, Rule};

declare_rule! {
    /// ## What it does
    /// Finds principals allowed permissions-management actions on any resource: the actions that
    /// change resource policies, ACLs, grants and sharing (`s3:PutBucketPolicy`,
    /// `kms:PutKeyPolicy`, `lambda:AddPermission`, `sqs:SetQueueAttributes`…), judged on the
    /// principal's effective permissions. Actions that only accept `Resource: "*"` are not counted,
    /// nor is `iam:PassRole` (PAL204 and PAL208 report it), nor are administrators (PAL201 and
    /// PAL205 report those).
    ///
    /// ## Why is this bad?
    /// With these actions, whoever controls the principal can open any bucket, key, queue or
    /// function of the account to the world or to another account, without touching IAM.
    ///
    /// ## Example
    /// ```yaml
    ///       - {Effect: Allow, Action: ["s3:PutBucketPolicy", "lambda:AddPermission"], Resource: "*"}
    /// ```
    ///
    /// ## Fix
    /// Remove permissions-management actions from application roles, or scope them to the
    /// resources that really need managing.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S5:2017 Broken Access Control
    /// - <https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_understand-policy-summary-access-level-summaries.html>
    pub(crate) struct ResourceExposure {
        code: "PAL209",
        name: "resource-exposure",
        title: "Principal can change resource policies of any resource",
        severity: High,
        confidence: High,
        sas: S5,
        area: Iam,
        fix: "Remove the permissions-management actions or scope them to the resources to manage.",
    }
}

impl Rule for ResourceExposure {
    fn check(&self, _app: &App, cx: &mut Checker<'_>) {
        let category = risk_category("resource-exposure");
        for view in &cx.iam().roles {
            report_category(
                cx,
                view,
                category,
                "change permissions (resource policies, grants, sharing)",
                "ResourceExposure",
            );
        }
    }
}

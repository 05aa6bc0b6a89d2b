use palisade_model::App;

use super::mod_helpers::report_category;
use crate::iam_view::risk_category;
use crate::{Checker, Rule};

declare_rule! {
    /// ## What it does
    /// Finds principals allowed to read objects, secrets, parameters or decrypt with keys on any
    /// resource: `s3:GetObject`, `secretsmanager:GetSecretValue`, `ssm:GetParameter*`,
    /// `kms:Decrypt`, RDS snapshot copies, judged on the principal's effective permissions.
    /// Administrators are left to PAL201 and PAL205.
    ///
    /// ## Why is this bad?
    /// A function that needs one secret but may read every secret, or one bucket but may read
    /// every object in the account, turns a code-injection bug into a data breach of everything
    /// the account stores.
    ///
    /// ## Example
    /// ```yaml
    ///       - {Effect: Allow, Action: secretsmanager:GetSecretValue, Resource: "*"}
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    ///       - {Effect: Allow, Action: secretsmanager:GetSecretValue, Resource: !Ref DbSecret}
    /// ```
    ///
    /// ## Fix
    /// Scope read actions on data to the buckets, secrets, parameters and keys the function uses.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S5:2017 Broken Access Control
    /// - <https://cloudsplaining.readthedocs.io/en/latest/glossary/data-exfiltration/>
    pub(crate) struct DataExfiltration {
        code: "PAL210",
        name: "data-exfiltration",
        title: "Principal can read data of any resource",
        severity: Medium,
        confidence: High,
        sas: S5,
        area: Iam,
        fix: "Scope reads of objects, secrets, parameters and keys to the resources the principal uses.",
    }
}

impl Rule for DataExfiltration {
    fn check(&self, _app: &App, cx: &mut Checker<'_>) {
        let category = risk_category("data-exfiltration");
        for view in &cx.iam().roles {
            report_category(
                cx,
                view,
                category,
                "read data (objects, secrets, parameters, keys)",
                "DataExfiltration",
            );
        }
    }
}

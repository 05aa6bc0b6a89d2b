use palisade_model::App;

use super::mod_helpers::report_category;
use crate::iam_view::risk_category;
use crate::{Checker, Rule};

declare_rule! {
    /// ## What it does
    /// Finds principals allowed actions whose responses contain credentials, on any resource:
    /// `iam:CreateAccessKey`, `sts:AssumeRole`, `redshift:GetClusterCredentials`,
    /// `rds-db:connect`, `ec2:GetPasswordData` and others (the list cloudsplaining keeps), judged
    /// on the principal's effective permissions. Actions that cannot name a resource
    /// (`ecr:GetAuthorizationToken`, `sts:GetSessionToken`) are not counted: there is nothing
    /// narrower to write. Administrators are left to PAL201 and PAL205.
    ///
    /// ## Why is this bad?
    /// Credentials leave the function: an attacker who controls it obtains keys, tokens or
    /// passwords that keep working after the function is fixed, for other users, roles or
    /// databases.
    ///
    /// ## Example
    /// ```yaml
    ///       - {Effect: Allow, Action: sts:AssumeRole, Resource: "*"}
    /// ```
    ///
    /// ## Fix
    /// Remove these actions from function roles, or scope them to the exact role, registry or
    /// database the function must reach.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S5:2017 Broken Access Control
    /// - <https://cloudsplaining.readthedocs.io/en/latest/glossary/credentials-exposure/>
    pub(crate) struct CredentialsExposure {
        code: "PAL211",
        name: "credentials-exposure",
        title: "Principal can obtain credentials for any resource",
        severity: High,
        confidence: High,
        sas: S5,
        area: Iam,
        fix: "Remove the credential-returning actions or scope them to the exact resource needed.",
    }
}

impl Rule for CredentialsExposure {
    fn check(&self, _app: &App, cx: &mut Checker<'_>) {
        let category = risk_category("credentials-exposure");
        for view in &cx.iam().roles {
            report_category(
                cx,
                view,
                category,
                "obtain credentials",
                "CredentialsExposure",
            );
        }
    }
}

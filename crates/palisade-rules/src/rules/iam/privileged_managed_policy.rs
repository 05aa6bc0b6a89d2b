use palisade_model::{App, Severity};

use super::mod_helpers::{attach, aws_managed_name, who};
use crate::{Checker, Rule};

declare_rule! {
    /// ## What it does
    /// Finds roles with `AdministratorAccess`, `PowerUserAccess` or `IAMFullAccess` attached.
    ///
    /// ## Why is this bad?
    /// These AWS managed policies grant full control of the account (`AdministratorAccess`),
    /// everything but IAM (`PowerUserAccess`, which still reads every secret and deletes every
    /// resource), or full control of identities (`IAMFullAccess`, one step from administrator). No
    /// function needs them; a compromised function with one of them is a compromised account.
    ///
    /// ## Example
    /// ```yaml
    ///     Policies:
    ///       - AdministratorAccess
    /// ```
    ///
    /// Use instead: a policy with the actions the function calls on its own resources.
    ///
    /// ## Fix
    /// Detach the policy and grant the specific permissions the function needs.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S5:2017 Broken Access Control
    /// - <https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_job-functions.html>
    pub(crate) struct PrivilegedManagedPolicy {
        code: "PAL205",
        name: "privileged-managed-policy",
        title: "Role has an administrator-level AWS managed policy",
        severity: Critical,
        confidence: High,
        sas: S5,
        area: Iam,
        fix: "Detach the managed policy and grant only what the principal needs.",
    }
}

impl Rule for PrivilegedManagedPolicy {
    fn check(&self, app: &App, cx: &mut Checker<'_>) {
        for role in &app.roles {
            for m in &role.managed {
                let Some(name) = aws_managed_name(m) else {
                    continue;
                };
                let (severity, what) = match name.as_str() {
                    "AdministratorAccess" => (Severity::Critical, "full control of the account"),
                    "PowerUserAccess" => (Severity::High, "control of every service but IAM"),
                    "IAMFullAccess" => (
                        Severity::High,
                        "full control of IAM, a step away from administrator",
                    ),
                    _ => continue,
                };
                let r = cx.report(
                    m.span,
                    format!("{} has {name} attached: {what}", who(app, role)),
                );
                attach(r, app, role)
                    .at(format!("ManagedPolicy:{name}"))
                    .severity(severity)
                    .emit();
            }
        }
    }
}

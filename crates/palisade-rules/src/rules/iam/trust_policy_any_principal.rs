use palisade_model::App;

use super::mod_helpers::{attach, existence, who};
use crate::helpers::narrows_principal;
use crate::{Checker, Rule};

declare_rule! {
    /// ## What it does
    /// Finds roles whose trust policy lets any principal (`"*"` or `{"AWS": "*"}`, or an Allow
    /// with `NotPrincipal`, which trusts everyone it does not list) assume them, without a
    /// condition that narrows who.
    ///
    /// ## Why is this bad?
    /// Anyone with an AWS account can call `sts:AssumeRole` on such a role and act with all of its
    /// permissions. Function roles should trust `lambda.amazonaws.com` only.
    ///
    /// ## Example
    /// ```yaml
    ///     AssumeRolePolicyDocument:
    ///       Statement:
    ///         - {Effect: Allow, Principal: {AWS: "*"}, Action: sts:AssumeRole}
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    ///         - {Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}
    /// ```
    ///
    /// ## Fix
    /// Trust the exact service or account that must assume the role; add `aws:PrincipalOrgID` or
    /// `sts:ExternalId` conditions for cross-account trust.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S5:2017 Broken Access Control
    /// - <https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html#iam-term-trust-policy>
    pub(crate) struct TrustPolicyAnyPrincipal {
        code: "PAL206",
        name: "trust-policy-any-principal",
        title: "Role can be assumed by any principal",
        severity: Critical,
        confidence: High,
        sas: S5,
        area: Iam,
        fix: "Trust only the service or account that must assume the role.",
    }
}

impl Rule for TrustPolicyAnyPrincipal {
    fn check(&self, app: &App, cx: &mut Checker<'_>) {
        for role in &app.roles {
            let Some(trust) = &role.trust else { continue };
            for stmt in trust.statements.iter().filter(|s| s.is_allow()) {
                if narrows_principal(stmt) {
                    continue;
                }
                // `NotPrincipal` in an Allow trusts everyone but the principals it lists.
                let (span, whom) = match (&stmt.principal, &stmt.not_principal) {
                    (Some(p), _) if p.is_anyone() => (p.span(), "any AWS principal"),
                    (None, Some(np)) => {
                        (np.span(), "any AWS principal but those NotPrincipal lists")
                    }
                    _ => continue,
                };
                let r = cx.report(span, format!("{} can be assumed by {whom}", who(app, role)));
                attach(r, app, role)
                    .at(format!("Trust/{}", stmt.label()))
                    .truth(&existence(trust, stmt, None))
                    .emit();
            }
        }
    }
}

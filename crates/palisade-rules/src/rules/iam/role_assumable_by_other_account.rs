use palisade_model::{App, PrincipalKind, Severity, Symbol};

use super::mod_helpers::{attach, existence, who};
use crate::helpers::{account_of, narrows_principal};
use crate::{Checker, Rule};

declare_rule! {
    /// ## What it does
    /// Finds roles whose trust policy lets principals of another AWS account assume them: an
    /// account id or ARN in `Principal.AWS` that is neither the template's own account
    /// (`${AWS::AccountId}`) nor one of the accounts listed as yours in `palisade.toml`.
    ///
    /// ## Why is this bad?
    /// The other account's administrators, and anyone who compromises that account, can act with
    /// the role's permissions in yours. Without `sts:ExternalId` or an organization condition,
    /// the role is also open to the confused-deputy problem when the other account is a vendor.
    ///
    /// ## Example
    /// ```yaml
    ///     AssumeRolePolicyDocument:
    ///       Statement:
    ///         - {Effect: Allow, Principal: {AWS: "arn:aws:iam::999988887777:root"}, Action: sts:AssumeRole}
    /// ```
    ///
    /// Use instead: list the account in `palisade.toml` if it is yours, or require
    /// `sts:ExternalId` (vendors) or `aws:PrincipalOrgID` (your organization).
    ///
    /// ## Fix
    /// Trust only the accounts that must assume the role, with an `sts:ExternalId` or
    /// `aws:PrincipalOrgID` condition.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S5:2017 Broken Access Control
    /// - <https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_common-scenarios_third-party.html>
    pub(crate) struct RoleAssumableByOtherAccount {
        code: "PAL213",
        name: "role-assumable-by-other-account",
        title: "Role can be assumed from another AWS account",
        severity: High,
        confidence: High,
        sas: S5,
        area: Iam,
        fix: "Trust only the accounts that need the role, with an sts:ExternalId or aws:PrincipalOrgID condition.",
    }
}

impl Rule for RoleAssumableByOtherAccount {
    fn check(&self, app: &App, cx: &mut Checker<'_>) {
        // The accounts the settings trust, and the account an input describes.
        let mut own = cx.settings.accounts.clone();
        own.extend(app.account.iter().cloned());
        for role in &app.roles {
            let Some(trust) = &role.trust else { continue };
            for stmt in trust.statements.iter().filter(|s| s.is_allow()) {
                let Some(p) = &stmt.principal else { continue };
                for item in p.patterns(&PrincipalKind::Aws) {
                    // The template's own account is written with `${AWS::AccountId}`.
                    if item
                        .text
                        .symbols()
                        .any(|s| matches!(s, Symbol::Pseudo(n) if n == "AWS::AccountId"))
                    {
                        continue;
                    }
                    let rendered = item.text.render();
                    let Some(account) = account_of(&rendered) else {
                        continue;
                    };
                    if own.iter().any(|a| a == account) {
                        continue;
                    }
                    let narrowed = narrows_principal(stmt);
                    let written = if rendered == account {
                        String::new()
                    } else {
                        format!(" ({rendered})")
                    };
                    let r = cx.report(
                        item.span,
                        format!(
                            "{} can be assumed from account {account}{written}{}",
                            who(app, role),
                            if narrowed {
                                ", under a condition"
                            } else {
                                " without an external id or organization condition"
                            }
                        ),
                    );
                    attach(r, app, role)
                        .at(format!("Trust/{}/{account}", stmt.label()))
                        .severity(if narrowed {
                            Severity::Medium
                        } else {
                            Severity::High
                        })
                        .truth(&existence(trust, stmt, Some(item)))
                        .emit();
                }
            }
        }
    }
}

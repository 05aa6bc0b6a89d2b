use palisade_model::{App, Severity};

use super::mod_helpers::{
    attach, existence, judged_allows, own_and_managed, statement_path, through, who,
};
use crate::{Checker, Rule};

declare_rule! {
    /// ## What it does
    /// Finds `Allow` statements that grant every action: `Action: "*"`, or a `NotAction` (which
    /// allows everything except the listed actions), in a role's own policies and in the AWS
    /// managed policies it attaches (`AdministratorAccess` and its kin are PAL205's).
    ///
    /// ## Why is this bad?
    /// A function whose role can do anything hands an attacker the account as soon as the function
    /// is compromised: one injection, one vulnerable dependency, one leaked environment is enough
    /// to create users, read every bucket and delete backups.
    ///
    /// ## Example
    /// ```yaml
    ///     Policies:
    ///       - Statement:
    ///           - {Effect: Allow, Action: "*", Resource: "*"}
    /// ```
    ///
    /// Use instead: the actions the function calls, on the resources it uses
    /// (`palisade iam least-privilege` proposes them from the code).
    ///
    /// ## Fix
    /// Replace the statement with the specific actions and resources the function needs.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S5:2017 Broken Access Control
    /// - <https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege>
    pub(crate) struct IamStarAction {
        code: "PAL201",
        name: "iam-star-action",
        title: "Policy allows every action",
        severity: Critical,
        confidence: High,
        sas: S5,
        area: Iam,
        fix: "Grant only the actions and resources the principal uses.",
    }
}

impl Rule for IamStarAction {
    fn check(&self, app: &App, cx: &mut Checker<'_>) {
        for role in &app.roles {
            let docs = own_and_managed(app, role);
            for (judged, doc, stmt) in judged_allows(&docs) {
                let resources = stmt
                    .resource
                    .as_ref()
                    .map(|r| {
                        r.items
                            .iter()
                            .map(|i| i.text.render())
                            .collect::<Vec<_>>()
                            .join(", ")
                    })
                    .unwrap_or_else(|| "(NotResource)".into());
                if let Some(star) = stmt.action.as_ref().and_then(|a| a.star()) {
                    let r = cx.report(
                        judged.place(star.span),
                        format!(
                            "{} allows every action (Action \"*\") on {resources}, through {}",
                            who(app, role),
                            through(role, doc, stmt)
                        ),
                    );
                    attach(r, app, role)
                        .at(statement_path(doc, stmt))
                        .truth(&existence(doc, stmt, Some(star)))
                        .emit();
                } else if let Some(not) = &stmt.not_action {
                    let excluded: Vec<String> = not.items.iter().map(|i| i.text.render()).collect();
                    let r = cx.report(
                        judged.place(not.span),
                        format!(
                            "{} allows every action except {} (Allow with NotAction) on {resources}, through {}",
                            who(app, role),
                            excluded.join(", "),
                            through(role, doc, stmt)
                        ),
                    );
                    attach(r, app, role)
                        .at(statement_path(doc, stmt))
                        .severity(Severity::High)
                        .truth(&existence(doc, stmt, None))
                        .emit();
                }
            }
        }
    }
}

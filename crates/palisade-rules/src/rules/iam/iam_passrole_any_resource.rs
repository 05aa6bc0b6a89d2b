use palisade_iam::{catalog, wildcard_match};
use palisade_model::App;

use super::mod_helpers::{
    OnAnyResource, attach, existence, on_any_resource, statement_path, through, who,
};
use crate::{Checker, Rule};

declare_rule! {
    /// ## What it does
    /// Finds `Allow` statements in a role's own policies that grant `iam:PassRole` (directly or
    /// through a pattern such as `iam:Pass*` or `iam:*`) on `Resource: "*"`.
    ///
    /// ## Why is this bad?
    /// `iam:PassRole` on any role lets the function hand the most privileged role of the account to
    /// a new Lambda function, EC2 instance, Glue job or CloudFormation stack it creates, and act
    /// with that role's permissions: a classic privilege escalation.
    ///
    /// ## Example
    /// ```yaml
    ///       - {Effect: Allow, Action: iam:PassRole, Resource: "*"}
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    ///       - Effect: Allow
    ///         Action: iam:PassRole
    ///         Resource: !GetAtt WorkerRole.Arn
    ///         Condition: {StringEquals: {iam:PassedToService: lambda.amazonaws.com}}
    /// ```
    ///
    /// ## Fix
    /// Name the role(s) that may be passed and add an `iam:PassedToService` condition.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S5:2017 Broken Access Control
    /// - <https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html>
    pub(crate) struct IamPassroleAnyResource {
        code: "PAL204",
        name: "iam-passrole-any-resource",
        title: "Policy allows passing any role (iam:PassRole on *)",
        severity: High,
        confidence: High,
        sas: S5,
        area: Iam,
        fix: "Restrict iam:PassRole to the roles to be passed, with an iam:PassedToService condition.",
    }
}

impl Rule for IamPassroleAnyResource {
    fn check(&self, app: &App, cx: &mut Checker<'_>) {
        let pass_role = catalog().action("iam:PassRole").map(|a| a.id);
        for role in &app.roles {
            // An explicit deny or the permissions boundary may take iam:PassRole away.
            if let (Some(view), Some(id)) = (cx.iam().of(role), pass_role)
                && !view.effective.allowed().contains(id)
            {
                continue;
            }
            for OnAnyResource {
                doc,
                stmt,
                resource,
                actions,
                service,
            } in on_any_resource(role)
            {
                if service.is_some_and(|s| !s.eq_ignore_ascii_case("iam")) {
                    continue;
                }
                let Some((pattern, item)) = actions
                    .literals()
                    .find(|(p, _)| *p != "*" && wildcard_match(p, "iam:PassRole", true))
                else {
                    continue;
                };
                let conditional = if stmt.has_condition() {
                    " (with a condition)"
                } else {
                    ""
                };
                let r = cx.report(
                    item.span,
                    format!(
                        "{} may pass any role to a service ({pattern} on {}){conditional}, through {}",
                        who(app, role),
                        resource.text.render(),
                        through(role, doc, stmt)
                    ),
                );
                attach(r, app, role)
                    .at(statement_path(doc, stmt))
                    .truth(&existence(doc, stmt, Some(item)))
                    .emit();
            }
        }
    }
}

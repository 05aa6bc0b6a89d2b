use palisade_iam::catalog;
use palisade_model::App;

use super::mod_helpers::{
    attach, existence, judged_allows, own_and_managed, owned_severity, statement_path, through, who,
};
use crate::{Checker, Described, Rule};

declare_rule! {
    /// ## What it does
    /// Finds `Allow` statements that grant a whole service (`s3:*`, `dynamodb:*`, `iam:*`), in a
    /// role's own policies and in the AWS managed policies it attaches (read from their
    /// embedded copies, and reported at the line that attaches them).
    ///
    /// ## Why is this bad?
    /// A service wildcard grants hundreds of actions, including the destructive and the
    /// administrative ones (`s3:DeleteBucket`, `s3:PutBucketPolicy`, `dynamodb:DeleteTable`), and
    /// every action AWS adds to the service later. The function needs a handful of them.
    ///
    /// ## Example
    /// ```yaml
    ///       - {Effect: Allow, Action: "dynamodb:*", Resource: !GetAtt Orders.Arn}
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    ///       - {Effect: Allow, Action: [dynamodb:GetItem, dynamodb:PutItem], Resource: !GetAtt Orders.Arn}
    /// ```
    ///
    /// ## Fix
    /// List the actions the function calls, or use a SAM policy template scoped to the resource
    /// (`DynamoDBCrudPolicy`).
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S5:2017 Broken Access Control
    /// - <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html>
    pub(crate) struct IamServiceWildcard {
        code: "PAL202",
        name: "iam-service-wildcard",
        title: "Policy allows every action of a service",
        severity: High,
        confidence: High,
        sas: S5,
        area: Iam,
        fix: "List the service actions the principal uses instead of service:*.",
    }
}

impl Rule for IamServiceWildcard {
    fn check(&self, app: &App, cx: &mut Checker<'_>) {
        for role in &app.roles {
            let docs = own_and_managed(app, role);
            for (judged, doc, stmt) in judged_allows(&docs) {
                let Some(actions) = &stmt.action else {
                    continue;
                };
                for (pattern, item) in actions.literals() {
                    let Some((service, "*")) = pattern.split_once(':') else {
                        continue;
                    };
                    let count = catalog().service(service).map_or(0, |s| s.actions.len());
                    let grants = if count > 0 {
                        format!(" ({count} actions)")
                    } else {
                        String::new()
                    };
                    let (severity, why) = owned_severity(doc, self.meta().severity);
                    let r = cx.report(
                        judged.place(item.span),
                        format!(
                            "{} allows every {service} action{grants} ({pattern}), through {}{why}",
                            who(app, role),
                            through(role, doc, stmt)
                        ),
                    );
                    attach(r, app, role)
                        .at(format!("{}/{pattern}", statement_path(doc, stmt)))
                        .severity(severity)
                        .truth(&existence(doc, stmt, Some(item)))
                        .emit();
                }
            }
        }
    }
}

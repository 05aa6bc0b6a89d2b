use palisade_iam::catalog;
use palisade_model::{App, Effect, Severity};

use super::mod_helpers::{attach, existence, statement_path};
use super::policy_lint::written_documents;
use crate::{Checker, Rule};

declare_rule! {
    /// ## What it does
    /// Finds action patterns in `Action` or `NotAction` of the policies a template writes
    /// (inline policies, SAM inline statements, customer managed policies) that match no action
    /// of the IAM catalog: a misspelt action (`iam:PassRol`), a misspelt or unknown service
    /// prefix (`dynamo:GetItem`), a wildcard that matches nothing (`s3:Gett*`), or an action
    /// without its service (`GetObject`). The message suggests the nearest action.
    ///
    /// ## Why is this bad?
    /// IAM accepts an action it does not know and ignores it. In an `Allow`, the permission the
    /// author meant to grant is missing (the function fails at run time, and someone "fixes" it
    /// with `*`). In a `Deny`, the guardrail silently denies nothing: the action the author
    /// meant to forbid stays allowed, which is why a `Deny` is reported at medium severity.
    ///
    /// ## Example
    /// ```yaml
    ///       Policies:
    ///         - Statement:
    ///             - Effect: Deny
    ///               Action: [s3:DeleteObjects, dynamodb:DeleteTabel]
    ///               Resource: "*"
    /// ```
    ///
    /// Use instead: `s3:DeleteObject` and `dynamodb:DeleteTable`.
    ///
    /// ## Fix
    /// Correct the action name (see the suggestion, or the Service Authorization Reference).
    /// An action newer than Palisade's embedded catalog is reported too: refresh the catalog or
    /// suppress the finding with the reason.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S6:2017 Security Misconfiguration
    /// - <https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html>
    /// - <https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html>
    pub(crate) struct UnknownAction {
        code: "PAL220",
        name: "unknown-action",
        title: "Policy names an action that does not exist",
        severity: Low,
        confidence: High,
        sas: S6,
        area: Iam,
        fix: "Correct the action name; an unknown action grants or denies nothing.",
    }
}

/// Why a pattern matches no action, with the nearest actions when there are some.
fn diagnose(pattern: &str) -> String {
    let c = catalog();
    let Some((svc, name)) = pattern.split_once(':') else {
        return format!("{pattern} is not an IAM action (an action is written service:Action)");
    };
    let wildcard = pattern.contains(['*', '?']);
    let suggestion = if wildcard {
        Vec::new()
    } else {
        c.suggest(pattern)
    };
    let hint = match suggestion.as_slice() {
        [] => String::new(),
        names => format!(" (did you mean {}?)", names.join(" or ")),
    };
    let service_known = svc.contains(['*', '?']) || c.service(svc).is_some();
    match (service_known, wildcard) {
        (false, _) => {
            format!("{pattern} is not an IAM action: no service has the prefix {svc}{hint}")
        }
        (true, true) => format!("{pattern} matches no IAM action"),
        (true, false) if name.is_empty() => {
            format!("{pattern} is not an IAM action (the action name is missing)")
        }
        (true, false) => format!("{pattern} is not an IAM action{hint}"),
    }
}

impl Rule for UnknownAction {
    fn check(&self, app: &App, cx: &mut Checker<'_>) {
        let c = catalog();
        for (role, doc) in written_documents(app) {
            for stmt in &doc.statements {
                let deny = stmt.effect.get() == Some(&Effect::Deny);
                for (field, patterns) in [("Action", &stmt.action), ("NotAction", &stmt.not_action)]
                {
                    let Some(patterns) = patterns else { continue };
                    for (pattern, item) in patterns.literals() {
                        let pattern = pattern.trim();
                        if pattern == "*" || !c.expand(pattern).is_empty() {
                            continue;
                        }
                        let consequence = match (deny, field) {
                            (true, "Action") => {
                                "; this Deny denies nothing through it, so what it meant to forbid stays allowed"
                            }
                            (true, _) => "; the NotAction of this Deny excludes nothing through it",
                            (false, "Action") => "; it grants nothing",
                            (false, _) => {
                                "; the NotAction of this Allow excludes nothing through it"
                            }
                        };
                        let r = cx.report(
                            item.span,
                            format!(
                                "{}{consequence}, in {} {}",
                                diagnose(pattern),
                                doc.source.describe(),
                                stmt.label()
                            ),
                        );
                        attach(r, app, role)
                            .at(statement_path(doc, stmt))
                            .at(format!("{field}/{pattern}"))
                            .severity(if deny {
                                Severity::Medium
                            } else {
                                Severity::Low
                            })
                            .truth(&existence(doc, stmt, Some(item)))
                            .emit();
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::diagnose;

    #[test]
    fn messages_name_the_nearest_action() {
        assert_eq!(
            diagnose("iam:PassRol"),
            "iam:PassRol is not an IAM action (did you mean iam:PassRole?)"
        );
        assert_eq!(
            diagnose("dynamo:GetItem"),
            "dynamo:GetItem is not an IAM action: no service has the prefix dynamo (did you mean dynamodb:GetItem?)"
        );
        assert_eq!(diagnose("s3:Gett*"), "s3:Gett* matches no IAM action");
        assert!(diagnose("GetObject").contains("service:Action"));
    }
}

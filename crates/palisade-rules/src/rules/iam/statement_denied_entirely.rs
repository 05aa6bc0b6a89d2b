use std::collections::BTreeSet;

use palisade_iam::{ActionSet, Expander, catalog, statement_actions};
use palisade_model::{App, Effect, PolicyDocument, Span, Statement};

use super::mod_helpers::{attach, existence, statement_path};
use super::policy_lint::{is_written, list_names};
use crate::{Checker, Rule};

declare_rule! {
    /// ## What it does
    /// Finds `Allow` statements, in the policies a template writes, all of whose actions
    /// (expanded through the IAM catalog) are denied by `Deny` statements of the same role's
    /// policies that apply to every resource (`Resource: "*"`) without conditions. The finding
    /// points at the `Deny` statements. A `Deny` that removes only some of the actions, or only
    /// on some resources or under a condition, is not reported.
    ///
    /// ## Why is this bad?
    /// An explicit `Deny` wins over every `Allow`: the statement grants nothing. Either the
    /// `Allow` is dead code, or (more often) the `Deny` is broader than meant and the function
    /// lacks a permission its author believes it has, or the `Allow` was meant to carve an
    /// exception that IAM does not support.
    ///
    /// ## Example
    /// ```yaml
    ///       Policies:
    ///         - Statement:
    ///             - {Effect: Deny, Action: "s3:Delete*", Resource: "*"}
    ///             - {Effect: Allow, Action: s3:DeleteObject, Resource: "arn:aws:s3:::tmp-bucket/*"}
    /// ```
    ///
    /// Use instead: narrow the `Deny` (`NotResource: arn:aws:s3:::tmp-bucket/*`, or a condition).
    ///
    /// ## Fix
    /// Remove the `Allow` statement, or narrow the `Deny` so that it leaves what the `Allow`
    /// grants.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S6:2017 Security Misconfiguration
    /// - <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html>
    pub(crate) struct StatementDeniedEntirely {
        code: "PAL225",
        name: "statement-denied-entirely",
        title: "Allow statement is entirely denied",
        severity: Low,
        confidence: High,
        sas: S6,
        area: Iam,
        fix: "Remove the Allow statement, or narrow the Deny that removes it.",
    }
}

/// A Deny that removes its actions everywhere, always.
struct Denial<'a> {
    doc: &'a PolicyDocument,
    stmt: &'a Statement,
    actions: ActionSet,
}

fn denial<'a>(
    ex: &mut Expander,
    doc: &'a PolicyDocument,
    stmt: &'a Statement,
) -> Option<Denial<'a>> {
    if stmt.effect.get() != Some(&Effect::Deny)
        || stmt.has_condition()
        || stmt.when.is_some()
        || doc.when.is_some()
        || stmt.not_resource.is_some()
    {
        return None;
    }
    let resources = stmt.resource.as_ref()?;
    if resources.star().is_none_or(|s| s.when.is_some()) {
        return None;
    }
    let patterns = stmt.action.iter().chain(&stmt.not_action);
    if patterns.flat_map(|p| &p.items).any(|i| i.when.is_some()) {
        return None;
    }
    let (actions, _, unresolved) = statement_actions(ex, stmt);
    (unresolved == 0 && !actions.is_empty()).then_some(Denial { doc, stmt, actions })
}

impl Rule for StatementDeniedEntirely {
    fn check(&self, app: &App, cx: &mut Checker<'_>) {
        let mut ex = Expander::new();
        let mut reported: BTreeSet<Span> = BTreeSet::new();
        for role in &app.roles {
            let denials: Vec<Denial<'_>> = role
                .policies
                .iter()
                .flat_map(|doc| doc.statements.iter().map(move |s| (doc, s)))
                .filter_map(|(doc, s)| denial(&mut ex, doc, s))
                .collect();
            if denials.is_empty() {
                continue;
            }
            let mut denied = ActionSet::empty(catalog());
            for d in &denials {
                denied.union_with(&d.actions);
            }
            for doc in role.policies.iter().filter(|d| is_written(d)) {
                for stmt in doc.statements.iter().filter(|s| s.is_allow()) {
                    let (actions, unknown, unresolved) = statement_actions(&mut ex, stmt);
                    if !unknown.is_empty() || unresolved > 0 || actions.is_empty() {
                        continue;
                    }
                    let mut left = actions.clone();
                    left.subtract(&denied);
                    if !left.is_empty() || !reported.insert(stmt.span) {
                        continue;
                    }
                    let by: Vec<&Denial<'_>> = denials
                        .iter()
                        .filter(|d| d.actions.intersects(&actions))
                        .collect();
                    let written: Vec<String> = stmt
                        .action
                        .iter()
                        .chain(&stmt.not_action)
                        .flat_map(|p| &p.items)
                        .map(|i| i.text.render())
                        .collect();
                    let what = if stmt.not_action.is_some() {
                        format!("everything but {}", list_names(&written, 4))
                    } else {
                        list_names(&written, 4)
                    };
                    let deniers: Vec<String> = by
                        .iter()
                        .map(|d| {
                            if std::ptr::eq(d.doc, doc) {
                                d.stmt.label()
                            } else {
                                format!("{} of {}", d.stmt.label(), d.doc.source.describe())
                            }
                        })
                        .collect();
                    let r = cx.report(
                        stmt.span,
                        format!(
                            "{} allows {}, but {} {} every one of these actions on every resource without condition: the statement grants nothing, in {}",
                            stmt.label(),
                            what,
                            list_names(&deniers, 3),
                            if deniers.len() == 1 { "denies" } else { "deny" },
                            doc.source.describe()
                        ),
                    );
                    let mut r = attach(r, app, role)
                        .at(statement_path(doc, stmt))
                        .truth(&existence(doc, stmt, None));
                    for d in by {
                        r = r.related(
                            format!("denied by {} {}", d.doc.source.describe(), d.stmt.label()),
                            d.stmt.span,
                        );
                    }
                    r.emit();
                }
            }
        }
    }
}

use palisade_iam::{ActionSet, Expander, pattern_covers, statement_actions};
use palisade_model::{App, Segment, Statement, Symbol, Text};

use super::mod_helpers::{attach, existence, statement_path};
use super::policy_lint::{list_names, written_documents};
use crate::{Checker, Rule};

declare_rule! {
    /// ## What it does
    /// Finds `Allow` statements without conditions, in the policies a template writes (SAM
    /// inline statements included), whose actions (expanded through the IAM catalog) and
    /// resources are all contained in another `Allow` statement without conditions of the same
    /// document: `Resource: "*"` contains every resource, and a pattern contains another when
    /// it matches everything the other matches (`arn:aws:s3:::b/*` contains
    /// `arn:aws:s3:::b/reports/*`). Resources given by references compare as written. The
    /// redundant statement is reported, pointing at the statement that covers it; of two equal
    /// statements, the later one.
    ///
    /// ## Why is this bad?
    /// A redundant statement usually betrays a mistake: the author narrowed a permission in one
    /// statement and believes it narrow, while a broader statement (often a leftover `s3:*` on
    /// `*`) grants it anyway. At best it is noise that makes the policy harder to review.
    ///
    /// ## Example
    /// ```yaml
    ///       Policies:
    ///         - Statement:
    ///             - {Effect: Allow, Action: "s3:*", Resource: "arn:aws:s3:::reports/*"}
    ///             - {Effect: Allow, Action: s3:GetObject, Resource: "arn:aws:s3:::reports/2024/*"}
    /// ```
    ///
    /// ## Fix
    /// Remove the redundant statement, or narrow the statement that covers it if the narrow
    /// one expresses the intent.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S5:2017 Broken Access Control
    /// - <https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege>
    pub(crate) struct RedundantStatement {
        code: "PAL224",
        name: "redundant-statement",
        title: "Statement is contained in another statement of the policy",
        severity: Low,
        confidence: High,
        sas: S5,
        area: Iam,
        fix: "Remove the redundant statement, or narrow the statement that covers it.",
    }
}

/// An unconditional Allow statement whose actions and resources are all known.
struct Judged<'a> {
    stmt: &'a Statement,
    actions: ActionSet,
    /// Resources with references written as private-use characters, so that patterns compare.
    resources: Vec<String>,
    any_resource: bool,
    /// Some action or resource is written under a template condition of its own.
    partly_conditional: bool,
}

/// A text as a pattern string, each distinct reference one private-use character.
fn encode(text: &Text, symbols: &mut Vec<Symbol>) -> String {
    let mut out = String::new();
    for seg in &text.segments {
        match seg {
            Segment::Lit(s) => out.push_str(s),
            Segment::Sym(sym) => {
                let i = match symbols.iter().position(|s| s == sym) {
                    Some(i) => i,
                    None => {
                        symbols.push(sym.clone());
                        symbols.len() - 1
                    }
                };
                let c = u32::try_from(i)
                    .ok()
                    .and_then(|i| char::from_u32(0xE000 + i % 0x1800))
                    .unwrap_or('\u{E000}');
                out.push(c);
            }
        }
    }
    out
}

fn judged<'a>(
    ex: &mut Expander,
    stmt: &'a Statement,
    symbols: &mut Vec<Symbol>,
) -> Option<Judged<'a>> {
    if !stmt.is_allow() || stmt.has_condition() || stmt.not_resource.is_some() {
        return None;
    }
    if stmt.action.is_some() == stmt.not_action.is_some() {
        return None;
    }
    let (actions, unknown, unresolved) = statement_actions(ex, stmt);
    if !unknown.is_empty() || unresolved > 0 || actions.is_empty() {
        return None;
    }
    let resources = stmt.resource.as_ref()?;
    let any_resource = resources.star().is_some();
    let patterns = stmt
        .action
        .iter()
        .chain(&stmt.not_action)
        .chain(&stmt.resource);
    let partly_conditional = patterns.flat_map(|p| &p.items).any(|i| i.when.is_some());
    Some(Judged {
        stmt,
        actions,
        resources: resources
            .items
            .iter()
            .map(|i| encode(&i.text, symbols))
            .collect(),
        any_resource,
        partly_conditional,
    })
}

/// Whether `big` grants everything `small` grants.
fn covers(big: &Judged<'_>, small: &Judged<'_>) -> bool {
    if big.partly_conditional || big.stmt.when.is_some() && big.stmt.when != small.stmt.when {
        return false;
    }
    let mut rest = small.actions.clone();
    rest.subtract(&big.actions);
    if !rest.is_empty() {
        return false;
    }
    big.any_resource
        || small
            .resources
            .iter()
            .all(|s| big.resources.iter().any(|b| pattern_covers(b, s)))
}

impl Rule for RedundantStatement {
    fn check(&self, app: &App, cx: &mut Checker<'_>) {
        let mut ex = Expander::new();
        for (role, doc) in written_documents(app) {
            let mut symbols = Vec::new();
            let judged: Vec<Judged<'_>> = doc
                .statements
                .iter()
                .filter_map(|s| judged(&mut ex, s, &mut symbols))
                .collect();
            for small in &judged {
                let by = judged.iter().find(|big| {
                    !std::ptr::eq(big.stmt, small.stmt)
                        && covers(big, small)
                        // Of two equal statements, the later one is the redundant one.
                        && (!covers(small, big) || big.stmt.index < small.stmt.index)
                });
                let Some(big) = by else { continue };
                let written: Vec<String> = small
                    .stmt
                    .action
                    .iter()
                    .chain(&small.stmt.not_action)
                    .flat_map(|p| &p.items)
                    .map(|i| i.text.render())
                    .collect();
                let what = if small.stmt.not_action.is_some() {
                    format!("everything but {}", list_names(&written, 4))
                } else {
                    list_names(&written, 4)
                };
                let r = cx.report(
                    small.stmt.span,
                    format!(
                        "{} is redundant: {} already allows {what} on {}, without conditions, in {}",
                        small.stmt.label(),
                        big.stmt.label(),
                        if big.any_resource {
                            "every resource".to_string()
                        } else {
                            let resources: Vec<String> = small
                                .stmt
                                .resource
                                .iter()
                                .flat_map(|p| &p.items)
                                .map(|i| i.text.render())
                                .collect();
                            list_names(&resources, 3)
                        },
                        doc.source.describe()
                    ),
                );
                attach(r, app, role)
                    .at(statement_path(doc, small.stmt))
                    .related(format!("{} covers it", big.stmt.label()), big.stmt.span)
                    .truth(&existence(doc, small.stmt, None))
                    .emit();
            }
        }
    }
}

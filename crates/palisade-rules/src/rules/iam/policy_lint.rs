//! What the policy-linting rules (PAL220–PAL226) share: the documents a template's author
//! wrote, each once, the entries of a `Condition` block, and the services of a statement.

use std::collections::BTreeSet;

use palisade_iam::catalog;
use palisade_model::{
    App, PatternItem, PolicyDocument, PolicySource, Role, Segment, Span, Statement, Text, Truth,
    Value, ValueKind,
};

use super::mod_helpers::existence;

/// Whether the template's author wrote the document: inline policies (SAM inline statements
/// among them) and customer managed policies. SAM policy templates, connectors and the
/// policies SAM generates are written by AWS or SAM.
pub(crate) fn is_written(doc: &PolicyDocument) -> bool {
    matches!(
        doc.source,
        PolicySource::Inline { .. }
            | PolicySource::CustomerManaged { .. }
            | PolicySource::Standalone { .. }
    )
}

/// The documents the author wrote, with the first role that holds each: a policy attached to
/// several roles (`AWS::IAM::Policy` with `Roles: [A, B]`, a customer managed policy) is one
/// text, judged once.
pub(crate) fn written_documents(app: &App) -> Vec<(&Role, &PolicyDocument)> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for role in &app.roles {
        for doc in role.policies.iter().filter(|d| is_written(d)) {
            let first = doc.statements.first().map_or(doc.span, |s| s.span);
            if seen.insert((doc.source.describe(), first)) {
                out.push((role, doc));
            }
        }
    }
    out
}

/// One `operator: {key: values}` entry of a `Condition` block.
pub(crate) struct ConditionEntry<'a> {
    pub operator: &'a str,
    pub operator_span: Span,
    pub key: &'a str,
    pub key_span: Span,
    /// The value or values the key is compared with.
    pub values: &'a Value,
    /// The template condition the entry is written under (`!If` inside the block).
    pub when: Option<&'a str>,
}

/// The entries of a statement's `Condition` block, through `!If` choices at either level.
pub(crate) fn condition_entries(stmt: &Statement) -> Vec<ConditionEntry<'_>> {
    let mut out = Vec::new();
    if let Some(c) = &stmt.condition {
        operators(c, None, &mut out);
    }
    out
}

fn operators<'a>(v: &'a Value, when: Option<&'a str>, out: &mut Vec<ConditionEntry<'a>>) {
    match &v.kind {
        ValueKind::Map(entries) => {
            for e in entries {
                keys(&e.key, e.key_span, &e.value, when, out);
            }
        }
        ValueKind::Choice { condition, options } => {
            for o in options.iter().flatten() {
                operators(o, Some(when.unwrap_or(condition)), out);
            }
        }
        _ => {}
    }
}

fn keys<'a>(
    operator: &'a str,
    operator_span: Span,
    v: &'a Value,
    when: Option<&'a str>,
    out: &mut Vec<ConditionEntry<'a>>,
) {
    match &v.kind {
        ValueKind::Map(entries) => {
            for e in entries {
                out.push(ConditionEntry {
                    operator,
                    operator_span,
                    key: &e.key,
                    key_span: e.key_span,
                    values: &e.value,
                    when,
                });
            }
        }
        ValueKind::Choice { condition, options } => {
            for o in options.iter().flatten() {
                keys(
                    operator,
                    operator_span,
                    o,
                    Some(when.unwrap_or(condition)),
                    out,
                );
            }
        }
        _ => {}
    }
}

/// The first value of a condition entry that IAM cannot read as a value of the operator's
/// kind, with where it is written. Values known only at deploy time are not judged.
pub(crate) fn unreadable_value(
    kind: palisade_iam::OperatorType,
    values: &Value,
) -> Option<(String, Span)> {
    let items: Vec<&Value> = match &values.kind {
        ValueKind::List(items) => items.iter().collect(),
        _ => vec![values],
    };
    items.into_iter().find_map(|v| {
        let text = match &v.kind {
            ValueKind::Text(t) => t.literal()?.to_string(),
            ValueKind::Number(n) => n.clone(),
            ValueKind::Bool(b) => b.to_string(),
            _ => return None,
        };
        (!palisade_iam::value_fits(kind, &text)).then_some((text, v.span))
    })
}

/// How certain an occurrence inside a condition block is.
pub(crate) fn entry_existence(
    doc: &PolicyDocument,
    stmt: &Statement,
    entry: &ConditionEntry<'_>,
) -> Truth {
    match entry.when {
        Some(cond) => Truth::Depends(cond.to_string()),
        None => existence(doc, stmt, None),
    }
}

/// The services a statement's actions belong to, or `None` when that is every service (a
/// `NotAction`, `*`, `*:Get*`) or not known (an action given by a reference).
pub(crate) fn statement_services(stmt: &Statement) -> Option<BTreeSet<&'static str>> {
    let actions = stmt.action.as_ref()?;
    if stmt.not_action.is_some() {
        return None;
    }
    let c = catalog();
    let mut out = BTreeSet::new();
    for item in &actions.items {
        let p = item.text.literal()?.trim();
        let (svc, _) = p.split_once(':')?;
        if svc.contains(['*', '?']) {
            return None;
        }
        // An unknown prefix (PAL220's) adds no service.
        if let Some(s) = c.service(svc) {
            out.insert(s.prefix);
        }
    }
    Some(out)
}

/// The catalog actions a statement's literal `Action` patterns expand to (empty with
/// `NotAction` or an expression among them).
pub(crate) fn statement_catalog_actions(stmt: &Statement) -> Vec<&'static palisade_iam::Action> {
    let Some(actions) = stmt.action.as_ref() else {
        return Vec::new();
    };
    if stmt.not_action.is_some() {
        return Vec::new();
    }
    let mut out: Vec<&'static palisade_iam::Action> = Vec::new();
    for item in &actions.items {
        let Some(p) = item.text.literal() else {
            return Vec::new();
        };
        out.extend(catalog().expand(p));
    }
    out.sort_by_key(|a| a.id);
    out.dedup_by_key(|a| a.id);
    out
}

/// A whole-text reference (`!GetAtt Table.Arn`, `!Ref Param`): its value is only known at
/// deploy time.
pub(crate) fn unresolved(text: &Text) -> bool {
    text.segments
        .iter()
        .all(|s| matches!(s, Segment::Sym(_)) || matches!(s, Segment::Lit(l) if l.is_empty()))
}

/// `s3:GetObject, s3:PutObject and 3 more`.
pub(crate) fn list_names(names: &[String], at_most: usize) -> String {
    list_first_names(names, names.len(), at_most)
}

/// [`list_names`] when `names` holds only the first of `total` names.
pub(crate) fn list_first_names(names: &[String], total: usize, at_most: usize) -> String {
    let shown: Vec<&str> = names.iter().take(at_most).map(String::as_str).collect();
    match total.saturating_sub(shown.len()) {
        0 => shown.join(", "),
        more => format!("{} and {more} more", shown.join(", ")),
    }
}

/// The policy variables (`${aws:username}`, `${aws:PrincipalTag/team}`, `${*}`) in the literal
/// parts of a text. Symbolic parts are template references, never variables.
pub(crate) fn policy_variables(text: &Text) -> Vec<String> {
    let mut out = Vec::new();
    for seg in &text.segments {
        let Segment::Lit(s) = seg else { continue };
        let mut rest = s.as_str();
        while let Some(pos) = rest.find("${") {
            let after = &rest[pos + 2..];
            let Some(close) = after.find('}') else { break };
            let name = &after[..close];
            if !name.is_empty() {
                out.push(format!("${{{name}}}"));
            }
            rest = &after[close + 1..];
        }
    }
    out
}

/// Every text in a value (condition values), with its span.
pub(crate) fn texts_of(v: &Value, out: &mut Vec<(Text, Span)>) {
    match &v.kind {
        ValueKind::Text(t) => out.push((t.clone(), v.span)),
        ValueKind::List(items) => items.iter().for_each(|i| texts_of(i, out)),
        ValueKind::Map(entries) => entries.iter().for_each(|e| texts_of(&e.value, out)),
        ValueKind::Choice { options, .. } => {
            options.iter().flatten().for_each(|o| texts_of(o, out))
        }
        _ => {}
    }
}

/// The item's text as written, for messages and fingerprints.
pub(crate) fn shown(item: &PatternItem) -> String {
    item.text.render()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables_in_literal_parts_only() {
        let mut t = Text::lit("arn:aws:s3:::home/${aws:username}/");
        t.push(Segment::Sym(palisade_model::Symbol::Ref("Bucket".into())));
        t.push(Segment::Lit("${aws:PrincipalTag/team}-${}".into()));
        assert_eq!(
            policy_variables(&t),
            ["${aws:username}", "${aws:PrincipalTag/team}"]
        );
        assert!(policy_variables(&Text::lit("arn:aws:s3:::b/*")).is_empty());
    }

    #[test]
    fn names_are_listed_with_a_count() {
        let names: Vec<String> = ["a", "b", "c"].iter().map(|s| s.to_string()).collect();
        assert_eq!(list_names(&names, 2), "a, b and 1 more");
        assert_eq!(list_names(&names, 3), "a, b, c");
    }
}

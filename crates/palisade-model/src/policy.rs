//! IAM policy documents from values, for every source that writes them as JSON-shaped data:
//! templates (CloudFormation, SAM, Serverless Framework, Terraform's `jsonencode`) and AWS
//! managed policies. Format-neutral, so loaders and analyzers share one reading of the grammar.

use crate::iam::{
    Effect, PatternItem, Patterns, PolicyDocument, PolicySource, Principal, PrincipalKind,
    Statement,
};
use crate::source::Span;
use crate::value::{MapEntry, Prop, Resolved, Symbol, Text, Value, ValueKind};

/// Read a policy document. Anything unreadable is kept as far as possible and noted in
/// `incomplete`, never dropped silently.
pub fn policy_document(value: &Value, source: PolicySource) -> PolicyDocument {
    let mut doc = PolicyDocument {
        source,
        span: value.span,
        version: None,
        statements: Vec::new(),
        incomplete: None,
        when: None,
    };
    // Some sources hand over the JSON as a string (a heredoc, a JSON-in-YAML literal).
    // Only an object or a list can be a document: a string holding `42` or `"x"` must not be
    // read again and again.
    if let Some(s) = value.as_str()
        && let Ok(json) = serde_json::from_str::<serde_json::Value>(s)
        && (json.is_object() || json.is_array())
    {
        let parsed = from_json(&json, value.span);
        return policy_document(&parsed, doc.source);
    }
    if !matches!(value.kind, ValueKind::Map(_)) {
        doc.incomplete = Some(format!("the policy document is {}", value.render()));
        return doc;
    }
    doc.version = value
        .get("Version")
        .map(|v| Prop::from_value(v, |v| v.as_str().map(str::to_string)));
    match value.get("Statement") {
        None => doc.incomplete = Some("the policy document has no Statement".into()),
        Some(stmts) => match &stmts.kind {
            ValueKind::List(items) => {
                for item in items {
                    push_statements(&mut doc.statements, item, None);
                }
            }
            ValueKind::Map(_) | ValueKind::Choice { .. } => {
                push_statements(&mut doc.statements, stmts, None);
            }
            _ => doc.incomplete = Some(format!("Statement is {}", stmts.render())),
        },
    }
    doc
}

/// Statements written without an enclosing document (SAM `Policies: [{Statement: …}]` is a
/// document, but serverless.yml `iamRoleStatements` is a bare list).
pub fn statements_document(items: &[Value], span: Span, source: PolicySource) -> PolicyDocument {
    PolicyDocument {
        source,
        span,
        version: None,
        statements: {
            let mut out = Vec::new();
            for item in items {
                push_statements(&mut out, item, None);
            }
            out
        },
        incomplete: None,
        when: None,
    }
}

/// Add the statement(s) a value stands for: one for a map, one per present branch of a
/// choice (`!If [Cond, {...}, AWS::NoValue]`), each knowing the condition it exists under.
fn push_statements(out: &mut Vec<Statement>, v: &Value, when: Option<&str>) {
    match &v.kind {
        ValueKind::Choice { condition, options } => {
            for o in options.iter().flatten() {
                push_statements(out, o, Some(when.unwrap_or(condition)));
            }
        }
        _ => {
            let mut stmt = statement(v, out.len());
            stmt.when = when.map(str::to_string);
            out.push(stmt);
        }
    }
}

fn statement(v: &Value, index: usize) -> Statement {
    let effect = match v.get("Effect") {
        Some(e) => Prop::from_value(e, |e| match e.as_str()?.trim() {
            "Allow" => Some(Effect::Allow),
            "Deny" => Some(Effect::Deny),
            _ => None,
        }),
        None => Prop {
            value: Resolved::Unknown("no Effect".into()),
            span: v.span,
        },
    };
    Statement {
        index,
        span: v.span,
        sid: v.get("Sid").and_then(Value::as_str).map(str::to_string),
        effect,
        action: v.get("Action").map(patterns),
        not_action: v.get("NotAction").map(patterns),
        resource: v.get("Resource").map(patterns),
        not_resource: v.get("NotResource").map(patterns),
        principal: v.get("Principal").map(principal),
        not_principal: v.get("NotPrincipal").map(principal),
        condition: v.get("Condition").cloned(),
        when: None,
    }
}

fn patterns(v: &Value) -> Patterns {
    let mut items = Vec::new();
    collect_items(v, &mut items, None);
    Patterns {
        items,
        span: v.span,
    }
}

/// Items of a pattern list; each branch of a choice is kept, knowing its condition.
fn collect_items(v: &Value, out: &mut Vec<PatternItem>, when: Option<&str>) {
    match &v.kind {
        ValueKind::List(items) => {
            for i in items {
                collect_items(i, out, when);
            }
        }
        ValueKind::Choice { condition, options } => {
            for o in options.iter().flatten() {
                collect_items(o, out, Some(when.unwrap_or(condition)));
            }
        }
        _ => {
            let text = v
                .to_text()
                .unwrap_or_else(|| Text::sym(Symbol::Unknown(v.render())));
            out.push(PatternItem {
                text,
                span: v.span,
                when: when.map(str::to_string),
            });
        }
    }
}

fn principal(v: &Value) -> Principal {
    if v.as_str() == Some("*") {
        return Principal::Any { span: v.span };
    }
    let mut entries = Vec::new();
    if let Some(map) = v.as_map() {
        for e in map {
            let kind = match e.key.as_str() {
                "AWS" => PrincipalKind::Aws,
                "Service" => PrincipalKind::Service,
                "Federated" => PrincipalKind::Federated,
                "CanonicalUser" => PrincipalKind::CanonicalUser,
                other => PrincipalKind::Other(other.to_string()),
            };
            entries.push((kind, patterns(&e.value)));
        }
    } else {
        entries.push((PrincipalKind::Other(v.render()), patterns(v)));
    }
    Principal::Map {
        entries,
        span: v.span,
    }
}

/// A JSON value as a model value, every node carrying the given span (JSON embedded in a
/// string has no finer positions).
pub fn from_json(json: &serde_json::Value, span: Span) -> Value {
    let kind = match json {
        serde_json::Value::Null => ValueKind::Null,
        serde_json::Value::Bool(b) => ValueKind::Bool(*b),
        serde_json::Value::Number(n) => ValueKind::Number(n.to_string()),
        serde_json::Value::String(s) => ValueKind::Text(Text::lit(s.clone())),
        serde_json::Value::Array(items) => {
            ValueKind::List(items.iter().map(|i| from_json(i, span)).collect())
        }
        serde_json::Value::Object(map) => ValueKind::Map(
            map.iter()
                .map(|(k, v)| MapEntry {
                    key: k.clone(),
                    key_span: span,
                    value: from_json(v, span),
                })
                .collect(),
        ),
    };
    Value::new(kind, span)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A document that is a number, a Boolean, or a string holding one is incomplete, not read
    /// again and again.
    #[test]
    fn scalar_documents_are_incomplete() {
        for json in [
            serde_json::json!(42),
            serde_json::json!(true),
            serde_json::json!("42"),
            serde_json::json!("\"x\""),
        ] {
            let doc = policy_document(&from_json(&json, Span::default()), PolicySource::Trust);
            assert!(doc.incomplete.is_some(), "{json}");
            assert!(doc.statements.is_empty());
        }
    }
}

//! Values of the partial evaluator: plain [`Node`]s for what is known, and the tags of
//! [`super::model`] (`TfRef`, `TfUnknown`, `TfJoin`, `TfChoice`, `TfJson`) for what is not.

use crate::yaml::{Node, NodeKind};

pub(crate) const REF: &str = "TfRef";
pub(crate) const UNKNOWN: &str = "TfUnknown";
pub(crate) const JOIN: &str = "TfJoin";
pub(crate) const CHOICE: &str = "TfChoice";
pub(crate) const JSON: &str = "TfJson";

pub(crate) fn node(kind: NodeKind, start: usize, end: usize) -> Node {
    Node {
        kind,
        start,
        end,
        tag: None,
    }
}

pub(crate) fn string(s: impl Into<String>, start: usize, end: usize) -> Node {
    node(NodeKind::Str(s.into()), start, end)
}

pub(crate) fn number(n: f64, start: usize, end: usize) -> Node {
    node(NodeKind::Number(format_number(n)), start, end)
}

pub(crate) fn boolean(b: bool, start: usize, end: usize) -> Node {
    node(NodeKind::Bool(b), start, end)
}

pub(crate) fn tagged(kind: NodeKind, tag: &str, start: usize, end: usize) -> Node {
    Node {
        kind,
        start,
        end,
        tag: Some(tag.to_string()),
    }
}

/// Something not known before apply; `text` is the expression as written.
pub(crate) fn unknown(text: impl Into<String>, start: usize, end: usize) -> Node {
    tagged(NodeKind::Str(text.into()), UNKNOWN, start, end)
}

/// An attribute of a resource of the app, by address.
pub(crate) fn reference(address: impl Into<String>, start: usize, end: usize) -> Node {
    tagged(NodeKind::Str(address.into()), REF, start, end)
}

fn has_tag(n: &Node, tag: &str) -> bool {
    n.tag.as_deref() == Some(tag)
}

/// True for a value that is not (entirely) known at its top: a reference, an unknown, an
/// interpolation with unknown parts, an undecided conditional.
pub(crate) fn is_symbolic(n: &Node) -> bool {
    matches!(n.tag.as_deref(), Some(REF | UNKNOWN | JOIN | CHOICE))
}

/// True when the value and everything in it is known.
pub(crate) fn is_known(n: &Node) -> bool {
    if is_symbolic(n) {
        return false;
    }
    match &n.kind {
        NodeKind::Seq(items) => items.iter().all(is_known),
        NodeKind::Map(entries) => entries.iter().all(|(k, v)| is_known(k) && is_known(v)),
        _ => true,
    }
}

pub(crate) fn is_json(n: &Node) -> bool {
    has_tag(n, JSON)
}

/// A number as Terraform prints it: integers without a fraction.
pub(crate) fn format_number(n: f64) -> String {
    if n.is_finite() && n.fract() == 0.0 && n.abs() < 1e15 {
        // The range check keeps the conversion exact.
        #[expect(
            clippy::cast_possible_truncation,
            reason = "checked to be integral and small"
        )]
        let i = n as i64;
        i.to_string()
    } else {
        n.to_string()
    }
}

/// A known number (numbers, and strings that hold one, as Terraform converts them).
pub(crate) fn as_number(n: &Node) -> Option<f64> {
    if is_symbolic(n) {
        return None;
    }
    match &n.kind {
        NodeKind::Number(s) | NodeKind::Str(s) => s.trim().parse::<f64>().ok(),
        _ => None,
    }
}

pub(crate) fn as_bool(n: &Node) -> Option<bool> {
    if is_symbolic(n) {
        return None;
    }
    match &n.kind {
        NodeKind::Bool(b) => Some(*b),
        NodeKind::Str(s) if s == "true" => Some(true),
        NodeKind::Str(s) if s == "false" => Some(false),
        _ => None,
    }
}

/// A known primitive as a string (`tostring`, interpolation); collections are not strings.
pub(crate) fn as_text(n: &Node) -> Option<String> {
    if is_symbolic(n) {
        return None;
    }
    match &n.kind {
        NodeKind::Str(s) | NodeKind::Number(s) => Some(s.clone()),
        NodeKind::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A known string value borrowed.
pub(crate) fn as_str(n: &Node) -> Option<&str> {
    if is_symbolic(n) {
        return None;
    }
    n.as_str()
}

/// Structural equality of known values (spans and `TfJson` ignored); `None` when either side
/// is not known.
pub(crate) fn equal(a: &Node, b: &Node) -> Option<bool> {
    if !is_known(a) || !is_known(b) {
        return None;
    }
    Some(same(a, b))
}

fn same(a: &Node, b: &Node) -> bool {
    match (&a.kind, &b.kind) {
        (NodeKind::Number(x), NodeKind::Number(y)) => match (x.parse::<f64>(), y.parse::<f64>()) {
            (Ok(x), Ok(y)) => x == y,
            _ => x == y,
        },
        (NodeKind::Seq(x), NodeKind::Seq(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (NodeKind::Map(x), NodeKind::Map(y)) => {
            x.len() == y.len()
                && x.iter().all(|(k, v)| {
                    y.iter()
                        .any(|(k2, v2)| k.as_str() == k2.as_str() && same(v, v2))
                })
        }
        (x, y) => x == y,
    }
}

/// Give a value and everything in it the span `[start, end)`.
pub(crate) fn respan(n: &mut Node, start: usize, end: usize) {
    n.start = start;
    n.end = end;
    match &mut n.kind {
        NodeKind::Seq(items) => items.iter_mut().for_each(|i| respan(i, start, end)),
        NodeKind::Map(entries) => entries.iter_mut().for_each(|(k, v)| {
            respan(k, start, end);
            respan(v, start, end);
        }),
        _ => {}
    }
}

/// Number of nodes in a value, counted up to `limit` (a cheap size guard).
pub(crate) fn weight(n: &Node, limit: usize) -> usize {
    let mut count = 0usize;
    let mut stack = vec![n];
    while let Some(n) = stack.pop() {
        count += 1;
        if count >= limit {
            return limit;
        }
        match &n.kind {
            NodeKind::Seq(items) => stack.extend(items),
            NodeKind::Map(entries) => {
                for (k, v) in entries {
                    stack.push(k);
                    stack.push(v);
                }
            }
            _ => {}
        }
    }
    count
}

/// The JSON text of a known value (`jsonencode` in a string context). Object keys are sorted,
/// as Terraform sorts them.
pub(crate) fn to_json(n: &Node) -> Option<String> {
    to_json_value(n).map(|v| v.to_string())
}

fn to_json_value(n: &Node) -> Option<serde_json::Value> {
    use serde_json::Value;
    if is_symbolic(n) {
        return None;
    }
    Some(match &n.kind {
        NodeKind::Null => Value::Null,
        NodeKind::Bool(b) => Value::Bool(*b),
        NodeKind::Number(s) => serde_json::from_str::<serde_json::Number>(s)
            .map(Value::Number)
            .unwrap_or_else(|_| Value::String(s.clone())),
        NodeKind::Str(s) => Value::String(s.clone()),
        NodeKind::Seq(items) => Value::Array(
            items
                .iter()
                .map(to_json_value)
                .collect::<Option<Vec<_>>>()?,
        ),
        NodeKind::Map(entries) => {
            let mut map = serde_json::Map::new();
            for (k, v) in entries {
                map.insert(as_text(k)?, to_json_value(v)?);
            }
            Value::Object(map)
        }
    })
}

/// A JSON value as a node; every node gets the span `[start, end)`.
pub(crate) fn from_json(v: &serde_json::Value, start: usize, end: usize) -> Node {
    use serde_json::Value;
    let kind = match v {
        Value::Null => NodeKind::Null,
        Value::Bool(b) => NodeKind::Bool(*b),
        Value::Number(n) => NodeKind::Number(n.to_string()),
        Value::String(s) => NodeKind::Str(s.clone()),
        Value::Array(items) => {
            NodeKind::Seq(items.iter().map(|i| from_json(i, start, end)).collect())
        }
        Value::Object(map) => NodeKind::Map(
            map.iter()
                .map(|(k, v)| (string(k.clone(), start, end), from_json(v, start, end)))
                .collect(),
        ),
    };
    node(kind, start, end)
}

/// The value for a key of a known map.
pub(crate) fn map_get<'n>(n: &'n Node, key: &str) -> Option<&'n Node> {
    n.as_map()?
        .iter()
        .rev()
        .find(|(k, _)| k.as_str() == Some(key))
        .map(|(_, v)| v)
}

/// `[i]` or `["k"]`, as in a resource instance address.
pub(crate) fn instance_key(key: &Node) -> Option<String> {
    match &key.kind {
        NodeKind::Number(n) => Some(format!("[{n}]")),
        NodeKind::Str(s) if !is_symbolic(key) => Some(format!("[{}]", quote(s))),
        _ => None,
    }
}

/// A string quoted the way Terraform writes it in addresses and `%q`.
pub(crate) fn quote(s: &str) -> String {
    serde_json::Value::String(s.to_string()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_print_like_terraform() {
        assert_eq!(format_number(3.0), "3");
        assert_eq!(format_number(-2.0), "-2");
        assert_eq!(format_number(1.5), "1.5");
    }

    #[test]
    fn equality_ignores_spans_and_needs_known_values() {
        let a = string("x", 0, 1);
        let b = string("x", 5, 6);
        assert_eq!(equal(&a, &b), Some(true));
        assert_eq!(equal(&a, &unknown("var.x", 0, 1)), None);
    }

    #[test]
    fn json_text_sorts_keys() {
        let m = node(
            NodeKind::Map(vec![
                (string("b", 0, 0), number(1.0, 0, 0)),
                (string("a", 0, 0), string("x", 0, 0)),
            ]),
            0,
            0,
        );
        assert_eq!(to_json(&m).as_deref(), Some(r#"{"a":"x","b":1}"#));
    }
}

//! Building CloudFormation nodes for the translated document. Every node takes the span (`At`)
//! of the serverless.yml element it stands for, so that findings land on the user's line.

use crate::yaml::{Node, NodeKind};

/// The byte range a synthetic node stands for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct At {
    pub start: usize,
    pub end: usize,
}

impl At {
    pub fn of(node: &Node) -> At {
        At {
            start: node.start,
            end: node.end,
        }
    }
}

fn node(kind: NodeKind, at: At, tag: Option<&str>) -> Node {
    Node {
        kind,
        start: at.start,
        end: at.end,
        tag: tag.map(str::to_string),
    }
}

pub(crate) fn s(text: &str, at: At) -> Node {
    node(NodeKind::Str(text.to_string()), at, None)
}

pub(crate) fn num(n: u64, at: At) -> Node {
    node(NodeKind::Number(n.to_string()), at, None)
}

pub(crate) fn boolean(b: bool, at: At) -> Node {
    node(NodeKind::Bool(b), at, None)
}

pub(crate) fn seq(items: Vec<Node>, at: At) -> Node {
    node(NodeKind::Seq(items), at, None)
}

/// A mapping; keys take the span of their value (they have no text of their own).
pub(crate) fn map(entries: Vec<(&str, Node)>, at: At) -> Node {
    let entries = entries
        .into_iter()
        .map(|(k, v)| {
            let key = s(k, At::of(&v));
            (key, v)
        })
        .collect();
    node(NodeKind::Map(entries), at, None)
}

/// A mapping with owned keys.
pub(crate) fn map_owned(entries: Vec<(String, Node)>, at: At) -> Node {
    let entries = entries
        .into_iter()
        .map(|(k, v)| {
            let key = s(&k, At::of(&v));
            (key, v)
        })
        .collect();
    node(NodeKind::Map(entries), at, None)
}

pub(crate) fn reference(id: &str, at: At) -> Node {
    node(NodeKind::Str(id.to_string()), at, Some("Ref"))
}

pub(crate) fn get_att(id: &str, attr: &str, at: At) -> Node {
    node(NodeKind::Str(format!("{id}.{attr}")), at, Some("GetAtt"))
}

/// The parts of a `!Join ["", parts]`, or the node itself.
fn join_parts(n: Node) -> Vec<Node> {
    let is_join = n.tag.as_deref() == Some("Join");
    if is_join
        && let NodeKind::Seq(mut items) = n.kind.clone()
        && items.len() == 2
        && items.first().and_then(Node::as_str) == Some("")
        && let Some(list) = items.pop()
        && let NodeKind::Seq(parts) = list.kind
    {
        return parts;
    }
    vec![n]
}

/// Concatenate parts: one string when every part is a plain scalar, else `!Join ["", parts]`.
pub(crate) fn concat(parts: Vec<Node>, at: At) -> Node {
    let mut flat: Vec<Node> = Vec::new();
    for p in parts.into_iter().flat_map(join_parts) {
        let plain = p.tag.is_none() && scalar_text(&p).is_some();
        let last_plain = flat
            .last()
            .is_some_and(|l: &Node| l.tag.is_none() && scalar_text(l).is_some());
        if plain
            && last_plain
            && let (Some(l), Some(t)) = (flat.last_mut(), scalar_text(&p))
        {
            let joined = format!("{}{t}", scalar_text(l).unwrap_or_default());
            l.kind = NodeKind::Str(joined);
            l.end = l.end.max(p.end);
            continue;
        }
        if plain && scalar_text(&p).is_some_and(|t| t.is_empty()) {
            continue;
        }
        flat.push(p);
    }
    match flat.len() {
        0 => s("", at),
        1 if flat.first().is_some_and(|p| p.tag.is_none()) => {
            let mut only = flat.pop().unwrap_or_else(|| s("", at));
            only.start = at.start;
            only.end = at.end;
            if let Some(t) = scalar_text(&only) {
                only.kind = NodeKind::Str(t);
            }
            only
        }
        _ => node(
            NodeKind::Seq(vec![s("", at), seq(flat, at)]),
            at,
            Some("Join"),
        ),
    }
}

/// The text of a plain scalar (`null` is empty).
pub(crate) fn scalar_text(n: &Node) -> Option<String> {
    if n.tag.is_some() {
        return None;
    }
    match &n.kind {
        NodeKind::Str(x) | NodeKind::Number(x) => Some(x.clone()),
        NodeKind::Bool(b) => Some(b.to_string()),
        NodeKind::Null => Some(String::new()),
        _ => None,
    }
}

/// A plain string value.
pub(crate) fn text(n: Option<&Node>) -> Option<&str> {
    let n = n?;
    if n.tag.is_some() {
        return None;
    }
    n.as_str()
}

/// `true`, `"true"` and the like.
pub(crate) fn truthy(n: Option<&Node>) -> bool {
    match n.map(|n| &n.kind) {
        Some(NodeKind::Bool(b)) => *b,
        Some(NodeKind::Str(s)) => s.eq_ignore_ascii_case("true"),
        _ => false,
    }
}

/// True when the node is given and is not `false`/`null`.
pub(crate) fn enabled(n: Option<&Node>) -> bool {
    match n.map(|n| &n.kind) {
        None | Some(NodeKind::Null) => false,
        Some(NodeKind::Bool(b)) => *b,
        Some(NodeKind::Str(s)) => !s.eq_ignore_ascii_case("false"),
        Some(_) => true,
    }
}

/// The items of a list, or the node itself as a one-item list.
pub(crate) fn items(n: &Node) -> Vec<&Node> {
    match &n.kind {
        NodeKind::Seq(items) => items.iter().collect(),
        NodeKind::Null => Vec::new(),
        _ => vec![n],
    }
}

/// Deep merge as the Framework does for `resources` overriding generated resources: maps
/// merge key by key (the override wins), anything else is replaced.
pub(crate) fn deep_merge(base: &Node, over: &Node) -> Node {
    match (&base.kind, &over.kind) {
        (NodeKind::Map(b), NodeKind::Map(o)) if base.tag.is_none() && over.tag.is_none() => {
            let mut entries = b.clone();
            for (ok, ov) in o {
                match entries
                    .iter_mut()
                    .find(|(bk, _)| bk.as_str().is_some() && bk.as_str() == ok.as_str())
                {
                    Some(slot) => {
                        slot.1 = deep_merge(&slot.1, ov);
                        slot.0 = ok.clone();
                    }
                    None => entries.push((ok.clone(), ov.clone())),
                }
            }
            Node {
                kind: NodeKind::Map(entries),
                ..over.clone()
            }
        }
        _ => over.clone(),
    }
}

/// `hello-world_fn` → `HelloDashworldUnderscorefn`: the Framework's normalized name, which
/// prefixes the logical ids it generates (`HelloLambdaFunction`).
pub(crate) fn normalize(name: &str) -> String {
    let replaced = name.replace('-', "Dash").replace('_', "Underscore");
    let mut chars = replaced.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Only letters and digits, first letter upper-cased: the Framework's
/// `normalizeNameToAlphaNumericOnly` (`orders-receipts` → `Ordersreceipts`).
pub(crate) fn alnum(name: &str) -> String {
    let kept: String = name.chars().filter(char::is_ascii_alphanumeric).collect();
    let mut chars = kept.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalized_names_follow_the_framework() {
        assert_eq!(normalize("hello"), "Hello");
        assert_eq!(normalize("hello-world_x"), "HelloDashworldUnderscorex");
        assert_eq!(alnum("my-topic.fifo"), "Mytopicfifo");
    }

    #[test]
    fn concat_of_plain_parts_is_one_string() {
        let at = At { start: 1, end: 5 };
        let n = concat(vec![s("a", at), s("b", at)], at);
        assert_eq!(n.as_str(), Some("ab"));
        let n = concat(vec![s("a", at), reference("X", at), s("b", at)], at);
        assert_eq!(n.tag.as_deref(), Some("Join"));
    }
}

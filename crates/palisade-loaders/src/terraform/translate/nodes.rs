//! Building CloudFormation nodes that keep the spans of the Terraform attributes they come
//! from, and reading Terraform attribute nodes.

use crate::yaml::{Node, NodeKind};

/// A node of `kind` spanning `[start, end)`.
pub(super) fn node(kind: NodeKind, start: usize, end: usize) -> Node {
    Node {
        kind,
        start,
        end,
        tag: None,
    }
}

/// A string at the span of `at`.
pub(super) fn str_at(s: &str, at: &Node) -> Node {
    node(NodeKind::Str(s.to_string()), at.start, at.end)
}

/// A string spanning `[start, end)`.
pub(super) fn str_span(s: &str, start: usize, end: usize) -> Node {
    node(NodeKind::Str(s.to_string()), start, end)
}

pub(super) fn map_at(entries: Vec<(Node, Node)>, at: &Node) -> Node {
    node(NodeKind::Map(entries), at.start, at.end)
}

pub(super) fn seq_at(items: Vec<Node>, at: &Node) -> Node {
    node(NodeKind::Seq(items), at.start, at.end)
}

/// A short-form intrinsic (`!Ref`, `!GetAtt`, `!Join`, `!If`, `!Equals`): the loader reads
/// tags the way it reads `Fn::` keys, and a tag cannot be confused with a one-key mapping.
pub(super) fn tagged(tag: &str, mut n: Node) -> Node {
    n.tag = Some(tag.to_string());
    n
}

pub(super) fn ref_at(id: &str, at: &Node) -> Node {
    tagged("Ref", str_at(id, at))
}

/// `Fn::GetAtt` in its list form: logical ids translated from Terraform contain dots.
pub(super) fn get_att(id: &str, attr: &str, at: &Node) -> Node {
    tagged("GetAtt", seq_at(vec![str_at(id, at), str_at(attr, at)], at))
}

/// `Fn::Join ["", parts]`.
pub(super) fn join(parts: Vec<Node>, at: &Node) -> Node {
    tagged("Join", seq_at(vec![str_at("", at), seq_at(parts, at)], at))
}

/// `arn:${AWS::Partition}:<service>:${AWS::Region}:...` pieces: a pseudo parameter.
pub(super) fn pseudo(name: &str, at: &Node) -> Node {
    ref_at(name, at)
}

/// A mapping entry whose key takes the span of `key_at`.
pub(super) fn entry(name: &str, key_at: &Node, value: Node) -> (Node, Node) {
    (str_at(name, key_at), value)
}

/// True when a Terraform value stands for "not set": plan files write unset attributes as
/// `null`, `""` or `[]`.
pub(super) fn is_unset(n: &Node) -> bool {
    if n.tag.is_some() {
        return false;
    }
    match &n.kind {
        NodeKind::Null => true,
        NodeKind::Str(s) => s.is_empty(),
        NodeKind::Seq(items) => items.is_empty(),
        NodeKind::Map(entries) => entries.is_empty(),
        _ => false,
    }
}

/// An attribute that is set: its key and value.
pub(super) fn attr<'n>(body: &'n Node, name: &str) -> Option<(&'n Node, &'n Node)> {
    body.entry(name).filter(|(_, v)| !is_unset(v))
}

/// The first instance of a nested block (`tracing_config { ... }`), a `Seq` of `Map`s.
pub(super) fn block<'n>(body: &'n Node, name: &str) -> Option<&'n Node> {
    blocks(body, name).first().copied()
}

/// Every instance of a nested block.
pub(super) fn blocks<'n>(body: &'n Node, name: &str) -> Vec<&'n Node> {
    match body.get(name) {
        Some(n) if n.tag.is_none() => match &n.kind {
            NodeKind::Seq(items) => items.iter().filter(|i| i.as_map().is_some()).collect(),
            NodeKind::Map(_) => vec![n],
            _ => Vec::new(),
        },
        _ => Vec::new(),
    }
}

/// A literal (untagged) string.
pub(super) fn lit_str(n: &Node) -> Option<&str> {
    if n.tag.is_some() {
        return None;
    }
    n.as_str()
}

/// A literal boolean (`true`, or the string `"true"` a variable may hold).
pub(super) fn lit_bool(n: &Node) -> Option<bool> {
    if n.tag.is_some() {
        return None;
    }
    match &n.kind {
        NodeKind::Bool(b) => Some(*b),
        NodeKind::Str(s) => match s.as_str() {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// A literal number.
pub(super) fn lit_i64(n: &Node) -> Option<i64> {
    if n.tag.is_some() {
        return None;
    }
    match &n.kind {
        NodeKind::Number(s) | NodeKind::Str(s) => s.parse().ok(),
        _ => None,
    }
}

/// `a/b` joined with `c` lexically (`./` and `..` resolved), `/` separated.
pub(super) fn join_path(dir: &str, path: &str) -> String {
    if path.starts_with('/') {
        return path.to_string();
    }
    let mut parts: Vec<&str> = dir
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    let mut ups = 0usize;
    for p in path.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    ups += 1;
                }
            }
            other => parts.push(other),
        }
    }
    let mut out: Vec<&str> = std::iter::repeat_n("..", ups).collect();
    out.extend(parts);
    if out.is_empty() {
        ".".to_string()
    } else {
        out.join("/")
    }
}

/// The folder part of a `/` separated path (`.` for a bare file name).
pub(super) fn parent_path(path: &str) -> String {
    match path.rsplit_once('/') {
        Some((dir, _)) if !dir.is_empty() => dir.to_string(),
        Some(_) => "/".to_string(),
        None => ".".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_join_lexically() {
        assert_eq!(join_path("", "./src"), "src");
        assert_eq!(join_path("modules/api", "../../lambda/src"), "lambda/src");
        assert_eq!(join_path("", "../shared/src"), "../shared/src");
        assert_eq!(join_path("modules/api", "src/"), "modules/api/src");
        assert_eq!(join_path("", "/abs/x"), "/abs/x");
        assert_eq!(parent_path("src/app.py"), "src");
        assert_eq!(parent_path("app.py"), ".");
    }
}

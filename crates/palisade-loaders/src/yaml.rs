//! A YAML (and JSON) document tree with byte spans and tags, built from saphyr-parser events.
//!
//! We build the tree ourselves rather than use saphyr's `MarkedYaml` so that hostile input is
//! bounded where it matters: nesting depth (a 10,000-deep document is an error, not a stack
//! overflow), alias expansion (a "billion laughs" document is an error, not gigabytes), and
//! duplicate keys (kept, last wins, reported), each with the position it was found at.

use std::borrow::Cow;
use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, Span as YSpan, Tag};

/// Limits that keep a hostile document from exhausting the stack or memory.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Deepest nesting of sequences and mappings accepted.
    pub max_depth: usize,
    /// Nodes that alias expansion may add to a document.
    pub max_alias_nodes: usize,
    /// Bytes of scalar text that alias expansion may add (a long string aliased many times
    /// costs its length each time, not one node).
    pub max_alias_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: 256,
            max_alias_nodes: 100_000,
            max_alias_bytes: 16 * 1024 * 1024,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum NodeKind {
    Null,
    Bool(bool),
    /// A number as written.
    Number(String),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub kind: NodeKind,
    /// Byte offsets `[start, end)` in the source text.
    pub start: usize,
    pub end: usize,
    /// A local tag such as `Ref` for `!Ref` (the handle `!` is implied), or a full tag.
    pub tag: Option<String>,
}

impl Node {
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::Str(s) | NodeKind::Number(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&[(Node, Node)]> {
        match &self.kind {
            NodeKind::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.kind {
            NodeKind::Seq(s) => Some(s),
            _ => None,
        }
    }

    /// The value for a string key of a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|(_, v)| v)
    }

    pub fn entry(&self, key: &str) -> Option<(&Node, &Node)> {
        self.as_map()?
            .iter()
            .rev()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(k, v)| (k, v))
    }

    /// Nodes and bytes of scalar text in the tree.
    fn weight(&self) -> (usize, usize) {
        let own = match &self.kind {
            NodeKind::Str(s) | NodeKind::Number(s) => s.len(),
            _ => 0,
        };
        let children = match &self.kind {
            NodeKind::Seq(items) => items.iter().map(Node::weight).fold((0, 0), add),
            NodeKind::Map(entries) => entries
                .iter()
                .map(|(k, v)| add(k.weight(), v.weight()))
                .fold((0, 0), add),
            _ => (0, 0),
        };
        add((1, own), children)
    }
}

fn add(a: (usize, usize), b: (usize, usize)) -> (usize, usize) {
    (a.0.saturating_add(b.0), a.1.saturating_add(b.1))
}

/// Why a document could not be read. Offsets are bytes into the source.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum YamlError {
    #[error("YAML syntax error: {message}")]
    Syntax { message: String, offset: usize },
    #[error("nesting deeper than {limit} levels")]
    TooDeep { limit: usize, offset: usize },
    #[error("alias expansion would add more than {limit} (a \"billion laughs\" document?)")]
    AliasBomb { limit: String, offset: usize },
    #[error("alias refers to an unknown anchor")]
    UnknownAnchor { offset: usize },
    #[error("the file holds no YAML document")]
    Empty,
}

impl YamlError {
    pub fn offset(&self) -> Option<usize> {
        match self {
            YamlError::Syntax { offset, .. }
            | YamlError::TooDeep { offset, .. }
            | YamlError::AliasBomb { offset, .. }
            | YamlError::UnknownAnchor { offset } => Some(*offset),
            YamlError::Empty => None,
        }
    }
}

/// Something odd but readable (duplicate keys, merge keys, several documents).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct YamlWarning {
    pub message: String,
    pub offset: usize,
}

#[derive(Debug)]
pub struct Document {
    pub root: Node,
    pub warnings: Vec<YamlWarning>,
}

/// Converts saphyr's character indices to byte offsets.
struct Offsets<'a> {
    text: &'a str,
    /// Byte offset of every 64th character; empty when the text is ASCII.
    checkpoints: Vec<usize>,
}

impl<'a> Offsets<'a> {
    fn new(text: &'a str) -> Self {
        let checkpoints = if text.is_ascii() {
            Vec::new()
        } else {
            text.char_indices().step_by(64).map(|(b, _)| b).collect()
        };
        Offsets { text, checkpoints }
    }

    /// Move `end` back over trailing whitespace, not before `start`.
    fn trim_end(&self, start: usize, end: usize) -> usize {
        let bytes = self.text.as_bytes();
        let mut e = end.min(bytes.len());
        while e > start && bytes.get(e - 1).is_some_and(u8::is_ascii_whitespace) {
            e -= 1;
        }
        e
    }

    /// The end of a collection: the closing bracket of a flow collection, else the end of its
    /// last child (a block collection's end event sits at the next token, past comments).
    fn collection_end(
        &self,
        event_start: usize,
        event_end: usize,
        last_child: Option<usize>,
    ) -> usize {
        match self.text.as_bytes().get(event_start) {
            Some(b'}' | b']') => event_end,
            _ => last_child.unwrap_or(event_end),
        }
    }

    fn byte(&self, char_index: usize) -> usize {
        if self.checkpoints.is_empty() {
            return char_index.min(self.text.len());
        }
        let Some(&base) = self.checkpoints.get(char_index / 64) else {
            return self.text.len();
        };
        let rest = char_index % 64;
        self.text
            .get(base..)
            .and_then(|s| s.char_indices().nth(rest))
            .map_or(self.text.len(), |(b, _)| base + b)
    }
}

enum Frame {
    Seq {
        items: Vec<Node>,
        start: usize,
        tag: Option<String>,
        anchor: usize,
    },
    Map {
        entries: MapEntries,
        pending_key: Option<Node>,
        /// Keys that came from a `<<` merge, which later keys override silently.
        merged: std::collections::BTreeSet<String>,
        start: usize,
        tag: Option<String>,
        anchor: usize,
    },
}

fn tag_name(tag: Option<Cow<'_, Tag>>) -> Option<String> {
    let tag = tag?;
    if tag.handle == "!" || tag.handle.is_empty() {
        Some(tag.suffix.clone())
    } else {
        Some(format!("{}{}", tag.handle, tag.suffix))
    }
}

fn scalar_kind(value: Cow<'_, str>, style: ScalarStyle, tag: &Option<String>) -> NodeKind {
    if style != ScalarStyle::Plain || tag.is_some() {
        return NodeKind::Str(value.into_owned());
    }
    match value.as_ref() {
        "" | "~" | "null" | "Null" | "NULL" => NodeKind::Null,
        "true" | "True" | "TRUE" => NodeKind::Bool(true),
        "false" | "False" | "FALSE" => NodeKind::Bool(false),
        v if looks_numeric(v) => NodeKind::Number(value.into_owned()),
        _ => NodeKind::Str(value.into_owned()),
    }
}

fn looks_numeric(v: &str) -> bool {
    let digits = v.strip_prefix(['-', '+']).unwrap_or(v);
    !digits.is_empty()
        && digits.bytes().next().is_some_and(|b| b.is_ascii_digit() || b == b'.')
        && (v.parse::<i64>().is_ok() || v.parse::<f64>().is_ok())
        // Keep version-like and zero-padded strings as text (`01`, `1.2.3`).
        && !(digits.len() > 1 && digits.starts_with('0') && !digits.starts_with("0."))
}

/// A plain scalar used as a mapping key is a name: `Null:` (the IAM condition operator) and
/// `true:` are keys as written, not null and a boolean.
fn key_node(mut node: Node, text: &str) -> Node {
    if matches!(node.kind, NodeKind::Null | NodeKind::Bool(_))
        && let Some(written) = text.get(node.start..node.end)
        && !written.is_empty()
    {
        node.kind = NodeKind::Str(written.to_string());
    }
    node
}

/// Parse the first document of a YAML or JSON text.
pub fn parse(text: &str, limits: Limits) -> Result<Document, YamlError> {
    let offsets = Offsets::new(text);
    let mut parser = Parser::new_from_str(text);
    let mut stack: Vec<Frame> = Vec::new();
    let mut anchors: HashMap<usize, Node> = HashMap::new();
    let mut alias_nodes = limits.max_alias_nodes;
    let mut alias_bytes = limits.max_alias_bytes;
    let mut warnings = Vec::new();
    let mut root: Option<Node> = None;
    let mut docs = 0usize;

    while let Some(item) = parser.next_event() {
        let (event, span): (Event<'_>, YSpan) = item.map_err(|e| YamlError::Syntax {
            message: e.info().to_string(),
            offset: offsets.byte(e.marker().index()),
        })?;
        let start = offsets.byte(span.start.index());
        let end = offsets.byte(span.end.index());
        let node = match event {
            Event::DocumentStart(_) => {
                docs += 1;
                if docs > 1 {
                    warnings.push(YamlWarning {
                        message: "the file holds several YAML documents; only the first is read"
                            .into(),
                        offset: start,
                    });
                    break;
                }
                continue;
            }
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd | Event::Nothing => continue,
            Event::Scalar(value, style, anchor, tag) => {
                let tag = tag_name(tag);
                let kind = scalar_kind(value, style, &tag);
                let node = Node {
                    kind,
                    start,
                    end: offsets.trim_end(start, end),
                    tag,
                };
                if anchor > 0 {
                    anchors.insert(anchor, node.clone());
                }
                node
            }
            Event::Alias(id) => {
                let Some(target) = anchors.get(&id) else {
                    return Err(YamlError::UnknownAnchor { offset: start });
                };
                let (nodes, bytes) = target.weight();
                if nodes > alias_nodes || bytes > alias_bytes {
                    let limit = if nodes > alias_nodes {
                        format!("{} nodes", limits.max_alias_nodes)
                    } else {
                        format!("{} bytes", limits.max_alias_bytes)
                    };
                    return Err(YamlError::AliasBomb {
                        limit,
                        offset: start,
                    });
                }
                alias_nodes -= nodes;
                alias_bytes -= bytes;
                let mut node = target.clone();
                // Report the alias site, not the anchor, for the node itself.
                node.start = start;
                node.end = end;
                node
            }
            Event::SequenceStart(anchor, tag) => {
                if stack.len() >= limits.max_depth {
                    return Err(YamlError::TooDeep {
                        limit: limits.max_depth,
                        offset: start,
                    });
                }
                stack.push(Frame::Seq {
                    items: Vec::new(),
                    start,
                    tag: tag_name(tag),
                    anchor,
                });
                continue;
            }
            Event::MappingStart(anchor, tag) => {
                if stack.len() >= limits.max_depth {
                    return Err(YamlError::TooDeep {
                        limit: limits.max_depth,
                        offset: start,
                    });
                }
                stack.push(Frame::Map {
                    entries: MapEntries::default(),
                    pending_key: None,
                    merged: std::collections::BTreeSet::new(),
                    start,
                    tag: tag_name(tag),
                    anchor,
                });
                continue;
            }
            Event::SequenceEnd => match stack.pop() {
                Some(Frame::Seq {
                    items,
                    start: s,
                    tag,
                    anchor,
                }) => {
                    let end = offsets.collection_end(start, end, items.last().map(|i| i.end));
                    let node = Node {
                        kind: NodeKind::Seq(items),
                        start: s,
                        end,
                        tag,
                    };
                    if anchor > 0 {
                        anchors.insert(anchor, node.clone());
                    }
                    node
                }
                _ => {
                    return Err(YamlError::Syntax {
                        message: "unbalanced sequence".into(),
                        offset: start,
                    });
                }
            },
            Event::MappingEnd => match stack.pop() {
                Some(Frame::Map {
                    entries,
                    start: s,
                    tag,
                    anchor,
                    ..
                }) => {
                    let end = offsets.collection_end(
                        start,
                        end,
                        entries.items.last().map(|(k, v)| v.end.max(k.end)),
                    );
                    let node = Node {
                        kind: NodeKind::Map(entries.items),
                        start: s,
                        end,
                        tag,
                    };
                    if anchor > 0 {
                        anchors.insert(anchor, node.clone());
                    }
                    node
                }
                _ => {
                    return Err(YamlError::Syntax {
                        message: "unbalanced mapping".into(),
                        offset: start,
                    });
                }
            },
        };
        match stack.last_mut() {
            None => {
                if root.is_none() {
                    root = Some(node);
                }
            }
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map {
                entries,
                pending_key,
                merged,
                ..
            }) => match pending_key.take() {
                None => *pending_key = Some(key_node(node, text)),
                Some(key) => {
                    if key.as_str() == Some("<<") && key.tag.is_none() {
                        warnings.push(YamlWarning {
                            message: "YAML merge key `<<` is not part of CloudFormation's YAML; \
                                      its entries are merged here, but CloudFormation may reject it"
                                .into(),
                            offset: key.start,
                        });
                        merge_into(entries, merged, node);
                        continue;
                    }
                    if let Some(name) = key.as_str()
                        && let Some(pos) = entries.find(name)
                    {
                        if !merged.contains(name) {
                            warnings.push(YamlWarning {
                                message: format!(
                                    "duplicate key `{name}`: the later value is used, and \
                                 CloudFormation rejects such templates"
                                ),
                                offset: key.start,
                            });
                        }
                        entries.replace(pos, key, node);
                    } else {
                        entries.push(key, node);
                    }
                }
            },
        }
    }
    match root {
        Some(root) => Ok(Document { root, warnings }),
        None => Err(YamlError::Empty),
    }
}

/// Apply a `<<` merge: keys already present win over merged ones.
fn merge_into(
    entries: &mut MapEntries,
    merged_names: &mut std::collections::BTreeSet<String>,
    merged: Node,
) {
    let maps: Vec<Node> = match merged.kind {
        NodeKind::Map(_) => vec![merged],
        NodeKind::Seq(items) => items,
        _ => return,
    };
    for map in maps {
        if let NodeKind::Map(more) = map.kind {
            for (k, v) in more {
                let name = k.as_str().map(str::to_string);
                if name.as_deref().is_some_and(|n| entries.find(n).is_some()) {
                    continue;
                }
                if let Some(name) = name {
                    merged_names.insert(name);
                }
                entries.push(k, v);
            }
        }
    }
}

/// The entries of a mapping being built, with a key index once it is large, so that finding
/// duplicates stays linear on hostile input.
#[derive(Default)]
struct MapEntries {
    items: Vec<(Node, Node)>,
    index: Option<HashMap<String, usize>>,
}

/// Mappings up to this size are searched directly; larger ones get an index.
const INDEX_FROM: usize = 32;

impl MapEntries {
    fn find(&self, name: &str) -> Option<usize> {
        match &self.index {
            Some(index) => index.get(name).copied(),
            None => self
                .items
                .iter()
                .position(|(k, _)| k.as_str() == Some(name)),
        }
    }

    fn push(&mut self, key: Node, value: Node) {
        if let (Some(index), Some(name)) = (&mut self.index, key.as_str()) {
            index.insert(name.to_string(), self.items.len());
        }
        self.items.push((key, value));
        if self.index.is_none() && self.items.len() >= INDEX_FROM {
            self.index = Some(
                self.items
                    .iter()
                    .enumerate()
                    .filter_map(|(i, (k, _))| Some((k.as_str()?.to_string(), i)))
                    .collect(),
            );
        }
    }

    fn replace(&mut self, pos: usize, key: Node, value: Node) {
        if let Some(slot) = self.items.get_mut(pos) {
            *slot = (key, value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> Node {
        match parse(text, Limits::default()) {
            Ok(d) => d.root,
            Err(e) => unreachable!("parse failed: {e}"),
        }
    }

    #[test]
    fn tags_and_spans_are_kept() {
        let text = "Resources:\n  Fn:\n    Arn: !GetAtt Role.Arn\n";
        let root = doc(text);
        let arn = root
            .get("Resources")
            .and_then(|r| r.get("Fn"))
            .and_then(|f| f.get("Arn"));
        let arn = arn.cloned().unwrap_or_else(|| unreachable!());
        assert_eq!(arn.tag.as_deref(), Some("GetAtt"));
        assert_eq!(arn.as_str(), Some("Role.Arn"));
        assert_eq!(&text[arn.start..arn.end], "!GetAtt Role.Arn");
    }

    #[test]
    fn null_and_boolean_keys_are_names() {
        let root = doc("Condition:\n  Null: {aws:TokenIssueTime: true}\n  true: 1\n");
        let cond = root.get("Condition");
        assert!(cond.and_then(|c| c.get("Null")).is_some());
        assert!(cond.and_then(|c| c.get("true")).is_some());
        let value = cond
            .and_then(|c| c.get("Null"))
            .and_then(|n| n.get("aws:TokenIssueTime"))
            .map(|v| v.kind.clone());
        assert_eq!(value, Some(NodeKind::Bool(true)), "values keep their type");
    }

    #[test]
    fn json_is_yaml() {
        let root = doc("{\"a\": [1, \"x\", true, null]}");
        let items = root.get("a").and_then(Node::as_seq).map(<[Node]>::len);
        assert_eq!(items, Some(4));
    }

    #[test]
    fn byte_offsets_with_multibyte_text() {
        let text = "a: \"é€\"\nb: x\n";
        let root = doc(text);
        let b = root.get("b").cloned().unwrap_or_else(|| unreachable!());
        assert_eq!(&text[b.start..b.end], "x");
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        // Flow style: the scanner's own limit (255 levels) answers first.
        let text = "[".repeat(10_000) + &"]".repeat(10_000);
        let err = parse(&text, Limits::default()).err();
        assert!(
            matches!(&err, Some(YamlError::Syntax { message, .. }) if message.contains("recursion")),
            "{err:?}"
        );
        // Block style has no scanner limit: ours stops it.
        let text = "- ".repeat(10_000) + "x\n";
        let err = parse(&text, Limits::default()).err();
        assert!(
            matches!(err, Some(YamlError::TooDeep { limit: 256, .. })),
            "{err:?}"
        );
    }

    #[test]
    fn alias_bomb_is_refused() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let prev = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}]\n"
            ));
        }
        assert!(matches!(
            parse(&text, Limits::default()),
            Err(YamlError::AliasBomb { .. })
        ));
    }

    #[test]
    fn long_aliased_strings_count_their_bytes() {
        let long = "x".repeat(200_000);
        let mut text = format!("a: &a \"{long}\"\nb: [");
        text.push_str(&vec!["*a"; 2_000].join(", "));
        text.push_str("]\n");
        assert!(matches!(
            parse(&text, Limits::default()),
            Err(YamlError::AliasBomb { .. })
        ));
    }

    #[test]
    fn many_keys_are_checked_for_duplicates_in_linear_time() {
        let mut text = String::new();
        for i in 0..100_000 {
            text.push_str(&format!("k{i}: {i}\n"));
        }
        text.push_str("k7: again\n");
        let started = std::time::Instant::now();
        let d = parse(&text, Limits::default()).unwrap_or_else(|e| unreachable!("{e}"));
        assert!(started.elapsed().as_secs() < 10, "{:?}", started.elapsed());
        assert_eq!(d.warnings.len(), 1);
        assert_eq!(d.root.get("k7").and_then(Node::as_str), Some("again"));
        assert_eq!(d.root.as_map().map(<[_]>::len), Some(100_000));
    }

    #[test]
    fn duplicate_keys_warn_and_last_wins() {
        let d = parse("a: 1\na: 2\n", Limits::default()).unwrap_or_else(|_| unreachable!());
        assert_eq!(d.warnings.len(), 1);
        assert_eq!(d.root.get("a").and_then(Node::as_str), Some("2"));
    }

    #[test]
    fn merge_keys_are_applied() {
        let d = parse(
            "base: &b {x: 1, y: 2}\nc:\n  <<: *b\n  y: 3\n",
            Limits::default(),
        )
        .unwrap_or_else(|_| unreachable!());
        let c = d.root.get("c").cloned().unwrap_or_else(|| unreachable!());
        assert_eq!(c.get("x").and_then(Node::as_str), Some("1"));
        assert_eq!(c.get("y").and_then(Node::as_str), Some("3"));
    }

    #[test]
    fn syntax_errors_have_an_offset() {
        let err = parse("a: [1, 2\nb: 3\n", Limits::default()).err();
        assert!(matches!(err, Some(YamlError::Syntax { .. })));
    }
}

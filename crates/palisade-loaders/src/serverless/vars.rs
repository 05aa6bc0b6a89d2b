//! Serverless Framework variables (`${self:…}`, `${opt:…}`, `${file(…):…}`, …), resolved
//! statically and safely.
//!
//! What is resolved: `self`, `opt` (from the user's options), `sls:stage`, `param` (v4 stage
//! parameters), `file` (YAML, JSON or text files inside the project only), `env` (only when
//! the user allows it), `strToBool`, and `aws:accountId`/`aws:region`/`aws:partition` as
//! pseudo parameters. Everything else (`ssm`, `cf`, `s3`, unknown sources, `sls:instanceId`)
//! stays symbolic: a `Ref` to a parameter named after the variable, which the CloudFormation
//! reader keeps as a symbol. Cycles, nesting depth and the total size of what substitution
//! adds are bounded, so a hostile file costs warnings, never a hang or gigabytes.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;

use palisade_model::SourceMap;

use super::node::{self, At};
use super::syntax::{Seg, is_variable, parse_source, segments, split_top, unquote};
use crate::LoadSettings;
use crate::cfn::FileMap;
use crate::yaml::{self, Node, NodeKind};

/// Variables resolving other variables deeper than this are left symbolic.
const MAX_NESTING: usize = 16;
/// Deepest recursion over nodes (tree depth across nested variables).
const MAX_FRAMES: usize = 512;
/// What substitution may add to the document, in nodes plus bytes of text.
const MAX_EXPANDED: usize = 4_000_000;
/// Longest variable text considered (a longer one is kept as written).
const MAX_VARIABLE_LEN: usize = 4096;

/// How bad a problem met while resolving is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Level {
    Error,
    Warning,
    Note,
}

/// A problem met while resolving, at a byte offset of the translated document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Diag {
    pub level: Level,
    pub message: String,
    pub offset: usize,
}

/// What the resolver needs to know about the scan.
pub(crate) struct Context<'s> {
    pub settings: &'s LoadSettings,
    /// The scan root, canonicalized: `file()` never reads outside it.
    pub project_root: Option<PathBuf>,
    /// The folder of serverless.yml on disk.
    pub service_dir: PathBuf,
    pub sources: Option<&'s SourceMap>,
}

/// The value of one variable.
#[derive(Clone, Debug)]
enum Val {
    Found(Node),
    /// Not set: the next fallback applies.
    Absent,
    /// Only known at deploy time: kept as a named symbol.
    Sym(String),
}

pub(crate) struct Vars<'a> {
    root: &'a Node,
    cx: Context<'a>,
    /// Files read by `file()`, with the offset base of each.
    pub files: FileMap,
    loaded: BTreeMap<PathBuf, Option<Rc<Node>>>,
    stack: Vec<String>,
    memo: BTreeMap<String, (Val, usize)>,
    expanded: usize,
    frames: usize,
    pub diags: Vec<Diag>,
    /// Symbols left unresolved, with the offset of their first use.
    pub symbols: BTreeMap<String, usize>,
    env_noted: bool,
    budget_warned: bool,
}

impl<'a> Vars<'a> {
    pub fn new(root: &'a Node, cx: Context<'a>, files: FileMap) -> Self {
        Vars {
            root,
            cx,
            files,
            loaded: BTreeMap::new(),
            stack: Vec::new(),
            memo: BTreeMap::new(),
            expanded: 0,
            frames: 0,
            diags: Vec::new(),
            symbols: BTreeMap::new(),
            env_noted: false,
            budget_warned: false,
        }
    }

    fn diag(&mut self, level: Level, message: String, offset: usize) {
        let d = Diag {
            level,
            message,
            offset,
        };
        if !self.diags.contains(&d) {
            self.diags.push(d);
        }
    }

    /// The whole configuration with every variable resolved or made symbolic.
    pub fn resolve_root(&mut self) -> Node {
        let root = self.root;
        self.resolve_node(root)
    }

    /// A copy of `node` with its variables resolved (keys are kept as written, as the
    /// Framework does).
    pub fn resolve_node(&mut self, n: &Node) -> Node {
        if self.frames >= MAX_FRAMES {
            self.diag(
                Level::Warning,
                "configuration nested too deeply through variables; the rest is kept as written"
                    .into(),
                n.start,
            );
            return n.clone();
        }
        self.frames += 1;
        let out = match &n.kind {
            NodeKind::Str(s) if n.tag.is_none() && s.contains("${") => self.resolve_string(n, s),
            // The Framework resolves variables inside intrinsics too (`!Sub "${self:x}-${AWS::Region}"`).
            NodeKind::Str(s) if s.contains("${") => {
                let resolved = self.resolve_string(n, s);
                retag(resolved, n)
            }
            NodeKind::Seq(items) => Node {
                kind: NodeKind::Seq(items.iter().map(|i| self.resolve_node(i)).collect()),
                ..n.clone_shallow()
            },
            NodeKind::Map(entries) => Node {
                kind: NodeKind::Map(
                    entries
                        .iter()
                        .map(|(k, v)| (k.clone(), self.resolve_node(v)))
                        .collect(),
                ),
                ..n.clone_shallow()
            },
            _ => n.clone(),
        };
        self.frames -= 1;
        out
    }

    fn resolve_string(&mut self, n: &Node, s: &str) -> Node {
        let at = At::of(n);
        let segs = segments(s);
        if let [Seg::Var(content)] = segs.as_slice() {
            let v = self.variable(content, n);
            return self.value_node(v, content, n);
        }
        let mut parts = Vec::new();
        for seg in segs {
            match seg {
                Seg::Lit(l) => parts.push(node::s(l, at)),
                Seg::Var(content) => {
                    let v = self.variable(content, n);
                    let part = self.value_node(v, content, n);
                    match &part.kind {
                        NodeKind::Map(_) | NodeKind::Seq(_) if part.tag.is_none() => {
                            self.diag(
                                Level::Warning,
                                format!(
                                    "`${{{content}}}` is a list or mapping inside a string; kept unresolved"
                                ),
                                n.start,
                            );
                            parts.push(self.symbol(content, n));
                        }
                        _ => parts.push(part),
                    }
                }
            }
        }
        node::concat(parts, at)
    }

    /// The node a variable's value becomes where it is used. Scalars take the span of the
    /// use; lists and mappings keep the spans of where they are written.
    fn value_node(&mut self, v: Val, content: &str, at: &Node) -> Node {
        match v {
            Val::Found(mut found) => {
                if found.as_map().is_none() && found.as_seq().is_none() {
                    found.start = at.start;
                    found.end = at.end;
                }
                found
            }
            Val::Absent => {
                self.diag(
                    Level::Warning,
                    format!(
                        "variable `${{{content}}}` has no value and no fallback; kept unresolved"
                    ),
                    at.start,
                );
                self.symbol(content, at)
            }
            Val::Sym(name) => self.symbol(&name, at),
        }
    }

    /// A `Ref` to the parameter that stands for an unresolved variable.
    fn symbol(&mut self, name: &str, at: &Node) -> Node {
        let name = name.trim();
        let node_at = At::of(at);
        match name {
            "aws:accountId" => return node::reference("AWS::AccountId", node_at),
            "aws:region" => return node::reference("AWS::Region", node_at),
            "aws:partition" => return node::reference("AWS::Partition", node_at),
            _ => {}
        }
        self.symbols.entry(name.to_string()).or_insert(at.start);
        node::reference(name, node_at)
    }

    /// One `${…}`: its source, then its fallbacks while the value is absent.
    fn variable(&mut self, content: &str, at: &Node) -> Val {
        if content.len() > MAX_VARIABLE_LEN {
            self.diag(
                Level::Warning,
                "variable too long; kept unresolved".into(),
                at.start,
            );
            return Val::Sym(content.chars().take(64).collect());
        }
        if self.frames >= MAX_FRAMES {
            self.diag(
                Level::Warning,
                "variables nested too deeply; kept unresolved".into(),
                at.start,
            );
            return Val::Sym(content.chars().take(64).collect());
        }
        // Variables inside variables recurse without going through `resolve_node`: count
        // them too, so that `${a:${a:${a:…}}}` cannot exhaust the stack.
        self.frames += 1;
        let parts = split_top(content);
        let mut parts = parts.into_iter();
        let primary = parts.next().unwrap_or_default().trim();
        let mut v = self.primary(primary, at);
        for fallback in parts {
            if !matches!(v, Val::Absent) {
                break;
            }
            v = self.fallback(fallback.trim(), at);
        }
        self.frames -= 1;
        v
    }

    fn fallback(&mut self, text: &str, at: &Node) -> Val {
        let at_ = At::of(at);
        if let Some(q) = unquote(text) {
            return Val::Found(node::s(q, at_));
        }
        if text.starts_with("${") && text.ends_with('}') {
            let inner = text.get(2..text.len() - 1).unwrap_or_default();
            return self.variable(inner, at);
        }
        if is_variable(text) {
            // v3 also accepts `${opt:stage, self:provider.stage}` without the `${}`.
            return self.primary(text, at);
        }
        let kind = match text {
            "true" => NodeKind::Bool(true),
            "false" => NodeKind::Bool(false),
            "null" => return Val::Absent,
            t if !t.is_empty() && t.parse::<f64>().is_ok() => NodeKind::Number(t.to_string()),
            t => NodeKind::Str(t.to_string()),
        };
        Val::Found(Node {
            kind,
            start: at.start,
            end: at.end,
            tag: None,
        })
    }

    /// A string with nested variables resolved to text, for use as an address.
    fn inline_text(&mut self, text: &str, at: &Node) -> Option<String> {
        if !text.contains("${") {
            return Some(text.to_string());
        }
        let probe = Node {
            kind: NodeKind::Str(text.to_string()),
            start: at.start,
            end: at.end,
            tag: None,
        };
        let r = self.resolve_string(&probe, text);
        node::scalar_text(&r)
    }

    fn primary(&mut self, raw: &str, at: &Node) -> Val {
        let Some(text) = self.inline_text(raw, at) else {
            return Val::Sym(raw.to_string());
        };
        let Some((source, args, address)) = parse_source(&text) else {
            return Val::Sym(text);
        };
        match source {
            "self" => self.lookup_self(address, at),
            "opt" => match self.cx.settings.options.get(address) {
                Some(v) => Val::Found(node::s(v, At::of(at))),
                None => Val::Absent,
            },
            "sls" => match address {
                "stage" => Val::Found(node::s(&self.stage(at), At::of(at))),
                _ => Val::Sym(text.clone()),
            },
            "env" => {
                if self.cx.settings.resolve_env {
                    match std::env::var(address) {
                        Ok(v) => Val::Found(node::s(&v, At::of(at))),
                        Err(_) => Val::Absent,
                    }
                } else {
                    if !self.env_noted {
                        self.env_noted = true;
                        self.diag(
                            Level::Note,
                            "`${env:…}` variables are kept symbolic: scanning must not copy the \
                             environment into a report; run with --resolve-env to resolve them"
                                .into(),
                            at.start,
                        );
                    }
                    Val::Sym(text.clone())
                }
            }
            "param" => self.param(address, at),
            "file" => self.file(args.unwrap_or_default(), address, at),
            "strToBool" => {
                let v = args.unwrap_or_default().trim();
                let b = !matches!(v, "false" | "0" | "" | "null");
                Val::Found(node::boolean(b, At::of(at)))
            }
            "aws" if matches!(address, "accountId" | "region" | "partition") => {
                if address == "region"
                    && let Some(r) = self.cx.settings.options.get("region")
                {
                    return Val::Found(node::s(r, At::of(at)));
                }
                Val::Sym(text.clone())
            }
            "ssm" | "cf" | "s3" | "aws" | "secretsmanager" | "git" | "terraform" | "vault"
            | "doppler" => Val::Sym(text.clone()),
            s if s.starts_with("cf.") || s.starts_with("ssm.") => Val::Sym(text.clone()),
            other => {
                self.diag(
                    Level::Note,
                    format!("unknown variable source `{other}`; `${{{text}}}` is kept symbolic"),
                    at.start,
                );
                Val::Sym(text.clone())
            }
        }
    }

    /// `${sls:stage}`: the `stage` option, else `provider.stage`, else `dev`.
    pub fn stage(&mut self, at: &Node) -> String {
        if let Some(s) = self.cx.settings.options.get("stage") {
            return s.clone();
        }
        match self.lookup_self("provider.stage", at) {
            Val::Found(n) => node::scalar_text(&n).unwrap_or_else(|| "dev".to_string()),
            _ => "dev".to_string(),
        }
    }

    /// v4 stage parameters: `params.<stage>.<name>`, then `params.default.<name>`.
    fn param(&mut self, name: &str, at: &Node) -> Val {
        if let Some(v) = self.cx.settings.options.get(&format!("param:{name}")) {
            return Val::Found(node::s(v, At::of(at)));
        }
        let stage = self.stage(at);
        for scope in [stage.as_str(), "default"] {
            let v = self.lookup_self(&format!("params.{scope}.{name}"), at);
            if !matches!(v, Val::Absent) {
                return v;
            }
        }
        Val::Absent
    }

    fn lookup_self(&mut self, address: &str, at: &Node) -> Val {
        let root = self.root;
        self.lookup(root, "self:", address, at)
    }

    /// The value at `address` (dot-separated keys or list indexes) under `root`, resolved.
    fn lookup(&mut self, root: &Node, base_key: &str, address: &str, at: &Node) -> Val {
        let address = address.trim();
        let key = format!("{base_key}{address}");
        if let Some((v, weight)) = self.memo.get(&key) {
            let (v, weight) = (v.clone(), *weight);
            return self.charge(v, weight, at);
        }
        if self.stack.contains(&key) {
            self.diag(
                Level::Warning,
                format!(
                    "variables refer to each other in a cycle through `{key}`; kept unresolved"
                ),
                at.start,
            );
            return Val::Sym(key);
        }
        if self.stack.len() >= MAX_NESTING {
            self.diag(
                Level::Warning,
                format!(
                    "variables nested more than {MAX_NESTING} deep at `{key}`; kept unresolved"
                ),
                at.start,
            );
            return Val::Sym(key);
        }
        self.stack.push(key.clone());
        let segments: Vec<&str> = if address.is_empty() {
            Vec::new()
        } else {
            address.split('.').collect()
        };
        let mut cur: Cow<'_, Node> = Cow::Borrowed(root);
        let mut found = true;
        for seg in segments {
            if has_variable(&cur) {
                let resolved = self.resolve_node(&cur);
                cur = Cow::Owned(resolved);
            }
            let taken = std::mem::replace(
                &mut cur,
                Cow::Owned(Node {
                    kind: NodeKind::Null,
                    start: 0,
                    end: 0,
                    tag: None,
                }),
            );
            cur = match taken {
                Cow::Borrowed(c) => match child(c, seg) {
                    Some(n) => Cow::Borrowed(n),
                    None => {
                        found = false;
                        break;
                    }
                },
                Cow::Owned(c) => match child(&c, seg) {
                    Some(n) => Cow::Owned(n.clone()),
                    None => {
                        found = false;
                        break;
                    }
                },
            };
        }
        let v = if found {
            let out = match cur {
                Cow::Borrowed(n) => self.resolve_node(n),
                Cow::Owned(n) if has_variable(&n) => self.resolve_node(&n),
                Cow::Owned(n) => n,
            };
            Val::Found(out)
        } else {
            Val::Absent
        };
        self.stack.pop();
        let weight = match &v {
            Val::Found(n) => weight(n),
            _ => 1,
        };
        self.memo.insert(key, (v.clone(), weight));
        self.charge(v, weight, at)
    }

    /// Count what a substitution adds; past the budget, the value stays symbolic.
    fn charge(&mut self, v: Val, weight: usize, at: &Node) -> Val {
        self.expanded = self.expanded.saturating_add(weight);
        if self.expanded > MAX_EXPANDED {
            if !self.budget_warned {
                self.budget_warned = true;
                self.diag(
                    Level::Warning,
                    "variables expand to more than the substitution budget (a \"billion laughs\" \
                     configuration?); the rest is kept unresolved"
                        .into(),
                    at.start,
                );
            }
            return Val::Sym("too large expansion".into());
        }
        v
    }

    /// `${file(./x.yml):a.b}` and `${file(./x.yml)}`.
    fn file(&mut self, spec: &str, address: &str, at: &Node) -> Val {
        let spec = unquote(spec.trim()).unwrap_or(spec.trim()).to_string();
        let Some(root) = self.load_file(&spec, at) else {
            return Val::Sym(format!("file({spec}):{address}"));
        };
        let Some(root) = root else {
            return Val::Absent;
        };
        let base = format!("file({spec}):");
        self.lookup(&root, &base, address, at)
    }

    /// The parsed tree of a file of the project: `None` when it may not or cannot be read
    /// (with a diagnostic), `Some(None)` when it does not exist (a fallback then applies).
    fn load_file(&mut self, spec: &str, at: &Node) -> Option<Option<Rc<Node>>> {
        let candidate = self.cx.service_dir.join(spec);
        let Ok(canonical) = candidate.canonicalize() else {
            return Some(None);
        };
        let inside = self
            .cx
            .project_root
            .as_ref()
            .is_some_and(|root| canonical.starts_with(root));
        if !inside {
            self.diag(
                Level::Error,
                format!(
                    "`${{file({spec})}}` is outside the project: not read; the value is kept symbolic"
                ),
                at.start,
            );
            return None;
        }
        if let Some(cached) = self.loaded.get(&canonical) {
            return cached.clone().map(Some);
        }
        let parsed = self.parse_file(spec, &canonical, at);
        self.loaded.insert(canonical, parsed.clone());
        parsed.map(Some)
    }

    fn parse_file(&mut self, spec: &str, canonical: &Path, at: &Node) -> Option<Rc<Node>> {
        let ext = canonical
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .unwrap_or_default();
        if matches!(ext.as_str(), "js" | "cjs" | "mjs" | "ts") {
            self.diag(
                Level::Note,
                format!(
                    "`${{file({spec})}}` is a script: never executed; the value is kept symbolic"
                ),
                at.start,
            );
            return None;
        }
        let rel = self.rel_of(canonical);
        let text = match crate::read_text(canonical, &rel, self.cx.settings) {
            Ok(Some(t)) => t,
            Ok(None) | Err(_) => {
                self.diag(
                    Level::Warning,
                    format!("`${{file({spec})}}` could not be read; the value is kept symbolic"),
                    at.start,
                );
                return None;
            }
        };
        let text = text
            .strip_prefix('\u{feff}')
            .map(str::to_string)
            .unwrap_or(text);
        let text: Arc<str> = Arc::from(text);
        let base = self.files.next_base();
        let sources = self.cx.sources?;
        let id = sources.add(rel.clone(), canonical, Arc::clone(&text));
        let source = sources.get(id)?;
        self.files.push(base, id, source);
        if !matches!(ext.as_str(), "yml" | "yaml" | "json") {
            // Any other file is read as text.
            let n = Node {
                kind: NodeKind::Str(text.to_string()),
                start: base,
                end: base + text.len(),
                tag: None,
            };
            return Some(Rc::new(n));
        }
        match yaml::parse(&text, self.cx.settings.yaml) {
            Ok(doc) => {
                let mut root = doc.root;
                shift(&mut root, base);
                Some(Rc::new(root))
            }
            Err(yaml::YamlError::Empty) => Some(Rc::new(Node {
                kind: NodeKind::Null,
                start: base,
                end: base,
                tag: None,
            })),
            Err(e) => {
                let offset = base + e.offset().unwrap_or(0);
                self.diag(Level::Warning, format!("{rel}: {e}"), offset);
                None
            }
        }
    }

    /// A path relative to the scan root, with `/`.
    fn rel_of(&self, canonical: &Path) -> String {
        let rel = self
            .cx
            .project_root
            .as_ref()
            .and_then(|r| canonical.strip_prefix(r).ok())
            .unwrap_or(canonical);
        rel.components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/")
    }
}

/// A tagged string whose variables were resolved: the tag is put back on the new text. A
/// symbolic part inside `!Sub` is written `${name}`, which the CloudFormation reader reads
/// as the parameter of that name.
fn retag(resolved: Node, original: &Node) -> Node {
    if let Some(text) = node::scalar_text(&resolved) {
        return Node {
            kind: NodeKind::Str(text),
            ..original.clone_shallow()
        };
    }
    if original.tag.as_deref() == Some("Sub") && resolved.tag.as_deref() == Some("Join") {
        let parts = resolved
            .as_seq()
            .and_then(|s| s.get(1))
            .and_then(Node::as_seq)
            .unwrap_or(&[]);
        let mut text = String::new();
        for p in parts {
            match (p.tag.as_deref(), node::scalar_text(p)) {
                (None, Some(t)) => text.push_str(&t),
                (Some("Ref"), _) => {
                    let name = p.as_str().unwrap_or_default();
                    if name.contains('.') {
                        return original.clone();
                    }
                    text.push_str(&format!("${{{name}}}"));
                }
                _ => return original.clone(),
            }
        }
        return Node {
            kind: NodeKind::Str(text),
            ..original.clone_shallow()
        };
    }
    original.clone()
}

trait CloneShallow {
    fn clone_shallow(&self) -> Node;
}

impl CloneShallow for Node {
    /// The node without its children (they are rebuilt by the caller).
    fn clone_shallow(&self) -> Node {
        Node {
            kind: NodeKind::Null,
            start: self.start,
            end: self.end,
            tag: self.tag.clone(),
        }
    }
}

/// Move every offset of a tree read from another file past `base`.
fn shift(n: &mut Node, base: usize) {
    n.start += base;
    n.end += base;
    match &mut n.kind {
        NodeKind::Seq(items) => items.iter_mut().for_each(|i| shift(i, base)),
        NodeKind::Map(entries) => entries.iter_mut().for_each(|(k, v)| {
            shift(k, base);
            shift(v, base);
        }),
        _ => {}
    }
}

/// Nodes plus bytes of text of a tree.
fn weight(n: &Node) -> usize {
    let own = match &n.kind {
        NodeKind::Str(s) | NodeKind::Number(s) => s.len(),
        _ => 0,
    };
    let children = match &n.kind {
        NodeKind::Seq(items) => items.iter().map(weight).sum(),
        NodeKind::Map(entries) => entries.iter().map(|(k, v)| weight(k) + weight(v)).sum(),
        _ => 0,
    };
    1 + own + children
}

fn has_variable(n: &Node) -> bool {
    n.tag.is_none() && matches!(&n.kind, NodeKind::Str(s) if s.contains("${"))
}

fn child<'n>(n: &'n Node, seg: &str) -> Option<&'n Node> {
    match &n.kind {
        NodeKind::Map(_) => n.get(seg),
        NodeKind::Seq(items) => seg.parse::<usize>().ok().and_then(|i| items.get(i)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Run {
        out: Node,
        diags: Vec<Diag>,
        symbols: BTreeMap<String, usize>,
    }

    fn run_with(text: &str, settings: &LoadSettings, dir: Option<&Path>) -> Run {
        let doc = yaml::parse(text, settings.yaml).unwrap();
        let sources = SourceMap::new();
        let (service_dir, project_root) = match dir {
            Some(d) => (d.to_path_buf(), d.canonicalize().ok()),
            None => (PathBuf::from("/nonexistent"), None),
        };
        let cx = Context {
            settings,
            project_root,
            service_dir,
            sources: Some(&sources),
        };
        let mut v = Vars::new(&doc.root, cx, FileMap::new());
        let out = v.resolve_root();
        Run {
            out,
            diags: v.diags,
            symbols: v.symbols,
        }
    }

    fn run(text: &str) -> Run {
        run_with(text, &LoadSettings::default(), None)
    }

    fn at<'n>(n: &'n Node, path: &str) -> &'n Node {
        path.split('.').fold(n, |n, k| child(n, k).unwrap())
    }

    #[test]
    fn self_references_resolve_with_spans_at_the_use() {
        let text =
            "custom:\n  bucket: photos\n  n: 5\nx: ${self:custom.bucket}\ny: ${self:custom.n}\n";
        let r = run(text);
        let x = at(&r.out, "x");
        assert_eq!(x.as_str(), Some("photos"));
        assert_eq!(&text[x.start..x.end], "${self:custom.bucket}");
        assert_eq!(at(&r.out, "y").kind, NodeKind::Number("5".into()));
        assert!(r.diags.is_empty());
    }

    #[test]
    fn whole_self_and_subtrees() {
        let r = run(
            "service: s\ncustom:\n  env: {A: 1}\nenv: ${self:custom.env}\nall: ${self:service}\n",
        );
        assert_eq!(at(&r.out, "env.A").as_str(), Some("1"));
        let r = run("service: s\nc:\n  d: ${self:}\n");
        // The whole configuration contains itself: a cycle, never a hang.
        assert!(r.diags.iter().any(|d| d.message.contains("cycle")));
    }

    #[test]
    fn variables_inside_longer_strings() {
        let r = run("custom:\n  bucket: b1\nr: arn:aws:s3:::${self:custom.bucket}/*\n");
        assert_eq!(at(&r.out, "r").as_str(), Some("arn:aws:s3:::b1/*"));
    }

    #[test]
    fn options_and_defaults() {
        let r = run(
            "a: ${opt:stage, 'dev'}\nb: ${opt:n, 3}\nc: ${opt:x, ${self:d}}\nd: deep\ne: ${opt:y, \"q\"}\n",
        );
        assert_eq!(at(&r.out, "a").as_str(), Some("dev"));
        assert_eq!(at(&r.out, "b").kind, NodeKind::Number("3".into()));
        assert_eq!(at(&r.out, "c").as_str(), Some("deep"));
        assert_eq!(at(&r.out, "e").as_str(), Some("q"));
        let mut s = LoadSettings::default();
        s.options.insert("stage".into(), "prod".into());
        let r = run_with("a: ${opt:stage, 'dev'}\nb: ${sls:stage}\n", &s, None);
        assert_eq!(at(&r.out, "a").as_str(), Some("prod"));
        assert_eq!(at(&r.out, "b").as_str(), Some("prod"));
    }

    #[test]
    fn sls_stage_falls_back_to_provider_then_dev() {
        let r = run("provider:\n  stage: qa\na: ${sls:stage}\n");
        assert_eq!(at(&r.out, "a").as_str(), Some("qa"));
        let r = run("a: ${sls:stage}\nb: ${sls:instanceId}\n");
        assert_eq!(at(&r.out, "a").as_str(), Some("dev"));
        assert_eq!(at(&r.out, "b").tag.as_deref(), Some("Ref"));
    }

    #[test]
    fn nested_variables_in_addresses() {
        let r = run(
            "custom:\n  dev: {table: t-dev}\n  prod: {table: t-prod}\nt: ${self:custom.${sls:stage}.table}\n",
        );
        assert_eq!(at(&r.out, "t").as_str(), Some("t-dev"));
    }

    #[test]
    fn cycles_warn_with_a_position() {
        let text = "a: ${self:b}\nb: ${self:a}\n";
        let r = run(text);
        let cycle = r
            .diags
            .iter()
            .find(|d| d.message.contains("cycle"))
            .unwrap();
        assert!(cycle.offset < text.len());
        assert_eq!(at(&r.out, "a").tag.as_deref(), Some("Ref"));
    }

    #[test]
    fn expansion_is_bounded() {
        let mut text = String::from("l0: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n");
        for i in 1..40 {
            let p = i - 1;
            text.push_str(&format!("l{i}: [\"${{self:l{p}}}\", \"${{self:l{p}}}\"]\n"));
        }
        let r = run(&text);
        assert!(r.diags.iter().any(|d| d.message.contains("budget")));
        assert!(weight(&r.out) < 3 * MAX_EXPANDED);
    }

    #[test]
    fn unknown_sources_stay_symbolic() {
        let r = run(
            "a: ${ssm:/app/db-url}\nb: ${cf:stack.Out}\nc: pre-${s3:b/k}\nd: ${aws:accountId}\ne: ${foo:bar}\n",
        );
        let a = at(&r.out, "a");
        assert_eq!(a.tag.as_deref(), Some("Ref"));
        assert_eq!(a.as_str(), Some("ssm:/app/db-url"));
        assert!(r.symbols.contains_key("cf:stack.Out"));
        assert_eq!(at(&r.out, "c").tag.as_deref(), Some("Join"));
        assert_eq!(at(&r.out, "d").as_str(), Some("AWS::AccountId"));
        assert!(
            r.diags
                .iter()
                .any(|d| d.message.contains("unknown variable source"))
        );
    }

    #[test]
    fn cloudformation_sub_syntax_is_not_a_variable() {
        let r = run("a: arn:${AWS::Partition}:s3:::${Bucket}/${Other.Arn}\n");
        assert_eq!(
            at(&r.out, "a").as_str(),
            Some("arn:${AWS::Partition}:s3:::${Bucket}/${Other.Arn}")
        );
    }

    #[test]
    fn env_is_off_by_default_and_on_with_the_flag() {
        // PATH is set in every test environment.
        let r = run("a: ${env:PATH}\nb: ${env:HOME}\n");
        assert_eq!(at(&r.out, "a").tag.as_deref(), Some("Ref"));
        let notes: Vec<_> = r.diags.iter().filter(|d| d.level == Level::Note).collect();
        assert_eq!(notes.len(), 1);
        assert!(notes[0].message.contains("--resolve-env"));
        let s = LoadSettings {
            resolve_env: true,
            ..LoadSettings::default()
        };
        let r = run_with(
            "a: ${env:PATH}\nb: ${env:PALISADE_SURELY_UNSET_VAR, 'x'}\n",
            &s,
            None,
        );
        assert_eq!(
            at(&r.out, "a").as_str(),
            std::env::var("PATH").ok().as_deref()
        );
        assert_eq!(at(&r.out, "b").as_str(), Some("x"));
    }

    #[test]
    fn stage_params() {
        let r = run(
            "params:\n  prod: {domain: p.example}\n  default: {domain: d.example}\na: ${param:domain}\n",
        );
        assert_eq!(at(&r.out, "a").as_str(), Some("d.example"));
        let mut s = LoadSettings::default();
        s.options.insert("stage".into(), "prod".into());
        let r = run_with(
            "params:\n  prod: {domain: p.example}\n  default: {domain: d.example}\na: ${param:domain}\n",
            &s,
            None,
        );
        assert_eq!(at(&r.out, "a").as_str(), Some("p.example"));
    }

    #[test]
    fn files_inside_the_project_are_read_and_outside_refused() {
        let tmp = std::env::temp_dir().join(format!("palisade-vars-{}", std::process::id()));
        let project = tmp.join("project");
        std::fs::create_dir_all(project.join("config")).unwrap();
        std::fs::write(
            project.join("config/dev.yml"),
            "table: orders\nnested: ${self:custom.x}\n",
        )
        .unwrap();
        std::fs::write(tmp.join("secret.yml"), "password: hunter2\n").unwrap();
        let text = "custom:\n  x: fromself\na: ${file(./config/${sls:stage}.yml):table}\nb: ${file(./config/dev.yml)}\nc: ${file(../secret.yml):password}\nd: ${file(./missing.yml):k, 'fb'}\n";
        let r = run_with(text, &LoadSettings::default(), Some(&project));
        assert_eq!(at(&r.out, "a").as_str(), Some("orders"));
        assert_eq!(at(&r.out, "b.nested").as_str(), Some("fromself"));
        let c = at(&r.out, "c");
        assert_eq!(c.tag.as_deref(), Some("Ref"));
        let refused = r.diags.iter().find(|d| d.level == Level::Error).unwrap();
        assert!(refused.message.contains("outside the project"));
        assert_eq!(refused.offset, text.find("${file(../").unwrap());
        assert_eq!(at(&r.out, "d").as_str(), Some("fb"));
        // A symbolic link out of the project is refused too.
        #[cfg(unix)]
        {
            let link = project.join("link.yml");
            let _ = std::os::unix::fs::symlink(tmp.join("secret.yml"), &link);
            let r = run_with(
                "a: ${file(./link.yml):password}\n",
                &LoadSettings::default(),
                Some(&project),
            );
            assert_eq!(at(&r.out, "a").tag.as_deref(), Some("Ref"));
            assert!(r.diags.iter().any(|d| d.level == Level::Error));
        }
        let _ = std::fs::remove_dir_all(&tmp);
    }

    #[test]
    fn missing_values_warn_and_stay_symbolic() {
        let r = run("a: ${self:nope.x}\n");
        assert_eq!(at(&r.out, "a").tag.as_deref(), Some("Ref"));
        assert!(r.diags.iter().any(|d| d.message.contains("no value")));
    }

    #[test]
    fn deeply_nested_variables_stop_with_a_warning() {
        // Within the length limit, on the test thread's ordinary stack.
        let depth = 700;
        let text = format!("a: \"{}x{}\"\n", "${a:".repeat(depth), "}".repeat(depth));
        let r = run(&text);
        assert!(
            r.diags.iter().any(|d| d.message.contains("too deeply")),
            "{:?}",
            r.diags
        );
        // Longer than the limit: not even parsed.
        let text = format!("a: \"{}x{}\"\n", "${a:".repeat(5000), "}".repeat(5000));
        let r = run(&text);
        assert!(r.diags.iter().any(|d| d.message.contains("too long")));
    }

    #[test]
    fn variables_inside_intrinsics() {
        let r = run(
            "custom:\n  b: photos\na: !Sub arn:${AWS::Partition}:s3:::${self:custom.b}\nc: !Sub x-${ssm:/p}\n",
        );
        let a = at(&r.out, "a");
        assert_eq!(a.tag.as_deref(), Some("Sub"));
        assert_eq!(a.as_str(), Some("arn:${AWS::Partition}:s3:::photos"));
        assert_eq!(at(&r.out, "c").as_str(), Some("x-${ssm:/p}"));
    }

    #[test]
    fn str_to_bool_and_segments() {
        let r = run("a: ${strToBool(true)}\n");
        assert_eq!(at(&r.out, "a").kind, NodeKind::Bool(true));
        assert_eq!(
            segments("x-${opt:a, ${self:b}}-y"),
            vec![Seg::Lit("x-"), Seg::Var("opt:a, ${self:b}"), Seg::Lit("-y")]
        );
        assert_eq!(split_top("opt:a, 'x,y', ${self:c, 'd'}").len(), 3);
    }
}

//! CloudFormation intrinsic functions and conditions, resolved as far as is statically possible.
//!
//! What is resolved: parameter defaults, mappings with known keys, conditions built from
//! literals, `Fn::Sub`/`Fn::Join`/`Fn::Select`/`Fn::Split` over known parts, `AWS::NoValue`.
//! What stays symbolic: references to resources (`Ref`, `Fn::GetAtt`), parameters without a
//! default, pseudo parameters, imports, dynamic references, and conditions that depend on
//! deploy-time input — those become a `Choice` between branches, never a guess.

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, BTreeSet};

use palisade_model::{MapEntry, Segment, Span, Symbol, Text, Value, ValueKind};

use crate::yaml::{Node, NodeKind};

/// A Choice over a mapping level is only built up to this many branches.
const MAX_CHOICES: usize = 16;
/// What parameter defaults may add to a template by substitution, in bytes of memory
/// (`Value::weight`): a chain of defaults that each use the previous one twice doubles at
/// every step.
const MAX_SUBSTITUTED: usize = 8 * 1024 * 1024;
/// Deepest nesting of resolution (expressions within references within mappings).
const MAX_DEPTH: usize = 256;

const PSEUDO: &[&str] = &[
    "AWS::AccountId",
    "AWS::NotificationARNs",
    "AWS::Partition",
    "AWS::Region",
    "AWS::StackId",
    "AWS::StackName",
    "AWS::URLSuffix",
];

pub(crate) struct ParamInfo<'a> {
    pub default: Option<&'a Node>,
    pub param_type: Option<&'a str>,
}

impl ParamInfo<'_> {
    /// SSM parameter types resolve to the value stored in SSM, not to their default (which is
    /// the parameter's name): never substitute it.
    fn default_is_value(&self) -> bool {
        !self
            .param_type
            .is_some_and(|t| t.starts_with("AWS::SSM::Parameter::Value"))
    }
}

pub(crate) struct Resolver<'a> {
    pub files: super::FileMap,
    pub params: BTreeMap<&'a str, ParamInfo<'a>>,
    mappings: Option<&'a Node>,
    conditions: BTreeMap<&'a str, &'a Node>,
    resource_ids: BTreeSet<String>,
    cond_cache: RefCell<BTreeMap<String, Option<bool>>>,
    cond_stack: RefCell<Vec<String>>,
    /// Resolved parameter defaults; `None` while one is being resolved (to catch cycles).
    param_cache: RefCell<BTreeMap<String, Option<Value>>>,
    substituted: Cell<usize>,
    depth: Cell<usize>,
    /// Set while evaluating a condition: parameters then stand for deploy-time input, and
    /// their defaults are not substituted.
    in_condition: Cell<bool>,
    /// Problems found while resolving: message and byte offset.
    pub warnings: RefCell<Vec<(String, usize)>>,
}

/// An intrinsic function call: its name without `Fn::` and its argument.
fn intrinsic(node: &Node) -> Option<(&str, &Node)> {
    if let Some(tag) = &node.tag {
        return Some((tag.as_str(), node));
    }
    let [(key, arg)] = node.as_map()? else {
        return None;
    };
    let name = key.as_str()?;
    if name == "Ref" {
        return Some(("Ref", arg));
    }
    name.strip_prefix("Fn::").map(|n| (n, arg))
}

impl<'a> Resolver<'a> {
    pub fn new(root: &'a Node, files: super::FileMap) -> Self {
        let mut params = BTreeMap::new();
        if let Some(entries) = root.get("Parameters").and_then(Node::as_map) {
            for (k, v) in entries {
                if let Some(name) = k.as_str() {
                    params.insert(
                        name,
                        ParamInfo {
                            default: v.get("Default"),
                            param_type: v.get("Type").and_then(Node::as_str),
                        },
                    );
                }
            }
        }
        let mut conditions = BTreeMap::new();
        if let Some(entries) = root.get("Conditions").and_then(Node::as_map) {
            for (k, v) in entries {
                if let Some(name) = k.as_str() {
                    conditions.insert(name, v);
                }
            }
        }
        let mut resource_ids = BTreeSet::new();
        if let Some(entries) = root.get("Resources").and_then(Node::as_map) {
            for (k, _) in entries {
                if let Some(name) = k.as_str() {
                    resource_ids.insert(name.to_string());
                }
            }
        }
        Resolver {
            files,
            params,
            mappings: root.get("Mappings"),
            conditions,
            resource_ids,
            cond_cache: RefCell::new(BTreeMap::new()),
            cond_stack: RefCell::new(Vec::new()),
            param_cache: RefCell::new(BTreeMap::new()),
            substituted: Cell::new(0),
            depth: Cell::new(0),
            in_condition: Cell::new(false),
            warnings: RefCell::new(Vec::new()),
        }
    }

    /// Declare logical ids that a transform creates (SAM's `ServerlessRestApi`, `<Fn>Role`).
    pub fn add_resource_id(&mut self, id: String) {
        self.resource_ids.insert(id);
    }

    pub fn is_resource(&self, id: &str) -> bool {
        self.resource_ids.contains(id)
    }

    pub fn span(&self, node: &Node) -> Span {
        self.files.span(node.start, node.end)
    }

    fn warn(&self, message: String, node: &Node) {
        self.warnings.borrow_mut().push((message, node.start));
    }

    /// Resolve a node; `None` when it is `AWS::NoValue` (the property is absent).
    pub fn resolve_opt(&self, node: &Node) -> Option<Value> {
        let span = self.span(node);
        if self.depth.get() >= MAX_DEPTH {
            self.warn(
                "expression nested too deeply (or refers to itself); kept unresolved".into(),
                node,
            );
            return self.unknown("too deeply nested expression".into(), span);
        }
        self.depth.set(self.depth.get() + 1);
        let v = self.resolve_inner(node, span);
        self.depth.set(self.depth.get() - 1);
        v
    }

    fn resolve_inner(&self, node: &Node, span: Span) -> Option<Value> {
        if let Some((name, arg)) = intrinsic(node) {
            return self.intrinsic(name, arg, node, span);
        }
        let kind = match &node.kind {
            NodeKind::Null => ValueKind::Null,
            NodeKind::Bool(b) => ValueKind::Bool(*b),
            NodeKind::Number(n) => ValueKind::Number(n.clone()),
            NodeKind::Str(s) => ValueKind::Text(dynamic_refs(s)),
            NodeKind::Seq(items) => {
                ValueKind::List(items.iter().filter_map(|i| self.resolve_opt(i)).collect())
            }
            NodeKind::Map(entries) => ValueKind::Map(
                entries
                    .iter()
                    .filter_map(|(k, v)| {
                        let value = self.resolve_opt(v)?;
                        Some(MapEntry {
                            key: key_string(k),
                            key_span: self.span(k),
                            value,
                        })
                    })
                    .collect(),
            ),
        };
        Some(Value::new(kind, span))
    }

    /// Resolve a node that is present; `AWS::NoValue` reads as null.
    pub fn resolve(&self, node: &Node) -> Value {
        self.resolve_opt(node)
            .unwrap_or_else(|| Value::new(ValueKind::Null, self.span(node)))
    }

    fn unknown(&self, expr: String, span: Span) -> Option<Value> {
        Some(Value::new(ValueKind::Unknown(expr), span))
    }

    fn sym(&self, sym: Symbol, span: Span) -> Option<Value> {
        Some(Value::new(ValueKind::Text(Text::sym(sym)), span))
    }

    fn intrinsic(&self, name: &str, arg: &Node, whole: &Node, span: Span) -> Option<Value> {
        match name {
            "Ref" => {
                let target = arg.as_str().map(str::to_string).or_else(|| {
                    // A tagged scalar `!Ref X` has the name as its own value.
                    whole.as_str().map(str::to_string)
                });
                match target {
                    Some(t) => self.reference(&t, whole, span),
                    None => self.unknown("Ref".into(), span),
                }
            }
            "GetAtt" => {
                let (id, attr) = match &arg.kind {
                    NodeKind::Str(s) => match s.split_once('.') {
                        Some((id, attr)) => (id.to_string(), attr.to_string()),
                        None => (s.clone(), String::new()),
                    },
                    NodeKind::Seq(items) => {
                        let id = items
                            .first()
                            .and_then(Node::as_str)
                            .unwrap_or("")
                            .to_string();
                        let attr = items
                            .get(1)
                            .map(|a| self.resolve(a))
                            .map(|v| v.to_text().map_or_else(|| v.render(), |t| t.render()))
                            .unwrap_or_default();
                        (id, attr)
                    }
                    _ => (String::new(), String::new()),
                };
                if !self.is_resource(&id) {
                    self.warn(
                        format!(
                            "Fn::GetAtt refers to `{id}`, which is not a resource of this template"
                        ),
                        whole,
                    );
                }
                self.sym(Symbol::GetAtt(id, attr), span)
            }
            "Sub" => self.sub(arg, span),
            "Join" => self.join(arg, span),
            "Select" => self.select(arg, span),
            "Split" => self.split(arg, span),
            "FindInMap" => self.find_in_map(arg, span),
            "ImportValue" => {
                let name = self.resolve(arg);
                let name = name.to_text().map_or_else(|| name.render(), |t| t.render());
                self.sym(Symbol::Import(name), span)
            }
            "If" => {
                let items = arg.as_seq().unwrap_or(&[]);
                let [cond, then, other] = items else {
                    self.warn(
                        "Fn::If takes [condition, value-if-true, value-if-false]".into(),
                        whole,
                    );
                    return self.unknown("Fn::If".into(), span);
                };
                let cond_name = cond.as_str().unwrap_or("").to_string();
                match self.condition(&cond_name, cond) {
                    Some(true) => self.resolve_opt(then),
                    Some(false) => self.resolve_opt(other),
                    None => Some(Value::new(
                        ValueKind::Choice {
                            condition: cond_name,
                            options: vec![self.resolve_opt(then), self.resolve_opt(other)],
                        },
                        span,
                    )),
                }
            }
            "Equals" | "And" | "Or" | "Not" | "Condition" => match self.eval_condition(whole) {
                Some(b) => Some(Value::new(ValueKind::Bool(b), span)),
                None => self.unknown(format!("Fn::{name}"), span),
            },
            "Base64" => {
                if whole.tag.is_some() {
                    let untagged = Node {
                        tag: None,
                        ..whole.clone()
                    };
                    self.resolve_opt(&untagged)
                } else {
                    self.resolve_opt(arg)
                }
            }
            "Length" => match self.resolve(arg).kind {
                ValueKind::List(items) => {
                    Some(Value::new(ValueKind::Number(items.len().to_string()), span))
                }
                _ => self.unknown("Fn::Length".into(), span),
            },
            "GetAZs" | "Cidr" | "Transform" | "ToJsonString" | "ForEach" => {
                self.unknown(format!("Fn::{name}"), span)
            }
            other => {
                // A YAML tag that is not an intrinsic (`!Foo x`): keep its value, warn once.
                if whole.tag.is_some() {
                    self.warn(
                        format!("unknown tag `!{other}`; its value is read as if untagged"),
                        whole,
                    );
                    let untagged = Node {
                        tag: None,
                        ..whole.clone()
                    };
                    return self.resolve_opt(&untagged);
                }
                self.unknown(format!("Fn::{other}"), span)
            }
        }
    }

    fn reference(&self, target: &str, whole: &Node, span: Span) -> Option<Value> {
        if target == "AWS::NoValue" {
            return None;
        }
        if PSEUDO.contains(&target) {
            return self.sym(Symbol::Pseudo(target.to_string()), span);
        }
        if let Some(p) = self.params.get(target) {
            if let (Some(default), true, false) =
                (p.default, p.default_is_value(), self.in_condition.get())
                && let Some(mut v) = self.parameter_default(target, default, whole)
            {
                // The value is used where the `Ref` is: findings point there.
                v.span = span;
                return Some(v);
            }
            return self.sym(Symbol::Param(target.to_string()), span);
        }
        if self.is_resource(target) {
            return self.sym(Symbol::Ref(target.to_string()), span);
        }
        if let Some((base, _)) = target.split_once('.')
            && self.is_resource(base)
        {
            // SAM's `MyFunction.Alias` / `.Version` references.
            return self.sym(Symbol::Ref(target.to_string()), span);
        }
        self.warn(
            format!(
                "Ref to `{target}`, which is neither a parameter nor a resource of this template"
            ),
            whole,
        );
        self.sym(Symbol::Unknown(format!("Ref {target}")), span)
    }

    /// A parameter's default, resolved once; `None` when it refers to itself or substituting
    /// it would exceed the substitution budget (it then stays a symbol).
    fn parameter_default(&self, name: &str, default: &Node, at: &Node) -> Option<Value> {
        let cached = self.param_cache.borrow().get(name).cloned();
        let value = match cached {
            Some(Some(v)) => v,
            Some(None) => {
                self.warn(
                    format!("the default of parameter `{name}` refers to itself"),
                    at,
                );
                return None;
            }
            None => {
                self.param_cache.borrow_mut().insert(name.to_string(), None);
                let v = self.resolve(default);
                self.param_cache
                    .borrow_mut()
                    .insert(name.to_string(), Some(v.clone()));
                v
            }
        };
        let total = self.substituted.get().saturating_add(value.weight());
        if total > MAX_SUBSTITUTED {
            self.warn(
                format!("substituting the default of parameter `{name}` would exceed the substitution budget; kept as a parameter"),
                at,
            );
            return None;
        }
        self.substituted.set(total);
        Some(value)
    }

    fn sub(&self, arg: &Node, span: Span) -> Option<Value> {
        let (template, vars): (&str, Option<&Node>) = match &arg.kind {
            NodeKind::Str(s) => (s.as_str(), None),
            NodeKind::Seq(items) => match items.as_slice() {
                [t, vars] => (t.as_str().unwrap_or(""), Some(vars)),
                [t] => (t.as_str().unwrap_or(""), None),
                _ => return self.unknown("Fn::Sub".into(), span),
            },
            _ => return self.unknown("Fn::Sub".into(), span),
        };
        let mut text = Text::default();
        let mut rest = template;
        while let Some(pos) = rest.find("${") {
            let (before, after) = rest.split_at(pos);
            text.extend(dynamic_refs(before));
            let after = &after[2..];
            let Some(close) = after.find('}') else {
                text.push(Segment::Lit(format!("${{{after}")));
                rest = "";
                break;
            };
            let name = &after[..close];
            rest = &after[close + 1..];
            if let Some(lit) = name.strip_prefix('!') {
                text.push(Segment::Lit(format!("${{{lit}}}")));
                continue;
            }
            let name = name.trim();
            if let Some(value_node) = vars.and_then(|v| v.get(name)) {
                if let Some(v) = self.resolve_opt(value_node) {
                    match v.to_text() {
                        Some(t) => text.extend(t),
                        None => text.push(Segment::Sym(Symbol::Unknown(v.render()))),
                    }
                }
                continue;
            }
            if let Some((id, attr)) = name.split_once('.')
                && !PSEUDO.contains(&name)
            {
                text.push(Segment::Sym(Symbol::GetAtt(
                    id.to_string(),
                    attr.to_string(),
                )));
                continue;
            }
            if let Some(v) = self.reference(name, arg, span) {
                match v.to_text() {
                    Some(t) => text.extend(t),
                    None => text.push(Segment::Sym(Symbol::Unknown(v.render()))),
                }
            }
        }
        text.extend(dynamic_refs(rest));
        Some(Value::new(ValueKind::Text(text), span))
    }

    fn join(&self, arg: &Node, span: Span) -> Option<Value> {
        let Some([delim, list]) = arg.as_seq().map(|s| s.get(..2).unwrap_or(s)) else {
            return self.unknown("Fn::Join".into(), span);
        };
        let delim = delim.as_str().unwrap_or("");
        let list = self.resolve(list);
        let ValueKind::List(items) = &list.kind else {
            return self.unknown(format!("Fn::Join of {}", list.render()), span);
        };
        let mut text = Text::default();
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                text.push(Segment::Lit(delim.to_string()));
            }
            match item.to_text() {
                Some(t) => text.extend(t),
                None => text.push(Segment::Sym(Symbol::Unknown(item.render()))),
            }
        }
        Some(Value::new(ValueKind::Text(text), span))
    }

    fn select(&self, arg: &Node, span: Span) -> Option<Value> {
        let Some([index, list]) = arg.as_seq().map(|s| s.get(..2).unwrap_or(s)) else {
            return self.unknown("Fn::Select".into(), span);
        };
        let index = self.resolve(index).as_u64();
        let list = self.resolve(list);
        match (index, &list.kind) {
            (Some(i), ValueKind::List(items)) => match items.get(i as usize) {
                Some(v) => Some(Value::new(v.kind.clone(), span)),
                None => self.unknown("Fn::Select out of range".into(), span),
            },
            _ => self.unknown(format!("Fn::Select of {}", list.render()), span),
        }
    }

    fn split(&self, arg: &Node, span: Span) -> Option<Value> {
        let Some([delim, source]) = arg.as_seq().map(|s| s.get(..2).unwrap_or(s)) else {
            return self.unknown("Fn::Split".into(), span);
        };
        let delim = delim.as_str().unwrap_or("");
        let source = self.resolve(source);
        match source.as_str() {
            Some(s) if !delim.is_empty() => Some(Value::new(
                ValueKind::List(
                    s.split(delim)
                        .map(|part| Value::new(ValueKind::Text(Text::lit(part)), span))
                        .collect(),
                ),
                span,
            )),
            _ => self.unknown(format!("Fn::Split of {}", source.render()), span),
        }
    }

    fn find_in_map(&self, arg: &Node, span: Span) -> Option<Value> {
        let items = arg.as_seq().unwrap_or(&[]);
        let (Some(map), Some(top), Some(second)) = (items.first(), items.get(1), items.get(2))
        else {
            return self.unknown("Fn::FindInMap".into(), span);
        };
        let map_name = self.resolve(map).as_str().map(str::to_string);
        let Some(table) = map_name
            .as_deref()
            .and_then(|m| self.mappings.and_then(|ms| ms.get(m)))
        else {
            return self.unknown("Fn::FindInMap of an unknown mapping".into(), span);
        };
        let default = items.get(3).and_then(|d| d.get("DefaultValue"));
        let top_key = self.resolve(top);
        let second_key = self.resolve(second);
        let lookup = |level: &'a Node, second: &str| -> Option<Value> {
            match level.get(second) {
                Some(v) => self.resolve_opt(v).map(|mut v| {
                    v.span = span;
                    v
                }),
                None => default.and_then(|d| self.resolve_opt(d)),
            }
        };
        match (top_key.as_str(), second_key.as_str()) {
            (Some(t), Some(s)) => match table.get(t) {
                Some(level) => lookup(level, s),
                None => match default {
                    Some(d) => self.resolve_opt(d),
                    None => {
                        self.unknown(format!("Fn::FindInMap key `{t}` not in the mapping"), span)
                    }
                },
            },
            (None, Some(s)) => {
                // The top key is a deploy-time value (typically the region): every entry is a
                // possible value.
                let levels = table.as_map().unwrap_or(&[]);
                if levels.is_empty() || levels.len() > MAX_CHOICES {
                    return self.unknown(format!("Fn::FindInMap over {}", top_key.render()), span);
                }
                let options = levels.iter().map(|(_, level)| lookup(level, s)).collect();
                Some(Value::new(
                    ValueKind::Choice {
                        condition: format!(
                            "{}[{}]",
                            map_name.unwrap_or_default(),
                            top_key.render()
                        ),
                        options,
                    },
                    span,
                ))
            }
            _ => self.unknown("Fn::FindInMap with unknown keys".into(), span),
        }
    }

    /// Evaluate a named condition: `Some` when it only depends on literals.
    pub fn condition(&self, name: &str, at: &Node) -> Option<bool> {
        if let Some(cached) = self.cond_cache.borrow().get(name) {
            return *cached;
        }
        let Some(node) = self.conditions.get(name).copied() else {
            self.warn(
                format!("condition `{name}` is not defined in Conditions"),
                at,
            );
            return None;
        };
        if self.cond_stack.borrow().iter().any(|n| n == name) {
            self.warn(format!("condition `{name}` refers to itself"), at);
            return None;
        }
        self.cond_stack.borrow_mut().push(name.to_string());
        let result = self.eval_condition(node);
        self.cond_stack.borrow_mut().pop();
        self.cond_cache
            .borrow_mut()
            .insert(name.to_string(), result);
        result
    }

    /// Evaluate a condition expression, three-valued: parameters are deploy-time input, so a
    /// condition that depends on one is unknown even when the parameter has a default.
    pub fn eval_condition(&self, node: &Node) -> Option<bool> {
        let (name, arg) = match intrinsic(node) {
            Some(x) => x,
            None => {
                // `{Condition: Name}` is only an intrinsic inside conditions.
                if let Some(name) = node.get("Condition").and_then(Node::as_str) {
                    return self.condition(name, node);
                }
                return match &node.kind {
                    NodeKind::Bool(b) => Some(*b),
                    _ => None,
                };
            }
        };
        let args = arg.as_seq().unwrap_or(&[]);
        match name {
            "Condition" => {
                let target = arg.as_str().or_else(|| node.as_str()).unwrap_or("");
                self.condition(target, node)
            }
            "Equals" => {
                let [a, b] = args else { return None };
                let a = self.condition_operand(a)?;
                let b = self.condition_operand(b)?;
                Some(a == b)
            }
            "Not" => {
                let inner = args.first()?;
                self.eval_condition(inner).map(|b| !b)
            }
            "And" => {
                let mut all = Some(true);
                for a in args {
                    match self.eval_condition(a) {
                        Some(false) => return Some(false),
                        None => all = None,
                        Some(true) => {}
                    }
                }
                all
            }
            "Or" => {
                let mut any = Some(false);
                for a in args {
                    match self.eval_condition(a) {
                        Some(true) => return Some(true),
                        None => any = None,
                        Some(false) => {}
                    }
                }
                any
            }
            _ => None,
        }
    }

    /// A literal operand of `Fn::Equals`, or `None` when it depends on deploy-time input.
    fn condition_operand(&self, node: &Node) -> Option<String> {
        let outer = self.in_condition.replace(true);
        let v = self.resolve(node);
        self.in_condition.set(outer);
        fully_literal(&v)
    }
}

/// A value that contains no symbol, rendered for comparison.
fn fully_literal(v: &Value) -> Option<String> {
    match &v.kind {
        ValueKind::Text(t) => t.literal().map(str::to_string),
        ValueKind::Number(n) => Some(n.clone()),
        ValueKind::Bool(b) => Some(b.to_string()),
        ValueKind::Null => Some(String::new()),
        ValueKind::List(items) => {
            let parts: Option<Vec<String>> = items.iter().map(fully_literal).collect();
            parts.map(|p| format!("[{}]", p.join(",")))
        }
        _ => None,
    }
}

fn key_string(k: &Node) -> String {
    match &k.kind {
        NodeKind::Str(s) | NodeKind::Number(s) => s.clone(),
        NodeKind::Bool(b) => b.to_string(),
        NodeKind::Null => String::new(),
        _ => "<complex key>".into(),
    }
}

/// Split `{{resolve:…}}` dynamic references out of a literal string.
pub(crate) fn dynamic_refs(s: &str) -> Text {
    let mut text = Text::default();
    let mut rest = s;
    while let Some(pos) = rest.find("{{resolve:") {
        let (before, after) = rest.split_at(pos);
        text.push(Segment::Lit(before.to_string()));
        match after.find("}}") {
            Some(end) => {
                text.push(Segment::Sym(Symbol::Dynamic(after[..end + 2].to_string())));
                rest = &after[end + 2..];
            }
            None => {
                text.push(Segment::Lit(after.to_string()));
                rest = "";
            }
        }
    }
    text.push(Segment::Lit(rest.to_string()));
    if text.segments.is_empty() {
        text.segments.push(Segment::Lit(String::new()));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{Limits, parse};
    use palisade_model::{FileId, SourceFile};

    fn test_files(template: &str) -> super::super::FileMap {
        let source = SourceFile::new(
            "template.yaml".into(),
            std::path::PathBuf::from("template.yaml"),
            template.into(),
        );
        super::super::FileMap::single(FileId(0), std::sync::Arc::new(source))
    }

    fn resolve_in(template: &str, path: &[&str]) -> Value {
        let doc = parse(template, Limits::default()).unwrap_or_else(|e| unreachable!("{e}"));
        let r = Resolver::new(&doc.root, test_files(template));
        let mut node = &doc.root;
        for p in path {
            node = node.get(p).unwrap_or_else(|| unreachable!("no {p}"));
        }
        r.resolve(node)
    }

    const T: &str = r#"
Parameters:
  Stage: {Type: String, Default: dev}
  Secret: {Type: String, NoEcho: true}
  Ami: {Type: "AWS::SSM::Parameter::Value<String>", Default: /app/ami}
Mappings:
  Sizes:
    dev: {Timeout: 30}
    prod: {Timeout: 900}
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
  Always: !Equals [a, a]
  Never: !Not [!Condition Always]
Resources:
  Bucket: {Type: AWS::S3::Bucket}
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      A: !Sub "arn:${AWS::Partition}:s3:::${Bucket}/${Stage}/*"
      B: !GetAtt Bucket.Arn
      C: !If [IsProd, 900, 30]
      D: !If [Always, yes, no]
      E: !FindInMap [Sizes, !Ref Stage, Timeout]
      F: !Join ["-", [a, !Ref Bucket, c]]
      G: !Ref Secret
      H: !Ref Ami
      I: "{{resolve:secretsmanager:db:SecretString:password}}"
      J: !If [Never, x, !Ref AWS::NoValue]
      K: !Select [1, !Split [",", "a,b,c"]]
      L: !FindInMap [Sizes, !Ref AWS::Region, Timeout]
      M: {"Fn::Sub": ["${X}-${!Y}", {X: !Ref Bucket}]}
"#;

    fn prop(name: &str) -> Value {
        resolve_in(T, &["Resources", "Fn", "Properties", name])
    }

    #[test]
    fn sub_keeps_symbols_and_substitutes_defaults() {
        assert_eq!(
            prop("A").render(),
            "arn:${AWS::Partition}:s3:::${Bucket}/dev/*"
        );
        assert_eq!(prop("M").render(), "${Bucket}-${Y}");
    }

    #[test]
    fn references_stay_symbolic() {
        assert_eq!(prop("B").render(), "${Bucket.Arn}");
        assert_eq!(prop("F").render(), "a-${Bucket}-c");
        assert_eq!(prop("G").render(), "${Secret}");
        // An SSM parameter type never resolves to its default (the parameter's name).
        assert_eq!(prop("H").render(), "${Ami}");
        assert!(matches!(
            prop("I").text().map(|t| t.segments.as_slice()),
            Some([Segment::Sym(Symbol::Dynamic(_))])
        ));
    }

    #[test]
    fn conditions_on_parameters_become_choices() {
        match prop("C").kind {
            ValueKind::Choice { condition, options } => {
                assert_eq!(condition, "IsProd");
                assert_eq!(options.len(), 2);
            }
            other => unreachable!("{other:?}"),
        }
        assert_eq!(prop("D").render(), "yes");
        // `Never` is false, so J is absent (AWS::NoValue): resolve() reads null.
        assert!(prop("J").is_null());
    }

    fn warnings_of(template: &str, path: &[&str]) -> (Value, Vec<String>) {
        let doc = parse(template, Limits::default()).unwrap_or_else(|e| unreachable!("{e}"));
        let r = Resolver::new(&doc.root, test_files(template));
        let mut node = &doc.root;
        for p in path {
            node = node.get(p).unwrap_or_else(|| unreachable!("no {p}"));
        }
        let v = r.resolve(node);
        (v, r.warnings.take().into_iter().map(|(m, _)| m).collect())
    }

    #[test]
    fn self_referencing_defaults_and_mappings_stay_symbolic() {
        let (v, w) = warnings_of(
            "Parameters:\n  Stage: {Type: String, Default: !Ref Stage}\nResources:\n  X: {Type: T, Properties: {A: !Ref Stage}}\n",
            &["Resources", "X", "Properties", "A"],
        );
        assert_eq!(v.render(), "${Stage}");
        assert!(w.iter().any(|m| m.contains("refers to itself")), "{w:?}");
        let (_, w) = warnings_of(
            "Mappings:\n  M: {k: {v: !FindInMap [M, k, v]}}\nResources:\n  X: {Type: T, Properties: {A: !FindInMap [M, k, v]}}\n",
            &["Resources", "X", "Properties", "A"],
        );
        assert!(w.iter().any(|m| m.contains("too deeply")), "{w:?}");
    }

    #[test]
    fn doubling_default_chains_stop_at_the_budget() {
        let mut t = String::from("Parameters:\n  P0: {Type: String, Default: x}\n");
        for i in 1..40 {
            t.push_str(&format!(
                "  P{i}: {{Type: String, Default: !Join ['', [!Ref P{p}, !Ref P{p}]]}}\n",
                p = i - 1
            ));
        }
        t.push_str("Resources:\n  X: {Type: T, Properties: {A: !Ref P39}}\n");
        let started = std::time::Instant::now();
        let (v, w) = warnings_of(&t, &["Resources", "X", "Properties", "A"]);
        assert!(started.elapsed().as_secs() < 10);
        assert!(v.weight() <= MAX_SUBSTITUTED * 2, "{}", v.weight());
        assert!(w.iter().any(|m| m.contains("budget")), "{w:?}");
    }

    #[test]
    fn conditions_never_use_parameter_defaults() {
        let t = "Parameters:\n  Env: {Type: String, Default: dev}\nMappings:\n  Cfg: {dev: {Public: 'false'}, prod: {Public: 'true'}}\nConditions:\n  Pub: !Equals [!FindInMap [Cfg, !Ref Env, Public], 'true']\n  Sub: !Equals [!Sub '${Env}', prod]\nResources:\n  X: {Type: T, Properties: {A: !If [Pub, a, b], B: !If [Sub, a, b]}}\n";
        for key in ["A", "B"] {
            let (v, _) = warnings_of(t, &["Resources", "X", "Properties", key]);
            assert!(matches!(v.kind, ValueKind::Choice { .. }), "{key}: {v:?}");
        }
    }

    #[test]
    fn mappings_and_functions() {
        assert_eq!(prop("E").as_u64(), Some(30));
        assert_eq!(prop("K").as_str(), Some("b"));
        match prop("L").kind {
            ValueKind::Choice { options, .. } => assert_eq!(options.len(), 2),
            other => unreachable!("{other:?}"),
        }
    }
}

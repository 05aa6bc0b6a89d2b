//! References: `var.x`, `local.x`, `module.x.out`, resource and data source attributes,
//! `path.*`, `terraform.workspace`, and the names a scope binds (`count`, `each`, `for`
//! variables), with attribute, index and splat access on what they give.

use std::rc::Rc;

use hcl_edit::expr::{Expression, Traversal, TraversalOperator};
use palisade_model::DiagnosticLevel;

use super::eval::{Binding, Child, Eval, Inst, Key, R, Scope, fail};
use super::files::{MAX_MODULE_DEPTH, Target};
use super::index::{Decl, Src};
use super::value::{self as v, node};
use crate::yaml::{Node, NodeKind};

/// Most instances made from one `count` / `for_each`.
pub(crate) const MAX_INSTANCES: usize = 1000;

impl<'a> Eval<'a> {
    /// A bare name: a scope binding, or something only known with attributes.
    pub(crate) fn variable(
        &self,
        _i: usize,
        name: &str,
        e: &Expression,
        src: Src<'_>,
        sc: &mut Scope,
    ) -> R {
        let (start, end) = src.range(e);
        if let Some((_, val)) = sc.iter().rev().find(|(n, _)| n == name) {
            let mut val = val.clone();
            respan_scalar(&mut val, start, end);
            return Ok(val);
        }
        Ok(v::unknown(name, start, end))
    }

    pub(crate) fn traversal(
        &self,
        i: usize,
        t: &Traversal,
        src: Src<'_>,
        sc: &mut Scope,
        (start, end): (usize, usize),
    ) -> R {
        let ops = &t.operators;
        let attr = |k: usize| match ops.get(k).map(|o| o.value()) {
            Some(TraversalOperator::GetAttr(id)) => Some(id.as_str()),
            _ => None,
        };
        let unknown = || v::unknown(src.text_of(t), start, end);
        let Expression::Variable(root) = &t.expr else {
            let base = self.expr(i, &t.expr, src, sc)?;
            return self.apply(i, base, ops, src, sc, (start, end), &unknown);
        };
        let root = root.as_str();
        let Some(inst) = self.inst(i) else {
            return Ok(unknown());
        };
        let Some(module) = self.modules.get(inst.module) else {
            return Ok(unknown());
        };
        if let Some((_, val)) = sc.iter().rev().find(|(n, _)| n == root) {
            let val = val.clone();
            return self.apply(i, val, ops, src, sc, (start, end), &unknown);
        }
        let (base, used) = match (root, attr(0), attr(1)) {
            ("var", Some(name), _) => (self.var(i, name, start), 1),
            ("local", Some(name), _) => (self.local(i, name, start), 1),
            ("module", Some(name), _) => match self.module_ref(i, name, ops, src, sc, start)? {
                Some(found) => found,
                None => return Ok(unknown()),
            },
            ("data", Some(t), Some(n)) if module.data.contains(&(t, n)) => (
                v::reference(format!("{}data.{t}.{n}", inst.prefix), start, end),
                2,
            ),
            ("path", Some(which), _) => {
                let p = match which {
                    "module" => path_of(module.rel_dir),
                    "root" => ".".to_string(),
                    "cwd" => self.paths.root_dir.display().to_string(),
                    _ => return Ok(unknown()),
                };
                (v::string(p, start, end), 1)
            }
            ("terraform", Some("workspace"), _) => (v::string("default", start, end), 1),
            (t, Some(n), _) if module.managed.contains(&(t, n)) => (
                v::reference(format!("{}{t}.{n}", inst.prefix), start, end),
                1,
            ),
            _ => return Ok(unknown()),
        };
        let mut base = base;
        respan_scalar(&mut base, start, end);
        let rest = ops.get(used..).unwrap_or_default();
        self.apply(i, base, rest, src, sc, (start, end), &unknown)
    }

    /// Attribute, index and splat operators applied to a value.
    #[expect(
        clippy::too_many_arguments,
        reason = "the evaluation context of one traversal"
    )]
    fn apply(
        &self,
        i: usize,
        mut cur: Node,
        ops: &[hcl_edit::Decorated<TraversalOperator>],
        src: Src<'_>,
        sc: &mut Scope,
        (start, end): (usize, usize),
        unknown: &dyn Fn() -> Node,
    ) -> R {
        for (k, op) in ops.iter().enumerate() {
            let at = src.range(op).0;
            if cur.tag.as_deref() == Some(v::REF) {
                let mut address = cur.as_str().unwrap_or_default().to_string();
                match op.value() {
                    TraversalOperator::GetAttr(id) => {
                        address.push('.');
                        address.push_str(id.as_str());
                    }
                    TraversalOperator::Index(e) => {
                        let key = self.expr(i, e, src, sc)?;
                        if let Some(k) = v::instance_key(&key) {
                            address.push_str(&k);
                        }
                    }
                    TraversalOperator::LegacyIndex(n) => {
                        address.push_str(&format!("[{}]", n.value()));
                    }
                    TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => {
                        address.push_str("[*]");
                    }
                }
                cur = v::reference(address, start, end);
                continue;
            }
            if v::is_symbolic(&cur) {
                return Ok(unknown());
            }
            cur = match op.value() {
                TraversalOperator::GetAttr(id) => match v::map_get(&cur, id.as_str()) {
                    Some(found) => found.clone(),
                    None => {
                        return Err(fail(
                            format!("this value has no attribute `{}`", id.as_str()),
                            at,
                        ));
                    }
                },
                TraversalOperator::Index(e) => {
                    let key = self.expr(i, e, src, sc)?;
                    if v::is_symbolic(&key) {
                        return Ok(unknown());
                    }
                    index(&cur, &key, at)?
                }
                TraversalOperator::LegacyIndex(n) => {
                    let key = v::number(*n.value() as f64, at, at);
                    index(&cur, &key, at)?
                }
                TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => {
                    let items = match &cur.kind {
                        NodeKind::Seq(items) => items.clone(),
                        NodeKind::Null => Vec::new(),
                        _ => vec![cur.clone()],
                    };
                    let rest = ops.get(k + 1..).unwrap_or_default();
                    let mut out = Vec::with_capacity(items.len());
                    for item in items {
                        out.push(self.apply(i, item, rest, src, sc, (start, end), unknown)?);
                    }
                    return Ok(node(NodeKind::Seq(out), start, end));
                }
            };
        }
        respan_scalar(&mut cur, start, end);
        Ok(cur)
    }

    /// A variable of an instance: the caller's input, a `.tfvars` / command-line value, the
    /// default, or unknown.
    pub(crate) fn var(&self, i: usize, name: &str, at: usize) -> Node {
        self.memo(i, Key::Var(name.to_string()), at, || {
            let label = format!("var.{name}");
            let Some(inst) = self.inst(i) else {
                return v::unknown(label, at, at);
            };
            let decl = self
                .modules
                .get(inst.module)
                .and_then(|m| m.variables.get(name).copied());
            let given = match &inst.parent {
                None => self.root_vars.get(name).cloned(),
                Some((parent, call, binding)) => call.block.body.get_attribute(name).map(|a| {
                    let mut sc: Scope = binding.iter().cloned().collect();
                    self.value(*parent, &a.value, call.src, &mut sc)
                }),
            };
            let value = given.or_else(|| {
                let decl = decl?;
                let default = decl.block.body.get_attribute("default")?;
                Some(self.value(i, &default.value, decl.src, &mut Vec::new()))
            });
            match (value, decl) {
                (Some(val), Some(decl)) => convert(val, decl),
                (Some(val), None) => val,
                (None, decl) => {
                    if inst.parent.is_none() {
                        let place = decl.map_or(at, |d| d.src.range(d.block).0);
                        self.diag(
                            DiagnosticLevel::Note,
                            place,
                            format!(
                                "variable {name:?} has no default and no value was given; \
                                 kept unknown (pass --var {name}=VALUE or --var-file FILE)"
                            ),
                        );
                    }
                    v::unknown(label, at, at)
                }
            }
        })
    }

    pub(crate) fn local(&self, i: usize, name: &str, at: usize) -> Node {
        self.memo(i, Key::Local(name.to_string()), at, || {
            let decl = self.module_of(i).and_then(|m| m.locals.get(name).copied());
            match decl {
                Some(d) => self.value(i, d.expr(), d.src, &mut Vec::new()),
                None => v::unknown(format!("local.{name}"), at, at),
            }
        })
    }

    pub(crate) fn output(&self, i: usize, name: &str, at: usize) -> Node {
        self.memo(i, Key::Output(name.to_string()), at, || {
            let label = format!("module output {name}");
            let decl = self.module_of(i).and_then(|m| m.outputs.get(name).copied());
            let Some(d) = decl else {
                return v::unknown(label, at, at);
            };
            match d.block.body.get_attribute("value") {
                Some(a) => self.value(i, &a.value, d.src, &mut Vec::new()),
                None => v::unknown(label, at, at),
            }
        })
    }

    /// `module.NAME...`: the value and how many operators it used, or `None` when unknown.
    fn module_ref(
        &self,
        i: usize,
        name: &str,
        ops: &[hcl_edit::Decorated<TraversalOperator>],
        src: Src<'_>,
        sc: &mut Scope,
        at: usize,
    ) -> Result<Option<(Node, usize)>, super::eval::Fail> {
        let children = self.children(i, name);
        if children.is_empty() {
            return Ok(None);
        }
        let keyed = children.iter().any(|c| c.key.is_some());
        let (child, used) = if keyed {
            let key = match ops.get(1).map(|o| o.value()) {
                Some(TraversalOperator::Index(e)) => self.expr(i, e, src, sc)?,
                Some(TraversalOperator::LegacyIndex(n)) => v::number(*n.value() as f64, at, at),
                _ => return Ok(None),
            };
            let found = children.iter().find(|c| {
                c.key
                    .as_ref()
                    .is_some_and(|k| v::equal(k, &key) == Some(true))
            });
            (found, 2)
        } else {
            (children.first(), 1)
        };
        let Some(inst) = child.and_then(|c| c.inst) else {
            return Ok(None);
        };
        match ops.get(used).map(|o| o.value()) {
            Some(TraversalOperator::GetAttr(out)) => {
                Ok(Some((self.output(inst, out.as_str(), at), used + 1)))
            }
            _ => Ok(None),
        }
    }

    /// The instances of a module call, made once per calling instance.
    pub(crate) fn children(&self, i: usize, name: &str) -> Rc<Vec<Child>> {
        let Some(inst) = self.inst(i) else {
            return Rc::new(Vec::new());
        };
        if let Some(found) = inst.children.borrow().get(name) {
            return Rc::clone(found);
        }
        let made = Rc::new(self.make_children(i, &inst, name));
        inst.children
            .borrow_mut()
            .insert(name.to_string(), Rc::clone(&made));
        made
    }

    fn make_children(&self, i: usize, inst: &Inst<'a>, name: &str) -> Vec<Child> {
        let Some((decl, target)) = self
            .modules
            .get(inst.module)
            .and_then(|m| m.calls.get(name))
            .map(|(d, t)| (*d, t.clone()))
        else {
            return Vec::new();
        };
        let at = decl.src.range(decl.block).0;
        let mut target = target;
        if let Target::Local(m) = target {
            if inst.chain.contains(&m) {
                self.diag(
                    DiagnosticLevel::Error,
                    at,
                    format!("module `{name}` calls itself (a module cycle); it is not read again"),
                );
                target = Target::Remote;
            } else if inst.chain.len() >= MAX_MODULE_DEPTH {
                self.diag(
                    DiagnosticLevel::Warning,
                    at,
                    format!("modules nested deeper than {MAX_MODULE_DEPTH} levels; `{name}` was not read"),
                );
                target = Target::Remote;
            }
        }
        let ignores = {
            let mut all = inst.ignores.clone();
            all.extend(super::ignore::for_block(decl.block, decl.src));
            all
        };
        self.expand(i, decl, &mut Vec::new())
            .into_iter()
            .map(|(key, binding)| {
                let inst_id = match target {
                    Target::Local(m) => {
                        let suffix = key.as_ref().and_then(v::instance_key).unwrap_or_default();
                        let mut chain = inst.chain.clone();
                        chain.push(m);
                        let child = Inst::new(
                            m,
                            format!("{}module.{name}{suffix}.", inst.prefix),
                            Some((i, decl, binding.clone())),
                            chain,
                            ignores.clone(),
                        );
                        let mut insts = self.insts.borrow_mut();
                        insts.push(Rc::new(child));
                        Some(insts.len() - 1)
                    }
                    Target::Remote => None,
                };
                Child {
                    key,
                    binding,
                    inst: inst_id,
                }
            })
            .collect()
    }

    /// The instances of a block with `count` or `for_each`: `(instance key, binding)`. A block
    /// with neither has one instance without a key; an unknown collection gives one instance
    /// with unknown `count.index` / `each.*` and a note.
    pub(crate) fn expand(
        &self,
        i: usize,
        decl: Decl<'_>,
        sc: &mut Scope,
    ) -> Vec<(Option<Node>, Binding)> {
        let body = &decl.block.body;
        let at = decl.src.range(decl.block).0;
        if let Some(count) = body.get_attribute("count") {
            let n = self.value(i, &count.value, decl.src, sc);
            let (s, e) = (n.start, n.end);
            let Some(n) = v::as_number(&n) else {
                self.unknown_expansion(at, "count");
                let bound = map(vec![("index", v::unknown("count.index", s, e))], s, e);
                return vec![(None, Some(("count".to_string(), bound)))];
            };
            let n = self.capped(n.max(0.0) as usize, at);
            return (0..n)
                .map(|k| {
                    let key = v::number(k as f64, s, e);
                    let bound = map(vec![("index", key.clone())], s, e);
                    (Some(key), Some(("count".to_string(), bound)))
                })
                .collect();
        }
        if let Some(each) = body.get_attribute("for_each") {
            let coll = self.value(i, &each.value, decl.src, sc);
            let (s, e) = (coll.start, coll.end);
            return match each_pairs(&coll) {
                Some(pairs) => {
                    let n = self.capped(pairs.len(), at);
                    pairs
                        .into_iter()
                        .take(n)
                        .map(|(key, value)| {
                            let bound = map(vec![("key", key.clone()), ("value", value)], s, e);
                            (Some(key), Some(("each".to_string(), bound)))
                        })
                        .collect()
                }
                None => {
                    self.unknown_expansion(at, "for_each");
                    let bound = map(
                        vec![
                            ("key", v::unknown("each.key", s, e)),
                            ("value", v::unknown("each.value", s, e)),
                        ],
                        s,
                        e,
                    );
                    vec![(None, Some(("each".to_string(), bound)))]
                }
            };
        }
        vec![(None, None)]
    }

    fn capped(&self, n: usize, at: usize) -> usize {
        if n > MAX_INSTANCES {
            self.diag(
                DiagnosticLevel::Warning,
                at,
                format!(
                    "more than {MAX_INSTANCES} instances; only the first {MAX_INSTANCES} are read"
                ),
            );
            return MAX_INSTANCES;
        }
        n
    }

    fn unknown_expansion(&self, at: usize, what: &str) {
        self.diag(
            DiagnosticLevel::Note,
            at,
            format!(
                "`{what}` could not be evaluated (it depends on a value only known at apply, or \
                 on something Palisade does not evaluate); the block is read as one instance"
            ),
        );
    }
}

/// `(each.key, each.value)` of a known `for_each` collection: a map, or a set of strings.
pub(crate) fn each_pairs(coll: &Node) -> Option<Vec<(Node, Node)>> {
    if v::is_symbolic(coll) {
        return None;
    }
    match &coll.kind {
        NodeKind::Map(entries) => Some(entries.clone()),
        NodeKind::Seq(items) => Some(items.iter().map(|i| (i.clone(), i.clone())).collect()),
        NodeKind::Null => Some(Vec::new()),
        _ => None,
    }
}

pub(crate) fn map(entries: Vec<(&str, Node)>, start: usize, end: usize) -> Node {
    node(
        NodeKind::Map(
            entries
                .into_iter()
                .map(|(k, val)| (v::string(k, start, end), val))
                .collect(),
        ),
        start,
        end,
    )
}

/// `path.module`: `.` for the root module.
fn path_of(rel_dir: &str) -> String {
    if rel_dir.is_empty() {
        ".".to_string()
    } else {
        rel_dir.to_string()
    }
}

/// A scalar read through a reference takes the span of the reference (where it is used);
/// collections keep the spans of their parts.
fn respan_scalar(n: &mut Node, start: usize, end: usize) {
    if !matches!(n.kind, NodeKind::Seq(_) | NodeKind::Map(_)) {
        n.start = start;
        n.end = end;
    }
}

fn index(cur: &Node, key: &Node, at: usize) -> R {
    match &cur.kind {
        NodeKind::Seq(items) => {
            let k = v::as_number(key).ok_or_else(|| fail("a list index must be a number", at))?;
            if k < 0.0 || k.fract() != 0.0 {
                return Err(fail("invalid list index", at));
            }
            items
                .get(k as usize)
                .cloned()
                .ok_or_else(|| fail("list index out of range", at))
        }
        NodeKind::Map(_) => {
            let k = v::as_text(key).ok_or_else(|| fail("a map key must be a string", at))?;
            v::map_get(cur, &k)
                .cloned()
                .ok_or_else(|| fail(format!("no element with key {}", v::quote(&k)), at))
        }
        _ => Err(fail("this value cannot be indexed", at)),
    }
}

/// A variable's value converted to its declared primitive type (`-var n=5` is a string that a
/// `number` variable reads as a number).
fn convert(mut val: Node, decl: Decl<'_>) -> Node {
    let Some(ty) = decl.block.body.get_attribute("type") else {
        return val;
    };
    let ty = decl.src.text_of(&ty.value);
    if v::is_symbolic(&val) {
        return val;
    }
    match ty.as_str() {
        "string" => {
            if let Some(t) = v::as_text(&val) {
                val.kind = NodeKind::Str(t);
            }
        }
        "number" => {
            if let Some(n) = v::as_number(&val) {
                val.kind = NodeKind::Number(v::format_number(n));
            }
        }
        "bool" => {
            if let Some(b) = v::as_bool(&val) {
                val.kind = NodeKind::Bool(b);
            }
        }
        _ => {}
    }
    val
}

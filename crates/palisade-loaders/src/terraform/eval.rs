//! The partial evaluator: HCL expressions into [`Node`]s, keeping what cannot be known before
//! apply symbolic (see [`super::value`]).
//!
//! Every module instance evaluates its variables, locals and outputs lazily, once (memoised),
//! with a stack of what is being evaluated to report cycles instead of recursing forever.
//! Work is bounded by a fuel counter, an expression depth and a size cap on memoised values,
//! so hostile input ends with unknown values and a warning, never a hang.

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::rc::Rc;

use hcl_edit::expr::{BinaryOperator, Expression, ForExpr, ObjectKey, UnaryOperator};
use palisade_model::DiagnosticLevel;

use super::index::{Decl, ModuleIndex, Src};
use super::model::TfIgnore;
use super::value::{self as v, node};
use crate::yaml::{Node, NodeKind};

/// Deepest nesting of expression evaluation (also across locals and module outputs).
const MAX_DEPTH: u32 = 48;
/// Units of work for one root module: one per expression, plus the size of copied values.
const FUEL: u64 = 20_000_000;
/// Largest value (in nodes) kept for a variable, local or output.
pub(crate) const MAX_VALUE_NODES: usize = 200_000;
/// Longest string built by a function or template.
pub(crate) const MAX_STRING: usize = 1024 * 1024;

/// Names bound while evaluating: `count`, `each`, `for` variables, dynamic block iterators.
pub(crate) type Scope = Vec<(String, Node)>;

/// An expression Terraform itself would reject (a missing key, a wrong type): `try` and `can`
/// see it; elsewhere it becomes an unknown value and a warning.
#[derive(Debug)]
pub(crate) struct Fail {
    pub message: String,
    pub offset: usize,
}

pub(crate) type R = Result<Node, Fail>;

/// A name bound for one instance: `("count", {index})` or `("each", {key, value})`.
pub(crate) type Binding = Option<(String, Node)>;

/// The caller of a module instance: its instance, the call block, and the instance binding.
pub(crate) type Parent<'a> = (usize, Decl<'a>, Binding);

pub(crate) fn fail(message: impl Into<String>, offset: usize) -> Fail {
    Fail {
        message: message.into(),
        offset,
    }
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Key {
    Var(String),
    Local(String),
    Output(String),
}

impl Key {
    fn label(&self) -> String {
        match self {
            Key::Var(n) => format!("var.{n}"),
            Key::Local(n) => format!("local.{n}"),
            Key::Output(n) => format!("output.{n}"),
        }
    }
}

/// A module call's instance, as seen from the caller.
pub(crate) struct Child {
    /// `[0]` / `["k"]` key, when the call has `count` / `for_each`.
    pub key: Option<Node>,
    pub binding: Binding,
    /// The instance, for a local module.
    pub inst: Option<usize>,
}

/// One instance of a module (the root, or one `module` call instance).
pub(crate) struct Inst<'a> {
    pub module: usize,
    /// `module.x.` / `module.x[0].` prefixes of addresses; empty for the root.
    pub prefix: String,
    /// The caller: its instance, the call block, and the `count` / `each` binding.
    pub parent: Option<Parent<'a>>,
    /// Modules of this instance and its callers, to refuse a module calling itself.
    pub chain: Vec<usize>,
    /// Suppressions on the module calls that led here.
    pub ignores: Vec<TfIgnore>,
    memo: RefCell<BTreeMap<Key, Node>>,
    cyclic: RefCell<BTreeSet<Key>>,
    pub children: RefCell<BTreeMap<String, Rc<Vec<Child>>>>,
}

impl<'a> Inst<'a> {
    pub fn new(
        module: usize,
        prefix: String,
        parent: Option<Parent<'a>>,
        chain: Vec<usize>,
        ignores: Vec<TfIgnore>,
    ) -> Self {
        Inst {
            module,
            prefix,
            parent,
            chain,
            ignores,
            memo: RefCell::new(BTreeMap::new()),
            cyclic: RefCell::new(BTreeSet::new()),
            children: RefCell::new(BTreeMap::new()),
        }
    }
}

/// Paths that `file()` and `templatefile()` may read.
pub(crate) struct Paths {
    /// The scan root, canonical.
    pub project: PathBuf,
    /// The root module's folder, canonical.
    pub root_dir: PathBuf,
    pub max_file_size: u64,
}

pub(crate) struct Eval<'a> {
    pub modules: Vec<ModuleIndex<'a>>,
    /// Root module variable values from `.tfvars` files and the command line.
    pub root_vars: BTreeMap<String, Node>,
    pub insts: RefCell<Vec<Rc<Inst<'a>>>>,
    pub paths: Paths,
    stack: RefCell<Vec<(usize, Key)>>,
    /// `(level, global offset, message)`.
    pub diags: RefCell<Vec<(DiagnosticLevel, usize, String)>>,
    fuel: Cell<u64>,
    out_of_fuel: Cell<bool>,
    depth: Cell<u32>,
}

impl<'a> Eval<'a> {
    pub fn new(
        modules: Vec<ModuleIndex<'a>>,
        root_vars: BTreeMap<String, Node>,
        paths: Paths,
    ) -> Self {
        Eval {
            modules,
            root_vars,
            insts: RefCell::new(vec![Rc::new(Inst::new(
                0,
                String::new(),
                None,
                vec![0],
                Vec::new(),
            ))]),
            paths,
            stack: RefCell::new(Vec::new()),
            diags: RefCell::new(Vec::new()),
            fuel: Cell::new(FUEL),
            out_of_fuel: Cell::new(false),
            depth: Cell::new(0),
        }
    }

    /// Forget every instance and memoised value.
    pub fn reset(&mut self) {
        *self.insts.get_mut() = vec![Rc::new(Inst::new(
            0,
            String::new(),
            None,
            vec![0],
            Vec::new(),
        ))];
        self.stack.get_mut().clear();
    }

    pub fn inst(&self, i: usize) -> Option<Rc<Inst<'a>>> {
        self.insts.borrow().get(i).cloned()
    }

    pub fn module_of(&self, i: usize) -> Option<&ModuleIndex<'a>> {
        let m = self.inst(i)?.module;
        self.modules.get(m)
    }

    pub fn diag(&self, level: DiagnosticLevel, offset: usize, message: impl Into<String>) {
        self.diags
            .borrow_mut()
            .push((level, offset, message.into()));
    }

    /// Spend fuel; false once it is gone (reported once).
    pub fn burn(&self, units: u64, offset: usize) -> bool {
        let left = self.fuel.get();
        if left < units {
            self.fuel.set(0);
            if !self.out_of_fuel.replace(true) {
                self.diag(
                    DiagnosticLevel::Warning,
                    offset,
                    "evaluation budget exhausted (values too large or too many); the remaining \
                     values are treated as unknown",
                );
            }
            return false;
        }
        self.fuel.set(left - units);
        true
    }

    /// An expression's value; a [`Fail`] becomes an unknown value and a warning.
    pub fn value(&self, i: usize, e: &Expression, src: Src<'_>, sc: &mut Scope) -> Node {
        match self.expr(i, e, src, sc) {
            Ok(n) => n,
            Err(f) => {
                self.diag(DiagnosticLevel::Warning, f.offset, f.message);
                let (s, end) = src.range(e);
                v::unknown(src.text_of(e), s, end)
            }
        }
    }

    pub fn expr(&self, i: usize, e: &Expression, src: Src<'_>, sc: &mut Scope) -> R {
        let (start, end) = src.range(e);
        if self.depth.get() >= MAX_DEPTH || !self.burn(1, start) {
            return Ok(v::unknown(src.text_of(e), start, end));
        }
        self.depth.set(self.depth.get() + 1);
        let r = self.expr_inner(i, e, src, sc, start, end);
        self.depth.set(self.depth.get() - 1);
        r
    }

    fn expr_inner(
        &self,
        i: usize,
        e: &Expression,
        src: Src<'_>,
        sc: &mut Scope,
        start: usize,
        end: usize,
    ) -> R {
        Ok(match e {
            Expression::Null(_) => node(NodeKind::Null, start, end),
            Expression::Bool(b) => v::boolean(*b.value(), start, end),
            Expression::Number(n) => node(NodeKind::Number(n.value().to_string()), start, end),
            Expression::String(s) => v::string(s.value().as_str(), start, end),
            Expression::Array(a) => {
                let mut items = Vec::with_capacity(a.len());
                for item in a.iter() {
                    items.push(self.expr(i, item, src, sc)?);
                }
                node(NodeKind::Seq(items), start, end)
            }
            Expression::Object(o) => {
                let mut entries = Vec::with_capacity(o.len());
                for (k, val) in o.iter() {
                    let key = match k {
                        ObjectKey::Ident(id) => {
                            let (ks, ke) = src.range(id);
                            v::string(id.as_str(), ks, ke)
                        }
                        ObjectKey::Expression(ke) => {
                            let mut key = self.expr(i, ke, src, sc)?;
                            if let Some(t) = v::as_text(&key) {
                                key.kind = NodeKind::Str(t);
                            }
                            key
                        }
                    };
                    entries.push((key, self.expr(i, val.expr(), src, sc)?));
                }
                node(NodeKind::Map(entries), start, end)
            }
            Expression::StringTemplate(t) => self.template(i, t, src, sc, (start, end), true)?,
            Expression::HeredocTemplate(h) => {
                self.template(i, &h.template, src, sc, (start, end), false)?
            }
            Expression::Parenthesis(p) => self.expr(i, p.inner(), src, sc)?,
            Expression::Variable(id) => self.variable(i, id.as_str(), e, src, sc)?,
            Expression::Conditional(c) => {
                let cond = self.expr(i, &c.cond_expr, src, sc)?;
                match v::as_bool(&cond) {
                    Some(true) => self.expr(i, &c.true_expr, src, sc)?,
                    Some(false) => self.expr(i, &c.false_expr, src, sc)?,
                    None => {
                        let (cs, ce) = src.range(&c.cond_expr);
                        let then = self.expr(i, &c.true_expr, src, sc)?;
                        let other = self.expr(i, &c.false_expr, src, sc)?;
                        v::tagged(
                            NodeKind::Seq(vec![
                                v::string(src.text_of(&c.cond_expr), cs, ce),
                                then,
                                other,
                            ]),
                            v::CHOICE,
                            start,
                            end,
                        )
                    }
                }
            }
            Expression::FuncCall(f) => self.call(i, f, src, sc, (start, end))?,
            Expression::Traversal(t) => self.traversal(i, t, src, sc, (start, end))?,
            Expression::UnaryOp(op) => {
                let x = self.expr(i, &op.expr, src, sc)?;
                let unknown = || v::unknown(src.text_of(e), start, end);
                match op.operator.value() {
                    UnaryOperator::Neg => match v::as_number(&x) {
                        Some(n) => v::number(-n, start, end),
                        None if v::is_symbolic(&x) => unknown(),
                        None => return Err(fail("`-` needs a number", start)),
                    },
                    UnaryOperator::Not => match v::as_bool(&x) {
                        Some(b) => v::boolean(!b, start, end),
                        None if v::is_symbolic(&x) => unknown(),
                        None => return Err(fail("`!` needs a bool", start)),
                    },
                }
            }
            Expression::BinaryOp(op) => {
                let a = self.expr(i, &op.lhs_expr, src, sc)?;
                // `false && x` and `true || x` are decided without `x`.
                match (op.operator.value(), v::as_bool(&a)) {
                    (BinaryOperator::And, Some(false)) => return Ok(v::boolean(false, start, end)),
                    (BinaryOperator::Or, Some(true)) => return Ok(v::boolean(true, start, end)),
                    _ => {}
                }
                let b = self.expr(i, &op.rhs_expr, src, sc)?;
                binary(*op.operator.value(), &a, &b, start, end)
                    .unwrap_or_else(|| v::unknown(src.text_of(e), start, end))
            }
            Expression::ForExpr(f) => self.for_expr(i, f, src, sc, (start, end))?,
        })
    }

    /// `for` expressions over a known list or map.
    fn for_expr(
        &self,
        i: usize,
        f: &ForExpr,
        src: Src<'_>,
        sc: &mut Scope,
        (start, end): (usize, usize),
    ) -> R {
        let coll = self.expr(i, &f.intro.collection_expr, src, sc)?;
        let unknown = || v::unknown(src.text_of(f), start, end);
        let Some(pairs) = elements(&coll) else {
            return if v::is_symbolic(&coll) {
                Ok(unknown())
            } else {
                Err(fail("`for` needs a list, set or map", start))
            };
        };
        if !self.burn(pairs.len() as u64, start) {
            return Ok(unknown());
        }
        let key_var = f.intro.key_var.as_ref().map(|k| k.as_str().to_string());
        let value_var = f.intro.value_var.as_str().to_string();
        let mut items = Vec::new();
        let mut entries: Vec<(Node, Node)> = Vec::new();
        for (k, val) in pairs {
            let before = sc.len();
            if let Some(kv) = &key_var {
                sc.push((kv.clone(), k));
            }
            sc.push((value_var.clone(), val));
            let r = self.for_item(i, f, src, sc, &mut items, &mut entries);
            sc.truncate(before);
            if !r? {
                return Ok(unknown());
            }
        }
        Ok(if f.key_expr.is_some() {
            node(NodeKind::Map(entries), start, end)
        } else {
            node(NodeKind::Seq(items), start, end)
        })
    }

    /// One element of a `for` expression; false when its condition or key is unknown.
    fn for_item(
        &self,
        i: usize,
        f: &ForExpr,
        src: Src<'_>,
        sc: &mut Scope,
        items: &mut Vec<Node>,
        entries: &mut Vec<(Node, Node)>,
    ) -> Result<bool, Fail> {
        if let Some(cond) = &f.cond {
            let c = self.expr(i, &cond.expr, src, sc)?;
            match v::as_bool(&c) {
                Some(true) => {}
                Some(false) => return Ok(true),
                None => return Ok(false),
            }
        }
        let value = self.expr(i, &f.value_expr, src, sc)?;
        let Some(key_expr) = &f.key_expr else {
            items.push(value);
            return Ok(true);
        };
        let mut key = self.expr(i, key_expr, src, sc)?;
        let Some(text) = v::as_text(&key) else {
            return Ok(false);
        };
        key.kind = NodeKind::Str(text);
        if f.grouping {
            match entries.iter_mut().find(|(k, _)| k.as_str() == key.as_str()) {
                Some((_, group)) => {
                    if let NodeKind::Seq(list) = &mut group.kind {
                        list.push(value);
                    }
                }
                None => {
                    let (s, e) = (value.start, value.end);
                    entries.push((key, node(NodeKind::Seq(vec![value]), s, e)));
                }
            }
        } else {
            entries.push((key, value));
        }
        Ok(true)
    }

    /// A memoised variable, local or output of an instance.
    pub fn memo(&self, i: usize, key: Key, at: usize, compute: impl FnOnce() -> Node) -> Node {
        let Some(inst) = self.inst(i) else {
            return v::unknown(key.label(), at, at);
        };
        if let Some(found) = inst.memo.borrow().get(&key) {
            let units = v::weight(found, MAX_VALUE_NODES) as u64;
            if !self.burn(units, at) {
                return v::unknown(key.label(), found.start, found.end);
            }
            return found.clone();
        }
        let entry = (i, key.clone());
        let pos = self.stack.borrow().iter().position(|s| *s == entry);
        if let Some(pos) = pos {
            let members: Vec<(usize, Key)> = self.stack.borrow()[pos..].to_vec();
            let names: Vec<String> = members.iter().map(|(_, k)| k.label()).collect();
            for (mi, mk) in &members {
                if let Some(m) = self.inst(*mi) {
                    m.cyclic.borrow_mut().insert(mk.clone());
                }
            }
            self.diag(
                DiagnosticLevel::Warning,
                at,
                format!(
                    "cycle between {}: these values are treated as unknown",
                    names.join(" -> ")
                ),
            );
            return v::unknown(key.label(), at, at);
        }
        self.stack.borrow_mut().push(entry);
        let mut value = compute();
        self.stack.borrow_mut().pop();
        if inst.cyclic.borrow().contains(&key) {
            value = v::unknown(key.label(), value.start, value.end);
        } else if v::weight(&value, MAX_VALUE_NODES) >= MAX_VALUE_NODES {
            self.diag(
                DiagnosticLevel::Warning,
                value.start,
                format!(
                    "{} is too large to evaluate; it is treated as unknown",
                    key.label()
                ),
            );
            value = v::unknown(key.label(), value.start, value.end);
        }
        inst.memo.borrow_mut().insert(key, value.clone());
        value
    }
}

/// `(key, value)` pairs of a known list (keys are indexes) or map.
pub(crate) fn elements(n: &Node) -> Option<Vec<(Node, Node)>> {
    if v::is_symbolic(n) || v::is_json(n) {
        return None;
    }
    match &n.kind {
        NodeKind::Seq(items) => Some(
            items
                .iter()
                .enumerate()
                .map(|(k, item)| (v::number(k as f64, item.start, item.start), item.clone()))
                .collect(),
        ),
        NodeKind::Map(entries) => Some(entries.clone()),
        _ => None,
    }
}

/// Arithmetic, comparison and logic on known values; `None` when not decidable.
fn binary(op: BinaryOperator, a: &Node, b: &Node, start: usize, end: usize) -> Option<Node> {
    use BinaryOperator as B;
    let num =
        |f: fn(f64, f64) -> f64| Some(v::number(f(v::as_number(a)?, v::as_number(b)?), start, end));
    let cmp = |f: fn(f64, f64) -> bool| {
        Some(v::boolean(
            f(v::as_number(a)?, v::as_number(b)?),
            start,
            end,
        ))
    };
    match op {
        B::Plus => num(|x, y| x + y),
        B::Minus => num(|x, y| x - y),
        B::Mul => num(|x, y| x * y),
        B::Div => {
            let y = v::as_number(b)?;
            if y == 0.0 {
                return None;
            }
            Some(v::number(v::as_number(a)? / y, start, end))
        }
        B::Mod => {
            let y = v::as_number(b)?;
            if y == 0.0 {
                return None;
            }
            Some(v::number(v::as_number(a)? % y, start, end))
        }
        B::Less => cmp(|x, y| x < y),
        B::LessEq => cmp(|x, y| x <= y),
        B::Greater => cmp(|x, y| x > y),
        B::GreaterEq => cmp(|x, y| x >= y),
        B::Eq => Some(v::boolean(v::equal(a, b)?, start, end)),
        B::NotEq => Some(v::boolean(!v::equal(a, b)?, start, end)),
        B::And => Some(v::boolean(v::as_bool(a)? && v::as_bool(b)?, start, end)),
        B::Or => Some(v::boolean(v::as_bool(a)? || v::as_bool(b)?, start, end)),
    }
}

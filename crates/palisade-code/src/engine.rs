//! The taint engine: runs a handler's IR abstractly, from the event to sinks.
//!
//! A value is abstract: whether it carries attacker data (and from which trigger and field),
//! and what it is when that matters: a part of the event, an imported module or function, a
//! string constant, an environment variable, an AWS SDK client, an object literal. Branches
//! are run on copies of the variables and merged; loops run twice; calls into the function's
//! own code are analysed with the values passed (memoised, depth-limited), so flows cross
//! functions and files.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::rc::Rc;

use palisade_model::{
    CodeIssue, CodeIssueKind, FlowStep, Language, ResourceName, SdkCall, SinkKind, Span, TaintFlow,
};

use crate::ir::{Arg, Call, Expr, Function, Key, Module, Range, Stmt, Target};
use crate::project::Project;
use crate::sources::{Seg, Source, render_path, source_of};
use crate::spec::{self, ArgSel, Clean, Sink, When};

const MAX_DEPTH: usize = 8;
/// What an lxml parser created with `resolve_entities=False` is.
const SAFE_XML_PARSER: &str = "lxml.etree.XMLParser(resolve_entities=False)";
const MAX_STEPS: usize = 12;
/// Work budget per handler (statements run), so hostile code cannot make analysis hang.
const MAX_WORK: usize = 200_000;

#[derive(Clone, Debug)]
struct Taint {
    trigger: String,
    field: String,
    weakened: bool,
    steps: Vec<FlowStep>,
}

#[derive(Clone, Debug, Default)]
struct Val {
    taint: Option<Rc<Taint>>,
    origin: Origin,
}

#[derive(Clone, Debug, Default)]
enum Origin {
    #[default]
    None,
    /// A part of the handler's event.
    Event(Vec<Seg>),
    /// An external module, function or call result: `subprocess`, `os.system`,
    /// `sqlite3.connect().cursor()`.
    Ext(String),
    /// A string constant.
    Str(Rc<str>),
    /// A string that starts with a constant and continues with data.
    Prefixed(Rc<str>),
    /// `os.environ`, `process.env`.
    EnvObject,
    /// The value of an environment variable.
    Env(String),
    /// A function of the project: (module, function).
    Func(usize, usize),
    /// A module of the project (its top-level names, or its exports).
    LocalModule(usize),
    Object(Rc<BTreeMap<String, Val>>),
    /// An AWS SDK client or resource.
    Sdk(Rc<SdkObject>),
    /// A JavaScript SDK v3 command, waiting for `client.send`.
    Command(Rc<SdkObject>),
    /// An operation of a client, picked by name (`getattr(client, op)`, `client[op]`) or a
    /// paginator (`client.get_paginator("list_objects_v2")`): called later.
    SdkOp(Rc<SdkObject>),
    /// An exception caught by a handler, and text with its trace.
    Exception,
    Trace,
}

#[derive(Clone, Debug)]
struct SdkObject {
    client: String,
    resource_type: Option<String>,
    operation: Option<String>,
    resources: Vec<(String, ResourceName)>,
}

impl Val {
    fn tainted(&self) -> bool {
        self.taint.is_some()
    }
    fn ext(q: impl Into<String>) -> Val {
        Val {
            taint: None,
            origin: Origin::Ext(q.into()),
        }
    }
    fn str_const(&self) -> Option<&str> {
        match &self.origin {
            Origin::Str(s) => Some(s),
            _ => None,
        }
    }
}

fn union(a: &Option<Rc<Taint>>, b: &Option<Rc<Taint>>) -> Option<Rc<Taint>> {
    match (a, b) {
        (Some(x), Some(y)) => {
            // An unweakened flow wins over a vetted one.
            if x.weakened && !y.weakened {
                Some(y.clone())
            } else {
                Some(x.clone())
            }
        }
        (Some(x), None) | (None, Some(x)) => Some(x.clone()),
        (None, None) => None,
    }
}

/// What the analysis of one handler found.
#[derive(Default, Debug)]
pub struct Facts {
    pub flows: Vec<TaintFlow>,
    pub issues: Vec<CodeIssue>,
    pub sdk_calls: Vec<SdkCall>,
    /// The work budget ran out: the results are partial.
    pub truncated: bool,
}

type Vars = HashMap<String, Val>;

struct Frame {
    module: usize,
    vars: Vars,
    /// Names vetted by a pattern check or a schema validation in this function.
    vetted: HashSet<String>,
    /// Names checked against an allow list or a constant: only known values remain.
    cleaned: HashSet<String>,
    ret: Val,
    /// Inside an exception handler.
    in_handler: bool,
}

pub struct Interp<'p> {
    project: &'p Project,
    sources: &'p [Source],
    globals: Vec<Option<Rc<Vars>>>,
    memo: HashMap<String, Val>,
    active: HashSet<String>,
    depth: usize,
    work: usize,
    facts: Facts,
    seen_flows: HashSet<(u32, u32, u32, SinkKind)>,
    seen_calls: HashSet<(u32, u32, u32)>,
}

impl<'p> Interp<'p> {
    pub fn new(project: &'p Project, sources: &'p [Source]) -> Self {
        Interp {
            project,
            sources,
            globals: vec![None; project.modules.len()],
            memo: HashMap::new(),
            active: HashSet::new(),
            depth: 0,
            work: 0,
            facts: Facts::default(),
            seen_flows: HashSet::new(),
            seen_calls: HashSet::new(),
        }
    }

    pub fn finish(self) -> Facts {
        self.facts
    }

    fn span(&self, module: usize, r: Range) -> Span {
        let file = self
            .project
            .modules
            .get(module)
            .map(|m| m.file)
            .unwrap_or_default();
        Span {
            file,
            start: r.start,
            end: r.end,
        }
    }

    fn text(&self, module: usize, r: Range) -> &str {
        self.project
            .modules
            .get(module)
            .and_then(|m| m.text.get(r.start as usize..r.end as usize))
            .unwrap_or("")
    }

    fn ir(&self, module: usize) -> Option<&'p Module> {
        self.project.modules.get(module).map(|m| &m.module)
    }

    fn language(&self, module: usize) -> Language {
        self.project
            .modules
            .get(module)
            .map_or(Language::Python, |m| m.language)
    }

    /// Analyse a handler: `func` of `module`, called with the event as its first argument.
    pub fn run_handler(&mut self, module: usize, func: usize) {
        let event = Val {
            taint: None,
            origin: Origin::Event(Vec::new()),
        };
        let context = Val::default();
        self.call_function(module, func, vec![event, context], Vec::new(), None);
    }

    // ---- module globals ----

    fn globals_of(&mut self, module: usize) -> Rc<Vars> {
        if let Some(Some(g)) = self.globals.get(module) {
            return g.clone();
        }
        // Mark as in progress (cycles between modules see an empty scope).
        if let Some(slot) = self.globals.get_mut(module) {
            *slot = Some(Rc::new(Vars::new()));
        }
        let Some(ir) = self.ir(module) else {
            return Rc::new(Vars::new());
        };
        let mut frame = Frame {
            module,
            vars: Vars::new(),
            vetted: HashSet::new(),
            cleaned: HashSet::new(),
            ret: Val::default(),
            in_handler: false,
        };
        for imp in &ir.imports {
            let v = self.import_value(module, &imp.module, imp.member.as_deref());
            frame.vars.insert(imp.local.clone(), v);
        }
        self.block(&mut frame, &ir.top);
        let vars = Rc::new(frame.vars);
        if let Some(slot) = self.globals.get_mut(module) {
            *slot = Some(vars.clone());
        }
        vars
    }

    fn import_value(&mut self, from: usize, spec: &str, member: Option<&str>) -> Val {
        // `from lib import media` where `lib/media.py` is a module of the package.
        if let Some(name) = member
            && let Some(target) = self
                .project
                .resolve_import(from, &crate::project::submodule(spec, name))
        {
            return Val {
                taint: None,
                origin: Origin::LocalModule(target),
            };
        }
        if let Some(target) = self.project.resolve_import(from, spec) {
            return match member {
                None | Some("*") => Val {
                    taint: None,
                    origin: Origin::LocalModule(target),
                },
                Some(name) => self.module_member(target, name),
            };
        }
        let spec = spec.strip_prefix("node:").unwrap_or(spec);
        match member {
            None | Some("default") | Some("*") => Val::ext(spec),
            Some(name) => Val::ext(format!("{spec}.{name}")),
        }
    }

    /// A name a project module exports (JavaScript) or defines at top level (Python).
    fn module_member(&mut self, module: usize, name: &str) -> Val {
        let Some(ir) = self.ir(module) else {
            return Val::default();
        };
        let globals = self.globals_of(module);
        if !ir.exports.is_empty() {
            if let Some(e) = ir.exports.iter().find(|e| e.name == name) {
                let mut frame = self.module_frame(module);
                return self.expr(&mut frame, &e.value);
            }
            if name == "default" {
                return Val {
                    taint: None,
                    origin: Origin::LocalModule(module),
                };
            }
        }
        globals.get(name).cloned().unwrap_or_default()
    }

    /// A fresh frame in a module: its names are local; the module's globals are looked up
    /// behind them.
    fn module_frame(&self, module: usize) -> Frame {
        Frame {
            module,
            vars: Vars::new(),
            vetted: HashSet::new(),
            cleaned: HashSet::new(),
            ret: Val::default(),
            in_handler: false,
        }
    }

    fn lookup(&mut self, frame: &Frame, name: &str) -> Val {
        if let Some(v) = frame.vars.get(name) {
            return v.clone();
        }
        let globals = self.globals_of(frame.module);
        if let Some(v) = globals.get(name) {
            return v.clone();
        }
        match name {
            "process" => Val::ext("process"),
            _ => Val::ext(name),
        }
    }

    // ---- functions ----

    fn call_function(
        &mut self,
        module: usize,
        func: usize,
        args: Vec<Val>,
        kwargs: Vec<(String, Val)>,
        call_site: Option<(usize, Range)>,
    ) -> Val {
        let Some(f) = self.ir(module).and_then(|m| m.functions.get(func)) else {
            return Val::default();
        };
        let key = memo_key(module, func, &args, &kwargs);
        if let Some(v) = self.memo.get(&key) {
            return v.clone();
        }
        if self.depth >= MAX_DEPTH || self.active.contains(&key) || self.work > MAX_WORK {
            // Unknown result: whatever was passed in may come back.
            let taint = args
                .iter()
                .chain(kwargs.iter().map(|(_, v)| v))
                .fold(None, |t, v| union(&t, &v.taint));
            return Val {
                taint,
                origin: Origin::None,
            };
        }
        self.active.insert(key.clone());
        self.depth += 1;
        // Run the module first: its globals are what the function sees.
        self.globals_of(module);
        let mut frame = self.module_frame(module);
        self.bind_params(&mut frame, f, args, kwargs, call_site);
        self.block(&mut frame, &f.body);
        self.depth -= 1;
        self.active.remove(&key);
        let ret = frame.ret;
        self.memo.insert(key, ret.clone());
        ret
    }

    fn bind_params(
        &mut self,
        frame: &mut Frame,
        f: &'p Function,
        args: Vec<Val>,
        kwargs: Vec<(String, Val)>,
        call_site: Option<(usize, Range)>,
    ) {
        let mut args = args.into_iter();
        for (i, p) in f.params.iter().enumerate() {
            if p.rest {
                let rest: Vec<Val> = args.by_ref().collect();
                let taint = rest.iter().fold(None, |t, v| union(&t, &v.taint));
                self.bind(
                    frame,
                    &p.target,
                    Val {
                        taint,
                        origin: Origin::None,
                    },
                );
                continue;
            }
            let name = match &p.target {
                Target::Name(n, _) => Some(n.as_str()),
                _ => None,
            };
            let by_keyword = name.and_then(|n| kwargs.iter().find(|(k, _)| k == n));
            let mut v = if let Some((_, v)) = by_keyword {
                v.clone()
            } else if let Some(v) = args.next() {
                v
            } else if let Some(d) = &p.default {
                self.expr(frame, d)
            } else {
                Val::default()
            };
            if let (Some(t), Some((m, r))) = (&v.taint, call_site) {
                let note = format!(
                    "passed to `{}` as `{}`",
                    f.name,
                    name.unwrap_or("a parameter")
                );
                v.taint = Some(self.step(t, m, r, note));
            }
            let _ = i;
            self.bind(frame, &p.target, v);
        }
    }

    fn step(&self, t: &Rc<Taint>, module: usize, r: Range, note: String) -> Rc<Taint> {
        if t.steps.len() >= MAX_STEPS {
            return t.clone();
        }
        let mut t2 = (**t).clone();
        t2.steps.push(FlowStep {
            span: self.span(module, r),
            note,
        });
        Rc::new(t2)
    }

    // ---- statements ----

    fn block(&mut self, frame: &mut Frame, stmts: &'p [Stmt]) {
        for s in stmts {
            self.work += 1;
            if self.work > MAX_WORK {
                self.facts.truncated = true;
                return;
            }
            self.stmt(frame, s);
        }
    }

    fn stmt(&mut self, frame: &mut Frame, s: &'p Stmt) {
        match s {
            Stmt::Assign { target, value, .. } => {
                let v = self.expr(frame, value);
                self.bind(frame, target, v);
            }
            Stmt::Expr(e) => {
                self.expr(frame, e);
            }
            Stmt::Return(e, r) => {
                if let Some(e) = e {
                    let v = self.expr(frame, e);
                    self.check_response(frame, &v, *r);
                    frame.ret = merge(&frame.ret, &v);
                }
            }
            Stmt::Raise(e, _) => {
                if let Some(e) = e {
                    self.expr(frame, e);
                }
            }
            Stmt::If {
                cond,
                then,
                otherwise,
                ..
            } => {
                self.expr(frame, cond);
                self.vet_condition(frame, cond);
                let saved = frame.vars.clone();
                self.block(frame, then);
                let after_then = std::mem::replace(&mut frame.vars, saved);
                self.block(frame, otherwise);
                merge_vars(&mut frame.vars, after_then);
            }
            Stmt::Loop {
                target, iter, body, ..
            } => {
                let it = iter.as_ref().map(|e| self.expr(frame, e));
                for _ in 0..2 {
                    if let (Some(t), Some(v)) = (target, &it) {
                        let elem = self.index(v, &Key::Int(0), Seg::Any);
                        self.bind(frame, t, elem);
                    }
                    let saved = frame.vars.clone();
                    self.block(frame, body);
                    merge_vars(&mut frame.vars, saved);
                }
            }
            Stmt::Try {
                body,
                handlers,
                finally,
                ..
            } => {
                self.block(frame, body);
                for h in handlers {
                    let saved = frame.vars.clone();
                    if let Some(name) = &h.caught {
                        frame.vars.insert(
                            name.clone(),
                            Val {
                                taint: None,
                                origin: Origin::Exception,
                            },
                        );
                    }
                    let was = std::mem::replace(&mut frame.in_handler, true);
                    self.block(frame, &h.body);
                    frame.in_handler = was;
                    merge_vars(&mut frame.vars, saved);
                }
                self.block(frame, finally);
            }
            Stmt::Block(b) => self.block(frame, b),
        }
    }

    /// Names a condition checks. Membership in a collection (`x in ALLOWED`,
    /// `ALLOWED.includes(x)`), equality with a constant, a full-match pattern or a digits-only
    /// test leave only known values: the data is clean afterwards. Weaker tests (`re.match`,
    /// `.test`) only vet it.
    fn vet_condition(&mut self, frame: &mut Frame, cond: &Expr) {
        let text = self.text(frame.module, cond.range()).to_string();
        let strict = [
            ".includes(",
            ".has(",
            "fullmatch(",
            "isdigit()",
            "isnumeric()",
            "isdecimal()",
            "==",
            "===",
        ];
        let weak = [
            ".match(",
            "re.match(",
            ".test(",
            "isalnum()",
            "isidentifier()",
            "startswith(",
        ];
        let mut names = Vec::new();
        // Only values compared as a whole, not objects a field of which is compared.
        names_in(cond, Names::Compared, &mut names, 3);
        if let Some((left, _)) = text.split_once(" in ")
            && !left.trim_start().starts_with('"')
            && !left.trim_start().starts_with('\'')
        {
            // `x in ALLOWED`, `x not in ALLOWED`: the names on the left are checked.
            let left = left.trim_end().trim_end_matches(" not");
            frame
                .cleaned
                .extend(names.iter().filter(|n| left.contains(n.as_str())).cloned());
            return;
        }
        if strict.iter().any(|c| text.contains(c)) {
            frame.cleaned.extend(names);
        } else if weak.iter().any(|c| text.contains(c)) {
            frame.vetted.extend(names);
        }
    }

    fn bind(&mut self, frame: &mut Frame, target: &Target, v: Val) {
        match target {
            Target::Name(n, r) => {
                let v = match &v.taint {
                    Some(t) if !n.starts_with('_') || n.len() > 1 => Val {
                        taint: Some(self.step(t, frame.module, *r, format!("assigned to `{n}`"))),
                        origin: v.origin,
                    },
                    _ => v,
                };
                frame.vetted.remove(n);
                frame.cleaned.remove(n);
                frame.vars.insert(n.clone(), v);
            }
            Target::Attr(obj, name, _) => self.bind_field(frame, obj, name, v),
            Target::Index(obj, Key::Str(name), _) => self.bind_field(frame, obj, name, v),
            Target::Index(obj, _, _) => {
                if let Expr::Name(n, _) = obj {
                    let old = self.lookup(frame, n);
                    let merged = Val {
                        taint: union(&old.taint, &v.taint),
                        origin: old.origin,
                    };
                    frame.vars.insert(n.clone(), merged);
                }
            }
            Target::Object(fields, _) => {
                for (key, t) in fields {
                    let part = match key {
                        Some(k) => self.field(&v, k),
                        None => v.clone(),
                    };
                    self.bind(frame, t, part);
                }
            }
            Target::List(items, _) => {
                for t in items {
                    let part = self.index(&v, &Key::Int(0), Seg::Any);
                    self.bind(frame, t, part);
                }
            }
        }
    }

    fn bind_field(&mut self, frame: &mut Frame, obj: &Expr, name: &str, v: Val) {
        let Expr::Name(n, _) = obj else {
            return;
        };
        let old = self.lookup(frame, n);
        let mut fields = match &old.origin {
            Origin::Object(f) => (**f).clone(),
            _ => BTreeMap::new(),
        };
        let taint = union(&old.taint, &v.taint);
        fields.insert(name.to_string(), v);
        frame.vars.insert(
            n.clone(),
            Val {
                taint,
                origin: Origin::Object(Rc::new(fields)),
            },
        );
    }

    // ---- expressions ----

    fn event_val(&self, path: Vec<Seg>) -> Val {
        let taint = source_of(self.sources, &path).map(|s| {
            let field = if path.len() >= s.path.len() && !s.path.is_empty() {
                render_path(&s.path)
            } else {
                render_path(&path)
            };
            Rc::new(Taint {
                trigger: s.trigger.clone(),
                field,
                weakened: false,
                steps: Vec::new(),
            })
        });
        Val {
            taint,
            origin: Origin::Event(path),
        }
    }

    /// `v.name` / `v["name"]`.
    fn field(&mut self, v: &Val, name: &str) -> Val {
        match &v.origin {
            Origin::Event(path) => {
                let mut p = path.clone();
                p.push(Seg::Field(name.to_string()));
                self.event_val(p)
            }
            Origin::Ext(q) => {
                let q2 = format!("{q}.{name}");
                match spec::plain(&q2).as_str() {
                    "os.environ" | "process.env" => Val {
                        taint: None,
                        origin: Origin::EnvObject,
                    },
                    // A field of a call's result carries the result's data.
                    _ => Val {
                        taint: v.taint.clone(),
                        origin: Origin::Ext(q2),
                    },
                }
            }
            Origin::EnvObject => Val {
                taint: None,
                origin: Origin::Env(name.to_string()),
            },
            Origin::LocalModule(m) => self.module_member(*m, name),
            Origin::Object(fields) => fields.get(name).cloned().unwrap_or(Val {
                taint: v.taint.clone(),
                origin: Origin::None,
            }),
            Origin::Exception if matches!(name, "stack" | "stackTrace") => Val {
                taint: None,
                origin: Origin::Trace,
            },
            _ => Val {
                taint: v.taint.clone(),
                origin: Origin::None,
            },
        }
    }

    fn index(&mut self, v: &Val, key: &Key, any: Seg) -> Val {
        match key {
            Key::Str(s) => self.field(v, s),
            _ => match &v.origin {
                Origin::Sdk(obj) => Val {
                    taint: None,
                    origin: Origin::SdkOp(Rc::new(SdkObject {
                        operation: None,
                        ..(**obj).clone()
                    })),
                },
                Origin::Event(path) => {
                    let mut p = path.clone();
                    p.push(any);
                    self.event_val(p)
                }
                _ => Val {
                    taint: v.taint.clone(),
                    origin: Origin::None,
                },
            },
        }
    }

    fn expr(&mut self, frame: &mut Frame, e: &'p Expr) -> Val {
        self.work += 1;
        match e {
            Expr::Name(n, _) => {
                let mut v = self.lookup(frame, n);
                if frame.cleaned.contains(n) {
                    v.taint = None;
                } else if frame.vetted.contains(n) {
                    weaken(&mut v);
                }
                v
            }
            Expr::Attr(obj, name, _) => {
                let o = self.expr(frame, obj);
                self.field(&o, name)
            }
            Expr::Index(obj, key, _) => {
                let o = self.expr(frame, obj);
                if let Key::Dynamic(k) = key {
                    let kv = self.expr(frame, k);
                    if let Some(s) = kv.str_const() {
                        let s = s.to_string();
                        return self.field(&o, &s);
                    }
                }
                self.index(&o, key, Seg::Any)
            }
            Expr::Call(c) => self.call(frame, c),
            Expr::Str(s, _) => Val {
                taint: None,
                origin: Origin::Str(Rc::from(s.as_str())),
            },
            Expr::Const(_) => Val::default(),
            Expr::Concat(parts, _) => {
                let vals: Vec<Val> = parts.iter().map(|p| self.expr(frame, p)).collect();
                concat(&vals)
            }
            Expr::Object(entries, _) => {
                let mut fields = BTreeMap::new();
                let mut taint = None;
                for (k, v) in entries {
                    let val = self.expr(frame, v);
                    taint = union(&taint, &val.taint);
                    match k {
                        Some(k) => {
                            fields.insert(k.clone(), val);
                        }
                        None => {
                            if let Origin::Object(inner) = &val.origin {
                                for (k2, v2) in inner.iter() {
                                    fields.insert(k2.clone(), v2.clone());
                                }
                            }
                        }
                    }
                }
                Val {
                    taint,
                    origin: Origin::Object(Rc::new(fields)),
                }
            }
            Expr::List(items, _) | Expr::Other(items, _) => {
                let mut taint = None;
                for i in items {
                    let v = self.expr(frame, i);
                    taint = union(&taint, &v.taint);
                }
                Val {
                    taint,
                    origin: Origin::None,
                }
            }
            Expr::Choice(items, _) => {
                // `x if x in ALLOWED else "/"`, `ALLOWED.has(x) ? x : "/"`: the branch chosen
                // by an allow-list check sees the value as clean, and the check itself is
                // not the result.
                if let [cond, then, otherwise] = items.as_slice() {
                    let (cleaned, vetted) = (frame.cleaned.clone(), frame.vetted.clone());
                    self.expr(frame, cond);
                    self.vet_condition(frame, cond);
                    if frame.cleaned.len() > cleaned.len() {
                        let t = self.expr(frame, then);
                        frame.cleaned = cleaned;
                        frame.vetted = vetted;
                        let o = self.expr(frame, otherwise);
                        return merge(&t, &o);
                    }
                    frame.cleaned = cleaned;
                    frame.vetted = vetted;
                }
                let mut out = Val::default();
                for i in items {
                    let v = self.expr(frame, i);
                    out = merge(&out, &v);
                }
                out
            }
            Expr::Function(i, _) => Val {
                taint: None,
                origin: Origin::Func(frame.module, *i),
            },
        }
    }

    fn args(&mut self, frame: &mut Frame, args: &'p [Arg]) -> (Vec<Val>, Vec<(String, Val)>) {
        let mut pos = Vec::new();
        let mut kw = Vec::new();
        for a in args {
            let v = self.expr(frame, &a.value);
            match &a.keyword {
                Some(k) => kw.push((k.clone(), v)),
                None => pos.push(v),
            }
        }
        (pos, kw)
    }

    fn call(&mut self, frame: &mut Frame, c: &'p Call) -> Val {
        let (recv, callee_val, method) = match &c.callee {
            Expr::Attr(obj, m, _) => {
                let r = self.expr(frame, obj);
                let f = self.field(&r, m);
                (Some(r), f, Some(m.as_str()))
            }
            other => (None, self.expr(frame, other), None),
        };
        let (args, kwargs) = self.args(frame, &c.args);
        let module = frame.module;

        // An operation picked at run time, or a paginator's `paginate(...)`.
        let picked = match (&callee_val.origin, &recv) {
            (Origin::SdkOp(op), _) => Some(op.clone()),
            (
                _,
                Some(Val {
                    origin: Origin::SdkOp(op),
                    ..
                }),
            ) if method == Some("paginate") => Some(op.clone()),
            _ => None,
        };
        if let Some(op) = picked {
            let mut resources = op.resources.clone();
            for (k, v) in &kwargs {
                resources.push((k.clone(), resource_name(v)));
            }
            resources.extend(resources_of(args.first()));
            self.record_call(
                frame,
                c.range,
                &SdkObject {
                    client: op.client.clone(),
                    resource_type: op.resource_type.clone().filter(|t| !t.is_empty()),
                    operation: op.operation.clone(),
                    resources,
                },
            );
            return Val::default();
        }

        // Calls into the project's own code.
        if let Origin::Func(m, f) = callee_val.origin {
            let mut args = args;
            if let (Some(r), Some(fun)) = (&recv, self.ir(m).and_then(|x| x.functions.get(f)))
                && fun.is_method
                && !matches!(r.origin, Origin::LocalModule(_) | Origin::Object(_))
            {
                args.insert(0, r.clone());
            }
            return self.call_function(m, f, args, kwargs, Some((module, c.range)));
        }

        // Methods of SDK clients and resources.
        if let (Some(r), Some(m)) = (&recv, method) {
            if let Origin::Sdk(obj) = &r.origin {
                return self.sdk_method(frame, obj, m, &args, &kwargs, c.range);
            }
            match &r.origin {
                Origin::Event(_) if m == "get" => {
                    if let Some(k) = args.first().and_then(Val::str_const) {
                        let k = k.to_string();
                        return self.field(r, &k);
                    }
                }
                Origin::EnvObject if m == "get" => {
                    if let Some(k) = args.first().and_then(Val::str_const) {
                        return Val {
                            taint: None,
                            origin: Origin::Env(k.to_string()),
                        };
                    }
                }
                Origin::Exception if matches!(m, "toString") => {
                    return Val {
                        taint: None,
                        origin: Origin::Trace,
                    };
                }
                _ => {}
            }
        }

        let all_taint = args
            .iter()
            .chain(kwargs.iter().map(|(_, v)| v))
            .fold(None, |t, v| union(&t, &v.taint));

        // External functions and methods of library objects.
        let qualified = match &callee_val.origin {
            Origin::Ext(q) => Some(q.clone()),
            _ => None,
        };
        if let Some(q) = &qualified {
            let name = spec::plain(q);
            if let Some(v) = self.known_call(frame, c, &name, q, &args, &kwargs) {
                return v;
            }
            // Sinks.
            let sink = spec::named_sink(&name).or_else(|| {
                method.and_then(|m| {
                    let root = spec::root(q);
                    spec::method_sink(root, m)
                })
            });
            if let Some(s) = sink {
                self.check_sink(frame, c, &name, s, &args, &kwargs);
            }
            if let Some(clean) = spec::sanitizer(&name) {
                return match clean {
                    Clean::Ends => Val::default(),
                    Clean::Weakens => {
                        self.vet_args(frame, c);
                        let mut v = Val {
                            taint: all_taint,
                            origin: Origin::None,
                        };
                        weaken(&mut v);
                        v
                    }
                };
            }
            let origin = Origin::Ext(format!("{q}()"));
            let recv_taint = recv.as_ref().and_then(|r| r.taint.clone());
            return Val {
                taint: union(&all_taint, &recv_taint),
                origin,
            };
        }

        // Methods of values that are neither the project's nor a library's.
        if let (Some(r), Some(m)) = (&recv, method) {
            if let Some(s) = spec::guessed_method_sink(m) {
                let name = format!("{}.{m}", self.text(module, receiver_range(c)));
                self.check_sink(frame, c, &name, s, &args, &kwargs);
            }
            if spec::validating_method(m) && all_taint.is_some() {
                self.vet_args(frame, c);
                let mut v = Val {
                    taint: all_taint,
                    origin: Origin::None,
                };
                weaken(&mut v);
                return v;
            }
            // String and collection methods carry the data through.
            let mut out = Val {
                taint: union(&r.taint, &all_taint),
                origin: Origin::None,
            };
            if let Origin::Str(s) | Origin::Prefixed(s) = &r.origin
                && out.taint.is_some()
            {
                out.origin = Origin::Prefixed(s.clone());
            }
            return out;
        }
        Val {
            taint: all_taint,
            origin: Origin::None,
        }
    }

    /// Mark the names passed to a validator as vetted for the rest of the function.
    fn vet_args(&mut self, frame: &mut Frame, c: &Call) {
        for a in &c.args {
            if let Expr::Name(n, _) = &a.value {
                frame.vetted.insert(n.clone());
            }
        }
    }

    /// Calls the engine models: imports at run time, JSON and env helpers, SDK constructors.
    fn known_call(
        &mut self,
        frame: &mut Frame,
        c: &'p Call,
        name: &str,
        q: &str,
        args: &[Val],
        kwargs: &[(String, Val)],
    ) -> Option<Val> {
        let first_str = args.first().and_then(Val::str_const).map(str::to_string);
        match name {
            "require" => {
                let spec = first_str?;
                return Some(self.import_value(frame.module, &spec, None));
            }
            "os.getenv" | "os.environ.get" => {
                return Some(Val {
                    taint: None,
                    origin: Origin::Env(first_str?),
                });
            }
            "traceback.format_exc"
            | "traceback.format_exception"
            | "traceback.print_exc"
            | "traceback.format_tb" => {
                return Some(Val {
                    taint: None,
                    origin: Origin::Trace,
                });
            }
            "str" | "repr" | "String" | "JSON.stringify" | "json.dumps"
                if args.first().is_some_and(carries_trace) =>
            {
                return Some(Val {
                    taint: None,
                    origin: Origin::Trace,
                });
            }
            "boto3.client"
            | "boto3.session.Session.client"
            | "boto3.Session.client"
            | "aioboto3.client" => {
                return Some(sdk_val(&first_str?, None, Vec::new()));
            }
            "boto3.resource" | "boto3.session.Session.resource" | "boto3.Session.resource" => {
                let mut v = sdk_val(&first_str?, None, Vec::new());
                if let Origin::Sdk(o) = &mut v.origin {
                    Rc::make_mut(o).resource_type = Some(String::new());
                }
                return Some(v);
            }
            "boto3.session.Session" | "boto3.Session" => return Some(Val::ext("boto3")),
            "getattr" => {
                if let Some(Origin::Sdk(obj)) = args.first().map(|a| &a.origin) {
                    let operation = args.get(1).and_then(Val::str_const).map(str::to_string);
                    return Some(Val {
                        taint: None,
                        origin: Origin::SdkOp(Rc::new(SdkObject {
                            operation,
                            ..(**obj).clone()
                        })),
                    });
                }
            }
            "jwt.decode" => {
                self.check_jwt(frame, c, args, kwargs, q);
            }
            "jsonwebtoken.decode" => {
                let span = self.span(frame.module, c.range);
                self.issue(
                    CodeIssueKind::JwtUnverified,
                    span,
                    "`jwt.decode` reads a token without verifying its signature; use `jwt.verify`"
                        .to_string(),
                );
            }
            _ => {}
        }
        if name.starts_with("lxml.etree.XMLParser") {
            let resolves = kwargs.iter().any(|(k, _)| k == "resolve_entities")
                && self.kwarg_true(frame, c, "resolve_entities");
            let no_network = self.kwarg_true(frame, c, "no_network");
            if resolves || (!no_network && kwargs.iter().any(|(k, _)| k == "no_network")) {
                let span = self.span(frame.module, c.range);
                self.issue(
                    CodeIssueKind::XmlEntities,
                    span,
                    "this XML parser resolves external entities".to_string(),
                );
            } else if kwargs.iter().any(|(k, _)| k == "resolve_entities") {
                // `resolve_entities=False`: documents parsed with it are safe.
                return Some(Val::ext(SAFE_XML_PARSER));
            }
        }
        // JavaScript SDK v2: `new AWS.S3()`, `new AWS.DynamoDB.DocumentClient()`.
        if c.is_new
            && let Some(class) = name
                .strip_prefix("aws-sdk.")
                .or_else(|| name.strip_prefix("aws-sdk/global."))
        {
            return Some(sdk_val(class, None, Vec::new()));
        }
        if c.is_new
            && let Some(rest) = name.strip_prefix("aws-sdk/clients/")
        {
            return Some(sdk_val(
                &format!("aws-sdk/clients/{rest}"),
                None,
                Vec::new(),
            ));
        }
        // JavaScript SDK v3.
        if let Some((package, class)) = split_v3(name) {
            if c.is_new && class.ends_with("Command") {
                if let Some(Origin::Object(fields)) = args.first().map(|a| &a.origin) {
                    let params: Vec<(&str, &Val)> =
                        fields.iter().map(|(k, v)| (k.as_str(), v)).collect();
                    self.check_expressions(frame, package, class, &params, c.range);
                }
                let resources = resources_of(args.first());
                return Some(Val {
                    taint: None,
                    origin: Origin::Command(Rc::new(SdkObject {
                        client: package.to_string(),
                        resource_type: None,
                        operation: Some(class.to_string()),
                        resources,
                    })),
                });
            }
            if c.is_new && class == "Upload" {
                let params = args.first().map(|a| self.field(a, "params"));
                let resources = resources_of(params.as_ref());
                self.record_call(
                    frame,
                    c.range,
                    &SdkObject {
                        client: package.to_string(),
                        resource_type: None,
                        operation: Some("Upload".to_string()),
                        resources,
                    },
                );
                return Some(Val::default());
            }
            if c.is_new || class.ends_with(".from") {
                return Some(sdk_val(package, None, Vec::new()));
            }
        }
        None
    }

    fn kwarg_true(&self, frame: &Frame, c: &Call, key: &str) -> bool {
        c.args.iter().any(|a| {
            a.keyword.as_deref() == Some(key)
                && matches!(
                    self.text(frame.module, a.value.range()),
                    "True" | "true" | "1"
                )
        })
    }

    fn check_jwt(
        &mut self,
        frame: &mut Frame,
        c: &Call,
        _args: &[Val],
        _kwargs: &[(String, Val)],
        _q: &str,
    ) {
        let text = self.text(frame.module, c.range);
        let unverified = text.contains("verify_signature\": False")
            || text.contains("verify_signature': False")
            || text.contains("verify=False")
            || text.contains("\"none\"")
            || text.contains("'none'");
        if unverified {
            let span = self.span(frame.module, c.range);
            self.issue(
                CodeIssueKind::JwtUnverified,
                span,
                "`jwt.decode` is told not to verify the token's signature".to_string(),
            );
        }
    }

    fn issue(&mut self, kind: CodeIssueKind, span: Span, message: String) {
        if self
            .facts
            .issues
            .iter()
            .any(|i| i.kind == kind && i.span == span)
        {
            return;
        }
        self.facts.issues.push(CodeIssue {
            kind,
            span,
            message,
        });
    }

    // ---- SDK ----

    fn sdk_method(
        &mut self,
        frame: &mut Frame,
        obj: &Rc<SdkObject>,
        m: &str,
        args: &[Val],
        kwargs: &[(String, Val)],
        range: Range,
    ) -> Val {
        let mut params: Vec<(&str, &Val)> = kwargs.iter().map(|(k, v)| (k.as_str(), v)).collect();
        if let Some(Origin::Object(fields)) = args.first().map(|a| &a.origin) {
            params.extend(fields.iter().map(|(k, v)| (k.as_str(), v)));
        }
        self.check_expressions(frame, &obj.client, m, &params, range);
        // boto3 sub-resources: `dynamodb.Table(name)`, `s3.Bucket(name)`, `s3.Object(b, k)`.
        if obj.resource_type.is_some() && m.starts_with(|ch: char| ch.is_ascii_uppercase()) {
            let mut resources = obj.resources.clone();
            let names: Vec<ResourceName> = args.iter().map(resource_name).collect();
            match (m, names.as_slice()) {
                ("Object" | "ObjectSummary", [b, k, ..]) => {
                    resources.push(("Bucket".to_string(), b.clone()));
                    resources.push(("Key".to_string(), k.clone()));
                }
                (_, [first, ..]) => resources.push((m.to_string(), first.clone())),
                _ => {}
            }
            return sdk_val(&obj.client, Some(m.to_string()), resources);
        }
        match m {
            "meta" | "exceptions" | "get_waiter" | "promise" | "middlewareStack" | "config"
            | "destroy" | "can_paginate" => return Val::default(),
            "send" => {
                if let Some(Origin::Command(cmd)) = args.first().map(|a| &a.origin) {
                    let cmd = cmd.clone();
                    self.record_call(frame, range, &cmd);
                } else {
                    self.record_call(
                        frame,
                        range,
                        &SdkObject {
                            client: obj.client.clone(),
                            resource_type: None,
                            operation: None,
                            resources: Vec::new(),
                        },
                    );
                }
                return Val::default();
            }
            _ => {}
        }
        if m == "get_paginator" {
            return Val {
                taint: None,
                origin: Origin::SdkOp(Rc::new(SdkObject {
                    client: obj.client.clone(),
                    resource_type: obj.resource_type.clone(),
                    operation: args.first().and_then(Val::str_const).map(str::to_string),
                    resources: obj.resources.clone(),
                })),
            };
        }
        let operation = Some(m.to_string());
        let mut resources = obj.resources.clone();
        for (k, v) in kwargs {
            resources.push((k.clone(), resource_name(v)));
        }
        resources.extend(resources_of(args.first()));
        self.record_call(
            frame,
            range,
            &SdkObject {
                client: obj.client.clone(),
                resource_type: obj.resource_type.clone().filter(|t| !t.is_empty()),
                operation,
                resources,
            },
        );
        Val::default()
    }

    fn record_call(&mut self, frame: &Frame, range: Range, obj: &SdkObject) {
        let span = self.span(frame.module, range);
        if !self.seen_calls.insert((span.file.0, span.start, span.end)) {
            return;
        }
        self.facts.sdk_calls.push(SdkCall {
            client: obj.client.clone(),
            resource_type: obj.resource_type.clone().filter(|t| !t.is_empty()),
            operation: obj.operation.clone(),
            language: self.language(frame.module),
            span,
            resources: obj.resources.clone(),
        });
    }

    // ---- sinks ----

    fn check_sink(
        &mut self,
        frame: &mut Frame,
        c: &'p Call,
        name: &str,
        sink: Sink,
        args: &[Val],
        kwargs: &[(String, Val)],
    ) {
        let mut via_shell_program = false;
        match sink.when {
            When::Always => {}
            When::FlagTrue(flag) => {
                // `spawn("sh", ["-c", cmd])` runs a shell without saying `shell: true`.
                let shell_program = flag == "shell"
                    && args.first().and_then(Val::str_const).is_some_and(|p| {
                        let p = p.rsplit('/').next().unwrap_or(p);
                        matches!(
                            p,
                            "sh" | "bash"
                                | "zsh"
                                | "dash"
                                | "cmd"
                                | "cmd.exe"
                                | "powershell"
                                | "pwsh"
                        )
                    });
                via_shell_program = shell_program;
                let in_kwargs = shell_program || self.kwarg_true(frame, c, flag);
                let in_object = args.iter().any(|a| match &a.origin {
                    Origin::Object(fields) => fields.contains_key(flag),
                    _ => false,
                }) && c.args.iter().any(|a| {
                    let t = self.text(frame.module, a.value.range());
                    t.contains(&format!("{flag}: true")) || t.contains(&format!("{flag}:true"))
                });
                if !in_kwargs && !in_object {
                    return;
                }
            }
            When::NoSafeLoader => {
                let text = self.text(frame.module, c.range);
                if text.contains("SafeLoader") || text.contains("BaseLoader") {
                    return;
                }
            }
        }
        let candidates: Vec<&Val> = match sink.arg {
            ArgSel::Any => args.iter().chain(kwargs.iter().map(|(_, v)| v)).collect(),
            ArgSel::First(kw) => {
                let by_kw = kwargs
                    .iter()
                    .filter(|(k, _)| !kw.is_empty() && k == kw)
                    .map(|(_, v)| v);
                args.first().into_iter().chain(by_kw).collect()
            }
        };
        if sink.kind == SinkKind::Log {
            self.check_log(frame, c, name, &candidates);
            return;
        }
        if sink.kind == SinkKind::Xxe
            && args
                .iter()
                .chain(kwargs.iter().map(|(_, v)| v))
                .any(|v| matches!(&v.origin, Origin::Ext(q) if q == SAFE_XML_PARSER))
        {
            return;
        }
        let Some(v) = candidates.into_iter().find(|v| v.tainted()) else {
            return;
        };
        if sink.kind == SinkKind::Ssrf
            && let Origin::Prefixed(p) = &v.origin
            && fixes_host(p)
        {
            return;
        }
        let Some(t) = &v.taint else { return };
        let span = self.span(frame.module, c.range);
        if !self
            .seen_flows
            .insert((span.file.0, span.start, span.end, sink.kind))
        {
            return;
        }
        let written = self.text(frame.module, c.callee.range()).to_string();
        let written = if written.is_empty() || written.len() > 60 {
            name.to_string()
        } else {
            written
        };
        let sink_name = match sink.when {
            When::FlagTrue(_) if via_shell_program => format!("{written}(a shell program)"),
            When::FlagTrue(f) => format!("{written}({f}=true)"),
            _ => written,
        };
        self.facts.flows.push(TaintFlow {
            sink: sink.kind,
            sink_name,
            span,
            trigger: t.trigger.clone(),
            field: t.field.clone(),
            weakened: t.weakened,
            uncertain: sink.uncertain,
            steps: t.steps.clone(),
        });
    }

    /// Logging is a finding for the whole event, its headers, and credentials by name.
    fn check_log(&mut self, frame: &mut Frame, c: &'p Call, name: &str, values: &[&Val]) {
        let mut what = None;
        for (i, v) in values.iter().enumerate() {
            match &v.origin {
                Origin::Event(p) if p.is_empty() => what = Some("the whole event".to_string()),
                Origin::Event(p) if sensitive_event_part(p) => {
                    what = Some(format!("the request's {}", render_path(p)));
                }
                _ => {
                    if let Some(a) = c.args.get(i) {
                        what = self.logged_inside(frame, &a.value);
                    }
                }
            }
            if what.is_some() {
                break;
            }
        }
        let Some(what) = what else { return };
        let span = self.span(frame.module, c.range);
        if !self
            .seen_flows
            .insert((span.file.0, span.start, span.end, SinkKind::Log))
        {
            return;
        }
        let written = self.text(frame.module, c.callee.range());
        let sink_name = if written.is_empty() || written.len() > 60 {
            name.to_string()
        } else {
            written.to_string()
        };
        self.facts.flows.push(TaintFlow {
            sink: SinkKind::Log,
            sink_name,
            span,
            trigger: String::new(),
            field: what,
            weakened: false,
            uncertain: false,
            steps: Vec::new(),
        });
    }

    /// What a logged expression built from other values gives away: the whole event passed
    /// through `JSON.stringify` or an f-string, or a value named like a credential.
    fn logged_inside(&mut self, frame: &Frame, e: &Expr) -> Option<String> {
        let mut whole = Vec::new();
        names_in(e, Names::Whole, &mut whole, 3);
        for n in &whole {
            if let Some(Val {
                origin: Origin::Event(p),
                ..
            }) = frame.vars.get(n)
                && p.is_empty()
            {
                return Some("the whole event".to_string());
            }
        }
        let mut names = Vec::new();
        names_in(e, Names::All, &mut names, 3);
        names
            .iter()
            .find(|n| sensitive_name(n))
            .map(|n| format!("`{n}`"))
    }

    /// Responses: tainted HTML bodies (XSS), tainted `Location` headers (open redirect),
    /// exception traces in the body.
    fn check_response(&mut self, frame: &Frame, v: &Val, r: Range) {
        let Origin::Object(fields) = &v.origin else {
            return;
        };
        let body = fields.get("body");
        let headers = match fields.get("headers").map(|h| &h.origin) {
            Some(Origin::Object(h)) => Some(h.clone()),
            _ => None,
        };
        let header = |name: &str| {
            headers.as_ref().and_then(|h| {
                h.iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(name))
                    .map(|(_, v)| v.clone())
            })
        };
        let span = self.span(frame.module, r);
        if let Some(loc) = header("Location")
            && let Some(t) = &loc.taint
            && !matches!(&loc.origin, Origin::Prefixed(p) if fixes_host(p))
        {
            self.push_flow(SinkKind::OpenRedirect, "Location header", span, t);
        }
        if let Some(b) = body {
            let html_type = header("Content-Type")
                .and_then(|ct| ct.str_const().map(|s| s.to_ascii_lowercase()))
                .is_some_and(|s| s.contains("html"));
            let html_text = matches!(&b.origin, Origin::Prefixed(p) if p.contains('<'));
            if let Some(t) = &b.taint
                && (html_type || html_text)
            {
                self.push_flow(SinkKind::Xss, "HTML response body", span, t);
            }
            if frame.in_handler && matches!(b.origin, Origin::Trace) {
                self.issue(
                    CodeIssueKind::StackTraceInResponse,
                    span,
                    "the response body carries an exception's trace or text".to_string(),
                );
            }
        }
    }

    /// DynamoDB expressions and PartiQL statements written with event data: the caller can
    /// rewrite the condition (`OR attribute_exists(id)`) or the statement.
    fn check_expressions(
        &mut self,
        frame: &Frame,
        client: &str,
        operation: &str,
        params: &[(&str, &Val)],
        range: Range,
    ) {
        if !client.to_ascii_lowercase().contains("dynamodb") {
            return;
        }
        const EXPRESSIONS: &[&str] = &[
            "Statement",
            "FilterExpression",
            "KeyConditionExpression",
            "ConditionExpression",
            "UpdateExpression",
            "ProjectionExpression",
        ];
        for (k, v) in params {
            if !EXPRESSIONS.contains(k) {
                continue;
            }
            // Condition builders (`Key("pk").eq(value)`) bind values as placeholders.
            if matches!(v.origin, Origin::Ext(_)) {
                continue;
            }
            if let Some(t) = &v.taint {
                let span = self.span(frame.module, range);
                self.push_flow(SinkKind::NoSql, &format!("{operation}({k})"), span, t);
            }
        }
    }

    fn push_flow(&mut self, kind: SinkKind, name: &str, span: Span, t: &Rc<Taint>) {
        if !self
            .seen_flows
            .insert((span.file.0, span.start, span.end, kind))
        {
            return;
        }
        self.facts.flows.push(TaintFlow {
            sink: kind,
            sink_name: name.to_string(),
            span,
            trigger: t.trigger.clone(),
            field: t.field.clone(),
            weakened: t.weakened,
            uncertain: false,
            steps: t.steps.clone(),
        });
    }
}

fn sdk_val(
    client: &str,
    resource_type: Option<String>,
    resources: Vec<(String, ResourceName)>,
) -> Val {
    Val {
        taint: None,
        origin: Origin::Sdk(Rc::new(SdkObject {
            client: client.to_string(),
            resource_type,
            operation: None,
            resources,
        })),
    }
}

/// `@aws-sdk/client-s3.PutObjectCommand` → (`@aws-sdk/client-s3`, `PutObjectCommand`).
fn split_v3(name: &str) -> Option<(&str, &str)> {
    if !name.starts_with("@aws-sdk/") {
        return None;
    }
    let slash = name.find('/')?;
    let dot = name.get(slash..)?.find('.')? + slash;
    Some((name.get(..dot)?, name.get(dot + 1..)?))
}

fn resource_name(v: &Val) -> ResourceName {
    match &v.origin {
        Origin::Str(s) => ResourceName::Literal(s.to_string()),
        Origin::Env(e) => ResourceName::Env(e.clone()),
        _ => ResourceName::Unknown,
    }
}

/// Resource parameters of an SDK request object: every key whose value is a name.
fn resources_of(v: Option<&Val>) -> Vec<(String, ResourceName)> {
    let Some(Origin::Object(fields)) = v.map(|v| &v.origin) else {
        return Vec::new();
    };
    fields
        .iter()
        .filter(|(k, _)| k.starts_with(|c: char| c.is_ascii_uppercase()))
        .map(|(k, v)| (k.clone(), resource_name(v)))
        .filter(|(k, r)| !matches!(r, ResourceName::Unknown) || is_resource_param(k))
        .collect()
}

fn is_resource_param(k: &str) -> bool {
    matches!(
        k,
        "Bucket"
            | "Key"
            | "TableName"
            | "QueueUrl"
            | "TopicArn"
            | "SecretId"
            | "Name"
            | "FunctionName"
            | "StreamName"
            | "StateMachineArn"
            | "KeyId"
            | "IndexName"
            | "VersionId"
    )
}

/// An exception, its trace, or an object or string holding one.
fn carries_trace(v: &Val) -> bool {
    match &v.origin {
        Origin::Exception | Origin::Trace => true,
        Origin::Object(fields) => fields.values().any(carries_trace),
        _ => false,
    }
}

fn weaken(v: &mut Val) {
    if let Some(t) = &v.taint
        && !t.weakened
    {
        let mut t2 = (**t).clone();
        t2.weakened = true;
        v.taint = Some(Rc::new(t2));
    }
}

fn merge(a: &Val, b: &Val) -> Val {
    let origin = match (&a.origin, &b.origin) {
        (Origin::None, o) => o.clone(),
        (o, _) => o.clone(),
    };
    Val {
        taint: union(&a.taint, &b.taint),
        origin,
    }
}

fn merge_vars(into: &mut Vars, other: Vars) {
    for (k, v) in other {
        match into.get_mut(&k) {
            Some(cur) => *cur = merge(cur, &v),
            None => {
                into.insert(k, v);
            }
        }
    }
}

fn concat(vals: &[Val]) -> Val {
    let taint = vals.iter().fold(None, |t, v| union(&t, &v.taint));
    let all_const: Option<String> = vals
        .iter()
        .map(|v| v.str_const().map(str::to_string))
        .collect::<Option<Vec<_>>>()
        .map(|parts| parts.concat());
    if vals.iter().any(|v| matches!(v.origin, Origin::Trace)) {
        return Val {
            taint,
            origin: Origin::Trace,
        };
    }
    let origin = match (all_const, vals.first().map(|v| &v.origin)) {
        (Some(s), _) => Origin::Str(Rc::from(s.as_str())),
        (None, Some(Origin::Str(p) | Origin::Prefixed(p))) => Origin::Prefixed(p.clone()),
        _ => Origin::None,
    };
    Val { taint, origin }
}

/// A URL prefix that already fixes scheme and host (`https://api.example.com/`): what
/// follows cannot send the request elsewhere.
fn fixes_host(prefix: &str) -> bool {
    let Some(rest) = prefix
        .strip_prefix("https://")
        .or_else(|| prefix.strip_prefix("http://"))
    else {
        return false;
    };
    rest.find(['/', '?', '#']).is_some_and(|i| i > 0)
}

/// All the request's headers or cookies, or a credential among them.
fn sensitive_event_part(p: &[Seg]) -> bool {
    let whole = matches!(p.last(), Some(Seg::Field(f))
        if ["headers", "multiValueHeaders", "cookies"].contains(&f.as_str()));
    whole || p.iter().any(|s| {
        matches!(s, Seg::Field(f) if ["authorization", "cookie", "x-api-key", "proxy-authorization"]
                .iter()
                .any(|c| f.eq_ignore_ascii_case(c)))
    })
}

fn sensitive_name(n: &str) -> bool {
    let l = n.to_ascii_lowercase();
    [
        "password",
        "passwd",
        "secret",
        "token",
        "authorization",
        "api_key",
        "apikey",
        "credential",
    ]
    .iter()
    .any(|s| l.contains(s))
}

/// Which names of an expression [`names_in`] collects.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Names {
    /// Every name, attribute and literal key it mentions.
    All,
    /// Names whose whole value it passes on (`x`, `JSON.stringify(x)`, `f"{x}"`), not the
    /// objects it only reads a field of (`x.path`) or the shape of (`Object.keys(x)`).
    Whole,
    /// Names a condition tests as a whole: operands, and the arguments (or, without
    /// arguments, the receiver) of the calls that test them (`ALLOWED.includes(x)`,
    /// `x.isdigit()`).
    Compared,
}

fn names_in(e: &Expr, mode: Names, out: &mut Vec<String>, depth: usize) {
    if depth == 0 {
        return;
    }
    let inner = |x: &Expr, out: &mut Vec<String>| names_in(x, mode, out, depth - 1);
    match e {
        Expr::Name(n, _) => out.push(n.clone()),
        Expr::Attr(o, name, _) if mode == Names::All => {
            out.push(name.clone());
            inner(o, out);
        }
        Expr::Index(o, k, _) if mode == Names::All => {
            if let Key::Str(s) = k {
                out.push(s.clone());
            }
            inner(o, out);
        }
        Expr::Call(c) => {
            if mode == Names::Whole && !serialises(&c.callee) {
                return;
            }
            for a in &c.args {
                inner(&a.value, out);
            }
            let receiver_counts = match mode {
                Names::All => true,
                Names::Compared => c.args.is_empty(),
                Names::Whole => false,
            };
            if receiver_counts && let Expr::Attr(o, _, _) = &c.callee {
                inner(o, out);
            }
        }
        Expr::Other(p, _) | Expr::Choice(p, _) => {
            for x in p {
                inner(x, out);
            }
        }
        Expr::Concat(p, _) | Expr::List(p, _) if mode != Names::Compared => {
            for x in p {
                inner(x, out);
            }
        }
        Expr::Object(entries, _) if mode != Names::Compared => {
            for (_, v) in entries {
                inner(v, out);
            }
        }
        _ => {}
    }
}

/// Calls that turn their argument into text as a whole.
fn serialises(callee: &Expr) -> bool {
    let name = match callee {
        Expr::Name(n, _) => n.as_str(),
        Expr::Attr(_, m, _) => m.as_str(),
        _ => return false,
    };
    matches!(
        name,
        "stringify" | "dumps" | "str" | "String" | "repr" | "inspect" | "format" | "pformat"
    )
}

fn receiver_range(c: &Call) -> Range {
    match &c.callee {
        Expr::Attr(o, _, _) => o.range(),
        other => other.range(),
    }
}

fn memo_key(module: usize, func: usize, args: &[Val], kwargs: &[(String, Val)]) -> String {
    use std::fmt::Write;
    let mut k = format!("{module}:{func}");
    for v in args.iter().chain(kwargs.iter().map(|(_, v)| v)) {
        let t = match &v.taint {
            Some(t) if t.weakened => "w",
            Some(_) => "t",
            None => "-",
        };
        let o = match &v.origin {
            Origin::None => String::new(),
            Origin::Event(p) => render_path(p),
            Origin::Ext(q) => q.clone(),
            Origin::Str(s) | Origin::Prefixed(s) => format!("'{s}"),
            Origin::Env(e) => format!("${e}"),
            Origin::Func(m, f) => format!("f{m}.{f}"),
            Origin::LocalModule(m) => format!("m{m}"),
            Origin::Sdk(o) | Origin::Command(o) | Origin::SdkOp(o) => format!("sdk:{}", o.client),
            other => format!("{:?}", std::mem::discriminant(other)),
        };
        let _ = write!(k, "|{t}{o}");
    }
    k
}

//! A small, language-neutral form of handler code: what the taint engine needs and no more.
//!
//! Each language's lowering (`lower::python`, `lower::javascript`) turns a tree-sitter tree into
//! a [`Module`]. The engine never sees a syntax tree, so sources, sinks, propagation and SDK
//! calls are written once for every language. Ranges are byte offsets in the module's file.

/// A byte range `[start, end)` in the module's file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Range {
    pub start: u32,
    pub end: u32,
}

impl Range {
    pub fn new(start: usize, end: usize) -> Self {
        let clamp = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        Range {
            start: clamp(start),
            end: clamp(end.max(start)),
        }
    }
}

/// The key of an index expression `a[k]`.
#[derive(Clone, Debug, PartialEq)]
pub enum Key {
    /// A literal string key: `a["body"]`.
    Str(String),
    /// A literal integer index: `a[0]`.
    Int(i64),
    /// Anything else: `a[i]`, `a[k + 1]`.
    Dynamic(Box<Expr>),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    /// A variable, parameter, builtin or imported name: `event`, `os`, `eval`, `require`.
    Name(String, Range),
    /// `object.attribute` (also `object?.attribute`).
    Attr(Box<Expr>, String, Range),
    /// `object[key]` (also `object?.[key]`).
    Index(Box<Expr>, Key, Range),
    /// A call, or a construction (`new X(...)` in JavaScript).
    Call(Box<Call>),
    /// A string literal without interpolation, its value unescaped as far as is easy.
    Str(String, Range),
    /// A literal that carries no attacker data: number, boolean, `None`, `null`, `undefined`,
    /// a regular expression.
    Const(Range),
    /// A string built from parts: `+` on strings, f-strings, template literals, `%` formatting.
    /// (`"...".format(x)` and `"...".join(x)` stay calls; the engine knows them.)
    Concat(Vec<Expr>, Range),
    /// A dict or object literal. The key is `Some` when it is a literal name or string; a
    /// spread (`...x`, `**x`) has key `None`.
    Object(Vec<(Option<String>, Expr)>, Range),
    /// A list, tuple, set or array literal (a spread element is just its expression).
    List(Vec<Expr>, Range),
    /// A lambda, arrow function or function expression: an index into [`Module::functions`].
    Function(usize, Range),
    /// `cond ? a : b`, `a if cond else b`, `a or b`, `a ?? b`, `a || b`: the value is one of
    /// the branches (the condition is listed first so that its calls are still seen).
    Choice(Vec<Expr>, Range),
    /// Anything else. Its value depends on all the listed parts: arithmetic, comparisons,
    /// `await x` (just `x`), `not x`, comprehensions (their element and source), spread.
    Other(Vec<Expr>, Range),
}

impl Expr {
    pub fn range(&self) -> Range {
        match self {
            Expr::Name(_, r)
            | Expr::Attr(_, _, r)
            | Expr::Index(_, _, r)
            | Expr::Str(_, r)
            | Expr::Const(r)
            | Expr::Concat(_, r)
            | Expr::Object(_, r)
            | Expr::List(_, r)
            | Expr::Function(_, r)
            | Expr::Choice(_, r)
            | Expr::Other(_, r) => *r,
            Expr::Call(c) => c.range,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Call {
    /// What is called: `Name("eval")`, `Attr(Name("os"), "system")`, `Attr(x, "execute")`.
    pub callee: Expr,
    pub args: Vec<Arg>,
    /// `new X(...)` in JavaScript.
    pub is_new: bool,
    pub range: Range,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Arg {
    /// The keyword of a Python keyword argument (`shell=True` → `Some("shell")`).
    pub keyword: Option<String>,
    pub value: Expr,
    /// `*args`, `**kwargs`, `...args`.
    pub spread: bool,
}

/// Where an assignment puts its value.
#[derive(Clone, Debug, PartialEq)]
pub enum Target {
    Name(String, Range),
    /// `object.attribute = …`
    Attr(Expr, String, Range),
    /// `object[key] = …`
    Index(Expr, Key, Range),
    /// Destructuring by key: `{ body, headers: h } = event` → `[("body", Name body), ("headers", Name h)]`.
    /// A rest element (`...rest`) has key `None`.
    Object(Vec<(Option<String>, Target)>, Range),
    /// Destructuring by position: `a, b = x`, `[a, b] = x`. A rest/starred element is included
    /// as its target.
    List(Vec<Target>, Range),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Stmt {
    /// `target = value`. Augmented assignment (`x += y`) is lowered as
    /// `x = Concat([x, y])` (or `Other` for non-string operators). Declarations without a
    /// value are left out. `with open(p) as f:` becomes `f = open(p)` followed by the body.
    Assign {
        target: Target,
        value: Expr,
        range: Range,
    },
    /// An expression evaluated for its effect (a call, mostly).
    Expr(Expr),
    Return(Option<Expr>, Range),
    /// `raise x` / `throw x`.
    Raise(Option<Expr>, Range),
    If {
        cond: Expr,
        then: Vec<Stmt>,
        otherwise: Vec<Stmt>,
        range: Range,
    },
    /// `for target in iter`, `for (const target of iter)`, `for (k in obj)`, `while cond`
    /// (no target, `iter` is the condition). The engine runs the body until nothing changes.
    Loop {
        target: Option<Target>,
        iter: Option<Expr>,
        body: Vec<Stmt>,
        range: Range,
    },
    /// `try` / `except` / `catch` / `finally`. `caught` names the exception variable of a
    /// handler (`except E as e`, `catch (e)`) for the rule about stack traces in responses.
    Try {
        body: Vec<Stmt>,
        handlers: Vec<Handler>,
        finally: Vec<Stmt>,
        range: Range,
    },
    /// Any other block whose statements run in order (`with`, labelled blocks, `switch` cases).
    Block(Vec<Stmt>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Handler {
    pub caught: Option<String>,
    pub body: Vec<Stmt>,
    pub range: Range,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    /// The parameter as an assignment target: a name, or a destructuring pattern
    /// (`({ body }) => …`).
    pub target: Target,
    pub default: Option<Expr>,
    /// `*args`, `**kwargs`, `...rest`.
    pub rest: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Function {
    /// The name the module binds it to: `handler`, `Service.handle` for a method, `<lambda>`
    /// for an anonymous function.
    pub name: String,
    pub params: Vec<Param>,
    pub body: Vec<Stmt>,
    pub range: Range,
    /// For a method: whether its first parameter is the instance (`self`/`cls`); JavaScript
    /// methods have no such parameter.
    pub is_method: bool,
}

/// One import binding: `import os` → `{local: "os", module: "os", member: None}`;
/// `from subprocess import run as r` → `{local: "r", module: "subprocess", member: Some("run")}`;
/// `import { exec } from "child_process"` → `{local: "exec", module: "child_process", member:
/// Some("exec")}`; `import cp from "child_process"` → member `Some("default")`;
/// `import * as cp from "child_process"` → member `None`. Relative modules keep their dots
/// (`.utils`, `./lib/db`). `require(...)` calls are not imports: they stay calls, and the
/// engine knows `require`.
#[derive(Clone, Debug, PartialEq)]
pub struct Import {
    pub local: String,
    pub module: String,
    pub member: Option<String>,
    pub range: Range,
}

/// What a module exports under a name (JavaScript): `exports.handler = fn`,
/// `module.exports = { handler }`, `export const handler = …`, `export default …`,
/// `export { a as b }`. Python modules export every top-level name, so Python lowering leaves
/// this empty.
#[derive(Clone, Debug, PartialEq)]
pub struct Export {
    pub name: String,
    pub value: Expr,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Module {
    pub imports: Vec<Import>,
    /// Every function of the module, nested ones and lambdas included. Top-level
    /// `def f` / `function f` / `const f = () => …` are also bound by an assignment
    /// `f = Function(i)` in [`Module::top`], so names resolve like any other variable.
    pub functions: Vec<Function>,
    /// The module's top-level statements, in order (imports excluded).
    pub top: Vec<Stmt>,
    pub exports: Vec<Export>,
    /// Syntax errors tree-sitter recovered from: their ranges, for a diagnostic.
    pub errors: Vec<Range>,
}

//! The IR rendered as compact text without ranges, shared by the lowering tests, so that each
//! test reads like the code it lowers. The shape is the same for every language; only a few
//! spellings (`*` or `...`, `raise` or `throw`) follow the language, so that the expected text
//! looks like its source.

use palisade_code::ir::{Expr, Function, Key, Param, Range, Stmt, Target};

/// The spellings that differ between languages.
pub struct Syntax {
    /// Before a spread argument and a rest parameter.
    spread: &'static str,
    /// Before an object entry without a key.
    spread_entry: &'static str,
    /// Around a list target.
    list_target: (&'static str, &'static str),
    raise: &'static str,
    catch: &'static str,
    function: &'static str,
}

#[allow(
    dead_code,
    reason = "each test crate includes this module and uses one language's syntax"
)]
impl Syntax {
    pub const PYTHON: Syntax = Syntax {
        spread: "*",
        spread_entry: "**",
        list_target: ("(", ")"),
        raise: "raise",
        catch: "except",
        function: "def",
    };

    pub const JAVASCRIPT: Syntax = Syntax {
        spread: "...",
        spread_entry: "...",
        list_target: ("[", "]"),
        raise: "throw",
        catch: "catch",
        function: "function",
    };
}

impl Syntax {
    pub fn expr(&self, e: &Expr) -> String {
        match e {
            Expr::Name(n, _) => n.clone(),
            Expr::Attr(o, a, _) => format!("{}.{a}", self.expr(o)),
            Expr::Index(o, k, _) => format!("{}[{}]", self.expr(o), self.key(k)),
            Expr::Call(c) => {
                let args: Vec<String> = c
                    .args
                    .iter()
                    .map(|a| {
                        let spread = if a.spread { self.spread } else { "" };
                        match &a.keyword {
                            Some(k) => format!("{k}={spread}{}", self.expr(&a.value)),
                            None => format!("{spread}{}", self.expr(&a.value)),
                        }
                    })
                    .collect();
                let new = if c.is_new { "new " } else { "" };
                format!("{new}{}({})", self.expr(&c.callee), args.join(", "))
            }
            Expr::Str(s, _) => format!("{s:?}"),
            Expr::Const(_) => "const".to_string(),
            Expr::Concat(parts, _) => format!("concat({})", self.list(parts)),
            Expr::Object(entries, _) => {
                let entries: Vec<String> = entries
                    .iter()
                    .map(|(k, v)| match k {
                        Some(k) => format!("{k}: {}", self.expr(v)),
                        None => format!("{}{}", self.spread_entry, self.expr(v)),
                    })
                    .collect();
                format!("{{{}}}", entries.join(", "))
            }
            Expr::List(items, _) => format!("[{}]", self.list(items)),
            Expr::Function(i, _) => format!("fn#{i}"),
            Expr::Choice(parts, _) => format!("choice({})", self.list(parts)),
            Expr::Other(parts, _) => format!("other({})", self.list(parts)),
        }
    }

    fn list(&self, items: &[Expr]) -> String {
        items
            .iter()
            .map(|e| self.expr(e))
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn key(&self, k: &Key) -> String {
        match k {
            Key::Str(s) => format!("{s:?}"),
            Key::Int(n) => n.to_string(),
            Key::Dynamic(e) => format!("<{}>", self.expr(e)),
        }
    }

    pub fn target(&self, t: &Target) -> String {
        match t {
            Target::Name(n, _) => n.clone(),
            Target::Attr(o, a, _) => format!("{}.{a}", self.expr(o)),
            Target::Index(o, k, _) => format!("{}[{}]", self.expr(o), self.key(k)),
            Target::Object(entries, _) => {
                let entries: Vec<String> = entries
                    .iter()
                    .map(|(k, t)| format!("{}: {}", k.as_deref().unwrap_or("..."), self.target(t)))
                    .collect();
                format!("{{{}}}", entries.join(", "))
            }
            Target::List(items, _) => {
                let items: Vec<String> = items.iter().map(|t| self.target(t)).collect();
                let (open, close) = self.list_target;
                format!("{open}{}{close}", items.join(", "))
            }
        }
    }

    fn stmts(&self, body: &[Stmt], indent: usize, out: &mut String) {
        let pad = "  ".repeat(indent);
        for s in body {
            match s {
                Stmt::Assign {
                    target: t, value, ..
                } => {
                    out.push_str(&format!("{pad}{} = {}\n", self.target(t), self.expr(value)));
                }
                Stmt::Expr(e) => out.push_str(&format!("{pad}{}\n", self.expr(e))),
                Stmt::Return(e, _) => {
                    let e = e.as_ref().map(|e| self.expr(e)).unwrap_or_default();
                    out.push_str(&format!("{pad}return {e}\n"));
                }
                Stmt::Raise(e, _) => {
                    let e = e.as_ref().map(|e| self.expr(e)).unwrap_or_default();
                    out.push_str(&format!("{pad}{} {e}\n", self.raise));
                }
                Stmt::If {
                    cond,
                    then,
                    otherwise,
                    ..
                } => {
                    out.push_str(&format!("{pad}if {}:\n", self.expr(cond)));
                    self.stmts(then, indent + 1, out);
                    if !otherwise.is_empty() {
                        out.push_str(&format!("{pad}else:\n"));
                        self.stmts(otherwise, indent + 1, out);
                    }
                }
                Stmt::Loop {
                    target: t,
                    iter,
                    body,
                    ..
                } => {
                    let t = t.as_ref().map(|t| self.target(t)).unwrap_or_default();
                    let iter = iter.as_ref().map(|e| self.expr(e)).unwrap_or_default();
                    out.push_str(&format!("{pad}loop {t} in {iter}:\n"));
                    self.stmts(body, indent + 1, out);
                }
                Stmt::Try {
                    body,
                    handlers,
                    finally,
                    ..
                } => {
                    out.push_str(&format!("{pad}try:\n"));
                    self.stmts(body, indent + 1, out);
                    for h in handlers {
                        let caught = h.caught.as_deref().unwrap_or("_");
                        out.push_str(&format!("{pad}{} {caught}:\n", self.catch));
                        self.stmts(&h.body, indent + 1, out);
                    }
                    if !finally.is_empty() {
                        out.push_str(&format!("{pad}finally:\n"));
                        self.stmts(finally, indent + 1, out);
                    }
                }
                Stmt::Block(body) => {
                    out.push_str(&format!("{pad}block:\n"));
                    self.stmts(body, indent + 1, out);
                }
            }
        }
    }

    /// Statements, one a line, nested bodies indented.
    pub fn render(&self, body: &[Stmt]) -> String {
        let mut out = String::new();
        self.stmts(body, 0, &mut out);
        out
    }

    fn param(&self, p: &Param) -> String {
        let rest = if p.rest { self.spread } else { "" };
        match &p.default {
            Some(d) => format!("{rest}{}={}", self.target(&p.target), self.expr(d)),
            None => format!("{rest}{}", self.target(&p.target)),
        }
    }

    /// `def name(params) [method]:` (`function` in JavaScript) then the body, indented.
    pub fn function(&self, f: &Function) -> String {
        let params: Vec<String> = f.params.iter().map(|p| self.param(p)).collect();
        let method = if f.is_method { " [method]" } else { "" };
        let mut out = format!(
            "{} {}({}){method}:\n",
            self.function,
            f.name,
            params.join(", ")
        );
        self.stmts(&f.body, 1, &mut out);
        out
    }
}

/// The source text a range covers.
pub fn text(src: &str, range: Range) -> &str {
    &src[range.start as usize..range.end as usize]
}

//! Python (tree-sitter-python) to IR.
//!
//! The lowering walks the tree by node children, recursively but never deeper than
//! [`MAX_DEPTH`] statements and expressions: a deeper expression becomes an empty
//! [`Expr::Other`] and deeper statements are left out, so hostile input (10,000 nested
//! parentheses) neither overflows the stack here nor builds an IR too deep for the engine.
//! Syntax errors are collected by a separate iterative walk, at any depth.
//!
//! Choices the IR leaves open, made here:
//! - `import a.b.c` binds `a` to module `a` (what Python binds); `import a.b as c` binds `c` to
//!   module `a.b`. `from m import *` has local and member `*`. Imports inside functions go to
//!   [`Module::imports`] too.
//! - A class `C` becomes `C = Object([("m", Function(i)), ("attr", value), ...])` with its
//!   methods named `C.m`; other statements of the class body come just before that assignment.
//! - A decorator `@d` on a definition becomes `Expr(Call(d, [Function(i)]))` (or the class's
//!   name for a class), before the definition's own assignment.
//! - `a = b = x` becomes `a = x; b = a`: the value goes to the first plain name among the
//!   targets (so the calls in `x` are seen once) and the other targets read it; without a
//!   plain name each target gets `x`.
//! - A walrus `(y := x)` becomes `y = x` just before the statement that holds it, and the
//!   expression itself is `Name("y")`.
//! - `else` of `try` runs after the `try` body and is appended to it; `else` of `for` and
//!   `while` follows the loop. A `match` is `Expr(subject)` then a `Block` of the guards and
//!   case bodies in order.
//! - A dict key that is not a plain string literal gives the key `None`.
//! - Expression statements that are only a literal (docstrings) are left out.

use std::borrow::Cow;

use tree_sitter::Node;

use crate::ir::{
    Arg, Call, Expr, Function, Handler, Import, Key, Module, Param, Range, Stmt, Target,
};
use crate::lower::tree::{self, fields, range, syntax_errors};
use crate::lower::{ParseError, bind};

/// How many statements and expressions deep the lowering goes. Each level costs a few stack
/// frames: at this depth a debug build uses at most about 768 KiB of stack (measured on nested
/// calls, f-strings, `if`s and `def`s), well within a 2 MiB thread stack.
const MAX_DEPTH: usize = 200;

/// How wide a run of indentation tree-sitter gets to see, in the scanner's columns (a tab
/// counts 8). tree-sitter-python 0.25's scanner saves its state as one byte per open string
/// and two per indentation level in a 1,024-byte buffer; past about 500 levels it writes one
/// byte too many and tree-sitter aborts the process. Each level is at least one column wider,
/// so this bound keeps the state within 2 + 255 + 2 × 256 bytes. (Python allows 100 levels.)
const MAX_INDENT_WIDTH: u32 = 256;

/// How many `elif`s of one chain nest as `If` in `otherwise`; the rest follow flat.
const ELIF_NESTING: usize = 32;

/// Parse Python source and lower it to the IR.
pub fn lower(text: &str) -> Result<Module, ParseError> {
    let parsed = tree::parse(
        scanner_safe(text).as_bytes(),
        &tree_sitter_python::LANGUAGE.into(),
    )?;
    let root = parsed.root_node();

    let mut lowerer = Lowerer {
        src: text,
        imports: Vec::new(),
        functions: Vec::new(),
        pending: Vec::new(),
        class: None,
    };
    let mut top = Vec::new();
    lowerer.block(root, 0, &mut top);

    Ok(Module {
        imports: lowerer.imports,
        functions: lowerer.functions,
        top,
        exports: Vec::new(),
        errors: syntax_errors(root),
    })
}

/// The text tree-sitter parses: `text` itself or, when a run of indentation is wider than
/// [`MAX_INDENT_WIDTH`], a copy in which the space or tab that crosses it is a form feed,
/// which resets the scanner's count. Byte offsets are unchanged, and names and strings are
/// read from `text`.
///
/// The width is counted as the scanner counts it (spaces and tabs add, a backslash-continued
/// line break does not reset) but reset only where the scanner certainly resets too, so it
/// never falls below the scanner's.
fn scanner_safe(text: &str) -> Cow<'_, str> {
    let mut copy: Option<Vec<u8>> = None;
    let mut width: u32 = 0;
    let mut continued = false;
    for (at, byte) in text.bytes().enumerate() {
        match byte {
            b' ' | b'\t' => {
                width += if byte == b'\t' { 8 } else { 1 };
                continued = false;
                if width > MAX_INDENT_WIDTH {
                    let copy = copy.get_or_insert_with(|| text.as_bytes().to_vec());
                    if let Some(slot) = copy.get_mut(at) {
                        *slot = b'\x0c';
                    }
                    width = 0;
                }
            }
            b'\\' => continued = true,
            // `\` CR LF continues the line too.
            b'\r' if continued => {}
            b'\n' if continued => continued = false,
            _ => {
                width = 0;
                continued = false;
            }
        }
    }
    match copy {
        // Only ASCII bytes were replaced by ASCII bytes: still UTF-8.
        Some(copy) => String::from_utf8(copy).map_or(Cow::Borrowed(text), Cow::Owned),
        None => Cow::Borrowed(text),
    }
}

struct Lowerer<'s> {
    src: &'s str,
    imports: Vec<Import>,
    functions: Vec<Function>,
    /// Assignments made by walrus expressions of the statement being lowered; they are emitted
    /// just before it.
    pending: Vec<Stmt>,
    /// The qualified name of the class whose body is being lowered (`Outer.Inner`), if the
    /// statements are directly in a class body.
    class: Option<String>,
}

fn is_extra_kind(node: Node) -> bool {
    matches!(node.kind(), "comment" | "line_continuation")
}

/// The named children of a node, comments left out.
fn named(node: Node<'_>) -> Vec<Node<'_>> {
    let mut cursor = node.walk();
    node.named_children(&mut cursor)
        .filter(|child| !is_extra_kind(*child))
        .collect()
}

/// The named children of a node that no field names, comments left out.
fn unfielded(node: Node<'_>) -> Vec<Node<'_>> {
    let mut out = Vec::new();
    let mut cursor = node.walk();
    if cursor.goto_first_child() {
        loop {
            let child = cursor.node();
            if child.is_named() && cursor.field_name().is_none() && !is_extra_kind(child) {
                out.push(child);
            }
            if !cursor.goto_next_sibling() {
                break;
            }
        }
    }
    out
}

fn is_statement_kind(kind: &str) -> bool {
    kind.ends_with("_statement") || kind.ends_with("_definition")
}

/// A Python integer literal (`10`, `0x1f`, `1_000`, Python 2's `10L`).
fn parse_int(text: &str) -> Option<i64> {
    let digits: String = text
        .chars()
        .filter(|c| *c != '_')
        .collect::<String>()
        .trim_end_matches(['l', 'L'])
        .to_ascii_lowercase();
    let (radix, body) = if let Some(rest) = digits.strip_prefix("0x") {
        (16, rest)
    } else if let Some(rest) = digits.strip_prefix("0o") {
        (8, rest)
    } else if let Some(rest) = digits.strip_prefix("0b") {
        (2, rest)
    } else {
        (10, digits.as_str())
    };
    i64::from_str_radix(body, radix).ok()
}

/// Undo the simple escapes of a non-raw string literal; others are kept as written.
fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('\\') => out.push('\\'),
            Some('\'') => out.push('\''),
            Some('"') => out.push('"'),
            // A backslash at the end of a line continues the string on the next.
            Some('\n') => {}
            Some('\r') => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
            }
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

/// The statement kinds the lowering tells apart.
#[derive(Clone, Copy)]
enum StmtKind {
    Expressions,
    Return,
    Raise,
    Py2,
    If,
    For,
    While,
    Try,
    With,
    Match,
    Function,
    Class,
    Decorated,
    Import,
    ImportFrom,
    Error,
    Block,
    Ignored,
    Expression,
}

impl StmtKind {
    fn of(kind: &str) -> StmtKind {
        match kind {
            // `assert c, m` is kept for the calls in `c` and `m`.
            "expression_statement" | "assert_statement" => StmtKind::Expressions,
            "return_statement" => StmtKind::Return,
            "raise_statement" => StmtKind::Raise,
            "print_statement" | "exec_statement" => StmtKind::Py2,
            "if_statement" => StmtKind::If,
            "for_statement" => StmtKind::For,
            "while_statement" => StmtKind::While,
            "try_statement" => StmtKind::Try,
            "with_statement" => StmtKind::With,
            "match_statement" => StmtKind::Match,
            "function_definition" => StmtKind::Function,
            "class_definition" => StmtKind::Class,
            "decorated_definition" => StmtKind::Decorated,
            "import_statement" => StmtKind::Import,
            "import_from_statement" => StmtKind::ImportFrom,
            "ERROR" => StmtKind::Error,
            "block" => StmtKind::Block,
            // Nothing the engine needs: `pass`, `break`, `continue`, `global`, `nonlocal`,
            // `del`, `from __future__ import`, `type X = ...`.
            kind if is_statement_kind(kind) => StmtKind::Ignored,
            _ => StmtKind::Expression,
        }
    }
}

/// The expression kinds the lowering tells apart.
#[derive(Clone, Copy)]
enum ExprKind {
    Name,
    Attribute,
    Subscript,
    Call,
    String,
    ConcatenatedString,
    Const,
    Binary,
    Boolean,
    Conditional,
    List,
    Dictionary,
    Comprehension,
    /// A wrapper whose value is the one expression inside: `(x)`, `await x`, `*x`, `k=x`.
    Inner,
    Walrus,
    Lambda,
    Other,
}

impl ExprKind {
    fn of(kind: &str) -> ExprKind {
        match kind {
            "identifier" => ExprKind::Name,
            "attribute" => ExprKind::Attribute,
            "subscript" => ExprKind::Subscript,
            "call" => ExprKind::Call,
            "string" => ExprKind::String,
            "concatenated_string" => ExprKind::ConcatenatedString,
            "integer" | "float" | "true" | "false" | "none" | "ellipsis" => ExprKind::Const,
            "binary_operator" => ExprKind::Binary,
            "boolean_operator" => ExprKind::Boolean,
            "conditional_expression" => ExprKind::Conditional,
            "list" | "tuple" | "set" | "expression_list" | "pattern_list" | "tuple_pattern"
            | "list_pattern" => ExprKind::List,
            "dictionary" => ExprKind::Dictionary,
            "list_comprehension"
            | "set_comprehension"
            | "generator_expression"
            | "dictionary_comprehension" => ExprKind::Comprehension,
            "parenthesized_expression"
            | "await"
            | "list_splat"
            | "dictionary_splat"
            | "parenthesized_list_splat"
            | "list_splat_pattern"
            | "dictionary_splat_pattern"
            | "as_pattern_target"
            | "keyword_argument" => ExprKind::Inner,
            "named_expression" => ExprKind::Walrus,
            "lambda" => ExprKind::Lambda,
            // `not x`, `-x`, comparisons, slices, `yield`, errors and the rest.
            _ => ExprKind::Other,
        }
    }
}

/// `if`/`elif`/`else` as `If`s nested in `otherwise`, the first [`ELIF_NESTING`] clauses; the
/// rest follow flat in the last one's `otherwise`, the `else` body after them.
fn nest_elifs(mut clauses: Vec<(Expr, Vec<Stmt>, Range)>, mut otherwise: Vec<Stmt>) -> Vec<Stmt> {
    if clauses.len() > ELIF_NESTING {
        let tail = clauses.split_off(ELIF_NESTING);
        let last = tail.len().saturating_sub(1);
        let mut flat = Vec::with_capacity(tail.len());
        for (i, (cond, then, range)) in tail.into_iter().enumerate() {
            let otherwise = if i == last {
                std::mem::take(&mut otherwise)
            } else {
                Vec::new()
            };
            flat.push(Stmt::If {
                cond,
                then,
                otherwise,
                range,
            });
        }
        otherwise = flat;
    }
    while let Some((cond, then, range)) = clauses.pop() {
        otherwise = vec![Stmt::If {
            cond,
            then,
            otherwise,
            range,
        }];
    }
    otherwise
}

/// What the prefix of a string literal says about its content.
struct StringKind {
    raw: bool,
    format: bool,
}

impl<'s> Lowerer<'s> {
    fn text(&self, node: Node) -> &'s str {
        tree::text(self.src, node)
    }

    /// `a.b.c` with any spacing or comments inside left out.
    fn dotted(&self, node: Node) -> String {
        if node.kind() != "dotted_name" {
            return self.text(node).to_string();
        }
        named(node)
            .into_iter()
            .map(|part| self.text(part))
            .collect::<Vec<_>>()
            .join(".")
    }

    /// Reserve a slot in [`Module::functions`] so that a function gets its index before its
    /// nested functions do.
    fn reserve(&mut self, range: Range) -> usize {
        self.functions.push(Function {
            name: String::new(),
            params: Vec::new(),
            body: Vec::new(),
            range,
            is_method: false,
        });
        self.functions.len() - 1
    }

    fn fill(&mut self, index: usize, function: Function) {
        if let Some(slot) = self.functions.get_mut(index) {
            *slot = function;
        }
    }

    // ----- statements -----

    /// Lower the statements of a `module` or `block` node into `out`.
    fn block(&mut self, node: Node, depth: usize, out: &mut Vec<Stmt>) {
        for child in named(node) {
            self.stmt(child, depth, out);
        }
    }

    fn body(&mut self, node: Option<Node>, depth: usize) -> Vec<Stmt> {
        let mut out = Vec::new();
        if let Some(node) = node {
            self.block(node, depth, &mut out);
        }
        out
    }

    fn stmt(&mut self, node: Node, depth: usize, out: &mut Vec<Stmt>) {
        if depth > MAX_DEPTH {
            return;
        }
        let outer = std::mem::take(&mut self.pending);
        let mut lowered = Vec::new();
        self.stmt_kind(node, depth + 1, &mut lowered);
        out.append(&mut self.pending);
        out.append(&mut lowered);
        self.pending = outer;
    }

    /// The dispatch on the statement's kind; each arm is one call so that this frame, on the
    /// recursion path, stays small (debug builds give every temporary its own stack slot).
    fn stmt_kind(&mut self, node: Node, depth: usize, out: &mut Vec<Stmt>) {
        match StmtKind::of(node.kind()) {
            StmtKind::Expressions => self.expressions(node, depth, out),
            StmtKind::Return => self.return_statement(node, depth, out),
            StmtKind::Raise => self.raise_statement(node, depth, out),
            StmtKind::Py2 => self.py2_statement(node, depth, out),
            StmtKind::If => self.if_statement(node, depth, out),
            StmtKind::For => self.for_statement(node, depth, out),
            StmtKind::While => self.while_statement(node, depth, out),
            StmtKind::Try => self.try_statement(node, depth, out),
            StmtKind::With => self.with_statement(node, depth, out),
            StmtKind::Match => self.match_statement(node, depth, out),
            StmtKind::Function => self.function_statement(node, &[], depth, out),
            StmtKind::Class => self.class_statement(node, &[], depth, out),
            StmtKind::Decorated => self.decorated(node, depth, out),
            StmtKind::Import => self.import(node),
            StmtKind::ImportFrom => self.import_from(node),
            StmtKind::Error => self.error_statements(node, depth, out),
            StmtKind::Block => self.block(node, depth, out),
            StmtKind::Ignored => {}
            StmtKind::Expression => self.expression_statement(node, depth, out),
        }
    }

    fn expressions(&mut self, node: Node, depth: usize, out: &mut Vec<Stmt>) {
        for child in named(node) {
            self.expression_statement(child, depth, out);
        }
    }

    fn return_statement(&mut self, node: Node, depth: usize, out: &mut Vec<Stmt>) {
        let value = named(node).first().map(|value| self.expr(*value, depth));
        out.push(Stmt::Return(value, range(node)));
    }

    fn raise_statement(&mut self, node: Node, depth: usize, out: &mut Vec<Stmt>) {
        // `raise X from cause`: the cause is a field, the exception is not.
        let value = unfielded(node)
            .first()
            .map(|value| self.expr(*value, depth));
        out.push(Stmt::Raise(value, range(node)));
    }

    /// What tree-sitter could not parse: lower the statements and expressions it holds.
    fn error_statements(&mut self, node: Node, depth: usize, out: &mut Vec<Stmt>) {
        for child in named(node) {
            match child.kind() {
                kind if is_statement_kind(kind) || kind == "decorated_definition" => {
                    self.stmt(child, depth, out);
                }
                "block" | "ERROR" => {
                    if depth <= MAX_DEPTH {
                        self.stmt_kind(child, depth + 1, out);
                    }
                }
                _ => self.expression_statement(child, depth, out),
            }
        }
    }

    /// `ERROR` children of a compound statement (a broken header): lowered before its body.
    fn stray_errors(&mut self, node: Node, depth: usize) -> Vec<Stmt> {
        let mut out = Vec::new();
        for child in named(node) {
            if child.is_error() {
                self.error_statements(child, depth, &mut out);
            }
        }
        out
    }

    fn expression_statement(&mut self, node: Node, depth: usize, out: &mut Vec<Stmt>) {
        match node.kind() {
            "assignment" => self.assignment(node, depth, out),
            "augmented_assignment" => self.augmented_assignment(node, depth, out),
            _ => match self.expr(node, depth) {
                // A docstring or a stray literal does nothing.
                Expr::Str(..) | Expr::Const(_) => {}
                expr => out.push(Stmt::Expr(expr)),
            },
        }
    }

    fn assignment(&mut self, node: Node, depth: usize, out: &mut Vec<Stmt>) {
        // `a = b = x` nests to the right: collect the targets down to the value.
        let mut targets = Vec::new();
        let mut current = node;
        let value_node = loop {
            if let Some(left) = current.child_by_field_name("left") {
                targets.push(left);
            }
            match current.child_by_field_name("right") {
                Some(right) if right.kind() == "assignment" => current = right,
                other => break other,
            }
        };
        // `x: int` declares without a value.
        let Some(value_node) = value_node else {
            return;
        };
        let value = self.expr(value_node, depth);
        let mut lowered = Vec::with_capacity(targets.len());
        for target_node in targets {
            if let Some(target) = self.target(target_node, depth) {
                lowered.push(target);
            }
        }
        // The value goes to the first plain name, and the other targets read that name, so
        // that the calls in the value are seen once.
        let holder = lowered
            .iter()
            .position(|target| matches!(target, Target::Name(..)));
        let from_holder = match holder.map(|i| lowered.remove(i)) {
            Some(Target::Name(name, at)) => {
                out.push(Stmt::Assign {
                    target: Target::Name(name.clone(), at),
                    value: value.clone(),
                    range: range(node),
                });
                Some(Expr::Name(name, at))
            }
            _ => None,
        };
        if lowered.is_empty() && from_holder.is_none() {
            out.push(Stmt::Expr(value));
            return;
        }
        for target in lowered {
            out.push(Stmt::Assign {
                target,
                value: from_holder.clone().unwrap_or_else(|| value.clone()),
                range: range(node),
            });
        }
    }

    fn augmented_assignment(&mut self, node: Node, depth: usize, out: &mut Vec<Stmt>) {
        let (Some(left), Some(right)) = (
            node.child_by_field_name("left"),
            node.child_by_field_name("right"),
        ) else {
            return;
        };
        let current = self.expr(left, depth);
        let operand = self.expr(right, depth);
        let is_concat = node
            .child_by_field_name("operator")
            .is_some_and(|op| op.kind() == "+=");
        let value = if is_concat {
            Expr::Concat(vec![current, operand], range(node))
        } else {
            Expr::Other(vec![current, operand], range(node))
        };
        match self.target(left, depth) {
            Some(target) => out.push(Stmt::Assign {
                target,
                value,
                range: range(node),
            }),
            None => out.push(Stmt::Expr(value)),
        }
    }

    /// Python 2's `print x` and `exec code`, as calls of the builtins.
    fn py2_statement(&mut self, node: Node, depth: usize, out: &mut Vec<Stmt>) {
        let callee = if node.kind() == "exec_statement" {
            "exec"
        } else {
            "print"
        };
        let mut args = Vec::new();
        for child in named(node) {
            // `print >>stream, x`
            let child = if child.kind() == "chevron" {
                named(child).first().copied().unwrap_or(child)
            } else {
                child
            };
            args.push(Arg {
                keyword: None,
                value: self.expr(child, depth),
                spread: false,
            });
        }
        out.push(Stmt::Expr(Expr::Call(Box::new(Call {
            callee: Expr::Name(callee.to_string(), range(node)),
            args,
            is_new: false,
            range: range(node),
        }))));
    }

    fn if_statement(&mut self, node: Node, depth: usize, out: &mut Vec<Stmt>) {
        out.extend(self.stray_errors(node, depth));
        let cond = self.expr_field(node, "condition", depth);
        let then = self.body(node.child_by_field_name("consequence"), depth);
        let mut clauses = vec![(cond, then, range(node))];
        let mut otherwise = Vec::new();
        // Each `elif` nests one level deeper in the IR, and its body is lowered as deep, so that
        // the IR stays as shallow as the depth limit says (see `nest_elifs`).
        for alternative in fields(node, "alternative") {
            let at = depth + clauses.len().min(ELIF_NESTING);
            match alternative.kind() {
                "elif_clause" => {
                    let cond = self.expr_field(alternative, "condition", at);
                    let then = self.body(alternative.child_by_field_name("consequence"), at);
                    clauses.push((cond, then, range(alternative)));
                }
                "else_clause" => {
                    otherwise = self.body(alternative.child_by_field_name("body"), at);
                }
                _ => {}
            }
        }
        out.extend(nest_elifs(clauses, otherwise));
    }

    /// The body of the `else` clause among a statement's children.
    fn else_body(&mut self, node: Node, depth: usize) -> Vec<Stmt> {
        let mut out = Vec::new();
        for child in named(node) {
            if child.kind() == "else_clause" {
                out.extend(self.body(child.child_by_field_name("body"), depth));
            }
        }
        out
    }

    fn for_statement(&mut self, node: Node, depth: usize, out: &mut Vec<Stmt>) {
        out.extend(self.stray_errors(node, depth));
        let target = match node.child_by_field_name("left") {
            Some(left) => self.target(left, depth),
            None => None,
        };
        let iter = Some(self.expr_field(node, "right", depth));
        let body = self.body(node.child_by_field_name("body"), depth);
        out.push(Stmt::Loop {
            target,
            iter,
            body,
            range: range(node),
        });
        out.extend(self.else_body(node, depth));
    }

    fn while_statement(&mut self, node: Node, depth: usize, out: &mut Vec<Stmt>) {
        out.extend(self.stray_errors(node, depth));
        let iter = Some(self.expr_field(node, "condition", depth));
        let body = self.body(node.child_by_field_name("body"), depth);
        out.push(Stmt::Loop {
            target: None,
            iter,
            body,
            range: range(node),
        });
        out.extend(self.else_body(node, depth));
    }

    fn try_statement(&mut self, node: Node, depth: usize, out: &mut Vec<Stmt>) {
        let mut body = self.stray_errors(node, depth);
        body.extend(self.body(node.child_by_field_name("body"), depth));
        let mut handlers = Vec::new();
        let mut finally = Vec::new();
        for child in named(node) {
            match child.kind() {
                "except_clause" | "except_group_clause" => {
                    handlers.push(self.handler(child, depth));
                }
                "else_clause" => body.extend(self.body(child.child_by_field_name("body"), depth)),
                "finally_clause" => {
                    for block in named(child) {
                        self.block(block, depth, &mut finally);
                    }
                }
                _ => {}
            }
        }
        out.push(Stmt::Try {
            body,
            handlers,
            finally,
            range: range(node),
        });
    }

    fn handler(&mut self, node: Node, depth: usize) -> Handler {
        // `except E as e`: tree-sitter-python 0.25 gives `value: as_pattern`; older grammars an
        // `alias` field.
        let mut caught = node
            .child_by_field_name("alias")
            .map(|alias| self.text(alias).to_string());
        for value in fields(node, "value") {
            if value.kind() == "as_pattern"
                && let Some(alias) = value.child_by_field_name("alias")
            {
                caught = Some(self.text(alias).trim().to_string());
            }
        }
        let mut body = Vec::new();
        for child in named(node) {
            if child.kind() == "block" {
                self.block(child, depth, &mut body);
            } else if child.is_error() {
                self.error_statements(child, depth, &mut body);
            }
        }
        Handler {
            caught,
            body,
            range: range(node),
        }
    }

    fn with_statement(&mut self, node: Node, depth: usize, out: &mut Vec<Stmt>) {
        out.extend(self.stray_errors(node, depth));
        for clause in named(node) {
            if clause.kind() != "with_clause" {
                continue;
            }
            for item in named(clause) {
                let Some(value) = item.child_by_field_name("value") else {
                    continue;
                };
                self.with_item(item, value, depth, out);
            }
        }
        let body = self.body(node.child_by_field_name("body"), depth);
        out.push(Stmt::Block(body));
    }

    fn with_item(&mut self, item: Node, value: Node, depth: usize, out: &mut Vec<Stmt>) {
        if value.kind() == "as_pattern" {
            let context = unfielded(value)
                .first()
                .map(|context| self.expr(*context, depth));
            let target = match value.child_by_field_name("alias") {
                Some(alias) => self.target(alias, depth),
                None => None,
            };
            match (target, context) {
                (Some(target), Some(value)) => out.push(Stmt::Assign {
                    target,
                    value,
                    range: range(item),
                }),
                (None, Some(value)) => out.push(Stmt::Expr(value)),
                _ => {}
            }
        } else {
            out.push(Stmt::Expr(self.expr(value, depth)));
        }
    }

    fn match_statement(&mut self, node: Node, depth: usize, out: &mut Vec<Stmt>) {
        for subject in fields(node, "subject") {
            out.push(Stmt::Expr(self.expr(subject, depth)));
        }
        let mut cases = Vec::new();
        for body in fields(node, "body") {
            for case in named(body) {
                if case.kind() != "case_clause" {
                    continue;
                }
                if let Some(guard) = case.child_by_field_name("guard") {
                    for cond in named(guard) {
                        cases.push(Stmt::Expr(self.expr(cond, depth)));
                    }
                }
                if let Some(consequence) = case.child_by_field_name("consequence") {
                    self.block(consequence, depth, &mut cases);
                }
            }
        }
        out.push(Stmt::Block(cases));
    }

    fn decorated(&mut self, node: Node, depth: usize, out: &mut Vec<Stmt>) {
        let decorators: Vec<Node> = named(node)
            .into_iter()
            .filter(|child| child.kind() == "decorator")
            .collect();
        let Some(definition) = node.child_by_field_name("definition") else {
            return;
        };
        match definition.kind() {
            "function_definition" => self.function_statement(definition, &decorators, depth, out),
            "class_definition" => self.class_statement(definition, &decorators, depth, out),
            _ => {}
        }
    }

    /// `@d` applied to `value`: `Expr(Call(d, [value]))`.
    fn decorator_calls(
        &mut self,
        decorators: &[Node],
        value: &Expr,
        depth: usize,
        out: &mut Vec<Stmt>,
    ) {
        for decorator in decorators {
            let callee = match named(*decorator).first() {
                Some(expr) => self.expr(*expr, depth),
                None => continue,
            };
            out.push(Stmt::Expr(Expr::Call(Box::new(Call {
                callee,
                args: vec![Arg {
                    keyword: None,
                    value: value.clone(),
                    spread: false,
                }],
                is_new: false,
                range: range(*decorator),
            }))));
        }
    }

    fn function_statement(
        &mut self,
        node: Node,
        decorators: &[Node],
        depth: usize,
        out: &mut Vec<Stmt>,
    ) {
        let Some(name_node) = node.child_by_field_name("name") else {
            return;
        };
        let name = self.text(name_node).to_string();
        let index = self.function(node, &name, depth);
        let value = Expr::Function(index, range(node));
        self.decorator_calls(decorators, &value, depth, out);
        out.push(bind(&name, name_node, value, node));
    }

    /// Lower a `def` (or `async def`) into [`Module::functions`]; its index.
    fn function(&mut self, node: Node, name: &str, depth: usize) -> usize {
        let index = self.reserve(range(node));
        let class = self.class.take();
        let params = self.params_field(node, depth);
        let mut body = self.stray_errors(node, depth);
        body.extend(self.body(node.child_by_field_name("body"), depth));
        let is_method = class.is_some()
            && params.first().is_some_and(|param| {
                !param.rest
                    && matches!(&param.target, Target::Name(n, _) if n == "self" || n == "cls")
            });
        let name = match &class {
            Some(class) => format!("{class}.{name}"),
            None => name.to_string(),
        };
        self.class = class;
        self.fill(
            index,
            Function {
                name,
                params,
                body,
                range: range(node),
                is_method,
            },
        );
        index
    }

    fn params_field(&mut self, node: Node, depth: usize) -> Vec<Param> {
        let mut params = Vec::new();
        if let Some(list) = node.child_by_field_name("parameters") {
            for param in named(list) {
                if let Some(param) = self.param(param, depth) {
                    params.push(param);
                }
            }
        }
        params
    }

    fn param(&mut self, node: Node, depth: usize) -> Option<Param> {
        match node.kind() {
            "identifier" | "tuple_pattern" => Some(Param {
                target: self.target(node, depth)?,
                default: None,
                rest: false,
            }),
            "default_parameter" | "typed_default_parameter" => {
                let target = self.target(node.child_by_field_name("name")?, depth)?;
                let default = node
                    .child_by_field_name("value")
                    .map(|value| self.expr(value, depth));
                Some(Param {
                    target,
                    default,
                    rest: false,
                })
            }
            // The name comes before the annotation.
            "typed_parameter" => {
                let inner = unfielded(node).first().copied()?;
                self.param(inner, depth)
            }
            "list_splat_pattern" | "dictionary_splat_pattern" => {
                let inner = named(node).first().copied()?;
                Some(Param {
                    target: self.target(inner, depth)?,
                    default: None,
                    rest: true,
                })
            }
            // `*` and `/` separators.
            _ => None,
        }
    }

    fn class_statement(
        &mut self,
        node: Node,
        decorators: &[Node],
        depth: usize,
        out: &mut Vec<Stmt>,
    ) {
        let Some(name_node) = node.child_by_field_name("name") else {
            return;
        };
        let name = self.text(name_node).to_string();
        let qualified = match &self.class {
            Some(outer) => format!("{outer}.{name}"),
            None => name.clone(),
        };
        let outer = self.class.replace(qualified);
        let mut lowered = self.stray_errors(node, depth);
        lowered.extend(self.body(node.child_by_field_name("body"), depth));
        self.class = outer;

        // Names the class body binds become the object's members; the rest runs before.
        let mut members = Vec::new();
        for stmt in lowered {
            match stmt {
                Stmt::Assign {
                    target: Target::Name(member, _),
                    value,
                    ..
                } => members.push((Some(member), value)),
                other => out.push(other),
            }
        }
        let class_name = Expr::Name(name.clone(), range(name_node));
        self.decorator_calls(decorators, &class_name, depth, out);
        let object = Expr::Object(members, range(node));
        out.push(bind(&name, name_node, object, node));
    }

    fn import(&mut self, node: Node) {
        for name in fields(node, "name") {
            let import = match name.kind() {
                // `import a.b.c` binds `a`, the top-level package.
                "dotted_name" => {
                    let Some(first) = named(name).first().map(|part| self.text(*part)) else {
                        continue;
                    };
                    Import {
                        local: first.to_string(),
                        module: first.to_string(),
                        member: None,
                        range: range(name),
                    }
                }
                "aliased_import" => {
                    let (Some(module), Some(alias)) = (
                        name.child_by_field_name("name"),
                        name.child_by_field_name("alias"),
                    ) else {
                        continue;
                    };
                    Import {
                        local: self.text(alias).to_string(),
                        module: self.dotted(module),
                        member: None,
                        range: range(name),
                    }
                }
                _ => continue,
            };
            self.imports.push(import);
        }
    }

    fn import_from(&mut self, node: Node) {
        let Some(module_node) = node.child_by_field_name("module_name") else {
            return;
        };
        let module = if module_node.kind() == "relative_import" {
            named(module_node)
                .into_iter()
                .map(|part| match part.kind() {
                    "import_prefix" => self.text(part).split_whitespace().collect(),
                    _ => self.dotted(part),
                })
                .collect::<String>()
        } else {
            self.dotted(module_node)
        };
        for child in named(node) {
            if child.kind() == "wildcard_import" {
                self.imports.push(Import {
                    local: "*".to_string(),
                    module: module.clone(),
                    member: Some("*".to_string()),
                    range: range(child),
                });
            }
        }
        for name in fields(node, "name") {
            let (local, member) = match name.kind() {
                "dotted_name" => {
                    let member = self.dotted(name);
                    (member.clone(), member)
                }
                "aliased_import" => {
                    let (Some(member), Some(alias)) = (
                        name.child_by_field_name("name"),
                        name.child_by_field_name("alias"),
                    ) else {
                        continue;
                    };
                    (self.text(alias).to_string(), self.dotted(member))
                }
                _ => continue,
            };
            self.imports.push(Import {
                local,
                module: module.clone(),
                member: Some(member),
                range: range(name),
            });
        }
    }

    // ----- assignment targets -----

    fn target(&mut self, node: Node, depth: usize) -> Option<Target> {
        if depth > MAX_DEPTH || node.is_missing() {
            return None;
        }
        let depth = depth + 1;
        let at = range(node);
        match node.kind() {
            "identifier" => Some(Target::Name(self.text(node).to_string(), at)),
            "attribute" => {
                let object = self.expr_field(node, "object", depth);
                let attribute = node.child_by_field_name("attribute")?;
                Some(Target::Attr(object, self.text(attribute).to_string(), at))
            }
            "subscript" => {
                let object = self.expr_field(node, "value", depth);
                let key = self.key(node, depth);
                Some(Target::Index(object, key, at))
            }
            "pattern_list" | "tuple_pattern" | "list_pattern" | "expression_list" | "tuple"
            | "list" => {
                let mut elements = Vec::new();
                for element in named(node) {
                    if let Some(element) = self.target(element, depth) {
                        elements.push(element);
                    }
                }
                Some(Target::List(elements, at))
            }
            "list_splat_pattern"
            | "list_splat"
            | "parenthesized_expression"
            | "as_pattern_target" => {
                let inner = named(node).first().copied()?;
                self.target(inner, depth)
            }
            _ => None,
        }
    }

    fn key(&mut self, subscript: Node, depth: usize) -> Key {
        let keys = fields(subscript, "subscript");
        match keys.as_slice() {
            [key] => self.key_of(*key, depth),
            // `a[1, 2]`: a tuple key.
            _ => Key::Dynamic(Box::new(Expr::Other(
                self.exprs(keys, depth),
                range(subscript),
            ))),
        }
    }

    fn key_of(&mut self, node: Node, depth: usize) -> Key {
        match node.kind() {
            "string" | "concatenated_string" => {
                if let Some(text) = self.plain_string(node) {
                    return Key::Str(text);
                }
            }
            "integer" => {
                if let Some(n) = parse_int(self.text(node)) {
                    return Key::Int(n);
                }
            }
            "unary_operator" => {
                let negated = node
                    .child_by_field_name("operator")
                    .is_some_and(|op| op.kind() == "-");
                if let Some(argument) = node.child_by_field_name("argument")
                    && negated
                    && argument.kind() == "integer"
                    && let Some(n) = parse_int(self.text(argument)).and_then(i64::checked_neg)
                {
                    return Key::Int(n);
                }
            }
            _ => {}
        }
        Key::Dynamic(Box::new(self.expr(node, depth)))
    }

    // ----- expressions -----

    fn expr_field(&mut self, node: Node, field: &str, depth: usize) -> Expr {
        match node.child_by_field_name(field) {
            Some(child) => self.expr(child, depth),
            None => Expr::Other(Vec::new(), range(node)),
        }
    }

    fn exprs(&mut self, nodes: Vec<Node>, depth: usize) -> Vec<Expr> {
        let mut exprs = Vec::with_capacity(nodes.len());
        for node in nodes {
            exprs.push(self.expr(node, depth));
        }
        exprs
    }

    /// The dispatch on the expression's kind; each arm is one call so that this frame, on the
    /// recursion path, stays small (debug builds give every temporary its own stack slot).
    fn expr(&mut self, node: Node, depth: usize) -> Expr {
        if depth > MAX_DEPTH || node.is_missing() {
            return Expr::Other(Vec::new(), range(node));
        }
        let depth = depth + 1;
        match ExprKind::of(node.kind()) {
            ExprKind::Name => Expr::Name(self.text(node).to_string(), range(node)),
            ExprKind::Attribute => self.attribute(node, depth),
            ExprKind::Subscript => self.subscript(node, depth),
            ExprKind::Call => self.call(node, depth),
            ExprKind::String => self.string(node, depth),
            ExprKind::ConcatenatedString => self.concatenated_string(node, depth),
            ExprKind::Const => Expr::Const(range(node)),
            ExprKind::Binary => self.binary(node, depth),
            ExprKind::Boolean => self.boolean(node, depth),
            ExprKind::Conditional => self.conditional(node, depth),
            ExprKind::List => self.list(node, depth),
            ExprKind::Dictionary => self.dictionary(node, depth),
            ExprKind::Comprehension => self.comprehension(node, depth),
            ExprKind::Inner => self.inner(node, depth),
            ExprKind::Walrus => self.walrus(node, depth),
            ExprKind::Lambda => self.lambda(node, depth),
            ExprKind::Other => self.other(node, depth),
        }
    }

    fn other(&mut self, node: Node, depth: usize) -> Expr {
        Expr::Other(self.exprs(named(node), depth), range(node))
    }

    fn list(&mut self, node: Node, depth: usize) -> Expr {
        Expr::List(self.exprs(named(node), depth), range(node))
    }

    fn subscript(&mut self, node: Node, depth: usize) -> Expr {
        let object = self.expr_field(node, "value", depth);
        let key = self.key(node, depth);
        Expr::Index(Box::new(object), key, range(node))
    }

    fn boolean(&mut self, node: Node, depth: usize) -> Expr {
        let left = self.expr_field(node, "left", depth);
        let right = self.expr_field(node, "right", depth);
        Expr::Choice(vec![left, right], range(node))
    }

    fn conditional(&mut self, node: Node, depth: usize) -> Expr {
        let mut parts = self.exprs(named(node), depth);
        // `x if c else y`: the condition first.
        if parts.len() == 3 {
            parts.swap(0, 1);
        }
        Expr::Choice(parts, range(node))
    }

    /// The one expression inside a wrapper node (`(x)`, `await x`, `*x`); the value of a
    /// keyword argument.
    fn inner(&mut self, node: Node, depth: usize) -> Expr {
        if let Some(value) = node.child_by_field_name("value") {
            return self.expr(value, depth);
        }
        match named(node).as_slice() {
            [one] => self.expr(*one, depth),
            many => Expr::Other(self.exprs(many.to_vec(), depth), range(node)),
        }
    }

    fn attribute(&mut self, node: Node, depth: usize) -> Expr {
        let object = self.expr_field(node, "object", depth);
        match node.child_by_field_name("attribute") {
            Some(attribute) => Expr::Attr(
                Box::new(object),
                self.text(attribute).to_string(),
                range(node),
            ),
            None => Expr::Other(vec![object], range(node)),
        }
    }

    fn call(&mut self, node: Node, depth: usize) -> Expr {
        let callee = self.expr_field(node, "function", depth);
        let mut args = Vec::new();
        match node.child_by_field_name("arguments") {
            Some(list) if list.kind() == "argument_list" => {
                for arg in named(list) {
                    args.push(self.arg(arg, depth));
                }
            }
            // `f(x for x in xs)`
            Some(generator) => args.push(Arg {
                keyword: None,
                value: self.expr(generator, depth),
                spread: false,
            }),
            None => {}
        }
        Expr::Call(Box::new(Call {
            callee,
            args,
            is_new: false,
            range: range(node),
        }))
    }

    fn arg(&mut self, node: Node, depth: usize) -> Arg {
        let keyword = match node.kind() {
            "keyword_argument" => node
                .child_by_field_name("name")
                .map(|name| self.text(name).to_string()),
            _ => None,
        };
        let spread = matches!(node.kind(), "list_splat" | "dictionary_splat");
        Arg {
            keyword,
            value: self.expr(node, depth),
            spread,
        }
    }

    fn binary(&mut self, node: Node, depth: usize) -> Expr {
        let (Some(left), Some(right)) = (
            node.child_by_field_name("left"),
            node.child_by_field_name("right"),
        ) else {
            return Expr::Other(self.exprs(named(node), depth), range(node));
        };
        let operator = node
            .child_by_field_name("operator")
            .map_or("", |op| op.kind());
        let formats = operator == "%" && matches!(left.kind(), "string" | "concatenated_string");
        let parts = vec![self.expr(left, depth), self.expr(right, depth)];
        if operator == "+" || formats {
            Expr::Concat(parts, range(node))
        } else {
            Expr::Other(parts, range(node))
        }
    }

    fn dictionary(&mut self, node: Node, depth: usize) -> Expr {
        let mut entries = Vec::new();
        for entry in named(node) {
            match entry.kind() {
                "pair" => {
                    let key = entry
                        .child_by_field_name("key")
                        .and_then(|key| match key.kind() {
                            "string" | "concatenated_string" => self.plain_string(key),
                            _ => None,
                        });
                    let value = self.expr_field(entry, "value", depth);
                    entries.push((key, value));
                }
                _ => entries.push((None, self.expr(entry, depth))),
            }
        }
        Expr::Object(entries, range(node))
    }

    /// `[f(x) for x in xs if p(x)]` → `Other([f(x), xs, p(x)])`; the loop variable is not
    /// bound.
    fn comprehension(&mut self, node: Node, depth: usize) -> Expr {
        let mut parts = Vec::new();
        if let Some(body) = node.child_by_field_name("body") {
            if body.kind() == "pair" {
                parts.push(self.expr_field(body, "key", depth));
                parts.push(self.expr_field(body, "value", depth));
            } else {
                parts.push(self.expr(body, depth));
            }
        }
        for clause in named(node) {
            match clause.kind() {
                "for_in_clause" => {
                    for source in fields(clause, "right") {
                        parts.push(self.expr(source, depth));
                    }
                }
                "if_clause" => {
                    for cond in named(clause) {
                        parts.push(self.expr(cond, depth));
                    }
                }
                _ => {}
            }
        }
        Expr::Other(parts, range(node))
    }

    /// `(y := x)`: the assignment goes before the statement, the expression reads `y`.
    fn walrus(&mut self, node: Node, depth: usize) -> Expr {
        let value = self.expr_field(node, "value", depth);
        let Some(name) = node.child_by_field_name("name") else {
            return value;
        };
        let name_text = self.text(name).to_string();
        self.pending.push(bind(&name_text, name, value, node));
        Expr::Name(name_text, range(name))
    }

    fn lambda(&mut self, node: Node, depth: usize) -> Expr {
        let index = self.reserve(range(node));
        let params = self.params_field(node, depth);
        // A walrus in the lambda's body assigns inside the lambda.
        let outer = std::mem::take(&mut self.pending);
        let value = node
            .child_by_field_name("body")
            .map(|body| self.expr(body, depth));
        let mut body = std::mem::replace(&mut self.pending, outer);
        if let Some(value) = value {
            let at = value.range();
            body.push(Stmt::Return(Some(value), at));
        }
        self.fill(
            index,
            Function {
                name: "<lambda>".to_string(),
                params,
                body,
                range: range(node),
                is_method: false,
            },
        );
        Expr::Function(index, range(node))
    }

    // ----- strings -----

    fn string_kind(&self, node: Node) -> StringKind {
        let prefix = named(node)
            .into_iter()
            .find(|child| child.kind() == "string_start")
            .map_or("", |start| self.text(start));
        let prefix = prefix.trim_end_matches(['"', '\'']);
        StringKind {
            raw: prefix.contains(['r', 'R']),
            format: prefix.contains(['f', 'F', 't', 'T']),
        }
    }

    fn string_content(&self, node: Node, kind: &StringKind) -> String {
        let text = self.text(node);
        let text = if kind.raw {
            text.to_string()
        } else {
            unescape(text)
        };
        if kind.format {
            text.replace("{{", "{").replace("}}", "}")
        } else {
            text
        }
    }

    /// The value of a string literal (or implicit concatenation) without interpolation.
    fn plain_string(&self, node: Node) -> Option<String> {
        match node.kind() {
            "string" => {
                let kind = self.string_kind(node);
                let mut value = String::new();
                for child in named(node) {
                    match child.kind() {
                        "string_content" => value.push_str(&self.string_content(child, &kind)),
                        "string_start" | "string_end" => {}
                        _ => return None,
                    }
                }
                Some(value)
            }
            "concatenated_string" => {
                let mut value = String::new();
                for part in named(node) {
                    value.push_str(&self.plain_string(part)?);
                }
                Some(value)
            }
            _ => None,
        }
    }

    fn string(&mut self, node: Node, depth: usize) -> Expr {
        if let Some(value) = self.plain_string(node) {
            return Expr::Str(value, range(node));
        }
        Expr::Concat(self.string_parts(node, depth), range(node))
    }

    /// The literal pieces and interpolated expressions of an f-string, in order.
    fn string_parts(&mut self, node: Node, depth: usize) -> Vec<Expr> {
        let kind = self.string_kind(node);
        let mut parts = Vec::new();
        for child in named(node) {
            match child.kind() {
                "string_content" => {
                    parts.push(Expr::Str(self.string_content(child, &kind), range(child)));
                }
                "interpolation" => parts.push(self.expr_field(child, "expression", depth)),
                "string_start" | "string_end" => {}
                _ => parts.push(self.expr(child, depth)),
            }
        }
        parts
    }

    fn concatenated_string(&mut self, node: Node, depth: usize) -> Expr {
        if let Some(value) = self.plain_string(node) {
            return Expr::Str(value, range(node));
        }
        let mut parts = Vec::new();
        for part in named(node) {
            match self.plain_string(part) {
                Some(value) => parts.push(Expr::Str(value, range(part))),
                None if part.kind() == "string" => parts.extend(self.string_parts(part, depth)),
                None => parts.push(self.expr(part, depth)),
            }
        }
        Expr::Concat(parts, range(node))
    }
}

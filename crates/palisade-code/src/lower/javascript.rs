//! JavaScript and TypeScript (tree-sitter-javascript, tree-sitter-typescript) to IR.
//!
//! The lowering walks the tree by node children, recursively but never deeper than
//! `MAX_DEPTH` (200) statements and expressions: a deeper expression becomes an empty
//! [`Expr::Other`] and deeper statements are left out, so hostile input (10,000 nested
//! parentheses or arrays) neither overflows the stack here nor builds an IR too deep for the
//! engine. Chains of one binary operator (`a + b + c + …`) are flattened iteratively, so long
//! concatenations in generated code keep all their parts. Syntax errors are collected by a
//! separate iterative walk, at any depth; the valid statements and expressions inside an
//! `ERROR` node are still lowered.
//!
//! Choices the IR leaves open, made here:
//! - `function f` (and generator functions) is bound by `f = Function(i)` at the *start* of its
//!   statement list, as JavaScript hoists it; classes are bound where they are declared.
//! - A class `C` becomes `C = Object([("m", Function(i)), ("field", value), ...])` with its
//!   methods named `C.m` (`is_method` false) and its fields' initializers as values; a
//!   `static { … }` block follows as a `Block`. A TypeScript parameter property
//!   (`constructor(private db: Db)`) adds `this.db = db` at the start of the constructor.
//! - A function takes the name it is bound to: `const handler = () => …`, `exports.handler =
//!   function () {…}`, `{ handler: async () => … }` and `export default () => …` (`default`)
//!   all name the function; otherwise it is `<lambda>` (`<class>` for an anonymous class).
//! - `a = b = c` gives `b = c` then `a = Other([c])`: an assignment inside an expression is
//!   `Other([value])` and its `Assign` is emitted just before the statement that holds it (for
//!   a loop condition, also at the start of the loop body, since it runs on every iteration).
//!   Assignments inside parameter defaults go to the start of the function body.
//! - Binary chains are flat: `a + b + c` is `Concat([a, b, c])`, `a || b || c` is
//!   `Choice([a, b, c])` (`&&` and `&&=` are `Choice` too: the value is one of the operands).
//!   A tagged template ``sql`…` `` is a call with one argument, the template (`Concat`, or `Str`
//!   when it has no substitution).
//! - Array holes keep positions: `[, b] = x` is `List([List([]), Name b])` (an empty pattern
//!   binds nothing), `[, b]` as a value is `List([Const, Name b])`.
//! - Computed keys (`{[k]: v}`, `[k]() {}`) have key `None`, unless the key is a string
//!   literal. Numeric keys are their decimal text (`{0x10: v}` has key `"16"`).
//! - Exports: `exports.x = v`, `module.exports.x = v`, `exports["x"] = v` give `Export x v`;
//!   `module.exports = {…}` (and TypeScript `export = {…}`) gives one export per literal key;
//!   `module.exports = v` with another value gives `Export default v`. The assignment stays in
//!   the statements. Through a chain `module.exports.h = exports.h = fn` the export is `fn`
//!   itself, not `Other([fn])`. Exports inside a TypeScript `namespace` are the namespace's. A re-export `export { a as b } from "m"` binds `b` with
//!   `Import {local: "b", module: "m", member: Some("a")}` and exports `Name("b")`;
//!   `export * as ns from "m"` likewise with member `None`; `export * from "m"` is not
//!   recorded (its names are unknown here). `export default <expr>` also keeps `<expr>` as an
//!   expression statement when it may have effects (a call, say).
//! - An import's range is the binding's (the specifier), not the whole statement's. Type-only
//!   imports and exports (`import type`, `export type`) are left out.
//! - TypeScript types, interfaces, type aliases, `declare`, overload signatures, decorators and
//!   index signatures are left out; `enum E {A = "a", B}` is `E = Object([("A", Str), ("B",
//!   Const)])`; a `namespace N {…}` body is a `Block`; `x as T`, `x!`, `<T>x`, `x satisfies T`
//!   are just `x`.
//! - A sequence `a, b` is `Other([a, b])`, but `(0, m.f)` (how compilers call an import
//!   without `this`) is `m.f`: the leading literals have no value or effect. As a statement,
//!   `a = 1, f(b)` is one statement per part.
//! - `switch (d)` is `Expr(d)` (when `d` may have effects) then a `Block` of all case bodies in
//!   order. `with (o) body` is `Expr(o)` then a `Block` of the body.
//! - `catch ({ message })` (a pattern) has `caught: None`.
//! - Each name is exported once: a later export of a name replaces the value of the earlier
//!   one (in its place), as importers see the module's last assignment. TypeScript's CommonJS
//!   output is understood: `exports.h = void 0; … exports.h = h` exports `h`, and
//!   `Object.defineProperty(exports, "h", { get: function () { return m.h; } })` exports `m.h`.

use tree_sitter::{Language, Node};

use crate::ir::{
    Arg, Call, Export, Expr, Function, Handler, Import, Key, Module, Param, Range, Stmt, Target,
};
use crate::lower::tree::{self, fields, range, syntax_errors};
use crate::lower::{ParseError, bind};

/// How many statements and expressions deep the lowering goes. Each level costs a few stack
/// frames, which must fit a 2 MiB thread stack in a debug build.
const MAX_DEPTH: usize = 200;

/// Parse JavaScript (`typescript` false) or TypeScript (`.ts`, without JSX) and lower it.
pub fn lower(text: &str, typescript: bool) -> Result<Module, ParseError> {
    let language: Language = if typescript {
        tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into()
    } else {
        tree_sitter_javascript::LANGUAGE.into()
    };
    lower_with(text, &language)
}

/// Parse TSX (TypeScript with JSX, `.tsx`) and lower it. The TypeScript grammar rejects JSX and
/// the TSX grammar rejects `<T>x` type assertions, so the file extension decides.
pub fn lower_tsx(text: &str) -> Result<Module, ParseError> {
    lower_with(text, &tree_sitter_typescript::LANGUAGE_TSX.into())
}

fn lower_with(text: &str, language: &Language) -> Result<Module, ParseError> {
    let parsed = tree::parse(text.as_bytes(), language)?;
    let root = parsed.root_node();

    let mut lowerer = Lowerer {
        src: text,
        imports: Vec::new(),
        functions: Vec::new(),
        exports: Vec::new(),
        pending: Vec::new(),
    };
    let top = lowerer.stmts(root, 0);
    Ok(Module {
        imports: lowerer.imports,
        functions: lowerer.functions,
        top,
        exports: lowerer.exports,
        errors: syntax_errors(root),
    })
}

struct Lowerer<'s> {
    src: &'s str,
    imports: Vec<Import>,
    functions: Vec<Function>,
    exports: Vec<Export>,
    /// Assignments made inside expressions of the statement being lowered; they are emitted
    /// just before it.
    pending: Vec<Stmt>,
}

/// The statements of one list: function declarations are hoisted to its start.
#[derive(Default)]
struct Seq {
    hoisted: Vec<Stmt>,
    body: Vec<Stmt>,
}

impl Seq {
    fn finish(mut self) -> Vec<Stmt> {
        self.hoisted.append(&mut self.body);
        self.hoisted
    }
}

/// Comments are extras; so are `ERROR` nodes, which are kept.
fn is_skipped_extra(node: Node) -> bool {
    node.is_extra() && !node.is_error()
}

/// The named children of a node, comments left out.
fn named(node: Node<'_>) -> Vec<Node<'_>> {
    let mut cursor = node.walk();
    node.named_children(&mut cursor)
        .filter(|child| !is_skipped_extra(*child))
        .collect()
}

/// All children of a node, anonymous tokens included, comments left out.
fn all(node: Node<'_>) -> Vec<Node<'_>> {
    let mut cursor = node.walk();
    node.children(&mut cursor)
        .filter(|child| !is_skipped_extra(*child))
        .collect()
}

/// Whether a node has an anonymous child token `token` (`default`, `type`, `readonly`).
fn has_token(node: Node, token: &str) -> bool {
    let mut cursor = node.walk();
    node.children(&mut cursor)
        .any(|child| !child.is_named() && child.kind() == token)
}

/// TypeScript type syntax and modifiers, which carry no values.
fn is_type_node(kind: &str) -> bool {
    kind.ends_with("_type")
        || kind.ends_with("_annotation")
        || matches!(
            kind,
            "type_arguments"
                | "type_parameters"
                | "type_parameter"
                | "type_identifier"
                | "predefined_type"
                | "type_predicate"
                | "asserts"
                | "accessibility_modifier"
                | "override_modifier"
                | "decorator"
                | "implements_clause"
                | "extends_type_clause"
                | "constraint"
        )
}

/// Kinds that are statements (and are lowered as such when found in an `ERROR` node).
fn is_statement_kind(kind: &str) -> bool {
    kind.ends_with("_statement")
        || kind.ends_with("_declaration")
        || matches!(kind, "statement_block" | "module" | "import_alias")
}

/// The first named child that is not type syntax: the operand of `(x)`, `await x`, `x as T`,
/// `<T>x`, `x!`.
fn operand(node: Node<'_>) -> Option<Node<'_>> {
    named(node).into_iter().find(|c| !is_type_node(c.kind()))
}

/// Strip parentheses and TypeScript wrappers, iteratively (any depth).
fn unwrap_value(mut node: Node<'_>) -> Node<'_> {
    while matches!(
        node.kind(),
        "parenthesized_expression"
            | "non_null_expression"
            | "as_expression"
            | "satisfies_expression"
            | "type_assertion"
    ) {
        match operand(node) {
            Some(inner) => node = inner,
            None => break,
        }
    }
    node
}

/// The pattern inside a wrapper of one: `p = default`, a TypeScript parameter, `...p`, `(p)`,
/// `p!`.
fn inner_pattern(node: Node<'_>) -> Option<Node<'_>> {
    match node.kind() {
        "assignment_pattern" | "object_assignment_pattern" => node.child_by_field_name("left"),
        "required_parameter" | "optional_parameter" => node
            .child_by_field_name("pattern")
            .or_else(|| node.child_by_field_name("name")),
        _ => operand(node),
    }
}

/// One place in an array literal or pattern.
enum Element<'t> {
    /// Nothing between two commas (`[, b]`): it keeps the positions of what follows.
    Hole(Range),
    Node(Node<'t>),
}

/// The places of an array literal or pattern, in order.
fn elements(node: Node<'_>) -> Vec<Element<'_>> {
    let mut out = Vec::new();
    let mut hole = false;
    for child in all(node) {
        match child.kind() {
            "[" => hole = true,
            "," => {
                if hole {
                    out.push(Element::Hole(range(child)));
                }
                hole = true;
            }
            "]" => {}
            _ if child.is_named() => {
                out.push(Element::Node(child));
                hole = false;
            }
            _ => {}
        }
    }
    out
}

/// The name of a class's method or field: `Class.member`.
fn member_name(class_name: &str, key: Option<&str>) -> String {
    format!("{class_name}.{}", key.unwrap_or("<computed>"))
}

/// Parse a JavaScript number literal that is an integer: `0`, `1_000`, `0x1F`, `1e3`, `2n`.
fn int_literal(text: &str) -> Option<i64> {
    let cleaned: String = text.chars().filter(|c| *c != '_').collect();
    let digits = cleaned.strip_suffix('n').unwrap_or(&cleaned);
    let lower = digits.to_ascii_lowercase();
    for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] {
        if let Some(rest) = lower.strip_prefix(prefix) {
            return i64::from_str_radix(rest, radix).ok();
        }
    }
    if let Ok(n) = digits.parse::<i64>() {
        return Some(n);
    }
    let float = digits.parse::<f64>().ok()?;
    // Beyond 2^53 a float no longer holds every integer; such an index is no literal key.
    (float.is_finite() && float.fract() == 0.0 && float.abs() < 9.0e15).then_some(float as i64)
}

/// The value of one escape sequence (`\n`, `\x41`, `\u{1F600}`, a line continuation).
fn unescape(sequence: &str, out: &mut String) {
    let Some(body) = sequence.strip_prefix('\\') else {
        out.push_str(sequence);
        return;
    };
    let mut chars = body.chars();
    let Some(first) = chars.next() else {
        return;
    };
    let rest = chars.as_str();
    let code = |hex: &str| {
        u32::from_str_radix(hex, 16)
            .ok()
            .map(|n| char::from_u32(n).unwrap_or(char::REPLACEMENT_CHARACTER))
    };
    let simple = match first {
        'n' => Some('\n'),
        't' => Some('\t'),
        'r' => Some('\r'),
        'b' => Some('\u{8}'),
        'f' => Some('\u{c}'),
        'v' => Some('\u{b}'),
        '0' if rest.is_empty() => Some('\0'),
        'x' => code(rest),
        'u' => code(rest.trim_start_matches('{').trim_end_matches('}')),
        // A line continuation adds nothing to the value.
        '\n' | '\r' | '\u{2028}' | '\u{2029}' => return,
        _ => None,
    };
    match simple {
        Some(c) => out.push(c),
        None => out.push_str(body),
    }
}

fn bound_names(target: &Target, out: &mut Vec<String>) {
    let mut stack = vec![target];
    while let Some(target) = stack.pop() {
        match target {
            Target::Name(name, _) => out.push(name.clone()),
            Target::Object(entries, _) => stack.extend(entries.iter().rev().map(|(_, t)| t)),
            Target::List(items, _) => stack.extend(items.iter().rev()),
            Target::Attr(..) | Target::Index(..) => {}
        }
    }
}

/// The name an assignment to `target` gives a function: `handler` for `handler = …`,
/// `exports.handler = …` and `exports["handler"] = …`.
fn target_name(target: &Target) -> Option<&str> {
    match target {
        Target::Name(name, _) | Target::Attr(_, name, _) => Some(name),
        Target::Index(_, Key::Str(name), _) => Some(name),
        _ => None,
    }
}

/// Whether evaluating the expression could do something (call, construct) worth a statement.
fn may_have_effects(expr: &Expr) -> bool {
    !matches!(
        expr,
        Expr::Name(..) | Expr::Function(..) | Expr::Const(..) | Expr::Str(..) | Expr::Attr(..)
    )
}

fn is_module_exports(expr: &Expr) -> bool {
    matches!(expr, Expr::Attr(object, attr, _)
        if attr == "exports" && matches!(object.as_ref(), Expr::Name(m, _) if m == "module"))
}

fn is_exports_object(expr: &Expr) -> bool {
    matches!(expr, Expr::Name(name, _) if name == "exports") || is_module_exports(expr)
}

#[derive(Clone, Copy, PartialEq)]
enum OpClass {
    Concat,
    Choice,
    Other,
}

fn op_class(operator: &str) -> OpClass {
    match operator {
        "+" => OpClass::Concat,
        "||" | "&&" | "??" => OpClass::Choice,
        _ => OpClass::Other,
    }
}

impl<'s> Lowerer<'s> {
    fn text(&self, node: Node) -> &'s str {
        tree::text(self.src, node)
    }

    fn name(&self, node: Node) -> Expr {
        Expr::Name(self.text(node).to_owned(), range(node))
    }

    /// The value of a string literal, or of a template literal without substitutions, its
    /// escapes resolved.
    fn string_value(&self, node: Node) -> String {
        let mut out = String::new();
        for child in all(node) {
            match child.kind() {
                "string_fragment" | "html_character_reference" => out.push_str(self.text(child)),
                "escape_sequence" => unescape(self.text(child), &mut out),
                _ => {}
            }
        }
        out
    }

    /// The literal name of a property key: an identifier, a string, a number, or a computed key
    /// that is a string literal.
    fn key_name(&self, node: Node) -> Option<String> {
        match node.kind() {
            "property_identifier"
            | "private_property_identifier"
            | "identifier"
            | "shorthand_property_identifier"
            | "shorthand_property_identifier_pattern" => Some(self.text(node).to_owned()),
            "string" => Some(self.string_value(node)),
            "number" => {
                let text = self.text(node);
                Some(int_literal(text).map_or_else(|| text.to_owned(), |n| n.to_string()))
            }
            "computed_property_name" => {
                let inner = unwrap_value(operand(node)?);
                match inner.kind() {
                    "string" => Some(self.string_value(inner)),
                    "template_string"
                        if !named(inner)
                            .iter()
                            .any(|c| c.kind() == "template_substitution") =>
                    {
                        Some(self.string_value(inner))
                    }
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// The literal name of the key that `field` of `node` holds.
    fn field_key(&self, node: Node, field: &str) -> Option<String> {
        node.child_by_field_name(field)
            .and_then(|key| self.key_name(key))
    }

    // ---------------------------------------------------------------------------------------
    // Statements

    /// The statements of a program, block or function body.
    fn stmts(&mut self, parent: Node, depth: usize) -> Vec<Stmt> {
        let mut seq = Seq::default();
        for child in named(parent) {
            self.stmt(child, depth + 1, &mut seq.body, &mut seq.hoisted);
        }
        seq.finish()
    }

    /// The body of `if`, a loop, or a label: a block's statements, or one statement.
    fn body_of(&mut self, node: Option<Node>, depth: usize) -> Vec<Stmt> {
        match node {
            Some(node) if node.kind() == "statement_block" => self.stmts(node, depth),
            Some(node) => {
                let mut seq = Seq::default();
                self.stmt(node, depth + 1, &mut seq.body, &mut seq.hoisted);
                seq.finish()
            }
            None => Vec::new(),
        }
    }

    /// One statement into `out`; a function declaration's binding goes to `hoisted`.
    fn stmt(&mut self, node: Node, depth: usize, out: &mut Vec<Stmt>, hoisted: &mut Vec<Stmt>) {
        if depth > MAX_DEPTH {
            return;
        }
        let mark = self.pending.len();
        let mut lowered = Vec::new();
        self.stmt_kind(node, depth, &mut lowered, hoisted);
        self.emit(mark, lowered, out);
    }

    /// `lowered` into `out`, after the assignments made inside its expressions, which are in
    /// `pending` from `mark` on: they run first.
    fn emit(&mut self, mark: usize, mut lowered: Vec<Stmt>, out: &mut Vec<Stmt>) {
        let at = mark.min(self.pending.len());
        out.append(&mut self.pending.split_off(at));
        out.append(&mut lowered);
    }

    fn stmt_kind(
        &mut self,
        node: Node,
        depth: usize,
        out: &mut Vec<Stmt>,
        hoisted: &mut Vec<Stmt>,
    ) {
        match node.kind() {
            "expression_statement" => {
                for child in named(node) {
                    self.effect(child, depth, out);
                }
            }
            "lexical_declaration" | "variable_declaration" | "using_declaration" => {
                self.declaration(node, depth, out);
            }
            "function_declaration" | "generator_function_declaration" => {
                self.function_declaration(node, depth, hoisted);
            }
            "class_declaration" | "abstract_class_declaration" => {
                self.class_declaration(node, depth, out);
            }
            "return_statement" | "throw_statement" => self.jump(node, depth, out),
            "if_statement" => self.if_statement(node, depth, out),
            "for_statement" => self.for_statement(node, depth, out),
            "for_in_statement" => self.for_in_statement(node, depth, out),
            "while_statement" | "do_statement" => self.while_statement(node, depth, out),
            "try_statement" => self.try_statement(node, depth, out),
            "switch_statement" => self.switch_statement(node, depth, out),
            "statement_block" => self.block(node, depth, out),
            "labeled_statement" => self.labeled_statement(node, depth, out, hoisted),
            "with_statement" => self.with_statement(node, depth, out),
            "import_statement" => self.import_statement(node),
            "export_statement" => self.export_statement(node, depth, out, hoisted),
            "enum_declaration" => {
                self.enum_declaration(node, depth, out);
            }
            "internal_module" | "module" => self.namespace(node, depth, out),
            "import_alias" => self.import_alias(node, depth, out),
            "ERROR" => self.error_stmts(node, depth, out, hoisted),
            "empty_statement"
            | "break_statement"
            | "continue_statement"
            | "debugger_statement"
            | "hash_bang_line"
            | "interface_declaration"
            | "type_alias_declaration"
            | "ambient_declaration"
            | "function_signature"
            | "abstract_method_signature"
            | "index_signature" => {}
            kind if is_type_node(kind) => {}
            _ => self.effect(node, depth, out),
        }
    }

    // The statements below each have their own function: in a debug build, the locals of
    // every arm of `stmt_kind` would share its stack frame, which recursion multiplies.

    fn jump(&mut self, node: Node, depth: usize, out: &mut Vec<Stmt>) {
        let value = operand(node).map(|e| self.expr(e, depth + 1));
        out.push(if node.kind() == "throw_statement" {
            Stmt::Raise(value, range(node))
        } else {
            Stmt::Return(value, range(node))
        });
    }

    fn block(&mut self, node: Node, depth: usize, out: &mut Vec<Stmt>) {
        let body = self.stmts(node, depth);
        out.push(Stmt::Block(body));
    }

    fn labeled_statement(
        &mut self,
        node: Node,
        depth: usize,
        out: &mut Vec<Stmt>,
        hoisted: &mut Vec<Stmt>,
    ) {
        if let Some(body) = node.child_by_field_name("body") {
            self.stmt(body, depth + 1, out, hoisted);
        }
    }

    fn with_statement(&mut self, node: Node, depth: usize, out: &mut Vec<Stmt>) {
        if let Some(object) = node.child_by_field_name("object").and_then(operand) {
            let object = self.expr(object, depth + 1);
            out.push(Stmt::Expr(object));
        }
        let body = self.body_of(node.child_by_field_name("body"), depth);
        out.push(Stmt::Block(body));
    }

    /// An expression evaluated for its effect: assignments become `Assign`, a sequence each of
    /// its parts, anything else `Expr`.
    fn effect(&mut self, node: Node, depth: usize, out: &mut Vec<Stmt>) {
        if depth > MAX_DEPTH {
            return;
        }
        let node = unwrap_value(node);
        match node.kind() {
            "assignment_expression" | "augmented_assignment_expression" => {
                if let Some((target, value)) = self.assignment(node, depth + 1) {
                    out.push(Stmt::Assign {
                        target,
                        value,
                        range: range(node),
                    });
                }
            }
            "sequence_expression" => {
                for part in named(node) {
                    self.effect(part, depth + 1, out);
                }
            }
            "internal_module" | "module" => self.namespace(node, depth, out),
            _ => {
                let expr = self.expr(node, depth + 1);
                self.record_define_property(&expr);
                out.push(Stmt::Expr(expr));
            }
        }
    }

    /// `namespace N { … }`: its statements run in place; what it exports belongs to `N`, not
    /// to the module.
    fn namespace(&mut self, node: Node, depth: usize, out: &mut Vec<Stmt>) {
        if let Some(body) = node.child_by_field_name("body") {
            let exports = self.exports.clone();
            let body = self.stmts(body, depth);
            self.exports = exports;
            out.push(Stmt::Block(body));
        }
    }

    /// The valid parts of an `ERROR` node: its statements, and its expressions as statements.
    fn error_stmts(
        &mut self,
        node: Node,
        depth: usize,
        out: &mut Vec<Stmt>,
        hoisted: &mut Vec<Stmt>,
    ) {
        for child in named(node) {
            let kind = child.kind();
            if kind == "ERROR" {
                if depth < MAX_DEPTH {
                    self.error_stmts(child, depth + 1, out, hoisted);
                }
            } else if is_statement_kind(kind) {
                self.stmt(child, depth + 1, out, hoisted);
            } else if child.named_child_count() > 0 && !is_type_node(kind) && is_value_kind(kind) {
                let mark = self.pending.len();
                let mut produced = Vec::new();
                self.effect(child, depth + 1, &mut produced);
                self.emit(mark, produced, out);
            }
        }
    }

    fn declaration(&mut self, node: Node, depth: usize, out: &mut Vec<Stmt>) {
        for declarator in named(node) {
            if declarator.kind() != "variable_declarator" {
                continue;
            }
            let (Some(name), Some(value)) = (
                declarator.child_by_field_name("name"),
                declarator.child_by_field_name("value"),
            ) else {
                continue;
            };
            let target = self.target(name, depth + 1);
            let value = match &target {
                Target::Name(name, _) => {
                    let name = name.clone();
                    self.expr_named(value, depth + 1, &name)
                }
                _ => self.expr(value, depth + 1),
            };
            out.push(Stmt::Assign {
                target,
                value,
                range: range(declarator),
            });
        }
    }

    /// `function f() {}`: the function, and `f = Function(i)` at the start of the list.
    fn function_declaration(
        &mut self,
        node: Node,
        depth: usize,
        hoisted: &mut Vec<Stmt>,
    ) -> Option<String> {
        let name = node.child_by_field_name("name")?;
        let name_text = self.text(name).to_owned();
        let function = self.function(node, depth + 1, Some(name_text.clone()));
        hoisted.push(bind(&name_text, name, function, node));
        Some(name_text)
    }

    fn class_declaration(
        &mut self,
        node: Node,
        depth: usize,
        out: &mut Vec<Stmt>,
    ) -> Option<String> {
        let name = node.child_by_field_name("name")?;
        let name_text = self.text(name).to_owned();
        let (object, statics) = self.class(node, depth + 1, &name_text);
        out.push(bind(&name_text, name, object, node));
        if !statics.is_empty() {
            out.push(Stmt::Block(statics));
        }
        Some(name_text)
    }

    fn enum_declaration(
        &mut self,
        node: Node,
        depth: usize,
        out: &mut Vec<Stmt>,
    ) -> Option<String> {
        let name = node.child_by_field_name("name")?;
        let mut members = Vec::new();
        if let Some(body) = node.child_by_field_name("body") {
            for member in named(body) {
                if member.kind() == "enum_assignment" {
                    let key = self.field_key(member, "name");
                    let value = match member.child_by_field_name("value") {
                        Some(value) => self.expr(value, depth + 1),
                        None => Expr::Const(range(member)),
                    };
                    members.push((key, value));
                } else {
                    members.push((self.key_name(member), Expr::Const(range(member))));
                }
            }
        }
        let name_text = self.text(name).to_owned();
        let object = Expr::Object(members, range(node));
        out.push(bind(&name_text, name, object, node));
        Some(name_text)
    }

    /// TypeScript `import x = A.B;`: an assignment of the qualified name.
    fn import_alias(&mut self, node: Node, depth: usize, out: &mut Vec<Stmt>) {
        let parts = named(node);
        if let (Some(name), Some(value)) = (parts.first(), parts.get(1)) {
            let value = self.expr(*value, depth + 1);
            out.push(bind(self.text(*name), *name, value, node));
        }
    }

    fn condition(&mut self, node: Option<Node>, depth: usize) -> Option<Expr> {
        let node = node?;
        let inner = if node.kind() == "parenthesized_expression" {
            operand(node)?
        } else {
            node
        };
        Some(self.expr(inner, depth + 1))
    }

    fn if_statement(&mut self, node: Node, depth: usize, out: &mut Vec<Stmt>) {
        let cond = self
            .condition(node.child_by_field_name("condition"), depth)
            .unwrap_or(Expr::Other(Vec::new(), range(node)));
        let then = self.body_of(node.child_by_field_name("consequence"), depth);
        let otherwise = match node.child_by_field_name("alternative") {
            Some(alternative) => self.body_of(named(alternative).first().copied(), depth),
            None => Vec::new(),
        };
        out.push(Stmt::If {
            cond,
            then,
            otherwise,
            range: range(node),
        });
    }

    /// Lower a loop condition; the assignments inside it are also returned, to repeat them at
    /// the start of the body.
    fn loop_condition(&mut self, node: Option<Node>, depth: usize) -> (Option<Expr>, Vec<Stmt>) {
        let mark = self.pending.len();
        let cond = self.condition(node, depth);
        let repeated = self
            .pending
            .get(mark..)
            .map(<[Stmt]>::to_vec)
            .unwrap_or_default();
        (cond, repeated)
    }

    fn for_statement(&mut self, node: Node, depth: usize, out: &mut Vec<Stmt>) {
        if let Some(init) = node.child_by_field_name("initializer") {
            match init.kind() {
                "lexical_declaration" | "variable_declaration" => {
                    self.declaration(init, depth, out);
                }
                "empty_statement" => {}
                _ => self.effect(init, depth, out),
            }
        }
        let condition = fields(node, "condition")
            .into_iter()
            .find(|c| c.is_named() && c.kind() != "empty_statement" && !is_skipped_extra(*c));
        let (iter, mut body) = self.loop_condition(condition, depth);
        body.extend(self.body_of(node.child_by_field_name("body"), depth));
        if let Some(increment) = node.child_by_field_name("increment") {
            self.effect(increment, depth + 1, &mut body);
        }
        out.push(Stmt::Loop {
            target: None,
            iter,
            body,
            range: range(node),
        });
    }

    fn for_in_statement(&mut self, node: Node, depth: usize, out: &mut Vec<Stmt>) {
        let target = node
            .child_by_field_name("left")
            .map(|left| self.target(left, depth + 1));
        let iter = node
            .child_by_field_name("right")
            .map(|right| self.expr(right, depth + 1));
        let body = self.body_of(node.child_by_field_name("body"), depth);
        out.push(Stmt::Loop {
            target,
            iter,
            body,
            range: range(node),
        });
    }

    fn while_statement(&mut self, node: Node, depth: usize, out: &mut Vec<Stmt>) {
        let (iter, mut body) = self.loop_condition(node.child_by_field_name("condition"), depth);
        body.extend(self.body_of(node.child_by_field_name("body"), depth));
        out.push(Stmt::Loop {
            target: None,
            iter,
            body,
            range: range(node),
        });
    }

    fn try_statement(&mut self, node: Node, depth: usize, out: &mut Vec<Stmt>) {
        let body = self.body_of(node.child_by_field_name("body"), depth);
        let handlers = node
            .child_by_field_name("handler")
            .map(|handler| {
                let caught = handler
                    .child_by_field_name("parameter")
                    .filter(|p| p.kind() == "identifier")
                    .map(|p| self.text(p).to_owned());
                Handler {
                    caught,
                    body: self.body_of(handler.child_by_field_name("body"), depth),
                    range: range(handler),
                }
            })
            .into_iter()
            .collect();
        let finally = node
            .child_by_field_name("finalizer")
            .map(|f| self.body_of(f.child_by_field_name("body"), depth))
            .unwrap_or_default();
        out.push(Stmt::Try {
            body,
            handlers,
            finally,
            range: range(node),
        });
    }

    fn switch_statement(&mut self, node: Node, depth: usize, out: &mut Vec<Stmt>) {
        if let Some(value) = self.condition(node.child_by_field_name("value"), depth)
            && may_have_effects(&value)
        {
            out.push(Stmt::Expr(value));
        }
        let mut seq = Seq::default();
        if let Some(body) = node.child_by_field_name("body") {
            for case in named(body) {
                for statement in fields(case, "body") {
                    self.stmt(statement, depth + 1, &mut seq.body, &mut seq.hoisted);
                }
            }
        }
        out.push(Stmt::Block(seq.finish()));
    }

    fn import_statement(&mut self, node: Node) {
        if has_token(node, "type") {
            return;
        }
        let module = node
            .child_by_field_name("source")
            .map(|s| self.string_value(s))
            .unwrap_or_default();
        for child in named(node) {
            match child.kind() {
                "import_clause" => self.import_clause(child, &module),
                "import_require_clause" => {
                    let module = child
                        .child_by_field_name("source")
                        .map(|s| self.string_value(s))
                        .unwrap_or_default();
                    if let Some(local) = named(child).into_iter().find(|c| c.kind() == "identifier")
                    {
                        self.imports.push(Import {
                            local: self.text(local).to_owned(),
                            module,
                            member: None,
                            range: range(local),
                        });
                    }
                }
                _ => {}
            }
        }
    }

    fn import_clause(&mut self, clause: Node, module: &str) {
        for binding in named(clause) {
            match binding.kind() {
                "identifier" => self.imports.push(Import {
                    local: self.text(binding).to_owned(),
                    module: module.to_owned(),
                    member: Some("default".to_owned()),
                    range: range(binding),
                }),
                "namespace_import" => {
                    if let Some(local) = named(binding).first() {
                        self.imports.push(Import {
                            local: self.text(*local).to_owned(),
                            module: module.to_owned(),
                            member: None,
                            range: range(binding),
                        });
                    }
                }
                "named_imports" => {
                    for specifier in named(binding) {
                        let Some((_, member, local)) =
                            self.specifier(specifier, "import_specifier")
                        else {
                            continue;
                        };
                        self.imports.push(Import {
                            local,
                            module: module.to_owned(),
                            member: Some(member),
                            range: range(specifier),
                        });
                    }
                }
                _ => {}
            }
        }
    }

    /// `name as alias` in a specifier of kind `kind` (`import_specifier`, `export_specifier`)
    /// that is not type-only: the name's node, the name, and the alias (the name again when
    /// there is none).
    fn specifier<'t>(&self, specifier: Node<'t>, kind: &str) -> Option<(Node<'t>, String, String)> {
        if specifier.kind() != kind || has_token(specifier, "type") {
            return None;
        }
        let name = specifier.child_by_field_name("name")?;
        let text = self.specifier_name(name);
        let alias = specifier
            .child_by_field_name("alias")
            .map_or_else(|| text.clone(), |a| self.specifier_name(a));
        Some((name, text, alias))
    }

    /// A name in an import or export specifier: an identifier, `default`, or a string.
    fn specifier_name(&self, node: Node) -> String {
        if node.kind() == "string" {
            self.string_value(node)
        } else {
            self.text(node).to_owned()
        }
    }

    fn export_statement(
        &mut self,
        node: Node,
        depth: usize,
        out: &mut Vec<Stmt>,
        hoisted: &mut Vec<Stmt>,
    ) {
        if has_token(node, "type") {
            return;
        }
        let default = has_token(node, "default");
        if let Some(declaration) = node.child_by_field_name("declaration") {
            self.export_declaration(declaration, default, depth, out, hoisted);
            return;
        }
        if let Some(value) = node.child_by_field_name("value") {
            let value = self.expr_named(value, depth + 1, "default");
            if may_have_effects(&value) {
                out.push(Stmt::Expr(value.clone()));
            }
            self.export("default".to_owned(), value);
            return;
        }
        let source = node
            .child_by_field_name("source")
            .map(|s| self.string_value(s));
        if has_token(node, "=") {
            // TypeScript `export = value`, CommonJS's `module.exports = value`.
            if let Some(value) = named(node).into_iter().find(|c| !is_type_node(c.kind())) {
                let value = self.expr(value, depth + 1);
                if may_have_effects(&value) {
                    out.push(Stmt::Expr(value.clone()));
                }
                self.export_object(value);
            }
            return;
        }
        for child in named(node) {
            match child.kind() {
                "export_clause" => {
                    for specifier in named(child) {
                        self.export_specifier(specifier, source.as_deref());
                    }
                }
                "namespace_export" => {
                    let (Some(local), Some(module)) = (named(child).first().copied(), &source)
                    else {
                        continue;
                    };
                    let local_text = self.specifier_name(local);
                    self.imports.push(Import {
                        local: local_text.clone(),
                        module: module.clone(),
                        member: None,
                        range: range(child),
                    });
                    self.export(local_text.clone(), Expr::Name(local_text, range(local)));
                }
                _ => {}
            }
        }
    }

    fn export_declaration(
        &mut self,
        declaration: Node,
        default: bool,
        depth: usize,
        out: &mut Vec<Stmt>,
        hoisted: &mut Vec<Stmt>,
    ) {
        let names = match declaration.kind() {
            "function_declaration" | "generator_function_declaration" => self
                .function_declaration(declaration, depth, hoisted)
                .into_iter()
                .collect(),
            "class_declaration" | "abstract_class_declaration" => self
                .class_declaration(declaration, depth, out)
                .into_iter()
                .collect(),
            "enum_declaration" => self
                .enum_declaration(declaration, depth, out)
                .into_iter()
                .collect(),
            "lexical_declaration" | "variable_declaration" => {
                let start = out.len();
                self.declaration(declaration, depth, out);
                let mut names = Vec::new();
                for stmt in out.get(start..).unwrap_or_default() {
                    if let Stmt::Assign { target, .. } = stmt {
                        bound_names(target, &mut names);
                    }
                }
                names
            }
            _ => {
                self.stmt_kind(declaration, depth, out, hoisted);
                Vec::new()
            }
        };
        let at = range(declaration);
        for name in names {
            let exported = if default {
                "default".to_owned()
            } else {
                name.clone()
            };
            self.export(exported, Expr::Name(name, at));
        }
    }

    fn export_specifier(&mut self, specifier: Node, source: Option<&str>) {
        let Some((name, local, exported)) = self.specifier(specifier, "export_specifier") else {
            return;
        };
        let value = match source {
            Some(module) => {
                self.imports.push(Import {
                    local: exported.clone(),
                    module: module.to_owned(),
                    member: Some(local),
                    range: range(specifier),
                });
                Expr::Name(exported.clone(), range(specifier))
            }
            None => Expr::Name(local, range(name)),
        };
        self.export(exported, value);
    }

    /// Export `value` under `name`. A later export of a name replaces the earlier one, as the
    /// module's last assignment is what importers see (`exports.h = void 0; … exports.h = h`).
    fn export(&mut self, name: String, value: Expr) {
        match self.exports.iter_mut().find(|e| e.name == name) {
            Some(earlier) => earlier.value = value,
            None => self.exports.push(Export { name, value }),
        }
    }

    /// `module.exports = value`: one export per literal key of an object, else `default`.
    fn export_object(&mut self, value: Expr) {
        match value {
            Expr::Object(entries, _) => {
                for (key, value) in entries {
                    if let Some(name) = key {
                        self.export(name, value);
                    }
                }
            }
            value => self.export("default".to_owned(), value),
        }
    }

    // ---------------------------------------------------------------------------------------
    // Assignments and patterns

    /// The target and value of `left = right` / `left op= right`; CommonJS exports are
    /// recorded on the way.
    fn assignment(&mut self, node: Node, depth: usize) -> Option<(Target, Expr)> {
        let left = node.child_by_field_name("left")?;
        let right = node.child_by_field_name("right")?;
        let target = self.target(left, depth + 1);
        let value = if node.kind() == "augmented_assignment_expression" {
            let operator = node
                .child_by_field_name("operator")
                .map_or("", |op| self.text(op));
            let current = self.expr(left, depth + 1);
            let operand = self.expr(right, depth + 1);
            let parts = vec![current, operand];
            match operator {
                "+=" => Expr::Concat(parts, range(node)),
                "??=" | "||=" | "&&=" => Expr::Choice(parts, range(node)),
                _ => Expr::Other(parts, range(node)),
            }
        } else {
            match target_name(&target) {
                Some(name) => {
                    let name = name.to_owned();
                    self.expr_named(right, depth + 1, &name)
                }
                None => self.expr(right, depth + 1),
            }
        };
        if node.kind() == "assignment_expression" {
            self.record_commonjs_export(&target, &value, right);
        }
        Some((target, value))
    }

    fn record_commonjs_export(&mut self, target: &Target, value: &Expr, right: Node) {
        // Through a chain `module.exports.h = exports.h = fn`, export `fn` itself.
        let exported = match value {
            Expr::Other(parts, _)
                if parts.len() == 1 && unwrap_value(right).kind() == "assignment_expression" =>
            {
                parts.first().unwrap_or(value)
            }
            _ => value,
        };
        match target {
            Target::Attr(object, name, _) if is_exports_object(object) => {
                self.export(name.clone(), exported.clone());
            }
            Target::Index(object, Key::Str(name), _) if is_exports_object(object) => {
                self.export(name.clone(), exported.clone());
            }
            Target::Attr(Expr::Name(module, _), name, _)
                if module == "module" && name == "exports" =>
            {
                self.export_object(exported.clone());
            }
            _ => {}
        }
    }

    /// `Object.defineProperty(exports, "x", { get: function () { return v; } })`, which
    /// TypeScript emits for a re-export: `Export x v` (or the descriptor's `value`).
    fn record_define_property(&mut self, expr: &Expr) {
        let Expr::Call(call) = expr else {
            return;
        };
        let Expr::Attr(object, method, _) = &call.callee else {
            return;
        };
        if method != "defineProperty"
            || !matches!(object.as_ref(), Expr::Name(o, _) if o == "Object")
        {
            return;
        }
        let [exports, name, descriptor, ..] = call.args.as_slice() else {
            return;
        };
        let (Expr::Str(name, _), Expr::Object(entries, _)) = (&name.value, &descriptor.value)
        else {
            return;
        };
        if !is_exports_object(&exports.value) || name == "__esModule" {
            return;
        }
        let value = entries
            .iter()
            .find_map(|(key, value)| match (key.as_deref(), value) {
                (Some("value"), value) => Some(value.clone()),
                (Some("get"), Expr::Function(index, _)) => self
                    .functions
                    .get(*index)?
                    .body
                    .iter()
                    .find_map(|stmt| match stmt {
                        Stmt::Return(Some(returned), _) => Some(returned.clone()),
                        _ => None,
                    }),
                _ => None,
            });
        if let Some(value) = value {
            self.export(name.clone(), value);
        }
    }

    fn target(&mut self, node: Node, depth: usize) -> Target {
        let at = range(node);
        if depth > MAX_DEPTH {
            return Target::List(Vec::new(), at);
        }
        let depth = depth + 1;
        match node.kind() {
            "identifier" | "shorthand_property_identifier_pattern" | "undefined" | "this" => {
                Target::Name(self.text(node).to_owned(), at)
            }
            "member_expression" => match self.member_parts(node, depth) {
                Some((object, property)) => Target::Attr(object, property, at),
                None => Target::List(Vec::new(), at),
            },
            "subscript_expression" => match self.subscript_parts(node, depth) {
                Some((object, key)) => Target::Index(object, key, at),
                None => Target::List(Vec::new(), at),
            },
            "object_pattern" => self.object_pattern(node, depth),
            "array_pattern" => self.array_pattern(node, depth),
            "assignment_pattern"
            | "object_assignment_pattern"
            | "required_parameter"
            | "optional_parameter"
            | "rest_pattern"
            | "parenthesized_expression"
            | "non_null_expression" => match inner_pattern(node) {
                Some(inner) => self.target(inner, depth),
                None => Target::List(Vec::new(), at),
            },
            // Not a valid target (a syntax error recovered from): it binds nothing.
            _ => Target::List(Vec::new(), at),
        }
    }

    fn object_pattern(&mut self, node: Node, depth: usize) -> Target {
        let mut entries = Vec::new();
        for child in named(node) {
            match child.kind() {
                "shorthand_property_identifier_pattern" => {
                    let name = self.text(child).to_owned();
                    entries.push((Some(name.clone()), Target::Name(name, range(child))));
                }
                "pair_pattern" => {
                    let key = self.field_key(child, "key");
                    if let Some(value) = child.child_by_field_name("value") {
                        entries.push((key, self.target(value, depth)));
                    }
                }
                "object_assignment_pattern" => {
                    if let Some(left) = child.child_by_field_name("left") {
                        let key = (left.kind() == "shorthand_property_identifier_pattern")
                            .then(|| self.text(left).to_owned());
                        entries.push((key, self.target(left, depth)));
                    }
                }
                "rest_pattern" => entries.push((None, self.target(child, depth))),
                _ => {}
            }
        }
        Target::Object(entries, range(node))
    }

    fn array_pattern(&mut self, node: Node, depth: usize) -> Target {
        let mut items = Vec::new();
        for element in elements(node) {
            items.push(match element {
                // An empty pattern binds nothing.
                Element::Hole(at) => Target::List(Vec::new(), at),
                Element::Node(child) => self.target(child, depth),
            });
        }
        Target::List(items, range(node))
    }

    fn key(&mut self, index: Node, depth: usize) -> Key {
        let inner = unwrap_value(index);
        if inner.kind() == "number"
            && let Some(n) = int_literal(self.text(inner))
        {
            return Key::Int(n);
        }
        match self.expr(index, depth) {
            Expr::Str(s, _) => Key::Str(s),
            other => Key::Dynamic(Box::new(other)),
        }
    }

    // ---------------------------------------------------------------------------------------
    // Functions and classes

    /// A function, arrow function or method: its index in [`Module::functions`].
    fn function(&mut self, node: Node, depth: usize, name: Option<String>) -> Expr {
        let at = range(node);
        let name = name
            .or_else(|| {
                node.child_by_field_name("name")
                    .filter(|n| n.kind() == "identifier")
                    .map(|n| self.text(n).to_owned())
            })
            .unwrap_or_else(|| "<lambda>".to_owned());
        let index = self.functions.len();
        self.functions.push(Function {
            name,
            params: Vec::new(),
            body: Vec::new(),
            range: at,
            is_method: false,
        });
        if depth > MAX_DEPTH {
            return Expr::Function(index, at);
        }
        // The statement around the function is not the body's: keep their assignments apart.
        let outer = std::mem::take(&mut self.pending);
        let mut prologue = Vec::new();
        let params = self.params(node, depth + 1, &mut prologue);
        let mut body = std::mem::take(&mut self.pending);
        body.append(&mut prologue);
        match node.child_by_field_name("body") {
            Some(block) if block.kind() == "statement_block" => {
                body.append(&mut self.stmts(block, depth));
            }
            Some(expression) => {
                let value = self.expr(expression, depth + 1);
                body.append(&mut self.pending);
                body.push(Stmt::Return(Some(value), range(expression)));
            }
            None => {}
        }
        self.pending = outer;
        if let Some(function) = self.functions.get_mut(index) {
            function.params = params;
            function.body = body;
        }
        Expr::Function(index, at)
    }

    /// The parameters; TypeScript parameter properties add `this.x = x` to `prologue`.
    fn params(&mut self, node: Node, depth: usize, prologue: &mut Vec<Stmt>) -> Vec<Param> {
        if let Some(single) = node.child_by_field_name("parameter") {
            return vec![Param {
                target: self.target(single, depth),
                default: None,
                rest: false,
            }];
        }
        let Some(list) = node.child_by_field_name("parameters") else {
            return Vec::new();
        };
        let mut params = Vec::new();
        for param in named(list) {
            if let Some(param) = self.param(param, depth, prologue) {
                params.push(param);
            }
        }
        params
    }

    fn param(&mut self, node: Node, depth: usize, prologue: &mut Vec<Stmt>) -> Option<Param> {
        match node.kind() {
            "identifier" | "object_pattern" | "array_pattern" => Some(Param {
                target: self.target(node, depth),
                default: None,
                rest: false,
            }),
            "assignment_pattern" => {
                let target = self.target(node.child_by_field_name("left")?, depth);
                let default = node
                    .child_by_field_name("right")
                    .map(|r| self.expr(r, depth));
                Some(Param {
                    target,
                    default,
                    rest: false,
                })
            }
            "rest_pattern" => Some(Param {
                target: self.target(node, depth),
                default: None,
                rest: true,
            }),
            "required_parameter" | "optional_parameter" => {
                let pattern = inner_pattern(node)?;
                if pattern.kind() == "this" {
                    return None;
                }
                let target = self.target(pattern, depth);
                let default = node
                    .child_by_field_name("value")
                    .map(|v| self.expr(v, depth));
                let is_property = has_token(node, "readonly")
                    || named(node).iter().any(|c| {
                        matches!(c.kind(), "accessibility_modifier" | "override_modifier")
                    });
                if is_property && let Target::Name(name, at) = &target {
                    prologue.push(Stmt::Assign {
                        target: Target::Attr(Expr::Name("this".to_owned(), *at), name.clone(), *at),
                        value: Expr::Name(name.clone(), *at),
                        range: range(node),
                    });
                }
                Some(Param {
                    target,
                    default,
                    rest: pattern.kind() == "rest_pattern",
                })
            }
            _ => None,
        }
    }

    /// A class: `Object` of its methods and fields, and the statements of its static blocks.
    fn class(&mut self, node: Node, depth: usize, class_name: &str) -> (Expr, Vec<Stmt>) {
        let mut entries = Vec::new();
        let mut statics = Vec::new();
        let Some(body) = node.child_by_field_name("body") else {
            return (Expr::Object(entries, range(node)), statics);
        };
        if depth > MAX_DEPTH {
            return (Expr::Object(entries, range(node)), statics);
        }
        for member in named(body) {
            match member.kind() {
                "method_definition" => {
                    let key = self.field_key(member, "name");
                    let name = member_name(class_name, key.as_deref());
                    let function = self.function(member, depth + 1, Some(name));
                    entries.push((key, function));
                }
                "field_definition" | "public_field_definition" => {
                    let key = member
                        .child_by_field_name("property")
                        .or_else(|| member.child_by_field_name("name"))
                        .and_then(|k| self.key_name(k));
                    if let Some(value) = member.child_by_field_name("value") {
                        let name = member_name(class_name, key.as_deref());
                        let value = self.expr_named(value, depth + 1, &name);
                        entries.push((key, value));
                    }
                }
                "class_static_block" => {
                    let mut block = self.body_of(member.child_by_field_name("body"), depth);
                    statics.append(&mut block);
                }
                _ => {}
            }
        }
        (Expr::Object(entries, range(node)), statics)
    }

    // ---------------------------------------------------------------------------------------
    // Expressions

    /// An expression bound to `name`: a function or class there takes the name.
    fn expr_named(&mut self, node: Node, depth: usize, name: &str) -> Expr {
        let inner = unwrap_value(node);
        match inner.kind() {
            "arrow_function" | "function_expression" | "function" | "generator_function" => {
                self.function(inner, depth, Some(name.to_owned()))
            }
            "class" => self.class_expr(inner, depth, Some(name)),
            _ => self.expr(node, depth),
        }
    }

    fn class_expr(&mut self, node: Node, depth: usize, name: Option<&str>) -> Expr {
        let own = node
            .child_by_field_name("name")
            .map(|n| self.text(n).to_owned());
        let class_name = name
            .map(str::to_owned)
            .or(own)
            .unwrap_or_else(|| "<class>".to_owned());
        let (object, mut statics) = self.class(node, depth, &class_name);
        if !statics.is_empty() {
            self.pending.push(Stmt::Block(std::mem::take(&mut statics)));
        }
        object
    }

    fn expr(&mut self, node: Node, depth: usize) -> Expr {
        let at = range(node);
        if depth > MAX_DEPTH || node.is_missing() {
            return Expr::Other(Vec::new(), at);
        }
        let depth = depth + 1;
        match node.kind() {
            "identifier"
            | "this"
            | "super"
            | "import"
            | "meta_property"
            | "shorthand_property_identifier"
            | "property_identifier"
            | "private_property_identifier" => self.name(node),
            "undefined" | "number" | "true" | "false" | "null" | "regex" => Expr::Const(at),
            "string" => Expr::Str(self.string_value(node), at),
            "template_string" => self.template(node, depth),
            "parenthesized_expression"
            | "await_expression"
            | "non_null_expression"
            | "as_expression"
            | "satisfies_expression"
            | "type_assertion"
            | "instantiation_expression" => self.operand_expr(node, depth),
            "member_expression" | "nested_identifier" => self.member(node, depth),
            "subscript_expression" => self.subscript(node, depth),
            "call_expression" | "new_expression" => self.call(node, depth),
            "binary_expression" => self.binary(node, depth),
            "ternary_expression" => self.ternary(node, depth),
            "sequence_expression" => self.sequence(node, depth),
            "assignment_expression" | "augmented_assignment_expression" => {
                self.assignment_expr(node, depth)
            }
            "array" => self.array(node, depth),
            "object" => self.object(node, depth),
            "arrow_function" | "function_expression" | "function" | "generator_function" => {
                self.function(node, depth, None)
            }
            "class" => self.class_expr(node, depth, None),
            _ => self.other(node, depth),
        }
    }

    // Each kind of expression has its own function, so that the recursion through `expr`
    // costs a small stack frame in a debug build.

    fn ternary(&mut self, node: Node, depth: usize) -> Expr {
        let parts = ["condition", "consequence", "alternative"]
            .into_iter()
            .filter_map(|f| node.child_by_field_name(f))
            .map(|part| self.expr(part, depth))
            .collect();
        Expr::Choice(parts, range(node))
    }

    /// `a, b`: `Other` of the parts; but `(0, m.f)`, which compilers emit to call `m.f`
    /// without `this`, is just `m.f`.
    fn sequence(&mut self, node: Node, depth: usize) -> Expr {
        let mut parts: Vec<Expr> = named(node)
            .into_iter()
            .map(|part| self.expr(part, depth))
            .collect();
        let literal_prefix = parts
            .split_last()
            .is_some_and(|(_, prefix)| prefix.iter().all(|p| matches!(p, Expr::Const(_))));
        match parts.pop() {
            Some(last) if literal_prefix => last,
            Some(last) => {
                parts.push(last);
                Expr::Other(parts, range(node))
            }
            None => Expr::Other(parts, range(node)),
        }
    }

    /// An assignment used as a value: `Other([value])`, its `Assign` emitted before the
    /// statement.
    fn assignment_expr(&mut self, node: Node, depth: usize) -> Expr {
        let at = range(node);
        match self.assignment(node, depth) {
            Some((target, value)) => {
                self.pending.push(Stmt::Assign {
                    target,
                    value: value.clone(),
                    range: at,
                });
                Expr::Other(vec![value], at)
            }
            None => Expr::Other(Vec::new(), at),
        }
    }

    /// The value of the one operand of `node` (`(x)`, `...x`, `${x}`).
    fn operand_expr(&mut self, node: Node, depth: usize) -> Expr {
        match operand(node) {
            Some(inner) => self.expr(inner, depth),
            None => Expr::Other(Vec::new(), range(node)),
        }
    }

    /// Anything else: `Other` of the values among its children.
    fn other(&mut self, node: Node, depth: usize) -> Expr {
        let parts = named(node)
            .into_iter()
            .filter(|c| !is_type_node(c.kind()))
            .map(|c| self.expr(c, depth))
            .collect();
        Expr::Other(parts, range(node))
    }

    fn member(&mut self, node: Node, depth: usize) -> Expr {
        match self.member_parts(node, depth) {
            Some((object, property)) => Expr::Attr(Box::new(object), property, range(node)),
            None => self.other(node, depth),
        }
    }

    /// The object and property name of `o.p`, as a value or a target.
    fn member_parts(&mut self, node: Node, depth: usize) -> Option<(Expr, String)> {
        let object = node.child_by_field_name("object")?;
        let property = node.child_by_field_name("property")?;
        Some((self.expr(object, depth), self.text(property).to_owned()))
    }

    fn subscript(&mut self, node: Node, depth: usize) -> Expr {
        match self.subscript_parts(node, depth) {
            Some((object, key)) => Expr::Index(Box::new(object), key, range(node)),
            None => self.other(node, depth),
        }
    }

    /// The object and key of `o[k]`, as a value or a target.
    fn subscript_parts(&mut self, node: Node, depth: usize) -> Option<(Expr, Key)> {
        let object = node.child_by_field_name("object")?;
        let index = node.child_by_field_name("index")?;
        let object = self.expr(object, depth);
        Some((object, self.key(index, depth)))
    }

    /// A call, a tagged template, or `new C(…)` (a call with `is_new`).
    fn call(&mut self, node: Node, depth: usize) -> Expr {
        let is_new = node.kind() == "new_expression";
        let callee_field = if is_new { "constructor" } else { "function" };
        let Some(function) = node.child_by_field_name(callee_field) else {
            return self.other(node, depth);
        };
        let callee = self.expr(function, depth);
        let args = match node.child_by_field_name("arguments") {
            // A tagged template: the tag gets the template's parts.
            Some(template) if template.kind() == "template_string" => vec![Arg {
                keyword: None,
                value: self.template(template, depth),
                spread: false,
            }],
            Some(arguments) => self.args(arguments, depth),
            None => Vec::new(),
        };
        Expr::Call(Box::new(Call {
            callee,
            args,
            is_new,
            range: range(node),
        }))
    }

    fn args(&mut self, arguments: Node, depth: usize) -> Vec<Arg> {
        named(arguments)
            .into_iter()
            .map(|arg| {
                if arg.kind() == "spread_element" {
                    Arg {
                        keyword: None,
                        value: self.operand_expr(arg, depth),
                        spread: true,
                    }
                } else {
                    Arg {
                        keyword: None,
                        value: self.expr(arg, depth),
                        spread: false,
                    }
                }
            })
            .collect()
    }

    /// `a + b + c` is one `Concat` of three parts: the left spine of a chain of one class of
    /// operators is walked iteratively.
    fn binary(&mut self, node: Node, depth: usize) -> Expr {
        let class = op_class(operator(node));
        let mut operands = Vec::new();
        let mut current = node;
        loop {
            if let Some(right) = current.child_by_field_name("right") {
                operands.push(right);
            }
            match current.child_by_field_name("left") {
                Some(left)
                    if left.kind() == "binary_expression" && op_class(operator(left)) == class =>
                {
                    current = left;
                }
                Some(left) => {
                    operands.push(left);
                    break;
                }
                None => break,
            }
        }
        let parts = operands
            .into_iter()
            .rev()
            .map(|operand| self.expr(operand, depth))
            .collect();
        match class {
            OpClass::Concat => Expr::Concat(parts, range(node)),
            OpClass::Choice => Expr::Choice(parts, range(node)),
            OpClass::Other => Expr::Other(parts, range(node)),
        }
    }

    /// A template literal: `Str` without substitutions, else `Concat` of its literal pieces and
    /// substitutions.
    fn template(&mut self, node: Node, depth: usize) -> Expr {
        let mut parts = Vec::new();
        let mut piece = String::new();
        let mut piece_range: Option<(usize, usize)> = None;
        let mut substituted = false;
        for child in named(node) {
            match child.kind() {
                "string_fragment" | "escape_sequence" => {
                    if child.kind() == "escape_sequence" {
                        unescape(self.text(child), &mut piece);
                    } else {
                        piece.push_str(self.text(child));
                    }
                    let start = piece_range.map_or(child.start_byte(), |(s, _)| s);
                    piece_range = Some((start, child.end_byte()));
                }
                "template_substitution" => {
                    substituted = true;
                    if let Some((start, end)) = piece_range.take() {
                        parts.push(Expr::Str(
                            std::mem::take(&mut piece),
                            Range::new(start, end),
                        ));
                    }
                    parts.push(self.operand_expr(child, depth));
                }
                _ => {}
            }
        }
        if !substituted {
            return Expr::Str(piece, range(node));
        }
        if let Some((start, end)) = piece_range {
            parts.push(Expr::Str(piece, Range::new(start, end)));
        }
        Expr::Concat(parts, range(node))
    }

    fn array(&mut self, node: Node, depth: usize) -> Expr {
        let mut items = Vec::new();
        for element in elements(node) {
            items.push(match element {
                Element::Hole(at) => Expr::Const(at),
                Element::Node(child) if child.kind() == "spread_element" => {
                    self.operand_expr(child, depth)
                }
                Element::Node(child) => self.expr(child, depth),
            });
        }
        Expr::List(items, range(node))
    }

    fn object(&mut self, node: Node, depth: usize) -> Expr {
        let mut entries = Vec::new();
        for child in named(node) {
            match child.kind() {
                "pair" => {
                    let key = self.field_key(child, "key");
                    let Some(value) = child.child_by_field_name("value") else {
                        continue;
                    };
                    let value = match &key {
                        Some(name) => self.expr_named(value, depth, name),
                        None => self.expr(value, depth),
                    };
                    entries.push((key, value));
                }
                "shorthand_property_identifier" => {
                    let name = self.text(child).to_owned();
                    entries.push((Some(name), self.name(child)));
                }
                "method_definition" => {
                    let key = self.field_key(child, "name");
                    let function = self.function(child, depth, key.clone());
                    entries.push((key, function));
                }
                "spread_element" => {
                    let value = self.operand_expr(child, depth);
                    entries.push((None, value));
                }
                _ => {}
            }
        }
        Expr::Object(entries, range(node))
    }
}

/// The operator of a binary expression (`+`, `??`); tokens name their kind.
fn operator<'t>(node: Node<'t>) -> &'t str {
    node.child_by_field_name("operator")
        .map_or("", |op| op.kind())
}

/// Kinds of expressions worth lowering when found loose in an `ERROR` node.
fn is_value_kind(kind: &str) -> bool {
    kind.ends_with("_expression")
        || matches!(
            kind,
            "arrow_function"
                | "function_expression"
                | "generator_function"
                | "class"
                | "array"
                | "object"
                | "template_string"
        )
}

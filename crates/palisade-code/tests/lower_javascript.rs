//! The JavaScript and TypeScript lowering on Lambda-handler-like code: the IR shapes the taint
//! engine relies on.
//!
//! The IR is rendered into a compact text form without ranges (see `common`), so that each test
//! reads like the code it lowers; ranges are checked separately.

#![allow(
    clippy::panic,
    clippy::expect_used,
    reason = "tests fail by panicking on unexpected shapes"
)]

mod common;

use common::{Syntax, text};
use palisade_code::ir::{Expr, Module, Stmt};
use palisade_code::lower::javascript::{lower, lower_tsx};

const JS: &Syntax = &Syntax::JAVASCRIPT;

fn js(src: &str) -> Module {
    lower(src, false).expect("tree-sitter-javascript parses any text")
}

fn ts(src: &str) -> Module {
    lower(src, true).expect("tree-sitter-typescript parses any text")
}

/// The whole module: imports, exports, top-level statements, then every function.
fn dump(m: &Module) -> String {
    let mut out = String::new();
    for i in &m.imports {
        let member = i.member.as_deref().unwrap_or("*");
        out.push_str(&format!("import {} = {}:{member}\n", i.local, i.module));
    }
    for e in &m.exports {
        out.push_str(&format!("export {} = {}\n", e.name, JS.expr(&e.value)));
    }
    out.push_str(&JS.render(&m.top));
    for (i, f) in m.functions.iter().enumerate() {
        out.push_str(&format!("#{i} {}", JS.function(f)));
    }
    out
}

fn grammar_loads(language: &tree_sitter::Language) {
    let mut parser = tree_sitter::Parser::new();
    parser
        .set_language(language)
        .expect("the grammar's ABI suits the tree-sitter core");
    assert!(parser.parse("let x = 1;", None).is_some());
}

#[test]
fn both_grammars_and_tsx_load_into_the_pinned_core() {
    grammar_loads(&tree_sitter_javascript::LANGUAGE.into());
    grammar_loads(&tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into());
    grammar_loads(&tree_sitter_typescript::LANGUAGE_TSX.into());
    assert_eq!(js(""), Module::default());
    assert_eq!(ts(""), Module::default());
    assert_eq!(lower_tsx("").expect("TSX parses"), Module::default());
}

#[test]
fn commonjs_handler_with_require_and_exports() {
    let m = js(r#"
const { exec } = require("child_process");
exports.handler = async (event) => {
  const body = JSON.parse(event.body);
  exec(`ls ${body.dir}`);
};
"#);
    assert_eq!(
        dump(&m),
        r#"export handler = fn#0
{exec: exec} = require("child_process")
exports.handler = fn#0
#0 function handler(event):
  body = JSON.parse(event.body)
  exec(concat("ls ", body.dir))
"#
    );
    assert!(m.imports.is_empty(), "require() stays a call");
    assert!(m.errors.is_empty());
}

#[test]
fn esm_handler_with_sdk_client_and_new() {
    let m = js(r#"
import { S3Client, PutObjectCommand } from "@aws-sdk/client-s3";
const client = new S3Client({});
export const handler = async (event) => {
  await client.send(new PutObjectCommand({ Bucket: process.env.BUCKET, Key: event.key }));
};
"#);
    assert_eq!(
        dump(&m),
        r#"import S3Client = @aws-sdk/client-s3:S3Client
import PutObjectCommand = @aws-sdk/client-s3:PutObjectCommand
export handler = handler
client = new S3Client({})
handler = fn#0
#0 function handler(event):
  client.send(new PutObjectCommand({Bucket: process.env.BUCKET, Key: event.key}))
"#
    );
}

#[test]
fn module_exports_object_exports_each_key() {
    let m = js(r#"
async function handler(event) { return run(event); }
const other = () => 1;
module.exports = { handler, other, named: function () {}, async method(e) {}, ...rest };
module.exports.extra = other;
exports["quoted"] = handler;
module.exports.h2 = exports.h2 = async () => {};
"#);
    assert_eq!(
        dump(&m),
        r#"export handler = handler
export other = other
export named = fn#2
export method = fn#3
export extra = other
export quoted = handler
export h2 = fn#4
handler = fn#0
other = fn#1
module.exports = {handler: handler, other: other, named: fn#2, method: fn#3, ...rest}
module.exports.extra = other
exports["quoted"] = handler
exports.h2 = fn#4
module.exports.h2 = other(fn#4)
#0 function handler(event):
  return run(event)
#1 function other():
  return const
#2 function named():
#3 function method(e):
#4 function h2():
"#
    );
}

#[test]
fn module_exports_of_one_value_is_the_default_export() {
    let m = js("module.exports = handler;");
    assert_eq!(m.exports.len(), 1);
    assert_eq!(m.exports[0].name, "default");
    assert_eq!(JS.expr(&m.exports[0].value), "handler");

    // The last assignment is what importers see.
    let m = js("module.exports = handler;\nmodule.exports = makeHandler(config);");
    let exports: Vec<String> = m
        .exports
        .iter()
        .map(|e| format!("{} = {}", e.name, JS.expr(&e.value)))
        .collect();
    assert_eq!(exports, ["default = makeHandler(config)"]);
}

#[test]
fn typescript_handler_with_types_interfaces_and_casts() {
    let m = ts(r#"
import { APIGatewayProxyEvent, APIGatewayProxyResult } from "aws-lambda";
import type { Context } from "aws-lambda";
import { type Foo, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import cp = require("child_process");
interface Body { dir: string; }
type Id = string | number;
declare const injected: number;
declare module "x" { export const y: number; }
enum Mode { Fast = "fast", Slow }
function overloaded(a: string): void;
function overloaded(a: any) {}
export const handler = async (
  event: APIGatewayProxyEvent,
  context?: Context,
): Promise<APIGatewayProxyResult> => {
  const body = JSON.parse(event.body!) as Body;
  const headers = (<any>event).headers satisfies object;
  const run = cp.execSync<string>;
  run(`ls ${body.dir}` as string);
  return { statusCode: 200, body: JSON.stringify(headers) };
};
"#);
    assert_eq!(
        dump(&m),
        r#"import APIGatewayProxyEvent = aws-lambda:APIGatewayProxyEvent
import APIGatewayProxyResult = aws-lambda:APIGatewayProxyResult
import DynamoDBClient = @aws-sdk/client-dynamodb:DynamoDBClient
import cp = child_process:*
export handler = handler
overloaded = fn#0
Mode = {Fast: "fast", Slow: const}
handler = fn#1
#0 function overloaded(a):
#1 function handler(event, context):
  body = JSON.parse(event.body)
  headers = event.headers
  run = cp.execSync
  run(concat("ls ", body.dir))
  return {statusCode: const, body: JSON.stringify(headers)}
"#
    );
    assert!(m.errors.is_empty(), "{:?}", m.errors);
}

#[test]
fn classes_bind_an_object_of_their_methods() {
    let m = js(r#"
class Service {
  static instance = null;
  client = new S3Client();
  constructor(table) { this.table = table; }
  async handle(event) { return this.query(event.id); }
  query = async (id) => db.query(`SELECT * FROM t WHERE id = ${id}`);
  get name() { return "svc"; }
  #secret() {}
  [Symbol.iterator]() {}
  static { Service.instance = new Service("t"); }
}
const service = new Service("t");
exports.handler = (event) => service.handle(event);
"#);
    assert_eq!(
        dump(&m),
        r#"export handler = fn#6
Service = {instance: const, client: new S3Client(), constructor: fn#0, handle: fn#1, query: fn#2, name: fn#3, #secret: fn#4, ...fn#5}
block:
  Service.instance = new Service("t")
service = new Service("t")
exports.handler = fn#6
#0 function Service.constructor(table):
  this.table = table
#1 function Service.handle(event):
  return this.query(event.id)
#2 function Service.query(id):
  return db.query(concat("SELECT * FROM t WHERE id = ", id))
#3 function Service.name():
  return "svc"
#4 function Service.#secret():
#5 function Service.<computed>():
#6 function handler(event):
  return service.handle(event)
"#
    );
    assert!(m.functions.iter().all(|f| !f.is_method));
}

#[test]
fn typescript_classes_skip_types_and_assign_parameter_properties() {
    let m = ts(r#"
@Injectable()
export abstract class Repo<T> implements Store<T> {
  private readonly prefix: string = "p";
  declare loaded: boolean;
  constructor(private readonly db: Db, public limit?: number, plain = 2) { super(); }
  @Log() async find<K>(id: K, ...rest: unknown[]): Promise<T> { return this.db.get(id as string); }
  abstract remove(id: string): void;
  [key: string]: unknown;
}
"#);
    assert_eq!(
        dump(&m),
        r#"export Repo = Repo
Repo = {prefix: "p", constructor: fn#0, find: fn#1}
#0 function Repo.constructor(db, limit, plain=const):
  this.db = db
  this.limit = limit
  super()
#1 function Repo.find(id, ...rest):
  return this.db.get(id)
"#
    );
}

#[test]
fn destructured_and_default_parameters() {
    let m = js(r#"
export const handler = async ({ body, headers: { authorization: auth }, q = {} }, context, ...rest) => {
  const [first, , third = 3, ...others] = body.items;
  const { a: { b }, ...remaining } = JSON.parse(body);
  return first;
};
function f(a = defaultValue(), [x, y] = [], { z } = {}) {}
const single = x => x.y;
"#);
    assert_eq!(
        dump(&m),
        r#"export handler = handler
f = fn#1
handler = fn#0
single = fn#2
#0 function handler({body: body, headers: {authorization: auth}, q: q}, context, ...rest):
  [first, [], third, others] = body.items
  {a: {b: b}, ...: remaining} = JSON.parse(body)
  return first
#1 function f(a=defaultValue(), [x, y]=[], {z: z}={}):
#2 function single(x):
  return x.y
"#
    );
}

#[test]
fn imports_and_exports_of_each_form() {
    let m = js(r#"
import cp from "child_process";
import * as fs from "fs";
import def, { exec as run, "odd-name" as odd, spawn } from "./lib/proc.js";
import "./side-effect.js";
const local = 1;
export { local as renamed, run };
export { helper as tool } from "./tools.js";
export * as ns from "./ns.js";
export * from "./everything.js";
export function handler(event) {}
export class Api {}
export let { x, y: [z] } = obj;
export default async (event) => event;
"#);
    assert_eq!(
        dump(&m),
        r#"import cp = child_process:default
import fs = fs:*
import def = ./lib/proc.js:default
import run = ./lib/proc.js:exec
import odd = ./lib/proc.js:odd-name
import spawn = ./lib/proc.js:spawn
import tool = ./tools.js:helper
import ns = ./ns.js:*
export renamed = local
export run = run
export tool = tool
export ns = ns
export handler = handler
export Api = Api
export x = x
export z = z
export default = fn#1
handler = fn#0
local = const
Api = {}
{x: x, y: [z]} = obj
#0 function handler(event):
#1 function default(event):
  return event
"#
    );
}

#[test]
fn export_default_declarations_and_expressions() {
    let m = js("export default function main(e) {}\n");
    assert_eq!(m.exports.len(), 1);
    assert_eq!(m.exports[0].name, "default");
    assert_eq!(JS.expr(&m.exports[0].value), "main");
    assert_eq!(JS.render(&m.top), "main = fn#0\n");

    let m = js("export default wrap(handler);\n");
    assert_eq!(JS.expr(&m.exports[0].value), "wrap(handler)");
    assert_eq!(
        JS.render(&m.top),
        "wrap(handler)\n",
        "the call is still seen"
    );

    let m = ts("const h = 1;\nexport = { h };\n");
    assert_eq!(JS.expr(&m.exports[0].value), "h");
    assert_eq!(m.exports[0].name, "h");
}

#[test]
fn assignments_inside_expressions_are_emitted_before_their_statement() {
    let m = js(r#"
x = y = event.body;
if ((match = re.exec(s))) { use(match); }
while ((m = re.exec(s)) !== null) { out.push(m[1]); }
const f = (e) => (last = e);
"#);
    assert_eq!(
        JS.render(&m.top),
        r#"y = event.body
x = other(event.body)
match = re.exec(s)
if other(re.exec(s)):
  use(match)
m = re.exec(s)
loop  in other(other(re.exec(s)), const):
  m = re.exec(s)
  out.push(m[1])
f = fn#0
"#
    );
    assert_eq!(
        JS.function(&m.functions[0]),
        "function f(e):\n  last = e\n  return other(e)\n"
    );
}

#[test]
fn control_flow_statements() {
    let m = js(r#"
for (let i = 0, n = list.length; i < n; i++) { total += list[i]; }
for (const [k, v] of Object.entries(event.headers)) log(k, v);
for (key in obj) {}
for await (const chunk of stream) {}
do { retry(); } while (failed);
try { risky(); } catch (err) { return { body: err.stack }; } finally { close(); }
try { a(); } catch { b(); }
try { a(); } catch ({ message }) { b(message); }
switch (route(event)) { case "a": doA(); break; default: doB(); }
switch (kind) { case 1: one(); }
outer: for (;;) { break outer; }
{ block(); }
if (a) one(); else if (b) two(); else three();
throw new Error("bad " + input);
a = 1, b += "x", c ??= d, e -= 1, f ||= g;
"#);
    assert_eq!(
        JS.render(&m.top),
        r#"i = const
n = list.length
loop  in other(i, n):
  total = concat(total, list[<i>])
  other(i)
loop [k, v] in Object.entries(event.headers):
  log(k, v)
loop key in obj:
loop chunk in stream:
loop  in failed:
  retry()
try:
  risky()
catch err:
  return {body: err.stack}
finally:
  close()
try:
  a()
catch _:
  b()
try:
  a()
catch _:
  b(message)
route(event)
block:
  doA()
  doB()
block:
  one()
loop  in :
block:
  block()
if a:
  one()
else:
  if b:
    two()
  else:
    three()
throw new Error(concat("bad ", input))
a = const
b = concat(b, "x")
c = choice(c, d)
e = other(e, const)
f = choice(f, g)
"#
    );
}

#[test]
fn block_statements_and_function_hoisting() {
    let m = js(
        "{ block(); }\nexports.handler = (e) => helper(e);\nfunction helper(x) { inner(); function inner() {} }\n",
    );
    assert_eq!(
        JS.render(&m.top),
        "helper = fn#1\nblock:\n  block()\nexports.handler = fn#0\n"
    );
    assert_eq!(
        JS.function(&m.functions[1]),
        "function helper(x):\n  inner = fn#2\n  inner()\n"
    );
}

#[test]
fn literals_strings_templates_and_keys() {
    let m = js(r#"
s = "a\"b\n\x41\u0042\u{43}\
d" + 'e' + name;
t = `plain\t`;
u = `${a}${b}`;
v = a + b - c + d;
o = { a, ...b, "c-d": 1, 2: d, 0x10: e, [f]: g, ["h"]: i, "j"() {} };
arr = [, 1, ...more, ,];
p[0]; p["k"]; p[`k`]; p[i]; p[1.5]; p[0x1F]; p[-1];
w = a || b || c && d;
w2 = a ?? b ?? c;
x = c ? a : b;
typeof x; !y; i++; void 0; a, b; n = /re/g; q = true; r = null; z = undefined;
"#);
    assert_eq!(
        JS.render(&m.top),
        r#"s = concat("a\"b\nABCd", "e", name)
t = "plain\t"
u = concat(a, b)
v = concat(other(concat(a, b), c), d)
o = {a: a, ...b, c-d: const, 2: d, 16: e, ...g, h: i, j: fn#0}
arr = [const, const, more, const]
p[0]
p["k"]
p["k"]
p[<i>]
p[<const>]
p[31]
p[<other(const)>]
w = choice(a, b, choice(c, d))
w2 = choice(a, b, c)
x = choice(c, a, b)
other(x)
other(y)
other(i)
other(const)
a
b
n = const
q = const
r = const
z = const
"#
    );
}

#[test]
fn optional_chaining_calls_and_tagged_templates() {
    let m = js(
        "a?.b?.[c]?.(d);\nnew Foo;\nnew Foo(...args, x);\nsql`SELECT * FROM t WHERE id = ${id}`;\nfn`plain`;\nimport(\"mod\");\nsuper.m(this);\n",
    );
    assert_eq!(
        JS.render(&m.top),
        r#"a.b[<c>](d)
new Foo()
new Foo(...args, x)
sql(concat("SELECT * FROM t WHERE id = ", id))
fn("plain")
import("mod")
super.m(this)
"#
    );
    let Stmt::Expr(Expr::Call(call)) = &m.top[2] else {
        panic!("a call: {:?}", m.top[2]);
    };
    assert!(call.is_new);
    assert!(call.args[0].spread && !call.args[1].spread);
}

#[test]
fn typescript_enums_namespaces_and_wrappers() {
    let m = ts(r#"
export namespace Util { export const q = 1; export function f() {} }
const a = x!.y as unknown as string;
const b = <string>(y satisfies T);
let c: number;
let d = f<string>(z);
"#);
    assert_eq!(
        dump(&m),
        r#"block:
  f = fn#0
  q = const
a = x.y
b = y
d = f(z)
#0 function f():
"#
    );
}

#[test]
fn tsx_files_parse_jsx_with_the_tsx_grammar() {
    let m = lower_tsx(
        "export const Page = (props: Props) => <div title={props.title}>{render(props.body)}</div>;\n",
    )
    .expect("TSX parses");
    assert!(m.errors.is_empty(), "{:?}", m.errors);
    assert_eq!(m.functions[0].name, "Page");
    let body = JS.render(&m.functions[0].body);
    assert!(body.contains("render(props.body)"), "{body}");
    assert!(body.contains("props.title"), "{body}");
}

#[test]
fn ranges_are_byte_offsets_of_the_nodes() {
    let src = "const é = 1;\nexports.handler = async (event) => exec(event.cmd);\n";
    let m = js(src);
    let Stmt::Assign { range, value, .. } = &m.top[1] else {
        panic!("an assignment: {:?}", m.top[1]);
    };
    assert_eq!(
        text(src, *range),
        "exports.handler = async (event) => exec(event.cmd)"
    );
    assert_eq!(text(src, value.range()), "async (event) => exec(event.cmd)");
    let f = &m.functions[0];
    assert_eq!(text(src, f.range), "async (event) => exec(event.cmd)");
    let Stmt::Return(Some(Expr::Call(call)), _) = &f.body[0] else {
        panic!("a return of a call: {:?}", f.body[0]);
    };
    assert_eq!(text(src, call.range), "exec(event.cmd)");
    assert_eq!(text(src, call.args[0].value.range()), "event.cmd");
}

#[test]
fn syntax_errors_are_listed_and_valid_parts_still_lowered() {
    let src = r#"const { exec } = require("child_process");
exports.handler = async (event) => {
  exec(event.cmd)
  if (x {
  }
  run(event.body);
};
function broken( {
const b = g(;
exports.other = async (e) => { spawn(e.body) };
"#;
    let m = js(src);
    assert!(!m.errors.is_empty());
    let d = dump(&m);
    assert!(
        d.contains("{exec: exec} = require(\"child_process\")"),
        "{d}"
    );
    assert!(d.contains("export handler = fn#0"), "{d}");
    assert!(d.contains("  exec(event.cmd)\n"), "{d}");
    assert!(d.contains("  run(event.body)\n"), "{d}");
    assert!(d.contains("spawn(e.body)"), "{d}");
    for error in &m.errors {
        assert!(error.start <= error.end && (error.end as usize) <= src.len());
    }
}

#[test]
fn garbage_input_never_panics() {
    for src in [
        "}}}{{{",
        "((((",
        "`${`${`${",
        "class { constructor(private) }",
        "export { as } from;",
        "import { a as } from",
        "x = [,,,",
        "\u{0}\u{feff}💥 = \"\\u{110000}\\x\\u\";",
        "for (const of of of) {}",
        "a = b = c = ;",
        "<div>{</div>",
        "@@@ enum { = } namespace",
    ] {
        let _ = js(src);
        let _ = ts(src);
        let _ = lower_tsx(src).expect("TSX parses any text");
    }
}

/// Half the 2 MiB stack a spawned thread gets by default: the lowering must leave its caller
/// room even at the depth limit, in a debug build.
const STACK: usize = 1 << 20;

/// Run `f` on a thread with a [`STACK`]-sized stack.
fn on_small_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(STACK)
        .spawn(f)
        .expect("a thread")
        .join()
        .expect("no stack overflow");
}

fn depth_of(e: &Expr) -> usize {
    match e {
        Expr::Other(parts, _)
        | Expr::List(parts, _)
        | Expr::Concat(parts, _)
        | Expr::Choice(parts, _) => 1 + parts.iter().map(depth_of).max().unwrap_or(0),
        Expr::Attr(o, _, _) | Expr::Index(o, _, _) => 1 + depth_of(o),
        Expr::Call(c) => {
            1 + depth_of(&c.callee)
                .max(c.args.iter().map(|a| depth_of(&a.value)).max().unwrap_or(0))
        }
        Expr::Object(entries, _) => 1 + entries.iter().map(|(_, v)| depth_of(v)).max().unwrap_or(0),
        _ => 1,
    }
}

#[test]
fn ten_thousand_nested_parentheses_and_arrays_lower_without_overflow() {
    on_small_stack(|| {
        let n = 10_000;
        let parens = format!("x = {}1{};", "(".repeat(n), ")".repeat(n));
        let m = js(&parens);
        assert!(m.errors.is_empty());
        assert_eq!(m.top.len(), 1);

        let arrays = format!("x = {}1{};", "[".repeat(n), "]".repeat(n));
        let m = js(&arrays);
        let Stmt::Assign { value, .. } = &m.top[0] else {
            panic!("an assignment");
        };
        assert!(depth_of(value) <= 210, "the IR is cut off deep down");
        let _ = ts(&arrays);
    });
}

#[test]
fn deep_nesting_of_every_recursive_form_lowers_without_overflow() {
    on_small_stack(|| {
        let n = 5_000;
        let cases = [
            format!("{}{}", "{".repeat(n), "}".repeat(n)),
            format!("x = {}1{};", "f(".repeat(n), ")".repeat(n)),
            format!("x = {}1{};", "{a: ".repeat(n), "}".repeat(n)),
            format!("x = {};", "a => ".repeat(n) + "1"),
            format!("x = {}1{};", "() => { return ".repeat(n), "}".repeat(n)),
            "if (a) ".repeat(n) + "b();",
            format!("{}1{}", "function f() { ".repeat(n), " }".repeat(n)),
            format!("x = a{};", ".b".repeat(n)),
            format!("x = a{};", "[0]".repeat(n)),
            format!("x = a{};", "()".repeat(n)),
            format!("x = 1{};", " + a".repeat(n)),
            format!("x = 1{};", " - a".repeat(n)),
            format!("x = {}1;", "a = ".repeat(n)),
            format!("x = {}1;", "-".repeat(n)),
            format!("x = {}1{};", "`${".repeat(n), "}`".repeat(n)),
            format!("x = {}1{};", "new F(".repeat(n), ")".repeat(n)),
            format!("x = {}1{};", "a ? b : ".repeat(n), ""),
            format!("{}{}", "class A { m() { ".repeat(n), "} }".repeat(n)),
            format!("{}{}", "try { ".repeat(n), "} finally {}".repeat(n)),
            format!("{}x();", "for (;;) ".repeat(n)),
            format!("const {} = o;", "{ a: ".repeat(n) + "b" + &" }".repeat(n)),
            format!("f({}) {{}}", "[".repeat(n) + &"]".repeat(n)),
            "if (a) {} ".to_owned() + &"else if (b) {} ".repeat(n),
        ];
        for src in &cases {
            let _ = js(src);
            let _ = ts(src);
        }
    });
}

#[test]
fn long_concatenation_chains_keep_every_part() {
    let n = 1_000;
    let src = format!("x = \"a\"{};", " + event.body".repeat(n));
    let m = js(&src);
    let Stmt::Assign {
        value: Expr::Concat(parts, _),
        ..
    } = &m.top[0]
    else {
        panic!("a concatenation: {:?}", m.top[0]);
    };
    assert_eq!(parts.len(), n + 1);
}

#[test]
fn byte_order_mark_and_crlf_line_ends() {
    let src = "\u{feff}const a = require(\"x\");\r\nexports.handler = async (e) => {\r\n  a(e);\r\n};\r\n";
    let m = js(src);
    assert_eq!(
        dump(&m),
        "export handler = fn#0\na = require(\"x\")\nexports.handler = fn#0\n#0 function handler(e):\n  a(e)\n"
    );
    assert!(m.errors.is_empty(), "{:?}", m.errors);
}

#[test]
fn typescript_commonjs_output_exports() {
    let m = js(r#""use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.handler = void 0;
const impl_1 = require("./impl");
Object.defineProperty(exports, "other", { enumerable: true, get: function () { return impl_1.other; } });
const handler = async (event) => (0, impl_1.run)(event.body);
exports.handler = handler;
"#);
    let exports: Vec<String> = m
        .exports
        .iter()
        .map(|e| format!("{} = {}", e.name, JS.expr(&e.value)))
        .collect();
    assert_eq!(exports, ["handler = handler", "other = impl_1.other"]);
    assert_eq!(
        JS.function(&m.functions[1]),
        "function handler(event):\n  return impl_1.run(event.body)\n"
    );
}

/// Cut and splice realistic sources at random places (a fixed-seed generator, so failures
/// reproduce): whatever tree-sitter recovers, the lowering must not panic.
#[test]
fn mangled_sources_never_panic() {
    let corpus = [
        "const { exec } = require(\"child_process\");\nexports.handler = async (event) => { const body = JSON.parse(event.body); exec(`ls ${body.dir}`); };\n",
        "import { S3Client, PutObjectCommand } from \"@aws-sdk/client-s3\";\nexport const handler = async (event) => { await client.send(new PutObjectCommand({ Bucket: process.env.BUCKET, Key: event.key })); };\n",
        "class S<T> { constructor(private readonly db: Db) {} async m({ a, b: [c = 1, ...d] }: X, ...r: T[]): Promise<void> { for (const [k, v] of Object.entries(a)) { x ??= k as string; } } }\n",
        "switch (a) { case 1: try { f(); } catch ({ message }) { throw new Error(`${message}`); } finally { g(); } default: label: while ((m = re.exec(s))) {} }\n",
        "export default function* gen() { yield* [1, , 2]; }\nexport { a as b, c } from './x';\nenum E { A = 'a', B }\nnamespace N { export const q = <any>x!; }\n",
    ];
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move |bound: usize| {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (seed >> 33) as usize % bound.max(1)
    };
    for _ in 0..400 {
        let a = corpus[next(corpus.len())];
        let b = corpus[next(corpus.len())];
        let cut = |s: &str, at: usize| {
            let mut at = at.min(s.len());
            while !s.is_char_boundary(at) {
                at -= 1;
            }
            at
        };
        let i = cut(a, next(a.len()));
        let j = cut(b, next(b.len()));
        let k = cut(a, i + next(a.len() - i + 1));
        let src = format!("{}{}{}", &a[..i], &b[j..], &a[k..]);
        let _ = js(&src);
        let _ = ts(&src);
        let _ = lower_tsx(&src).expect("TSX parses any text");
    }
}

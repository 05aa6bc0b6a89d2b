//! The Python lowering on Lambda-handler-like code: the IR shapes the taint engine relies on.
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
use palisade_code::ir::{Expr, Import, Module, Range, Stmt, Target};
use palisade_code::lower::python::lower;

const PY: &Syntax = &Syntax::PYTHON;

fn lowered(src: &str) -> Module {
    lower(src).expect("tree-sitter-python parses any text")
}

fn imports(m: &Module) -> Vec<(String, String, Option<String>)> {
    m.imports
        .iter()
        .map(
            |Import {
                 local,
                 module,
                 member,
                 ..
             }| (local.clone(), module.clone(), member.clone()),
        )
        .collect()
}

fn import(local: &str, module: &str, member: Option<&str>) -> (String, String, Option<String>) {
    (
        local.to_string(),
        module.to_string(),
        member.map(str::to_string),
    )
}

#[test]
fn imports_of_each_form_bind_their_local_names_and_stay_out_of_top() {
    let m = lowered(
        "import os\n\
         import os.path, a.b.c\n\
         import xml.etree.ElementTree as ET\n\
         from subprocess import run as r, Popen\n\
         from . import utils\n\
         from .db import query as q\n\
         from ..pkg.mod import thing\n\
         from os import *\n\
         from __future__ import annotations\n\
         def handler(event, context):\n    import pickle\n    return pickle.loads(event)\n",
    );
    assert_eq!(
        imports(&m),
        vec![
            import("os", "os", None),
            import("os", "os", None),
            import("a", "a", None),
            import("ET", "xml.etree.ElementTree", None),
            import("r", "subprocess", Some("run")),
            import("Popen", "subprocess", Some("Popen")),
            import("utils", ".", Some("utils")),
            import("q", ".db", Some("query")),
            import("thing", "..pkg.mod", Some("thing")),
            import("*", "os", Some("*")),
            import("pickle", "pickle", None),
        ]
    );
    assert_eq!(PY.render(&m.top), "handler = fn#0\n");
    assert!(m.errors.is_empty());
}

#[test]
fn lambda_handler_passes_event_data_through_an_f_string_to_a_shell() {
    let src = r#"import json
import subprocess

def lambda_handler(event, context):
    body = json.loads(event["body"])
    cmd = f"ls {body['dir']}"
    subprocess.run(cmd, shell=True)
    return {"statusCode": 200, "body": json.dumps({"ok": True})}
"#;
    let m = lowered(src);
    assert_eq!(PY.render(&m.top), "lambda_handler = fn#0\n");
    assert_eq!(m.functions.len(), 1);
    assert_eq!(
        PY.function(&m.functions[0]),
        r#"def lambda_handler(event, context):
  body = json.loads(event["body"])
  cmd = concat("ls ", body["dir"])
  subprocess.run(cmd, shell=const)
  return {statusCode: const, body: json.dumps({ok: const})}
"#
    );
    let f = &m.functions[0];
    assert_eq!(
        text(src, f.range).lines().next(),
        Some("def lambda_handler(event, context):")
    );
    let Stmt::Assign { value, range, .. } = &f.body[1] else {
        panic!("an assignment: {:?}", f.body[1]);
    };
    assert_eq!(text(src, *range), r#"cmd = f"ls {body['dir']}""#);
    assert_eq!(text(src, value.range()), r#"f"ls {body['dir']}""#);
    let Expr::Concat(parts, _) = value else {
        panic!("a concat: {value:?}");
    };
    assert_eq!(text(src, parts[1].range()), "body['dir']");
    assert!(m.errors.is_empty());
}

#[test]
fn with_as_assigns_before_the_body() {
    let m = lowered(
        "def handler(event, context):\n\
         \x20   with open(event['path']) as f, lock:\n\
         \x20       data = f.read()\n\
         \x20   async with session.get(url) as (resp, meta):\n\
         \x20       pass\n",
    );
    assert_eq!(
        PY.function(&m.functions[0]),
        "def handler(event, context):\n\
         \x20 f = open(event[\"path\"])\n\
         \x20 lock\n\
         \x20 block:\n\
         \x20   data = f.read()\n\
         \x20 (resp, meta) = session.get(url)\n\
         \x20 block:\n"
    );
}

#[test]
fn try_except_names_the_caught_exception() {
    let m = lowered(
        "def handler(event, context):\n\
         \x20   try:\n\
         \x20       run(event)\n\
         \x20   except (KeyError, ValueError) as e:\n\
         \x20       return {'body': str(e)}\n\
         \x20   except Exception:\n\
         \x20       raise\n\
         \x20   else:\n\
         \x20       done()\n\
         \x20   finally:\n\
         \x20       close()\n",
    );
    assert_eq!(
        PY.function(&m.functions[0]),
        "def handler(event, context):\n\
         \x20 try:\n\
         \x20   run(event)\n\
         \x20   done()\n\
         \x20 except e:\n\
         \x20   return {body: str(e)}\n\
         \x20 except _:\n\
         \x20   raise \n\
         \x20 finally:\n\
         \x20   close()\n"
    );
}

#[test]
fn class_methods_are_named_after_the_class_and_bound_in_an_object() {
    let m = lowered(
        "class Service(Base):\n\
         \x20   \"\"\"Docstring.\"\"\"\n\
         \x20   table = os.environ['TABLE']\n\
         \x20   def __init__(self, client=None):\n\
         \x20       self.client = client\n\
         \x20   @staticmethod\n\
         \x20   def parse(body):\n\
         \x20       return json.loads(body)\n\
         \x20   @classmethod\n\
         \x20   def create(cls):\n\
         \x20       return cls()\n\
         \x20   class Inner:\n\
         \x20       def go(self): pass\n\
         \n\
         service = Service()\n\
         def handler(event, context):\n\
         \x20   return service.handle(event)\n",
    );
    assert_eq!(
        PY.render(&m.top),
        "staticmethod(fn#1)\n\
         classmethod(fn#2)\n\
         Service = {table: os.environ[\"TABLE\"], __init__: fn#0, parse: fn#1, create: fn#2, \
         Inner: {go: fn#3}}\n\
         service = Service()\n\
         handler = fn#4\n"
    );
    let names: Vec<(&str, bool)> = m
        .functions
        .iter()
        .map(|f| (f.name.as_str(), f.is_method))
        .collect();
    assert_eq!(
        names,
        vec![
            ("Service.__init__", true),
            ("Service.parse", false),
            ("Service.create", true),
            ("Service.Inner.go", true),
            ("handler", false),
        ]
    );
    assert_eq!(
        PY.function(&m.functions[0]),
        "def Service.__init__(self, client=const) [method]:\n  self.client = client\n"
    );
}

#[test]
fn a_decorated_class_is_passed_to_its_decorator() {
    let m = lowered(
        "@dataclass\n\
         class Event:\n\
         \x20   body: str\n\
         \x20   headers: dict = None\n\
         \x20   def parsed(self):\n\
         \x20       return json.loads(self.body)\n",
    );
    assert_eq!(
        PY.render(&m.top),
        "dataclass(Event)\nEvent = {headers: const, parsed: fn#0}\n"
    );
    assert_eq!(m.functions[0].name, "Event.parsed");
}

#[test]
fn decorators_are_called_with_the_function() {
    let m = lowered(
        "@app.route('/run', methods=['POST'])\n\
         async def run(request):\n\
         \x20   def inner(x): return x\n\
         \x20   return await inner(request)\n",
    );
    assert_eq!(
        PY.render(&m.top),
        "app.route(\"/run\", methods=[\"POST\"])(fn#0)\nrun = fn#0\n"
    );
    assert_eq!(
        PY.function(&m.functions[0]),
        "def run(request):\n  inner = fn#1\n  return inner(request)\n"
    );
    assert_eq!(PY.function(&m.functions[1]), "def inner(x):\n  return x\n");
}

#[test]
fn parameters_of_every_kind() {
    let m = lowered(
        "def f(a, b=1, *args, c: int, d: str = 'x', e=g(), **kwargs): pass\n\
         def g(a, /, *, b): pass\n",
    );
    assert_eq!(
        PY.function(&m.functions[0]),
        "def f(a, b=const, *args, c, d=\"x\", e=g(), *kwargs):\n"
    );
    assert_eq!(PY.function(&m.functions[1]), "def g(a, b):\n");
}

#[test]
fn lambda_is_a_function_returning_its_body() {
    let m = lowered("key = lambda item, *rest: item['id']\nitems.sort(key=lambda x: x)\n");
    assert_eq!(PY.render(&m.top), "key = fn#0\nitems.sort(key=fn#1)\n");
    assert_eq!(
        PY.function(&m.functions[0]),
        "def <lambda>(item, *rest):\n  return item[\"id\"]\n"
    );
    assert_eq!(
        PY.function(&m.functions[1]),
        "def <lambda>(x):\n  return x\n"
    );
}

#[test]
fn unpacking_chained_and_annotated_assignments() {
    let m = lowered(
        "[d, e] = pair\n\
         a, (b, *c) = event['x'], 1\n\
         first = second = event['body']\n\
         x.y[0] = z = 1\n\
         n: int = 3\n\
         declared: str\n\
         self.items[-1] = event[k]\n",
    );
    assert_eq!(
        PY.render(&m.top),
        "(d, e) = pair\n\
         (a, (b, c)) = [event[\"x\"], const]\n\
         first = event[\"body\"]\n\
         second = first\n\
         z = const\n\
         x.y[0] = z\n\
         n = const\n\
         self.items[-1] = event[<k>]\n"
    );
}

#[test]
fn augmented_assignment_concatenates_only_for_plus() {
    let m = lowered("cmd = 'ls '\ncmd += event['dir']\ncount -= 1\nitems[0] += x\n");
    assert_eq!(
        PY.render(&m.top),
        "cmd = \"ls \"\n\
         cmd = concat(cmd, event[\"dir\"])\n\
         count = other(count, const)\n\
         items[0] = concat(items[0], x)\n"
    );
}

#[test]
fn control_flow_statements() {
    let m = lowered(
        "if a:\n    x()\nelif b:\n    y()\nelif c:\n    z()\nelse:\n    w()\n\
         for k, v in event.items():\n    use(k)\nelse:\n    after()\n\
         while (line := f.readline()):\n    handle(line)\n\
         match event['action']:\n    case 'run' if ok(x):\n        run()\n    case _:\n        pass\n\
         assert check(event), 'message'\n\
         del x\n\
         global g\n\
         if __name__ == '__main__':\n    main()\n",
    );
    assert_eq!(
        PY.render(&m.top),
        "if a:\n\
         \x20 x()\n\
         else:\n\
         \x20 if b:\n\
         \x20   y()\n\
         \x20 else:\n\
         \x20   if c:\n\
         \x20     z()\n\
         \x20   else:\n\
         \x20     w()\n\
         loop (k, v) in event.items():\n\
         \x20 use(k)\n\
         after()\n\
         line = f.readline()\n\
         loop  in line:\n\
         \x20 handle(line)\n\
         event[\"action\"]\n\
         block:\n\
         \x20 ok(x)\n\
         \x20 run()\n\
         check(event)\n\
         if other(__name__, \"__main__\"):\n\
         \x20 main()\n"
    );
}

#[test]
fn expressions() {
    let m = lowered(
        r#"a = "x" "y"
b = "x" f"{y}"
c = "select %s" % name
d = "n=%d, s=%s" % (n, s)
e = p + q
f = p * q
g = p or q
h = x if cond else y
i = not x
j = [f(x) for x in xs if x]
k = {k: v for k, v in items}
l = {"a": 1, **rest, key: 2}
m = [1, *more]
n = (x)
o = obj.attr.method(*args, **kwargs)
p = data[1:2]
q = data[i, j]
r = r'\d+\n'
s = b'bytes\n'
t = 'it\'s\t"q"\\'
u = f'{{literal}} {x!r:>{width}}'
v = -x
w = a < b < c
x = None, True, 1.5, ...
y = data["k" "ey"]
z = f(x for x in xs)
"#,
    );
    assert_eq!(
        PY.render(&m.top),
        r#"a = "xy"
b = concat("x", y)
c = concat("select %s", name)
d = concat("n=%d, s=%s", [n, s])
e = concat(p, q)
f = other(p, q)
g = choice(p, q)
h = choice(cond, x, y)
i = other(x)
j = other(f(x), xs, x)
k = other(k, v, items)
l = {a: const, **rest, **const}
m = [const, more]
n = x
o = obj.attr.method(*args, *kwargs)
p = data[<other(const, const)>]
q = data[<other(i, j)>]
r = "\\d+\\n"
s = "bytes\n"
t = "it's\t\"q\"\\"
u = concat("{literal} ", x)
v = other(x)
w = other(a, b, c)
x = [const, const, const, const]
y = data["key"]
z = f(other(x, xs))
"#
    );
}

#[test]
fn call_arguments_keep_keywords_and_spreads() {
    let m = lowered("subprocess.Popen(cmd, shell=True, *a, **kw)\n");
    let [Stmt::Expr(Expr::Call(call))] = m.top.as_slice() else {
        panic!("one call: {:?}", m.top);
    };
    let shape: Vec<(Option<&str>, bool)> = call
        .args
        .iter()
        .map(|a| (a.keyword.as_deref(), a.spread))
        .collect();
    assert_eq!(
        shape,
        vec![
            (None, false),
            (Some("shell"), false),
            (None, true),
            (None, true)
        ]
    );
    assert!(!call.is_new);
}

#[test]
fn walrus_assigns_before_its_statement() {
    let m = lowered(
        "def handler(event, context):\n\
         \x20   if (body := event.get('body')) is not None:\n\
         \x20       os.system(body)\n",
    );
    assert_eq!(
        PY.function(&m.functions[0]),
        "def handler(event, context):\n\
         \x20 body = event.get(\"body\")\n\
         \x20 if other(body, const):\n\
         \x20   os.system(body)\n"
    );
}

#[test]
fn python2_print_and_exec_are_calls() {
    let m = lowered("exec code\nprint >>sys.stderr, msg\n");
    assert_eq!(PY.render(&m.top), "exec(code)\nprint(sys.stderr, msg)\n");
}

#[test]
fn ten_thousand_nested_parentheses_do_not_overflow() {
    let src = format!("x = {}1{}\n", "(".repeat(10_000), ")".repeat(10_000));
    let m = lowered(&src);
    let [Stmt::Assign { target, value, .. }] = m.top.as_slice() else {
        panic!("one assignment: {:?}", m.top);
    };
    assert_eq!(target, &Target::Name("x".to_string(), Range::new(0, 1)));
    assert!(matches!(value, Expr::Other(parts, _) if parts.is_empty()));
}

#[test]
fn deep_expressions_of_other_kinds_do_not_overflow() {
    for src in [
        format!("x = {}\n", vec!["a"; 10_000].join(" + ")),
        format!("x = a{}\n", ".b".repeat(10_000)),
        format!("x = {}a{}\n", "f(".repeat(10_000), ")".repeat(10_000)),
        format!("x = {}a{}\n", "[".repeat(10_000), "]".repeat(10_000)),
        format!("x = {}\n", vec!["lambda: "; 5_000].concat() + "1"),
        format!("x = a{}\n", "[0]".repeat(10_000)),
        format!("x = {}\n", vec!["not"; 10_000].join(" ") + " a"),
        format!("{} = 1\n", vec!["a"; 10_000].join(" = ")),
    ] {
        let m = lowered(&src);
        assert!(!m.top.is_empty(), "{}", &src[..40]);
    }
}

#[test]
fn five_thousand_nested_ifs_do_not_overflow() {
    let mut src = String::new();
    for depth in 0..5_000 {
        src.push_str(&" ".repeat(depth));
        src.push_str("if True:\n");
    }
    src.push_str(&" ".repeat(5_000));
    src.push_str("os.system(cmd)\n");
    let m = lowered(&src);
    assert!(matches!(m.top.first(), Some(Stmt::If { .. })));
}

#[test]
fn deeply_nested_definitions_and_f_strings_do_not_overflow() {
    let mut defs = String::new();
    for depth in 0..3_000 {
        defs.push_str(&" ".repeat(depth));
        defs.push_str("def f(a=(lambda: [x for x in {'a': f(*b)}])):\n");
    }
    defs.push_str(&" ".repeat(3_000));
    defs.push_str("os.system(cmd)\n");
    assert!(!lowered(&defs).functions.is_empty());

    let strings = format!("x = {}a{}\n", "f'{".repeat(3_000), "}'".repeat(3_000));
    assert!(!lowered(&strings).top.is_empty());
}

#[test]
fn deep_indentation_with_an_open_string_does_not_abort_the_parser() {
    // tree-sitter-python 0.25's scanner overflows its 1,024-byte state past ~500 indentation
    // levels while a string is open, and tree-sitter aborts the whole process.
    let mut src = String::new();
    for depth in 0..600 {
        src.push_str(&" ".repeat(depth));
        src.push_str("if x:\n");
    }
    src.push_str(&" ".repeat(600));
    src.push_str("y = 'a'\n");
    assert!(matches!(lowered(&src).top.first(), Some(Stmt::If { .. })));
}

#[test]
fn wide_whitespace_inside_a_string_keeps_its_value() {
    let padding = " ".repeat(300);
    let m = lowered(&format!("x = '{padding}'\n"));
    assert_eq!(PY.render(&m.top), format!("x = {padding:?}\n"));
}

#[test]
fn a_long_elif_chain_is_kept_whole() {
    let mut src = "if x == 0:\n    f0()\n".to_string();
    for i in 1..300 {
        src.push_str(&format!("elif x == {i}:\n    f{i}()\n"));
    }
    src.push_str("else:\n    last()\n");
    let m = lowered(&src);
    let rendered = PY.render(&m.top);
    for i in 0..300 {
        assert!(rendered.contains(&format!("f{i}()")), "f{i} is lowered");
    }
    assert!(rendered.contains("last()"));
}

#[test]
fn invalid_syntax_reports_errors_and_lowers_the_rest() {
    let src = "import os\n\
               def broken(:\n    x = 1\n\
               os.system(event['cmd'])\n\
               y = (1 +\n";
    let m = lowered(src);
    assert!(!m.errors.is_empty());
    assert_eq!(imports(&m), vec![import("os", "os", None)]);
    let rendered = PY.render(&m.top);
    assert!(
        rendered.contains("os.system(event[\"cmd\"])\n"),
        "{rendered}"
    );
    assert!(m.functions.iter().any(|f| f.name == "broken"));

    let src = "def handler(event, context):\n    x = event['a'\n    os.system(x)\n";
    let m = lowered(src);
    assert!(!m.errors.is_empty());
    assert_eq!(m.functions.len(), 1);
    assert!(!m.functions[0].body.is_empty(), "{:?}", m.functions[0]);
}

#[test]
fn garbage_never_panics() {
    for src in [
        "",
        "\0\0\0",
        ")))(((",
        "def",
        "class",
        "lambda",
        "f'{",
        "'''",
        "\"\\",
        "x[",
        "import",
        "from . import",
        "with",
        "match x:\n  case",
        "try:\nexcept",
        "@\n",
        "\u{feff}é = 'ü'\n",
        "if x:\n\tpass\n  else",
    ] {
        let _ = lowered(src);
    }
}

#[test]
fn exports_stay_empty() {
    let m = lowered("def handler(event, context):\n    return 1\nVALUE = 2\n");
    assert!(m.exports.is_empty());
    assert_eq!(PY.render(&m.top), "handler = fn#0\nVALUE = const\n");
}

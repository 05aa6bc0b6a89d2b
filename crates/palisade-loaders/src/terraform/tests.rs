//! Tests of the HCL reader: each feature on a small configuration written to a temporary
//! folder.

use std::collections::BTreeSet;
use std::path::Path;

use palisade_model::{Diagnostic, DiagnosticLevel, SourceMap};

use super::value as v;
use super::*;
use crate::LoadSettings;
use crate::yaml::{Node, NodeKind};

struct Out {
    resources: Vec<TfResource>,
    diags: Vec<Diagnostic>,
    errors: Vec<LoadError>,
    project: files::Project,
}

impl Out {
    fn res(&self, address: &str) -> &TfResource {
        match self.resources.iter().find(|r| r.address == address) {
            Some(r) => r,
            None => panic!(
                "no resource {address}; have {:?}",
                self.resources
                    .iter()
                    .map(|r| &r.address)
                    .collect::<Vec<_>>()
            ),
        }
    }

    fn addresses(&self) -> Vec<&str> {
        self.resources.iter().map(|r| r.address.as_str()).collect()
    }

    /// `(file, line)` of a global offset.
    fn line(&self, offset: usize) -> (String, u32) {
        let (p, at) = self.project.files.locate(offset).unwrap_or_default();
        (p, at.line)
    }
}

fn write(dir: &Path, files: &[(&str, &str)]) {
    for (name, text) in files {
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(path, text).unwrap();
    }
}

fn load_with(files: &[(&str, &str)], settings: &LoadSettings) -> Out {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), files);
    let sources = SourceMap::new();
    let (resources, mut project, diags) = read_dir(tmp.path(), "", &sources, settings);
    let errors = std::mem::take(&mut project.errors);
    let errors = errors.iter().map(|e| LoadError::Walk {
        path: e.path().to_string(),
        message: format!("{e} at {:?}", e.position()),
    });
    let errors = errors.collect();
    Out {
        resources,
        diags,
        errors,
        project,
    }
}

fn load(files: &[(&str, &str)]) -> Out {
    load_with(files, &LoadSettings::default())
}

/// The node at a dotted path (`a.b.0.c`).
fn at<'n>(n: &'n Node, path: &str) -> &'n Node {
    let mut cur = n;
    for part in path.split('.') {
        cur = match (&cur.kind, part.parse::<usize>()) {
            (NodeKind::Seq(items), Ok(i)) => &items[i],
            _ => match cur.get(part) {
                Some(x) => x,
                None => panic!("no {part} in {cur:?}"),
            },
        };
    }
    cur
}

fn s<'n>(n: &'n Node, path: &str) -> &'n str {
    at(n, path)
        .as_str()
        .unwrap_or_else(|| panic!("{path} is not a string: {:?}", at(n, path)))
}

fn tag<'n>(n: &'n Node, path: &str) -> Option<&'n str> {
    at(n, path).tag.as_deref()
}

#[test]
fn variables_take_tfvars_in_order_then_the_command_line() {
    let mut settings = LoadSettings::default();
    settings.tf_vars.insert("c".into(), "from-cli".into());
    settings.tf_vars.insert("n".into(), "5".into());
    settings.tf_vars.insert("l".into(), r#"["x", "y"]"#.into());
    let out = load_with(
        &[
            (
                "main.tf",
                r#"
variable "a" { default = "default-a" }
variable "b" { default = "default-b" }
variable "c" { default = "default-c" }
variable "d" {}
variable "n" { type = number }
variable "l" {}
variable "j" {}
resource "aws_s3_bucket" "x" {
  a = var.a
  b = var.b
  c = var.c
  d = var.d
  n = var.n
  l = var.l
  j = var.j
}
"#,
            ),
            ("terraform.tfvars", "a = \"tfvars-a\"\nb = \"tfvars-b\"\n"),
            ("terraform.tfvars.json", r#"{"j": "json-j"}"#),
            ("b.auto.tfvars", "b = \"auto-b\"\n"),
            ("a.auto.tfvars", "b = \"auto-a-b\"\n"),
        ],
        &settings,
    );
    let body = &out.res("aws_s3_bucket.x").body;
    assert_eq!(s(body, "a"), "tfvars-a");
    assert_eq!(
        s(body, "b"),
        "auto-b",
        "later auto file in lexical order wins"
    );
    assert_eq!(s(body, "c"), "from-cli");
    assert_eq!(tag(body, "d"), Some(v::UNKNOWN));
    assert_eq!(s(body, "d"), "var.d");
    assert_eq!(at(body, "n").kind, NodeKind::Number("5".into()));
    assert_eq!(s(body, "l.1"), "y");
    assert_eq!(s(body, "j"), "json-j");
    // A scalar read through a reference points at where it is used.
    assert_eq!(out.line(at(body, "a").start), ("main.tf".into(), 10));
}

#[test]
fn locals_across_blocks_and_files() {
    let out = load(&[
        (
            "main.tf",
            r#"
locals { name = "${local.prefix}-fn" }
resource "aws_lambda_function" "f" {
  function_name = local.name
  tags = local.tags
}
"#,
        ),
        (
            "locals.tf",
            "locals {\n  prefix = \"app\"\n  tags = { team = upper(local.prefix) }\n}\n",
        ),
    ]);
    let body = &out.res("aws_lambda_function.f").body;
    assert_eq!(s(body, "function_name"), "app-fn");
    assert_eq!(s(body, "tags.team"), "APP");
    // A map keeps the spans of its parts: the locals file.
    assert_eq!(out.line(at(body, "tags.team").start).0, "locals.tf");
}

#[test]
fn interpolation_with_references_is_a_join() {
    let out = load(&[(
        "main.tf",
        r#"
variable "env" { default = "prod" }
resource "aws_s3_bucket" "b" {}
resource "aws_iam_policy" "p" {
  name = "${var.env}-policy"
  res  = "${aws_s3_bucket.b.arn}/${var.env}/*"
  one  = "${aws_s3_bucket.b.arn}"
  unk  = "x-${data.aws_caller_identity.me.id}"
}
"#,
    )]);
    let body = &out.res("aws_iam_policy.p").body;
    assert_eq!(s(body, "name"), "prod-policy");
    assert_eq!(tag(body, "res"), Some(v::JOIN));
    assert_eq!(tag(body, "res.0"), Some(v::REF));
    assert_eq!(s(body, "res.0"), "aws_s3_bucket.b.arn");
    assert_eq!(s(body, "res.1"), "/prod/*");
    assert_eq!(tag(body, "one"), Some(v::REF));
    assert_eq!(tag(body, "unk.1"), Some(v::UNKNOWN));
    assert_eq!(s(body, "unk.1"), "data.aws_caller_identity.me.id");
}

#[test]
fn jsonencode_keeps_the_structure_and_spans() {
    let out = load(&[(
        "main.tf",
        r#"resource "aws_iam_role" "r" {
  name = "r"
}
resource "aws_iam_role_policy" "p" {
  role = aws_iam_role.r.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["s3:*"]
      Resource = aws_iam_role.r.arn
    }]
  })
}
"#,
    )]);
    let body = &out.res("aws_iam_role_policy.p").body;
    assert_eq!(tag(body, "policy"), Some(v::JSON));
    assert_eq!(s(body, "policy.Statement.0.Action.0"), "s3:*");
    assert_eq!(
        out.line(at(body, "policy.Statement.0.Action.0").start).1,
        10
    );
    assert_eq!(tag(body, "policy.Statement.0.Resource"), Some(v::REF));
    assert_eq!(s(body, "policy.Statement.0.Resource"), "aws_iam_role.r.arn");
    assert_eq!(tag(body, "role"), Some(v::REF));
}

#[test]
fn heredocs_are_de_indented() {
    let out = load(&[(
        "main.tf",
        "resource \"aws_iam_policy\" \"p\" {\n  policy = <<-EOT\n    {\n      \"Version\": \"2012-10-17\"\n    }\n  EOT\n  plain = <<EOT\nx ${1 + 2}\nEOT\n}\n",
    )]);
    let body = &out.res("aws_iam_policy.p").body;
    assert_eq!(s(body, "policy"), "{\n  \"Version\": \"2012-10-17\"\n}\n");
    assert_eq!(s(body, "plain"), "x 3\n");
}

#[test]
fn range_builds_lists_and_stays_unknown_when_too_long() {
    let out = load(&[(
        "main.tf",
        r#"
resource "aws_sqs_queue" "q" {
  for_each = toset([for i in range(1, 7, 2) : tostring(i)])
  name     = "q-${each.key}"
}
resource "aws_sqs_queue" "huge" {
  for_each = toset([for i in range(1000000) : tostring(i)])
  name     = each.key
}
"#,
    )]);
    assert_eq!(
        out.addresses(),
        [
            "aws_sqs_queue.q[\"1\"]",
            "aws_sqs_queue.q[\"3\"]",
            "aws_sqs_queue.q[\"5\"]",
            "aws_sqs_queue.huge",
        ]
    );
}

#[test]
fn count_and_for_each_make_instances() {
    let out = load(&[(
        "main.tf",
        r#"
variable "unknown" {}
resource "aws_sqs_queue" "q" {
  count = 2
  name  = "q-${count.index}"
}
resource "aws_sqs_queue" "none" {
  count = 0
}
resource "aws_sns_topic" "t" {
  for_each = { a = "alpha", b = "beta" }
  name     = "${each.key}-${each.value}"
}
resource "aws_sns_topic" "s" {
  for_each = toset(["x"])
  name     = each.value
  q        = aws_sqs_queue.q[1].arn
}
resource "aws_sns_topic" "u" {
  count = var.unknown ? 1 : 0
  name  = "u-${count.index}"
}
"#,
    )]);
    assert_eq!(
        out.addresses(),
        [
            "aws_sqs_queue.q[0]",
            "aws_sqs_queue.q[1]",
            "aws_sns_topic.t[\"a\"]",
            "aws_sns_topic.t[\"b\"]",
            "aws_sns_topic.s[\"x\"]",
            "aws_sns_topic.u",
        ]
    );
    assert_eq!(s(&out.res("aws_sqs_queue.q[1]").body, "name"), "q-1");
    assert_eq!(s(&out.res("aws_sns_topic.t[\"b\"]").body, "name"), "b-beta");
    assert_eq!(
        s(&out.res("aws_sns_topic.s[\"x\"]").body, "q"),
        "aws_sqs_queue.q[1].arn"
    );
    let u = &out.res("aws_sns_topic.u").body;
    assert_eq!(tag(u, "name"), Some(v::JOIN));
    assert!(
        out.diags
            .iter()
            .any(|d| d.level == DiagnosticLevel::Note && d.message.contains("count"))
    );
}

#[test]
fn dynamic_blocks_expand() {
    let out = load(&[(
        "main.tf",
        r#"
locals { subnets = ["s-1", "s-2"] }
resource "aws_lambda_function" "f" {
  environment {
    variables = { A = "1" }
  }
  dynamic "vpc_config" {
    for_each = local.subnets
    content {
      subnet_ids = [vpc_config.value]
    }
  }
  dynamic "tag" {
    for_each = { x = 1 }
    iterator = t
    content {
      key = t.key
    }
  }
}
"#,
    )]);
    let body = &out.res("aws_lambda_function.f").body;
    assert_eq!(s(body, "environment.0.variables.A"), "1");
    assert_eq!(s(body, "vpc_config.1.subnet_ids.0"), "s-2");
    assert_eq!(at(body, "vpc_config").as_seq().map(<[Node]>::len), Some(2));
    assert_eq!(s(body, "tag.0.key"), "x");
}

#[test]
fn conditionals_choose_or_stay_symbolic() {
    let out = load(&[(
        "main.tf",
        r#"
variable "public" { default = true }
variable "mode" {}
resource "aws_lambda_function_url" "u" {
  authorization_type = var.public ? "NONE" : "AWS_IAM"
  other              = var.mode == "open" ? "NONE" : "AWS_IAM"
  math               = 2 * 3 + 1 > 6 && !false
}
"#,
    )]);
    let body = &out.res("aws_lambda_function_url.u").body;
    assert_eq!(s(body, "authorization_type"), "NONE");
    assert_eq!(tag(body, "other"), Some(v::CHOICE));
    assert_eq!(s(body, "other.0"), "var.mode == \"open\"");
    assert_eq!(s(body, "other.1"), "NONE");
    assert_eq!(at(body, "math").kind, NodeKind::Bool(true));
}

#[test]
fn for_expressions_splats_and_functions() {
    let out = load(&[(
        "main.tf",
        r#"
locals {
  users = [{ name = "a", admin = true }, { name = "b", admin = false }]
  names = [for u in local.users : upper(u.name) if u.admin]
  by    = { for u in local.users : u.name => u.admin }
  all   = local.users[*].name
  m     = merge({ a = 1 }, { b = 2 }, { a = 3 })
}
resource "x_y" "z" {
  names  = local.names
  by     = local.by.b
  all    = join(",", local.all)
  m      = local.m.a
  f      = format("%s-%d", "v", 7)
  l      = length(local.users)
  k      = keys(local.m)
  t      = try(local.m.missing, "fallback")
  c      = can(local.m.missing)
  co     = coalesce("", "c")
  lk     = lookup(local.m, "zz", "dflt")
  sp     = split("/", "a/b")
  fl     = flatten([[1], [2, [3]]])
  jd     = jsondecode("{\"k\": [1]}").k[0]
  ele    = element(["p", "q"], 3)
  unk    = sha256("x")
  zm     = zipmap(["a"], [1])
  rep    = replace("a-b", "-", "_")
}
"#,
    )]);
    let body = &out.res("x_y.z").body;
    assert_eq!(s(body, "names.0"), "A");
    assert_eq!(at(body, "names").as_seq().map(<[Node]>::len), Some(1));
    assert_eq!(at(body, "by").kind, NodeKind::Bool(false));
    assert_eq!(s(body, "all"), "a,b");
    assert_eq!(s(body, "m"), "3");
    assert_eq!(s(body, "f"), "v-7");
    assert_eq!(s(body, "l"), "2");
    assert_eq!(s(body, "k.1"), "b");
    assert_eq!(s(body, "t"), "fallback");
    assert_eq!(at(body, "c").kind, NodeKind::Bool(false));
    assert_eq!(s(body, "co"), "c");
    assert_eq!(s(body, "lk"), "dflt");
    assert_eq!(s(body, "sp.1"), "b");
    assert_eq!(s(body, "fl.2"), "3");
    assert_eq!(s(body, "jd"), "1");
    assert_eq!(s(body, "ele"), "q");
    assert_eq!(tag(body, "unk"), Some(v::UNKNOWN));
    assert_eq!(s(body, "unk"), "sha256(\"x\")");
    assert_eq!(s(body, "zm.a"), "1");
    assert_eq!(s(body, "rep"), "a_b");
}

#[test]
fn local_modules_get_inputs_and_give_outputs() {
    let out = load(&[
        (
            "main.tf",
            r#"
module "fn" {
  source = "./modules/fn"
  name   = "orders"
  bucket = aws_s3_bucket.b.arn
}
module "many" {
  source   = "./modules/fn"
  for_each = toset(["a"])
  name     = each.key
}
resource "aws_s3_bucket" "b" {}
resource "aws_sns_topic" "t" {
  name = module.fn.role_name
  arn  = module.fn.role_arn
  k    = module.many["a"].role_name
}
"#,
        ),
        (
            "modules/fn/main.tf",
            r#"
variable "name" {}
variable "bucket" { default = "none" }
resource "aws_iam_role" "exec" {
  name   = "${var.name}-role"
  bucket = var.bucket
  code   = path.module
}
output "role_name" { value = aws_iam_role.exec.name }
output "role_arn" { value = "${var.name}-x" }
"#,
        ),
    ]);
    assert_eq!(
        out.addresses(),
        [
            "module.fn.aws_iam_role.exec",
            "module.many[\"a\"].aws_iam_role.exec",
            "aws_s3_bucket.b",
            "aws_sns_topic.t",
        ]
    );
    let role = out.res("module.fn.aws_iam_role.exec");
    assert_eq!(role.module_dir, "modules/fn");
    assert_eq!(s(&role.body, "name"), "orders-role");
    assert_eq!(s(&role.body, "bucket"), "aws_s3_bucket.b.arn");
    assert_eq!(tag(&role.body, "bucket"), Some(v::REF));
    assert_eq!(s(&role.body, "code"), "modules/fn");
    assert_eq!(out.line(role.start).0, "modules/fn/main.tf");
    let t = &out.res("aws_sns_topic.t").body;
    assert_eq!(s(t, "name"), "module.fn.aws_iam_role.exec.name");
    assert_eq!(s(t, "arn"), "orders-x");
    assert_eq!(s(t, "k"), "module.many[\"a\"].aws_iam_role.exec.name");
    assert_eq!(out.res("aws_s3_bucket.b").module_dir, "");
}

#[test]
fn remote_modules_are_kept_as_calls() {
    let out = load(&[(
        "main.tf",
        r#"
module "lambda" {
  source  = "terraform-aws-modules/lambda/aws"
  version = "7.0.0"
  function_name = "x"
}
resource "aws_sns_topic" "t" { name = module.lambda.lambda_function_arn }
"#,
    )]);
    let m = out.res("module.lambda");
    assert_eq!(m.mode, Mode::Module);
    assert_eq!(m.type_name, "terraform-aws-modules/lambda/aws");
    assert_eq!(s(&m.body, "function_name"), "x");
    assert!(m.body.get("source").is_none());
    let t = &out.res("aws_sns_topic.t").body;
    assert_eq!(tag(t, "name"), Some(v::UNKNOWN));
}

#[test]
fn module_cycles_are_refused() {
    let out = load(&[
        ("main.tf", "module \"a\" { source = \"./a\" }\n"),
        (
            "a/main.tf",
            "module \"b\" { source = \"../a\" }\nresource \"x_y\" \"z\" {}\n",
        ),
    ]);
    assert_eq!(out.addresses(), ["module.a.module.b", "module.a.x_y.z"]);
    assert!(out.diags.iter().any(|d| d.message.contains("cycle")));
}

#[test]
fn ignore_comments_attach_to_blocks() {
    let out = load(&[(
        "main.tf",
        "# palisade:ignore PAL104 public by design\nresource \"aws_lambda_function_url\" \"u\" {\n  // palisade:ignore PAL201,PAL202\n  authorization_type = \"NONE\"\n}\nresource \"x_y\" \"z\" {}\n",
    )]);
    let u = out.res("aws_lambda_function_url.u");
    let rules: Vec<&str> = u.ignores.iter().map(|i| i.rule.as_str()).collect();
    assert_eq!(rules, ["PAL104", "PAL201", "PAL202"]);
    assert_eq!(u.ignores[0].reason.as_deref(), Some("public by design"));
    assert_eq!(out.line(u.ignores[1].start).1, 3);
    assert!(out.res("x_y.z").ignores.is_empty());
}

#[test]
fn cycles_become_unknown_with_a_warning() {
    let out = load(&[(
        "main.tf",
        "locals {\n  a = local.b\n  b = \"${local.a}x\"\n}\nresource \"x_y\" \"z\" { v = local.a }\n",
    )]);
    let body = &out.res("x_y.z").body;
    assert_eq!(tag(body, "v"), Some(v::UNKNOWN));
    let w = out
        .diags
        .iter()
        .find(|d| d.message.contains("cycle"))
        .unwrap_or_else(|| panic!("no cycle warning: {:?}", out.diags));
    assert_eq!(w.level, DiagnosticLevel::Warning);
    assert!(w.message.contains("local.a") && w.message.contains("local.b"));
    assert!(w.position.is_some());
}

#[test]
fn files_are_read_inside_the_project_only() {
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        &[
            ("secret.txt", "top secret"),
            ("app/policy.json", "{\"Version\": \"2012-10-17\"}"),
            ("app/tpl.json", "{\"Resource\": \"${arn}\"}"),
            (
                "app/main.tf",
                r#"
resource "aws_iam_policy" "p" {
  policy = file("${path.module}/policy.json")
  tpl    = templatefile("tpl.json", { arn = "arn:aws:s3:::b" })
  out    = file("../secret.txt")
}
"#,
            ),
        ],
    );
    // `app` scanned as the root: its parent is outside the project.
    let sources = SourceMap::new();
    let (resources, _, diags) = read_dir(
        &tmp.path().join("app"),
        "",
        &sources,
        &LoadSettings::default(),
    );
    let body = &resources[0].body;
    assert_eq!(s(body, "policy"), "{\"Version\": \"2012-10-17\"}");
    assert_eq!(s(body, "tpl"), "{\"Resource\": \"arn:aws:s3:::b\"}");
    assert_eq!(tag(body, "out"), Some(v::UNKNOWN));
    let e = diags
        .iter()
        .find(|d| d.message.contains("outside"))
        .unwrap_or_else(|| panic!("no refusal: {diags:?}"));
    assert_eq!(e.level, DiagnosticLevel::Error);
    assert_eq!(e.position.map(|p| p.line), Some(5));
    // Scanned from the parent, `app` is a subfolder: `../secret.txt` is inside the project.
    let sources = SourceMap::new();
    let (resources, _, _) = read_dir(
        &tmp.path().join("app"),
        "app",
        &sources,
        &LoadSettings::default(),
    );
    assert_eq!(s(&resources[0].body, "out"), "top secret");
}

#[test]
fn a_malformed_file_is_an_error_and_the_others_load() {
    let out = load(&[
        ("bad.tf", "resource \"x\" \"y\" {\n  a = \n}\n"),
        ("main.tf", "resource \"aws_sns_topic\" \"t\" {}\n"),
    ]);
    assert_eq!(out.addresses(), ["aws_sns_topic.t"]);
    assert_eq!(out.errors.len(), 1);
    assert_eq!(out.errors[0].path(), "bad.tf");
    let msg = out.errors[0].to_string();
    assert!(msg.contains("Some(LineCol { line: 2, col: 7 })"), "{msg}");
}

#[test]
fn data_sources_and_policy_documents() {
    let out = load(&[(
        "main.tf",
        r#"
data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.me.account_id]
    }
  }
  source_policy_documents = [data.aws_iam_policy_document.other.json]
}
data "aws_iam_policy_document" "other" {}
data "aws_caller_identity" "me" {}
data "archive_file" "zip" {
  type        = "zip"
  source_dir  = "${path.module}/src"
  output_path = "build/fn.zip"
}
resource "aws_iam_role" "r" {
  assume_role_policy = data.aws_iam_policy_document.assume.json
}
"#,
    )]);
    let d = out.res("data.aws_iam_policy_document.assume");
    assert_eq!(d.mode, Mode::Data);
    assert_eq!(
        s(&d.body, "statement.0.principals.0.identifiers.0"),
        "lambda.amazonaws.com"
    );
    assert_eq!(
        s(&d.body, "statement.0.condition.0.values.0"),
        "data.aws_caller_identity.me.account_id"
    );
    assert_eq!(tag(&d.body, "source_policy_documents.0"), Some(v::REF));
    assert_eq!(
        s(&out.res("data.archive_file.zip").body, "source_dir"),
        "./src"
    );
    let r = &out.res("aws_iam_role.r").body;
    assert_eq!(
        s(r, "assume_role_policy"),
        "data.aws_iam_policy_document.assume.json"
    );
}

#[test]
fn the_main_file_is_main_tf_or_the_first_with_a_resource() {
    let out = load(&[
        ("a.tf", "variable \"x\" {}\n"),
        ("b.tf", "resource \"x_y\" \"z\" {}\n"),
    ]);
    assert_eq!(
        out.project
            .files
            .main()
            .map(|(_, s)| s.path.clone())
            .as_deref(),
        Some("b.tf")
    );
    let out = load(&[("a.tf", "resource \"x_y\" \"a\" {}\n"), ("main.tf", "")]);
    assert_eq!(
        out.project
            .files
            .main()
            .map(|(_, s)| s.path.clone())
            .as_deref(),
        Some("main.tf")
    );
}

#[test]
fn hostile_input_ends() {
    // Exponential growth through locals is cut by the size cap and the fuel.
    let mut text = String::from("locals {\n  l0 = [\"x\"]\n");
    for k in 1..40 {
        text.push_str(&format!(
            "  l{k} = [local.l{0}, local.l{0}, local.l{0}]\n",
            k - 1
        ));
    }
    text.push_str("}\nresource \"x_y\" \"z\" { v = local.l39 }\n");
    let out = load(&[("main.tf", &text)]);
    assert_eq!(out.addresses(), ["x_y.z"]);
    let huge = "resource \"x_y\" \"c\" {\n  count = 100000000\n}\n";
    let out = load(&[("main.tf", huge)]);
    assert_eq!(out.resources.len(), refs::MAX_INSTANCES);
}

#[test]
fn local_module_dirs_are_found_without_parsing() {
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        &[
            (
                "root/main.tf",
                "module \"fn\" {\n  source = \"../mods/fn\"\n}\nresource \"aws_s3_object\" \"o\" {\n  source = \"./other\"\n}\n",
            ),
            ("root/other/x.tf", ""),
            ("mods/fn/main.tf", ""),
        ],
    );
    let dirs: BTreeSet<_> = ["root", "root/other", "mods/fn"]
        .iter()
        .map(|d| tmp.path().join(d))
        .collect();
    let found = local_module_dirs(&dirs);
    assert_eq!(found, BTreeSet::from([tmp.path().join("mods/fn")]));
}

//! Formats other than SAM from the CLI: CDK cloud assemblies, Serverless Framework, Terraform,
//! and the parity of one application written in each.

#![allow(
    clippy::panic,
    clippy::expect_used,
    reason = "a test harness reports failures by panicking"
)]

mod common;

use std::fs;

use common::{expect_code, json, palisade, repo};

fn finding_rows(v: &serde_json::Value) -> Vec<(String, String, String, String)> {
    v["findings"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| {
                    let s = |k: &str| f[k].as_str().unwrap_or("").to_string();
                    (
                        s("code"),
                        s("function"),
                        s("construct_path"),
                        f["location"]["path"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn a_cdk_assembly_is_scanned_with_construct_paths_and_asset_code() {
    let o = palisade(
        &[
            "scan",
            "crates/palisade/tests/projects/cdk",
            "--format",
            "json",
        ],
        &repo(),
    );
    expect_code(&o, 1);
    let v = json(&o);
    let rows = finding_rows(&v);
    // The function's code is read from the staged asset folder, not the S3 object.
    assert!(
        rows.iter()
            .any(|(code, func, construct, path)| code == "PAL301"
                && func == "Orders5E6F7A8B"
                && construct == "OrdersStack/Orders/Resource"
                && path == "cdk.out/asset.9b2e7f4c1d0a/index.py"),
        "{rows:?}"
    );
    // The role's findings carry the role's construct path.
    assert!(
        rows.iter().any(|(code, _, construct, _)| code == "PAL202"
            && construct == "OrdersStack/Orders/ServiceRole/Resource"),
        "{rows:?}"
    );
    // The public URL, on the template's line.
    let url = v["findings"]
        .as_array()
        .and_then(|a| a.iter().find(|f| f["code"] == "PAL105"))
        .expect("PAL105");
    assert_eq!(url["location"]["path"], "cdk.out/OrdersStack.template.json");
    // The stack template is not scanned a second time as a plain template.
    assert_eq!(v["summary"]["apps"], 1, "{}", v["summary"]);

    let pretty = palisade(&["scan", "crates/palisade/tests/projects/cdk"], &repo());
    let text = String::from_utf8_lossy(&pretty.stdout);
    assert!(
        text.contains("(construct OrdersStack/Orders/Resource)"),
        "{text}"
    );
}

#[test]
fn serverless_scripts_are_skipped_and_said_so() {
    let dir = tempfile::tempdir().expect("temp dir");
    fs::write(
        dir.path().join("serverless.ts"),
        "const config = { service: 'x' };\nmodule.exports = config;\n",
    )
    .expect("write");
    let o = palisade(&["scan", ".", "--format", "json"], dir.path());
    let v = json(&o);
    let notes: Vec<&serde_json::Value> = v["diagnostics"]
        .as_array()
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    assert!(
        notes.iter().any(|d| d["path"] == "serverless.ts"
            && d["message"].as_str().unwrap_or("").contains("executing")),
        "{notes:?}"
    );
}

/// A function's name as the user wrote it: `aws_lambda_function.api` → `api`.
fn short_function(f: &serde_json::Value) -> String {
    let id = f["function"].as_str().unwrap_or("-");
    id.rsplit('.').next().unwrap_or(id).to_string()
}

#[test]
fn one_application_in_sam_serverless_and_terraform_gives_the_same_findings() {
    let o = palisade(
        &[
            "scan",
            "crates/palisade/tests/projects/parity",
            "--format",
            "json",
        ],
        &repo(),
    );
    expect_code(&o, 1);
    let v = json(&o);
    let mut by_app: std::collections::BTreeMap<String, Vec<(String, String)>> =
        std::collections::BTreeMap::new();
    for f in v["findings"].as_array().into_iter().flatten() {
        let app = f["app"].as_str().unwrap_or("").to_string();
        by_app.entry(app).or_default().push((
            f["code"].as_str().unwrap_or("").to_string(),
            short_function(f),
        ));
    }
    for rows in by_app.values_mut() {
        rows.sort();
    }
    let apps: Vec<&String> = by_app.keys().collect();
    assert_eq!(
        apps,
        ["main.tf", "serverless.yml", "template.yaml"],
        "{by_app:#?}"
    );
    let sam = &by_app["template.yaml"];
    for code in [
        "PAL103", "PAL105", "PAL108", "PAL110", "PAL202", "PAL207", "PAL301", "PAL303",
    ] {
        assert!(
            sam.iter().any(|(c, _)| c == code),
            "SAM lacks {code}: {sam:?}"
        );
    }
    assert_eq!(
        &by_app["serverless.yml"], sam,
        "Serverless Framework differs from SAM"
    );
    assert_eq!(&by_app["main.tf"], sam, "Terraform differs from SAM");

    // Each finding points into the file of its own format.
    let url_line = |app: &str| {
        v["findings"]
            .as_array()
            .and_then(|a| a.iter().find(|f| f["app"] == app && f["code"] == "PAL105"))
            .map(|f| {
                (
                    f["location"]["path"].as_str().unwrap_or("").to_string(),
                    f["location"]["start"]["line"].as_u64().unwrap_or(0),
                )
            })
    };
    assert_eq!(
        url_line("serverless.yml"),
        Some(("serverless.yml".into(), 43))
    );
    assert_eq!(url_line("main.tf"), Some(("main.tf".into(), 93)));
    // The code analysis reads the same handlers for every format.
    let injections: Vec<String> = v["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["code"] == "PAL303")
        .map(|f| f["location"]["path"].as_str().unwrap_or("").to_string())
        .collect();
    assert_eq!(injections, ["src/api/app.py"; 3]);
}

#[test]
fn bad_terraform_gives_diagnostics_and_the_rest_is_scanned() {
    let outer = tempfile::tempdir().expect("temp dir");
    // A file beside the scanned folder, which `file()` must not read.
    fs::write(outer.path().join("secret.txt"), "not yours\n").expect("write");
    let root = outer.path().join("project");
    let tf = root.join("infra");
    fs::create_dir_all(&tf).expect("mkdir");
    fs::write(
        tf.join("broken.tf"),
        "resource \"aws_lambda_function\" \"broken\" {\n  handler = \n}\n",
    )
    .expect("write");
    fs::write(
        tf.join("main.tf"),
        r#"variable "region" {}

locals {
  a = local.b
  b = local.a
}

resource "aws_iam_role" "r" {
  name               = "r-${var.region}-${local.a}"
  assume_role_policy = file("../../secret.txt")
}

resource "aws_lambda_function" "fn" {
  function_name = "fn"
  role          = aws_iam_role.r.arn
  handler       = "app.handler"
  runtime       = "python3.12"
  filename      = "fn.zip"
}

resource "aws_lambda_function_url" "u" {
  function_name      = aws_lambda_function.fn.function_name
  authorization_type = "NONE"
}
"#,
    )
    .expect("write");
    let o = palisade(&["scan", ".", "--format", "json"], &root);
    expect_code(&o, 2);
    let v = json(&o);
    let diags: Vec<(String, String, u64, String)> = v["diagnostics"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|d| {
            (
                d["level"].as_str().unwrap_or("").to_string(),
                d["path"].as_str().unwrap_or("").to_string(),
                d["line"].as_u64().unwrap_or(0),
                d["message"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    let has = |level: &str, path: &str, line: u64, text: &str| {
        diags
            .iter()
            .any(|(l, p, n, m)| l == level && p == path && *n == line && m.contains(text))
    };
    assert!(
        has("error", "infra/broken.tf", 2, "HCL syntax error"),
        "{diags:#?}"
    );
    assert!(
        has("warning", "infra/main.tf", 5, "cycle between local.a"),
        "{diags:#?}"
    );
    assert!(
        has("error", "infra/main.tf", 10, "outside the scanned folder"),
        "{diags:#?}"
    );
    assert!(
        has(
            "note",
            "infra/main.tf",
            1,
            "variable \"region\" has no default"
        ),
        "{diags:#?}"
    );
    // The good file is still scanned.
    assert!(
        v["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|f| f["code"] == "PAL105" && f["location"]["path"] == "infra/main.tf"),
        "{}",
        v["findings"]
    );

    // A value for the variable silences its note.
    let o = palisade(
        &["scan", ".", "--format", "json", "--var", "region=eu-west-1"],
        &root,
    );
    let v = json(&o);
    assert!(
        !v["diagnostics"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|d| d["message"]
                .as_str()
                .unwrap_or("")
                .contains("has no default")),
        "{}",
        v["diagnostics"]
    );
}

#[test]
fn serverless_env_variables_are_read_only_when_asked() {
    let outer = tempfile::tempdir().expect("temp dir");
    fs::write(
        outer.path().join("outside.yml"),
        "password: hunter2-Prod-2024\n",
    )
    .expect("write");
    let root = outer.path().join("svc");
    fs::create_dir(&root).expect("mkdir");
    fs::write(
        root.join("serverless.yml"),
        r#"service: env-demo
provider:
  name: aws
  runtime: python3.12
functions:
  api:
    handler: handler.main
    palisade:
      ignore:
        - {id: PAL104, reason: "internal tool behind a VPN"}
    environment:
      DB_PASSWORD: ${env:PALISADE_TEST_DB_PASSWORD}
      OTHER: ${file(../outside.yml):password}
    url: true
"#,
    )
    .expect("write");
    let run = |extra: &[&str]| {
        let mut args = vec!["scan", ".", "--format", "json"];
        args.extend_from_slice(extra);
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_palisade"))
            .args(&args)
            .current_dir(&root)
            .env("NO_COLOR", "1")
            .env("PALISADE_TEST_DB_PASSWORD", "Sup3rS3cret-prod-2024")
            .output()
            .expect("run palisade");
        json(&o)
    };
    let codes_of = |v: &serde_json::Value| -> Vec<String> {
        v["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|f| f["code"].as_str().unwrap_or("").to_string())
            .collect()
    };
    let messages = |v: &serde_json::Value| -> Vec<String> {
        v["diagnostics"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|d| {
                format!(
                    "{}: {}",
                    d["level"].as_str().unwrap_or(""),
                    d["message"].as_str().unwrap_or("")
                )
            })
            .collect()
    };

    let v = run(&[]);
    assert!(
        !codes_of(&v).contains(&"PAL110".to_string()),
        "{}",
        v["findings"]
    );
    // The suppression in serverless.yml applies, with its reason.
    assert!(
        !codes_of(&v).contains(&"PAL104".to_string()),
        "{}",
        v["findings"]
    );
    assert!(
        codes_of(&v).contains(&"PAL105".to_string()),
        "{}",
        v["findings"]
    );
    let notes = messages(&v);
    assert!(
        notes.iter().any(|m| m.contains("--resolve-env")),
        "{notes:?}"
    );
    assert!(
        notes
            .iter()
            .any(|m| m.starts_with("error") && m.contains("outside")),
        "{notes:?}"
    );

    let v = run(&["--resolve-env"]);
    assert!(
        codes_of(&v).contains(&"PAL110".to_string()),
        "{}",
        v["findings"]
    );
}

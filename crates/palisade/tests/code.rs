//! Handler code analysis from the CLI: flows typed by triggers, across files, and hostile code
//! that never stops the scan of the rest.

#![allow(
    clippy::panic,
    clippy::expect_used,
    reason = "a test harness reports failures by panicking"
)]

mod common;

use std::fs;
use std::path::Path;

use common::{expect_code, json, palisade, repo};

fn findings_of<'v>(v: &'v serde_json::Value, code: &str) -> Vec<&'v serde_json::Value> {
    v["findings"]
        .as_array()
        .map(|a| a.iter().filter(|f| f["code"] == code).collect())
        .unwrap_or_default()
}

#[test]
fn the_vulnerable_example_has_its_code_flaws_found() {
    let o = palisade(
        &["scan", "examples/vulnerable-sam", "--format", "json"],
        &repo(),
    );
    expect_code(&o, 1);
    let v = json(&o);
    let sql = findings_of(&v, "PAL303");
    assert_eq!(sql.len(), 1, "{sql:?}");
    assert_eq!(sql[0]["location"]["path"], "src/orders/app.py");
    assert_eq!(sql[0]["location"]["start"]["line"], 16);
    assert_eq!(sql[0]["function"], "ListOrders");
    let cmd = findings_of(&v, "PAL301");
    let paths: Vec<&str> = cmd
        .iter()
        .filter_map(|f| f["location"]["path"].as_str())
        .collect();
    assert_eq!(paths, ["src/thumbnails/app.py", "src/webhook/index.js"]);
    let thumbs = cmd[0]["message"].as_str().unwrap_or("");
    assert!(
        thumbs.contains("Records[].s3.object.key") && thumbs.contains("S3 event"),
        "{thumbs}"
    );
    assert_eq!(findings_of(&v, "PAL302").len(), 1);
    assert_eq!(findings_of(&v, "PAL313").len(), 1);

    let hardened = palisade(
        &["scan", "examples/hardened-sam", "--format", "json"],
        &repo(),
    );
    expect_code(&hardened, 0);

    let skipped = palisade(
        &[
            "scan",
            "examples/vulnerable-sam",
            "--format",
            "json",
            "--no-code",
        ],
        &repo(),
    );
    assert!(findings_of(&json(&skipped), "PAL301").is_empty());
}

const TEMPLATE: &str = r#"AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: python3.12
    CodeUri: src/
Resources:
  Good:
    Type: AWS::Serverless::Function
    Properties:
      Handler: good.handler
  Binary:
    Type: AWS::Serverless::Function
    Properties:
      Handler: binary.handler
  Deep:
    Type: AWS::Serverless::Function
    Properties:
      Handler: deep.handler
  Broken:
    Type: AWS::Serverless::Function
    Properties:
      Handler: broken.handler
  Missing:
    Type: AWS::Serverless::Function
    Properties:
      Handler: nowhere.handler
  Recursive:
    Type: AWS::Serverless::Function
    Properties:
      Handler: loop.handler
"#;

fn write(dir: &Path, name: &str, bytes: &[u8]) {
    fs::write(dir.join(name), bytes).expect("write fixture");
}

#[test]
fn hostile_code_gets_a_diagnostic_and_the_rest_is_still_analysed() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path();
    fs::create_dir_all(root.join("src")).expect("mkdir");
    write(root, "template.yaml", TEMPLATE.as_bytes());
    let src = root.join("src");
    write(
        &src,
        "good.py",
        b"import os\n\ndef handler(event, context):\n    os.system(event['body'])\n",
    );
    write(&src, "binary.py", &[0xff, 0xfe, 0x00, 0x41, 0x80, 0x81]);
    let deep = format!(
        "def handler(event, context):\n    x = {}event{}\n    eval(x)\n",
        "(".repeat(20_000),
        ")".repeat(20_000)
    );
    write(&src, "deep.py", deep.as_bytes());
    write(
        &src,
        "broken.py",
        b"def handler(event, context):\n    cmd = event['body'\n    exec(cmd)\n\ndef other(:\n",
    );
    // Functions that call each other forever, and a module that imports itself.
    write(
        &src,
        "loop.py",
        b"import loop\n\ndef a(x):\n    return b(x)\n\ndef b(x):\n    return a(x)\n\ndef handler(event, context):\n    eval(a(event['body']))\n",
    );
    let o = palisade(&["scan", ".", "--format", "json"], root);
    let v = json(&o);
    assert_eq!(o.status.code(), Some(1));
    let cmd = findings_of(&v, "PAL301");
    assert_eq!(cmd.len(), 1, "{cmd:?}");
    assert_eq!(cmd[0]["location"]["path"], "src/good.py");
    let diagnostics = v["diagnostics"].as_array().cloned().unwrap_or_default();
    let about = |needle: &str| {
        diagnostics
            .iter()
            .find(|d| d["path"].as_str().unwrap_or("").contains(needle))
            .cloned()
    };
    let binary = about("binary.py").expect("a diagnostic for binary.py");
    assert!(
        binary["message"]
            .as_str()
            .unwrap_or("")
            .contains("not valid UTF-8"),
        "{binary}"
    );
    assert_eq!(binary["line"], 1, "{binary}");
    let broken = about("broken.py").expect("a diagnostic for broken.py");
    assert!(
        broken["message"]
            .as_str()
            .unwrap_or("")
            .contains("syntax error")
    );
    // Where the parser gave up: the unclosed bracket of line 2 is noticed on line 3.
    assert_eq!(broken["line"], 3, "{broken}");
    let missing = diagnostics
        .iter()
        .find(|d| d["message"].as_str().unwrap_or("").contains("nowhere"))
        .expect("a diagnostic for the missing handler");
    assert_eq!(missing["path"], "template.yaml");
    // The recursive module still gets its flow.
    assert!(
        findings_of(&v, "PAL302")
            .iter()
            .any(|f| f["location"]["path"] == "src/loop.py"),
        "{v}"
    );
}

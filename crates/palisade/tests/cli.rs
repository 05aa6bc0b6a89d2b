//! The `palisade` binary end to end: exit codes, formats, baselines, configuration, the rule
//! commands, and hostile input.

#![allow(
    clippy::panic,
    clippy::expect_used,
    reason = "a test harness reports failures by panicking"
)]

mod common;

use common::{codes, expect_code, json, palisade, repo, stdout};

const DATE: &str = "--date=2026-11-22";

#[test]
fn vulnerable_example_fails_and_hardened_twin_passes() {
    let out = palisade(
        &["scan", "examples/vulnerable-sam", DATE, "-f", "json"],
        &repo(),
    );
    expect_code(&out, 1);
    let v = json(&out);
    let found = codes(&v);
    for expected in [
        "PAL105", "PAL108", "PAL110", "PAL201", "PAL205", "PAL122", "PAL103", "PAL112",
    ] {
        assert!(
            found.iter().any(|c| c == expected),
            "{expected} missing from {found:?}"
        );
    }
    assert_eq!(v["summary"]["functions"], 6);

    let out = palisade(
        &["scan", "examples/hardened-sam", DATE, "-f", "json"],
        &repo(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let v = json(&out);
    assert_eq!(codes(&v), Vec::<String>::new());
    assert_eq!(v["summary"]["suppressed"], 3);
    assert!(
        v["suppressed"]
            .as_array()
            .is_some_and(|s| s.iter().all(|x| x["suppression"]["reason"].is_string()))
    );
}

#[test]
fn fail_on_threshold_decides_the_exit_code() {
    let ex = "examples/vulnerable-sam";
    assert_eq!(
        palisade(&["scan", ex, DATE, "--fail-on", "never"], &repo())
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        palisade(&["scan", ex, DATE, "--fail-on", "critical"], &repo())
            .status
            .code(),
        Some(1)
    );
    // Only info-level findings in this fixture: below the default threshold (low).
    let tmp = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        tmp.path().join("template.yaml"),
        "Resources:\n  Api:\n    Type: AWS::ApiGatewayV2::Api\n    Properties: {Name: x, ProtocolType: HTTP}\n",
    )
    .expect("write");
    let out = palisade(&["scan", ".", DATE, "--select", "PAL118"], tmp.path());
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stdout(&out).contains("info[PAL118]"));
    let out = palisade(
        &["scan", ".", DATE, "--select", "PAL118", "--fail-on", "info"],
        tmp.path(),
    );
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(
        palisade(&["scan", "does/not/exist"], &repo()).status.code(),
        Some(2)
    );
    assert_eq!(
        palisade(&["scan", ".", "--select", "PAL999"], &repo())
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        palisade(&["scan", ".", "--date", "yesterday"], &repo())
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        palisade(&["scan", "--format", "yaml"], &repo())
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        palisade(&["rules", "PAL999"], &repo()).status.code(),
        Some(2)
    );
}

#[test]
fn every_format_writes_to_a_file() {
    let tmp = tempfile::tempdir().expect("tempdir");
    for (format, marker) in [
        ("pretty", "Summary"),
        ("json", "\"schema_version\": 1"),
        ("sarif", "\"version\": \"2.1.0\""),
        ("junit", "<testsuites"),
    ] {
        let file = tmp.path().join(format!("out.{format}"));
        let out = palisade(
            &[
                "scan",
                "examples/vulnerable-sam",
                DATE,
                "-f",
                format,
                "-o",
                file.to_str().unwrap_or_default(),
            ],
            &repo(),
        );
        assert_eq!(out.status.code(), Some(1));
        assert!(out.stdout.is_empty(), "{format} also wrote to stdout");
        let text = std::fs::read_to_string(&file).expect("report written");
        assert!(text.contains(marker), "{format}: {text}");
        assert!(
            !text.contains('\u{1b}'),
            "{format} report file contains ANSI escapes"
        );
    }
}

#[test]
fn json_and_sarif_are_byte_identical_between_runs() {
    for format in ["json", "sarif"] {
        let a = palisade(&["scan", "examples", DATE, "-f", format], &repo());
        let b = palisade(&["scan", "examples", DATE, "-f", format], &repo());
        assert_eq!(a.stdout, b.stdout, "{format} differs between runs");
    }
}

#[test]
fn sarif_paths_are_relative_to_the_scanned_root() {
    let v = json(&palisade(
        &["scan", "examples/vulnerable-sam", DATE, "-f", "sarif"],
        &repo(),
    ));
    let results = v["runs"][0]["results"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let uris: Vec<&serde_json::Value> = results
        .iter()
        .map(|r| &r["locations"][0]["physicalLocation"]["artifactLocation"])
        .collect();
    // Template findings and code findings alike.
    for wanted in ["template.yaml", "src/orders/app.py"] {
        assert!(
            uris.iter().any(|u| u["uri"] == wanted),
            "{wanted}: {uris:?}"
        );
    }
    assert!(uris.iter().all(|u| u["uriBaseId"] == "%SRCROOT%"));
    assert!(v["runs"][0]["results"][0]["partialFingerprints"]["palisade/v1"].is_string());
}

#[test]
fn baseline_makes_ci_fail_only_on_new_findings() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let app = tmp.path().join("app");
    std::fs::create_dir(&app).expect("mkdir");
    let template = std::fs::read_to_string(repo().join("examples/vulnerable-sam/template.yaml"))
        .expect("read");
    std::fs::write(app.join("template.yaml"), &template).expect("write");
    let baseline = tmp.path().join("baseline.json");
    let b = baseline.to_str().unwrap_or_default();

    let out = palisade(
        &[
            "scan",
            "app",
            DATE,
            "--write-baseline",
            b,
            "--fail-on",
            "never",
        ],
        tmp.path(),
    );
    assert_eq!(out.status.code(), Some(0));
    let out = palisade(
        &["scan", "app", DATE, "--baseline", b, "-f", "json"],
        tmp.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let v = json(&out);
    assert_eq!(codes(&v), Vec::<String>::new());
    assert!(v["summary"]["suppressed"].as_u64().unwrap_or(0) > 50);

    // Moving code around (new lines above) keeps fingerprints; a new problem is reported.
    let changed = template.replacen("Resources:\n", "Resources:\n  # a comment that shifts every line\n", 1).replace(
        "  OrderEvents:\n    Type: AWS::SNS::Topic\n",
        "  OrderEvents:\n    Type: AWS::SNS::Topic\n  AuditEvents:\n    Type: AWS::SNS::Topic\n",
    );
    std::fs::write(app.join("template.yaml"), changed).expect("write");
    let out = palisade(
        &["scan", "app", DATE, "--baseline", b, "-f", "json"],
        tmp.path(),
    );
    assert_eq!(out.status.code(), Some(1));
    let v = json(&out);
    assert_eq!(codes(&v), vec!["PAL125".to_string()], "{}", stdout(&out));
    assert_eq!(v["findings"][0]["resource"], "AuditEvents");
}

#[test]
fn config_file_selects_rules_overrides_severity_and_ignores_with_reasons() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let template = std::fs::read_to_string(repo().join("examples/vulnerable-sam/template.yaml"))
        .expect("read");
    std::fs::write(tmp.path().join("template.yaml"), template).expect("write");
    std::fs::write(
        tmp.path().join("palisade.toml"),
        r#"fail-on = "high"
accounts = ["999988887777"]

[rules]
disable = ["PAL114", "function-without-code-signing"]

[rules.severity]
PAL115 = "info"

[[ignore]]
rule = "PAL105"
resource = "PaymentWebhook"
reason = "signed webhook"

[[ignore]]
rule = "PAL125"

[[ignore]]
rule = "PAL131"
reason = "no key in this app"
"#,
    )
    .expect("write");
    let v = json(&palisade(&["scan", ".", DATE, "-f", "json"], tmp.path()));
    let found = codes(&v);
    assert!(
        !found
            .iter()
            .any(|c| c == "PAL114" || c == "PAL116" || c == "PAL105" || c == "PAL125"),
        "{found:?}"
    );
    // The layer's account is listed as the user's own.
    assert!(!found.iter().any(|c| c == "PAL126"), "{found:?}");
    let findings = v["findings"].as_array().cloned().unwrap_or_default();
    assert!(
        findings
            .iter()
            .filter(|f| f["code"] == "PAL115")
            .all(|f| f["severity"] == "info")
    );
    // The ignore without a reason still applies, but is reported; the unused one too.
    let hygiene: Vec<_> = findings
        .iter()
        .filter(|f| f["code"] == "PAL902" || f["code"] == "PAL901")
        .collect();
    assert_eq!(hygiene.len(), 2, "{hygiene:?}");
    assert!(
        hygiene
            .iter()
            .all(|f| f["location"]["path"] == "palisade.toml")
    );
    assert!(
        hygiene
            .iter()
            .any(|f| f["code"] == "PAL902" && f["location"]["start"]["line"] == 15)
    );
    assert!(
        hygiene.iter().any(|f| f["code"] == "PAL901"
            && f["message"].as_str().is_some_and(|m| m.contains("PAL131")))
    );

    std::fs::write(tmp.path().join("palisade.toml"), "fail_on = \"high\"\n").expect("write");
    let out = palisade(&["scan", ".", DATE], tmp.path());
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("palisade.toml:1:1"), "{err}");
}

#[test]
fn template_suppressions_need_reasons_and_must_be_used() {
    let tmp = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        tmp.path().join("template.yaml"),
        r#"Transform: AWS::Serverless-2016-10-31
Resources:
  Hook:
    Type: AWS::Serverless::Function
    Metadata:
      palisade:
        ignore:
          - PAL105
          - {id: PAL102, reason: "the timeout is fine"}
    Properties:
      Handler: index.handler
      Runtime: nodejs24.x
      CodeUri: src
      FunctionUrlConfig: {AuthType: NONE}
"#,
    )
    .expect("write");
    let v = json(&palisade(
        &["scan", ".", DATE, "-f", "json", "--select", "PAL105,PAL102"],
        tmp.path(),
    ));
    let found = codes(&v);
    assert_eq!(
        found,
        vec!["PAL902".to_string(), "PAL901".to_string()],
        "{v}"
    );
    assert_eq!(v["findings"][0]["location"]["start"]["line"], 8);
    assert_eq!(v["suppressed"][0]["code"], "PAL105");
}

#[test]
fn rules_command_lists_and_explains() {
    let out = palisade(&["rules"], &repo());
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(text.contains("PAL105") && text.contains("function-url-without-auth"));
    let out = palisade(&["rules", "function-url-without-auth"], &repo());
    let text = stdout(&out);
    for heading in [
        "## What it does",
        "## Why is this bad?",
        "## Example",
        "## Fix",
        "## References",
        "S2:2017",
    ] {
        assert!(text.contains(heading), "{heading} missing:\n{text}");
    }
    let v = json(&palisade(&["rules", "-f", "json"], &repo()));
    assert!(v.as_array().is_some_and(|a| a.len() >= 40));
}

/// Each kind of hostile input gives a diagnostic naming the file (and position where there is
/// one), while the good template next to it is still scanned, and the run exits with 2.
#[test]
fn hostile_input_is_reported_and_the_rest_is_scanned() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path();
    let good = "Transform: AWS::Serverless-2016-10-31\nResources:\n  Hook:\n    Type: AWS::Serverless::Function\n    Properties: {Handler: i.h, Runtime: nodejs24.x, CodeUri: s, FunctionUrlConfig: {AuthType: NONE}}\n";
    std::fs::write(root.join("good.yaml"), good).expect("write");
    std::fs::write(
        root.join("malformed.yaml"),
        "Resources:\n  A: {Type: AWS::SNS::Topic\n  B: [\n",
    )
    .expect("write");
    let mut bomb = String::from(
        "Resources:\n  X: {Type: AWS::SNS::Topic}\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n",
    );
    for i in 1..12 {
        bomb.push_str(&format!(
            "a{i}: &a{i} [{}]\n",
            vec![format!("*a{}", i - 1); 10].join(", ")
        ));
    }
    std::fs::write(root.join("bomb.yaml"), bomb).expect("write");
    std::fs::write(
        root.join("deep.yaml"),
        format!("Resources:\n  X:\n    {}x\n", "- ".repeat(10_000)),
    )
    .expect("write");
    std::fs::write(
        root.join("deep-flow.json"),
        format!(
            "{{\"Resources\": {}1{}}}",
            "[".repeat(10_000),
            "]".repeat(10_000)
        ),
    )
    .expect("write");
    std::fs::write(
        root.join("binary.yaml"),
        b"Resources:\n\x00\x01\x02\xff binary",
    )
    .expect("write");
    std::fs::write(
        root.join("latin1.yaml"),
        b"Resources:\n  X:\n    Type: AWS::SNS::Topic # caf\xe9\n",
    )
    .expect("write");
    // 200 MB that claims to be a template; sparse, so the test stays fast and small on disk.
    let big = std::fs::File::create(root.join("huge.template.json")).expect("create");
    {
        use std::io::Write;
        let mut w = &big;
        w.write_all(b"{\"AWSTemplateFormatVersion\": \"2010-09-09\", \"Resources\": {")
            .expect("write");
    }
    big.set_len(200 * 1024 * 1024).expect("set_len");
    #[cfg(unix)]
    {
        std::fs::create_dir(root.join("loop")).expect("mkdir");
        std::os::unix::fs::symlink("..", root.join("loop").join("parent")).expect("symlink");
    }

    let started = std::time::Instant::now();
    let out = palisade(&["scan", ".", DATE, "-f", "json"], root);
    assert!(
        started.elapsed().as_secs() < 30,
        "took {:?}",
        started.elapsed()
    );
    expect_code(&out, 2);
    let v = json(&out);
    assert!(
        codes(&v).iter().any(|c| c == "PAL105"),
        "the good template was not scanned"
    );
    let diags = v["diagnostics"].as_array().cloned().unwrap_or_default();
    let diag = |file: &str| {
        diags
            .iter()
            .find(|d| {
                d["path"].as_str().is_some_and(|p| p.ends_with(file)) && d["level"] == "error"
            })
            .cloned()
            .unwrap_or_else(|| panic!("no error diagnostic for {file}: {diags:#?}"))
    };
    let d = diag("malformed.yaml");
    assert!(d["line"].as_u64().is_some(), "{d}");
    assert!(
        diag("bomb.yaml")["message"]
            .as_str()
            .is_some_and(|m| m.contains("alias"))
    );
    let d = diag("deep.yaml");
    assert!(
        d["message"].as_str().is_some_and(|m| m.contains("nesting")) && d["line"] == 3,
        "{d}"
    );
    assert!(diag("deep-flow.json")["line"].as_u64().is_some());
    assert!(
        diag("binary.yaml")["message"]
            .as_str()
            .is_some_and(|m| m.contains("binary"))
    );
    let d = diag("latin1.yaml");
    assert!(
        d["message"].as_str().is_some_and(|m| m.contains("UTF-8")) && d["line"] == 3,
        "{d}"
    );
    assert!(
        diag("huge.template.json")["message"]
            .as_str()
            .is_some_and(|m| m.contains("limit"))
    );
    #[cfg(unix)]
    assert!(
        diag("parent")["message"]
            .as_str()
            .is_some_and(|m| m.contains("loop"))
    );
}

/// `docs/rules.md` is generated; this keeps it in step with the rules' own documentation.
#[test]
fn rule_reference_in_docs_is_current() {
    let out = palisade(&["rules", "--format", "markdown"], &repo());
    let generated = stdout(&out);
    let committed = std::fs::read_to_string(repo().join("docs/rules.md")).unwrap_or_default();
    assert!(
        generated == committed,
        "docs/rules.md is out of date: run `cargo run -- rules --format markdown > docs/rules.md`"
    );
}

//! The dependency audit from the CLI: `db import` / `db info`, `deps` on a project whose
//! functions and layer carry every kind of supply-chain risk, the CycloneDX SBOM against the
//! official schema, and bad input.

#![allow(
    clippy::panic,
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "a test harness reports failures by panicking"
)]

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::{expect_code, json, palisade, repo};

fn osv_data() -> PathBuf {
    repo().join("crates/palisade-deps/tests/data/osv")
}

fn project() -> PathBuf {
    repo().join("crates/palisade/tests/projects/deps")
}

/// A database with the test advisories, in a fresh folder.
fn imported() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("advisories.redb").display().to_string();
    let osv = osv_data().display().to_string();
    let out = palisade(&["db", "import", &osv, "--db", &db], dir.path());
    expect_code(&out, 0);
    (dir, db)
}

fn findings(v: &serde_json::Value) -> Vec<&serde_json::Value> {
    v["findings"]
        .as_array()
        .map(|a| a.iter().collect())
        .unwrap_or_default()
}

#[test]
fn db_import_then_info_counts_sources_and_withdrawn_records() {
    let (dir, db) = imported();
    let out = palisade(&["db", "info", "--db", &db, "--format", "json"], dir.path());
    expect_code(&out, 0);
    let info = json(&out);
    // 197 PyPA + 10 GitHub + 462 Node.js WG + 4 malicious, less 2 withdrawn.
    assert_eq!(info["advisories"], 671, "{info:#}");
    assert_eq!(info["sources"]["osv"]["withdrawn"], 2, "{info:#}");
    assert!(info["newest_modified"].as_str().unwrap().starts_with("20"));
    // Importing the same source again replaces its records: the count stays.
    let osv = osv_data().display().to_string();
    expect_code(
        &palisade(&["db", "import", &osv, "--db", &db], dir.path()),
        0,
    );
    let again = json(&palisade(
        &["db", "info", "--db", &db, "--format", "json"],
        dir.path(),
    ));
    assert_eq!(again["advisories"], 671);
}

#[test]
fn bad_records_are_counted_and_named_and_the_rest_is_imported() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("advisories");
    fs::create_dir(&input).unwrap();
    let good = osv_data().join("npm-ghsa/GHSA-35jh-r3h4-6jhm.json");
    fs::copy(&good, input.join("good.json")).unwrap();
    fs::write(
        input.join("truncated.json"),
        "{\n  \"id\": \"GHSA-xxxx\",\n  \"affected\": [",
    )
    .unwrap();
    let lodash = fs::read_to_string(&good).unwrap().replace('\n', " ");
    fs::write(input.join("more.jsonl"), format!("{lodash}\n{{not json\n")).unwrap();
    fs::write(
        input.join("broken.zip"),
        b"PK\x03\x04 this is no zip archive",
    )
    .unwrap();
    let db = dir.path().join("db.redb").display().to_string();
    let out = palisade(
        &["db", "import", &input.display().to_string(), "--db", &db],
        dir.path(),
    );
    // Exit 2: something could not be imported; it is all said on standard error.
    expect_code(&out, 2);
    let err = String::from_utf8_lossy(&out.stderr);
    // The same record twice (good.json, more.jsonl:1): stored twice, the second replacing.
    assert!(err.contains("2 advisories stored"), "{err}");
    assert!(err.contains("3 rejected"), "{err}");
    assert!(
        err.contains("advisories/truncated.json: not an OSV record"),
        "{err}"
    );
    assert!(err.contains("(line 3, column"), "{err}");
    assert!(err.contains("advisories/more.jsonl:2"), "{err}");
    assert!(err.contains("advisories/broken.zip"), "{err}");
    let info = json(&palisade(
        &["db", "info", "--db", &db, "--format", "json"],
        dir.path(),
    ));
    assert_eq!(info["advisories"], 1);
}

#[test]
fn deps_reports_every_supply_chain_risk_on_the_function_or_layer_that_ships_it() {
    let (dir, db) = imported();
    let path = project().display().to_string();
    let out = palisade(
        &[
            "deps",
            &path,
            "--db",
            &db,
            "--format",
            "json",
            "--db-max-age",
            "0",
        ],
        dir.path(),
    );
    expect_code(&out, 1);
    let v = json(&out);
    let rows: Vec<(String, String, String)> = findings(&v)
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap_or("").to_string(),
                f["resource"].as_str().unwrap_or("").to_string(),
                f["message"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    let has = |code: &str, resource: &str, text: &str| {
        rows.iter()
            .any(|(c, r, m)| c == code && r == resource && m.contains(text))
    };
    let all = format!("{rows:#?}");
    assert!(
        has(
            "PAL401",
            "Webhook",
            "lodash 4.17.20 is affected by GHSA-35jh-r3h4-6jhm"
        ),
        "{all}"
    );
    assert!(has("PAL401", "Importer", "requests 2.25.1"), "{all}");
    // Notifier's folder has no manifest: the one a folder up is its.
    assert!(has("PAL401", "Notifier", "lodash 4.17.20"), "{all}");
    assert!(has("PAL401", "Shared", "PyYAML 5.3"), "{all}");
    assert!(
        has(
            "PAL403",
            "Webhook",
            "jest 29.7.0 (a development dependency)"
        ),
        "{all}"
    );
    assert!(has("PAL404", "Importer", "acme-feeds"), "{all}");
    assert!(
        has(
            "PAL406",
            "Webhook",
            "axios: declared in package.json but not in the lock file"
        ),
        "{all}"
    );
    assert!(has("PAL407", "Importer", "reqeusts"), "{all}");
    assert!(has("PAL408", "Importer", "boto3"), "{all}");
    // Only dependency rules run, and development packages are never reported as vulnerable.
    assert!(rows.iter().all(|(c, _, _)| c.starts_with("PAL4")), "{all}");
    assert!(!all.contains("pytest"), "{all}");
    // Findings point at the lock file line that declares the package.
    let lodash = findings(&v)
        .into_iter()
        .find(|f| f["code"] == "PAL401" && f["resource"] == "Webhook")
        .unwrap();
    assert_eq!(lodash["location"]["path"], "node/package-lock.json");
    assert_eq!(lodash["severity"], "high");
    // The package and the advisory, for scripts.
    let package = &lodash["package"];
    assert_eq!(package["purl"], "pkg:npm/lodash@4.17.20");
    assert_eq!(package["manifest"], "node/package-lock.json");
    assert_eq!(package["vulnerability"]["id"], "GHSA-35jh-r3h4-6jhm");
    assert_eq!(package["vulnerability"]["aliases"][0], "CVE-2021-23337");
    assert_eq!(package["vulnerability"]["fixed"][0], "4.17.21");
    assert_eq!(package["vulnerability"]["cvss_score"], 7.2);
}

#[test]
fn deps_prints_what_each_function_and_layer_ships_before_the_findings() {
    let (dir, db) = imported();
    let path = project().display().to_string();
    let out = palisade(&["deps", &path, "--db", &db, "--no-progress"], dir.path());
    expect_code(&out, 1);
    let text = common::stdout(&out);
    assert!(
        text.starts_with("Dependencies\n  Function Importer (template.yaml): py/ [requirements-dev.txt, requirements.txt] 3 packages + 1 for development, 1 vulnerable, boto3 from the python3.12 runtime\n"),
        "{text}"
    );
    assert!(
        text.contains(
            "  Layer Shared (template.yaml): layer/ [requirements.txt] 1 package, 1 vulnerable\n"
        ),
        "{text}"
    );
}

#[test]
fn terraform_and_serverless_functions_and_layers_are_audited_too() {
    let (dir, db) = imported();
    let tf = dir.path().join("tf");
    fs::create_dir_all(tf.join("src")).unwrap();
    fs::create_dir_all(tf.join("layer")).unwrap();
    fs::write(
        tf.join("main.tf"),
        r#"data "archive_file" "fn" {
  type        = "zip"
  source_dir  = "${path.module}/src"
  output_path = "${path.module}/build/fn.zip"
}
resource "aws_lambda_layer_version" "shared" {
  layer_name = "shared"
  filename   = "layer"
}
resource "aws_lambda_function" "fn" {
  function_name = "fn"
  role          = "arn:aws:iam::111122223333:role/fn"
  handler       = "app.handler"
  runtime       = "python3.12"
  filename      = data.archive_file.fn.output_path
  layers        = [aws_lambda_layer_version.shared.arn]
}
"#,
    )
    .unwrap();
    fs::write(
        tf.join("src/app.py"),
        "def handler(event, context):\n    return 1\n",
    )
    .unwrap();
    fs::write(tf.join("src/requirements.txt"), "PyYAML==5.3\n").unwrap();
    fs::write(tf.join("layer/requirements.txt"), "requests>=2\n").unwrap();
    let sls = dir.path().join("sls");
    fs::create_dir_all(sls.join("src")).unwrap();
    fs::write(
        sls.join("serverless.yml"),
        "service: demo\nprovider:\n  name: aws\n  runtime: nodejs20.x\nlayers:\n  common:\n    path: layers/common\nfunctions:\n  hook:\n    handler: src/index.handler\n    layers:\n      - !Ref CommonLambdaLayer\n",
    )
    .unwrap();
    fs::write(
        sls.join("src/index.js"),
        "exports.handler = async () => 1;\n",
    )
    .unwrap();
    fs::write(
        sls.join("package.json"),
        r#"{"name": "demo", "dependencies": {"lodash": "4.17.20"}}"#,
    )
    .unwrap();
    let rows = |path: &Path| -> Vec<(String, String, String)> {
        let out = palisade(
            &[
                "deps",
                &path.display().to_string(),
                "--db",
                &db,
                "--format",
                "json",
                "--fail-on",
                "never",
            ],
            dir.path(),
        );
        expect_code(&out, 0);
        findings(&json(&out))
            .iter()
            .map(|f| {
                (
                    f["code"].as_str().unwrap().to_string(),
                    f["resource"].as_str().unwrap_or("").to_string(),
                    f["location"]["path"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let tf_rows = rows(&tf);
    assert!(
        tf_rows.contains(&(
            "PAL401".into(),
            "aws_lambda_function.fn".into(),
            "src/requirements.txt".into()
        )),
        "{tf_rows:?}"
    );
    assert!(
        tf_rows.contains(&(
            "PAL405".into(),
            "aws_lambda_layer_version.shared".into(),
            "layer/requirements.txt".into()
        )),
        "{tf_rows:?}"
    );
    let sls_rows = rows(&sls);
    assert!(
        sls_rows.contains(&("PAL401".into(), "hook".into(), "package.json".into())),
        "{sls_rows:?}"
    );
}

#[test]
fn scan_without_a_database_says_what_is_not_checked_and_runs_the_other_rules() {
    let dir = tempfile::tempdir().unwrap();
    let path = project().display().to_string();
    // The test environment points PALISADE_DB at a file that does not exist.
    let out = palisade(
        &["scan", &path, "--format", "json", "--fail-on", "never"],
        dir.path(),
    );
    expect_code(&out, 0);
    let v = json(&out);
    let codes = common::codes(&v);
    assert!(codes.iter().any(|c| c == "PAL404"), "{codes:?}");
    assert!(!codes.iter().any(|c| c == "PAL401"), "{codes:?}");
    let notes = v["diagnostics"].to_string();
    assert!(notes.contains("no advisory database"), "{notes}");
}

struct Schemas(Vec<(String, serde_json::Value)>);

impl jsonschema::Retrieve for Schemas {
    fn retrieve(
        &self,
        uri: &jsonschema::Uri<String>,
    ) -> Result<serde_json::Value, Box<dyn std::error::Error + Send + Sync>> {
        self.0
            .iter()
            .find(|(name, _)| uri.as_str().ends_with(name.as_str()))
            .map(|(_, v)| v.clone())
            .ok_or_else(|| format!("no local copy of {}", uri.as_str()).into())
    }
}

fn cyclonedx_errors(sbom: &serde_json::Value) -> Vec<String> {
    let dir = repo().join("crates/palisade/tests/data/cyclonedx");
    let load = |name: &str| -> serde_json::Value {
        serde_json::from_str(&fs::read_to_string(dir.join(name)).unwrap()).unwrap()
    };
    let schema = load("bom-1.5.SNAPSHOT.schema.json");
    let validator = jsonschema::options()
        .with_retriever(Schemas(vec![
            (
                "spdx.SNAPSHOT.schema.json".into(),
                load("spdx.SNAPSHOT.schema.json"),
            ),
            (
                "jsf-0.82.SNAPSHOT.schema.json".into(),
                load("jsf-0.82.SNAPSHOT.schema.json"),
            ),
        ]))
        .build(&schema)
        .unwrap_or_else(|e| panic!("{e}"));
    validator
        .iter_errors(sbom)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}

#[test]
fn cyclonedx_sbom_is_valid_1_5_with_functions_layers_graph_and_vulnerabilities() {
    let (dir, db) = imported();
    let path = project().display().to_string();
    let out = palisade(
        &[
            "deps",
            &path,
            "--db",
            &db,
            "--format",
            "cyclonedx",
            "--fail-on",
            "never",
        ],
        dir.path(),
    );
    expect_code(&out, 0);
    let sbom = json(&out);
    let errors = cyclonedx_errors(&sbom);
    assert!(
        errors.is_empty(),
        "not valid CycloneDX 1.5:\n{}",
        errors.join("\n")
    );
    assert_eq!(sbom["specVersion"], "1.5");
    let components = sbom["components"].as_array().unwrap();
    let by_ref = |r: &str| components.iter().find(|c| c["bom-ref"] == r);
    let lodash = by_ref("pkg:npm/lodash@4.17.20").expect("lodash component");
    assert_eq!(lodash["hashes"][0]["alg"], "SHA-512");
    assert!(lodash["hashes"][0]["content"].as_str().unwrap().len() == 128);
    let jest = by_ref("pkg:npm/jest@29.7.0").expect("jest component");
    assert_eq!(jest["scope"], "excluded");
    let requests = by_ref("pkg:pypi/requests@2.25.1").expect("requests component");
    assert_eq!(requests["hashes"][0]["alg"], "SHA-256");
    let feeds = components
        .iter()
        .find(|c| c["name"] == "acme-feeds")
        .unwrap();
    assert_eq!(feeds["externalReferences"][0]["type"], "vcs");
    assert!(by_ref("function:template.yaml#Webhook").is_some());
    assert_eq!(
        by_ref("layer:template.yaml#Shared").unwrap()["type"],
        "library"
    );
    let deps = sbom["dependencies"].as_array().unwrap();
    let importer = deps
        .iter()
        .find(|d| d["ref"] == "function:template.yaml#Importer")
        .unwrap();
    let on: Vec<&str> = importer["dependsOn"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d.as_str())
        .collect();
    assert!(on.contains(&"pkg:pypi/requests@2.25.1"), "{on:?}");
    assert!(on.contains(&"layer:template.yaml#Shared"), "{on:?}");
    let vulns = sbom["vulnerabilities"].as_array().unwrap();
    let ghsa = vulns
        .iter()
        .find(|v| v["id"] == "GHSA-35jh-r3h4-6jhm")
        .unwrap();
    assert_eq!(ghsa["affects"][0]["ref"], "pkg:npm/lodash@4.17.20");
    assert_eq!(ghsa["ratings"][0]["method"], "CVSSv31");
}

#[test]
fn a_broken_lock_file_is_an_error_at_its_position_and_other_functions_are_audited() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("app");
    copy_dir(&project(), &root);
    fs::write(
        root.join("node/package-lock.json"),
        "{\n  \"lockfileVersion\": 3,\n  \"packages\": {\n    \"node_modules/lodash\": {\"version\": \n",
    )
    .unwrap();
    let out = palisade(
        &[
            "deps",
            &root.display().to_string(),
            "--format",
            "json",
            "--fail-on",
            "never",
        ],
        dir.path(),
    );
    expect_code(&out, 2);
    let v = json(&out);
    let diags = v["diagnostics"].as_array().unwrap();
    let broken = diags
        .iter()
        .find(|d| d["path"] == "node/package-lock.json")
        .unwrap_or_else(|| panic!("{diags:#?}"));
    assert_eq!(broken["level"], "error");
    assert!(broken["line"].as_u64().unwrap_or(0) >= 4, "{broken}");
    assert!(common::codes(&v).iter().any(|c| c == "PAL404"));
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            fs::copy(e.path(), &target).unwrap();
        }
    }
}

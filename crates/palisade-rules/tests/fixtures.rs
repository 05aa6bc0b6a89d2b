//! Every rule has fixtures under `tests/fixtures/<CODE>/`: files named `fires*` must produce at
//! least one finding of the rule (snapshotted), files named `passes*` must produce none. A
//! scenario written in several formats (`fires.sam.yaml`, `fires.cfn.yaml`) must give the same
//! findings in each (parity); other scenarios are named `fires-<scenario>.<format>.yaml`.
//! Code rules use folders (`fires-python/`) holding a `template.yaml` and the handlers.

#![allow(clippy::panic, reason = "a test harness reports failures by panicking")]

use std::path::{Path, PathBuf};

use palisade_loaders::{LoadSettings, Loaded, load_cloudformation};
use palisade_model::{App, Finding, SourceMap};
use palisade_rules::{Date, Rule, Settings, check_app, rules};

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("fixtures")
}

fn settings() -> Settings {
    Settings {
        today: Date::parse("2026-11-22").unwrap_or_else(|| unreachable!()),
        accounts: vec!["111122223333".to_string()],
    }
}

/// The advisory database of the fixtures: the real OSV records the dependency audit is
/// tested with, imported once per test run.
fn advisory_db() -> Option<&'static palisade_deps::AdvisoryDb> {
    static DB: std::sync::OnceLock<Option<(tempfile::TempDir, palisade_deps::AdvisoryDb)>> =
        std::sync::OnceLock::new();
    DB.get_or_init(|| {
        let dir = tempfile::tempdir().ok()?;
        let path = dir.path().join("advisories.redb");
        let osv = Path::new(env!("CARGO_MANIFEST_DIR")).join("../palisade-deps/tests/data/osv");
        palisade_deps::import::import(&path, &osv)
            .unwrap_or_else(|e| panic!("test advisories: {e}"));
        let db = palisade_deps::AdvisoryDb::open(&path).unwrap_or_else(|e| panic!("{e}"));
        Some((dir, db))
    })
    .as_ref()
    .map(|(_, db)| db)
}

/// A fixture is a template, or a folder with a `template.yaml` and the functions' code.
fn load(path: &Path, sources: &SourceMap) -> App {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let (path, rel) = if path.is_dir() {
        (path.join("template.yaml"), format!("{name}/template.yaml"))
    } else {
        (path.to_path_buf(), name)
    };
    let path = path.as_path();
    match load_cloudformation(path, &rel, sources, &LoadSettings::default()) {
        Ok(Loaded::App(mut app)) => {
            let (code, _) = palisade_code::analyze_app(&app, sources);
            app.code = code;
            let auditor = palisade_deps::Auditor::new(advisory_db());
            let (deps, _) = palisade_deps::analyze_app(&app, sources, &auditor);
            app.deps = deps;
            *app
        }
        Ok(Loaded::NotAnApp) => panic!("{} is not a template", path.display()),
        Err(e) => panic!("{}: {e}", path.display()),
    }
}

fn run(rule: &dyn Rule, path: &Path) -> Vec<Finding> {
    let sources = SourceMap::new();
    let app = load(path, &sources);
    let mut findings = check_app(&app, &sources, &settings(), &[rule]);
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    findings
}

fn render(findings: &[Finding]) -> String {
    findings
        .iter()
        .map(|f| {
            let related: String = f
                .related
                .iter()
                .map(|r| {
                    format!(
                        "    - {} ({}:{})\n",
                        r.message, r.location.start.line, r.location.start.column
                    )
                })
                .collect();
            format!(
                "{} {} [{}] {}:{}:{}-{}:{} {} fn={}\n  {}\n{related}",
                f.code,
                f.severity,
                f.confidence.as_str(),
                f.location.path,
                f.location.start.line,
                f.location.start.column,
                f.location.end.line,
                f.location.end.column,
                f.resource.as_deref().unwrap_or("-"),
                f.function.as_deref().unwrap_or("-"),
                f.message
            )
        })
        .collect()
}

fn files(dir: &Path, prefix: &str) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| {
                    p.file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with(prefix))
                })
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

/// Check one rule's fixtures; problems are returned, not panicked, so that one report lists
/// every rule that is wrong.
fn check_rule(rule: &dyn Rule, errors: &mut Vec<String>) -> bool {
    let code = rule.meta().code;
    let dir = fixtures_dir().join(code);
    let fires = files(&dir, "fires");
    let passes = files(&dir, "passes");
    if fires.is_empty() || passes.is_empty() {
        return false;
    }
    // Files of one scenario (`fires.sam.yaml`, `fires.cfn.yaml`; `fires-x.sam.yaml`, …) share
    // the part of their name before the first dot and must agree.
    let mut parity: std::collections::BTreeMap<String, Vec<Option<String>>> = Default::default();
    let mut snapshot = String::new();
    for path in &fires {
        let scenario = path
            .file_name()
            .map(|n| {
                n.to_string_lossy()
                    .split('.')
                    .next()
                    .unwrap_or_default()
                    .to_string()
            })
            .unwrap_or_default();
        let findings = run(rule, path);
        if !findings.iter().any(|f| f.code == code) {
            errors.push(format!(
                "{code}: {} must fire but gave nothing",
                path.display()
            ));
            continue;
        }
        let resources: Vec<_> = findings.iter().map(|f| f.resource.clone()).collect();
        match parity.get(&scenario) {
            None => {
                parity.insert(scenario, resources);
            }
            Some(first) if *first != resources => errors.push(format!(
                "{code}: {} finds {resources:?} where the first format found {first:?}",
                path.display()
            )),
            Some(_) => {}
        }
        snapshot.push_str(&render(&findings));
    }
    for path in &passes {
        let findings = run(rule, path);
        if !findings.is_empty() {
            errors.push(format!(
                "{code}: {} must not fire but gave:\n{}",
                path.display(),
                render(&findings)
            ));
        }
    }
    insta::assert_snapshot!(code, snapshot);
    true
}

#[test]
fn every_rule_fires_on_its_fixture_and_not_on_its_counterpart() {
    // `FIXTURE_FILTER=PAL12` checks only the rules whose code contains that text.
    let filter = std::env::var("FIXTURE_FILTER").unwrap_or_default();
    let mut missing = Vec::new();
    let mut errors = Vec::new();
    for rule in rules() {
        let code = rule.meta().code;
        if !code.contains(filter.as_str()) {
            continue;
        }
        if !check_rule(*rule, &mut errors) {
            missing.push(code);
        }
    }
    assert!(
        errors.is_empty(),
        "fixture failures:\n{}",
        errors.join("\n")
    );
    assert!(
        missing.is_empty(),
        "rules without fires*/passes* fixtures: {missing:?}"
    );
}

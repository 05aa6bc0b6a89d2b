//! Palisade's CloudTrail detections (PAL501–PAL513) on their fixtures: every rule fires on
//! `fixtures/PAL5xx/fire.jsonl` and not on `pass.jsonl`, whether it ships as a Sigma rule
//! (`rules/palisade/`) or is built in (`CloudTrailDetections`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use palisade_detect::cloudtrail::{
    CloudTrailDetections, CloudTrailSettings, CloudTrailState, rules,
};
use palisade_detect::{
    CloudTrailEvent, DetectConfig, Detection, KnownFunction, Level, Origin, RuleSet, RuleSource,
};

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Palisade's Sigma rules and, by Sigma id, the PAL code of their `palisade.pal5xx` tag.
struct SigmaRules {
    set: RuleSet,
    code_of: BTreeMap<String, String>,
}

fn sigma_rules() -> SigmaRules {
    let dir = crate_dir().join("rules/palisade");
    let set = RuleSet::load_dir(&dir);
    assert!(set.problems.is_empty(), "{:?}", set.problems);
    let mut code_of = BTreeMap::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        let id = text
            .lines()
            .find_map(|l| l.strip_prefix("id: "))
            .unwrap()
            .trim();
        let code = text
            .lines()
            .find_map(|l| l.trim().strip_prefix("- palisade.pal"))
            .map(|n| format!("PAL{}", n.trim()))
            .unwrap();
        code_of.insert(id.to_string(), code);
    }
    SigmaRules { set, code_of }
}

fn fixture_config() -> DetectConfig {
    DetectConfig {
        deployers: vec!["arn:aws:iam::123456789012:role/deploy-*".to_string()],
        accounts: Vec::new(),
        functions: vec![KnownFunction {
            name: "orders-api".to_string(),
            logical_id: "OrdersApi".to_string(),
            role_name: Some("orders-api-role".to_string()),
            region: Some("us-east-1".to_string()),
        }],
    }
}

/// What fired, as (code, message); Sigma matches have their title as message.
type Fired = Vec<(String, String)>;

fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_string)
        .collect()
}

/// Runs the built-in detections over groups of lines, each group with its own state (as files
/// read in parallel), merged in the order given.
fn builtin(config: DetectConfig, groups: &[Vec<String>]) -> Vec<Detection> {
    let detections = CloudTrailDetections::new(Arc::new(config));
    let mut out = Vec::new();
    let mut merged = CloudTrailState::default();
    for (g, group) in groups.iter().enumerate() {
        let mut state = CloudTrailState::default();
        for (i, line) in group.iter().enumerate() {
            let event = CloudTrailEvent::parse(line).unwrap();
            let origin = Origin {
                file: format!("part{g}.jsonl"),
                at: format!("line {}", i + 1),
            };
            detections.event(&event, line, &origin, &mut state, &mut out);
        }
        merged.merge(state);
    }
    detections.finish(merged, &mut out);
    out
}

fn fired(sigma: &SigmaRules, path: &Path) -> Fired {
    let lines = lines(path);
    let mut out: Fired = Vec::new();
    for line in &lines {
        let value: serde_json::Value = serde_json::from_str(line).unwrap();
        for m in sigma.set.matches(&value) {
            let code = sigma.code_of[m.rule.id.as_deref().unwrap()].clone();
            out.push((code, m.rule.title.clone()));
        }
    }
    for d in builtin(fixture_config(), &[lines]) {
        assert_eq!(d.rule.source, RuleSource::Builtin);
        out.push((d.rule.code.clone(), d.message));
    }
    out.sort();
    out
}

fn codes(fired: &Fired) -> Vec<&str> {
    fired.iter().map(|(c, _)| c.as_str()).collect()
}

/// Per rule: the codes its fire fixture yields (sorted, with repeats), those of its pass
/// fixture, and text that the fire fixture's messages must contain.
/// (code, fire codes, pass codes, message texts).
type Case = (
    &'static str,
    &'static [&'static str],
    &'static [&'static str],
    &'static [&'static str],
);

const CASES: &[Case] = &[
    (
        "PAL501",
        &["PAL501", "PAL501"],
        &[],
        &[
            "UpdateFunctionCode on orders-api by arn:aws:iam::123456789012:user/alice, which matches none of the configured deployers",
            "UpdateFunctionConfiguration on billing-worker by arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_DevAdmin_0a1b2c3d4e5f",
        ],
    ),
    (
        "PAL502",
        &["PAL502"],
        &[],
        &["Layer attached to a Lambda function"],
    ),
    (
        "PAL503",
        &["PAL502", "PAL503"],
        &["PAL502"],
        &[
            "attached to orders-api the layer arn:aws:lambda:us-east-1:210987654321:layer:perf-helper:3 published by account 210987654321, which is not one of yours",
        ],
    ),
    (
        "PAL504",
        &["PAL504", "PAL504"],
        &[],
        &["Lambda function URL open to anyone"],
    ),
    (
        "PAL505",
        &["PAL505"],
        &[],
        &["Lambda function policy grants any principal"],
    ),
    (
        "PAL506",
        &["PAL506", "PAL506"],
        &[],
        &[
            "granted lambda:InvokeFunction on orders-api to account 210987654321, which is not one of your accounts",
            "granted lambda:InvokeFunction on billing-worker to sns.amazonaws.com (account 210987654321)",
        ],
    ),
    (
        "PAL507",
        &["PAL507"],
        &[],
        &["Lambda function throttled to zero concurrency"],
    ),
    (
        "PAL508",
        &["PAL508"],
        &[],
        &[
            "mapped arn:aws:sqs:us-east-1:210987654321:jobs to orders-worker: the source belongs to account 210987654321",
        ],
    ),
    (
        "PAL509",
        &["PAL509", "PAL509"],
        &[],
        &[
            "Credentials of billing-worker's execution role (arn:aws:iam::123456789012:role/billing-worker-role) were used outside Lambda: s3:ListBuckets from 198.51.100.77 with aws-cli/2.15.0",
            "Credentials of orders-api's execution role (arn:aws:iam::123456789012:role/orders-api-role) called ssm:GetParameter in ap-southeast-2, but the function runs in us-east-1 (the template's region)",
        ],
    ),
    (
        "PAL510",
        &["PAL510"],
        &[],
        &[
            "10 calls by orders-api's role (arn:aws:iam::123456789012:role/orders-api-role) were denied within about 5 minutes",
        ],
    ),
    (
        "PAL511",
        &["PAL511", "PAL511"],
        &[],
        &["CloudTrail logging stopped or trail deleted"],
    ),
    (
        "PAL512",
        &["PAL512", "PAL512"],
        &[],
        &["CloudTrail trail weakened"],
    ),
    (
        "PAL513",
        &["PAL513", "PAL513"],
        &[],
        &["CloudTrail event selectors drop management events"],
    ),
];

#[test]
fn every_rule_fires_on_its_fire_fixture_and_not_on_its_pass_fixture() {
    let sigma = sigma_rules();
    let all: Vec<&str> = rules().iter().map(|r| r.code).collect();
    assert_eq!(
        CASES.iter().map(|c| c.0).collect::<Vec<_>>(),
        all,
        "a case per rule, in order"
    );
    for (code, fire_codes, pass_codes, messages) in CASES {
        let dir = crate_dir().join("tests/fixtures").join(code);
        let fire = fired(&sigma, &dir.join("fire.jsonl"));
        assert_eq!(codes(&fire), *fire_codes, "{code} fire: {fire:#?}");
        for text in *messages {
            assert!(
                fire.iter().any(|(c, m)| c == code && m.contains(text)),
                "{code}: no message contains {text:?}: {fire:#?}"
            );
        }
        let pass = fired(&sigma, &dir.join("pass.jsonl"));
        assert_eq!(codes(&pass), *pass_codes, "{code} pass: {pass:#?}");
    }
}

#[test]
fn detections_carry_their_event_function_principal_and_a_stable_key() {
    let lines = lines(&crate_dir().join("tests/fixtures/PAL501/fire.jsonl"));
    let out = builtin(fixture_config(), std::slice::from_ref(&lines));
    assert_eq!(out.len(), 2);
    let d = &out[0];
    assert_eq!(d.rule.code, "PAL501");
    assert_eq!(d.rule.level, Level::High);
    assert_eq!(d.function.as_deref(), Some("orders-api"));
    assert_eq!(
        d.principal.as_deref(),
        Some("arn:aws:iam::123456789012:user/alice")
    );
    assert_eq!(
        d.key,
        "arn:aws:iam::123456789012:user/alice|orders-api|UpdateFunctionCode"
    );
    assert_eq!(d.event.as_deref(), Some(lines[0].as_str()));
    assert_eq!(
        d.origin,
        Some(Origin {
            file: "part0.jsonl".into(),
            at: "line 1".into()
        })
    );
    assert!(d.time_ms.is_some());
    assert!(
        d.evidence
            .iter()
            .any(|(k, v)| k == "sourceIPAddress" && v == "198.51.100.23")
    );
    // The ARN in `functionName` is normalised to the name.
    assert_eq!(out[1].function.as_deref(), Some("billing-worker"));
    // The same occurrence read twice has the same key.
    let twice = builtin(fixture_config(), &[lines.clone(), lines]);
    assert_eq!(twice.len(), 4);
    assert_eq!(twice[0].key, twice[2].key);
}

#[test]
fn without_deployers_pal501_does_not_run_and_a_note_says_how_to_configure_it() {
    let config = DetectConfig::default();
    let lines = lines(&crate_dir().join("tests/fixtures/PAL501/fire.jsonl"));
    assert!(builtin(config.clone(), &[lines]).is_empty());
    let notes = CloudTrailDetections::new(Arc::new(config)).notes();
    assert_eq!(notes.len(), 1);
    assert!(notes[0].contains("[detect] deployers = ["), "{notes:?}");
    assert!(notes[0].contains("palisade.toml"), "{notes:?}");
    assert!(
        CloudTrailDetections::new(Arc::new(fixture_config()))
            .notes()
            .is_empty()
    );
}

#[test]
fn configured_accounts_decide_what_is_foreign() {
    // 210987654321 is a second account of the organisation: its grant is not foreign.
    let mut config = fixture_config();
    config.accounts = vec!["123456789012".into(), "210987654321".into()];
    for code in ["PAL503", "PAL506", "PAL508"] {
        let lines = lines(
            &crate_dir()
                .join("tests/fixtures")
                .join(code)
                .join("fire.jsonl"),
        );
        let out = builtin(config.clone(), &[lines]);
        assert!(out.iter().all(|d| d.rule.code != code), "{code}: {out:#?}");
    }
    // With only the other account listed, the recipient's own grants become foreign.
    config.accounts = vec!["999999999999".into()];
    let lines = lines(&crate_dir().join("tests/fixtures/PAL506/pass.jsonl"));
    let out = builtin(config, &[lines]);
    assert_eq!(out.len(), 2, "{out:#?}");
}

/// PAL509 and PAL510 decide after the last file: splitting the events into one file each,
/// merged in any order, yields the same detections.
#[test]
fn stateful_detections_do_not_depend_on_file_order() {
    for code in ["PAL509", "PAL510"] {
        let lines = lines(
            &crate_dir()
                .join("tests/fixtures")
                .join(code)
                .join("fire.jsonl"),
        );
        let whole = builtin(fixture_config(), std::slice::from_ref(&lines));
        let split: Vec<Vec<String>> = lines.iter().map(|l| vec![l.clone()]).collect();
        let mut reversed = split.clone();
        reversed.reverse();
        let strip = |ds: Vec<Detection>| -> Vec<(String, String, String, Option<String>)> {
            ds.into_iter()
                .map(|d| (d.rule.code.clone(), d.key, d.message, d.event))
                .collect()
        };
        let a = strip(whole);
        assert!(!a.is_empty());
        assert_eq!(a, strip(builtin(fixture_config(), &split)), "{code}");
        assert_eq!(a, strip(builtin(fixture_config(), &reversed)), "{code}");
    }
}

#[test]
fn access_denied_threshold_and_window_are_settings() {
    let lines = lines(&crate_dir().join("tests/fixtures/PAL510/fire.jsonl"));
    let run = |settings: CloudTrailSettings| {
        let detections = CloudTrailDetections::with_settings(Arc::new(fixture_config()), settings);
        let mut state = CloudTrailState::default();
        let mut out = Vec::new();
        let origin = Origin {
            file: "f".into(),
            at: "line".into(),
        };
        for line in &lines {
            let event = CloudTrailEvent::parse(line).unwrap();
            detections.event(&event, line, &origin, &mut state, &mut out);
        }
        detections.finish(state, &mut out);
        out.len()
    };
    assert_eq!(run(CloudTrailSettings::default()), 1);
    assert_eq!(
        run(CloudTrailSettings {
            access_denied_threshold: 11,
            ..CloudTrailSettings::default()
        }),
        0
    );
    // The ten denials span 3 min 36 s: a 2-minute window never holds ten.
    assert_eq!(
        run(CloudTrailSettings {
            access_denied_window_ms: 2 * 60 * 1000,
            ..CloudTrailSettings::default()
        }),
        0
    );
    // Past the session cap nothing is tracked.
    assert_eq!(
        run(CloudTrailSettings {
            max_sessions: 0,
            ..CloudTrailSettings::default()
        }),
        0
    );
}

/// Every Sigma-shipped rule has its metadata in `rules()`, with the same title and level, and
/// every rule has fixtures.
#[test]
fn sigma_rules_and_metadata_agree() {
    let sigma = sigma_rules();
    assert_eq!(sigma.set.len(), sigma.code_of.len());
    let metas = rules();
    for entry in std::fs::read_dir(crate_dir().join("rules/palisade")).unwrap() {
        let path = entry.unwrap().path();
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        let field = |name: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(name))
                .unwrap()
                .trim()
                .to_string()
        };
        let id = field("id: ");
        let code = &sigma.code_of[&id];
        let meta = metas
            .iter()
            .find(|m| m.code == code)
            .unwrap_or_else(|| panic!("{code} has no metadata"));
        assert_eq!(field("title: "), meta.title, "{code}");
        assert_eq!(field("author: "), "Palisade", "{code}");
        assert_eq!(
            Level::parse(&field("level: ")).unwrap(),
            palisade_level(meta.severity),
            "{code}"
        );
        assert!(text.contains("    product: aws\n    service: cloudtrail\n"));
        // The documentation names the file that implements the rule.
        assert!(
            meta.docs.contains(&format!("`rules/palisade/{file}`")),
            "{code}"
        );
    }
    for meta in &metas {
        let dir = crate_dir().join("tests/fixtures").join(meta.code);
        assert!(dir.join("fire.jsonl").is_file(), "{}", meta.code);
        assert!(dir.join("pass.jsonl").is_file(), "{}", meta.code);
    }
}

fn palisade_level(severity: palisade_model::Severity) -> Level {
    match severity {
        palisade_model::Severity::Info => Level::Informational,
        palisade_model::Severity::Low => Level::Low,
        palisade_model::Severity::Medium => Level::Medium,
        palisade_model::Severity::High => Level::High,
        palisade_model::Severity::Critical => Level::Critical,
    }
}

/// State far behind the newest event is decided and forgotten during the run: a burst or a
/// session cut by the eviction is still reported, once per key.
#[test]
fn evicting_old_state_keeps_bursts_and_sessions() {
    for code in ["PAL509", "PAL510"] {
        let lines = lines(
            &crate_dir()
                .join("tests/fixtures")
                .join(code)
                .join("fire.jsonl"),
        );
        let detections = CloudTrailDetections::new(Arc::new(fixture_config()));
        let origin = Origin {
            file: "f".into(),
            at: "line".into(),
        };
        let times: Vec<i64> = lines
            .iter()
            .filter_map(|l| CloudTrailEvent::parse(l).ok()?.time_ms())
            .collect();
        let (first, last) = (*times.iter().min().unwrap(), *times.iter().max().unwrap());
        // Cuts before, inside and after the events' span.
        for cut in [first - 1, first + (last - first) / 2, last + 1] {
            let mut state = CloudTrailState::default();
            let mut out = Vec::new();
            for line in &lines {
                let event = CloudTrailEvent::parse(line).unwrap();
                detections.event(&event, line, &origin, &mut state, &mut out);
            }
            detections.evict(&mut state, cut, &mut out);
            detections.finish(state, &mut out);
            let keys: std::collections::BTreeSet<(String, String)> = out
                .iter()
                .map(|d| (d.rule.code.clone(), d.key.clone()))
                .collect();
            assert!(
                keys.iter().any(|(c, _)| c == code),
                "{code} lost with a cut at {cut}"
            );
        }
    }
}

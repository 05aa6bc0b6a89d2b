//! The SigmaHQ CloudTrail rules bundled from `rules/sigmahq`: what loads, what is said about
//! what does not, and, for every rule, hand-made events (`tests/data/sigma-cases/<stem>.json`)
//! on which it must fire and look-alikes on which it must not, through both matching paths.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use palisade_detect::{Match, RuleProblem, RuleSet};
use serde_json::{Value, json};

fn manifest() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every bundled rule, with the placeholder rule's values supplied as its case expects.
fn full_set() -> RuleSet {
    let mut set = RuleSet::new();
    set.set_placeholder("Legitimate_Countries", vec!["DE".into(), "FR".into()]);
    set.set_placeholder("Legitimate_IP_Ranges", vec!["203.0.113.*".into()]);
    set.add_bundled();
    set
}

fn stems(sub: &str) -> BTreeSet<String> {
    walk(&manifest().join("rules/sigmahq").join(sub))
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "yml"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect()
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

fn sigmahq_problems(set: &RuleSet) -> Vec<&RuleProblem> {
    set.problems
        .iter()
        .filter(|p| p.file.starts_with("sigmahq/"))
        .collect()
}

#[test]
fn every_bundled_sigmahq_rule_loads_and_the_placeholder_rule_says_why_not() {
    let set = RuleSet::bundled();
    let rules: Vec<_> = set
        .rules()
        .into_iter()
        .filter(|r| r.file.starts_with("sigmahq/"))
        .collect();
    // 57 rules, 10 base rules and 8 correlations in `rewritten/`; the placeholder rule waits
    // for its values.
    assert_eq!(rules.len(), 57 + 10 + 8, "{rules:#?}");
    let files: BTreeSet<&str> = rules.iter().map(|r| r.file.as_str()).collect();
    assert_eq!(files.len(), 57 + 8);
    assert!(files.iter().all(|f| !f.contains("not-loaded")));
    let problems = sigmahq_problems(&set);
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert_eq!(
        problems[0].file,
        "sigmahq/rules-placeholder/cloud/aws/cloudtrail/aws_cloudtrail_console_login_success_from_susp_locations.yml"
    );
    assert_eq!(
        problems[0].message,
        "rule `AWS Console Login Monitoring` not loaded: placeholder %Legitimate_Countries%, \
         %Legitimate_IP_Ranges% has no values; supply them with \
         `RuleSet::set_placeholder(NAME, VALUES)` before loading (`palisade detect \
         --placeholder NAME=VALUE,VALUE`)"
    );
    assert!(set.correlation_count() >= 8);

    let full = full_set();
    assert!(sigmahq_problems(&full).is_empty(), "{:?}", full.problems);
    assert_eq!(
        full.rules()
            .iter()
            .filter(|r| r.file.starts_with("sigmahq/"))
            .count(),
        57 + 10 + 8 + 1
    );
}

#[test]
fn the_legacy_originals_are_named_with_their_problem_when_loaded_directly() {
    let set = RuleSet::load_dir(&manifest().join("rules/sigmahq/not-loaded/unsupported"));
    assert_eq!(set.files, 8);
    // `| count() by X > N` and `| near` are not Sigma 2 conditions; the eighth parses.
    assert_eq!(set.problems.len(), 7, "{:?}", set.problems);
    assert_eq!(set.len(), 1);
    assert!(
        set.problems
            .iter()
            .all(|p| p.file.starts_with("cloud/aws_") && p.file.ends_with(".yml"))
    );
    // And a folder that holds them is skipped by name.
    let outer = RuleSet::load_dir(&manifest().join("rules/sigmahq"));
    assert_eq!(outer.files, 57 + 1 + 8);
}

#[test]
fn every_rule_has_a_case_file_and_every_case_file_a_rule() {
    let mut rules = stems("rules");
    rules.extend(stems("rules-placeholder"));
    rules.extend(stems("rewritten"));
    assert_eq!(rules.len(), 66);
    let cases: BTreeSet<String> = std::fs::read_dir(manifest().join("tests/data/sigma-cases"))
        .unwrap()
        .map(|e| {
            e.unwrap()
                .path()
                .file_stem()
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    assert_eq!(rules, cases);
}

fn case(stem: &str) -> Value {
    let path = manifest().join(format!("tests/data/sigma-cases/{stem}.json"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn by_stem<'m>(matches: &'m [Match], stem: &str) -> Vec<&'m Match> {
    matches
        .iter()
        .filter(|m| m.rule.file.ends_with(&format!("/{stem}.yml")))
        .collect()
}

/// Both paths, and they must agree.
fn both(set: &RuleSet, event: &Value) -> Vec<Match> {
    let parsed = set.matches(event);
    let raw = set.matches_json(&event.to_string()).unwrap();
    assert_eq!(parsed, raw, "paths differ on {event}");
    parsed
}

#[test]
fn every_detection_rule_fires_on_its_cases_and_not_on_look_alikes() {
    let set = full_set();
    let mut checked = 0;
    for stem in stems("rules").iter().chain(&stems("rules-placeholder")) {
        let case = case(stem);
        let fire = case["fire"].as_array().unwrap();
        let pass = case["pass"].as_array().unwrap();
        assert!(!fire.is_empty() && !pass.is_empty(), "{stem}");
        for event in fire {
            let matches = both(&set, event);
            let own = by_stem(&matches, stem);
            assert_eq!(own.len(), 1, "{stem} must fire on {event}: {matches:#?}");
            let rule = &own[0].rule;
            assert!(
                rule.author.as_deref().is_some_and(|a| !a.is_empty()),
                "{stem}"
            );
            assert!(own[0].standalone && !own[0].feeds_correlation);
        }
        for event in pass {
            let matches = both(&set, event);
            assert!(
                by_stem(&matches, stem).is_empty(),
                "{stem} must not fire on {event}"
            );
        }
        checked += 1;
    }
    assert_eq!(checked, 58);
}

#[test]
fn every_rewritten_correlation_fires_on_its_sequences_and_not_on_the_others() {
    let set = full_set();
    let mut checked = 0;
    for stem in stems("rewritten") {
        let case = case(&stem);
        // Through both paths: parsed records, and raw text parsed only when needed.
        let run = |sequence: &Value| {
            let mut parsed = set.correlator();
            let mut raw = set.correlator();
            let mut hits = Vec::new();
            for event in sequence.as_array().unwrap() {
                let matches = both(&set, event);
                for m in by_stem(&matches, &stem) {
                    assert!(m.feeds_correlation && !m.standalone, "{stem}: {m:?}");
                }
                let from_parsed = parsed.feed(event, &matches);
                let from_raw = raw.feed_json(&event.to_string(), &matches).unwrap();
                assert_eq!(from_parsed, from_raw, "{stem}");
                hits.extend(from_parsed);
            }
            hits
        };
        let fire = case["fire"].as_array().unwrap();
        let pass = case["pass"].as_array().unwrap();
        assert!(!fire.is_empty() && !pass.is_empty(), "{stem}");
        for sequence in fire {
            let hits = run(sequence);
            let own: Vec<_> = hits
                .iter()
                .filter(|h| h.rule.file == format!("sigmahq/rewritten/{stem}.yml"))
                .collect();
            assert_eq!(
                own.len(),
                1,
                "{stem} must fire once on {sequence}: {hits:#?}"
            );
            assert!(own[0].rule.author.is_some());
            assert!(!own[0].events.is_empty());
        }
        for sequence in pass {
            let hits = run(sequence);
            assert!(
                hits.is_empty(),
                "{stem} must not fire on {sequence}: {hits:#?}"
            );
        }
        checked += 1;
    }
    assert_eq!(checked, 8);
}

#[test]
fn a_match_names_its_rule_and_author() {
    let set = RuleSet::bundled();
    let event = json!({
        "eventVersion": "1.08",
        "eventSource": "cloudtrail.amazonaws.com",
        "eventName": "StopLogging",
        "awsRegion": "us-east-1",
        "userIdentity": {"type": "AssumedRole", "arn": "arn:aws:sts::111122223333:assumed-role/dev/alice"},
        "requestParameters": {"name": "management-events"}
    });
    let matches = set.matches(&event);
    let m = matches
        .iter()
        .find(|m| m.rule.title == "AWS CloudTrail Important Change")
        .unwrap_or_else(|| panic!("{matches:?}"));
    assert_eq!(m.rule.author.as_deref(), Some("vitaliy0x1"));
    assert_eq!(m.rule.level.as_deref(), Some("medium"));
    assert_eq!(
        m.rule.id.as_deref(),
        Some("4db60cc0-36fb-42b7-9b58-a5b53019fb74")
    );
    assert_eq!(
        m.rule.file,
        "sigmahq/rules/cloud/aws/cloudtrail/aws_cloudtrail_disable_logging.yml"
    );
    assert_eq!(
        m.rule.tags,
        ["attack.defense-impairment", "attack.t1685.002"]
    );
    assert_eq!(m.rule.code, None);
}

#[test]
fn a_correlation_hit_names_its_rule_group_count_window_and_events() {
    let set = RuleSet::bundled();
    let mut correlator = set.correlator();
    let mut hits = Vec::new();
    for (i, ip) in ["198.51.100.1"; 6].iter().enumerate() {
        let event = json!({
            "eventTime": format!("2024-05-01 12:0{i}:00"),
            "eventID": format!("e{i}"),
            "eventSource": "macie2.amazonaws.com",
            "eventName": "DisableMacie",
            "sourceIPAddress": ip,
        });
        let matches = set.matches(&event);
        hits.extend(correlator.feed(&event, &matches));
    }
    assert_eq!(hits.len(), 1, "{hits:#?}");
    let hit = &hits[0];
    assert_eq!(hit.rule.title, "AWS Macie Evasion");
    assert_eq!(hit.rule.author.as_deref(), Some("Sittikorn S"));
    assert_eq!(hit.kind, "event_count");
    assert_eq!(
        hit.group,
        vec![("sourceIPAddress".to_string(), "198.51.100.1".to_string())]
    );
    assert!((hit.count - 6.0).abs() < f64::EPSILON);
    assert_eq!(hit.window_secs, 600);
    assert_eq!(hit.time_ms, 1_714_565_100_000);
    assert_eq!(hit.events.len(), 6);
    assert_eq!(
        hit.events.first(),
        Some(&(1_714_564_800_000, Some("e0".to_string())))
    );
}

#[test]
fn events_without_time_or_too_late_stay_out_of_correlations() {
    let set = RuleSet::bundled();
    let mut correlator = set.correlator();
    let macie = |time: Option<&str>| {
        let mut e = json!({"eventSource": "macie2.amazonaws.com", "eventName": "DisableMacie", "sourceIPAddress": "1.2.3.4"});
        if let Some(t) = time {
            e["eventTime"] = json!(t);
        }
        e
    };
    for _ in 0..10 {
        let e = macie(None);
        assert!(correlator.feed(&e, &set.matches(&e)).is_empty());
    }
    assert_eq!(correlator.untimed(), 10);
    let now = macie(Some("2024-05-01T12:00:00Z"));
    assert!(correlator.feed(&now, &set.matches(&now)).is_empty());
    // More than the longest window (1 hour) before the newest event.
    for _ in 0..10 {
        let e = macie(Some("2024-05-01T10:00:00Z"));
        assert!(correlator.feed(&e, &set.matches(&e)).is_empty());
    }
    assert_eq!(correlator.late(), 10);
}

#[test]
fn user_folders_combine_with_the_bundled_rules_and_duplicates_are_named() {
    let dir = std::env::temp_dir().join(format!("palisade-sigma-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("not-loaded")).unwrap();
    std::fs::write(
        dir.join("mine.yml"),
        "title: Mine\nid: 0d4c1a1e-0000-4000-8000-000000000001\nauthor: me\ntags: [palisade.pal599]\nlogsource: {product: aws}\ndetection:\n  sel:\n    eventName: Mine\n  condition: sel\n",
    )
    .unwrap();
    std::fs::copy(
        manifest().join("rules/sigmahq/rules/cloud/aws/cloudtrail/aws_delete_identity.yml"),
        dir.join("copy.yml"),
    )
    .unwrap();
    std::fs::write(dir.join("not-loaded/broken.yml"), "not: [a rule").unwrap();
    let mut set = RuleSet::bundled();
    let before = set.len();
    set.extend_dir(&dir);
    assert_eq!(set.len(), before + 1);
    let m = set.matches(&json!({"eventName": "Mine"}));
    assert_eq!(m.len(), 1);
    assert_eq!(m[0].rule.code.as_deref(), Some("PAL599"));
    assert_eq!(m[0].rule.file, "mine.yml");
    let dup: Vec<_> = set
        .problems
        .iter()
        .filter(|p| p.file == "copy.yml")
        .collect();
    assert_eq!(dup.len(), 1);
    assert!(dup[0].message.contains(
        "is already loaded from sigmahq/rules/cloud/aws/cloudtrail/aws_delete_identity.yml"
    ));
    let only = RuleSet::load_dir(&dir);
    assert_eq!((only.len(), only.files), (2, 2));
    std::fs::remove_dir_all(&dir).unwrap();
}

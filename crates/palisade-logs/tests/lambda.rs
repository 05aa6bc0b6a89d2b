//! Lambda's platform lines and durations, on real samples (DataDog's test data, see
//! `tests/data/lambda/PROVENANCE.md`).

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

use std::path::Path;

use palisade_logs::{LambdaLogs, PlatformLine, platform_line};

fn data(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/lambda")
        .join(name)
}

#[test]
fn every_report_variant_is_read_and_the_malformed_one_is_said() {
    let variants: Vec<serde_json::Value> = serde_json::from_str(
        &std::fs::read_to_string(data("dd_report_line_variants.json")).unwrap(),
    )
    .unwrap();
    for v in &variants {
        let name = v["name"].as_str().unwrap();
        let line = v["line"].as_str().unwrap();
        let parsed = platform_line(line);
        match name {
            "malformed_report" => assert_eq!(parsed, Some(PlatformLine::BadReport), "{name}"),
            _ => {
                let Some(PlatformLine::Report(r)) = parsed else {
                    panic!("{name}: {parsed:?}")
                };
                assert!(r.duration_ms > 0.0, "{name}");
                assert_eq!(r.timed_out, name == "timeout_json_report", "{name}");
                assert_eq!(
                    r.init_ms.is_some(),
                    name.starts_with("cold_start") || name == "timeout_json_report",
                    "{name}"
                );
            }
        }
    }
}

#[test]
fn a_subscription_payload_gives_the_functions_durations() {
    let mut logs = LambdaLogs::default();
    logs.read_file(&data("dd_event_cloudwatch_logs.json"), "payload", "unknown");
    assert_eq!(logs.malformed, 0, "{:?}", logs.named);
    let stats = &logs.functions["hello-dog-node-dev-hello12x"];
    assert_eq!(stats.durations.count(), 1);
    assert!(stats.max_memory_used_mb.is_some());
}

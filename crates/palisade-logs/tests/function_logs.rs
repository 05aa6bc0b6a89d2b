//! Function log messages and API Gateway access log entries in every shape they leave AWS,
//! with their times and positions; and telling the kinds apart.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

use std::io::Write;
use std::path::{Path, PathBuf};

use palisade_logs::{
    AccessLogEntry, FileReport, LogKind, read_access_logs, read_function_logs, sniff,
};

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/lambda")
        .join(name)
}

fn write(dir: &tempfile::TempDir, name: &str, text: &str, gzip: bool) -> PathBuf {
    let path = dir.path().join(name);
    let bytes = if gzip {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(text.as_bytes()).unwrap();
        e.finish().unwrap()
    } else {
        text.as_bytes().to_vec()
    };
    std::fs::write(&path, bytes).unwrap();
    path
}

type Msg = (String, Option<i64>, String, String);

fn messages(path: &Path) -> (Vec<Msg>, FileReport) {
    let mut out = Vec::new();
    let report = read_function_logs(path, "fallback-fn", &mut |e| {
        out.push((
            e.function.to_string(),
            e.time_ms,
            e.message.to_string(),
            e.at.to_string(),
        ))
    });
    (out, report)
}

fn entries(path: &Path) -> (Vec<AccessLogEntry>, FileReport) {
    let mut out = Vec::new();
    let report = read_access_logs(path, &mut |e| out.push(e));
    (out, report)
}

#[test]
fn the_datadog_payload_gives_every_message_with_its_time() {
    let (msgs, report) = messages(&data("dd_event_cloudwatch_logs.json"));
    assert_eq!(report.malformed, 0, "{:?}", report.named);
    assert_eq!(report.records, msgs.len());
    assert!(msgs.len() > 5);
    assert!(msgs.iter().all(|m| m.0 == "hello-dog-node-dev-hello12x"));
    assert_eq!(msgs[0].1, Some(1_583_425_836_114));
    assert_eq!(msgs[0].3, "logEvents[0]");
    assert!(msgs.iter().any(|m| m.2.starts_with("REPORT RequestId:")));
    assert_eq!(
        sniff(&data("dd_event_cloudwatch_logs.json")),
        Some(LogKind::FunctionLogs)
    );
}

#[test]
fn json_lines_of_payloads_skip_control_messages_and_name_bad_lines() {
    let dir = tempfile::tempdir().unwrap();
    let text = [
        r#"{"messageType":"CONTROL_MESSAGE","owner":"CloudwatchLogs","logGroup":"","logStream":"","subscriptionFilters":[],"logEvents":[{"id":"","timestamp":1714564800000,"message":"CWL CONTROL MESSAGE: Checking health of destination Firehose."}]}"#,
        r#"{"messageType":"DATA_MESSAGE","logGroup":"/aws/lambda/orders","logStream":"2024/05/01/[$LATEST]ab","logEvents":[{"id":"1","timestamp":1714564800000,"message":"START RequestId: 8edab1f8-7d34-4a8e-a965-15ccbbb78d4c Version: $LATEST\n"},{"id":"2","timestamp":1714564800100,"message":"2024-05-01T12:00:00.100Z\t8edab1f8-7d34-4a8e-a965-15ccbbb78d4c\tERROR\tboom\n"}]}"#,
        r#"{"messageType":"DATA_MESSAGE","logGroup":"/aws/lambda/orders","logEvents":[{"id":"3","timestamp":"#,
        r#"{"messageType":"DATA_MESSAGE","logGroup":"/aws/lambda/orders","logEvents":[{"id":"3"}]}"#,
    ]
    .join("\n");
    let path = write(&dir, "payloads.jsonl.gz", &text, true);
    let (msgs, report) = messages(&path);
    assert_eq!(msgs.len(), 2);
    assert_eq!(msgs[1].0, "orders");
    assert_eq!(msgs[1].1, Some(1_714_564_800_100));
    assert_eq!(msgs[1].3, "line 2 logEvents[1]");
    assert_eq!(report.malformed, 2);
    assert_eq!(report.named[0].at, "line 3");
    assert_eq!(report.named[1].at, "line 4");
    assert!(
        report.named[1]
            .message
            .contains("not a CloudWatch Logs payload")
    );
    assert_eq!(sniff(&path), Some(LogKind::FunctionLogs));
}

#[test]
fn a_text_export_keeps_times_and_joins_stack_traces() {
    let dir = tempfile::tempdir().unwrap();
    let text = "2024-05-01T12:00:00.000Z START RequestId: 8edab1f8-7d34-4a8e-a965-15ccbbb78d4c Version: $LATEST\n\
2024-05-01T12:00:01.500Z 2024-05-01T12:00:01.500Z\t8edab1f8-7d34-4a8e-a965-15ccbbb78d4c\tERROR\tInvoke Error \t{\"errorType\":\"TypeError\"}\n\
    at Runtime.handler (/var/task/index.js:3:11)\n\
    at Runtime.handleOnceNonStreaming (file:///var/runtime/index.mjs:1:1)\n\
2024-05-01T12:00:02.000Z END RequestId: 8edab1f8-7d34-4a8e-a965-15ccbbb78d4c\n";
    let path = write(&dir, "000000", text, false);
    let (msgs, report) = messages(&path);
    assert_eq!(report.malformed, 0);
    assert_eq!(msgs.len(), 3);
    assert_eq!(msgs[0].0, "fallback-fn");
    assert_eq!(msgs[0].1, Some(1_714_564_800_000));
    assert!(msgs[0].2.starts_with("START RequestId:"));
    assert_eq!(msgs[1].1, Some(1_714_564_801_500));
    assert!(msgs[1].2.contains("Invoke Error"));
    assert!(msgs[1].2.ends_with("index.mjs:1:1)"));
    assert_eq!(msgs[2].3, "line 5");
    assert_eq!(sniff(&path), Some(LogKind::FunctionLogs));
}

#[test]
fn filter_log_events_output_and_json_log_records_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let doc = r#"{
    "events": [
        {
            "logStreamName": "2024/05/01/[$LATEST]ab",
            "timestamp": 1714564800000,
            "message": "{\"timestamp\":\"2024-05-01T12:00:00Z\",\"level\":\"ERROR\",\"message\":\"boom\",\"requestId\":\"8edab1f8-7d34-4a8e-a965-15ccbbb78d4c\"}\n",
            "ingestionTime": 1714564800100,
            "eventId": "1"
        }
    ],
    "searchedLogStreams": []
}
"#;
    let path = write(&dir, "events.json", doc, false);
    let (msgs, report) = messages(&path);
    assert_eq!(report.malformed, 0, "{:?}", report.named);
    assert_eq!(msgs.len(), 1);
    assert_eq!(msgs[0].3, "events[0]");
    assert_eq!(msgs[0].1, Some(1_714_564_800_000));
    let records = r#"{"timestamp":"2024-05-01T12:00:00.250Z","level":"ERROR","message":"boom","requestId":"8edab1f8-7d34-4a8e-a965-15ccbbb78d4c"}
{"time":"2024-05-01T12:00:03.000Z","type":"platform.report","record":{"requestId":"8edab1f8-7d34-4a8e-a965-15ccbbb78d4c","metrics":{"durationMs":3000.0},"status":"timeout"}}
"#;
    let path = write(&dir, "records.json", records, false);
    let (msgs, report) = messages(&path);
    assert_eq!(report.malformed, 0);
    assert_eq!(msgs.len(), 2);
    assert_eq!(msgs[0].1, Some(1_714_564_800_250));
    assert_eq!(msgs[1].1, Some(1_714_564_803_000));
    assert_eq!(msgs[1].3, "line 2");
    assert_eq!(sniff(&path), Some(LogKind::FunctionLogs));
}

#[test]
fn access_logs_in_every_shape_and_bad_entries_named() {
    let dir = tempfile::tempdir().unwrap();
    let lines = r#"{"requestId":"c6af9ac6-7b61-11e6-9a41-93e8deadbeef","ip":"203.0.113.7","requestTime":"01/May/2024:12:00:03 +0000","httpMethod":"GET","resourcePath":"/items","status":"200","protocol":"HTTP/1.1","responseLength":"36"}
not json at all
{"requestId":"Ab1cDEF2gHIJ=","sourceIp":"198.51.100.4","requestTimeEpoch":1714564804,"routeKey":"POST /orders","status":429}
"#;
    let path = write(&dir, "access.log.gz", lines, true);
    let (got, report) = entries(&path);
    assert_eq!(got.len(), 2);
    assert_eq!(report.records, 2);
    assert_eq!(report.malformed, 1);
    assert_eq!(report.named[0].at, "line 2");
    assert_eq!(got[0].at, "line 1");
    assert_eq!(got[1].status, Some(429));
    assert_eq!(got[1].time_ms, Some(1_714_564_804_000));
    assert_eq!(sniff(&path), Some(LogKind::AccessLogs));

    let payload = r#"{"messageType":"DATA_MESSAGE","owner":"111122223333","logGroup":"/aws/apigateway/shop-prod","logStream":"5f0a1b2c","subscriptionFilters":["palisade"],"logEvents":[{"id":"1","timestamp":1714564805000,"message":"{\"requestId\":\"d1\",\"httpMethod\":\"GET\",\"path\":\"/prod/items\",\"status\":\"502\",\"integrationErrorMessage\":\"The Lambda function returned an error\"}"}]}"#;
    let path = write(&dir, "payload.json", payload, false);
    let (got, report) = entries(&path);
    assert_eq!(report.malformed, 0);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].time_ms, Some(1_714_564_805_000));
    assert_eq!(got[0].at, "line 1 logEvents[0]");
    assert_eq!(got[0].path.as_deref(), Some("/prod/items"));
    assert_eq!(
        got[0].integration_error.as_deref(),
        Some("The Lambda function returned an error")
    );
    assert_eq!(sniff(&path), Some(LogKind::AccessLogs));

    // A text export of the access log group: `<time> <entry>`.
    let export = "2024-05-01T12:00:06.000Z {\"requestId\":\"e1\",\"httpMethod\":\"GET\",\"status\":\"404\"}\n";
    let path = write(&dir, "export", export, false);
    let (got, _) = entries(&path);
    assert_eq!(got[0].time_ms, Some(1_714_564_806_000));
    assert_eq!(got[0].status, Some(404));
}

#[test]
fn other_files_are_not_logs() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        &dir,
        "package.json",
        r#"{"name":"x","version":"1.0.0"}"#,
        false,
    );
    assert_eq!(sniff(&path), None);
    let path = write(&dir, "README.md", "# Hello\n\nSome words.\n", false);
    assert_eq!(sniff(&path), None);
    assert_eq!(sniff(&dir.path().join("missing")), None);
}

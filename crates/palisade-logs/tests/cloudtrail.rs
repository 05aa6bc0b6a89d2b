//! Reading CloudTrail files in every form AWS writes them, and what happens to bad ones.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

use std::io::Write;
use std::path::Path;

use palisade_logs::{FileReport, read_cloudtrail};

const EVENT: &str = r#"{"eventVersion":"1.08","eventSource":"lambda.amazonaws.com","eventName":"UpdateFunctionCode20150331v2","awsRegion":"us-east-1","userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::111122223333:assumed-role/dev/alice"}}"#;

fn read(path: &Path) -> (Vec<(usize, String)>, FileReport) {
    let mut out = Vec::new();
    let report = read_cloudtrail(path, &mut |r| {
        out.push((r.position, r.json.get().to_string()))
    });
    (out, report)
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

fn s3_document(n: usize) -> String {
    let records: Vec<&str> = (0..n).map(|_| EVENT).collect();
    format!("{{\"Records\": [{}]}}", records.join(",\n"))
}

#[test]
fn an_s3_delivery_file_is_read_record_by_record_gzipped_or_not() {
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("a.json");
    std::fs::write(&plain, s3_document(3)).unwrap();
    let gz = dir.path().join("a.json.gz");
    std::fs::write(&gz, gzip(s3_document(3).as_bytes())).unwrap();
    for path in [&plain, &gz] {
        let (records, report) = read(path);
        assert_eq!(
            report,
            FileReport {
                records: 3,
                ..FileReport::default()
            }
        );
        assert_eq!(
            records.iter().map(|r| r.0).collect::<Vec<_>>(),
            vec![1, 2, 3]
        );
        assert!(records[0].1.contains("UpdateFunctionCode20150331v2"));
    }
}

#[test]
fn a_truncated_gzip_keeps_what_was_read_and_says_where_it_stopped() {
    let dir = tempfile::tempdir().unwrap();
    let whole = gzip(s3_document(2000).as_bytes());
    let path = dir.path().join("cut.json.gz");
    std::fs::write(&path, &whole[..whole.len() / 2]).unwrap();
    let (records, report) = read(&path);
    assert!(
        !records.is_empty() && records.len() < 2000,
        "{}",
        records.len()
    );
    assert_eq!(report.records, records.len());
    assert_eq!(report.malformed, 1);
    assert_eq!(
        report.named[0].at,
        format!("records[{}]", records.len() + 1)
    );
}

#[test]
fn json_lines_count_and_name_bad_lines_and_unwrap_eventbridge() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lake.jsonl");
    let bridge = format!(
        r#"{{"version":"0","detail-type":"AWS API Call via CloudTrail","source":"aws.lambda","detail":{EVENT}}}"#
    );
    std::fs::write(&path, format!("{EVENT}\n{{\"eventName\": \n\n{bridge}\n")).unwrap();
    let (records, report) = read(&path);
    assert_eq!(report.records, 2);
    assert_eq!(report.malformed, 1);
    assert_eq!(report.named[0].at, "line 2");
    assert_eq!(records[1].0, 4);
    assert!(
        records[1].1.starts_with("{\"eventVersion\""),
        "{}",
        records[1].1
    );
}

#[test]
fn a_file_of_one_pretty_printed_event_is_one_record() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("one.json");
    let pretty =
        serde_json::to_string_pretty(&serde_json::from_str::<serde_json::Value>(EVENT).unwrap())
            .unwrap();
    std::fs::write(&path, pretty).unwrap();
    let (records, report) = read(&path);
    assert_eq!((records.len(), report.malformed), (1, 0));
}

#[test]
fn a_missing_or_garbage_file_is_counted_not_fatal() {
    let dir = tempfile::tempdir().unwrap();
    let (_, missing) = read(&dir.path().join("absent.json"));
    assert_eq!((missing.records, missing.malformed), (0, 1));
    let garbage = dir.path().join("garbage.json.gz");
    std::fs::write(&garbage, [0x1f, 0x8b, 0, 1, 2, 3, 4]).unwrap();
    let (_, report) = read(&garbage);
    assert_eq!((report.records, report.malformed), (0, 1));
}

#[test]
fn a_line_too_long_is_skipped_and_named_and_the_next_one_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("long.jsonl");
    let long = format!("{{\"eventName\": \"{}\"}}", "x".repeat(17 * 1024 * 1024));
    std::fs::write(&path, format!("{EVENT}\n{long}\n{EVENT}\n")).unwrap();
    let (records, report) = read(&path);
    assert_eq!(records.iter().map(|r| r.0).collect::<Vec<_>>(), vec![1, 3]);
    assert_eq!(report.malformed, 1);
    assert_eq!(report.named[0].at, "line 2");
}

#[test]
fn a_broken_first_line_costs_one_record_not_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("export.jsonl");
    std::fs::write(
        &path,
        format!("{{\"eventSource\": broken\n{EVENT}\n{EVENT}\n"),
    )
    .unwrap();
    let (records, report) = read(&path);
    assert_eq!(records.len(), 2);
    assert_eq!(report.malformed, 1);
    assert_eq!(report.named[0].at, "line 1");
    // A first line longer than the reader's buffer is still one line.
    let long = EVENT.replace("alice", &"a".repeat(20_000));
    std::fs::write(&path, format!("{long}\n{{broken\n{EVENT}\n{EVENT}\n")).unwrap();
    let (records, report) = read(&path);
    assert_eq!((records.len(), report.malformed), (3, 1));
}

#[test]
fn a_byte_order_mark_is_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bom.json");
    std::fs::write(&path, format!("\u{feff}{}", s3_document(2))).unwrap();
    let (records, report) = read(&path);
    assert_eq!((records.len(), report.malformed), (2, 0));
}

#[test]
fn invalid_utf8_in_one_record_keeps_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.json");
    let mut bytes = s3_document(3).into_bytes();
    let at = bytes.windows(5).position(|w| w == b"alice").unwrap();
    bytes[at] = 0xff;
    std::fs::write(&path, bytes).unwrap();
    let (records, report) = read(&path);
    assert_eq!(records.len(), 3);
    assert!(records[0].1.contains("\u{fffd}lice"));
    assert_eq!(report.malformed, 1);
    assert!(report.named[0].message.contains("invalid UTF-8"));
}

#[test]
fn a_record_over_the_cap_is_named_and_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.json");
    let huge = EVENT.replace("alice", &"a".repeat(palisade_logs::MAX_RECORD + 1));
    std::fs::write(&path, format!("{{\"Records\": [{EVENT},{huge},{EVENT}]}}")).unwrap();
    let (records, report) = read(&path);
    assert_eq!(
        records.iter().map(|r| r.0).collect::<Vec<_>>(),
        [1, 3],
        "positions of the records read"
    );
    assert_eq!(report.malformed, 1);
    assert_eq!(report.named[0].at, "records[2]");
}

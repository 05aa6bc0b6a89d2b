//! What kind of log a file holds, from its first bytes.

use std::io::Read;
use std::path::Path;

use crate::cwl::split_time;

/// The kinds of log `palisade detect` reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogKind {
    /// CloudTrail: S3 delivery, JSON Lines exports, EventBridge events, single events.
    CloudTrail,
    /// CloudWatch Logs of Lambda functions: subscription payloads, `filter-log-events`
    /// output, text exports.
    FunctionLogs,
    /// API Gateway access logs in JSON.
    AccessLogs,
}

/// How much of a (decompressed) file is looked at.
const HEAD: u64 = 64 * 1024;
/// How many lines of a text file are looked at.
const LINES: usize = 50;

/// The kind of a file, or `None` when it is none of them (the caller names it as skipped).
/// Gzip is looked through.
pub fn sniff(path: &Path) -> Option<LogKind> {
    let mut head = Vec::new();
    // What was read before an error (a truncated gzip) still says what the file is; the
    // reader then names the error where it happens.
    let _ = crate::open(path).ok()?.take(HEAD).read_to_end(&mut head);
    sniff_text(String::from_utf8_lossy(&head).trim_start_matches('\u{feff}'))
}

fn sniff_text(head: &str) -> Option<LogKind> {
    let trimmed = head.trim_start();
    if let Some(rest) = trimmed.strip_prefix('{') {
        if rest.trim_start().starts_with("\"Records\"") {
            return Some(LogKind::CloudTrail);
        }
        // The first value: a whole line (JSON Lines), or the head of a pretty document.
        let first = match trimmed.split_once('\n') {
            Some((line, _)) if serde_json::from_str::<serde::de::IgnoredAny>(line).is_ok() => line,
            _ => trimmed,
        };
        return json_kind(first);
    }
    text_kind(head)
}

/// Keys as they appear in the text, escaped or not (inside a payload's messages).
fn has(text: &str, key: &str) -> bool {
    text.contains(&format!("\"{key}\"")) || text.contains(&format!("\\\"{key}\\\""))
}

fn json_kind(first: &str) -> Option<LogKind> {
    if has(first, "logEvents") || (has(first, "events") && has(first, "message")) {
        // A CloudWatch Logs payload or `filter-log-events` output: Lambda's groups are
        // function logs; otherwise the messages say.
        if first.contains("\"/aws/lambda/") {
            return Some(LogKind::FunctionLogs);
        }
        if access_entry(first) {
            return Some(LogKind::AccessLogs);
        }
        if lambda_markers(first) || has(first, "logStreamName") || has(first, "logGroup") {
            return Some(LogKind::FunctionLogs);
        }
        return None;
    }
    if has(first, "eventVersion")
        || (has(first, "eventSource") && has(first, "eventName"))
        || (has(first, "detail-type") && first.contains("via CloudTrail\""))
    {
        return Some(LogKind::CloudTrail);
    }
    if lambda_record(first) {
        return Some(LogKind::FunctionLogs);
    }
    if access_entry(first) {
        return Some(LogKind::AccessLogs);
    }
    None
}

/// Lambda's JSON log format: platform records, or application records with a level.
fn lambda_record(text: &str) -> bool {
    text.contains("\"type\":\"platform.")
        || text.contains("\"type\": \"platform.")
        || (has(text, "level") && has(text, "message") && has(text, "timestamp"))
}

/// An API Gateway access log entry in JSON: a request id and an HTTP fact.
fn access_entry(text: &str) -> bool {
    has(text, "requestId")
        && ["httpMethod", "routeKey", "status", "resourcePath"]
            .iter()
            .any(|k| has(text, k))
}

/// Lambda's platform lines, or its application line format `<time>\t<request id>\t`.
fn lambda_markers(text: &str) -> bool {
    [
        "START RequestId: ",
        "END RequestId: ",
        "REPORT RequestId: ",
        "Task timed out after ",
        "INIT_START Runtime Version",
    ]
    .iter()
    .any(|m| text.contains(m))
        || text.lines().any(native_line)
}

/// `2020-03-05T16:30:36.113Z\tf08bb4c8-d6b2-4f05-ac17-af7e2ba005fb\tINFO\t…`.
fn native_line(line: &str) -> bool {
    let mut parts = line.trim_start().split('\t');
    let (Some(time), Some(id), Some(_)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    crate::cwl::iso_ms(time).is_some()
        && id.len() == 36
        && id.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-')
}

fn text_kind(head: &str) -> Option<LogKind> {
    let lines: Vec<&str> = head
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(LINES)
        .collect();
    for line in &lines {
        let message = split_time(line).map_or(*line, |(_, m)| m);
        if lambda_markers(message) || native_line(message) {
            return Some(LogKind::FunctionLogs);
        }
        let message = message.trim_start();
        if message.starts_with('{') {
            if lambda_record(message) {
                return Some(LogKind::FunctionLogs);
            }
            if access_entry(message) {
                return Some(LogKind::AccessLogs);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_from_first_bytes() {
        let ct =
            r#"{"eventVersion":"1.08","eventSource":"lambda.amazonaws.com","eventName":"Invoke"}"#;
        assert_eq!(sniff_text(ct), Some(LogKind::CloudTrail));
        assert_eq!(
            sniff_text("{\n  \"Records\": [\n"),
            Some(LogKind::CloudTrail)
        );
        let eb = r#"{"version":"0","detail-type":"AWS API Call via CloudTrail","detail":{}}"#;
        assert_eq!(sniff_text(eb), Some(LogKind::CloudTrail));
        let payload = r#"{"messageType":"DATA_MESSAGE","logGroup":"/aws/lambda/orders","logEvents":[{"id":"1","timestamp":1,"message":"hi"}]}"#;
        assert_eq!(sniff_text(payload), Some(LogKind::FunctionLogs));
        let api = r#"{"messageType":"DATA_MESSAGE","logGroup":"API-Gateway-Execution-Logs_abc/prod","logEvents":[{"id":"1","timestamp":1,"message":"{\"requestId\":\"x\",\"httpMethod\":\"GET\"}"}]}"#;
        assert_eq!(sniff_text(api), Some(LogKind::AccessLogs));
        let events = "{\n    \"events\": [\n        {\n            \"logStreamName\": \"2024/05/01/[$LATEST]abc\",\n            \"timestamp\": 1,\n            \"message\": \"START RequestId: 1 Version: $LATEST\\n\"";
        assert_eq!(sniff_text(events), Some(LogKind::FunctionLogs));
        assert_eq!(
            sniff_text(
                "2024-05-01T12:00:00.000Z START RequestId: 8edab1f8-7d34-4a8e-a965-15ccbbb78d4c Version: $LATEST\n"
            ),
            Some(LogKind::FunctionLogs)
        );
        assert_eq!(
            sniff_text(
                "2024-05-01T12:00:00.000Z\t8edab1f8-7d34-4a8e-a965-15ccbbb78d4c\tINFO\thello\n"
            ),
            Some(LogKind::FunctionLogs)
        );
        let json_log = r#"{"timestamp":"2024-05-01T12:00:00Z","level":"ERROR","message":"boom","requestId":"8edab1f8-7d34-4a8e-a965-15ccbbb78d4c"}"#;
        assert_eq!(sniff_text(json_log), Some(LogKind::FunctionLogs));
        let access = r#"{"requestId":"x","ip":"1.2.3.4","httpMethod":"GET","status":"200"}"#;
        assert_eq!(sniff_text(access), Some(LogKind::AccessLogs));
        assert_eq!(
            sniff_text(&format!("2024-05-01T12:00:00.000Z {access}\n")),
            Some(LogKind::AccessLogs)
        );
        assert_eq!(sniff_text("name,age\nbob,3\n"), None);
        assert_eq!(sniff_text(r#"{"name":"package.json"}"#), None);
        assert_eq!(sniff_text(""), None);
    }
}

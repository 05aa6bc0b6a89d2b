//! API Gateway access log entries in JSON, whatever names the user's `$context` format gave
//! the fields.

use std::path::Path;

use serde_json::{Map, Value};

use crate::FileReport;
use crate::cwl::{RawMessage, clf_ms, epoch_ms, iso_ms, note, walk};

/// One API Gateway access log entry (JSON format): the fields Palisade reads, whatever the
/// user's `$context` names (`status`/`statusCode`, `ip`/`sourceIp`, ...).
#[derive(Clone, Debug, Default)]
pub struct AccessLogEntry {
    pub time_ms: Option<i64>,
    pub request_id: Option<String>,
    pub source_ip: Option<String>,
    pub method: Option<String>,
    pub path: Option<String>,
    /// The query string or the whole request line, when logged.
    pub query: Option<String>,
    pub status: Option<u16>,
    pub user_agent: Option<String>,
    /// The integration's (function's) error or latency fields, when logged.
    pub integration_status: Option<u16>,
    pub error: Option<String>,
    /// The API and stage, when logged.
    pub api_id: Option<String>,
    pub stage: Option<String>,
    /// The entry's JSON text.
    pub raw: String,
    /// `line 4`.
    pub at: String,
    /// HTTP APIs' `routeKey` (`GET /items/{id}`), when logged.
    pub route_key: Option<String>,
    pub protocol: Option<String>,
    pub response_length: Option<u64>,
    /// `integrationErrorMessage` / `integration.error`: why the function's answer was not one.
    pub integration_error: Option<String>,
}

/// Every entry of an access log file, in order: JSON Lines as delivered to CloudWatch Logs
/// and exported (with or without a leading time), or inside subscription payloads and
/// `filter-log-events` output. A message that is not a JSON object is malformed.
pub fn read_access_logs(path: &Path, on: &mut dyn FnMut(AccessLogEntry)) -> FileReport {
    walk(
        path,
        &mut |m: RawMessage<'_>, report: &mut FileReport| match AccessLogEntry::parse(
            m.message, m.time_ms, m.at,
        ) {
            Ok(entry) => on(entry),
            Err(why) => {
                report.records = report.records.saturating_sub(1);
                note(report, m.at, why);
            }
        },
    )
}

impl AccessLogEntry {
    /// One entry from its JSON text; `time_ms` is the log event's, used when the entry has
    /// no time of its own.
    pub fn parse(text: &str, time_ms: Option<i64>, at: &str) -> Result<AccessLogEntry, String> {
        let text = text.trim();
        let map = match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(map)) => map,
            Ok(_) => return Err("an access log entry is a JSON object".into()),
            Err(e) => {
                let shown: String = text.chars().take(80).collect();
                return Err(format!(
                    "not a JSON access log entry ({e}); only the JSON format is read: {shown}"
                ));
            }
        };
        let route_key = text_of(&map, &["routeKey", "route_key"]);
        let (route_method, route_path) = match route_key.as_deref().and_then(|r| r.split_once(' '))
        {
            Some((m, p)) => (Some(m.to_string()), Some(p.to_string())),
            None => (None, None),
        };
        let time = number_of(&map, &["requestTimeEpoch", "requestTimeEpochMs", "epoch"])
            .and_then(epoch_ms)
            .or_else(|| {
                text_of(&map, &["requestTime", "timestamp", "time"])
                    .and_then(|t| clf_ms(&t).or_else(|| iso_ms(&t)))
            })
            .or(time_ms);
        Ok(AccessLogEntry {
            time_ms: time,
            request_id: text_of(&map, &["requestId", "requestID", "request_id", "requestid"]),
            source_ip: text_of(
                &map,
                &[
                    "ip",
                    "sourceIp",
                    "sourceIP",
                    "source_ip",
                    "clientIp",
                    "identity.sourceIp",
                ],
            ),
            method: text_of(&map, &["httpMethod", "method", "http_method", "httpmethod"])
                .or(route_method),
            path: text_of(&map, &["path", "requestPath", "resourcePath", "resource"])
                .or(route_path),
            query: query_of(&map),
            status: number_of(&map, &["status", "statusCode", "httpStatus", "status_code"])
                .and_then(status),
            user_agent: text_of(&map, &["userAgent", "user_agent", "identity.userAgent"]),
            integration_status: number_of(
                &map,
                &[
                    "integrationStatus",
                    "integration.status",
                    "integrationStatusCode",
                ],
            )
            .and_then(status),
            error: text_of(&map, &["errorMessage", "error.message", "error"]),
            api_id: text_of(&map, &["apiId", "api_id"]),
            stage: text_of(&map, &["stage"]),
            raw: text.to_string(),
            at: at.to_string(),
            route_key,
            protocol: text_of(&map, &["protocol"]),
            response_length: number_of(&map, &["responseLength", "response_length"])
                .filter(|n| *n >= 0.0)
                .map(|n| n as u64),
            integration_error: text_of(
                &map,
                &[
                    "integrationErrorMessage",
                    "integration.error",
                    "integrationError",
                ],
            ),
        })
    }
}

/// The value at a name, or at a dotted path into nested objects (`error.message`), also when
/// the dotted name is a key of its own (some formats flatten).
fn lookup<'a>(map: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    if let Some(v) = map.get(name) {
        return Some(v);
    }
    let (head, rest) = name.split_once('.')?;
    match map.get(head)? {
        Value::Object(inner) => lookup(inner, rest),
        _ => None,
    }
}

/// The first of `names` that holds a value; API Gateway writes `-` for a missing one.
fn text_of(map: &Map<String, Value>, names: &[&str]) -> Option<String> {
    names.iter().find_map(|n| match lookup(map, n)? {
        Value::String(s) if !s.is_empty() && s != "-" => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    })
}

fn number_of(map: &Map<String, Value>, names: &[&str]) -> Option<f64> {
    names.iter().find_map(|n| match lookup(map, n)? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    })
}

fn status(n: f64) -> Option<u16> {
    (100.0..1000.0).contains(&n).then_some(n as u16)
}

/// Any field whose name says it holds the query (`querystring`, `queryString`,
/// `queryStringParameters`) or the request line (`requestUri`), first by name order.
fn query_of(map: &Map<String, Value>) -> Option<String> {
    let mut names: Vec<&String> = map
        .keys()
        .filter(|k| {
            let k = k.to_ascii_lowercase();
            k.contains("querystring") || k == "requesturi" || k == "request_uri"
        })
        .collect();
    names.sort();
    names.into_iter().find_map(|k| match map.get(k)? {
        Value::String(s) if !s.is_empty() && s != "-" => Some(s.clone()),
        Value::Object(o) if !o.is_empty() => Some(Value::Object(o.clone()).to_string()),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rest_and_http_api_names_are_read() {
        let rest = r#"{"requestId":"c6af9ac6-7b61-11e6-9a41-93e8deadbeef","ip":"203.0.113.7","requestTime":"01/May/2024:12:00:03 +0000","httpMethod":"GET","resourcePath":"/items/{id}","status":"502","protocol":"HTTP/1.1","responseLength":"36","integrationErrorMessage":"Lambda timeout","error":{"message":"Internal server error"},"queryString":"?id=1"}"#;
        let e = AccessLogEntry::parse(rest, None, "line 1").unwrap_or_default();
        assert_eq!(e.status, Some(502));
        assert_eq!(e.time_ms, Some(1_714_564_803_000));
        assert_eq!(e.source_ip.as_deref(), Some("203.0.113.7"));
        assert_eq!(e.error.as_deref(), Some("Internal server error"));
        assert_eq!(e.integration_error.as_deref(), Some("Lambda timeout"));
        assert_eq!(e.query.as_deref(), Some("?id=1"));
        assert_eq!(e.response_length, Some(36));
        let http = r#"{"requestId":"Ab1cDEF2gHIJ=","sourceIp":"198.51.100.4","requestTimeEpoch":1714564803,"routeKey":"POST /orders","status":429,"integrationStatus":"-","userAgent":"curl/8.5.0"}"#;
        let e = AccessLogEntry::parse(http, Some(1), "line 2").unwrap_or_default();
        assert_eq!(e.method.as_deref(), Some("POST"));
        assert_eq!(e.path.as_deref(), Some("/orders"));
        assert_eq!(e.status, Some(429));
        assert_eq!(e.integration_status, None);
        assert_eq!(e.time_ms, Some(1_714_564_803_000));
        assert!(AccessLogEntry::parse("1.2.3.4 - - [x] \"GET /\"", None, "line 3").is_err());
    }
}

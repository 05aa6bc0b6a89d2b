//! The shapes CloudWatch Logs leave AWS in, walked message by message: subscription payloads
//! (`{messageType, logGroup, logEvents}`, one per file or one per line), `aws logs
//! filter-log-events` / `get-log-events` output (`{events: [...]}`), text exports
//! (`<ISO time> <message>`, as an export to S3 writes them), and files of bare JSON records
//! (Lambda's JSON log format, API Gateway's JSON access logs), gzipped or not.
//!
//! Memory is bounded by the longest line ([`crate::MAX_LINE`]) or, for a pretty-printed
//! document, by [`MAX_DOCUMENT`].

use std::io::{BufRead, Read};
use std::path::Path;

use serde::Deserialize;
use serde_json::value::RawValue;

use crate::cloudtrail::{FileReport, Malformed};

/// A pretty-printed JSON document (`filter-log-events` output) is read whole: up to this size.
pub(crate) const MAX_DOCUMENT: u64 = 256 * 1024 * 1024;
/// Malformed inputs named in a report; beyond this, only counted (as for CloudTrail).
const MAX_NAMED: usize = 20;
/// A text export's message with its continuation lines (a stack trace) is kept up to this
/// size, CloudWatch's own limit on one event; further continuation lines are dropped.
const MAX_MESSAGE: usize = 256 * 1024;
/// How much of a file is looked at to decide between JSON Lines and one document.
const MAX_HEAD: u64 = 1024 * 1024;

/// One message, wherever it was read.
pub(crate) struct RawMessage<'a> {
    /// The log group, when the payload names it.
    pub group: Option<&'a str>,
    pub time_ms: Option<i64>,
    pub message: &'a str,
    pub at: &'a str,
}

pub(crate) fn note(report: &mut FileReport, at: impl Into<String>, message: impl Into<String>) {
    report.malformed += 1;
    if report.named.len() < MAX_NAMED {
        report.named.push(Malformed {
            at: at.into(),
            message: message.into(),
        });
    }
}

type OnMessage<'f> = dyn FnMut(RawMessage<'_>, &mut FileReport) + 'f;

/// Call `on` for every message of a file, in order. `report.records` counts messages.
pub(crate) fn walk(path: &Path, on: &mut OnMessage<'_>) -> FileReport {
    let mut report = FileReport::default();
    let mut reader = match crate::open(path) {
        Ok(r) => r,
        Err(e) => {
            note(&mut report, "file", e.to_string());
            return report;
        }
    };
    // The first line, up to MAX_HEAD, decides the shape; it is then read again.
    let mut head = Vec::new();
    if let Err(e) = (&mut reader).take(MAX_HEAD).read_until(b'\n', &mut head) {
        note(&mut report, "file", format!("unreadable: {e}"));
        return report;
    }
    let first = String::from_utf8_lossy(&head);
    let first = first.trim();
    let pretty = first.starts_with('{')
        && head.ends_with(b"\n")
        && serde_json::from_str::<serde::de::IgnoredAny>(first).is_err();
    let reader: Box<dyn BufRead> = Box::new(std::io::Cursor::new(head).chain(reader));
    if pretty {
        document(reader, on, &mut report);
    } else {
        lines(reader, on, &mut report);
    }
    report
}

/// What a JSON value is, looked at once.
#[derive(Deserialize)]
struct Probe<'a> {
    #[serde(rename = "messageType", borrow)]
    message_type: Option<&'a str>,
    #[serde(rename = "logGroup", borrow)]
    log_group: Option<std::borrow::Cow<'a, str>>,
    #[serde(rename = "logGroupName", borrow)]
    log_group_name: Option<std::borrow::Cow<'a, str>>,
    #[serde(rename = "logEvents", borrow)]
    log_events: Option<&'a RawValue>,
    #[serde(borrow)]
    events: Option<&'a RawValue>,
    #[serde(borrow)]
    timestamp: Option<&'a RawValue>,
    #[serde(borrow)]
    time: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct Event {
    message: String,
    timestamp: Option<i64>,
    #[serde(rename = "logGroupName")]
    log_group_name: Option<String>,
}

/// One JSON value: a payload's messages, or itself as one message. `at` prefixes positions.
fn value(text: &str, at: &str, on: &mut OnMessage<'_>, report: &mut FileReport) {
    let probe = match serde_json::from_str::<Probe<'_>>(text) {
        Ok(p) => p,
        Err(e) => {
            note(report, at, format!("not JSON: {e}"));
            return;
        }
    };
    if probe.message_type == Some("CONTROL_MESSAGE") {
        // CloudWatch's check that a subscription destination is reachable: no logs in it.
        return;
    }
    let group = probe
        .log_group
        .as_deref()
        .or(probe.log_group_name.as_deref());
    let (name, events) = match (probe.log_events, probe.events) {
        (Some(events), _) => ("logEvents", Some(events)),
        (None, Some(events)) => ("events", Some(events)),
        _ => ("", None),
    };
    if let Some(events) = events {
        match serde_json::from_str::<Vec<Event>>(events.get()) {
            Ok(events) => {
                for (i, e) in events.iter().enumerate() {
                    let position = if at.is_empty() {
                        format!("{name}[{i}]")
                    } else {
                        format!("{at} {name}[{i}]")
                    };
                    report.records += 1;
                    on(
                        RawMessage {
                            group: e.log_group_name.as_deref().or(group),
                            time_ms: e.timestamp,
                            message: &e.message,
                            at: &position,
                        },
                        report,
                    );
                }
                return;
            }
            // `logEvents` is only ever a payload's; `events` may be an application's own
            // field of a bare JSON record.
            Err(e) if name == "logEvents" || probe.message_type.is_some() || group.is_some() => {
                let at = if at.is_empty() { "file" } else { at };
                note(report, at, format!("not a CloudWatch Logs payload: {e}"));
                return;
            }
            Err(_) => {}
        }
    }
    // A bare record (Lambda's JSON log format, an access log entry): its own time.
    let time_ms = [probe.timestamp, probe.time]
        .into_iter()
        .flatten()
        .find_map(json_time);
    report.records += 1;
    on(
        RawMessage {
            group,
            time_ms,
            message: text.trim(),
            at: if at.is_empty() { "file" } else { at },
        },
        report,
    );
}

/// A record's `timestamp` / `time`: an ISO string, or a number of milliseconds (seconds
/// when it is too small to be milliseconds of this century).
fn json_time(raw: &RawValue) -> Option<i64> {
    let text = raw.get().trim();
    if let Some(s) = text.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
        return iso_ms(s);
    }
    let n: f64 = text.parse().ok()?;
    epoch_ms(n)
}

/// A number of seconds or milliseconds since the epoch, in milliseconds.
pub(crate) fn epoch_ms(n: f64) -> Option<i64> {
    if !n.is_finite() || n <= 0.0 {
        return None;
    }
    Some(if n < 1e11 { n * 1000.0 } else { n } as i64)
}

fn document(reader: Box<dyn BufRead>, on: &mut OnMessage<'_>, report: &mut FileReport) {
    let mut bytes = Vec::new();
    match reader.take(MAX_DOCUMENT + 1).read_to_end(&mut bytes) {
        Ok(_) if bytes.len() as u64 > MAX_DOCUMENT => {
            note(
                report,
                "file",
                format!(
                    "one JSON document larger than {MAX_DOCUMENT} bytes: export it as JSON Lines or in parts"
                ),
            );
            return;
        }
        Ok(_) => {}
        Err(e) => {
            note(report, "file", e.to_string());
            return;
        }
    }
    let text = String::from_utf8_lossy(&bytes);
    // Usually one document; `filter-log-events` pages printed one after another are several.
    for (i, item) in serde_json::Deserializer::from_str(&text)
        .into_iter::<&RawValue>()
        .enumerate()
    {
        match item {
            Ok(raw) => {
                let at = if i == 0 {
                    String::new()
                } else {
                    format!("document {}", i + 1)
                };
                value(raw.get(), &at, on, report);
            }
            Err(e) => {
                note(report, "file", format!("not JSON from here on: {e}"));
                return;
            }
        }
    }
}

/// A text export's message being gathered: its first line and continuation lines.
struct Pending {
    at: String,
    time_ms: Option<i64>,
    text: String,
}

fn lines(reader: Box<dyn BufRead>, on: &mut OnMessage<'_>, report: &mut FileReport) {
    let mut pending: Option<Pending> = None;
    let flush = |pending: &mut Option<Pending>, on: &mut OnMessage<'_>, report: &mut FileReport| {
        if let Some(p) = pending.take() {
            report.records += 1;
            on(
                RawMessage {
                    group: None,
                    time_ms: p.time_ms,
                    message: &p.text,
                    at: &p.at,
                },
                report,
            );
        }
    };
    let result = crate::each_line(reader, &mut |number, line| {
        let Some(line) = line else {
            flush(&mut pending, on, report);
            note(
                report,
                format!("line {number}"),
                format!("longer than {} bytes", crate::MAX_LINE),
            );
            return;
        };
        let text = String::from_utf8_lossy(line);
        let text = text.trim_end_matches(['\n', '\r']);
        if text.trim().is_empty() {
            return;
        }
        if text.starts_with('{') {
            flush(&mut pending, on, report);
            value(text, &format!("line {number}"), on, report);
            return;
        }
        match split_time(text) {
            Some((time_ms, message)) => {
                flush(&mut pending, on, report);
                pending = Some(Pending {
                    at: format!("line {number}"),
                    time_ms: Some(time_ms),
                    text: message.to_string(),
                });
            }
            None => {
                // A line without a time after a timed message continues it (a stack trace
                // in a text export), unless it is a platform line of its own.
                let own = ["START ", "END ", "REPORT ", "INIT_START "]
                    .iter()
                    .any(|p| text.starts_with(p));
                match pending.as_mut() {
                    Some(p) if !own && p.time_ms.is_some() => {
                        if p.text.len() + text.len() < MAX_MESSAGE {
                            p.text.push('\n');
                            p.text.push_str(text);
                        }
                    }
                    _ => {
                        flush(&mut pending, on, report);
                        pending = Some(Pending {
                            at: format!("line {number}"),
                            time_ms: None,
                            text: text.trim().to_string(),
                        });
                    }
                }
            }
        }
    });
    flush(&mut pending, on, report);
    if let Err(message) = result {
        note(report, "file", message);
    }
}

/// `2020-06-09T15:02:26.150Z START …` → the time and `START …` (an export's prefix, followed
/// by a space); `2020-06-09T15:02:26.150Z\t<request id>\tINFO\t…` → the time and the whole
/// line (Lambda's own application line format, which keeps its time).
pub(crate) fn split_time(line: &str) -> Option<(i64, &str)> {
    let end = line.find([' ', '\t'])?;
    let time = iso_ms(line.get(..end)?)?;
    if line.get(end..)?.starts_with('\t') {
        return Some((time, line));
    }
    Some((time, line.get(end..)?.trim_start()))
}

/// `2024-05-01T12:00:03Z`, with fractions and an offset (`+02:00`) → milliseconds since the
/// epoch (UTC).
pub(crate) fn iso_ms(text: &str) -> Option<i64> {
    let t = text.trim().as_bytes();
    let num = |a: usize, b: usize| -> Option<i64> {
        let s = std::str::from_utf8(t.get(a..b)?).ok()?;
        s.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| s.parse().ok())?
    };
    let (year, month, day) = (num(0, 4)?, num(5, 7)?, num(8, 10)?);
    if t.get(4) != Some(&b'-') || t.get(7) != Some(&b'-') || !matches!(t.get(10), Some(b'T' | b' '))
    {
        return None;
    }
    let (hour, minute, second) = (num(11, 13)?, num(14, 16)?, num(17, 19)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 {
        return None;
    }
    let mut rest = t.get(19..)?;
    let mut millis = 0i64;
    if let Some((b'.', frac)) = rest.split_first() {
        let digits = frac.iter().take_while(|c| c.is_ascii_digit()).count();
        for (d, scale) in frac.iter().take(digits.min(3)).zip([100, 10, 1]) {
            millis += i64::from(d - b'0') * scale;
        }
        rest = frac.get(digits..)?;
    }
    let offset_secs = match rest {
        [] | [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] | [sign @ (b'+' | b'-'), h1, h2, m1, m2] => {
            offset(*sign, [*h1, *h2, *m1, *m2])?
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    Some(((days * 86_400 + hour * 3600 + minute * 60 + second) - offset_secs) * 1000 + millis)
}

fn offset(sign: u8, digits: [u8; 4]) -> Option<i64> {
    if !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let [h1, h2, m1, m2] = digits.map(|d| i64::from(d - b'0'));
    let s = (h1 * 10 + h2) * 3600 + (m1 * 10 + m2) * 60;
    Some(if sign == b'-' { -s } else { s })
}

/// API Gateway's `$context.requestTime`: `09/Apr/2015:12:34:56 +0000` → milliseconds.
pub(crate) fn clf_ms(text: &str) -> Option<i64> {
    let t = text.trim().as_bytes();
    let num = |a: usize, b: usize| -> Option<i64> {
        let s = std::str::from_utf8(t.get(a..b)?).ok()?;
        s.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| s.parse().ok())?
    };
    let day = num(0, 2)?;
    let month = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ]
    .iter()
    .position(|m| t.get(3..6) == Some(m.as_bytes()))? as i64
        + 1;
    let year = num(7, 11)?;
    let (hour, minute, second) = (num(12, 14)?, num(15, 17)?, num(18, 20)?);
    let offset_secs = match t.get(20..)? {
        [] => 0,
        [b' ', sign @ (b'+' | b'-'), h1, h2, m1, m2] => offset(*sign, [*h1, *h2, *m1, *m2])?,
        _ => return None,
    };
    if !(1..=31).contains(&day) || hour > 23 || minute > 59 {
        return None;
    }
    let days = days_from_civil(year, month, day);
    Some(((days * 86_400 + hour * 3600 + minute * 60 + second) - offset_secs) * 1000)
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    palisade_model::Date {
        year: i32::try_from(y).unwrap_or(1970),
        month: u32::try_from(m).unwrap_or(1),
        day: u32::try_from(d).unwrap_or(1),
    }
    .days()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times() {
        let t = iso_ms("2024-05-01T12:00:03Z");
        assert_eq!(t, Some(1_714_564_803_000));
        assert_eq!(iso_ms("2024-05-01T12:00:03.25Z"), Some(1_714_564_803_250));
        assert_eq!(iso_ms("2024-05-01T14:00:03+02:00"), t);
        assert_eq!(clf_ms("01/May/2024:12:00:03 +0000"), t);
        assert_eq!(clf_ms("01/May/2024:14:00:03 +0200"), t);
        assert_eq!(iso_ms("START"), None);
        assert_eq!(epoch_ms(1_714_564_803.0), t);
        assert_eq!(epoch_ms(1_714_564_803_000.0), t);
    }

    #[test]
    fn export_prefixes_and_lambda_lines() {
        assert_eq!(
            split_time("2024-05-01T12:00:03.000Z START RequestId: x"),
            Some((1_714_564_803_000, "START RequestId: x"))
        );
        let native = "2024-05-01T12:00:03.000Z\tid\tINFO\thello";
        assert_eq!(split_time(native), Some((1_714_564_803_000, native)));
        assert_eq!(split_time("hello world"), None);
    }
}

//! Per-function durations from Lambda logs, and the timeout and memory they call for.
//!
//! Reads CloudWatch Logs in the forms they leave AWS: subscription payloads (`logGroup`,
//! `logEvents`, gzipped or not, one per file or one per line), `aws logs filter-log-events` /
//! `get-log-events` output (`events`), and text exports (one `<timestamp> <message>` line each,
//! as an export to S3 writes them).

use std::collections::BTreeMap;
use std::io::{BufRead, Read};
use std::path::Path;

use serde::Deserialize;

use crate::cloudtrail::{FileReport, Malformed};
use crate::lambda::{Durations, PlatformLine, platform_line};

/// Lambda's longest timeout, in seconds.
pub const MAX_TIMEOUT_SECS: u64 = 900;
/// A pretty-printed JSON document (`filter-log-events` output) is read whole: up to this size.
const MAX_DOCUMENT: u64 = 256 * 1024 * 1024;

/// What the logs say about one function.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FunctionStats {
    pub durations: Durations,
    pub timed_out: u64,
    /// The longest `Task timed out after N seconds` seen: the timeout in force.
    pub timeout_secs: Option<f64>,
    pub max_memory_used_mb: Option<u32>,
    pub memory_size_mb: Option<u32>,
    pub cold_starts: u64,
    pub max_init_ms: Option<f64>,
}

impl FunctionStats {
    fn report(&mut self, r: &crate::lambda::Report) {
        self.durations.add(r.duration_ms);
        if r.timed_out {
            self.timed_out += 1;
        }
        self.max_memory_used_mb = self.max_memory_used_mb.max(r.max_memory_used_mb);
        if r.memory_size_mb.is_some() {
            self.memory_size_mb = r.memory_size_mb;
        }
        if let Some(init) = r.init_ms {
            self.cold_starts += 1;
            self.max_init_ms = Some(self.max_init_ms.map_or(init, |m: f64| m.max(init)));
        }
    }

    /// The timeout the observed durations call for, in whole seconds: the 99.9th percentile
    /// with 50 % headroom or the longest invocation with 20 %, whichever is more, at least
    /// 1 s, at most `limit` (what the trigger allows, else 900 s). When invocations timed
    /// out, their real duration is unknown: at least twice the timeout they hit.
    pub fn recommended_timeout(&self, limit: u64) -> Option<u64> {
        let tail = self.durations.quantile(0.999)?;
        let mut ms = (tail * 1.5).max(self.durations.max_ms() * 1.2);
        if self.timed_out > 0
            && let Some(t) = self.timeout_secs
        {
            ms = ms.max(t * 2000.0);
        }
        let secs = (ms / 1000.0).ceil().max(1.0) as u64;
        Some(secs.min(limit.clamp(1, MAX_TIMEOUT_SECS)))
    }

    /// The memory the observed peak calls for: 25 % above it, rounded up to 64 MB, between
    /// 128 MB and 10,240 MB.
    pub fn recommended_memory_mb(&self) -> Option<u32> {
        let used = f64::from(self.max_memory_used_mb?);
        let mb = ((used * 1.25 / 64.0).ceil() * 64.0) as u32;
        Some(mb.clamp(128, 10_240))
    }
}

/// Everything read from a set of log files.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LambdaLogs {
    /// By function name.
    pub functions: BTreeMap<String, FunctionStats>,
    pub files: usize,
    /// Log messages read and platform lines among them.
    pub messages: u64,
    pub platform_lines: u64,
    pub malformed: u64,
    /// The first malformed inputs, by file.
    pub named: Vec<(String, Malformed)>,
    /// The file being read, to name what is malformed in it.
    current: String,
}

impl LambdaLogs {
    fn message(&mut self, function: &str, message: &str) {
        self.messages += 1;
        // A message can hold several lines (subscription payloads keep the trailing `\n`).
        for line in message.lines() {
            let Some(p) = platform_line(line) else {
                continue;
            };
            self.platform_lines += 1;
            let stats = self.functions.entry(function.to_string()).or_default();
            match p {
                PlatformLine::Report(r) => stats.report(&r),
                PlatformLine::TimedOut { after_secs, .. } => {
                    stats.timed_out += 1;
                    stats.timeout_secs =
                        Some(stats.timeout_secs.map_or(after_secs, |t| t.max(after_secs)));
                }
                PlatformLine::BadReport => {
                    self.malformed += 1;
                    if self.named.len() < 20 {
                        let shown: String = line.chars().take(120).collect();
                        self.named.push((
                            self.current.clone(),
                            Malformed {
                                at: "REPORT line".into(),
                                message: format!("not a REPORT line Lambda writes: {shown}"),
                            },
                        ));
                    }
                }
                PlatformLine::Start { .. } | PlatformLine::End { .. } => {}
            }
        }
    }

    fn merge_report(&mut self, file: &str, report: FileReport) {
        self.malformed += report.malformed as u64;
        for m in report.named {
            if self.named.len() < 20 {
                self.named.push((file.to_string(), m));
            }
        }
    }

    /// Read one file. `fallback` names the function when the file does not (text exports):
    /// the `--function` given, else the file's folder.
    pub fn read_file(&mut self, path: &Path, display: &str, fallback: &str) {
        self.files += 1;
        self.current = display.to_string();
        let mut report = FileReport::default();
        let mut reader = match crate::open(path) {
            Ok(r) => r,
            Err(e) => {
                report_malformed(&mut report, "file", e.to_string());
                self.merge_report(display, report);
                return;
            }
        };
        let head = reader.fill_buf().map(<[u8]>::to_vec).unwrap_or_default();
        let starts_json = head.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
        if starts_json && !looks_like_lines(&head) {
            // One JSON document (a payload or `filter-log-events` output), pretty-printed.
            let mut bytes = Vec::new();
            match reader.take(MAX_DOCUMENT + 1).read_to_end(&mut bytes) {
                Ok(_) if bytes.len() as u64 > MAX_DOCUMENT => report_malformed(
                    &mut report,
                    "file",
                    format!(
                        "one JSON document larger than {MAX_DOCUMENT} bytes: export it as JSON Lines or in parts"
                    ),
                ),
                Ok(_) => self.document(&bytes, fallback, "file", &mut report),
                Err(e) => report_malformed(&mut report, "file", e.to_string()),
            }
        } else {
            self.lines(reader, fallback, &mut report);
        }
        self.merge_report(display, report);
    }

    fn lines(&mut self, reader: Box<dyn BufRead>, fallback: &str, report: &mut FileReport) {
        let result = crate::each_line(reader, &mut |number, line| {
            let Some(line) = line else {
                report_malformed(
                    report,
                    &format!("line {number}"),
                    format!("longer than {} bytes", crate::MAX_LINE),
                );
                return;
            };
            let text = String::from_utf8_lossy(line);
            let trimmed = text.trim();
            if trimmed.is_empty() {
                return;
            }
            // JSON Lines of payloads, or a text export (`<timestamp> <message>`).
            match trimmed
                .starts_with('{')
                .then(|| serde_json::from_str::<Payload>(trimmed).ok())
                .flatten()
            {
                Some(payload) => self.payload(payload, fallback),
                None => self.message(fallback, strip_timestamp(trimmed)),
            }
        });
        if let Err(message) = result {
            report_malformed(report, "file", message);
        }
    }

    fn document(&mut self, bytes: &[u8], fallback: &str, at: &str, report: &mut FileReport) {
        match serde_json::from_slice::<Payload>(bytes) {
            Ok(p) => self.payload(p, fallback),
            Err(e) => report_malformed(report, at, format!("not a CloudWatch Logs document: {e}")),
        }
    }

    /// The messages of a subscription payload or `filter-log-events` output, by function.
    fn payload(&mut self, p: Payload, fallback: &str) {
        let group = p.log_group.as_deref().or(p.log_group_name.as_deref());
        let function = group
            .and_then(function_of_group)
            .unwrap_or(fallback)
            .to_string();
        for e in p.log_events.iter().chain(p.events.iter()) {
            let name = e
                .log_group_name
                .as_deref()
                .and_then(function_of_group)
                .unwrap_or(&function)
                .to_string();
            self.message(&name, &e.message);
        }
    }
}

fn report_malformed(report: &mut FileReport, at: &str, message: String) {
    report.malformed += 1;
    report.named.push(Malformed {
        at: at.to_string(),
        message,
    });
}

/// True when the first line is a whole JSON object (JSON Lines of payloads).
fn looks_like_lines(head: &[u8]) -> bool {
    let text = String::from_utf8_lossy(head);
    match text.trim_start().split_once('\n') {
        Some((first, _)) => serde_json::from_str::<serde::de::IgnoredAny>(first).is_ok(),
        None => false,
    }
}

/// `2020-06-09T15:02:26.150Z START …` → `START …`.
fn strip_timestamp(line: &str) -> &str {
    match line.split_once([' ', '\t']) {
        Some((first, rest))
            if first.len() >= 20
                && first.as_bytes().get(4) == Some(&b'-')
                && first.contains('T') =>
        {
            rest.trim_start()
        }
        _ => line,
    }
}

/// `/aws/lambda/orders-api` → `orders-api`.
pub fn function_of_group(group: &str) -> Option<&str> {
    group.strip_prefix("/aws/lambda/").filter(|n| !n.is_empty())
}

#[derive(Deserialize)]
struct Payload {
    #[serde(rename = "logGroup")]
    log_group: Option<String>,
    #[serde(rename = "logGroupName")]
    log_group_name: Option<String>,
    #[serde(rename = "logEvents", default)]
    log_events: Vec<Event>,
    #[serde(default)]
    events: Vec<Event>,
}

#[derive(Deserialize)]
struct Event {
    #[serde(default)]
    message: String,
    #[serde(rename = "logGroupName")]
    log_group_name: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recommendations_have_headroom_and_respect_the_limit() {
        let mut s = FunctionStats::default();
        for ms in [120.0, 180.0, 250.0, 2400.0] {
            s.durations.add(ms);
        }
        s.max_memory_used_mb = Some(200);
        // With four invocations the 99.9th percentile is the longest, 2.4 s: 50 % more is
        // 3.6 s → 4 s.
        assert_eq!(s.recommended_timeout(900), Some(4));
        assert_eq!(s.recommended_timeout(2), Some(2));
        assert_eq!(s.recommended_memory_mb(), Some(256));
        s.timed_out = 3;
        s.timeout_secs = Some(6.0);
        assert_eq!(s.recommended_timeout(900), Some(12));
    }

    #[test]
    fn timestamps_are_stripped_from_text_exports() {
        assert_eq!(
            strip_timestamp("2020-06-09T15:02:26.150Z START RequestId: x Version: $LATEST"),
            "START RequestId: x Version: $LATEST"
        );
        assert_eq!(strip_timestamp("START RequestId: x"), "START RequestId: x");
        assert_eq!(function_of_group("/aws/lambda/orders"), Some("orders"));
        assert_eq!(function_of_group("testLogGroup"), None);
    }
}

//! Per-function durations from Lambda logs, and the timeout and memory they call for.
//!
//! Reads CloudWatch Logs in the forms they leave AWS: subscription payloads (`logGroup`,
//! `logEvents`, gzipped or not, one per file or one per line), `aws logs filter-log-events` /
//! `get-log-events` output (`events`), and text exports (one `<timestamp> <message>` line each,
//! as an export to S3 writes them), all read by [`crate::read_function_logs`].

use std::collections::BTreeMap;
use std::path::Path;

use crate::cloudtrail::{FileReport, Malformed};
use crate::function_logs::read_function_logs;
use crate::lambda::{Durations, PlatformLine, platform_line};

/// Lambda's longest timeout, in seconds.
pub const MAX_TIMEOUT_SECS: u64 = 900;

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
    fn message(&mut self, function: &str, message: &str, at: &str) {
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
                                at: at.to_string(),
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
        let report = read_function_logs(path, fallback, &mut |e| {
            self.message(e.function, e.message, e.at);
        });
        self.merge_report(display, report);
    }
}

/// `/aws/lambda/orders-api` → `orders-api`.
pub fn function_of_group(group: &str) -> Option<&str> {
    group.strip_prefix("/aws/lambda/").filter(|n| !n.is_empty())
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
    fn function_names_come_from_lambda_log_groups() {
        assert_eq!(function_of_group("/aws/lambda/orders"), Some("orders"));
        assert_eq!(function_of_group("testLogGroup"), None);
    }
}

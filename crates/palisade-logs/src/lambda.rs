//! Lambda's own log lines (`START`, `END`, `REPORT`, `Task timed out`), in the text format and
//! the JSON log format (`platform.report`), and per-function duration statistics kept in
//! bounded memory.

use serde::Deserialize;

/// What one `REPORT` line (or `platform.report` record) says about one invocation.
#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    pub request_id: String,
    pub duration_ms: f64,
    pub billed_ms: Option<f64>,
    pub memory_size_mb: Option<u32>,
    pub max_memory_used_mb: Option<u32>,
    /// Present on cold starts.
    pub init_ms: Option<f64>,
    /// The JSON format says so (`"status": "timeout"`); the text format needs the separate
    /// `Task timed out` line.
    pub timed_out: bool,
}

/// A platform line of a Lambda log.
#[derive(Clone, Debug, PartialEq)]
pub enum PlatformLine {
    Start {
        request_id: String,
    },
    End {
        request_id: String,
    },
    Report(Report),
    /// `<time> <request id> Task timed out after 3.00 seconds`.
    TimedOut {
        request_id: Option<String>,
        after_secs: f64,
    },
    /// A `REPORT` line that does not say what a REPORT line says.
    BadReport,
}

/// The value after `label` up to the next tab or double space, without its unit.
fn field<'a>(line: &'a str, label: &str) -> Option<&'a str> {
    let start = line.find(label)? + label.len();
    let rest = line.get(start..)?.trim_start();
    let end = rest.find(['\t', '\n']).unwrap_or(rest.len());
    let value = rest.get(..end)?.trim();
    Some(value.split_whitespace().next().unwrap_or(value))
}

fn text_report(line: &str) -> Option<Report> {
    let request_id = field(line, "RequestId:")?.to_string();
    // `Duration:` also ends `Billed Duration:` and `Init Duration:`: the invocation's own is
    // the occurrence preceded by neither.
    let at = line.match_indices("Duration:").map(|(i, _)| i).find(|&i| {
        let before = line.get(..i).unwrap_or("");
        !before.ends_with("Billed ") && !before.ends_with("Init ")
    })?;
    let duration_ms = field(line.get(at..)?, "Duration:")?.parse().ok()?;
    Some(Report {
        request_id,
        duration_ms,
        billed_ms: field(line, "Billed Duration:").and_then(|v| v.parse().ok()),
        memory_size_mb: field(line, "Memory Size:").and_then(|v| v.parse().ok()),
        max_memory_used_mb: field(line, "Max Memory Used:").and_then(|v| v.parse().ok()),
        init_ms: field(line, "Init Duration:").and_then(|v| v.parse().ok()),
        timed_out: line.contains("Status: timeout"),
    })
}

#[derive(Deserialize)]
struct JsonLine {
    #[serde(rename = "type")]
    kind: Option<String>,
    record: Option<JsonRecord>,
}

#[derive(Deserialize)]
struct JsonRecord {
    #[serde(rename = "requestId")]
    request_id: Option<String>,
    metrics: Option<JsonMetrics>,
    status: Option<String>,
}

#[derive(Deserialize)]
struct JsonMetrics {
    #[serde(rename = "durationMs")]
    duration_ms: Option<f64>,
    #[serde(rename = "billedDurationMs")]
    billed_ms: Option<f64>,
    #[serde(rename = "memorySizeMB")]
    memory_size_mb: Option<u32>,
    #[serde(rename = "maxMemoryUsedMB")]
    max_memory_used_mb: Option<u32>,
    #[serde(rename = "initDurationMs")]
    init_ms: Option<f64>,
}

fn json_line(line: &str) -> Option<PlatformLine> {
    let parsed: JsonLine = serde_json::from_str(line).ok()?;
    let record = parsed.record?;
    let request_id = record.request_id.unwrap_or_default();
    match parsed.kind.as_deref()? {
        "platform.start" => Some(PlatformLine::Start { request_id }),
        "platform.runtimeDone" => None,
        "platform.report" => {
            let Some(m) = record.metrics else {
                return Some(PlatformLine::BadReport);
            };
            let Some(duration_ms) = m.duration_ms else {
                return Some(PlatformLine::BadReport);
            };
            Some(PlatformLine::Report(Report {
                request_id,
                duration_ms,
                billed_ms: m.billed_ms,
                memory_size_mb: m.memory_size_mb,
                max_memory_used_mb: m.max_memory_used_mb,
                init_ms: m.init_ms,
                timed_out: record.status.as_deref() == Some("timeout"),
            }))
        }
        _ => None,
    }
}

/// The platform line a log message is, if it is one.
pub fn platform_line(message: &str) -> Option<PlatformLine> {
    let line = message.trim_start();
    if line.starts_with('{') {
        return json_line(line.trim_end());
    }
    if let Some(rest) = line.strip_prefix("START ") {
        return field(rest, "RequestId:").map(|id| PlatformLine::Start {
            request_id: id.to_string(),
        });
    }
    if let Some(rest) = line.strip_prefix("END ") {
        return field(rest, "RequestId:").map(|id| PlatformLine::End {
            request_id: id.to_string(),
        });
    }
    if line.starts_with("REPORT ") {
        return Some(text_report(line).map_or(PlatformLine::BadReport, PlatformLine::Report));
    }
    let i = line.find("Task timed out after ")?;
    let after = line.get(i + "Task timed out after ".len()..)?;
    let after_secs = after.split_whitespace().next()?.parse().ok()?;
    // `<time> <request id> Task timed out …`: the request id is the word before.
    let request_id = line
        .get(..i)
        .and_then(|head| head.split_whitespace().last())
        .filter(|id| id.len() >= 32 && id.contains('-'))
        .map(str::to_string);
    Some(PlatformLine::TimedOut {
        request_id,
        after_secs,
    })
}

/// Durations of one function, in a log-scale histogram: bounded memory whatever the number of
/// invocations, percentiles within 1 %.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Durations {
    /// Bucket `i` holds durations in `[GROWTH^i, GROWTH^(i+1))` milliseconds (bucket 0 also
    /// everything below 1 ms).
    buckets: Vec<u64>,
    count: u64,
    max_ms: f64,
}

const GROWTH: f64 = 1.01;
/// 15 minutes, Lambda's longest timeout, with room: `1.01^1400` ≈ 1.1 million seconds.
const MAX_BUCKETS: usize = 1400;

impl Durations {
    pub fn add(&mut self, ms: f64) {
        if !ms.is_finite() || ms < 0.0 {
            return;
        }
        let index = if ms < 1.0 {
            0
        } else {
            ((ms.ln() / GROWTH.ln()) as usize).min(MAX_BUCKETS - 1)
        };
        if self.buckets.len() <= index {
            self.buckets.resize(index + 1, 0);
        }
        if let Some(b) = self.buckets.get_mut(index) {
            *b += 1;
        }
        self.count += 1;
        self.max_ms = self.max_ms.max(ms);
    }

    pub fn count(&self) -> u64 {
        self.count
    }

    pub fn max_ms(&self) -> f64 {
        self.max_ms
    }

    /// The `q` quantile (0 < q ≤ 1): the upper edge of the bucket that holds it, never above
    /// the maximum seen.
    pub fn quantile(&self, q: f64) -> Option<f64> {
        if self.count == 0 {
            return None;
        }
        let rank = ((q.clamp(0.0, 1.0) * self.count as f64).ceil() as u64).max(1);
        let mut seen = 0;
        for (i, n) in self.buckets.iter().enumerate() {
            seen += n;
            if seen >= rank {
                let upper = GROWTH.powi(i as i32 + 1);
                return Some(upper.min(self.max_ms));
            }
        }
        Some(self.max_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_reports_are_read_with_and_without_tabs_and_cold_starts() {
        let line = "REPORT RequestId: 8edab1f8-7d34-4a8e-a965-15ccbbb78d4c Duration: 0.81 ms  Billed Duration: 100 ms Memory Size: 128 MB Max Memory Used: 90 MB  Init Duration: 1234 ms";
        let Some(PlatformLine::Report(r)) = platform_line(line) else {
            unreachable!("{line}")
        };
        assert_eq!(r.duration_ms, 0.81);
        assert_eq!(r.billed_ms, Some(100.0));
        assert_eq!(r.memory_size_mb, Some(128));
        assert_eq!(r.max_memory_used_mb, Some(90));
        assert_eq!(r.init_ms, Some(1234.0));
        let tabs = "REPORT RequestId: 7c9567b5-107b-4a6c-8798-0157ac21db52\tDuration: 3003.16 ms\tBilled Duration: 3000 ms\tMemory Size: 128 MB\tMax Memory Used: 48 MB\t\n";
        let Some(PlatformLine::Report(r)) = platform_line(tabs) else {
            unreachable!()
        };
        assert_eq!((r.duration_ms, r.init_ms), (3003.16, None));
        assert_eq!(
            platform_line("REPORT invalid report log line"),
            Some(PlatformLine::BadReport)
        );
    }

    #[test]
    fn json_reports_and_timeouts_are_read() {
        let json = r#"{"time": "2024-10-18T19:38:39.661Z", "type": "platform.report", "record": {"requestId": "b441820a-ebe5-4d5f-93bc-f945707b0225", "metrics": {"durationMs": 30000.0, "billedDurationMs": 30000, "memorySizeMB": 128, "maxMemoryUsedMB": 74, "initDurationMs": 985.413}, "status": "timeout"}}"#;
        let Some(PlatformLine::Report(r)) = platform_line(json) else {
            unreachable!()
        };
        assert!(r.timed_out);
        assert_eq!(r.duration_ms, 30000.0);
        let line = "2020-06-09T15:02:26.150Z 7c9567b5-107b-4a6c-8798-0157ac21db52 Task timed out after 3.00 seconds\n";
        assert_eq!(
            platform_line(line),
            Some(PlatformLine::TimedOut {
                request_id: Some("7c9567b5-107b-4a6c-8798-0157ac21db52".into()),
                after_secs: 3.0
            })
        );
        assert_eq!(
            platform_line("2020-03-05T16:30:36.113Z\tid\tINFO\thello"),
            None
        );
    }

    #[test]
    fn quantiles_are_within_one_percent_in_bounded_memory() {
        let mut d = Durations::default();
        for i in 1..=100_000 {
            d.add(f64::from(i) / 100.0);
        }
        let p50 = d.quantile(0.5).unwrap_or_default();
        let p99 = d.quantile(0.99).unwrap_or_default();
        assert!((p50 - 500.0).abs() / 500.0 < 0.011, "{p50}");
        assert!((p99 - 990.0).abs() / 990.0 < 0.011, "{p99}");
        assert_eq!(d.quantile(1.0), Some(1000.0));
        assert!(d.buckets.len() < MAX_BUCKETS);
    }
}

//! Palisade's detections on function logs (PAL520–PAL524): injection payloads arriving in
//! logged events, `Task timed out` bursts, error and throttle spikes; and on API Gateway
//! access logs (payloads in requests, 5xx and 429 spikes).
//!
//! Per message, only counters per (function, minute) and a bounded number of payload
//! detections are kept; the bursts and spikes are found in [`FunctionLogDetections::finish`]
//! over the merged state of every file. Memory is bounded by functions × minutes, never by
//! messages.

mod api_injection_payload;
mod error_spike;
mod injection_payload;
mod spikes;
mod throttle_spike;
mod timeout_burst;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, LazyLock};

use palisade_logs::{AccessLogEntry, PlatformLine, platform_line};
use palisade_model::{RuleMeta, Severity};
use regex::Regex;

use crate::detection::{DetectConfig, Detection, Level, Origin, RuleRef, RuleSource};
use crate::event::format_time_ms;
use injection_payload::Class;

/// Every rule of this module, for `palisade rules` and SARIF.
pub fn rules() -> Vec<&'static RuleMeta> {
    vec![
        &injection_payload::META,
        &timeout_burst::META,
        &error_spike::META,
        &throttle_spike::META,
        &api_injection_payload::META,
    ]
}

/// One message of a function's log group.
#[derive(Clone, Copy, Debug)]
pub struct LogMessage<'a> {
    /// The function's name (from `/aws/lambda/<name>`, else the fallback).
    pub function: &'a str,
    pub time_ms: Option<i64>,
    pub message: &'a str,
}

/// Payload detections kept per function or API; the rest are counted.
const MAX_PAYLOADS: usize = 50;
/// Minutes kept per function or API (about 69 days of continuous activity); later minutes
/// are not counted for bursts and spikes.
const MAX_MINUTES: usize = 100_000;
/// A detection's `event` (the log line) is cut to this many bytes.
const MAX_EVENT: usize = 8 * 1024;
/// A sample kept per minute for the evidence of bursts and spikes is cut to this many bytes.
const MAX_SAMPLE: usize = 1024;
const MINUTE_MS: i64 = 60_000;
/// PAL521: a burst is this many timeouts within [`BURST_WINDOW`] minutes…
const BURST_MIN: u64 = 5;
/// …or this many, when they are at least [`BURST_SHARE`] of the invocations.
const BURST_MIN_SHARE: u64 = 3;
const BURST_SHARE: f64 = 0.2;
const BURST_WINDOW: i64 = 5;

pub struct FunctionLogDetections {
    #[allow(
        dead_code,
        reason = "the configuration names no function-log setting yet"
    )]
    config: Arc<DetectConfig>,
    injection: Arc<RuleRef>,
    timeouts: Arc<RuleRef>,
    errors: Arc<RuleRef>,
    throttles: Arc<RuleRef>,
    api_injection: Arc<RuleRef>,
}

/// Mergeable per-file state; bounded by functions × minutes, not messages.
#[derive(Debug, Default)]
pub struct FunctionLogState {
    functions: BTreeMap<String, Subject>,
    /// API Gateway access logs, by `apiId/stage`.
    apis: BTreeMap<String, Subject>,
    /// Messages without a time: they count for payloads, not for bursts and spikes.
    untimed: u64,
}

#[derive(Debug, Default)]
struct Subject {
    minutes: BTreeMap<i64, Minute>,
    /// Minutes not kept beyond [`MAX_MINUTES`].
    dropped: u64,
    payloads: Vec<Detection>,
    /// Payload detections beyond [`MAX_PAYLOADS`].
    suppressed: u64,
}

/// What one minute of one function (or API) held.
#[derive(Clone, Debug, Default)]
struct Minute {
    /// `REPORT` lines (functions) or requests (APIs).
    invocations: u64,
    timeout_lines: u64,
    timeout_reports: u64,
    error_lines: u64,
    error_reports: u64,
    throttles: u64,
    samples: Option<Box<Samples>>,
}

impl Minute {
    /// An invocation that logs `Task timed out` and a `REPORT` with `Status: timeout` is one
    /// timeout: the larger count of the minute, not the sum.
    fn timeouts(&self) -> u64 {
        self.timeout_lines.max(self.timeout_reports)
    }

    fn errors(&self) -> u64 {
        self.error_lines.max(self.error_reports)
    }

    fn add(&mut self, other: Minute) {
        self.invocations += other.invocations;
        self.timeout_lines += other.timeout_lines;
        self.timeout_reports += other.timeout_reports;
        self.error_lines += other.error_lines;
        self.error_reports += other.error_reports;
        self.throttles += other.throttles;
        if let Some(theirs) = other.samples {
            let mine = self.samples.get_or_insert_with(Box::default);
            for (a, b) in [
                (&mut mine.timeout, theirs.timeout),
                (&mut mine.error, theirs.error),
                (&mut mine.throttle, theirs.throttle),
            ] {
                keep_first(a, b);
            }
        }
    }
}

/// The first timeout, error and throttle of a minute, for the evidence.
#[derive(Clone, Debug, Default)]
struct Samples {
    timeout: Option<Sample>,
    error: Option<Sample>,
    throttle: Option<Sample>,
}

#[derive(Clone, Debug)]
struct Sample {
    time_ms: i64,
    origin: Origin,
    event: String,
    request_id: Option<String>,
    /// What it said: `Task timed out after 3.00 seconds`, `ThrottlingException`, `HTTP 502`.
    what: String,
}

fn keep_first(slot: &mut Option<Sample>, other: Option<Sample>) {
    let Some(other) = other else { return };
    match slot {
        Some(s) if (s.time_ms, &s.origin) <= (other.time_ms, &other.origin) => {}
        _ => *slot = Some(other),
    }
}

impl Subject {
    fn minute(&mut self, time_ms: i64) -> Option<&mut Minute> {
        let m = time_ms.div_euclid(MINUTE_MS);
        if !self.minutes.contains_key(&m) && self.minutes.len() >= MAX_MINUTES {
            self.dropped += 1;
            return None;
        }
        Some(self.minutes.entry(m).or_default())
    }

    fn payload(&mut self, d: Detection) {
        if self.payloads.iter().any(|p| p.key == d.key) {
            return;
        }
        if self.payloads.len() >= MAX_PAYLOADS {
            self.suppressed += 1;
            return;
        }
        self.payloads.push(d);
    }

    fn merge(&mut self, other: Subject) {
        for (m, minute) in other.minutes {
            let full = self.minutes.len() >= MAX_MINUTES;
            match self.minutes.entry(m) {
                std::collections::btree_map::Entry::Occupied(mut mine) => {
                    mine.get_mut().add(minute)
                }
                std::collections::btree_map::Entry::Vacant(slot) if !full => {
                    slot.insert(minute);
                }
                std::collections::btree_map::Entry::Vacant(_) => self.dropped += 1,
            }
        }
        self.dropped += other.dropped;
        self.suppressed += other.suppressed;
        self.payloads.extend(other.payloads);
        self.payloads
            .sort_by(|a, b| (a.time_ms, &a.origin, &a.key).cmp(&(b.time_ms, &b.origin, &b.key)));
        let mut seen = BTreeSet::new();
        self.payloads.retain(|d| seen.insert(d.key.clone()));
        if self.payloads.len() > MAX_PAYLOADS {
            self.suppressed += (self.payloads.len() - MAX_PAYLOADS) as u64;
            self.payloads.truncate(MAX_PAYLOADS);
        }
    }
}

impl FunctionLogState {
    pub fn merge(&mut self, other: FunctionLogState) {
        for (name, s) in other.functions {
            self.functions.entry(name).or_default().merge(s);
        }
        for (name, s) in other.apis {
            self.apis.entry(name).or_default().merge(s);
        }
        self.untimed += other.untimed;
    }
}

fn rule_ref(meta: &RuleMeta) -> Arc<RuleRef> {
    Arc::new(RuleRef {
        code: meta.code.to_string(),
        title: meta.title.to_string(),
        level: match meta.severity {
            Severity::Info => Level::Informational,
            Severity::Low => Level::Low,
            Severity::Medium => Level::Medium,
            Severity::High => Level::High,
            Severity::Critical => Level::Critical,
        },
        author: None,
        sigma_id: None,
        source: RuleSource::Builtin,
    })
}

/// The request id of a message: a JSON record's, a platform line's, or the one Lambda puts
/// in its application lines (`<time>\t<request id>\t…`).
static REQUEST_ID: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r#""(?:requestId|awsRequestId|AWSRequestId|aws_request_id|function_request_id)"\s*:\s*"([0-9A-Za-z=_-]{8,64})"|RequestId:\s*([0-9A-Za-z-]{8,64})|(?:^|\s)([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?:\s|$)"#,
    )
    .ok()
});

fn request_id(message: &str) -> Option<String> {
    let text = injection_payload::head(message, 4096);
    let caps = REQUEST_ID.as_ref()?.captures(text)?;
    (1..=3)
        .find_map(|i| caps.get(i))
        .map(|m| m.as_str().to_string())
}

fn bounded(text: &str, max: usize) -> String {
    let head = injection_payload::head(text, max);
    if head.len() < text.len() {
        format!("{head}…")
    } else {
        head.to_string()
    }
}

/// The first line of a message without Lambda's `<time>\t<request id>\t` prefix, bounded,
/// for a sample's `what`.
fn first_line(text: &str) -> String {
    let line = text
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim();
    let fields: Vec<&str> = line.split('\t').collect();
    let line = match fields.as_slice() {
        [_, id, rest @ ..] if id.len() == 36 && !rest.is_empty() => rest.join(" "),
        [level, _, id, rest @ ..] if level.starts_with('[') && id.len() == 36 => {
            let mut parts = vec![*level];
            parts.extend(rest);
            parts.join(" ")
        }
        _ => line.to_string(),
    };
    let shown: String = line.chars().take(120).collect();
    if line.chars().count() > 120 {
        format!("{shown}…")
    } else {
        shown
    }
}

fn time_text(time_ms: Option<i64>) -> String {
    time_ms.map_or_else(|| "an unknown time".to_string(), format_time_ms)
}

/// How a platform line counts.
#[derive(Default)]
struct Platform {
    /// START, END, REPORT, `platform.*`: not application output.
    any: bool,
    reports: u64,
    timeout_lines: u64,
    timeout_reports: u64,
    error_reports: u64,
    timeout_after: Option<f64>,
}

fn platform(message: &str) -> Platform {
    let mut p = Platform::default();
    for line in message.lines() {
        match platform_line(line) {
            Some(PlatformLine::Report(r)) => {
                p.any = true;
                p.reports += 1;
                if r.timed_out || line.contains("Status: timeout") {
                    p.timeout_reports += 1;
                    p.error_reports += 1;
                } else if line.contains("Status: error")
                    || line.contains("\"status\":\"error\"")
                    || line.contains("\"status\": \"error\"")
                {
                    p.error_reports += 1;
                }
            }
            Some(PlatformLine::TimedOut { after_secs, .. }) => {
                p.any = true;
                p.timeout_lines += 1;
                p.timeout_after = Some(after_secs);
            }
            Some(
                PlatformLine::Start { .. } | PlatformLine::End { .. } | PlatformLine::BadReport,
            ) => {
                p.any = true;
            }
            None => {
                let t = line.trim_start();
                if t.starts_with('{') && t.contains("\"platform.") {
                    p.any = true;
                }
            }
        }
    }
    p
}

impl FunctionLogDetections {
    pub fn new(config: Arc<DetectConfig>) -> Self {
        FunctionLogDetections {
            config,
            injection: rule_ref(&injection_payload::META),
            timeouts: rule_ref(&timeout_burst::META),
            errors: rule_ref(&error_spike::META),
            throttles: rule_ref(&throttle_spike::META),
            api_injection: rule_ref(&api_injection_payload::META),
        }
    }

    /// One message of a function's log, in file order. Payload detections, bursts and spikes
    /// are all given by [`finish`](Self::finish): they are deduplicated across files there.
    pub fn message(
        &self,
        message: &LogMessage<'_>,
        origin: &Origin,
        state: &mut FunctionLogState,
        _out: &mut Vec<Detection>,
    ) {
        let text = message.message;
        let p = platform(text);
        let request = request_id(text);
        let subject = state
            .functions
            .entry(message.function.to_string())
            .or_default();
        // The first line of a multi-line message decides: a stack trace continuing an
        // application line is application output.
        let application = !p.any;
        let error = !matches!(
            p,
            Platform {
                any: true,
                timeout_lines: 0,
                ..
            }
        ) && error_spike::is_error_line(text);
        let throttle = if application {
            throttle_spike::throttle(text)
        } else {
            None
        };
        if application {
            for (class, snippet) in injection_payload::payloads(text) {
                subject.payload(self.injection_detection(
                    message,
                    origin,
                    class,
                    &snippet,
                    request.as_deref(),
                ));
            }
        }
        let Some(time) = message.time_ms else {
            state.untimed += 1;
            return;
        };
        let Some(minute) = subject.minute(time) else {
            return;
        };
        minute.invocations += p.reports;
        minute.timeout_lines += p.timeout_lines;
        minute.timeout_reports += p.timeout_reports;
        minute.error_reports += p.error_reports;
        let sample = |what: String| Sample {
            time_ms: time,
            origin: origin.clone(),
            event: bounded(text, MAX_SAMPLE),
            request_id: request.clone(),
            what,
        };
        if p.timeout_lines + p.timeout_reports > 0 {
            let what = match p.timeout_after {
                Some(s) => format!("Task timed out after {s:.2} seconds"),
                None => "Status: timeout".to_string(),
            };
            let samples = minute.samples.get_or_insert_with(Box::default);
            keep_first(&mut samples.timeout, Some(sample(what)));
        }
        if error || p.error_reports > 0 {
            if error {
                minute.error_lines += 1;
            }
            let samples = minute.samples.get_or_insert_with(Box::default);
            keep_first(&mut samples.error, Some(sample(first_line(text))));
        }
        if let Some(t) = throttle {
            minute.throttles += 1;
            let samples = minute.samples.get_or_insert_with(Box::default);
            keep_first(&mut samples.throttle, Some(sample(t.to_string())));
        }
    }

    fn injection_detection(
        &self,
        message: &LogMessage<'_>,
        origin: &Origin,
        class: Class,
        snippet: &str,
        request: Option<&str>,
    ) -> Detection {
        let function = message.function;
        let in_request = request.map_or_else(String::new, |r| format!(" in request {r}"));
        let mut evidence = vec![
            ("class".to_string(), class.name().to_string()),
            ("match".to_string(), snippet.to_string()),
            ("function".to_string(), function.to_string()),
            ("time".to_string(), time_text(message.time_ms)),
        ];
        if let Some(r) = request {
            evidence.push(("requestId".to_string(), r.to_string()));
        }
        Detection {
            rule: Arc::clone(&self.injection),
            time_ms: message.time_ms,
            function: Some(function.to_string()),
            principal: None,
            message: format!(
                "{function} logged a {} payload{in_request}: {snippet}",
                class.name()
            ),
            evidence,
            origin: Some(origin.clone()),
            event: Some(bounded(message.message, MAX_EVENT)),
            key: format!("{function}/{}/{}", class.id(), request.unwrap_or(snippet)),
        }
    }

    /// One API Gateway access log entry, in file order.
    pub fn access_log(
        &self,
        entry: &AccessLogEntry,
        origin: &Origin,
        state: &mut FunctionLogState,
        _out: &mut Vec<Detection>,
    ) {
        let api = api_name(entry);
        let subject = state.apis.entry(api.clone()).or_default();
        let fields = [
            ("path", entry.path.as_deref()),
            ("query", entry.query.as_deref()),
            ("user agent", entry.user_agent.as_deref()),
        ];
        let mut seen: Vec<Class> = Vec::new();
        for (field, value) in fields {
            let Some(value) = value else { continue };
            for (class, snippet) in injection_payload::payloads(value) {
                if seen.contains(&class) {
                    continue;
                }
                seen.push(class);
                subject.payload(
                    self.api_injection_detection(entry, origin, &api, field, class, &snippet),
                );
            }
        }
        let Some(time) = entry.time_ms else {
            state.untimed += 1;
            return;
        };
        let Some(minute) = subject.minute(time) else {
            return;
        };
        minute.invocations += 1;
        let status = entry.status.unwrap_or(0);
        let sample = |what: String| Sample {
            time_ms: time,
            origin: origin.clone(),
            event: bounded(&entry.raw, MAX_SAMPLE),
            request_id: entry.request_id.clone(),
            what,
        };
        if (500..600).contains(&status) {
            minute.error_lines += 1;
            let what = match entry
                .integration_error
                .as_deref()
                .or(entry.error.as_deref())
            {
                Some(e) => format!("HTTP {status}: {}", first_line(e)),
                None => format!("HTTP {status}"),
            };
            let samples = minute.samples.get_or_insert_with(Box::default);
            keep_first(&mut samples.error, Some(sample(what)));
        } else if status == 429 {
            minute.throttles += 1;
            let samples = minute.samples.get_or_insert_with(Box::default);
            keep_first(&mut samples.throttle, Some(sample("HTTP 429".to_string())));
        }
    }

    fn api_injection_detection(
        &self,
        entry: &AccessLogEntry,
        origin: &Origin,
        api: &str,
        field: &str,
        class: Class,
        snippet: &str,
    ) -> Detection {
        let method = entry.method.as_deref().unwrap_or("A");
        let path = entry.path.as_deref().unwrap_or("the API");
        let from = entry
            .source_ip
            .as_deref()
            .map_or_else(String::new, |ip| format!(" from {ip}"));
        let answered = entry
            .status
            .map_or_else(String::new, |s| format!(", answered {s}"));
        let mut evidence = vec![
            ("class".to_string(), class.name().to_string()),
            ("field".to_string(), field.to_string()),
            ("match".to_string(), snippet.to_string()),
            ("api".to_string(), api.to_string()),
            ("time".to_string(), time_text(entry.time_ms)),
        ];
        for (name, value) in [
            ("requestId", entry.request_id.clone()),
            ("sourceIp", entry.source_ip.clone()),
            ("status", entry.status.map(|s| s.to_string())),
        ] {
            if let Some(v) = value {
                evidence.push((name.to_string(), v));
            }
        }
        Detection {
            rule: Arc::clone(&self.api_injection),
            time_ms: entry.time_ms,
            function: None,
            principal: entry.source_ip.clone(),
            message: format!(
                "{method} {path}{from} carried a {} payload in its {field}{answered}: {snippet}",
                class.name()
            ),
            evidence,
            origin: Some(origin.clone()),
            event: Some(bounded(&entry.raw, MAX_EVENT)),
            key: format!(
                "{api}/{}/{}",
                class.id(),
                entry.request_id.as_deref().unwrap_or(snippet)
            ),
        }
    }

    /// After the last message of every file: payload detections, timeout bursts, error and
    /// throttle spikes, in subject order.
    pub fn finish(&self, state: FunctionLogState, out: &mut Vec<Detection>) {
        for (name, subject) in &state.functions {
            self.flush_payloads(name, subject, "function", out);
            self.timeout_bursts(name, subject, out);
            self.spikes(Some(name), name, subject, SpikeKind::Errors, out);
            self.spikes(Some(name), name, subject, SpikeKind::Throttles, out);
        }
        for (name, subject) in &state.apis {
            self.flush_payloads(name, subject, "API", out);
            let label = format!("API {name}");
            self.spikes(None, &label, subject, SpikeKind::Errors, out);
            self.spikes(None, &label, subject, SpikeKind::Throttles, out);
        }
    }

    fn flush_payloads(&self, name: &str, subject: &Subject, what: &str, out: &mut Vec<Detection>) {
        let count = subject.payloads.len();
        for (i, d) in subject.payloads.iter().enumerate() {
            let mut d = d.clone();
            if i + 1 == count && subject.suppressed > 0 {
                d.evidence.push((
                    "suppressed".to_string(),
                    format!(
                        "{} more payload detections for {what} {name} not reported (at most {MAX_PAYLOADS})",
                        subject.suppressed
                    ),
                ));
            }
            out.push(d);
        }
    }

    fn timeout_bursts(&self, name: &str, subject: &Subject, out: &mut Vec<Detection>) {
        let timed_out: Vec<(i64, u64)> = subject
            .minutes
            .iter()
            .filter(|(_, m)| m.timeouts() > 0)
            .map(|(k, m)| (*k, m.timeouts()))
            .collect();
        let sum = |from: i64, to: i64, f: &dyn Fn(&Minute) -> u64| -> u64 {
            subject.minutes.range(from..=to).map(|(_, m)| f(m)).sum()
        };
        let mut i = 0;
        while let Some(&(start, _)) = timed_out.get(i) {
            let end = start + BURST_WINDOW - 1;
            let window = sum(start, end, &Minute::timeouts);
            let calls = sum(start, end, &|m: &Minute| m.invocations);
            let fires = window >= BURST_MIN
                || (window >= BURST_MIN_SHARE
                    && calls > 0
                    && window as f64 >= BURST_SHARE * calls as f64);
            if !fires {
                i += 1;
                continue;
            }
            // The burst goes on while the next timeout is less than a window away.
            let mut last = start;
            let mut j = i;
            while let Some(&(m, _)) = timed_out.get(j) {
                if m >= last + BURST_WINDOW {
                    break;
                }
                last = m;
                j += 1;
            }
            let count = sum(start, last, &Minute::timeouts);
            let calls = sum(start, last, &|m: &Minute| m.invocations);
            let first = first_sample(subject, start, last, |s| s.timeout.as_ref());
            out.push(self.burst_detection(name, start, last, count, calls, first));
            i = j;
        }
    }

    fn burst_detection(
        &self,
        name: &str,
        start: i64,
        last: i64,
        count: u64,
        calls: u64,
        first: Option<&Sample>,
    ) -> Detection {
        let minutes = last - start + 1;
        let of_calls = if calls > 0 {
            format!(" ({count} of {calls} invocations)")
        } else {
            String::new()
        };
        let what = first.map_or_else(String::new, |s| format!(": {}", s.what));
        let mut evidence = vec![
            (
                "count".to_string(),
                format!("{count} timeouts in {minutes} min"),
            ),
            (
                "window".to_string(),
                format!(
                    "{} to {}",
                    format_time_ms(start * MINUTE_MS),
                    format_time_ms((last + 1) * MINUTE_MS)
                ),
            ),
            ("function".to_string(), name.to_string()),
        ];
        if calls > 0 {
            evidence.push(("invocations".to_string(), calls.to_string()));
        }
        if let Some(r) = first.and_then(|s| s.request_id.as_deref()) {
            evidence.push(("first requestId".to_string(), r.to_string()));
        }
        Detection {
            rule: Arc::clone(&self.timeouts),
            time_ms: Some(first.map_or(start * MINUTE_MS, |s| s.time_ms)),
            function: Some(name.to_string()),
            principal: None,
            message: format!(
                "{name} timed out {count} times in {minutes} min from {}{of_calls}{what}",
                format_time_ms(start * MINUTE_MS)
            ),
            evidence,
            origin: first.map(|s| s.origin.clone()),
            event: first.map(|s| s.event.clone()),
            key: format!("{name}/{}", format_time_ms(start * MINUTE_MS)),
        }
    }

    fn spikes(
        &self,
        function: Option<&str>,
        label: &str,
        subject: &Subject,
        kind: SpikeKind,
        out: &mut Vec<Detection>,
    ) {
        let (Some(first), Some(last)) = (
            subject.minutes.keys().next(),
            subject.minutes.keys().next_back(),
        ) else {
            return;
        };
        let per_bucket = spikes::BUCKET_MS / MINUTE_MS;
        let mut counts: BTreeMap<i64, u64> = BTreeMap::new();
        for (m, minute) in &subject.minutes {
            let n = match kind {
                SpikeKind::Errors => minute.errors(),
                SpikeKind::Throttles => minute.throttles,
            };
            if n > 0 {
                *counts.entry(m.div_euclid(per_bucket)).or_default() += n;
            }
        }
        let found = spikes::spikes(
            &counts,
            first.div_euclid(per_bucket),
            last.div_euclid(per_bucket),
        );
        for s in found {
            let from = s.first * per_bucket;
            let to = (s.last + 1) * per_bucket - 1;
            let sample = first_sample(subject, from, to, |x| match kind {
                SpikeKind::Errors => x.error.as_ref(),
                SpikeKind::Throttles => x.throttle.as_ref(),
            });
            out.push(self.spike_detection(function, label, kind, &s, sample));
        }
    }

    fn spike_detection(
        &self,
        function: Option<&str>,
        label: &str,
        kind: SpikeKind,
        s: &spikes::Spike,
        sample: Option<&Sample>,
    ) -> Detection {
        let start = s.first * spikes::BUCKET_MS;
        let minutes = (s.last - s.first + 1) * spikes::BUCKET_MS / MINUTE_MS;
        let (noun, rule, verb) = match (kind, function.is_some()) {
            (SpikeKind::Errors, true) => ("errors", &self.errors, "logged"),
            (SpikeKind::Throttles, true) => ("throttles", &self.throttles, "logged"),
            (SpikeKind::Errors, false) => ("5xx responses", &self.errors, "gave"),
            (SpikeKind::Throttles, false) => ("429 responses", &self.throttles, "gave"),
        };
        let baseline = match s.typical {
            Some(t) => format!(
                "typically {} per 5 min (median {}, MAD {} over {} buckets of 5 min; a spike is above {})",
                number(t.median),
                number(t.median),
                number(t.mad),
                t.buckets,
                number(t.threshold)
            ),
            None => format!(
                "too little history for a typical rate (fewer than {} buckets of 5 min): {} or more in 5 min is a spike",
                spikes::MIN_HISTORY,
                spikes::FALLBACK_MIN
            ),
        };
        let what = sample.map_or_else(String::new, |x| format!("; first: {}", x.what));
        let mut evidence = vec![
            (
                "count".to_string(),
                format!("{} {noun} in {minutes} min", s.count),
            ),
            ("peak".to_string(), format!("{} in 5 min", s.peak)),
            ("baseline".to_string(), baseline.clone()),
        ];
        if let Some(r) = sample.and_then(|x| x.request_id.as_deref()) {
            evidence.push(("first requestId".to_string(), r.to_string()));
        }
        Detection {
            rule: Arc::clone(rule),
            time_ms: Some(sample.map_or(start, |x| x.time_ms)),
            function: function.map(str::to_string),
            principal: None,
            message: format!(
                "{label} {verb} {} {noun} in {minutes} min from {}, {baseline}{what}",
                s.count,
                format_time_ms(start)
            ),
            evidence,
            origin: sample.map(|x| x.origin.clone()),
            event: sample.map(|x| x.event.clone()),
            key: format!("{label}/{}", format_time_ms(start)),
        }
    }
}

#[derive(Clone, Copy)]
enum SpikeKind {
    Errors,
    Throttles,
}

/// `2`, `2.5`.
fn number(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.1}")
    }
}

/// The earliest sample among the minutes `from..=to`.
fn first_sample(
    subject: &Subject,
    from: i64,
    to: i64,
    pick: impl Fn(&Samples) -> Option<&Sample>,
) -> Option<&Sample> {
    subject
        .minutes
        .range(from..=to)
        .filter_map(|(_, m)| m.samples.as_deref().and_then(&pick))
        .min_by(|a, b| (a.time_ms, &a.origin).cmp(&(b.time_ms, &b.origin)))
}

/// `apiId/stage` when the access log says, else what it says, else `unknown`.
fn api_name(e: &AccessLogEntry) -> String {
    match (e.api_id.as_deref(), e.stage.as_deref()) {
        (Some(a), Some(s)) => format!("{a}/{s}"),
        (Some(a), None) => a.to_string(),
        (None, Some(s)) => format!("stage {s}"),
        (None, None) => "unknown".to_string(),
    }
}

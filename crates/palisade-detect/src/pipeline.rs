//! `palisade detect`'s run: walk the inputs, read every log file in parallel (one file per
//! worker), match each record against the Sigma rules and the built-in detections, and merge
//! each file's state in file order. Memory stays bounded by a few files in flight and by the
//! detections' keyed state, never by the input's size.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use palisade_logs::{FileReport, LogKind, Malformed};
use rayon::prelude::*;

use crate::baseline::{Observations, ObserveSettings};
use crate::cloudtrail::{CloudTrailDetections, CloudTrailState};
use crate::detection::{Detection, Level, Origin, RuleRef, RuleSource};
use crate::event::CloudTrailEvent;
use crate::functions::{FunctionLogDetections, FunctionLogState, LogMessage};
use crate::sigma::{CorrelationHit, Match, RuleSet};

/// Everything a run matches with, built once.
pub struct Detector {
    pub rules: RuleSet,
    pub cloudtrail: CloudTrailDetections,
    pub functions: FunctionLogDetections,
    /// Collect per-principal observations (for `--learn` and for comparing with a baseline).
    pub observe: Option<Arc<ObserveSettings>>,
}

/// A file given or found, and what it was taken for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileCount {
    pub path: String,
    pub kind: Option<LogKind>,
    pub records: u64,
    pub malformed: u64,
}

/// What a run read and found.
#[derive(Debug, Default)]
pub struct Outcome {
    pub files: u64,
    /// Files that are no log Palisade reads, named.
    pub skipped: Vec<(String, String)>,
    /// Records read, records analysed (valid events of a known kind), records malformed.
    pub read: u64,
    pub analysed: u64,
    pub malformed: u64,
    /// The first malformed records, by file.
    pub named: Vec<(String, Malformed)>,
    pub cloudtrail_events: u64,
    pub function_messages: u64,
    pub access_log_entries: u64,
    pub observations: Observations,
    /// Detections that can only be decided over all events (bursts, spikes), found at the end.
    pub detections_at_end: usize,
    /// Events a Sigma correlation could not use: older than its longest window behind the
    /// newest event seen, or without a time.
    pub correlation_late: u64,
    pub correlation_untimed: u64,
}

/// Malformed records named per run; beyond this only counted.
const MAX_NAMED: usize = 50;

/// What one file gave.
struct FileOutcome {
    report: FileReport,
    kind: Option<LogKind>,
    analysed: u64,
    /// Records read whole but rejected (not a CloudTrail event): in `report.records` and in
    /// `report.malformed` both.
    rejected: u64,
    detections: Vec<Detection>,
    /// How many times each detection occurred in the file (Sigma matches repeat).
    occurrences: Vec<u64>,
    cloudtrail: CloudTrailState,
    functions: FunctionLogState,
    observations: Observations,
    /// Events that feed a Sigma correlation, with their matches, in file order.
    correlate: Vec<(String, Origin, Vec<Match>)>,
    /// The latest event time in the file.
    newest_ms: Option<i64>,
}

/// A file to read and the name to show for it.
pub type InputFile = (PathBuf, String);

/// Every file under the inputs, in a stable order (sorted paths), with the name to show; and
/// the inputs that could not be walked, with why.
pub fn collect_files(inputs: &[PathBuf]) -> (Vec<InputFile>, Vec<(String, String)>) {
    let (files, problems, _) = collect_files_and_links(inputs);
    (files, problems)
}

/// [`collect_files`], and the symbolic links found in folders (not followed).
pub fn collect_files_and_links(
    inputs: &[PathBuf],
) -> (Vec<InputFile>, Vec<(String, String)>, Vec<String>) {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    let mut links = Vec::new();
    for input in inputs {
        if input.is_file() {
            files.push((input.clone(), input.to_string_lossy().replace('\\', "/")));
            continue;
        }
        if !input.is_dir() {
            let why = if input.exists() {
                "not a regular file or folder (a pipe or a device is not read)"
            } else {
                "no such file or folder"
            };
            problems.push((input.to_string_lossy().into_owned(), why.to_string()));
            continue;
        }
        let mut found: Vec<PathBuf> = walkdir::WalkDir::new(input)
            .follow_links(false)
            .into_iter()
            .filter_map(|e| match e {
                Ok(e) => Some(e),
                Err(err) => {
                    problems.push((
                        err.path()
                            .map_or_else(String::new, |p| p.to_string_lossy().into_owned()),
                        err.to_string(),
                    ));
                    None
                }
            })
            .filter(|e| {
                // Links are not followed (a link can leave the folder or loop): named.
                if e.path_is_symlink() {
                    links.push(e.path().to_string_lossy().into_owned());
                    return false;
                }
                e.file_type().is_file()
            })
            .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
            .map(walkdir::DirEntry::into_path)
            .collect();
        // CloudTrail's S3 keys sort by region first; its file names carry the delivery time
        // (`…_CloudTrail_eu-west-1_20240501T0005Z_…`): reading in that time across regions
        // keeps correlations and the state of sessions in event order.
        found.sort_by(|a, b| (delivery_time(a), a).cmp(&(delivery_time(b), b)));
        for path in found {
            let shown = path.to_string_lossy().replace('\\', "/");
            files.push((path, shown));
        }
    }
    (files, problems, links)
}

/// The delivery time in a CloudTrail file name (`20240501T0005Z`), if it has one.
fn delivery_time(path: &Path) -> Option<String> {
    let name = path.file_name()?.to_str()?;
    name.split('_')
        .find(|part| {
            let b = part.as_bytes();
            b.len() == 14
                && b[8] == b'T'
                && b[13] == b'Z'
                && b[..8].iter().all(u8::is_ascii_digit)
                && b[9..13].iter().all(u8::is_ascii_digit)
        })
        .map(str::to_string)
}

/// CloudTrail's digest files prove the integrity of the log files; they hold no events.
fn is_digest(path: &Path) -> bool {
    path.to_string_lossy().contains("CloudTrail-Digest")
}

impl Detector {
    /// Read every file and call `emit` with each detection and how many times it occurred
    /// (repeats of a Sigma match within a file are counted, not built), in file order, as soon as its file
    /// (and the files before it) are done; detections over the whole run come last.
    pub fn run(
        &self,
        files: &[(PathBuf, String)],
        emit: &mut dyn FnMut(Detection, u64),
    ) -> Outcome {
        let mut outcome = Outcome {
            observations: self.observations(),
            ..Outcome::default()
        };
        let mut cloudtrail = CloudTrailState::default();
        let mut functions = FunctionLogState::default();
        let mut correlator = self.rules.correlator();
        let mut newest: Option<i64> = None;
        // A few files per worker in flight: enough to keep both cores busy, few enough to keep
        // memory flat.
        let chunk = rayon::current_num_threads().max(1) * 4;
        for group in files.chunks(chunk) {
            let results: Vec<Option<FileOutcome>> = group
                .par_iter()
                .map(|(path, shown)| self.file(path, shown))
                .collect();
            for ((_, shown), result) in group.iter().zip(results) {
                outcome.files += 1;
                let Some(r) = result else {
                    outcome
                        .skipped
                        .push((shown.clone(), skip_reason(shown).to_string()));
                    continue;
                };
                outcome.read += (r.report.records + r.report.malformed) as u64 - r.rejected;
                outcome.malformed += r.report.malformed as u64;
                outcome.analysed += r.analysed;
                match r.kind {
                    Some(LogKind::CloudTrail) => outcome.cloudtrail_events += r.analysed,
                    Some(LogKind::FunctionLogs) => outcome.function_messages += r.analysed,
                    Some(LogKind::AccessLogs) => outcome.access_log_entries += r.analysed,
                    None => {}
                }
                for m in r.report.named {
                    if outcome.named.len() < MAX_NAMED {
                        outcome.named.push((shown.clone(), m));
                    }
                }
                cloudtrail.merge(r.cloudtrail);
                newest = newest.max(r.newest_ms);
                functions.merge(r.functions);
                outcome.observations.merge(r.observations);
                for (d, n) in r.detections.into_iter().zip(r.occurrences) {
                    emit(d, n);
                }
                for (raw, origin, matches) in r.correlate {
                    if let Ok(hits) = correlator.feed_json(&raw, &matches) {
                        for hit in hits {
                            emit(correlation_detection(hit, &raw, &origin), 1);
                        }
                    }
                }
            }
            // What lies far behind the newest event is decided now and forgotten: memory
            // follows the last hours of the input, not its length.
            if let Some(t) = newest {
                let mut decided = Vec::new();
                self.cloudtrail.evict(
                    &mut cloudtrail,
                    t - crate::cloudtrail::EVICT_AFTER_MS,
                    &mut decided,
                );
                for d in decided {
                    emit(d, 1);
                }
            }
        }
        outcome.correlation_late = correlator.late();
        outcome.correlation_untimed = correlator.untimed();
        let mut at_end = Vec::new();
        self.cloudtrail.finish(cloudtrail, &mut at_end);
        self.functions.finish(functions, &mut at_end);
        outcome.detections_at_end = at_end.len();
        for d in at_end {
            emit(d, 1);
        }
        outcome
    }

    fn observations(&self) -> Observations {
        self.observe
            .as_ref()
            .map_or_else(Observations::default, |s| Observations::new(s.clone()))
    }

    fn file(&self, path: &Path, shown: &str) -> Option<FileOutcome> {
        if is_digest(path) {
            return None;
        }
        // A gzip file whose start cannot be read is no known kind, yet it is a log the user
        // gave: CloudTrail's reader names what is wrong with it.
        let kind =
            palisade_logs::sniff(path).or_else(|| is_gzip(path).then_some(LogKind::CloudTrail))?;
        let mut out = FileOutcome {
            report: FileReport::default(),
            kind: Some(kind),
            analysed: 0,
            rejected: 0,
            detections: Vec::new(),
            occurrences: Vec::new(),
            cloudtrail: CloudTrailState::default(),
            functions: FunctionLogState::default(),
            observations: self.observations(),
            correlate: Vec::new(),
            newest_ms: None,
        };
        match kind {
            LogKind::CloudTrail => self.cloudtrail_file(path, shown, &mut out),
            LogKind::FunctionLogs => self.function_file(path, shown, &mut out),
            LogKind::AccessLogs => self.access_file(path, shown, &mut out),
        }
        Some(out)
    }

    fn cloudtrail_file(&self, path: &Path, shown: &str, out: &mut FileOutcome) {
        let mut bad: Vec<Malformed> = Vec::new();
        let mut analysed = 0u64;
        // A Sigma match repeated in the file (same rule, principal, API, function) is counted
        // against its first detection instead of being built again.
        let mut first: HashMap<(String, String), usize> = HashMap::new();
        let report = palisade_logs::read_cloudtrail(path, &mut |record| {
            let raw = record.json.get();
            let at = record.at();
            let event = match CloudTrailEvent::parse(raw) {
                Ok(e) if e.event_name.is_some() && e.event_source.is_some() => e,
                Ok(_) => {
                    bad.push(Malformed {
                        at,
                        message: "not a CloudTrail event: no eventSource or eventName".into(),
                    });
                    return;
                }
                Err(e) => {
                    bad.push(Malformed {
                        at,
                        message: format!("not a CloudTrail event: {e}"),
                    });
                    return;
                }
            };
            analysed += 1;
            out.newest_ms = out.newest_ms.max(event.time_ms());
            let origin = Origin {
                file: shown.to_string(),
                at,
            };
            match self.rules.matches_json(raw) {
                Ok(matches) => {
                    if matches.iter().any(|m| m.standalone) {
                        let key = sigma_key(&event);
                        for m in matches.iter().filter(|m| m.standalone) {
                            let rule = m.rule.id.clone().unwrap_or_else(|| m.rule.title.clone());
                            match first.get(&(rule.clone(), key.clone())) {
                                Some(&i) => {
                                    if let Some(n) = out.occurrences.get_mut(i) {
                                        *n += 1;
                                    }
                                }
                                None => {
                                    first.insert((rule, key.clone()), out.detections.len());
                                    out.detections.push(sigma_detection(
                                        m,
                                        &event,
                                        raw,
                                        &origin,
                                        key.clone(),
                                    ));
                                    out.occurrences.push(1);
                                }
                            }
                        }
                    }
                    if RuleSet::feeds_correlation(&matches) {
                        out.correlate
                            .push((raw.to_string(), origin.clone(), matches));
                    }
                }
                Err(e) => bad.push(Malformed {
                    at: origin.at.clone(),
                    message: format!("not JSON: {e}"),
                }),
            }
            self.cloudtrail.event(
                &event,
                raw,
                &origin,
                &mut out.cloudtrail,
                &mut out.detections,
            );
            out.occurrences.resize(out.detections.len(), 1);
            if self.observe.is_some() {
                out.observations.observe(&event, raw, &origin);
            }
        });
        out.report = report;
        out.analysed = analysed;
        out.rejected = bad.len() as u64;
        for m in bad {
            push_malformed(&mut out.report, m);
        }
    }

    fn function_file(&self, path: &Path, shown: &str, out: &mut FileOutcome) {
        let fallback = function_fallback(path);
        let mut analysed = 0u64;
        let report = palisade_logs::read_function_logs(path, &fallback, &mut |entry| {
            analysed += 1;
            let origin = Origin {
                file: shown.to_string(),
                at: entry.at.to_string(),
            };
            let message = LogMessage {
                function: entry.function,
                time_ms: entry.time_ms,
                message: entry.message,
            };
            self.functions
                .message(&message, &origin, &mut out.functions, &mut out.detections);
            out.occurrences.resize(out.detections.len(), 1);
        });
        out.report = report;
        out.analysed = analysed;
    }

    fn access_file(&self, path: &Path, shown: &str, out: &mut FileOutcome) {
        let mut analysed = 0u64;
        let report = palisade_logs::read_access_logs(path, &mut |entry| {
            analysed += 1;
            let origin = Origin {
                file: shown.to_string(),
                at: entry.at.clone(),
            };
            self.functions
                .access_log(&entry, &origin, &mut out.functions, &mut out.detections);
            out.occurrences.resize(out.detections.len(), 1);
        });
        out.report = report;
        out.analysed = analysed;
    }
}

fn is_gzip(path: &Path) -> bool {
    use std::io::Read;
    let mut magic = [0u8; 2];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut magic))
        .is_ok()
        && magic == [0x1f, 0x8b]
}

fn push_malformed(report: &mut FileReport, m: Malformed) {
    report.malformed += 1;
    if report.named.len() < 20 {
        report.named.push(m);
    }
}

fn skip_reason(shown: &str) -> &'static str {
    if shown.contains("CloudTrail-Digest") {
        "a CloudTrail digest file (integrity proofs, no events)"
    } else {
        "not a log Palisade reads (CloudTrail, Lambda function logs, API Gateway access logs)"
    }
}

/// The function a text export belongs to when its lines do not say: the file's folder.
fn function_fallback(path: &Path) -> String {
    path.parent().and_then(Path::file_name).map_or_else(
        || "unknown".to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// A Sigma match as a detection: the rule's code (`PAL5xx` for Palisade's Sigma-shipped rules),
/// the event's principal and the function it names.
/// What makes two matches of one Sigma rule the same occurrence: the principal, the API and
/// the function. Repeats are counted, not kept, so that memory follows what was found, not how
/// often (years of logs match broad rules often).
fn sigma_key(event: &CloudTrailEvent<'_>) -> String {
    let principal = event.principal();
    let (service, name) = event.api().unwrap_or(("-", "-"));
    let function = function_of_request(event).or_else(|| lambda_session(event));
    format!(
        "{}|{service}:{name}|{}",
        principal.as_deref().unwrap_or("-"),
        function.as_deref().unwrap_or("-")
    )
}

fn sigma_detection(
    m: &Match,
    event: &CloudTrailEvent<'_>,
    raw: &str,
    origin: &Origin,
    key: String,
) -> Detection {
    let rule = Arc::new(RuleRef {
        code: m
            .rule
            .code
            .clone()
            .or_else(|| m.rule.id.clone())
            .unwrap_or_else(|| m.rule.title.clone()),
        title: m.rule.title.clone(),
        level: m
            .rule
            .level
            .as_deref()
            .and_then(Level::parse)
            .unwrap_or(Level::Medium),
        author: m.rule.author.clone(),
        sigma_id: m.rule.id.clone(),
        source: RuleSource::Sigma {
            file: m.rule.file.clone(),
        },
    });
    let principal = event.principal().map(|p| p.into_owned());
    let api = event
        .api()
        .map(|(s, n)| format!("{s}:{n}"))
        .unwrap_or_default();
    let function = function_of_request(event).or_else(|| lambda_session(event));
    let mut evidence = vec![("eventName".to_string(), api.clone())];
    if let Some(ip) = event.source_ip_address.as_deref() {
        evidence.push(("sourceIPAddress".into(), ip.to_string()));
    }
    if let Some(region) = event.aws_region.as_deref() {
        evidence.push(("awsRegion".into(), region.to_string()));
    }
    if let Some(code) = event.error_code.as_deref() {
        evidence.push(("errorCode".into(), code.to_string()));
    }
    // The author is part of the message so that every view shows it (DRL 1.1).
    let message = format!(
        "{}: {api} by {} (Sigma rule by {})",
        m.rule.title,
        principal.as_deref().unwrap_or("an unknown principal"),
        m.rule.author.as_deref().unwrap_or("an unknown author")
    );
    Detection {
        rule,
        time_ms: event.time_ms(),
        function,
        principal,
        message,
        evidence,
        origin: Some(origin.clone()),
        event: Some(raw.to_string()),
        key,
    }
}

/// A Sigma correlation's hit as a detection: the group, the count and the window, with the
/// event that completed it.
fn correlation_detection(hit: CorrelationHit, raw: &str, origin: &Origin) -> Detection {
    let rule = Arc::new(RuleRef {
        code: hit
            .rule
            .code
            .clone()
            .or_else(|| hit.rule.id.clone())
            .unwrap_or_else(|| hit.rule.title.clone()),
        title: hit.rule.title.clone(),
        level: hit
            .rule
            .level
            .as_deref()
            .and_then(Level::parse)
            .unwrap_or(Level::Medium),
        author: hit.rule.author.clone(),
        sigma_id: hit.rule.id.clone(),
        source: RuleSource::Sigma {
            file: hit.rule.file.clone(),
        },
    });
    let group = hit
        .group
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut evidence = vec![
        ("correlation".to_string(), hit.kind.to_string()),
        ("count".to_string(), format!("{}", hit.count)),
        ("window".to_string(), format!("{} s", hit.window_secs)),
    ];
    if !group.is_empty() {
        evidence.push(("group".into(), group.clone()));
    }
    let ids: Vec<&str> = hit
        .events
        .iter()
        .filter_map(|(_, id)| id.as_deref())
        .take(10)
        .collect();
    if !ids.is_empty() {
        evidence.push(("eventIDs".into(), ids.join(", ")));
    }
    let principal = CloudTrailEvent::parse(raw)
        .ok()
        .and_then(|e| e.principal().map(|p| p.into_owned()));
    let window_start = hit.time_ms - hit.time_ms.rem_euclid(hit.window_secs.max(1) as i64 * 1000);
    Detection {
        rule,
        time_ms: Some(hit.time_ms),
        function: None,
        principal,
        message: format!(
            "{}: {} {} in {} s{} (Sigma rule by {})",
            hit.rule.title,
            hit.count,
            if hit.kind == "event_count" {
                "events"
            } else {
                "matches"
            },
            hit.window_secs,
            if group.is_empty() {
                String::new()
            } else {
                format!(" for {group}")
            },
            hit.rule.author.as_deref().unwrap_or("an unknown author")
        ),
        evidence,
        origin: Some(origin.clone()),
        event: Some(raw.to_string()),
        key: format!("{group}@{window_start}"),
    }
}

/// The function a Lambda API call names (`functionName` may be a name, an ARN or a partial ARN).
pub fn function_of_request(event: &CloudTrailEvent<'_>) -> Option<String> {
    if event.event_source.as_deref() != Some("lambda.amazonaws.com") {
        return None;
    }
    let request = event.request()?;
    let name = request
        .get("functionName")
        .or_else(|| request.get("FunctionName"))?
        .as_str()?;
    Some(function_name_of(name).to_string())
}

/// `arn:aws:lambda:eu-west-1:1:function:orders:live` → `orders`; a name stays itself.
pub fn function_name_of(text: &str) -> &str {
    match text.split_once(":function:") {
        Some((_, rest)) => rest.split(':').next().unwrap_or(rest),
        None => text.split(':').next().unwrap_or(text),
    }
}

/// The function whose execution role made a call: Lambda names the session after it.
fn lambda_session(event: &CloudTrailEvent<'_>) -> Option<String> {
    let agent = event.user_agent.as_deref()?;
    if !agent.contains("exec-env/AWS_Lambda") {
        return None;
    }
    event.session_name().map(str::to_string)
}

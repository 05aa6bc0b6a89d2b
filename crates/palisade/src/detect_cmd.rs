//! `palisade detect LOGS…`: Sigma rules and Palisade's serverless detections over CloudTrail,
//! function logs and API Gateway access logs; `--learn` builds the baselines later runs
//! compare with. Detections become findings, reported with every reporter of `scan`.

use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context as _, Result, bail};
use palisade_detect::baseline::{BaselineStore, ObserveSettings};
use palisade_detect::cloudtrail::CloudTrailDetections;
use palisade_detect::functions::FunctionLogDetections;
use palisade_detect::{
    DetectConfig, Detection, Detector, KnownFunction, Level, RuleSet, RuleSource,
};
use palisade_model::{
    Area, Confidence, Diagnostic, Finding, FindingEvent, Location, Position, Related, RuleMeta,
    Sas, Severity, fingerprint,
};
use palisade_report::{Context, Report, ScanSummary};

use crate::apps::{Apps, deployed_name};
use crate::args::{DetectArgs, Format};
use crate::config;
use crate::scan_cmd::{threshold, use_color};

/// Where the baselines live: `--baseline-store`, `$PALISADE_BASELINE`, else the user's data
/// folder.
fn baseline_path(given: Option<&PathBuf>) -> Option<PathBuf> {
    if let Some(p) = given {
        return Some(p.clone());
    }
    if let Some(p) = std::env::var_os("PALISADE_BASELINE").filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(p));
    }
    let data = std::env::var_os("XDG_DATA_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|v| !v.is_empty())
                .map(|h| PathBuf::from(h).join(".local/share"))
        })?;
    Some(data.join("palisade").join("baseline.redb"))
}

/// Rule metadata for every rule a run may report: Palisade's, and one made for each Sigma rule
/// loaded (kept for the process's life: one per rule, not per match).
struct Metas {
    by_code: HashMap<String, &'static RuleMeta>,
}

fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

impl Metas {
    fn new() -> Metas {
        let by_code = crate::rules_cmd::all_rules()
            .into_iter()
            .map(|m| (m.code.to_string(), m))
            .collect();
        Metas { by_code }
    }

    fn get(&mut self, d: &Detection) -> &'static RuleMeta {
        if let Some(m) = self.by_code.get(&d.rule.code) {
            return m;
        }
        let file = match &d.rule.source {
            RuleSource::Sigma { file } => file.clone(),
            RuleSource::Builtin => String::new(),
        };
        let name = file
            .rsplit('/')
            .next()
            .and_then(|f| f.strip_suffix(".yml").or_else(|| f.strip_suffix(".yaml")))
            .unwrap_or(&d.rule.code)
            .replace('_', "-");
        let author = d.rule.author.as_deref().unwrap_or("unknown");
        let meta: &'static RuleMeta = Box::leak(Box::new(RuleMeta {
            code: leak(d.rule.code.clone()),
            name: leak(name),
            title: leak(d.rule.title.clone()),
            severity: severity(d.rule.level),
            confidence: Confidence::Medium,
            sas: Sas::S10,
            area: Area::Monitoring,
            fix: "Investigate the event: who made the call, from where, and whether it was expected; revoke the credentials if not.",
            docs: leak(format!(
                " ## What it does\n\n Sigma rule `{}` ({file}), by {author}.\n",
                d.rule.title
            )),
        }));
        self.by_code.insert(d.rule.code.clone(), meta);
        meta
    }
}

fn severity(level: Level) -> Severity {
    match level {
        Level::Informational => Severity::Info,
        Level::Low => Severity::Low,
        Level::Medium => Severity::Medium,
        Level::High => Severity::High,
        Level::Critical => Severity::Critical,
    }
}

/// `line 4` → line 4; positions inside a `Records` array have no line.
fn line_of(at: &str) -> u32 {
    at.strip_prefix("line ")
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

fn log_location(file: &str, at: &str) -> Location {
    let line = line_of(at);
    Location {
        path: file.to_string(),
        start: Position { line, column: 1 },
        end: Position { line, column: 1 },
    }
}

/// A detection as a finding: at the function's declaration when `--app` names it, else at the
/// log record.
fn to_finding(d: Detection, meta: &'static RuleMeta, apps: &Apps, logs_label: &str) -> Finding {
    let found = d.function.as_deref().and_then(|name| apps.find(name));
    let origin = d.origin.clone().unwrap_or_else(|| palisade_detect::Origin {
        file: logs_label.to_string(),
        at: String::new(),
    });
    let log_loc = log_location(&origin.file, &origin.at);
    let (app, resource, resource_type, function, location, related) = match found {
        Some((app, f)) => {
            let loc = apps.location(f.span).unwrap_or_else(|| log_loc.clone());
            (
                app.path.clone(),
                Some(f.id.clone()),
                Some(f.resource_type.clone()),
                Some(f.id.clone()),
                loc,
                vec![Related {
                    message: format!("the event ({} {})", origin.file, origin.at),
                    location: log_loc,
                    span: None,
                }],
            )
        }
        None => (origin.file.clone(), None, None, None, log_loc, Vec::new()),
    };
    let logical = format!("Detection:{}", d.key);
    // Identity does not depend on where the logs were read from or in which order they were
    // given: the template's path when the finding is placed there, else the runtime.
    let identity_app = if found.is_some() {
        app.as_str()
    } else {
        "runtime"
    };
    let fp = fingerprint(meta.code, identity_app, &logical);
    let region = d
        .event
        .as_deref()
        .and_then(|raw| palisade_detect::CloudTrailEvent::parse(raw).ok())
        .and_then(|e| e.aws_region.map(|r| r.into_owned()));
    let (sigma_id, rule_file) = match &d.rule.source {
        RuleSource::Sigma { file } => (d.rule.sigma_id.clone(), Some(file.clone())),
        RuleSource::Builtin => (None, None),
    };
    let level_severity = severity(d.rule.level);
    Finding {
        code: meta.code,
        name: meta.name,
        title: meta.title,
        severity: if matches!(d.rule.source, RuleSource::Builtin) {
            level_severity.max(meta.severity)
        } else {
            level_severity
        },
        confidence: meta.confidence,
        sas: meta.sas,
        area: meta.area,
        app,
        resource,
        resource_type,
        function,
        construct_path: None,
        location,
        span: None,
        message: d.message,
        fix: std::borrow::Cow::Borrowed(meta.fix),
        logical_path: logical,
        fingerprint: fp,
        related,
        package: None,
        event: Some(Box::new(FindingEvent {
            time: d.time_ms.map(palisade_detect::event::format_time_ms),
            log_file: origin.file,
            log_at: origin.at,
            principal: d.principal,
            function_name: d.function,
            sigma_id,
            rule_file,
            author: d.rule.author.clone(),
            evidence: d.evidence,
            raw: d.event,
            region,
        })),
    }
}

/// The rules a run matches with: the bundled ones unless `--no-bundled-rules`, then each
/// `--rules DIR`; every problem named with its file.
fn load_rules(a: &DetectArgs, diagnostics: &mut Vec<Diagnostic>) -> Result<RuleSet> {
    let mut set = RuleSet::new();
    for (name, values) in &a.placeholders {
        set.set_placeholder(
            name,
            values
                .split(',')
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_string)
                .collect(),
        );
    }
    if !a.no_bundled_rules {
        set.add_bundled();
    }
    for dir in &a.rules {
        if !dir.is_dir() {
            bail!("--rules {}: not a folder", dir.display());
        }
        set.extend_dir(dir);
    }
    for p in &set.problems {
        diagnostics.push(Diagnostic::warning(
            p.file.clone(),
            None,
            format!("Sigma rule not loaded: {}", p.message),
        ));
    }
    Ok(set)
}

/// `2024-05-01` or an ISO 8601 time → milliseconds since the epoch.
fn parse_when(flag: &str, text: &str) -> Result<i64> {
    let full = if text.len() == 10 {
        format!("{text}T00:00:00Z")
    } else {
        text.to_string()
    };
    palisade_detect::event::parse_time_ms(&full)
        .with_context(|| format!("{flag} {text}: expected YYYY-MM-DD or an ISO 8601 time"))
}

pub fn run(a: &DetectArgs) -> Result<u8> {
    if a.baseline_info {
        let Some(path) = baseline_path(a.baseline_store.as_ref()) else {
            bail!("no place for the baseline; pass --baseline-store FILE");
        };
        let store = BaselineStore::open_existing(&path).map_err(|e| anyhow::anyhow!("{e}"))?;
        let info = store.info().map_err(|e| anyhow::anyhow!("{e}"))?;
        let _ = writeln!(std::io::stdout().lock(), "{}\n{info}", path.display());
        return Ok(0);
    }
    let learn_window = (
        a.learn_from
            .as_deref()
            .map(|t| parse_when("--learn-from", t))
            .transpose()?,
        a.learn_until
            .as_deref()
            .map(|t| parse_when("--learn-until", t))
            .transpose()?,
    );
    for p in &a.logs {
        if !p.exists() {
            bail!("{}: no such file or folder", p.display());
        }
    }
    let started = std::time::Instant::now();
    if let Some(n) = a.threads {
        // Only the first pool wins; a second `detect` in the same process keeps the first.
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build_global();
    }
    let cfg_path = config::locate(a.config.as_deref(), std::path::Path::new("."));
    let cfg = match &cfg_path {
        Some(p) => config::load(p, &p.display().to_string())?.config,
        None => config::Config::default(),
    };
    let apps = match &a.app {
        Some(p) => Apps::load(p).with_context(|| format!("--app {}", p.display()))?,
        None => Apps::none(),
    };
    let known: Vec<KnownFunction> = apps
        .apps
        .iter()
        .flat_map(|app| app.functions.iter())
        .map(|f| KnownFunction {
            name: deployed_name(f).unwrap_or(&f.id).to_string(),
            logical_id: f.id.clone(),
            role_name: None,
            region: None,
        })
        .collect();
    let detect_config = Arc::new(DetectConfig {
        deployers: cfg.detect.deployers.clone(),
        accounts: cfg.accounts.clone(),
        functions: known,
    });
    let mut diagnostics = Vec::new();
    let rules = load_rules(a, &mut diagnostics)?;
    let rules_loaded = rules.len();

    let store_path = baseline_path(a.baseline_store.as_ref());
    let compare_with = if a.learn || a.no_baseline {
        None
    } else {
        match &store_path {
            Some(p) if p.exists() && !p.is_file() => {
                bail!("baseline {}: not a file", p.display())
            }
            Some(p) if p.is_file() => Some(
                BaselineStore::open_existing(p)
                    .map_err(|e| anyhow::anyhow!("baseline {}: {e}", p.display()))?,
            ),
            _ => None,
        }
    };
    let detector = Detector {
        rules,
        cloudtrail: CloudTrailDetections::new(detect_config.clone()),
        functions: FunctionLogDetections::new(detect_config.clone()),
        observe: (a.learn || compare_with.is_some()).then(|| {
            Arc::new(
                ObserveSettings::from_config(&detect_config).window(learn_window.0, learn_window.1),
            )
        }),
    };
    for note in detector.cloudtrail.notes() {
        diagnostics.push(Diagnostic::note("palisade.toml", None, note));
    }
    if !a.learn && compare_with.is_none() && !a.no_baseline {
        diagnostics.push(Diagnostic::note(
            store_path
                .as_ref()
                .map_or_else(|| "baseline".to_string(), |p| p.display().to_string()),
            None,
            "no baseline: the baseline detections (PAL530–PAL535) did not run; build one with `palisade detect --learn LOGS…` over a training window",
        ));
    }

    let (files, problems, links) = palisade_detect::collect_files_and_links(&a.logs);
    for (path, message) in problems {
        diagnostics.push(Diagnostic::error(path, None, message));
    }
    for path in links {
        diagnostics.push(Diagnostic::note(
            path,
            None,
            "skipped: a symbolic link, not followed (give its target instead)",
        ));
    }
    let logs_label = a
        .logs
        .first()
        .map_or_else(String::new, |p| p.display().to_string());

    let mut metas = Metas::new();
    let selected = |code: &str| {
        (a.select.is_empty() || a.select.iter().any(|s| s.eq_ignore_ascii_case(code)))
            && !a.disable.iter().any(|s| s.eq_ignore_ascii_case(code))
    };
    // One finding per rule and key, in the order first seen; repeats are counted.
    let mut findings: Vec<Finding> = Vec::new();
    let mut seen: HashMap<(String, String), usize> = HashMap::new();
    let mut repeats: Vec<u64> = Vec::new();
    let mut stream = match (a.format, &a.output) {
        (Format::Jsonl, Some(path)) => Some(Box::new(std::io::BufWriter::new(
            std::fs::File::create(path)
                .with_context(|| format!("cannot write {}", path.display()))?,
        )) as Box<dyn Write>),
        (Format::Jsonl, None) => {
            Some(Box::new(std::io::BufWriter::new(std::io::stdout())) as Box<dyn Write>)
        }
        _ => None,
    };
    let mut stream_failed = false;
    let outcome = detector.run(&files, &mut |d, occurrences| {
        if a.learn || !selected(&d.rule.code) {
            return;
        }
        let key = (d.rule.code.clone(), d.key.clone());
        if let Some(&i) = seen.get(&key) {
            if let Some(r) = repeats.get_mut(i) {
                *r += occurrences;
            }
            return;
        }
        let meta = metas.get(&d);
        let finding = to_finding(d, meta, &apps, &logs_label);
        if let Some(w) = stream.as_mut()
            && !stream_failed
            && palisade_report::write_jsonl_finding(w.as_mut(), &finding).is_err()
        {
            stream_failed = true;
        }
        seen.insert(key, repeats.len());
        repeats.push(occurrences - 1);
        if stream.is_none() {
            findings.push(finding);
        }
    });

    let mut baseline_detections = Vec::new();
    let mut learn_line = None;
    if a.learn {
        let Some(path) = &store_path else {
            bail!(
                "no place for the baseline (neither PALISADE_BASELINE, XDG_DATA_HOME nor HOME is set); pass --baseline-store FILE"
            );
        };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
        }
        let mut store = BaselineStore::open(path)
            .map_err(|e| anyhow::anyhow!("baseline {}: {e}", path.display()))?;
        let summary = store
            .learn(&outcome.observations)
            .map_err(|e| anyhow::anyhow!("baseline {}: {e}", path.display()))?;
        learn_line = Some(format!(
            "learnt {} events of {} principals into {}",
            summary.events,
            summary.principals,
            path.display()
        ));
        for note in &summary.notes {
            diagnostics.push(Diagnostic::note(
                path.display().to_string(),
                None,
                note.clone(),
            ));
        }
    } else if let Some(store) = &compare_with {
        let summary = store
            .compare(&outcome.observations, &mut baseline_detections)
            .map_err(|e| anyhow::anyhow!("baseline: {e}"))?;
        for note in &summary.notes {
            diagnostics.push(Diagnostic::note(
                store.path().display().to_string(),
                None,
                note.clone(),
            ));
        }
    }
    for d in baseline_detections {
        if !selected(&d.rule.code) {
            continue;
        }
        let meta = metas.get(&d);
        seen.insert((d.rule.code.clone(), d.key.clone()), findings.len());
        let finding = to_finding(d, meta, &apps, &logs_label);
        if let Some(w) = stream.as_mut()
            && !stream_failed
            && palisade_report::write_jsonl_finding(w.as_mut(), &finding).is_err()
        {
            stream_failed = true;
        }
        if stream.is_none() {
            repeats.push(0);
            findings.push(finding);
        }
    }
    let found = if stream.is_some() {
        seen.len()
    } else {
        findings.len()
    };
    for (f, n) in findings.iter_mut().zip(&repeats) {
        if *n > 0 {
            f.message = format!("{} ({} more times)", f.message, n);
        }
    }

    for (file, m) in &outcome.named {
        diagnostics.push(Diagnostic::warning(
            file.clone(),
            None,
            format!("{}: {}", m.at, m.message),
        ));
    }
    if outcome.malformed > outcome.named.len() as u64 {
        diagnostics.push(Diagnostic::warning(
            logs_label.clone(),
            None,
            format!(
                "{} more malformed records not named",
                outcome.malformed - outcome.named.len() as u64
            ),
        ));
    }
    for (file, reason) in &outcome.skipped {
        diagnostics.push(Diagnostic::note(
            file.clone(),
            None,
            format!("skipped: {reason}"),
        ));
    }
    diagnostics.sort();

    let counts = format!(
        "{} files, {} records read, {} analysed ({} CloudTrail events, {} function log messages, {} access log entries), {} malformed, {} Sigma rules and the built-in detections, {} findings ({:.1} s)",
        outcome.files,
        outcome.read,
        outcome.analysed,
        outcome.cloudtrail_events,
        outcome.function_messages,
        outcome.access_log_entries,
        outcome.malformed,
        rules_loaded,
        found,
        started.elapsed().as_secs_f64()
    );

    if let Some(mut w) = stream.take() {
        let _ = w.flush();
    } else {
        findings.sort_by(|x, y| x.sort_key().cmp(&y.sort_key()));
        let summary = ScanSummary {
            root: logs_label.clone(),
            files: outcome.files as usize,
            apps: apps.apps.len(),
            functions: apps.apps.iter().map(|x| x.functions.len()).sum(),
            rules_run: rules_loaded + crate::rules_cmd::runtime_rules().len(),
            duration_ms: started.elapsed().as_millis(),
        };
        let mut rule_list: Vec<&'static RuleMeta> = metas.by_code.values().copied().collect();
        rule_list.sort_by_key(|m| m.code);
        let report = Report {
            findings: &findings,
            suppressed: &[],
            diagnostics: &diagnostics,
            summary: &summary,
            footprints: &[],
        };
        let cx = Context {
            tool_version: env!("CARGO_PKG_VERSION"),
            sources: &apps.sources,
            rules: &rule_list,
            color: a.format == Format::Pretty && use_color(a.color, a.output.is_some()),
        };
        let now = palisade_deps::import::now_rfc3339();
        let account = a
            .aws_account
            .clone()
            .or_else(|| cfg.accounts.first().cloned())
            .unwrap_or_else(|| "000000000000".to_string());
        let region = a
            .aws_region
            .clone()
            .or_else(|| std::env::var("AWS_REGION").ok())
            .or_else(|| std::env::var("AWS_DEFAULT_REGION").ok())
            .unwrap_or_else(|| "us-east-1".to_string());
        let write = |w: &mut dyn Write| -> std::io::Result<()> {
            match a.format {
                Format::Json => palisade_report::write_json(&report, &cx, w),
                Format::Sarif => palisade_report::write_sarif(&report, &cx, w),
                Format::Junit => palisade_report::write_junit(&report, &cx, w),
                Format::Asff => palisade_report::write_asff(
                    w,
                    &findings,
                    &palisade_report::AsffContext {
                        account: &account,
                        region: &region,
                        now: &now,
                        tool_version: env!("CARGO_PKG_VERSION"),
                    },
                ),
                Format::Pretty | Format::Cyclonedx | Format::Jsonl => {
                    palisade_report::write_pretty(&report, &cx, w)?;
                    writeln!(w, "{counts}")
                }
            }
        };
        crate::scan_cmd::write_output(a.output.as_deref(), &write)?;
    }
    let mut err = std::io::stderr().lock();
    if a.format != Format::Pretty || a.output.is_some() {
        let _ = writeln!(err, "palisade detect: {counts}");
    }
    if let Some(line) = learn_line {
        let _ = writeln!(err, "palisade detect: {line}");
    }
    if a.format == Format::Jsonl {
        for d in diagnostics
            .iter()
            .filter(|d| d.level != palisade_model::DiagnosticLevel::Note)
        {
            let _ = writeln!(err, "{}: {}: {}", d.level.as_str(), d.path, d.message);
        }
    }

    let fail_on = match (a.fail_on, &cfg.fail_on) {
        (Some(f), _) => f,
        (None, Some(s)) => crate::scan_cmd::parse_fail_on(s)?,
        (None, None) => crate::args::FailOn::Low,
    };
    if outcome.malformed > 0
        || diagnostics
            .iter()
            .any(|d| d.level == palisade_model::DiagnosticLevel::Error)
    {
        return Ok(2);
    }
    let failing = threshold(fail_on).is_some_and(|t| findings.iter().any(|f| f.severity >= t));
    Ok(u8::from(failing))
}

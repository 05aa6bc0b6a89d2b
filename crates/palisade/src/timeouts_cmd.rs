//! `palisade timeouts LOGS…`: per function, what its real durations and memory were, and the
//! timeout and memory they call for; with `--app`, beside what the template configures.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Result, bail};
use palisade_engine::{DepsSettings, RuleSelection, ScanSettings, scan};
use palisade_logs::{FunctionStats, LambdaLogs, MAX_TIMEOUT_SECS};
use palisade_model::{Function, TriggerKind};

use crate::apps::find;
use crate::args::{ExplainFormat, TimeoutsArgs};

/// What a function's trigger lets it run for, in seconds: API Gateway gives up after 29 s
/// (REST) or 30 s (HTTP), so a longer timeout only runs on after the caller has gone.
fn trigger_limit(f: &Function) -> (u64, Option<&'static str>) {
    let mut limit = (MAX_TIMEOUT_SECS, None);
    for t in &f.triggers {
        let l = match t.kind {
            TriggerKind::RestApi => (29, Some("REST API")),
            TriggerKind::HttpApi => (30, Some("HTTP API")),
            _ => continue,
        };
        if l.0 < limit.0 {
            limit = l;
        }
    }
    limit
}

fn files(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut found: Vec<PathBuf> = walkdir::WalkDir::new(p)
                .follow_links(false)
                .into_iter()
                .filter_map(Result::ok)
                .filter(|e| e.file_type().is_file())
                .map(|e| e.into_path())
                .collect();
            found.sort();
            out.extend(found);
        } else {
            out.push(p.clone());
        }
    }
    out
}

/// The function a text export belongs to when its lines do not say: `--function`, else the
/// folder after `aws/lambda/` in its path, else its folder's name.
fn fallback_name(path: &Path, given: Option<&str>) -> String {
    if let Some(g) = given {
        return g.to_string();
    }
    let text = path.to_string_lossy().replace('\\', "/");
    if let Some(rest) = text.split("aws/lambda/").nth(1)
        && let Some(name) = rest.split('/').next()
        && !name.is_empty()
    {
        return name.to_string();
    }
    path.parent().and_then(|p| p.file_name()).map_or_else(
        || "unknown".to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

struct Row<'a> {
    name: &'a str,
    stats: &'a FunctionStats,
    configured_timeout: Option<u64>,
    configured_memory: Option<u64>,
    limit: (u64, Option<&'static str>),
    resource: Option<String>,
}

impl Row<'_> {
    fn recommended_timeout(&self) -> Option<u64> {
        self.stats.recommended_timeout(self.limit.0)
    }

    /// Why the configured timeout is far from what the durations call for, if it is.
    fn verdict(&self) -> Option<String> {
        let configured = self.configured_timeout?;
        let recommended = self.recommended_timeout()?;
        if self.stats.timed_out > 0 {
            return Some(format!(
                "{} invocations timed out at {configured} s",
                self.stats.timed_out
            ));
        }
        let p99 = self.stats.durations.quantile(0.99)? / 1000.0;
        if (configured as f64) < p99 {
            return Some(format!("shorter than the 99th percentile ({p99:.1} s)"));
        }
        if configured >= recommended.saturating_mul(4) && configured - recommended >= 10 {
            return Some(format!(
                "{configured} s where {recommended} s is enough: a stuck or abused invocation runs (and bills) {}× longer than it needs",
                configured / recommended.max(1)
            ));
        }
        None
    }
}

pub fn run(a: &TimeoutsArgs) -> Result<u8> {
    for p in &a.logs {
        if !p.exists() {
            bail!("{}: no such file or folder", p.display());
        }
    }
    let mut logs = LambdaLogs::default();
    for f in files(&a.logs) {
        let display = f.display().to_string();
        logs.read_file(&f, &display, &fallback_name(&f, a.function.as_deref()));
    }
    let apps = match &a.app {
        Some(path) => {
            let settings = ScanSettings {
                root: path.clone(),
                rules: RuleSelection {
                    only: Some(Vec::new()),
                    ..RuleSelection::default()
                },
                skip_code: true,
                deps: DepsSettings {
                    skip: true,
                    ..DepsSettings::default()
                },
                ..ScanSettings::default()
            };
            scan(&settings, &palisade_engine::NoProgress)?.apps
        }
        None => Vec::new(),
    };
    let rows: Vec<Row<'_>> = logs
        .functions
        .iter()
        .filter(|(_, s)| s.durations.count() > 0)
        .map(|(name, stats)| {
            let found = find(&apps, name);
            Row {
                name,
                stats,
                configured_timeout: found.and_then(|(_, f)| f.timeout_secs()),
                configured_memory: found.map(|(_, f)| {
                    f.memory
                        .as_ref()
                        .and_then(|m| m.get().copied())
                        .unwrap_or(palisade_model::DEFAULT_MEMORY)
                }),
                limit: found.map_or((MAX_TIMEOUT_SECS, None), |(_, f)| trigger_limit(f)),
                resource: found.map(|(app, f)| format!("{}#{}", app.path, f.id)),
            }
        })
        .collect();
    let mut out = std::io::stdout().lock();
    match a.format {
        ExplainFormat::Json => {
            let functions: Vec<serde_json::Value> = rows.iter().map(row_json).collect();
            let doc = serde_json::json!({
                "files": logs.files,
                "messages": logs.messages,
                "platform_lines": logs.platform_lines,
                "malformed": logs.malformed,
                "malformed_examples": logs.named.iter().map(|(file, m)| serde_json::json!({"file": file, "at": m.at, "message": m.message})).collect::<Vec<_>>(),
                "functions": functions,
            });
            let _ = writeln!(
                out,
                "{}",
                serde_json::to_string_pretty(&doc).unwrap_or_default()
            );
        }
        ExplainFormat::Pretty => {
            for r in &rows {
                let _ = write_pretty(&mut out, r);
            }
            let _ = writeln!(
                out,
                "{} files, {} log messages, {} platform lines, {} malformed",
                logs.files, logs.messages, logs.platform_lines, logs.malformed
            );
            for (file, m) in &logs.named {
                let _ = writeln!(out, "  malformed: {file} ({}): {}", m.at, m.message);
            }
        }
    }
    let far_off = rows.iter().any(|r| r.verdict().is_some());
    Ok(if logs.malformed > 0 {
        2
    } else {
        u8::from(far_off)
    })
}

fn secs(ms: Option<f64>) -> String {
    ms.map_or_else(|| "-".to_string(), |m| format!("{:.2} s", m / 1000.0))
}

fn write_pretty(out: &mut dyn Write, r: &Row<'_>) -> std::io::Result<()> {
    let d = &r.stats.durations;
    writeln!(out, "{}", r.name)?;
    if let Some(res) = &r.resource {
        writeln!(out, "  resource:     {res}")?;
    }
    writeln!(
        out,
        "  invocations:  {} ({} timed out, {} cold starts)",
        d.count(),
        r.stats.timed_out,
        r.stats.cold_starts
    )?;
    writeln!(
        out,
        "  duration:     p50 {}  p95 {}  p99 {}  max {}",
        secs(d.quantile(0.5)),
        secs(d.quantile(0.95)),
        secs(d.quantile(0.99)),
        secs(Some(d.max_ms()))
    )?;
    let memory = match (r.stats.max_memory_used_mb, r.stats.memory_size_mb) {
        (Some(u), Some(s)) => format!("{u} MB used of {s} MB"),
        (Some(u), None) => format!("{u} MB used"),
        _ => "-".to_string(),
    };
    writeln!(out, "  memory:       {memory}")?;
    let limit = match r.limit.1 {
        Some(t) => format!(" (the {t} trigger allows {} s)", r.limit.0),
        None => String::new(),
    };
    let timeout = r
        .recommended_timeout()
        .map_or_else(|| "-".to_string(), |t| format!("{t} s"));
    let configured = r
        .configured_timeout
        .map(|c| format!(", configured {c} s"))
        .unwrap_or_default();
    writeln!(
        out,
        "  timeout:      recommended {timeout}{configured}{limit}"
    )?;
    let mem = r
        .stats
        .recommended_memory_mb()
        .map_or_else(|| "-".to_string(), |m| format!("{m} MB"));
    let configured_mem = r
        .configured_memory
        .map(|c| format!(", configured {c} MB"))
        .unwrap_or_default();
    writeln!(out, "  memory size:  recommended {mem}{configured_mem}")?;
    if let Some(v) = r.verdict() {
        writeln!(out, "  far off:      {v}")?;
    }
    writeln!(out)
}

fn row_json(r: &Row<'_>) -> serde_json::Value {
    let d = &r.stats.durations;
    let round = |v: Option<f64>| v.map(|x| (x * 100.0).round() / 100.0);
    serde_json::json!({
        "function": r.name,
        "resource": r.resource,
        "invocations": d.count(),
        "timed_out": r.stats.timed_out,
        "cold_starts": r.stats.cold_starts,
        "duration_ms": {
            "p50": round(d.quantile(0.5)),
            "p95": round(d.quantile(0.95)),
            "p99": round(d.quantile(0.99)),
            "max": round(Some(d.max_ms())),
        },
        "max_memory_used_mb": r.stats.max_memory_used_mb,
        "memory_size_mb": r.stats.memory_size_mb,
        "recommended_timeout_s": r.recommended_timeout(),
        "recommended_memory_mb": r.stats.recommended_memory_mb(),
        "configured_timeout_s": r.configured_timeout,
        "configured_memory_mb": r.configured_memory,
        "trigger_limit_s": r.limit.1.map(|_| r.limit.0),
        "far_off": r.verdict(),
    })
}

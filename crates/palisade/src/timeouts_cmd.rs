//! `palisade timeouts LOGS…`: per function, what its real durations and memory were, and the
//! timeout and memory they call for; with `--app`, beside what the template configures.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Result, bail};
use palisade_logs::{FunctionStats, LambdaLogs, MAX_TIMEOUT_SECS};
use palisade_model::{App, Finding, Function, RuleMeta, TriggerKind, fingerprint};

use crate::apps::Apps;
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
    found: Option<(&'a App, &'a Function)>,
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

    /// Why the configured memory is far from the peak use, if it is.
    fn memory_verdict(&self) -> Option<String> {
        let configured = self.configured_memory?;
        let used = u64::from(self.stats.max_memory_used_mb?);
        let recommended = u64::from(self.stats.recommended_memory_mb()?);
        if used * 10 >= configured * 9 {
            return Some(format!(
                "peak use {used} MB is {}% of the configured {configured} MB: out-of-memory errors ahead",
                used * 100 / configured.max(1)
            ));
        }
        if configured >= recommended.saturating_mul(4) && configured - recommended >= 512 {
            return Some(format!(
                "{configured} MB configured where the peak use is {used} MB (recommended {recommended} MB)"
            ));
        }
        None
    }

    /// The findings of a function the template declares: at its `Timeout` / `MemorySize`, else
    /// at the function.
    fn findings(&self, apps: &Apps) -> Vec<Finding> {
        let Some((app, f)) = self.found else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let checks: [(
            &'static RuleMeta,
            Option<String>,
            Option<palisade_model::Span>,
            &str,
        ); 2] = [
            (
                &palisade_detect::timeouts::TIMEOUT_FAR_OFF,
                self.verdict().map(|v| {
                    format!(
                        "`{}`: {v}; recommended timeout {} s (p99 {} over {} invocations)",
                        f.id,
                        self.recommended_timeout().unwrap_or_default(),
                        secs(self.stats.durations.quantile(0.99)),
                        self.stats.durations.count(),
                    )
                }),
                f.timeout.as_ref().map(|t| t.span),
                "Timeout",
            ),
            (
                &palisade_detect::timeouts::MEMORY_FAR_OFF,
                self.memory_verdict().map(|v| format!("`{}`: {v}", f.id)),
                f.memory.as_ref().map(|m| m.span),
                "MemorySize",
            ),
        ];
        for (meta, message, span, property) in checks {
            let Some(message) = message else { continue };
            let span = span.unwrap_or(f.span);
            let Some(location) = apps.location(span) else {
                continue;
            };
            let logical = format!("Function:{}/{property}", f.id);
            out.push(Finding {
                code: meta.code,
                name: meta.name,
                title: meta.title,
                severity: meta.severity,
                confidence: meta.confidence,
                sas: meta.sas,
                area: meta.area,
                app: app.path.clone(),
                resource: Some(f.id.clone()),
                resource_type: Some(f.resource_type.clone()),
                function: Some(f.id.clone()),
                construct_path: None,
                location,
                span: Some(span),
                message,
                fix: std::borrow::Cow::Borrowed(meta.fix),
                fingerprint: fingerprint(meta.code, &app.path, &logical),
                logical_path: logical,
                related: Vec::new(),
                package: None,
                event: None,
            });
        }
        out
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
        Some(path) => Apps::load(path)?,
        None => Apps::none(),
    };
    let rows: Vec<Row<'_>> = logs
        .functions
        .iter()
        .filter(|(_, s)| s.durations.count() > 0)
        .map(|(name, stats)| {
            let found = apps.find(name);
            Row {
                name,
                found,
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
    let findings: Vec<Finding> = rows.iter().flat_map(|r| r.findings(&apps)).collect();
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
                "findings": findings.iter().map(finding_json).collect::<Vec<_>>(),
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
            for f in &findings {
                let _ = writeln!(
                    out,
                    "{}:{}:{}: {} {}",
                    f.location.path,
                    f.location.start.line,
                    f.location.start.column,
                    f.code,
                    f.message
                );
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
    let far_off = !findings.is_empty() || rows.iter().any(|r| r.verdict().is_some());
    Ok(if logs.malformed > 0 {
        2
    } else {
        u8::from(far_off)
    })
}

/// A finding as the JSON report shows it.
fn finding_json(f: &Finding) -> serde_json::Value {
    let mut line = Vec::new();
    let _ = palisade_report::write_jsonl_finding(&mut line, f);
    serde_json::from_slice(&line).unwrap_or(serde_json::Value::Null)
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
        "memory_far_off": r.memory_verdict(),
    })
}

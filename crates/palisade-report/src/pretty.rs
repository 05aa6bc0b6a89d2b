//! Human output: findings grouped by function (or resource), each with a code frame of the
//! offending line, then a summary by severity and OWASP category.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write;

use annotate_snippets::{AnnotationKind, Level, Renderer, Snippet};
use anstyle::{AnsiColor, Effects, Style};
use palisade_model::{DiagnosticLevel, Finding, Sas, Severity, SourceMap, Span};

use crate::summary::Counts;
use crate::{Context, Report, SuppressionKind};

/// Spans longer than this many lines are shown by their first line only.
const MAX_FRAME_LINES: u32 = 3;

pub(crate) fn paint(color: bool, style: Style, text: &str) -> String {
    if color {
        format!("{}{text}{}", style.render(), style.render_reset())
    } else {
        text.to_string()
    }
}

pub(crate) fn severity_style(s: Severity) -> Style {
    match s {
        Severity::Critical => Style::new()
            .fg_color(Some(AnsiColor::BrightRed.into()))
            .effects(Effects::BOLD),
        Severity::High => Style::new()
            .fg_color(Some(AnsiColor::Red.into()))
            .effects(Effects::BOLD),
        Severity::Medium => Style::new()
            .fg_color(Some(AnsiColor::Yellow.into()))
            .effects(Effects::BOLD),
        Severity::Low => Style::new().fg_color(Some(AnsiColor::Cyan.into())),
        Severity::Info => Style::new().fg_color(Some(AnsiColor::Blue.into())),
    }
}

fn level(s: Severity) -> Level<'static> {
    let base = match s {
        Severity::Critical | Severity::High => Level::ERROR,
        Severity::Medium => Level::WARNING,
        Severity::Low => Level::NOTE,
        Severity::Info => Level::INFO,
    };
    base.with_name(s.as_str())
}

/// The source window around a span and the span's range inside it.
fn frame(sources: &SourceMap, span: Span) -> Option<(String, u32, String, std::ops::Range<usize>)> {
    let file = sources.get(span.file)?;
    let start = file.line_col(span.start);
    let end = file.line_col(span.end);
    let last_line = if end.line - start.line >= MAX_FRAME_LINES {
        start.line
    } else {
        end.line
    };
    let window_start = file.line_start(start.line)? as usize;
    let window_end = file
        .line_start(last_line + 1)
        .map_or(file.text.len(), |e| e as usize);
    let window = file
        .text
        .get(window_start..window_end)?
        .trim_end_matches(['\n', '\r'])
        .to_string();
    let lo = (span.start as usize)
        .saturating_sub(window_start)
        .min(window.len());
    let hi = (span.end as usize)
        .saturating_sub(window_start)
        .clamp(lo, window.len());
    let hi = if hi == lo {
        (lo + 1).min(window.len())
    } else {
        hi
    };
    Some((file.path.clone(), start.line, window, lo..hi))
}

fn render_finding(
    out: &mut dyn Write,
    f: &Finding,
    cx: &Context<'_>,
    renderer: &Renderer,
) -> std::io::Result<()> {
    let owasp = format!(
        "{} {} · confidence {}",
        f.sas.id(),
        f.sas.name(),
        f.confidence.as_str()
    );
    let fix = format!("fix: {}", f.fix);
    let event = f.event.as_deref().map(event_note);
    let title = level(f.severity).primary_title(f.title).id(f.code);
    let framed = f.span.and_then(|s| frame(cx.sources, s));
    let rendered = match &framed {
        Some((path, line, window, range)) => {
            let snippet = Snippet::source(window.as_str())
                .line_start(*line as usize)
                .path(path.as_str())
                .annotation(
                    AnnotationKind::Primary
                        .span(range.clone())
                        .label(f.message.as_str()),
                );
            let mut group = title.element(snippet);
            if let Some(e) = &event {
                group = group.element(Level::NOTE.message(e.as_str()));
            }
            let group = group
                .element(Level::HELP.message(fix.as_str()))
                .element(Level::NOTE.message(owasp.as_str()));
            renderer.render(&[group])
        }
        None => {
            let mut group = title.element(Level::NOTE.message(format!(
                "{}:{}:{}: {}",
                f.location.path, f.location.start.line, f.location.start.column, f.message
            )));
            if let Some(e) = &event {
                group = group.element(Level::NOTE.message(e.as_str()));
            }
            let group = group
                .element(Level::HELP.message(fix.as_str()))
                .element(Level::NOTE.message(owasp.as_str()));
            renderer.render(&[group])
        }
    };
    out.write_all(rendered.as_bytes())?;
    out.write_all(b"\n\n")
}

/// The event behind a runtime detection in one note: when, where it was read, who, the
/// evidence, and the Sigma rule's author (its licence requires the author in any view).
fn event_note(e: &palisade_model::FindingEvent) -> String {
    let mut parts = Vec::new();
    if let Some(t) = &e.time {
        parts.push(t.clone());
    }
    parts.push(format!("{} {}", e.log_file, e.log_at).trim().to_string());
    if let Some(p) = &e.principal {
        parts.push(format!("by {p}"));
    }
    for (name, value) in &e.evidence {
        parts.push(format!("{name}: {value}"));
    }
    if e.sigma_id.is_some() || e.rule_file.is_some() {
        let mut rule = String::from("Sigma rule");
        if let Some(file) = &e.rule_file {
            rule.push_str(&format!(" {file}"));
        }
        if let Some(id) = &e.sigma_id {
            rule.push_str(&format!(" ({id})"));
        }
        rule.push_str(&format!(
            " by {}",
            e.author.as_deref().unwrap_or("an unknown author")
        ));
        parts.push(rule);
    }
    format!("event: {}", parts.join(" · "))
}

/// Group key: the function concerned, else the resource, else the file; within an app,
/// functions come first.
fn group_of(f: &Finding) -> (String, u8, String) {
    let construct = |s: String| match &f.construct_path {
        Some(c) => format!("{s} (construct {c})"),
        None => s,
    };
    match (&f.function, &f.resource) {
        (Some(func), _) => (f.app.clone(), 0, construct(format!("Function {func}"))),
        (None, Some(r)) => (
            f.app.clone(),
            1,
            construct(match f.resource_type.as_deref() {
                Some(t) => format!("{t} {r}"),
                None => format!("Resource {r}"),
            }),
        ),
        (None, None) => (f.app.clone(), 2, "Template".to_string()),
    }
}

pub fn pretty(report: &Report<'_>, cx: &Context<'_>) -> String {
    let mut out = Vec::new();
    // Writing to memory cannot fail.
    let _ = write_pretty(report, cx, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// Write the pretty report to `out`, finding by finding.
pub fn write_pretty(
    report: &Report<'_>,
    cx: &Context<'_>,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let renderer = if cx.color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let bold = Style::new().effects(Effects::BOLD);
    let dim = Style::new().effects(Effects::DIMMED);

    let mut groups: BTreeMap<(String, u8, String), Vec<&Finding>> = BTreeMap::new();
    for f in report.findings {
        groups.entry(group_of(f)).or_default().push(f);
    }
    for ((app, _, name), mut findings) in groups {
        findings.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then_with(|| a.sort_key().cmp(&b.sort_key()))
        });
        let worst = findings.first().map_or(Severity::Info, |f| f.severity);
        let count = format!(
            "({app}, {} finding{})",
            findings.len(),
            if findings.len() == 1 { "" } else { "s" }
        );
        writeln!(
            out,
            "{} {} {}\n",
            paint(cx.color, severity_style(worst), "■"),
            paint(cx.color, bold, &name),
            paint(cx.color, dim, &count),
        )?;
        for f in findings {
            render_finding(out, f, cx, &renderer)?;
        }
    }

    if !report.diagnostics.is_empty() {
        writeln!(out, "{}", paint(cx.color, bold, "Input problems"))?;
        for d in report.diagnostics {
            let style = match d.level {
                DiagnosticLevel::Error => severity_style(Severity::High),
                DiagnosticLevel::Warning => severity_style(Severity::Medium),
                DiagnosticLevel::Note => dim,
            };
            let at = match d.position {
                Some(p) => format!("{}:{}:{}", d.path, p.line, p.col),
                None => d.path.clone(),
            };
            writeln!(
                out,
                "  {} {at}: {}",
                paint(cx.color, style, &format!("{}:", d.level.as_str())),
                d.message
            )?;
        }
        writeln!(out)?;
    }
    let mut tail = String::new();
    summary(&mut tail, report, cx);
    out.write_all(tail.as_bytes())
}

fn summary(out: &mut String, report: &Report<'_>, cx: &Context<'_>) {
    let bold = Style::new().effects(Effects::BOLD);
    let counts = Counts::of(report.findings);
    let s = report.summary;
    let _ = writeln!(out, "{}", paint(cx.color, bold, "Summary"));
    let _ = writeln!(
        out,
        "  {} finding{} in {} app{} ({} function{}, {} file{} considered, {} rules)",
        report.findings.len(),
        if report.findings.len() == 1 { "" } else { "s" },
        s.apps,
        if s.apps == 1 { "" } else { "s" },
        s.functions,
        if s.functions == 1 { "" } else { "s" },
        s.files,
        if s.files == 1 { "" } else { "s" },
        s.rules_run
    );
    let by_severity: Vec<String> = Severity::ALL
        .iter()
        .map(|sev| {
            paint(
                cx.color,
                severity_style(*sev),
                &format!("{} {}", counts.severity(*sev), sev.as_str()),
            )
        })
        .collect();
    let _ = writeln!(out, "  by severity: {}", by_severity.join(", "));
    if !counts.by_sas.is_empty() {
        let _ = writeln!(out, "  by OWASP Serverless Top 10:");
        for sas in Sas::ALL {
            if let Some(n) = counts.by_sas.get(&sas) {
                let _ = writeln!(out, "    {:<9} {:<45} {n:>5}", sas.id(), sas.name());
            }
        }
    }
    if !report.suppressed.is_empty() {
        let kinds = [
            SuppressionKind::InSource,
            SuppressionKind::Config,
            SuppressionKind::Baseline,
        ];
        let parts: Vec<String> = kinds
            .iter()
            .filter_map(|k| {
                let n = report.suppressed.iter().filter(|x| x.kind == *k).count();
                (n > 0).then(|| format!("{n} {}", k.as_str()))
            })
            .collect();
        let _ = writeln!(
            out,
            "  suppressed: {} ({})",
            report.suppressed.len(),
            parts.join(", ")
        );
    }
    let errors = report
        .diagnostics
        .iter()
        .filter(|d| d.level == DiagnosticLevel::Error)
        .count();
    if errors > 0 {
        let _ = writeln!(
            out,
            "  {errors} file{} could not be read (see above)",
            if errors == 1 { "" } else { "s" }
        );
    }
    let _ = writeln!(
        out,
        "  scanned {} in {:.2} s",
        s.root,
        s.duration_ms as f64 / 1000.0
    );
}

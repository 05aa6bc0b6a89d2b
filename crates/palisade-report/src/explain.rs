//! `palisade iam explain`: what one policy document grants, by service and access level, then
//! its risks. Pretty for people, JSON for scripts.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write;

use anstyle::{Effects, Style};
use palisade_model::{Finding, PolicyExplanation};
use serde::Serialize;

use crate::pretty::{paint, severity_style};

/// How many action names a level lists before "and N more", unless every name is asked for.
const NAMES_SHOWN: usize = 8;

/// The reach of an action as the pretty output marks it after the name.
fn mark(reach: &str) -> &'static str {
    match reach {
        "any-resource" => "*",
        "conditional" => "?",
        _ => "",
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Write the explanation for people. With `all`, every action name is listed.
pub fn write_explain_pretty(
    e: &PolicyExplanation,
    findings: &[Finding],
    color: bool,
    all: bool,
    w: &mut dyn Write,
) -> std::io::Result<()> {
    let bold = Style::new().effects(Effects::BOLD);
    let dim = Style::new().effects(Effects::DIMMED);
    let mut out = String::new();
    let reach = |name: &str| {
        e.by_reach
            .iter()
            .find(|(r, _)| *r == name)
            .map_or(0, |(_, n)| *n)
    };
    let _ = writeln!(
        out,
        "{}: {} ({} Deny)",
        paint(color, bold, &e.path),
        plural(e.statements, "statement", "statements"),
        e.deny_statements
    );
    let _ = writeln!(
        out,
        "grants {} in {}: {} on any resource (*), {} only under conditions (?), {} on named resources",
        plural(e.actions, "action", "actions"),
        plural(e.services.len(), "service", "services"),
        reach("any-resource"),
        reach("conditional"),
        reach("named-resources"),
    );
    if e.denied > 0 {
        let _ = writeln!(
            out,
            "denies {} everywhere",
            plural(e.denied, "action", "actions")
        );
    }
    if e.unresolved > 0 {
        let _ = writeln!(
            out,
            "{} written as expressions could not be expanded",
            plural(e.unresolved, "action pattern", "action patterns")
        );
    }
    if let Some(why) = &e.incomplete {
        let _ = writeln!(out, "not read completely: {why}");
    }
    for s in &e.services {
        let _ = writeln!(
            out,
            "\n{} {}",
            paint(color, bold, &s.prefix),
            paint(
                color,
                dim,
                &format!("({}): {} of {}", s.name, s.granted(), s.total)
            )
        );
        for l in &s.levels {
            let names: Vec<String> = l
                .actions
                .iter()
                .take(if all { usize::MAX } else { NAMES_SHOWN })
                .map(|(name, reach)| format!("{name}{}", mark(reach)))
                .collect();
            let more = l.actions.len().saturating_sub(names.len());
            let more = if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            };
            let _ = writeln!(
                out,
                "  {:<24}{:>5}  {}{more}",
                l.level,
                l.actions.len(),
                names.join(" ")
            );
        }
    }
    let _ = writeln!(out);
    if findings.is_empty() {
        let _ = writeln!(out, "{}", paint(color, bold, "no risks found"));
    } else {
        let _ = writeln!(
            out,
            "{}",
            paint(
                color,
                bold,
                &format!("{}:", plural(findings.len(), "risk", "risks"))
            )
        );
    }
    for f in findings {
        let _ = writeln!(
            out,
            "  {} {} {}:{}  {}",
            paint(
                color,
                severity_style(f.severity),
                &format!("{:<8}", f.severity.as_str())
            ),
            f.code,
            f.location.start.line,
            f.location.start.column,
            f.message
        );
        for r in &f.related {
            let _ = writeln!(
                out,
                "           {}:{}  {}",
                r.location.start.line,
                r.location.start.column,
                paint(color, dim, &r.message)
            );
        }
    }
    if !all
        && e.services
            .iter()
            .flat_map(|s| &s.levels)
            .any(|l| l.actions.len() > NAMES_SHOWN)
    {
        let _ = writeln!(out, "\n{}", paint(color, dim, "--all lists every action"));
    }
    w.write_all(out.as_bytes())
}

#[derive(Serialize)]
struct JsonAction<'a> {
    action: String,
    reach: &'a str,
}

#[derive(Serialize)]
struct JsonService<'a> {
    prefix: &'a str,
    name: &'a str,
    granted: usize,
    total: usize,
    by_access_level: BTreeMap<&'static str, Vec<JsonAction<'a>>>,
}

#[derive(Serialize)]
struct JsonRisk<'a> {
    code: &'static str,
    name: &'static str,
    severity: &'static str,
    confidence: &'static str,
    message: &'a str,
    line: u32,
    column: u32,
    related: Vec<JsonRelated<'a>>,
}

#[derive(Serialize)]
struct JsonRelated<'a> {
    message: &'a str,
    line: u32,
    column: u32,
}

#[derive(Serialize)]
struct JsonExplanation<'a> {
    path: &'a str,
    statements: usize,
    deny_statements: usize,
    actions: usize,
    by_reach: BTreeMap<&'static str, usize>,
    denied: usize,
    unresolved: usize,
    incomplete: Option<&'a str>,
    services: Vec<JsonService<'a>>,
    risks: Vec<JsonRisk<'a>>,
}

/// Write the explanation as JSON (actions with their service prefix, every one listed).
pub fn write_explain_json(
    e: &PolicyExplanation,
    findings: &[Finding],
    w: &mut dyn Write,
) -> std::io::Result<()> {
    let out = JsonExplanation {
        path: &e.path,
        statements: e.statements,
        deny_statements: e.deny_statements,
        actions: e.actions,
        by_reach: e.by_reach.iter().copied().collect(),
        denied: e.denied,
        unresolved: e.unresolved,
        incomplete: e.incomplete.as_deref(),
        services: e
            .services
            .iter()
            .map(|s| JsonService {
                prefix: &s.prefix,
                name: &s.name,
                granted: s.granted(),
                total: s.total,
                by_access_level: s
                    .levels
                    .iter()
                    .map(|l| {
                        (
                            l.level,
                            l.actions
                                .iter()
                                .map(|(name, reach)| JsonAction {
                                    action: format!("{}:{name}", s.prefix),
                                    reach,
                                })
                                .collect(),
                        )
                    })
                    .collect(),
            })
            .collect(),
        risks: findings
            .iter()
            .map(|f| JsonRisk {
                code: f.code,
                name: f.name,
                severity: f.severity.as_str(),
                confidence: f.confidence.as_str(),
                message: &f.message,
                line: f.location.start.line,
                column: f.location.start.column,
                related: f
                    .related
                    .iter()
                    .map(|r| JsonRelated {
                        message: &r.message,
                        line: r.location.start.line,
                        column: r.location.start.column,
                    })
                    .collect(),
            })
            .collect(),
    };
    serde_json::to_writer_pretty(&mut *w, &out).map_err(std::io::Error::other)?;
    w.write_all(b"\n")
}

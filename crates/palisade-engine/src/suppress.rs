//! Suppressions: declared in the template next to what they silence, or in `palisade.toml`.
//! A suppression without a reason still applies but is reported (PAL902); one that silences
//! nothing is reported too (PAL901).

use std::collections::BTreeSet;

use globset::Glob;
use palisade_model::{App, Finding, Location, Position, RuleMeta, SourceMap, Span, fingerprint};

/// An `[[ignore]]` entry of `palisade.toml`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConfigIgnore {
    /// Rule code or name.
    pub rule: String,
    /// Glob over the finding's path (relative to the scan root).
    pub path: Option<String>,
    /// Logical id of the resource or function.
    pub resource: Option<String>,
    pub reason: Option<String>,
    /// Where the entry is written, for reporting it.
    pub location: Location,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SuppressedBy {
    Template {
        reason: Option<String>,
        location: Location,
    },
    Config {
        reason: Option<String>,
        location: Location,
    },
    Baseline,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suppressed {
    pub finding: Finding,
    pub by: SuppressedBy,
}

fn names_rule(pattern: &str, f: &Finding) -> bool {
    pattern.eq_ignore_ascii_case(f.code) || pattern.eq_ignore_ascii_case(f.name)
}

fn location(sources: &SourceMap, span: Span, fallback: &str) -> Location {
    match sources.resolve(span) {
        Some((path, s, e)) => Location {
            path,
            start: Position {
                line: s.line,
                column: s.col,
            },
            end: Position {
                line: e.line,
                column: e.col,
            },
        },
        None => Location {
            path: fallback.to_string(),
            ..Location::default()
        },
    }
}

/// A finding of one of the tool's own rules.
fn tool_finding(
    meta: &'static RuleMeta,
    app: &str,
    location: Location,
    span: Option<Span>,
    message: String,
    logical: String,
) -> Finding {
    Finding {
        code: meta.code,
        name: meta.name,
        title: meta.title,
        severity: meta.severity,
        confidence: meta.confidence,
        sas: meta.sas,
        area: meta.area,
        app: app.to_string(),
        resource: None,
        resource_type: None,
        function: None,
        construct_path: None,
        package: None,
        event: None,
        location,
        span,
        message,
        fix: std::borrow::Cow::Borrowed(meta.fix),
        fingerprint: fingerprint(meta.code, app, &logical),
        logical_path: logical,
        related: Vec::new(),
    }
}

pub(crate) struct Outcome {
    pub kept: Vec<Finding>,
    pub suppressed: Vec<Suppressed>,
    /// PAL901 / PAL902 findings.
    pub hygiene: Vec<Finding>,
}

/// One suppression, whichever file declared it.
struct Entry<'a> {
    rule: &'a str,
    reason: Option<&'a str>,
    /// The logical id of the resource or function it is limited to.
    target: Option<&'a str>,
    /// A glob over the finding's path it is limited to (`Some(None)`: a glob that matches
    /// nothing, which `scan` refuses before it gets here).
    path: Option<Option<globset::GlobMatcher>>,
    by: SuppressedBy,
    /// Where it is written, for findings about it.
    location: Location,
    span: Option<Span>,
    /// The app (or config file) findings about it belong to.
    owner: String,
    /// How messages name it: ("suppression", "on Hook") or ("ignore", "for services/**").
    noun: &'static str,
    scope: String,
    logical: String,
}

impl Entry<'_> {
    fn matches(&self, f: &Finding) -> bool {
        names_rule(self.rule, f)
            && self.target.is_none_or(|t| {
                f.resource.as_deref() == Some(t) || f.function.as_deref() == Some(t)
            })
            && self
                .path
                .as_ref()
                .is_none_or(|m| m.as_ref().is_some_and(|m| m.is_match(&f.location.path)))
    }
}

/// Split findings by the first entry that matches each, then report entries without a reason
/// (PAL902), naming no rule, or matching nothing of a rule that ran (PAL901).
fn apply(entries: &[Entry<'_>], findings: Vec<Finding>, ran: &BTreeSet<&str>) -> Outcome {
    let mut used = vec![false; entries.len()];
    let mut kept = Vec::new();
    let mut suppressed = Vec::new();
    for f in findings {
        match entries.iter().position(|e| e.matches(&f)) {
            Some(i) => {
                if let Some(u) = used.get_mut(i) {
                    *u = true;
                }
                let by = entries
                    .get(i)
                    .map_or(SuppressedBy::Baseline, |e| e.by.clone());
                suppressed.push(Suppressed { finding: f, by });
            }
            None => kept.push(f),
        }
    }
    let mut hygiene = Vec::new();
    for (e, used) in entries.iter().zip(used) {
        let what = format!("the {} of {} {}", e.noun, e.rule, e.scope);
        let mut report = |code: &str, message: String| {
            if let Some(meta) = palisade_rules::meta(code) {
                hygiene.push(tool_finding(
                    meta,
                    &e.owner,
                    e.location.clone(),
                    e.span,
                    message,
                    e.logical.clone(),
                ));
            }
        };
        if e.reason.is_none() {
            report("PAL902", format!("{what} gives no reason"));
        }
        match palisade_rules::meta(e.rule) {
            None => report(
                "PAL901",
                format!("{what} names `{}`, which is no Palisade rule", e.rule),
            ),
            Some(m) if !used && ran.contains(m.code) => {
                report("PAL901", format!("{what} suppresses nothing"))
            }
            Some(_) => {}
        }
    }
    Outcome {
        kept,
        suppressed,
        hygiene,
    }
}

/// Apply the suppressions declared in an app (template metadata) to its findings.
pub(crate) fn apply_to_app(
    app: &App,
    findings: Vec<Finding>,
    sources: &SourceMap,
    ran: &BTreeSet<&str>,
) -> Outcome {
    let entries: Vec<Entry<'_>> = app
        .all_suppressions()
        .into_iter()
        .map(|s| {
            let target = s.target.as_deref().unwrap_or("the template");
            let loc = location(sources, s.span, &app.path);
            Entry {
                rule: &s.rule,
                reason: s.reason.as_deref(),
                target: s.target.as_deref(),
                path: None,
                by: SuppressedBy::Template {
                    reason: s.reason.clone(),
                    location: loc.clone(),
                },
                location: loc,
                span: Some(s.span),
                owner: app.path.clone(),
                noun: "suppression",
                scope: format!("on {target}"),
                logical: format!("Suppression:{target}/{}", s.rule),
            }
        })
        .collect();
    apply(&entries, findings, ran)
}

/// Apply `palisade.toml` ignores to all findings.
pub(crate) fn apply_config(
    ignores: &[ConfigIgnore],
    findings: Vec<Finding>,
    ran: &BTreeSet<&str>,
) -> Outcome {
    let entries: Vec<Entry<'_>> = ignores
        .iter()
        .map(|ig| {
            let scope = ig
                .resource
                .as_deref()
                .or(ig.path.as_deref())
                .unwrap_or("every file");
            Entry {
                rule: &ig.rule,
                reason: ig.reason.as_deref(),
                target: ig.resource.as_deref(),
                path: ig
                    .path
                    .as_deref()
                    .map(|p| Glob::new(p).ok().map(|g| g.compile_matcher())),
                by: SuppressedBy::Config {
                    reason: ig.reason.clone(),
                    location: ig.location.clone(),
                },
                location: ig.location.clone(),
                span: None,
                owner: ig.location.path.clone(),
                noun: "ignore",
                scope: format!("for {scope}"),
                logical: format!("Ignore:{}/{scope}", ig.rule),
            }
        })
        .collect();
    apply(&entries, findings, ran)
}

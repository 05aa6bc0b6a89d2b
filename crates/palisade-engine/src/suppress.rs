//! Suppressions: declared in the template next to what they silence, or in `palisade.toml`.
//! A suppression without a reason still applies but is reported (PAL902); one that silences
//! nothing is reported too (PAL901).

use std::collections::BTreeSet;

use globset::Glob;
use palisade_model::{
    App, Finding, Location, Position, RuleMeta, SourceMap, Span, Suppression, fingerprint,
};

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

/// Apply template and configuration suppressions to one app's findings.
pub(crate) fn apply_to_app(
    app: &App,
    findings: Vec<Finding>,
    sources: &SourceMap,
    ran: &BTreeSet<&str>,
) -> Outcome {
    let unused_meta = palisade_rules::meta("PAL901");
    let reasonless_meta = palisade_rules::meta("PAL902");
    let suppressions: Vec<&Suppression> = app.all_suppressions();
    let mut used = vec![false; suppressions.len()];
    let mut kept = Vec::new();
    let mut suppressed = Vec::new();
    for f in findings {
        let hit = suppressions.iter().enumerate().find(|(_, s)| {
            names_rule(&s.rule, &f)
                && match &s.target {
                    None => true,
                    Some(t) => {
                        f.resource.as_deref() == Some(t.as_str())
                            || f.function.as_deref() == Some(t.as_str())
                    }
                }
        });
        match hit {
            Some((i, s)) => {
                if let Some(u) = used.get_mut(i) {
                    *u = true;
                }
                suppressed.push(Suppressed {
                    by: SuppressedBy::Template {
                        reason: s.reason.clone(),
                        location: location(sources, s.span, &app.path),
                    },
                    finding: f,
                });
            }
            None => kept.push(f),
        }
    }
    let mut hygiene = Vec::new();
    for (i, s) in suppressions.iter().enumerate() {
        let target = s.target.as_deref().unwrap_or("the template");
        let logical = format!("Suppression:{target}/{}", s.rule);
        let loc = location(sources, s.span, &app.path);
        let known = palisade_rules::meta(&s.rule);
        if let Some(meta) = reasonless_meta
            && s.reason.is_none()
        {
            hygiene.push(tool_finding(
                meta,
                &app.path,
                loc.clone(),
                Some(s.span),
                format!("the suppression of {} on {target} gives no reason", s.rule),
                logical.clone(),
            ));
        }
        let Some(meta) = unused_meta else { continue };
        if known.is_none() {
            hygiene.push(tool_finding(
                meta,
                &app.path,
                loc,
                Some(s.span),
                format!(
                    "the suppression on {target} names `{}`, which is no Palisade rule",
                    s.rule
                ),
                logical,
            ));
        } else if !used.get(i).copied().unwrap_or(true)
            && known.is_some_and(|m| ran.contains(m.code))
        {
            hygiene.push(tool_finding(
                meta,
                &app.path,
                loc,
                Some(s.span),
                format!(
                    "the suppression of {} on {target} suppresses nothing",
                    s.rule
                ),
                logical,
            ));
        }
    }
    Outcome {
        kept,
        suppressed,
        hygiene,
    }
}

/// Apply `palisade.toml` ignores to all findings; returns findings kept, suppressed, and
/// hygiene findings about the ignores themselves.
pub(crate) fn apply_config(
    ignores: &[ConfigIgnore],
    findings: Vec<Finding>,
    ran: &BTreeSet<&str>,
) -> Outcome {
    let matchers: Vec<Option<globset::GlobMatcher>> = ignores
        .iter()
        .map(|i| {
            i.path
                .as_deref()
                .and_then(|p| Glob::new(p).ok())
                .map(|g| g.compile_matcher())
        })
        .collect();
    let mut used = vec![false; ignores.len()];
    let mut kept = Vec::new();
    let mut suppressed = Vec::new();
    for f in findings {
        let hit = ignores.iter().enumerate().find(|(i, ig)| {
            names_rule(&ig.rule, &f)
                && ig.resource.as_ref().is_none_or(|r| {
                    f.resource.as_deref() == Some(r.as_str())
                        || f.function.as_deref() == Some(r.as_str())
                })
                && match (&ig.path, matchers.get(*i).and_then(Option::as_ref)) {
                    (None, _) => true,
                    (Some(_), Some(m)) => m.is_match(&f.location.path),
                    (Some(_), None) => false,
                }
        });
        match hit {
            Some((i, ig)) => {
                if let Some(u) = used.get_mut(i) {
                    *u = true;
                }
                suppressed.push(Suppressed {
                    by: SuppressedBy::Config {
                        reason: ig.reason.clone(),
                        location: ig.location.clone(),
                    },
                    finding: f,
                });
            }
            None => kept.push(f),
        }
    }
    let mut hygiene = Vec::new();
    for (i, ig) in ignores.iter().enumerate() {
        let scope = ig
            .resource
            .as_deref()
            .or(ig.path.as_deref())
            .unwrap_or("every file");
        let logical = format!("Ignore:{}/{scope}", ig.rule);
        let config = ig.location.path.clone();
        if ig.reason.is_none()
            && let Some(meta) = palisade_rules::meta("PAL902")
        {
            hygiene.push(tool_finding(
                meta,
                &config,
                ig.location.clone(),
                None,
                format!("the ignore of {} for {scope} gives no reason", ig.rule),
                logical.clone(),
            ));
        }
        let known = palisade_rules::meta(&ig.rule);
        let unused = !used.get(i).copied().unwrap_or(true);
        if let Some(meta) = palisade_rules::meta("PAL901")
            && (known.is_none() || (unused && known.is_some_and(|m| ran.contains(m.code))))
        {
            let message = if known.is_none() {
                format!(
                    "the ignore for {scope} names `{}`, which is no Palisade rule",
                    ig.rule
                )
            } else {
                format!("the ignore of {} for {scope} suppresses nothing", ig.rule)
            };
            hygiene.push(tool_finding(
                meta,
                &config,
                ig.location.clone(),
                None,
                message,
                logical,
            ));
        }
    }
    Outcome {
        kept,
        suppressed,
        hygiene,
    }
}

//! SARIF 2.1.0, as GitHub code scanning and other SARIF consumers read it. A test validates the
//! output against the official schema.

use std::collections::BTreeMap;

use palisade_model::{Diagnostic, DiagnosticLevel, Finding, Location, RuleMeta, Severity};
use serde::Serialize;

use crate::{Context, Report, SuppressionKind};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const SRCROOT: &str = "%SRCROOT%";
/// Key of Palisade's fingerprint in `partialFingerprints`.
const FINGERPRINT_KEY: &str = "palisade/v1";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool,
    invocations: Vec<Invocation>,
    results: Results<'a>,
    column_kind: &'static str,
}

/// One result to write: a finding, with its suppression when it is not open.
type Entry<'a> = (&'a Finding, Option<(SuppressionKind, Option<&'a str>)>);

/// Results are built one at a time while writing, so a scan with many findings does not hold
/// a second copy of them.
struct Results<'a> {
    entries: Vec<Entry<'a>>,
    index: &'a BTreeMap<&'a str, usize>,
}

impl Serialize for Results<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let mut seq = s.serialize_seq(Some(self.entries.len()))?;
        for (f, suppressed) in &self.entries {
            let rule_index = self.index.get(f.code).copied().unwrap_or(0);
            let suppression = suppressed.map(|(kind, reason)| Suppression {
                kind: match kind {
                    SuppressionKind::InSource => "inSource",
                    SuppressionKind::Config | SuppressionKind::Baseline => "external",
                },
                justification: match kind {
                    SuppressionKind::Baseline => Some("in the baseline".to_string()),
                    _ => reason.map(str::to_string),
                },
            });
            seq.serialize_element(&result(f, rule_index, suppression))?;
        }
        seq.end()
    }
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: String,
    semantic_version: String,
    information_uri: &'static str,
    rules: Vec<Rule>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    id: &'static str,
    name: &'static str,
    short_description: Text,
    full_description: Text,
    help: Help,
    default_configuration: Configuration,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct RuleProperties {
    tags: Vec<String>,
    precision: &'static str,
    security_severity: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    tool_execution_notifications: Vec<Notification>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Notification {
    level: &'static str,
    message: Text,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    locations: Vec<SarifLocation>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResultItem<'a> {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: Text,
    locations: Vec<SarifLocation>,
    partial_fingerprints: BTreeMap<&'static str, String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<SarifLocation>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<Suppression>,
    properties: ResultProperties<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Suppression {
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    justification: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResultProperties<'a> {
    severity: &'static str,
    confidence: &'static str,
    owasp: &'static str,
    area: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    function: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    construct_path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    package: Option<crate::json::JsonPackage<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    event: Option<crate::json::JsonEvent<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifLocation {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    logical_locations: Vec<LogicalLocation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Text>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    uri_base_id: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
    start_column: u32,
    end_line: u32,
    end_column: u32,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LogicalLocation {
    name: String,
    fully_qualified_name: String,
    kind: &'static str,
}

pub(crate) fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// GitHub's `security-severity` scale: 9.0+ critical, 7.0+ high, 4.0+ medium, above 0 low.
fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "0.0",
    }
}

/// Percent-encode what cannot appear in a relative URI reference.
fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn region(l: &Location) -> Option<Region> {
    (l.start.line > 0).then(|| Region {
        start_line: l.start.line,
        start_column: l.start.column.max(1),
        end_line: l.end.line.max(l.start.line),
        end_column: if l.end.line > l.start.line {
            l.end.column.max(1)
        } else {
            l.end.column.max(l.start.column.max(1))
        },
    })
}

fn physical(l: &Location) -> PhysicalLocation {
    PhysicalLocation {
        artifact_location: ArtifactLocation {
            uri: uri(&l.path),
            uri_base_id: SRCROOT,
        },
        region: region(l),
    }
}

fn rule(meta: &RuleMeta) -> Rule {
    let docs = meta.docs_text();
    let what = docs
        .split("## Why is this bad?")
        .next()
        .unwrap_or("")
        .replace("## What it does", "")
        .trim()
        .to_string();
    Rule {
        id: meta.code,
        name: meta.name,
        short_description: Text {
            text: meta.title.to_string(),
        },
        full_description: Text { text: what },
        help: Help {
            text: format!("{}\n\nFix: {}", meta.title, meta.fix),
            markdown: docs,
        },
        default_configuration: Configuration {
            level: level(meta.severity),
        },
        properties: RuleProperties {
            tags: vec![
                "security".to_string(),
                meta.sas.id().to_string(),
                meta.area.as_str().to_string(),
            ],
            precision: match meta.confidence {
                palisade_model::Confidence::High => "high",
                palisade_model::Confidence::Medium => "medium",
                palisade_model::Confidence::Low => "low",
            },
            security_severity: security_severity(meta.severity).to_string(),
        },
    }
}

fn result(f: &Finding, rule_index: usize, suppression: Option<Suppression>) -> ResultItem<'_> {
    let logical = f
        .resource
        .as_ref()
        .map(|r| LogicalLocation {
            name: r.clone(),
            fully_qualified_name: f.logical_path.clone(),
            kind: "resource",
        })
        .into_iter()
        .collect();
    ResultItem {
        rule_id: f.code,
        rule_index,
        level: level(f.severity),
        message: Text {
            text: f.message.clone(),
        },
        locations: vec![SarifLocation {
            id: None,
            physical_location: physical(&f.location),
            logical_locations: logical,
            message: None,
        }],
        partial_fingerprints: BTreeMap::from([(FINGERPRINT_KEY, f.fingerprint.clone())]),
        related_locations: f
            .related
            .iter()
            .enumerate()
            .map(|(i, r)| SarifLocation {
                id: Some(i),
                physical_location: physical(&r.location),
                logical_locations: Vec::new(),
                message: Some(Text {
                    text: r.message.clone(),
                }),
            })
            .collect(),
        suppressions: suppression.into_iter().collect(),
        properties: ResultProperties {
            severity: f.severity.as_str(),
            confidence: f.confidence.as_str(),
            owasp: f.sas.id(),
            area: f.area.as_str(),
            function: f.function.clone(),
            construct_path: f.construct_path.clone(),
            package: crate::json::package(f),
            event: crate::json::event(f),
        },
    }
}

fn notification(d: &Diagnostic) -> Notification {
    let location = Location {
        path: d.path.clone(),
        start: d
            .position
            .map_or_else(Default::default, |p| palisade_model::Position {
                line: p.line,
                column: p.col,
            }),
        end: d
            .position
            .map_or_else(Default::default, |p| palisade_model::Position {
                line: p.line,
                column: p.col,
            }),
    };
    Notification {
        level: match d.level {
            DiagnosticLevel::Error => "error",
            DiagnosticLevel::Warning => "warning",
            DiagnosticLevel::Note => "note",
        },
        message: Text {
            text: d.message.clone(),
        },
        locations: vec![SarifLocation {
            id: None,
            physical_location: physical(&location),
            logical_locations: Vec::new(),
            message: None,
        }],
    }
}

/// Render a SARIF 2.1.0 log (one run). Suppressed and baselined findings are included with
/// their `suppressions`, as SARIF consumers expect.
pub fn sarif(report: &Report<'_>, cx: &Context<'_>) -> String {
    let mut out = Vec::new();
    // Writing to memory cannot fail.
    let _ = write_sarif(report, cx, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// Write the SARIF log to `w` as it is produced.
pub fn write_sarif(
    report: &Report<'_>,
    cx: &Context<'_>,
    w: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let index: BTreeMap<&str, usize> = cx
        .rules
        .iter()
        .enumerate()
        .map(|(i, m)| (m.code, i))
        .collect();
    let mut entries: Vec<Entry<'_>> = report.findings.iter().map(|f| (f, None)).collect();
    entries.extend(
        report
            .suppressed
            .iter()
            .map(|s| (s.finding, Some((s.kind, s.reason)))),
    );
    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: "Palisade",
                    version: cx.tool_version.to_string(),
                    semantic_version: cx.tool_version.to_string(),
                    information_uri: "https://github.com/palisade-sec/palisade",
                    rules: cx.rules.iter().map(|m| rule(m)).collect(),
                },
            },
            invocations: vec![Invocation {
                execution_successful: !report
                    .diagnostics
                    .iter()
                    .any(|d| d.level == DiagnosticLevel::Error),
                tool_execution_notifications: report.diagnostics.iter().map(notification).collect(),
            }],
            results: Results {
                entries,
                index: &index,
            },
            column_kind: "unicodeCodePoints",
        }],
    };
    serde_json::to_writer_pretty(&mut *w, &log).map_err(std::io::Error::other)?;
    w.write_all(b"\n")
}

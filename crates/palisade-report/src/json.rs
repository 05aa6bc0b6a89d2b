//! The JSON report: a documented, versioned schema (`docs/json-output.md`,
//! `docs/schema/scan-result.v1.json`). Field order is fixed by the structs below and maps are
//! sorted, so equal input gives byte-identical output.

use std::collections::BTreeMap;

use palisade_model::{Diagnostic, Finding, Location, PermissionFootprint, Sas, Severity};
use serde::Serialize;

use crate::summary::Counts;
use crate::{Context, Report, SuppressedFinding};

/// Bumped on any incompatible change of the JSON output.
pub const JSON_SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct Output<'a> {
    schema_version: u32,
    tool: Tool<'a>,
    summary: Summary,
    findings: Lazy<'a, Finding, JsonFinding<'a>>,
    suppressed: Lazy<'a, SuppressedFinding<'a>, JsonSuppressed<'a>>,
    diagnostics: Lazy<'a, Diagnostic, JsonDiagnostic<'a>>,
    permission_footprints: Lazy<'a, PermissionFootprint, JsonFootprint<'a>>,
}

/// A list serialized item by item, so a large report is never held twice in memory.
struct Lazy<'a, T, J> {
    items: &'a [T],
    view: fn(&'a T) -> J,
}

impl<'a, T, J: Serialize> Serialize for Lazy<'a, T, J> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.items.iter().map(self.view))
    }
}

#[derive(Serialize)]
struct JsonRisky<'a> {
    category: &'static str,
    count: usize,
    actions: &'a [&'static str],
}

#[derive(Serialize)]
struct JsonFootprint<'a> {
    app: &'a str,
    function: &'a str,
    role: Option<&'a str>,
    actions: usize,
    by_access_level: BTreeMap<&'static str, usize>,
    by_reach: BTreeMap<&'static str, usize>,
    services: BTreeMap<&'a str, usize>,
    administrator: bool,
    escalation_methods: &'a [String],
    risky: Vec<JsonRisky<'a>>,
    incomplete: &'a [String],
}

fn footprint(f: &PermissionFootprint) -> JsonFootprint<'_> {
    JsonFootprint {
        app: &f.app,
        function: &f.function,
        role: f.role.as_deref(),
        actions: f.actions,
        by_access_level: f.by_access_level.iter().copied().collect(),
        by_reach: f.by_reach.iter().copied().collect(),
        services: f.services.iter().map(|(s, n)| (s.as_str(), *n)).collect(),
        administrator: f.administrator,
        escalation_methods: &f.escalation_methods,
        risky: f
            .risky
            .iter()
            .map(|r| JsonRisky {
                category: r.category,
                count: r.count,
                actions: &r.actions,
            })
            .collect(),
        incomplete: &f.incomplete,
    }
}

#[derive(Serialize)]
struct Tool<'a> {
    name: &'static str,
    version: &'a str,
}

#[derive(Serialize)]
struct Summary {
    root: String,
    files: usize,
    apps: usize,
    functions: usize,
    rules_run: usize,
    findings: usize,
    suppressed: usize,
    by_severity: BTreeMap<&'static str, usize>,
    by_owasp: BTreeMap<&'static str, usize>,
    diagnostics: BTreeMap<&'static str, usize>,
}

#[derive(Serialize)]
struct Owasp {
    id: &'static str,
    name: &'static str,
}

#[derive(Serialize)]
struct JsonLocation<'a> {
    path: &'a str,
    start: Pos,
    end: Pos,
}

#[derive(Serialize)]
struct Pos {
    line: u32,
    column: u32,
}

fn loc(l: &Location) -> JsonLocation<'_> {
    JsonLocation {
        path: &l.path,
        start: Pos {
            line: l.start.line,
            column: l.start.column,
        },
        end: Pos {
            line: l.end.line,
            column: l.end.column,
        },
    }
}

#[derive(Serialize)]
struct JsonRelated<'a> {
    message: &'a str,
    location: JsonLocation<'a>,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    code: &'static str,
    name: &'static str,
    title: &'static str,
    severity: &'static str,
    confidence: &'static str,
    owasp: Owasp,
    area: &'static str,
    app: &'a str,
    resource: Option<&'a str>,
    resource_type: Option<&'a str>,
    function: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    construct_path: Option<&'a str>,
    location: JsonLocation<'a>,
    message: &'a str,
    fix: &'a str,
    fingerprint: &'a str,
    logical_path: &'a str,
    related: Vec<JsonRelated<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    package: Option<JsonPackage<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    event: Option<JsonEvent<'a>>,
}

#[derive(Serialize)]
pub(crate) struct JsonEvent<'a> {
    time: Option<&'a str>,
    log: JsonLog<'a>,
    principal: Option<&'a str>,
    function_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sigma: Option<JsonSigma<'a>>,
    evidence: Vec<JsonEvidence<'a>>,
    /// The event as JSON when it is JSON (CloudTrail), else its text (a log line).
    raw: Option<RawOrText<'a>>,
}

#[derive(Serialize)]
pub(crate) struct JsonLog<'a> {
    file: &'a str,
    at: &'a str,
}

#[derive(Serialize)]
pub(crate) struct JsonSigma<'a> {
    id: Option<&'a str>,
    file: Option<&'a str>,
    author: Option<&'a str>,
}

#[derive(Serialize)]
pub(crate) struct JsonEvidence<'a> {
    name: &'a str,
    value: &'a str,
}

pub(crate) enum RawOrText<'a> {
    Json(Box<serde_json::value::RawValue>),
    Text(&'a str),
}

impl Serialize for RawOrText<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            RawOrText::Json(raw) => raw.serialize(s),
            RawOrText::Text(text) => s.serialize_str(text),
        }
    }
}

/// The event of a runtime detection, as JSON and SARIF show it.
pub(crate) fn event(f: &Finding) -> Option<JsonEvent<'_>> {
    let e = f.event.as_deref()?;
    let raw = e.raw.as_deref().map(|text| {
        let trimmed = text.trim();
        match (trimmed.starts_with('{') || trimmed.starts_with('['))
            .then(|| serde_json::from_str::<Box<serde_json::value::RawValue>>(trimmed).ok())
            .flatten()
        {
            Some(json) => RawOrText::Json(json),
            None => RawOrText::Text(text),
        }
    });
    let sigma = (e.sigma_id.is_some() || e.rule_file.is_some() || e.author.is_some()).then_some(
        JsonSigma {
            id: e.sigma_id.as_deref(),
            file: e.rule_file.as_deref(),
            author: e.author.as_deref(),
        },
    );
    Some(JsonEvent {
        time: e.time.as_deref(),
        log: JsonLog {
            file: &e.log_file,
            at: &e.log_at,
        },
        principal: e.principal.as_deref(),
        function_name: e.function_name.as_deref(),
        sigma,
        evidence: e
            .evidence
            .iter()
            .map(|(name, value)| JsonEvidence { name, value })
            .collect(),
        raw,
    })
}

#[derive(Serialize)]
pub(crate) struct JsonPackage<'a> {
    ecosystem: &'static str,
    name: &'a str,
    version: Option<&'a str>,
    purl: &'a str,
    manifest: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    vulnerability: Option<JsonVulnerability<'a>>,
}

#[derive(Serialize)]
pub(crate) struct JsonVulnerability<'a> {
    id: &'a str,
    aliases: &'a [String],
    fixed: &'a [String],
    cvss_vector: Option<&'a str>,
    cvss_score: Option<f64>,
}

/// The package of a dependency finding, as JSON and SARIF show it.
pub(crate) fn package(f: &Finding) -> Option<JsonPackage<'_>> {
    let p = f.package.as_deref()?;
    Some(JsonPackage {
        ecosystem: p.ecosystem,
        name: &p.name,
        version: p.version.as_deref(),
        purl: &p.purl,
        manifest: &p.manifest,
        vulnerability: p.vulnerability.as_ref().map(|v| JsonVulnerability {
            id: &v.id,
            aliases: &v.aliases,
            fixed: &v.fixed,
            cvss_vector: v.cvss_vector.as_deref(),
            cvss_score: v.cvss_score_tenths.map(|t| f64::from(t) / 10.0),
        }),
    })
}

/// One finding as the JSON report shows it.
pub(crate) fn finding_view(f: &Finding) -> impl Serialize + '_ {
    finding(f)
}

fn finding(f: &Finding) -> JsonFinding<'_> {
    JsonFinding {
        code: f.code,
        name: f.name,
        title: f.title,
        severity: f.severity.as_str(),
        confidence: f.confidence.as_str(),
        owasp: Owasp {
            id: f.sas.id(),
            name: f.sas.name(),
        },
        area: f.area.as_str(),
        app: &f.app,
        resource: f.resource.as_deref(),
        resource_type: f.resource_type.as_deref(),
        function: f.function.as_deref(),
        construct_path: f.construct_path.as_deref(),
        location: loc(&f.location),
        message: &f.message,
        fix: &f.fix,
        fingerprint: &f.fingerprint,
        logical_path: &f.logical_path,
        related: f
            .related
            .iter()
            .map(|r| JsonRelated {
                message: &r.message,
                location: loc(&r.location),
            })
            .collect(),
        package: package(f),
        event: event(f),
    }
}

#[derive(Serialize)]
struct JsonSuppression<'a> {
    kind: &'static str,
    reason: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonSuppressed<'a> {
    #[serde(flatten)]
    finding: JsonFinding<'a>,
    suppression: JsonSuppression<'a>,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    level: &'static str,
    path: &'a str,
    line: Option<u32>,
    column: Option<u32>,
    message: &'a str,
}

fn diagnostic(d: &Diagnostic) -> JsonDiagnostic<'_> {
    JsonDiagnostic {
        level: d.level.as_str(),
        path: &d.path,
        line: d.position.map(|p| p.line),
        column: d.position.map(|p| p.col),
        message: &d.message,
    }
}

fn suppressed<'a>(s: &SuppressedFinding<'a>) -> JsonSuppressed<'a> {
    JsonSuppressed {
        finding: finding(s.finding),
        suppression: JsonSuppression {
            kind: s.kind.as_str(),
            reason: s.reason,
        },
    }
}

/// Render the JSON report (pretty-printed, with a final newline).
pub fn json(report: &Report<'_>, cx: &Context<'_>) -> String {
    let mut out = Vec::new();
    // Writing to memory cannot fail.
    let _ = write_json(report, cx, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// Write the JSON report to `w` as it is produced (a large scan never holds it in memory).
pub fn write_json(
    report: &Report<'_>,
    cx: &Context<'_>,
    w: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let counts = Counts::of(report.findings);
    let mut diagnostics: BTreeMap<&'static str, usize> = BTreeMap::new();
    for d in report.diagnostics {
        *diagnostics.entry(d.level.as_str()).or_default() += 1;
    }
    let out = Output {
        schema_version: JSON_SCHEMA_VERSION,
        tool: Tool {
            name: "palisade",
            version: cx.tool_version,
        },
        summary: Summary {
            root: report.summary.root.clone(),
            files: report.summary.files,
            apps: report.summary.apps,
            functions: report.summary.functions,
            rules_run: report.summary.rules_run,
            findings: report.findings.len(),
            suppressed: report.suppressed.len(),
            by_severity: Severity::ALL
                .iter()
                .map(|s| (s.as_str(), counts.severity(*s)))
                .collect(),
            by_owasp: Sas::ALL
                .iter()
                .map(|s| (s.id(), counts.by_sas.get(s).copied().unwrap_or(0)))
                .collect(),
            diagnostics,
        },
        findings: Lazy {
            items: report.findings,
            view: finding,
        },
        suppressed: Lazy {
            items: report.suppressed,
            view: suppressed,
        },
        diagnostics: Lazy {
            items: report.diagnostics,
            view: diagnostic,
        },
        permission_footprints: Lazy {
            items: report.footprints,
            view: footprint,
        },
    };
    serde_json::to_writer_pretty(&mut *w, &out).map_err(std::io::Error::other)?;
    w.write_all(b"\n")
}

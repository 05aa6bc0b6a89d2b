//! AWS Security Finding Format (ASFF), the document Security Hub's `BatchImportFindings`
//! takes: `{"Findings": [...]}`. The account, region and time come from the caller, so the
//! output stays a pure function of its input.

use std::collections::BTreeMap;
use std::io::Write;

use palisade_model::{Area, Finding, Severity};
use serde::Serialize;

/// What ASFF needs besides the findings.
pub struct AsffContext<'a> {
    /// The account findings are imported into when a finding names none.
    pub account: &'a str,
    pub region: &'a str,
    /// ISO 8601 time of the run, for findings whose event has no time.
    pub now: &'a str,
    pub tool_version: &'a str,
}

const TITLE_MAX: usize = 256;
const DESCRIPTION_MAX: usize = 1024;
/// ASFF limits a `ProductFields` value to 2,048 characters.
const FIELD_MAX: usize = 2048;

#[derive(Serialize)]
struct Document<'a> {
    #[serde(rename = "Findings")]
    findings: Vec<AsffFinding<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct AsffFinding<'a> {
    schema_version: &'static str,
    id: String,
    product_arn: String,
    product_name: &'static str,
    company_name: &'static str,
    generator_id: String,
    aws_account_id: String,
    region: &'a str,
    types: Vec<String>,
    created_at: String,
    updated_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    first_observed_at: Option<String>,
    severity: AsffSeverity,
    title: String,
    description: String,
    remediation: Remediation,
    product_fields: BTreeMap<&'static str, String>,
    resources: Vec<Resource>,
    record_state: &'static str,
    workflow: Workflow,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct AsffSeverity {
    label: &'static str,
    original: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Remediation {
    recommendation: Recommendation,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Recommendation {
    text: String,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Resource {
    #[serde(rename = "Type")]
    kind: &'static str,
    id: String,
    region: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    details: Option<Details>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Details {
    other: BTreeMap<&'static str, String>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Workflow {
    status: &'static str,
}

fn label(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "CRITICAL",
        Severity::High => "HIGH",
        Severity::Medium => "MEDIUM",
        Severity::Low => "LOW",
        Severity::Info => "INFORMATIONAL",
    }
}

fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// The finding's ASFF type: `namespace/category/classifier`.
fn types(f: &Finding) -> Vec<String> {
    let t = match f.area {
        Area::Monitoring if f.event.is_some() => "Unusual Behaviors/Serverless",
        Area::Dependencies => "Software and Configuration Checks/Vulnerabilities/CVE",
        Area::Iam => "Software and Configuration Checks/AWS Security Best Practices/IAM",
        _ => "Software and Configuration Checks/AWS Security Best Practices",
    };
    vec![t.to_string()]
}

/// The account a finding belongs to: the event's, when its principal is an ARN that names one.
fn account_of(f: &Finding, fallback: &str) -> String {
    f.event
        .as_deref()
        .and_then(|e| e.principal.as_deref())
        .and_then(|arn| arn.split(':').nth(4))
        .filter(|a| a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit()))
        .unwrap_or(fallback)
        .to_string()
}

fn resources(f: &Finding, account: &str, region: &str) -> Vec<Resource> {
    let event = f.event.as_deref();
    let mut other = BTreeMap::new();
    other.insert("app", truncate(&f.app, FIELD_MAX));
    if let Some(r) = &f.resource {
        other.insert("logicalId", truncate(r, FIELD_MAX));
    }
    if let Some(name) = event.and_then(|e| e.function_name.as_deref()) {
        return vec![Resource {
            kind: "AwsLambdaFunction",
            id: format!("arn:aws:lambda:{region}:{account}:function:{name}"),
            region: region.to_string(),
            details: Some(Details { other }),
        }];
    }
    if let Some(principal) = event.and_then(|e| e.principal.as_deref())
        && principal.starts_with("arn:aws:iam::")
        && principal.contains(":role/")
    {
        return vec![Resource {
            kind: "AwsIamRole",
            id: principal.to_string(),
            region: region.to_string(),
            details: Some(Details { other }),
        }];
    }
    vec![Resource {
        kind: "Other",
        id: truncate(&format!("{}:{}", f.app, f.logical_path), 512),
        region: region.to_string(),
        details: Some(Details { other }),
    }]
}

fn asff_finding<'a>(f: &'a Finding, cx: &'a AsffContext<'a>) -> AsffFinding<'a> {
    let account = account_of(f, cx.account);
    let event = f.event.as_deref();
    // The event's own region, else the one the findings are imported into.
    let region: &str = event.and_then(|e| e.region.as_deref()).unwrap_or(cx.region);
    let observed = event.and_then(|e| e.time.clone());
    let at = observed.clone().unwrap_or_else(|| cx.now.to_string());
    let mut fields = BTreeMap::new();
    fields.insert("palisade/code", f.code.to_string());
    fields.insert("palisade/fingerprint", f.fingerprint.clone());
    fields.insert("palisade/owasp", f.sas.id().to_string());
    fields.insert(
        "palisade/location",
        truncate(
            &format!("{}:{}", f.location.path, f.location.start.line),
            FIELD_MAX,
        ),
    );
    if let Some(e) = event {
        fields.insert(
            "palisade/log",
            truncate(&format!("{} {}", e.log_file, e.log_at), FIELD_MAX),
        );
        if let Some(p) = &e.principal {
            fields.insert("palisade/principal", truncate(p, FIELD_MAX));
        }
        if let Some(id) = &e.sigma_id {
            fields.insert("sigma/id", id.clone());
        }
        if let Some(author) = &e.author {
            fields.insert("sigma/author", truncate(author, FIELD_MAX));
        }
        if let Some(file) = &e.rule_file {
            fields.insert("sigma/file", truncate(file, FIELD_MAX));
        }
    }
    AsffFinding {
        schema_version: "2018-10-08",
        id: format!("palisade/{}/{}", f.code, f.fingerprint),
        product_arn: format!(
            "arn:aws:securityhub:{}:{}:product/{}/default",
            cx.region, account, account
        ),
        product_name: "Palisade",
        company_name: "Palisade",
        generator_id: format!("palisade/{}", f.code),
        aws_account_id: account.clone(),
        region,
        types: types(f),
        created_at: at.clone(),
        updated_at: at,
        first_observed_at: observed,
        severity: AsffSeverity {
            label: label(f.severity),
            original: f.severity.as_str(),
        },
        title: truncate(&format!("{} {}", f.code, f.title), TITLE_MAX),
        description: truncate(&f.message, DESCRIPTION_MAX),
        remediation: Remediation {
            recommendation: Recommendation {
                text: truncate(&f.fix, 512),
            },
        },
        product_fields: fields,
        resources: resources(f, &account, region),
        record_state: "ACTIVE",
        workflow: Workflow { status: "NEW" },
    }
}

/// The findings as an ASFF document for `aws securityhub batch-import-findings
/// --cli-input-json` (which takes at most 100 findings per call: split larger documents).
pub fn write_asff(
    w: &mut dyn Write,
    findings: &[Finding],
    cx: &AsffContext<'_>,
) -> std::io::Result<()> {
    let doc = Document {
        findings: findings.iter().map(|f| asff_finding(f, cx)).collect(),
    };
    serde_json::to_writer_pretty(&mut *w, &doc)?;
    writeln!(w)
}

/// One finding as one line of JSON (the JSON report's finding object), for streaming.
pub fn write_jsonl_finding(w: &mut dyn Write, f: &Finding) -> std::io::Result<()> {
    serde_json::to_writer(&mut *w, &crate::json::finding_view(f))?;
    writeln!(w)
}

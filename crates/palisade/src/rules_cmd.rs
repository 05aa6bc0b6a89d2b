//! `palisade rules [ID]`: the rule list, or one rule's documentation.

use std::io::Write;

use anyhow::{Result, bail};
use palisade_model::RuleMeta;
use serde::Serialize;

use crate::args::{RulesArgs, RulesFormat};

#[derive(Serialize)]
struct JsonRule {
    code: &'static str,
    name: &'static str,
    title: &'static str,
    severity: &'static str,
    confidence: &'static str,
    owasp: &'static str,
    area: &'static str,
    fix: &'static str,
    docs: String,
}

fn json_rule(m: &RuleMeta) -> JsonRule {
    JsonRule {
        code: m.code,
        name: m.name,
        title: m.title,
        severity: m.severity.as_str(),
        confidence: m.confidence.as_str(),
        owasp: m.sas.id(),
        area: m.area.as_str(),
        fix: m.fix,
        docs: m.docs_text(),
    }
}

fn explain(m: &RuleMeta) -> String {
    format!(
        "{} {} — {}\nseverity: {} · confidence: {} · area: {} · OWASP {} {}\n\n{}",
        m.code,
        m.name,
        m.title,
        m.severity,
        m.confidence.as_str(),
        m.area.as_str(),
        m.sas.id(),
        m.sas.name(),
        m.docs_text()
    )
}

fn table(rules: &[&'static RuleMeta]) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "{:<7} {:<9} {:<9} {:<46} {}\n",
        "CODE", "SEVERITY", "OWASP", "NAME", "TITLE"
    ));
    for m in rules {
        out.push_str(&format!(
            "{:<7} {:<9} {:<9} {:<46} {}\n",
            m.code,
            m.severity.as_str(),
            m.sas.id(),
            m.name,
            m.title
        ));
    }
    out.push_str(&format!(
        "\n{} rules. `palisade rules CODE` explains one.\n",
        rules.len()
    ));
    out
}

/// One rule as a Markdown section; its doc headings become sub-headings.
fn markdown(m: &RuleMeta) -> String {
    let docs = m
        .docs_text()
        .lines()
        .map(|l| match l.strip_prefix("## ") {
            Some(h) => format!("#### {h}"),
            None => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n");
    format!(
        "### {} {}\n\n{}\n\n| severity | confidence | OWASP Serverless Top 10 | area |\n|---|---|---|---|\n| {} | {} | {} {} | {} |\n\n{}\n",
        m.code,
        m.name,
        m.title,
        m.severity,
        m.confidence.as_str(),
        m.sas.id(),
        m.sas.name(),
        m.area.as_str(),
        docs.trim_end()
    )
}

fn markdown_reference(rules: &[&'static RuleMeta]) -> String {
    let mut out = String::from(
        "# Rule reference\n\nGenerated from the rules' own documentation by \
         `palisade rules --format markdown`; do not edit by hand.\n\n\
         | code | name | severity | OWASP | title |\n|---|---|---|---|---|\n",
    );
    for m in rules {
        out.push_str(&format!(
            "| [{}](#{}) | {} | {} | {} | {} |\n",
            m.code,
            format!("{}-{}", m.code, m.name).to_ascii_lowercase(),
            m.name,
            m.severity,
            m.sas.id(),
            m.title
        ));
    }
    for m in rules {
        out.push('\n');
        out.push_str(&markdown(m));
    }
    out
}

/// The runtime detections' rules (PAL5xx of `palisade detect` and `palisade timeouts`).
pub fn runtime_rules() -> Vec<&'static RuleMeta> {
    palisade_detect::all_meta()
}

/// Every rule, by code.
pub fn all_rules() -> Vec<&'static RuleMeta> {
    let mut all = palisade_rules::all_meta();
    all.extend(runtime_rules());
    all.sort_by_key(|m| m.code);
    all
}

pub fn run(a: &RulesArgs) -> Result<u8> {
    let all = all_rules();
    let text = match &a.rule {
        Some(id) => {
            let found = all
                .iter()
                .copied()
                .find(|m| m.code.eq_ignore_ascii_case(id) || m.name.eq_ignore_ascii_case(id));
            let Some(m) = found else {
                bail!("`{id}` is no Palisade rule (see `palisade rules`)");
            };
            match a.format {
                RulesFormat::Json => serde_json::to_string_pretty(&json_rule(m))? + "\n",
                RulesFormat::Markdown => markdown(m),
                RulesFormat::Pretty => explain(m),
            }
        }
        None => match a.format {
            RulesFormat::Json => {
                serde_json::to_string_pretty(&all.iter().map(|m| json_rule(m)).collect::<Vec<_>>())?
                    + "\n"
            }
            RulesFormat::Markdown => markdown_reference(&all),
            RulesFormat::Pretty => table(&all),
        },
    };
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    Ok(0)
}

//! `palisade rules [ID]`: the rule list, or one rule's documentation.

use std::io::Write;

use anyhow::{Result, bail};
use palisade_model::RuleMeta;
use serde::Serialize;

use crate::args::{Format, RulesArgs};

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

pub fn run(a: &RulesArgs) -> Result<u8> {
    let all = palisade_rules::all_meta();
    let text = match &a.rule {
        Some(id) => {
            let Some(m) = palisade_rules::meta(id) else {
                bail!("`{id}` is no Palisade rule (see `palisade rules`)");
            };
            match a.format {
                Format::Json => serde_json::to_string_pretty(&json_rule(m))? + "\n",
                _ => explain(m),
            }
        }
        None => match a.format {
            Format::Json => {
                serde_json::to_string_pretty(&all.iter().map(|m| json_rule(m)).collect::<Vec<_>>())?
                    + "\n"
            }
            _ => table(&all),
        },
    };
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    Ok(0)
}

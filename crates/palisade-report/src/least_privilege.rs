//! `palisade iam least-privilege`: per function, what its role grants against what its code
//! needs, and the policy that grants only that. Pretty for people, JSON for scripts.

use std::fmt::Write as _;
use std::io::Write;

use anstyle::{AnsiColor, Effects, Style};
use palisade_model::{LeastPrivilege, SourceMap, Span};
use serde::Serialize;

use crate::pretty::paint;

/// The version of the least-privilege JSON; fields are only added within a version.
pub const LEAST_PRIVILEGE_SCHEMA_VERSION: u32 = 1;

/// `path:line:column` of a span, or the file's path alone.
fn at(sources: &SourceMap, span: Span) -> String {
    match sources.resolve(span) {
        Some((path, start, _)) => format!("{path}:{}:{}", start.line, start.col),
        None => "<unknown>".to_string(),
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// One line of numbers: granted, needed, over-granted, ratio.
fn numbers(lp: &LeastPrivilege) -> String {
    let granted = plural(lp.granted, "action", "actions");
    match lp.ratio() {
        Some(ratio) => format!(
            "role grants {granted}, code needs {}: {} not needed ({ratio:.1}× what is needed)",
            lp.needed.len(),
            lp.over_granted
        ),
        None => format!("role grants {granted}; code not analysed"),
    }
}

fn indent(text: &str, by: &str) -> String {
    text.lines()
        .map(|l| {
            if l.is_empty() {
                String::new()
            } else {
                format!("{by}{l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Write the comparison for people.
pub fn write_least_privilege_pretty(
    all: &[LeastPrivilege],
    sources: &SourceMap,
    color: bool,
    w: &mut dyn Write,
) -> std::io::Result<()> {
    let bold = Style::new().effects(Effects::BOLD);
    let dim = Style::new().effects(Effects::DIMMED);
    let warn = Style::new()
        .fg_color(Some(AnsiColor::Yellow.into()))
        .effects(Effects::BOLD);
    let mut out = String::new();
    if all.is_empty() {
        out.push_str("no functions found\n");
    }
    for (i, lp) in all.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let role = lp.role.as_deref().map_or_else(
            || "role not in the app".to_string(),
            |r| format!("role {r}"),
        );
        let _ = writeln!(
            out,
            "{} ({role})",
            paint(color, bold, &format!("{}: {}", lp.app, lp.function))
        );
        let _ = writeln!(out, "  {}", numbers(lp));
        for why in &lp.incomplete {
            let _ = writeln!(
                out,
                "  {}",
                paint(color, dim, &format!("incomplete: {why}"))
            );
        }
        if !lp.analysed {
            continue;
        }
        out.push_str("  needs:\n");
        for n in &lp.needed {
            let calls = if n.calls.is_empty() {
                "Lambda logs".to_string()
            } else {
                n.calls
                    .iter()
                    .map(|s| at(sources, *s))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let missing = if n.granted {
                String::new()
            } else {
                format!(" {}", paint(color, warn, "NOT GRANTED"))
            };
            let _ = writeln!(
                out,
                "    {} ({}){missing}  {}",
                n.action,
                n.access,
                paint(color, dim, &calls)
            );
            for r in &n.resources {
                let _ = writeln!(out, "      on {r}");
            }
            if let Some(when) = &n.when {
                let _ = writeln!(out, "      {}", paint(color, dim, when));
            }
        }
        if !lp.unresolved.is_empty() {
            out.push_str("  calls not resolved (left out of the policy):\n");
            for u in &lp.unresolved {
                let _ = writeln!(
                    out,
                    "    {} {}: {}",
                    at(sources, u.span),
                    u.client,
                    u.reason
                );
            }
        }
        for note in &lp.notes {
            let _ = writeln!(out, "  note: {note}");
        }
        if let Some(s) = &lp.snippet {
            let _ = writeln!(out, "  policy for {}:", s.format);
            let _ = writeln!(out, "{}", indent(&s.text, "    "));
        }
        if !lp.policy.is_empty() {
            let text = serde_json::to_string_pretty(&document(lp)).unwrap_or_default();
            out.push_str("  policy document:\n");
            let _ = writeln!(out, "{}", indent(&text, "    "));
        }
    }
    w.write_all(out.as_bytes())
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct JsonStatement<'a> {
    sid: &'a str,
    effect: &'static str,
    action: &'a [String],
    resource: &'a [String],
}

/// A policy document in the order people write it (`Version` first; `Sid`, `Effect`,
/// `Action`, `Resource`).
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct JsonPolicy<'a> {
    version: &'static str,
    statement: Vec<JsonStatement<'a>>,
}

fn document(lp: &LeastPrivilege) -> JsonPolicy<'_> {
    JsonPolicy {
        version: "2012-10-17",
        statement: lp
            .policy
            .iter()
            .map(|s| JsonStatement {
                sid: &s.sid,
                effect: "Allow",
                action: &s.actions,
                resource: &s.resources,
            })
            .collect(),
    }
}

#[derive(Serialize)]
struct JsonNeeded<'a> {
    action: &'a str,
    access: &'a str,
    resources: &'a [String],
    granted: bool,
    /// `path:line:column` of each call; empty for the Lambda logs basics.
    calls: Vec<String>,
    when: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonUnresolved<'a> {
    location: String,
    client: &'a str,
    operation: Option<&'a str>,
    service: Option<&'a str>,
    reason: &'a str,
}

#[derive(Serialize)]
struct JsonSnippet<'a> {
    format: &'a str,
    language: &'a str,
    text: &'a str,
}

#[derive(Serialize)]
struct JsonFunction<'a> {
    app: &'a str,
    function: &'a str,
    role: Option<&'a str>,
    code_analysed: bool,
    granted: usize,
    needed: Option<usize>,
    over_granted: Option<usize>,
    ratio: Option<f64>,
    needed_actions: Vec<JsonNeeded<'a>>,
    not_granted: Vec<&'a str>,
    unresolved_calls: Vec<JsonUnresolved<'a>>,
    policy: Option<JsonPolicy<'a>>,
    snippet: Option<JsonSnippet<'a>>,
    notes: &'a [String],
    incomplete: &'a [String],
}

#[derive(Serialize)]
struct JsonLeastPrivilege<'a> {
    schema_version: u32,
    functions: Vec<JsonFunction<'a>>,
}

/// Write the comparison as JSON.
pub fn write_least_privilege_json(
    all: &[LeastPrivilege],
    sources: &SourceMap,
    w: &mut dyn Write,
) -> std::io::Result<()> {
    let functions = all
        .iter()
        .map(|lp| JsonFunction {
            app: &lp.app,
            function: &lp.function,
            role: lp.role.as_deref(),
            code_analysed: lp.analysed,
            granted: lp.granted,
            needed: lp.analysed.then_some(lp.needed.len()),
            over_granted: lp.analysed.then_some(lp.over_granted),
            // Two decimals: enough to read, and stable across platforms.
            ratio: lp.ratio().map(|r| (r * 100.0).round() / 100.0),
            needed_actions: lp
                .needed
                .iter()
                .map(|n| JsonNeeded {
                    action: &n.action,
                    access: n.access,
                    resources: &n.resources,
                    granted: n.granted,
                    calls: n.calls.iter().map(|s| at(sources, *s)).collect(),
                    when: n.when.as_deref(),
                })
                .collect(),
            not_granted: lp.not_granted().map(|n| n.action.as_str()).collect(),
            unresolved_calls: lp
                .unresolved
                .iter()
                .map(|u| JsonUnresolved {
                    location: at(sources, u.span),
                    client: &u.client,
                    operation: u.operation.as_deref(),
                    service: u.service.as_deref(),
                    reason: &u.reason,
                })
                .collect(),
            policy: (!lp.policy.is_empty()).then(|| document(lp)),
            snippet: lp.snippet.as_ref().map(|s| JsonSnippet {
                format: s.format,
                language: s.language,
                text: &s.text,
            }),
            notes: &lp.notes,
            incomplete: &lp.incomplete,
        })
        .collect();
    let out = JsonLeastPrivilege {
        schema_version: LEAST_PRIVILEGE_SCHEMA_VERSION,
        functions,
    };
    serde_json::to_writer_pretty(&mut *w, &out).map_err(std::io::Error::other)?;
    w.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use palisade_model::{NeededPermission, PolicySnippet, PolicyStatement, UnresolvedSdkCall};

    use super::*;

    fn sample() -> Vec<LeastPrivilege> {
        let needed = |action: &str, granted: bool, calls: Vec<Span>| NeededPermission {
            action: action.to_string(),
            access: "Write",
            resources: vec!["*".to_string()],
            calls,
            when: None,
            granted,
        };
        vec![
            LeastPrivilege {
                app: "template.yaml".into(),
                function: "Orders".into(),
                role: Some("OrdersRole".into()),
                analysed: true,
                granted: 40,
                needed: vec![
                    needed("sqs:SendMessage", false, vec![Span::default()]),
                    needed("logs:PutLogEvents", true, Vec::new()),
                ],
                over_granted: 39,
                unresolved: vec![UnresolvedSdkCall {
                    span: Span::default(),
                    client: "s3".into(),
                    operation: None,
                    service: Some("s3".into()),
                    reason: "service s3, operation chosen at run time".into(),
                }],
                policy: vec![PolicyStatement {
                    sid: "Sqs".into(),
                    actions: vec!["sqs:SendMessage".into()],
                    resources: vec!["*".into()],
                    note: None,
                }],
                snippet: Some(PolicySnippet {
                    format: "SAM",
                    language: "yaml",
                    text: "Policies:\n  - Statement: []\n".into(),
                }),
                notes: vec!["a note".into()],
                incomplete: Vec::new(),
            },
            LeastPrivilege {
                app: "template.yaml".into(),
                function: "Other".into(),
                role: None,
                analysed: false,
                granted: 3,
                needed: Vec::new(),
                over_granted: 0,
                unresolved: Vec::new(),
                policy: Vec::new(),
                snippet: None,
                notes: Vec::new(),
                incomplete: vec!["the role arn:aws:iam::1:role/x is not in the app".into()],
            },
        ]
    }

    #[test]
    fn pretty() {
        let mut out = Vec::new();
        write_least_privilege_pretty(&sample(), &SourceMap::new(), false, &mut out).unwrap();
        insta::assert_snapshot!(String::from_utf8_lossy(&out));
    }

    #[test]
    fn json() {
        let mut out = Vec::new();
        write_least_privilege_json(&sample(), &SourceMap::new(), &mut out).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["functions"][0]["ratio"], 20.0);
        assert_eq!(v["functions"][0]["not_granted"][0], "sqs:SendMessage");
        assert_eq!(v["functions"][1]["code_analysed"], false);
        assert!(v["functions"][1]["needed"].is_null());
        assert_eq!(v["functions"][0]["policy"]["Statement"][0]["Sid"], "Sqs");
    }
}

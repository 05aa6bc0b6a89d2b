//! JUnit XML, for CI systems that show test reports: one test suite per app, one failing test
//! case per finding, and one erroring test case per input that could not be read.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use palisade_model::{DiagnosticLevel, Finding};

use crate::{Context, Report};

/// Escape text for XML attributes and content.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 cannot carry at all.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

pub fn junit(report: &Report<'_>, cx: &Context<'_>) -> String {
    let mut suites: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for f in report.findings {
        suites.entry(f.location.path.as_str()).or_default().push(f);
    }
    let errors: Vec<_> = report
        .diagnostics
        .iter()
        .filter(|d| d.level == DiagnosticLevel::Error)
        .collect();
    let mut out = String::new();
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"palisade {}\" tests=\"{}\" failures=\"{}\" errors=\"{}\">",
        esc(cx.tool_version),
        report.findings.len() + errors.len(),
        report.findings.len(),
        errors.len()
    );
    for (path, findings) in &suites {
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\">",
            esc(path),
            findings.len(),
            findings.len()
        );
        for f in findings {
            let subject = f.resource.as_deref().unwrap_or("template");
            let _ = writeln!(
                out,
                "    <testcase name=\"{} {} {}\" classname=\"{}\">",
                esc(f.code),
                esc(f.name),
                esc(subject),
                esc(path)
            );
            let _ = writeln!(
                out,
                "      <failure message=\"{}\" type=\"{}\">{}:{}:{} {} [{}]\n{}\nFix: {}</failure>",
                esc(&f.message),
                f.severity.as_str(),
                esc(&f.location.path),
                f.location.start.line,
                f.location.start.column,
                esc(f.title),
                f.sas.id(),
                esc(&f.message),
                esc(&f.fix)
            );
            out.push_str("    </testcase>\n");
        }
        out.push_str("  </testsuite>\n");
    }
    if !errors.is_empty() {
        let _ = writeln!(
            out,
            "  <testsuite name=\"unreadable input\" tests=\"{}\" failures=\"0\" errors=\"{}\">",
            errors.len(),
            errors.len()
        );
        for d in errors {
            let _ = writeln!(
                out,
                "    <testcase name=\"{}\" classname=\"palisade\">",
                esc(&d.path)
            );
            let _ = writeln!(
                out,
                "      <error message=\"{}\">{}</error>",
                esc(&d.message),
                esc(&d.to_string())
            );
            out.push_str("    </testcase>\n");
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

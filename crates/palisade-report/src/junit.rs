//! JUnit XML, for CI systems that show test reports: one test suite per app, one failing test
//! case per finding, and one erroring test case per input that could not be read.

use std::collections::BTreeMap;
use std::io::Write;

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
    let mut out = Vec::new();
    // Writing to memory cannot fail.
    let _ = write_junit(report, cx, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// Write the JUnit report to `out`.
pub fn write_junit(
    report: &Report<'_>,
    cx: &Context<'_>,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let mut suites: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for f in report.findings {
        suites.entry(f.location.path.as_str()).or_default().push(f);
    }
    let errors: Vec<_> = report
        .diagnostics
        .iter()
        .filter(|d| d.level == DiagnosticLevel::Error)
        .collect();
    out.write_all(b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")?;
    writeln!(
        out,
        "<testsuites name=\"palisade {}\" tests=\"{}\" failures=\"{}\" errors=\"{}\">",
        esc(cx.tool_version),
        report.findings.len() + errors.len(),
        report.findings.len(),
        errors.len()
    )?;
    for (path, findings) in &suites {
        writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\">",
            esc(path),
            findings.len(),
            findings.len()
        )?;
        for f in findings {
            let subject = f.resource.as_deref().unwrap_or("template");
            writeln!(
                out,
                "    <testcase name=\"{} {} {}\" classname=\"{}\">",
                esc(f.code),
                esc(f.name),
                esc(subject),
                esc(path)
            )?;
            writeln!(
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
            )?;
            out.write_all("    </testcase>\n".as_bytes())?;
        }
        out.write_all("  </testsuite>\n".as_bytes())?;
    }
    if !errors.is_empty() {
        writeln!(
            out,
            "  <testsuite name=\"unreadable input\" tests=\"{}\" failures=\"0\" errors=\"{}\">",
            errors.len(),
            errors.len()
        )?;
        for d in errors {
            writeln!(
                out,
                "    <testcase name=\"{}\" classname=\"palisade\">",
                esc(&d.path)
            )?;
            writeln!(
                out,
                "      <error message=\"{}\">{}</error>",
                esc(&d.message),
                esc(&d.to_string())
            )?;
            out.write_all("    </testcase>\n".as_bytes())?;
        }
        out.write_all("  </testsuite>\n".as_bytes())?;
    }
    out.write_all("</testsuites>\n".as_bytes())?;
    Ok(())
}

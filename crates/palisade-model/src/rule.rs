//! What every rule declares about itself: data, not code.

use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 5] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        Severity::ALL
            .into_iter()
            .find(|sev| sev.as_str().eq_ignore_ascii_case(s.trim()))
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How sure a rule is that an occurrence is real. Unresolved values lower it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Confidence {
    Low,
    Medium,
    High,
}

impl Confidence {
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Low => "low",
            Confidence::Medium => "medium",
            Confidence::High => "high",
        }
    }
}

/// The OWASP Serverless Top 10 (2017) categories.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Sas {
    S1,
    S2,
    S3,
    S4,
    S5,
    S6,
    S7,
    S8,
    S9,
    S10,
}

impl Sas {
    pub const ALL: [Sas; 10] = [
        Sas::S1,
        Sas::S2,
        Sas::S3,
        Sas::S4,
        Sas::S5,
        Sas::S6,
        Sas::S7,
        Sas::S8,
        Sas::S9,
        Sas::S10,
    ];

    /// The category id as OWASP writes it, e.g. `S5:2017`.
    pub fn id(self) -> &'static str {
        match self {
            Sas::S1 => "S1:2017",
            Sas::S2 => "S2:2017",
            Sas::S3 => "S3:2017",
            Sas::S4 => "S4:2017",
            Sas::S5 => "S5:2017",
            Sas::S6 => "S6:2017",
            Sas::S7 => "S7:2017",
            Sas::S8 => "S8:2017",
            Sas::S9 => "S9:2017",
            Sas::S10 => "S10:2017",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Sas::S1 => "Injection",
            Sas::S2 => "Broken Authentication",
            Sas::S3 => "Sensitive Data Exposure",
            Sas::S4 => "XML External Entities (XXE)",
            Sas::S5 => "Broken Access Control",
            Sas::S6 => "Security Misconfiguration",
            Sas::S7 => "Cross-Site Scripting (XSS)",
            Sas::S8 => "Insecure Deserialization",
            Sas::S9 => "Using Components with Known Vulnerabilities",
            Sas::S10 => "Insufficient Logging and Monitoring",
        }
    }
}

/// Which part of the owner's responsibility a finding belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Area {
    Code,
    Dependencies,
    Configuration,
    Iam,
    Monitoring,
}

impl Area {
    pub fn as_str(self) -> &'static str {
        match self {
            Area::Code => "code",
            Area::Dependencies => "dependencies",
            Area::Configuration => "configuration",
            Area::Iam => "iam",
            Area::Monitoring => "monitoring",
        }
    }
}

/// A rule's identity and metadata. `docs` is the rule's documentation in Markdown with the
/// headings `What it does`, `Why is this bad?`, `Example`, `Fix` and `References`.
#[derive(Debug)]
pub struct RuleMeta {
    /// Stable code, e.g. `PAL105`. Never reused.
    pub code: &'static str,
    /// Kebab-case name of the risk, e.g. `function-url-without-auth`.
    pub name: &'static str,
    /// One-line summary.
    pub title: &'static str,
    pub severity: Severity,
    pub confidence: Confidence,
    pub sas: Sas,
    pub area: Area,
    /// The fix in one or two sentences (the docs have the long form).
    pub fix: &'static str,
    pub docs: &'static str,
}

impl RuleMeta {
    /// The documentation with the one-space indent of doc comments removed.
    pub fn docs_text(&self) -> String {
        let mut out = String::new();
        for line in self.docs.lines() {
            out.push_str(line.strip_prefix(' ').unwrap_or(line));
            out.push('\n');
        }
        out
    }
}

/// A rule's metadata as a `static`, its doc comment being its documentation: written once,
/// read by rustdoc and by `palisade rules`. `palisade-rules`' `declare_rule!` and the
/// runtime rules of `palisade-detect` both declare their metadata with it.
#[macro_export]
macro_rules! rule_meta {
    (
        $(#[doc = $doc:literal])*
        $vis:vis static $name:ident {
            code: $code:literal,
            name: $rule_name:literal,
            title: $title:literal,
            severity: $severity:ident,
            confidence: $confidence:ident,
            sas: $sas:ident,
            area: $area:ident,
            fix: $fix:literal $(,)?
        }
    ) => {
        $(#[doc = $doc])*
        $vis static $name: $crate::RuleMeta = $crate::RuleMeta {
            code: $code,
            name: $rule_name,
            title: $title,
            severity: $crate::Severity::$severity,
            confidence: $crate::Confidence::$confidence,
            sas: $crate::Sas::$sas,
            area: $crate::Area::$area,
            fix: $fix,
            docs: concat!($($doc, "\n"),*),
        };
    };
}

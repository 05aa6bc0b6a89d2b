//! Reporters: findings and a context in, bytes out. One module per format; none of them reads
//! files, the clock or the environment, so the same input always gives the same bytes.
//! Depends on `palisade-model` only.

mod asff;
mod cyclonedx;
mod explain;
mod inventory;
mod json;
mod junit;
mod least_privilege;
mod pretty;
mod sarif;
mod summary;

use palisade_model::{Diagnostic, Finding, PermissionFootprint, RuleMeta, SourceMap};

pub use asff::{AsffContext, write_asff, write_jsonl_finding};
pub use cyclonedx::{SbomContext, cyclonedx, write_cyclonedx};
pub use explain::{write_explain_json, write_explain_pretty};
pub use inventory::write_inventory;
pub use json::{JSON_SCHEMA_VERSION, json, write_json};
pub use junit::{junit, write_junit};
pub use least_privilege::{
    LEAST_PRIVILEGE_SCHEMA_VERSION, write_least_privilege_json, write_least_privilege_pretty,
};
pub use pretty::{pretty, write_pretty};
pub use sarif::{sarif, write_sarif};
pub use summary::Counts;

/// Why a finding is not reported as open.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SuppressionKind {
    /// In the template or source (`Metadata`, comments).
    InSource,
    /// In `palisade.toml`.
    Config,
    /// In the baseline file.
    Baseline,
}

impl SuppressionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SuppressionKind::InSource => "in-source",
            SuppressionKind::Config => "config",
            SuppressionKind::Baseline => "baseline",
        }
    }
}

#[derive(Clone, Debug)]
pub struct SuppressedFinding<'a> {
    pub finding: &'a Finding,
    pub kind: SuppressionKind,
    pub reason: Option<&'a str>,
}

/// What was scanned, for summaries.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ScanSummary {
    pub root: String,
    pub files: usize,
    pub apps: usize,
    pub functions: usize,
    pub rules_run: usize,
    /// Wall time in milliseconds: shown by the pretty reporter only, so that machine-readable
    /// output stays byte-identical between runs.
    pub duration_ms: u128,
}

/// Everything a reporter turns into bytes.
pub struct Report<'a> {
    pub findings: &'a [Finding],
    pub suppressed: &'a [SuppressedFinding<'a>],
    pub diagnostics: &'a [Diagnostic],
    pub summary: &'a ScanSummary,
    /// Each function's permission footprint (JSON only).
    pub footprints: &'a [PermissionFootprint],
}

/// What a reporter may consult besides the findings.
pub struct Context<'a> {
    pub tool_version: &'a str,
    /// Source text for code frames.
    pub sources: &'a SourceMap,
    /// Every rule, for SARIF's rule table.
    pub rules: &'a [&'static RuleMeta],
    /// ANSI colours in pretty output.
    pub color: bool,
}

//! Baselines: the fingerprints of accepted findings, so CI fails only on new ones.
//!
//! The file is JSON, sorted, one entry per finding with enough context for a reviewer to see
//! what was accepted; only the fingerprint is used for matching (it never includes line numbers).

use std::collections::BTreeSet;
use std::path::Path;

use palisade_model::Finding;
use serde::{Deserialize, Serialize};

use crate::EngineError;

pub const BASELINE_VERSION: u32 = 1;

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct BaselineEntry {
    pub fingerprint: String,
    pub code: String,
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    pub message: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Baseline {
    pub version: u32,
    pub findings: Vec<BaselineEntry>,
    #[serde(skip)]
    index: BTreeSet<String>,
}

impl Baseline {
    pub fn from_findings(findings: &[Finding]) -> Baseline {
        let mut entries: Vec<BaselineEntry> = findings
            .iter()
            .map(|f| BaselineEntry {
                fingerprint: f.fingerprint.clone(),
                code: f.code.to_string(),
                path: f.location.path.clone(),
                resource: f.resource.clone(),
                message: f.message.clone(),
            })
            .collect();
        entries.sort();
        entries.dedup_by(|a, b| a.fingerprint == b.fingerprint);
        Baseline::with_entries(entries)
    }

    fn with_entries(findings: Vec<BaselineEntry>) -> Baseline {
        let index = findings.iter().map(|e| e.fingerprint.clone()).collect();
        Baseline {
            version: BASELINE_VERSION,
            findings,
            index,
        }
    }

    pub fn load(path: &Path) -> Result<Baseline, EngineError> {
        let text = std::fs::read_to_string(path).map_err(|source| EngineError::BaselineIo {
            path: path.to_path_buf(),
            source,
        })?;
        let parsed: Baseline =
            serde_json::from_str(&text).map_err(|source| EngineError::BaselineFormat {
                path: path.to_path_buf(),
                source,
            })?;
        Ok(Baseline::with_entries(parsed.findings))
    }

    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }

    pub fn contains(&self, fingerprint: &str) -> bool {
        self.index.contains(fingerprint)
    }

    pub fn len(&self) -> usize {
        self.findings.len()
    }

    pub fn is_empty(&self) -> bool {
        self.findings.is_empty()
    }
}

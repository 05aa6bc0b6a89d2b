//! Baselines (PAL530–PAL539): per function role and per principal, the API calls, source
//! addresses, regions, secrets read and hourly rates seen over a training window (`palisade
//! detect --learn`), kept in a redb file; later runs report what is new and what is anomalous,
//! with the evidence. See `docs/baselines.md`.
//!
//! The flow: each log file is read into its own [`Observations`] (in parallel), merged in file
//! order; [`BaselineStore::learn`] folds them into the store, [`BaselineStore::compare`] reports
//! what they hold that the store does not. This module owns the store's layout and must not
//! depend on how logs are read.

use std::path::PathBuf;
use std::sync::Arc;

use palisade_model::{RuleMeta, Severity};

use crate::detection::{Level, RuleRef, RuleSource};

mod compare;
mod hourly_rate;
mod new_address;
mod new_api;
mod new_region;
mod new_secret;
mod observe;
mod profile;
mod stats;
mod store;
mod unknown_principal;

pub use compare::CompareSummary;
pub use hourly_rate::PAL533;
pub use new_address::PAL531;
pub use new_api::PAL530;
pub use new_region::PAL532;
pub use new_secret::PAL534;
pub use observe::{Observations, ObserveSettings, address_class};
pub use profile::{CAPS, Caps, Occurrence, Overflow, Profile, Seen};
pub use stats::{RateBaseline, RateSettings};
pub use store::{BaselineInfo, BaselineStore, LearnSummary, SCHEMA};
pub use unknown_principal::PAL535;

/// Every rule of this module, for `palisade rules` and SARIF.
pub fn rules() -> Vec<&'static RuleMeta> {
    vec![&PAL530, &PAL531, &PAL532, &PAL533, &PAL534, &PAL535]
}

/// The baseline store cannot be used.
#[derive(Debug)]
pub enum BaselineError {
    /// Comparing or describing needs a store that exists.
    Missing { path: PathBuf },
    /// redb could not open, read or write the file (not a redb file, damaged, locked).
    Store { path: PathBuf, message: String },
    /// A record in the store does not decode.
    Corrupt {
        path: PathBuf,
        record: String,
        message: String,
    },
    /// A redb file, but not a baseline (another Palisade store, say).
    NotBaseline { path: PathBuf },
    /// A baseline of another layout.
    Schema { path: PathBuf, found: u32 },
}

impl std::fmt::Display for BaselineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BaselineError::Missing { path } => write!(
                f,
                "{}: no baseline here (learn one with `palisade detect --learn`)",
                path.display()
            ),
            BaselineError::Store { path, message } => write!(
                f,
                "{}: the baseline cannot be used ({message}); learn again into a new file",
                path.display()
            ),
            BaselineError::Corrupt {
                path,
                record,
                message,
            } => write!(
                f,
                "{}: the baseline's record {record} is damaged ({message}); learn again into a new file",
                path.display()
            ),
            BaselineError::NotBaseline { path } => write!(
                f,
                "{}: this file is a redb database but not a Palisade baseline",
                path.display()
            ),
            BaselineError::Schema { path, found } => write!(
                f,
                "{}: the baseline was written by another version of Palisade (layout {found}, \
                 expected {SCHEMA}); learn again into a new file",
                path.display()
            ),
        }
    }
}

impl std::error::Error for BaselineError {}

/// A rule's severity in Sigma's words, for [`RuleRef::level`].
fn level(severity: Severity) -> Level {
    match severity {
        Severity::Info => Level::Informational,
        Severity::Low => Level::Low,
        Severity::Medium => Level::Medium,
        Severity::High => Level::High,
        Severity::Critical => Level::Critical,
    }
}

/// The [`RuleRef`] of a built-in rule at one level (the level depends on the occurrence: a
/// function role raises it).
fn rule_ref(meta: &RuleMeta, severity: Severity) -> Arc<RuleRef> {
    Arc::new(RuleRef {
        code: meta.code.to_string(),
        title: meta.title.to_string(),
        level: level(severity),
        author: None,
        sigma_id: None,
        source: RuleSource::Builtin,
    })
}

/// One severity up, for a function role: its behaviour is set by its code, so anything new
/// is a stronger signal than for a person's role.
fn raised(severity: Severity) -> Severity {
    match severity {
        Severity::Info => Severity::Low,
        Severity::Low => Severity::Medium,
        Severity::Medium => Severity::High,
        Severity::High | Severity::Critical => Severity::Critical,
    }
}

//! The scan pipeline: discover the apps under a path, load them in parallel, run the rules,
//! apply suppressions and the baseline, and return findings in a deterministic order.
//!
//! Owns orchestration only: formats belong to `palisade-loaders`, security knowledge to the
//! analyzer crates, output to `palisade-report`. Nothing here writes to stdout.

mod baseline;
mod error;
mod scan;
mod suppress;

pub use baseline::{Baseline, BaselineEntry};
pub use error::EngineError;
pub use palisade_loaders::LoadSettings;
pub use scan::{
    DepsSettings, Input, NoProgress, Progress, RuleSelection, ScanResult, ScanSettings, Stats, scan,
};
pub use suppress::{ConfigIgnore, Suppressed, SuppressedBy};

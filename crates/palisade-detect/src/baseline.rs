//! Baselines (PAL530–PAL539): per function role and per principal, the API calls, source
//! addresses, regions and hourly rates seen over a training window (`palisade detect
//! --learn`), kept in a redb file; later runs report what is new and what is anomalous.

use std::path::Path;

use palisade_model::RuleMeta;

use crate::detection::Detection;
use crate::event::CloudTrailEvent;

/// Every rule of this module, for `palisade rules` and SARIF.
pub fn rules() -> Vec<&'static RuleMeta> {
    Vec::new()
}

/// What one run saw, per principal; mergeable, bounded by distinct keys.
#[derive(Debug, Default)]
pub struct Observations {}

impl Observations {
    pub fn observe(&mut self, _event: &CloudTrailEvent<'_>, _raw: &str, _origin: &crate::Origin) {}

    pub fn merge(&mut self, _other: Observations) {}
}

/// The baseline store.
pub struct BaselineStore {}

/// What `--learn` added.
#[derive(Debug, Default)]
pub struct LearnSummary {
    pub principals: usize,
    pub events: u64,
}

impl BaselineStore {
    /// Open or create the store at `path`.
    pub fn open(_path: &Path) -> Result<BaselineStore, String> {
        Ok(BaselineStore {})
    }

    /// Add a run's observations to the baseline.
    pub fn learn(&mut self, _obs: &Observations) -> Result<LearnSummary, String> {
        Ok(LearnSummary::default())
    }

    /// What in `obs` is new or anomalous against the baseline.
    pub fn compare(&self, _obs: &Observations, _out: &mut Vec<Detection>) -> Result<(), String> {
        Ok(())
    }
}

//! Palisade's detections on CloudTrail written for serverless (PAL501–PAL519): the ones that
//! need state or configuration are here; the ones Sigma can say ship as Sigma rules in
//! `rules/palisade/` (tagged `palisade.pal5xx`) and only their metadata is here.

use std::sync::Arc;

use palisade_model::RuleMeta;

use crate::detection::{DetectConfig, Detection, Origin};
use crate::event::CloudTrailEvent;

/// Every PAL5xx rule of this module, Sigma-shipped or not, for `palisade rules` and SARIF.
pub fn rules() -> Vec<&'static RuleMeta> {
    Vec::new()
}

/// The built-in CloudTrail detections, configured once and shared by every worker.
pub struct CloudTrailDetections {
    #[allow(dead_code)]
    config: Arc<DetectConfig>,
}

/// What the detections keep between events of one file; files are read in parallel and their
/// states merged in file order. Memory must stay bounded by distinct keys, not events.
#[derive(Debug, Default)]
pub struct CloudTrailState {}

impl CloudTrailState {
    pub fn merge(&mut self, _other: CloudTrailState) {}
}

impl CloudTrailDetections {
    pub fn new(config: Arc<DetectConfig>) -> Self {
        CloudTrailDetections { config }
    }

    /// Notes for the run summary (a detection that cannot run for lack of configuration).
    pub fn notes(&self) -> Vec<String> {
        Vec::new()
    }

    /// One event, in file order. `raw` is its JSON text.
    pub fn event(
        &self,
        _event: &CloudTrailEvent<'_>,
        _raw: &str,
        _origin: &Origin,
        _state: &mut CloudTrailState,
        _out: &mut Vec<Detection>,
    ) {
    }

    /// After the last event: detections over groups (bursts).
    pub fn finish(&self, _state: CloudTrailState, _out: &mut Vec<Detection>) {}
}

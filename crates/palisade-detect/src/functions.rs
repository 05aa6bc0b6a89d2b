//! Palisade's detections on function logs (PAL520–PAL529): injection payloads arriving in
//! logged events, `Task timed out` bursts, error and throttle spikes; and on API Gateway
//! access logs.

use std::sync::Arc;

use palisade_model::RuleMeta;

use crate::detection::{DetectConfig, Detection, Origin};

/// Every rule of this module, for `palisade rules` and SARIF.
pub fn rules() -> Vec<&'static RuleMeta> {
    Vec::new()
}

/// One message of a function's log group.
#[derive(Clone, Copy, Debug)]
pub struct LogMessage<'a> {
    /// The function's name (from `/aws/lambda/<name>`, else the fallback).
    pub function: &'a str,
    pub time_ms: Option<i64>,
    pub message: &'a str,
}

pub struct FunctionLogDetections {
    #[allow(dead_code)]
    config: Arc<DetectConfig>,
}

/// Mergeable per-file state; bounded by functions × time windows, not messages.
#[derive(Debug, Default)]
pub struct FunctionLogState {}

impl FunctionLogState {
    pub fn merge(&mut self, _other: FunctionLogState) {}
}

impl FunctionLogDetections {
    pub fn new(config: Arc<DetectConfig>) -> Self {
        FunctionLogDetections { config }
    }

    pub fn message(
        &self,
        _message: &LogMessage<'_>,
        _origin: &Origin,
        _state: &mut FunctionLogState,
        _out: &mut Vec<Detection>,
    ) {
    }

    pub fn access_log(
        &self,
        _entry: &palisade_logs::AccessLogEntry,
        _origin: &Origin,
        _state: &mut FunctionLogState,
        _out: &mut Vec<Detection>,
    ) {
    }

    pub fn finish(&self, _state: FunctionLogState, _out: &mut Vec<Detection>) {}
}

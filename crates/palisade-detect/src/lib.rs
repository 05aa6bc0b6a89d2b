//! Palisade's detection engine over logs: Sigma rules (through rsigma, wrapped) and
//! Palisade's own serverless detections (PAL5xx) on CloudTrail and function logs, with
//! baselines of what each role normally does. See `docs/design/sigma.md`.

mod all_rules;
pub mod baseline;
pub mod cloudtrail;
mod detection;
pub mod event;
pub mod functions;
mod pipeline;
mod sigma;
pub mod timeouts;

pub use all_rules::all_meta;
pub use detection::{
    DetectConfig, Detection, KnownFunction, Level, Origin, RuleRef, RuleSource, wildcard_match,
};
pub use event::CloudTrailEvent;
pub use pipeline::{
    Detector, FileCount, Outcome, collect_files, collect_files_and_links, function_name_of,
    function_of_request,
};
pub use sigma::{CorrelationHit, Correlator, Match, RuleInfo, RuleProblem, RuleSet};

//! Palisade's detection engine over logs (groundwork): Sigma rules loaded file by file with
//! their problems named, compiled once with rsigma, and matched against CloudTrail events.
//! Whole sub-objects (`requestParameters|contains: …`) are matched against their JSON text,
//! which rsigma's own JSON event does not do. See `docs/design/sigma.md`.

mod sigma;

pub use sigma::{Match, RuleInfo, RuleProblem, RuleSet};

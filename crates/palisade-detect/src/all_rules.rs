//! Every runtime rule's metadata, for `palisade rules`, SARIF and the docs.

use palisade_model::RuleMeta;

/// PAL5xx: the CloudTrail, function-log and baseline detections and the timeout check.
pub fn all_meta() -> Vec<&'static RuleMeta> {
    let mut all = crate::cloudtrail::rules();
    all.extend(crate::functions::rules());
    all.extend(crate::baseline::rules());
    all.extend(crate::timeouts::rules());
    all.sort_by_key(|m| m.code);
    all
}

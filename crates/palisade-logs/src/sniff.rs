//! What kind of log a file holds, from its first bytes.

use std::path::Path;

/// The kinds of log `palisade detect` reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogKind {
    /// CloudTrail: S3 delivery, JSON Lines exports, EventBridge events, single events.
    CloudTrail,
    /// CloudWatch Logs of Lambda functions: subscription payloads, `filter-log-events`
    /// output, text exports.
    FunctionLogs,
    /// API Gateway access logs in JSON.
    AccessLogs,
}

/// The kind of a file, or `None` when it is none of them (the caller names it as skipped).
/// Gzip is looked through.
pub fn sniff(_path: &Path) -> Option<LogKind> {
    None
}

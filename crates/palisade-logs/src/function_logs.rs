//! Lambda function log messages, one at a time, with their function, time and position.

use std::path::Path;

use crate::FileReport;
use crate::cwl::{RawMessage, walk};
use crate::timeouts::function_of_group;

/// One message of a function's log group.
#[derive(Clone, Copy, Debug)]
pub struct FunctionLogEntry<'a> {
    /// From `/aws/lambda/<name>`, else the fallback the caller gives.
    pub function: &'a str,
    /// The message's timestamp, milliseconds since the epoch: the log event's `timestamp`,
    /// a text export's leading time, or a JSON record's own `timestamp` / `time`.
    pub time_ms: Option<i64>,
    pub message: &'a str,
    /// `line 4`, `logEvents[2]`, `line 3 logEvents[0]`.
    pub at: &'a str,
}

/// Every message of a function log file, in order: subscription payloads (one per file or
/// one per line; `CONTROL_MESSAGE`s are skipped), `filter-log-events` output, text exports
/// (a line without a time continues the message before it), and bare JSON log records.
/// `fallback` names the function when the file does not.
pub fn read_function_logs(
    path: &Path,
    fallback: &str,
    on: &mut dyn FnMut(FunctionLogEntry<'_>),
) -> FileReport {
    walk(path, &mut |m: RawMessage<'_>, _report: &mut FileReport| {
        on(FunctionLogEntry {
            function: m.group.and_then(function_of_group).unwrap_or(fallback),
            time_ms: m.time_ms,
            message: m.message,
            at: m.at,
        });
    })
}

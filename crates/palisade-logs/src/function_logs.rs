//! Lambda function log messages and API Gateway access log entries, one at a time, with
//! their time and position.

use std::path::Path;

use crate::FileReport;

/// One message of a function's log group.
#[derive(Clone, Copy, Debug)]
pub struct FunctionLogEntry<'a> {
    /// From `/aws/lambda/<name>`, else the fallback the caller gives.
    pub function: &'a str,
    /// The message's timestamp, milliseconds since the epoch.
    pub time_ms: Option<i64>,
    pub message: &'a str,
    /// `line 4`, `logEvents[2]`, `line 3 logEvents[0]`.
    pub at: &'a str,
}

/// Every message of a function log file, in order.
pub fn read_function_logs(
    _path: &Path,
    _fallback: &str,
    _on: &mut dyn FnMut(FunctionLogEntry<'_>),
) -> FileReport {
    FileReport::default()
}

/// One API Gateway access log entry (JSON format): the fields Palisade reads, whatever the
/// user's `$context` names (`status`/`statusCode`, `ip`/`sourceIp`, ...).
#[derive(Clone, Debug, Default)]
pub struct AccessLogEntry {
    pub time_ms: Option<i64>,
    pub request_id: Option<String>,
    pub source_ip: Option<String>,
    pub method: Option<String>,
    pub path: Option<String>,
    /// The query string or the whole request line, when logged.
    pub query: Option<String>,
    pub status: Option<u16>,
    pub user_agent: Option<String>,
    /// The integration's (function's) error or latency fields, when logged.
    pub integration_status: Option<u16>,
    pub error: Option<String>,
    /// The API and stage, when logged.
    pub api_id: Option<String>,
    pub stage: Option<String>,
    /// The entry's JSON text.
    pub raw: String,
    /// `line 4`.
    pub at: String,
}

/// Every entry of an access log file, in order.
pub fn read_access_logs(_path: &Path, _on: &mut dyn FnMut(AccessLogEntry)) -> FileReport {
    FileReport::default()
}

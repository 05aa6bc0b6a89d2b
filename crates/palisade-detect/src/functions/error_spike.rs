//! PAL522: a function (or an API) failing far more often than it usually does.

use std::sync::LazyLock;

use palisade_model::{Area, Confidence, RuleMeta, Sas, Severity};
use regex::{RegexSet, RegexSetBuilder};

pub(crate) static META: RuleMeta = RuleMeta {
    code: "PAL522",
    name: "function-error-spike",
    title: "Spike of function errors",
    severity: Severity::Medium,
    confidence: Confidence::Medium,
    sas: Sas::S10,
    area: Area::Monitoring,
    fix: "Look at the errors of the spike (the first is in the evidence): a deployment, a failing dependency, or inputs crafted to make the function fail.",
    docs: r#"## What it does
Counts each function's errors in 5-minute buckets and fires on a bucket far above the
function's own typical rate. An error is a message that is one: an `ERROR`/`FATAL` level in
Lambda's application line (`<time>	<request id>	ERROR	…`, `[ERROR]` in Python) or in a JSON
log record (`"level": "ERROR"`, pino's 50 and 60), `Invoke Error`, a `Runtime.*Error`,
`Runtime.HandlerNotFound` and the like, an unhandled exception or rejection, the start of a
stack trace (`Traceback (most recent call last):`, `Exception in thread`, `panicked at`),
`Task timed out`, and a `REPORT` (or `platform.report`) with `Status: error` or `timeout`.
An invocation that logs an error line and ends with an error `REPORT` counts once (per
minute, the larger of the two counts is kept). On API Gateway access logs, an error is a
5xx status, counted per API and stage.

A bucket is a spike when its count is above `median + 5 × max(MAD, 1)` of all the
function's buckets from its first logged message to its last (idle buckets count as 0),
and at least 10. With fewer than 12 buckets (an hour) there is no typical rate to compare
with: a bucket is a spike from 20 errors. Consecutive spike buckets are one detection.

## Why is this bad?
A sudden rise of errors is what a broken deployment, a failing dependency, an exhausted
quota, or someone feeding the function inputs that make it fail (fuzzing, injection probes,
a denial of service) look like from the outside. Errors of a function behind a queue or a
stream are retried and can block it.

## Example
A function that logs 1 error in a typical 5 minutes logs 40 between 12:00 and 12:05.

## Fix
Read the errors of the spike (the first is in the evidence with its request id), correlate
with deployments (CloudTrail `UpdateFunctionCode`) and with the requests that caused them;
alarm on the function's `Errors` metric so the next spike is seen as it happens.

## References
- OWASP Serverless Top 10: S10:2017 Insufficient Logging and Monitoring
- Lambda function errors: https://docs.aws.amazon.com/lambda/latest/dg/invocation-retries.html
- Median absolute deviation: https://en.wikipedia.org/wiki/Median_absolute_deviation
"#,
};

/// Messages that say something failed; each pattern names a runtime's or a logger's own way
/// of saying so, never the bare word `error` (which `"errors": 0` also contains).
static ERROR_LINES: LazyLock<RegexSet> = LazyLock::new(|| {
    RegexSetBuilder::new([
        r"(?m)^[^\n]{0,80}?\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\s+(?:ERROR|FATAL)\b",
        r"(?m)^\s*\[(?:ERROR|CRITICAL|FATAL)\]\s",
        r#""(?:level|levelname|severity|log\.level)"\s*:\s*"(?i:error|fatal|critical|alert|emergency)""#,
        r#""level"\s*:\s*(?:50|60)\b"#,
        r"\bInvoke Error\b",
        r"\bRuntime\.(?:\w*Error|HandlerNotFound|OutOfMemory|Unknown|MalformedHandlerName|InvalidEntrypoint|CallbackHandlerDeprecated)\b",
        r"Traceback \(most recent call last\)",
        r"(?i)\b(?:unhandled|uncaught)\s*(?:promise\s+)?(?:exception|rejection|error)\b",
        r"\buncaughtException\b",
        r#"Exception in thread ""#,
        r"\bpanicked at\b",
        r"Task timed out after \d",
    ])
    .size_limit(32 << 20)
    .dfa_size_limit(32 << 20)
    .build()
    .unwrap_or_else(|_| RegexSet::empty())
});

/// Whether a message (not a platform line) reports an error.
pub(crate) fn is_error_line(message: &str) -> bool {
    ERROR_LINES.is_match(super::injection_payload::head(message, 16 * 1024))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_and_not_errors() {
        assert_eq!(ERROR_LINES.len(), 12);
        for yes in [
            "2024-05-01T12:00:00.000Z\t8edab1f8-7d34-4a8e-a965-15ccbbb78d4c\tERROR\tInvoke Error \t{\"errorType\":\"Error\"}",
            "[ERROR]\t2024-05-01T12:00:00.000Z\t8edab1f8-7d34-4a8e-a965-15ccbbb78d4c\tKeyError: 'id'",
            r#"{"timestamp":"2024-05-01T12:00:00Z","level":"ERROR","message":"boom"}"#,
            r#"{"level":50,"msg":"db down"}"#,
            r#"{"errorType":"Runtime.ImportModuleError","errorMessage":"Cannot find module 'x'"}"#,
            "Traceback (most recent call last):\n  File \"/var/task/app.py\", line 3",
            "Unhandled Promise Rejection",
            "thread 'main' panicked at src/main.rs:3:5",
            "2024-05-01T12:00:03.010Z 8edab1f8-7d34-4a8e-a965-15ccbbb78d4c Task timed out after 3.00 seconds",
        ] {
            assert!(is_error_line(yes), "{yes}");
        }
        for no in [
            "2024-05-01T12:00:00.000Z\t8edab1f8-7d34-4a8e-a965-15ccbbb78d4c\tINFO\tno errors found",
            r#"{"level":"INFO","message":"errors: 0","errorCount":0}"#,
            "at Runtime.handler (/var/task/index.js:12:5)",
            "error handling configured",
            r#"{"e":1583425836.114,"m":"aws.lambda.enhanced.errors","v":0}"#,
        ] {
            assert!(!is_error_line(no), "{no}");
        }
    }
}

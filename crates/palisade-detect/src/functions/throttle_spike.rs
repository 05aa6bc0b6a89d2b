//! PAL523: a function (or an API) throttled far more often than it usually is.

use std::sync::LazyLock;

use palisade_model::{Area, Confidence, RuleMeta, Sas, Severity};
use regex::Regex;

pub(crate) static META: RuleMeta = RuleMeta {
    code: "PAL523",
    name: "function-throttle-spike",
    title: "Spike of throttling",
    severity: Severity::Low,
    confidence: Confidence::Medium,
    sas: Sas::S10,
    area: Area::Monitoring,
    fix: "Find which limit was hit (the service named in the evidence): a burst of traffic, a retry storm, or a quota set too low; back off with jitter and raise or reserve capacity where needed.",
    docs: r#"## What it does
Counts, per function and 5-minute bucket, the messages that say a call was throttled
(`Rate exceeded`, `ThrottlingException`, `TooManyRequestsException`,
`ProvisionedThroughputExceededException`, `RequestLimitExceeded`, S3's `SlowDown`) and, per
API and stage in API Gateway access logs, the requests answered `429`. A bucket is a spike
with the same statistics as PAL522: above `median + 5 × max(MAD, 1)` of the subject's
buckets over the observed period (idle buckets count as 0) and at least 10; with fewer
than 12 buckets, from 20.

## Why is this bad?
Throttling in bursts is what a flood of requests (a denial of wallet, a scraping run), a
retry storm after a failure, or a function fanning out to a downstream service without
back-off look like. Throttled events of asynchronous triggers are retried and can be
dropped; throttled API calls fail for real users.

## Example
```
2024-05-01T12:00:00.000Z	8edab1f8-7d34-4a8e-a965-15ccbbb78d4c	ERROR	ThrottlingException: Rate exceeded
```
30 times in 5 minutes from a function that is usually never throttled.

## Fix
Read the throttled calls of the spike: retry with exponential back-off and jitter, cap the
function's concurrency where a downstream service cannot take more, raise the quota that
was hit, and put usage plans and throttling on public APIs.

## References
- OWASP Serverless Top 10: S10:2017 Insufficient Logging and Monitoring
- Lambda concurrency and throttling: https://docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html
- API Gateway throttling: https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html
"#,
};

static THROTTLE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"\b(?:Rate exceeded|ThrottlingException|TooManyRequestsException|ProvisionedThroughputExceededException|RequestLimitExceeded|SlowDown)\b",
    )
    .ok()
});

/// The throttling a message reports, if it reports one.
pub(crate) fn throttle(message: &str) -> Option<&str> {
    let text = super::injection_payload::head(message, 16 * 1024);
    THROTTLE.as_ref()?.find(text).map(|m| m.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throttles_and_not() {
        assert_eq!(
            throttle("ERROR\tThrottlingException: Rate exceeded"),
            Some("ThrottlingException")
        );
        assert_eq!(
            throttle(
                "ProvisionedThroughputExceededException: The level of configured provisioned throughput for the table was exceeded"
            ),
            Some("ProvisionedThroughputExceededException")
        );
        assert_eq!(
            throttle("S3 said SlowDown: Please reduce your request rate"),
            Some("SlowDown")
        );
        assert_eq!(throttle("throttling configured at 100 rps"), None);
        assert_eq!(throttle("rate limit ok"), None);
    }
}

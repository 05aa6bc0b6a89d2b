//! PAL521: several invocations of one function timing out within minutes.

use palisade_model::{Area, Confidence, RuleMeta, Sas, Severity};

pub(crate) static META: RuleMeta = RuleMeta {
    code: "PAL521",
    name: "function-timeout-burst",
    title: "Burst of function timeouts",
    severity: Severity::Medium,
    confidence: Confidence::High,
    sas: Sas::S10,
    area: Area::Monitoring,
    fix: "Find what the timed-out invocations were waiting on; bound every call with its own timeout and set the function's timeout from real durations (`palisade timeouts`).",
    docs: r#"## What it does
Counts the invocations of each function that timed out (`Task timed out after N seconds`, a
`REPORT` line with `Status: timeout`, or a `platform.report` record with `"status":
"timeout"`, counted once per invocation) in one-minute buckets, and fires when, within any
5 minutes, there are at least 5 timeouts, or at least 3 that make up 20 % or more of the
invocations (`REPORT` lines) in those minutes. Timeouts less than 5 minutes apart belong to
the same burst: one detection per burst, from its first timeout to its last.

## Why is this bad?
A function that times out in bursts is waiting on something that stopped answering (a
database, a third-party API, a DNS name), is being fed inputs that make it work far longer
(an algorithmic denial of service: a huge payload, a pathological regular expression), or is
looping. Every timed-out invocation is billed for the whole timeout, a retrying trigger
multiplies the cost, and callers see errors.

## Example
```
2024-05-01T12:00:03.010Z 8edab1f8-7d34-4a8e-a965-15ccbbb78d4c Task timed out after 3.00 seconds
```
six times in four minutes.

## Fix
Look at the timed-out requests (their ids are in the evidence): give every network call its
own timeout shorter than the function's, reject inputs larger than the function can handle,
and set the function's timeout from observed durations (`palisade timeouts`).

## References
- OWASP Serverless Top 10: S10:2017 Insufficient Logging and Monitoring
- Lambda function timeout: https://docs.aws.amazon.com/lambda/latest/dg/configuration-timeout.html
"#,
};

//! PAL508: an event source mapping that reads from another account.

use crate::detection::Detection;

use super::{Context, arn_account};

palisade_model::rule_meta! {
    /// ## What it does
    /// Reports a successful `CreateEventSourceMapping` whose `eventSourceArn` (an SQS queue, a
    /// Kinesis or DynamoDB stream, an MSK cluster, an MQ broker) belongs to an account that is
    /// not yours: not in `[detect] accounts` in `palisade.toml`, or, when that list is empty,
    /// neither the account that recorded the event nor the caller's.
    ///
    /// ## Why is this bad?
    /// The function now runs on whatever the other account puts in that queue or stream: data
    /// the other account controls drives your function, with your role. Attackers use it to
    /// trigger a backdoored function from outside, or to feed it crafted events.
    ///
    /// ## Example
    /// ```json
    /// {"eventSource": "lambda.amazonaws.com", "eventName": "CreateEventSourceMapping20150331",
    ///  "recipientAccountId": "123456789012",
    ///  "requestParameters": {"functionName": "orders-worker",
    ///    "eventSourceArn": "arn:aws:sqs:us-east-1:210987654321:jobs"}}
    /// ```
    ///
    /// ## Fix
    /// Delete the mapping unless the cross-account source was intended; if it was, treat its
    /// messages as untrusted input and list the account in `[detect] accounts`.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S1:2017 Injection
    /// - Event source mappings: https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventsourcemapping.html
    /// - MITRE ATT&CK T1546 Event Triggered Execution
    pub(crate) static META {
        code: "PAL508",
        name: "event-source-from-foreign-account",
        title: "Lambda event source mapping reads from another account",
        severity: Medium,
        confidence: Medium,
        sas: S1,
        area: Monitoring,
        fix: "Delete the mapping unless intended; treat cross-account events as untrusted input.",
    }
}

pub(super) fn check(cx: &Context<'_, '_>, out: &mut Vec<Detection>) {
    if cx.api() != Some("CreateEventSourceMapping") || !cx.succeeded() {
        return;
    }
    let Some(request) = cx.event.request() else {
        return;
    };
    let Some(source) = request
        .get("eventSourceArn")
        .and_then(serde_json::Value::as_str)
    else {
        return;
    };
    let Some(account) = arn_account(source).filter(|a| cx.is_foreign(a)) else {
        return;
    };
    let function = cx.function(Some(&request));
    let target = function.as_deref().unwrap_or("a function");
    let message = format!(
        "{} mapped {source} to {target}: the source belongs to account {account}, which is not one of yours",
        cx.principal()
    );
    let mut evidence = cx.base_evidence();
    evidence.push(("eventSourceArn".to_string(), source.to_string()));
    evidence.push(("sourceAccount".to_string(), account.to_string()));
    let key = format!("{target}|{source}");
    out.push(cx.detection(&META, function, message, evidence, key));
}

//! PAL503: a layer published by another account attached to a function.

use crate::detection::Detection;

use super::{Context, arn_account};

palisade_model::rule_meta! {
    /// ## What it does
    /// Reports a successful `UpdateFunctionConfiguration` or `CreateFunction` whose request
    /// attaches a layer published by an account that is not yours: not in `[detect] accounts`
    /// in `palisade.toml`, or, when that list is empty, neither the account that recorded the
    /// event nor the caller's.
    ///
    /// ## Why is this bad?
    /// The layer's code runs inside the function with its role, and its owner can publish a new
    /// version at any time: whoever controls that account controls code in your function. It
    /// is the supply-chain form of PAL502, and the way attackers reuse one malicious layer
    /// across many victims.
    ///
    /// ## Example
    /// ```json
    /// {"eventSource": "lambda.amazonaws.com", "eventName": "UpdateFunctionConfiguration20150331v2",
    ///  "recipientAccountId": "123456789012",
    ///  "requestParameters": {"functionName": "orders-api",
    ///    "layers": ["arn:aws:lambda:us-east-1:210987654321:layer:helper:3"]}}
    /// ```
    ///
    /// ## Fix
    /// Remove the layer unless its publisher is a vendor you trust (an AWS or monitoring
    /// vendor's layer); prefer copying vendor layers into your own account, pinned to a
    /// version, and list your accounts in `[detect] accounts`.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S9:2017 Using Components with Known Vulnerabilities
    /// - Lambda layers: https://docs.aws.amazon.com/lambda/latest/dg/chapter-layers.html
    /// - MITRE ATT&CK T1195.002 Compromise Software Supply Chain
    pub(crate) static META {
        code: "PAL503",
        name: "function-layer-from-foreign-account",
        title: "Layer from another account attached to a Lambda function",
        severity: High,
        confidence: Medium,
        sas: S9,
        area: Monitoring,
        fix: "Remove the layer unless its publisher is trusted; copy vendor layers into your own account and pin them.",
    }
}

pub(super) fn check(cx: &Context<'_, '_>, out: &mut Vec<Detection>) {
    if !matches!(
        cx.api(),
        Some("UpdateFunctionConfiguration" | "CreateFunction")
    ) || !cx.succeeded()
    {
        return;
    }
    let Some(request) = cx.event.request() else {
        return;
    };
    let Some(layers) = request.get("layers").and_then(serde_json::Value::as_array) else {
        return;
    };
    // The request gives layer ARNs as strings; accept `{"arn": …}` objects too, as the
    // response writes them.
    let foreign: Vec<(&str, &str)> = layers
        .iter()
        .filter_map(|l| l.as_str().or_else(|| l.get("arn")?.as_str()))
        .filter_map(|arn| Some((arn, arn_account(arn)?)))
        .filter(|(_, account)| cx.is_foreign(account))
        .collect();
    if foreign.is_empty() {
        return;
    }
    let function = cx.function(Some(&request));
    let target = function.as_deref().unwrap_or("a function");
    let arns: Vec<&str> = foreign.iter().map(|(arn, _)| *arn).collect();
    let mut accounts: Vec<&str> = foreign.iter().map(|(_, a)| *a).collect();
    accounts.dedup();
    let message = format!(
        "{} attached to {target} the layer {} published by account {}, which is not one of yours",
        cx.principal(),
        arns.join(", "),
        accounts.join(", ")
    );
    let mut evidence = cx.base_evidence();
    evidence.push(("layers".to_string(), arns.join(", ")));
    evidence.push(("publisher".to_string(), accounts.join(", ")));
    let key = format!("{}|{target}|{}", cx.principal(), arns.join(","));
    out.push(cx.detection(&META, function, message, evidence, key));
}

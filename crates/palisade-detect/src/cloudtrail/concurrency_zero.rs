//! PAL507, shipped as Sigma: `rules/palisade/function_concurrency_zero.yml`.

palisade_model::rule_meta! {
    /// ## What it does
    /// Reports a successful `PutFunctionConcurrency` with `reservedConcurrentExecutions: 0`.
    /// Shipped as the Sigma rule `rules/palisade/function_concurrency_zero.yml`.
    ///
    /// ## Why is this bad?
    /// A function with zero reserved concurrency never runs: every invocation is throttled.
    /// It is the documented way to stop a function in an emergency, and for an attacker a
    /// one-call denial of service, or a way to silence a function that does security work
    /// (an alerting or remediation function).
    ///
    /// ## Example
    /// ```json
    /// {"eventSource": "lambda.amazonaws.com", "eventName": "PutFunctionConcurrency20171031",
    ///  "requestParameters": {"functionName": "orders-api", "reservedConcurrentExecutions": 0}}
    /// ```
    ///
    /// ## Fix
    /// If no operator stopped the function on purpose, restore its concurrency
    /// (`DeleteFunctionConcurrency` or the previous value) and find out who made the call.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S6:2017 Security Misconfiguration
    /// - Reserved concurrency: https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html
    /// - MITRE ATT&CK T1499 Endpoint Denial of Service
    pub(crate) static META {
        code: "PAL507",
        name: "function-concurrency-zero",
        title: "Lambda function throttled to zero concurrency",
        severity: High,
        confidence: High,
        sas: S6,
        area: Monitoring,
        fix: "Restore the function's concurrency unless an operator stopped it on purpose, and find out who made the call.",
    }
}

//! PAL502, shipped as Sigma: `rules/palisade/function_layer_attached.yml`.

palisade_model::rule_meta! {
    /// ## What it does
    /// Reports a successful `UpdateFunctionConfiguration` or `CreateFunction` whose request sets
    /// `layers`: a layer was attached to a function. Shipped as the Sigma rule
    /// `rules/palisade/function_layer_attached.yml`.
    ///
    /// ## Why is this bad?
    /// A layer's code is unpacked into `/opt` and runs inside the function: an extension runs
    /// beside the handler, a wrapper before it, and both hold the execution role's credentials
    /// and see every event. Attaching a layer changes what the function runs without changing
    /// its code, so code review and code signing of the function do not see it.
    ///
    /// ## Example
    /// ```json
    /// {"eventSource": "lambda.amazonaws.com", "eventName": "UpdateFunctionConfiguration20150331v2",
    ///  "requestParameters": {"functionName": "orders-api",
    ///    "layers": ["arn:aws:lambda:us-east-1:210987654321:layer:helper:3"]}}
    /// ```
    ///
    /// ## Fix
    /// Check that the change came from your deployment pipeline (PAL501 does it when deployers
    /// are configured) and that the layer is one you built or reviewed; otherwise restore the
    /// previous configuration and rotate the execution role's credentials.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S5:2017 Broken Access Control
    /// - AWS Lambda layers: https://docs.aws.amazon.com/lambda/latest/dg/chapter-layers.html
    /// - MITRE ATT&CK T1546 Event Triggered Execution
    pub(crate) static META {
        code: "PAL502",
        name: "function-layer-attached",
        title: "Layer attached to a Lambda function",
        severity: Medium,
        confidence: Medium,
        sas: S5,
        area: Monitoring,
        fix: "Confirm the change came from your pipeline and the layer is yours; otherwise restore the configuration and rotate the role's credentials.",
    }
}

//! PAL504, shipped as Sigma: `rules/palisade/function_url_public.yml`.

palisade_model::rule_meta! {
    /// ## What it does
    /// Reports a function URL created or changed with `authType: NONE`
    /// (`CreateFunctionUrlConfig`, `UpdateFunctionUrlConfig`), and an `AddPermission` that
    /// grants `lambda:InvokeFunctionUrl` to the principal `*`. Shipped as the Sigma rule
    /// `rules/palisade/function_url_public.yml`.
    ///
    /// ## Why is this bad?
    /// A function URL with no IAM authentication is an HTTPS endpoint that anyone can call.
    /// Created outside the deployment, it is a back door into the function and through it
    /// into everything its execution role can reach; created on purpose, the function must do
    /// its own authentication.
    ///
    /// ## Example
    /// ```json
    /// {"eventSource": "lambda.amazonaws.com", "eventName": "CreateFunctionUrlConfig20211031",
    ///  "requestParameters": {"functionName": "orders-api", "authType": "NONE"}}
    /// ```
    ///
    /// ## Fix
    /// Use `authType: AWS_IAM` (and sign the callers' requests), or put the function behind API
    /// Gateway with an authorizer. If the URL was not meant to exist, delete it
    /// (`DeleteFunctionUrlConfig`) and remove the permission statement.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S2:2017 Broken Authentication
    /// - Function URL access control: https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html
    /// - MITRE ATT&CK T1190 Exploit Public-Facing Application
    pub(crate) static META {
        code: "PAL504",
        name: "function-url-public",
        title: "Lambda function URL open to anyone",
        severity: High,
        confidence: High,
        sas: S2,
        area: Monitoring,
        fix: "Use authType AWS_IAM or an API Gateway authorizer; delete URLs that should not exist.",
    }
}

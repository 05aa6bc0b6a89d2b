//! PAL505, shipped as Sigma: `rules/palisade/function_policy_public.yml`.

palisade_model::rule_meta! {
    /// ## What it does
    /// Reports a successful `AddPermission` on a function with the principal `*` that is not
    /// restricted to an AWS Organization (`principalOrgID`). Grants of
    /// `lambda:InvokeFunctionUrl` are left to PAL504. Shipped as the Sigma rule
    /// `rules/palisade/function_policy_public.yml`.
    ///
    /// ## Why is this bad?
    /// The function's resource policy now lets any AWS account call the granted action. An
    /// attacker who had the right to change the policy once keeps access through it after their
    /// own credentials are revoked: a resource-policy back door.
    ///
    /// ## Example
    /// ```json
    /// {"eventSource": "lambda.amazonaws.com", "eventName": "AddPermission20150331v2",
    ///  "requestParameters": {"functionName": "orders-api", "statementId": "x",
    ///    "action": "lambda:InvokeFunction", "principal": "*"}}
    /// ```
    ///
    /// ## Fix
    /// Remove the statement (`RemovePermission`), and grant the service or account that needs
    /// the function by name, with `SourceArn` and `SourceAccount` for services.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S5:2017 Broken Access Control
    /// - AddPermission: https://docs.aws.amazon.com/lambda/latest/api/API_AddPermission.html
    /// - MITRE ATT&CK T1098 Account Manipulation
    pub(crate) static META {
        code: "PAL505",
        name: "function-policy-public",
        title: "Lambda function policy grants any principal",
        severity: High,
        confidence: High,
        sas: S5,
        area: Monitoring,
        fix: "Remove the statement and grant the service or account that needs the function by name, with SourceArn/SourceAccount.",
    }
}

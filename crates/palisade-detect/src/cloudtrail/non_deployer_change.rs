//! PAL501: a function changed by a principal that is not one of the configured deployers.

use crate::detection::{Detection, wildcard_match};

use super::Context;

palisade_model::rule_meta! {
    /// ## What it does
    /// Reports a successful Lambda call that changes a function (its code, configuration,
    /// permissions, URL, aliases, versions, concurrency, event source mappings, or the function
    /// itself: created or deleted) made by a principal that matches none of the deployer
    /// patterns in `palisade.toml` (`[detect] deployers = ["arn:aws:iam::123456789012:role/deploy-*"]`,
    /// `*` as a wildcard). An assumed role matches by its role ARN or its session ARN. Without
    /// deployers configured the detection does not run, and the run says so.
    ///
    /// ## Why is this bad?
    /// Functions should change only through the deployment pipeline, where the code was
    /// reviewed and the template checked. A change from a developer's console session, a
    /// federated user or another account bypasses all of that, and is what a compromised
    /// credential does first: replace the code, add a layer, open a permission.
    ///
    /// ## Example
    /// ```json
    /// {"eventSource": "lambda.amazonaws.com", "eventName": "UpdateFunctionCode20150331v2",
    ///  "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::123456789012:user/john"},
    ///  "requestParameters": {"functionName": "orders-api"}}
    /// ```
    ///
    /// ## Fix
    /// Find out who made the change and why; redeploy from the pipeline to restore the
    /// function. Deny `lambda:Update*`, `lambda:AddPermission` and the like to everyone but the
    /// deployment roles (an SCP or permission boundaries). If the principal is a legitimate
    /// deployer, add it to `deployers`.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S5:2017 Broken Access Control
    /// - Lambda API actions logged by CloudTrail: https://docs.aws.amazon.com/lambda/latest/dg/logging-using-cloudtrail.html
    /// - MITRE ATT&CK T1525 Implant Internal Image
    pub(crate) static META {
        code: "PAL501",
        name: "function-changed-by-non-deployer",
        title: "Lambda function changed by a principal that is not a deployer",
        severity: High,
        confidence: Medium,
        sas: S5,
        area: Monitoring,
        fix: "Restore the function from the pipeline and restrict changes to the deployment roles; add legitimate deployers to [detect] deployers.",
    }
}

/// Lambda APIs that change a function or what can reach it (names without the version).
const CHANGES: &[&str] = &[
    "AddPermission",
    "CreateAlias",
    "CreateEventSourceMapping",
    "CreateFunction",
    "CreateFunctionUrlConfig",
    "DeleteAlias",
    "DeleteEventSourceMapping",
    "DeleteFunction",
    "DeleteFunctionCodeSigningConfig",
    "DeleteFunctionConcurrency",
    "DeleteFunctionEventInvokeConfig",
    "DeleteFunctionUrlConfig",
    "DeleteProvisionedConcurrencyConfig",
    "PublishVersion",
    "PutFunctionCodeSigningConfig",
    "PutFunctionConcurrency",
    "PutFunctionEventInvokeConfig",
    "PutFunctionRecursionConfig",
    "PutProvisionedConcurrencyConfig",
    "PutRuntimeManagementConfig",
    "RemovePermission",
    "UpdateAlias",
    "UpdateEventSourceMapping",
    "UpdateFunctionCode",
    "UpdateFunctionConfiguration",
    "UpdateFunctionEventInvokeConfig",
    "UpdateFunctionUrlConfig",
];

pub(super) fn check(cx: &Context<'_, '_>, out: &mut Vec<Detection>) {
    if cx.config.deployers.is_empty() || !cx.succeeded() {
        return;
    }
    let Some(api) = cx.api().filter(|a| CHANGES.contains(a)) else {
        return;
    };
    let Some(id) = cx.event.user_identity.as_ref() else {
        return;
    };
    // AWS services acting for themselves (Lambda's own housekeeping) are not principals the
    // user deploys with.
    if id.kind.as_deref() == Some("AWSService") {
        return;
    }
    let principal = cx.principal();
    let session = id.arn.as_deref();
    let is_deployer = cx.config.deployers.iter().any(|pattern| {
        wildcard_match(pattern, &principal) || session.is_some_and(|s| wildcard_match(pattern, s))
    });
    if is_deployer {
        return;
    }
    let request = cx.event.request();
    let function = cx.function(request.as_ref());
    let target = function.as_deref().unwrap_or("a function");
    let message =
        format!("{api} on {target} by {principal}, which matches none of the configured deployers");
    let mut evidence = cx.base_evidence();
    if let Some(kind) = id.kind.as_deref() {
        evidence.push(("identityType".to_string(), kind.to_string()));
    }
    evidence.push(("deployers".to_string(), cx.config.deployers.join(", ")));
    let key = format!("{principal}|{target}|{api}");
    out.push(cx.detection(&META, function, message, evidence, key));
}

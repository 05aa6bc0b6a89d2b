use palisade_model::{ApiKind, App, Auth, Severity};

use crate::{Checker, Rule};

declare_rule! {
    /// ## What it does
    /// Finds API Gateway routes (REST, HTTP and WebSocket APIs) that anyone can call: no IAM
    /// authorization, no Cognito, JWT or Lambda authorizer on the method, and none by default on
    /// the API. SAM's `DefaultAuthorizer`, per-event `Authorizer: NONE` overrides, inline OpenAPI
    /// `security` requirements and API keys are all taken into account.
    ///
    /// ## Why is this bad?
    /// An unauthenticated route hands every caller on the internet the function's permissions.
    /// An API key alone does not change this: it identifies a client for usage plans and is sent
    /// in clear by every browser that uses it; it does not authenticate a user.
    ///
    /// ## Example
    /// ```yaml
    /// Orders:
    ///   Type: AWS::Serverless::Function
    ///   Properties:
    ///     Events:
    ///       Delete: {Type: Api, Properties: {Path: "/orders/{id}", Method: delete}}
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// Globals:
    ///   Api:
    ///     Auth:
    ///       DefaultAuthorizer: CognitoAuth
    ///       Authorizers:
    ///         CognitoAuth: {UserPoolArn: !GetAtt Users.Arn}
    /// ```
    ///
    /// ## Fix
    /// Set a default authorizer on the API (and `Authorizer: NONE` only on routes that must be
    /// public, with a suppression that says why), or use `AWS_IAM` for service-to-service calls.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S2:2017 Broken Authentication
    /// - <https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-control-access-to-api.html>
    pub(crate) struct ApiRouteWithoutAuthorization {
        code: "PAL108",
        name: "api-route-without-authorization",
        title: "API route without authorization",
        severity: High,
        confidence: High,
        sas: S2,
        area: Configuration,
        fix: "Give the API a default authorizer (Cognito, JWT, Lambda or AWS_IAM) and override it only where a route must be public.",
    }
}

impl Rule for ApiRouteWithoutAuthorization {
    fn check(&self, app: &App, cx: &mut Checker<'_>) {
        for api in &app.apis {
            if api.is_private() {
                continue;
            }
            for route in &api.routes {
                if route.method == "OPTIONS" || !matches!(route.auth, Auth::None) {
                    continue;
                }
                // WebSocket APIs authorize at `$connect` only.
                if api.kind == ApiKind::WebSocket && route.path != "$connect" {
                    continue;
                }
                let target = route
                    .function
                    .as_deref()
                    .map(|f| format!(" → {f}"))
                    .unwrap_or_default();
                let name = format!(
                    "{} {} of {} {}{target}",
                    route.method,
                    route.path,
                    api.kind.label(),
                    api.id
                );
                let (message, severity) = match (route.api_key_required, api.resource_policy) {
                    (true, _) => (
                        format!(
                            "{name} is protected only by an API key, which identifies a client but authenticates no one"
                        ),
                        Severity::Medium,
                    ),
                    (false, Some(_)) => (
                        format!(
                            "{name} has no authorization: only the API's resource policy limits who can call it"
                        ),
                        Severity::Medium,
                    ),
                    (false, None) => (
                        format!("{name} has no authorization: anyone on the internet can call it"),
                        Severity::High,
                    ),
                };
                let mut r = cx
                    .report(route.span, message)
                    .api(api)
                    .at(format!("Route:{} {}", route.method, route.path))
                    .severity(severity);
                if let Some(f) = &route.function {
                    r = r.for_function(f);
                }
                if let Some(span) = route.auth_span {
                    r = r.related("authorization decided here", span);
                }
                if let Some(span) = api.resource_policy {
                    r = r.related("the API's resource policy", span);
                }
                r.emit();
            }
        }
    }
}

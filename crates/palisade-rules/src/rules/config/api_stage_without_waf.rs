use palisade_model::{ApiKind, App, Confidence, Severity};

use crate::{Checker, Rule};

declare_rule! {
    /// ## What it does
    /// Finds deployed REST API stages that no AWS WAF web ACL protects. For HTTP and WebSocket
    /// APIs, which AWS WAF cannot be attached to, it reports that fact once per API (as
    /// information) instead of a misconfiguration.
    ///
    /// ## Why is this bad?
    /// A WAF in front of an API blocks common injection payloads, known-bad IPs and bots, and
    /// enforces rate-based rules before a request reaches (and bills) the function. Without one,
    /// every request is the function's problem. Most event sources other than HTTP have no WAF at
    /// all, so the HTTP front door is the one place it can help.
    ///
    /// ## Example
    /// ```yaml
    /// Api:
    ///   Type: AWS::Serverless::Api
    ///   Properties:
    ///     StageName: prod
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// ApiWaf:
    ///   Type: AWS::WAFv2::WebACLAssociation
    ///   Properties:
    ///     ResourceArn: !Sub arn:${AWS::Partition}:apigateway:${AWS::Region}::/restapis/${Api}/stages/prod
    ///     WebACLArn: !GetAtt WebAcl.Arn
    /// ```
    ///
    /// ## Fix
    /// Associate a regional WAFv2 web ACL (AWS managed rule groups plus a rate-based rule) with the
    /// stage. For HTTP APIs, put CloudFront with a WAF in front, or use a REST API.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S6:2017 Security Misconfiguration
    /// - <https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-control-access-aws-waf.html>
    pub(crate) struct ApiStageWithoutWaf {
        code: "PAL118",
        name: "api-stage-without-waf",
        title: "API stage without a WAF",
        severity: Medium,
        confidence: High,
        sas: S6,
        area: Configuration,
        fix: "Associate a WAFv2 web ACL with the stage (REST APIs), or put CloudFront with a WAF in front (HTTP APIs).",
    }
}

impl Rule for ApiStageWithoutWaf {
    fn check(&self, app: &App, cx: &mut Checker<'_>) {
        for api in &app.apis {
            if api.is_private() {
                continue;
            }
            if api.kind != ApiKind::Rest {
                cx.report(
                    api.span,
                    format!(
                        "{} {} cannot be associated with AWS WAF (only REST APIs can): nothing inspects \
                         its requests before the function unless CloudFront with a WAF is put in front",
                        api.kind.label(),
                        api.id
                    ),
                )
                .api(api)
                .at("Waf")
                .severity(Severity::Info)
                .confidence(Confidence::High)
                .fix("Put CloudFront with an AWS WAF web ACL in front of the API, or use a REST API where a WAF is required.")
                .emit();
                continue;
            }
            for stage in &api.stages {
                let name = stage.name.render();
                // A WAF created only under a condition protects the stage only then.
                if let Some(waf) = stage.waf.as_deref().and_then(|id| app.resource(id)) {
                    let Some(cond) = &waf.condition else { continue };
                    cx.report(
                        stage.span,
                        format!("stage {name} of REST API {} has a WAF web ACL only when condition `{cond}` holds", api.id),
                    )
                    .api(api)
                    .at(format!("Stage:{name}/Waf"))
                    .confidence(Confidence::Medium)
                    .related(format!("WAF association {}", waf.id), waf.span)
                    .emit();
                    continue;
                }
                if stage.waf.is_some() {
                    continue;
                }
                cx.report(
                    stage.span,
                    format!("stage {name} of REST API {} has no WAF web ACL", api.id),
                )
                .api(api)
                .at(format!("Stage:{name}/Waf"))
                .emit();
            }
        }
    }
}

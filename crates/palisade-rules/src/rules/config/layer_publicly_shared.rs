use palisade_model::{App, ResourceKind};

use crate::{Checker, Rule};

declare_rule! {
    /// ## What it does
    /// Finds Lambda layers shared with every AWS account (`AWS::Lambda::LayerVersionPermission`
    /// with `Principal: "*"`).
    ///
    /// ## Why is this bad?
    /// A public layer lets anyone download its code: internal libraries, configuration and any
    /// secret packaged by mistake become public, and attackers can study the code your functions
    /// run for weaknesses.
    ///
    /// ## Example
    /// ```yaml
    /// SharedLayerPublic:
    ///   Type: AWS::Lambda::LayerVersionPermission
    ///   Properties:
    ///     LayerVersionArn: !Ref SharedLayer
    ///     Action: lambda:GetLayerVersion
    ///     Principal: "*"
    /// ```
    ///
    /// Use instead: share with named accounts, or with your organization (`OrganizationId`).
    ///
    /// ## Fix
    /// Replace `Principal: "*"` with account ids, or add `OrganizationId`.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S5:2017 Broken Access Control
    /// - <https://docs.aws.amazon.com/lambda/latest/dg/permissions-layer-cross-account.html>
    pub(crate) struct LayerPubliclyShared {
        code: "PAL130",
        name: "layer-publicly-shared",
        title: "Lambda layer shared with every AWS account",
        severity: Medium,
        confidence: High,
        sas: S5,
        area: Configuration,
        fix: "Share the layer with named accounts or your organization only.",
    }
}

impl Rule for LayerPubliclyShared {
    fn check(&self, app: &App, cx: &mut Checker<'_>) {
        for res in &app.resources {
            if let ResourceKind::Layer { public: true, .. } = res.kind {
                // Point at the `Principal: "*"` of the permission that shares the layer.
                let span = app
                    .resources
                    .iter()
                    .filter(|r| r.resource_type == "AWS::Lambda::LayerVersionPermission")
                    .filter_map(|r| r.properties.as_ref())
                    .filter(|p| {
                        p.get("OrganizationId").is_none_or(|o| o.is_null())
                            && p.get("LayerVersionArn")
                                .and_then(|v| v.text())
                                .and_then(|t| t.sole_reference())
                                .is_some_and(|id| id == res.id)
                    })
                    .filter_map(|p| p.get("Principal"))
                    .find(|v| v.as_str() == Some("*"))
                    .map_or(res.span, |v| v.span);
                cx.report(
                    span,
                    format!("layer {} is shared with every AWS account", res.id),
                )
                .resource(res)
                .at("Permission")
                .emit();
            }
        }
    }
}

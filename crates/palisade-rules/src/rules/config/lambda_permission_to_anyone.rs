use palisade_model::{App, Severity};

use crate::{Checker, Rule};

declare_rule! {
    /// ## What it does
    /// Finds Lambda permissions (statements of a function's resource policy) whose principal is `*`
    /// with no `SourceArn`, `SourceAccount` or `PrincipalOrgID` to narrow it.
    ///
    /// ## Why is this bad?
    /// `Principal: "*"` lets any AWS account (and, for a function URL with `FunctionUrlAuthType:
    /// NONE`, anyone at all) invoke the function. Resource policies are easy to overlook in review
    /// because they sit apart from the function, which makes them a favourite persistence trick:
    /// `lambda:AddPermission` to `*` is a classic backdoor.
    ///
    /// ## Example
    /// ```yaml
    /// OpenInvoke:
    ///   Type: AWS::Lambda::Permission
    ///   Properties:
    ///     FunctionName: !Ref Orders
    ///     Action: lambda:InvokeFunction
    ///     Principal: "*"
    /// ```
    ///
    /// Use instead: name the calling principal (an account, a role, a service with `SourceArn`).
    ///
    /// ## Fix
    /// Replace `*` with the exact principal that must invoke the function, and for services add
    /// `SourceArn` and `SourceAccount`.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S5:2017 Broken Access Control
    /// - <https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html>
    pub(crate) struct LambdaPermissionToAnyone {
        code: "PAL106",
        name: "lambda-permission-to-anyone",
        title: "Lambda permission grants invocation to any principal",
        severity: High,
        confidence: High,
        sas: S5,
        area: Configuration,
        fix: "Replace Principal \"*\" with the principal that must invoke the function.",
    }
}

impl Rule for LambdaPermissionToAnyone {
    fn check(&self, app: &App, cx: &mut Checker<'_>) {
        for (res, p) in app.permissions() {
            let anyone = p
                .principal
                .possible()
                .iter()
                .any(|t| t.literal() == Some("*"));
            if !anyone
                || p.source_arn.is_some()
                || p.source_account.is_some()
                || p.principal_org_id.is_some()
            {
                continue;
            }
            let url_public = p
                .function_url_auth_type
                .as_ref()
                .and_then(|t| t.get())
                .is_some_and(|t| t.eq_ignore_ascii_case("NONE"));
            let target = p
                .function
                .clone()
                .unwrap_or_else(|| p.function_ref.render());
            let action = p.action.render();
            let (message, severity) = if url_public {
                (
                    format!(
                        "{} lets anyone on the internet call the function URL of {target} ({action}, Principal *)",
                        res.id
                    ),
                    Severity::High,
                )
            } else {
                (
                    format!(
                        "{} lets any AWS account invoke {target} ({action}, Principal *, no SourceArn, SourceAccount or PrincipalOrgID)",
                        res.id
                    ),
                    Severity::Critical,
                )
            };
            let mut r = cx
                .report(p.principal_span, message)
                .resource(res)
                .severity(severity);
            if let Some(f) = &p.function {
                r = r.for_function(f);
            }
            r.emit();
        }
    }
}

use palisade_model::{App, ResourceKind};

use crate::{Checker, Rule};

declare_rule! {
    /// ## What it does
    /// Finds functions with no log group declared for their logs, or whose log group has no
    /// retention period.
    ///
    /// ## Why is this bad?
    /// When no log group is declared, Lambda creates `/aws/lambda/<name>` on first use, outside the
    /// template: with no retention (logs kept forever, sensitive data included), no encryption
    /// key, no subscription to your monitoring, and left behind when the stack is deleted. Logs that
    /// are not managed are logs nobody watches.
    ///
    /// ## Example
    /// ```yaml
    /// Orders:
    ///   Type: AWS::Serverless::Function
    ///   Properties:
    ///     Handler: app.handler
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// OrdersLogs:
    ///   Type: AWS::Logs::LogGroup
    ///   Properties:
    ///     LogGroupName: !Sub /aws/lambda/${Orders}
    ///     RetentionInDays: 90
    /// ```
    ///
    /// ## Fix
    /// Declare the function's log group in the template with `RetentionInDays` (and `KmsKeyId`),
    /// or point `LoggingConfig.LogGroup` at one.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S10:2017 Insufficient Logging and Monitoring
    /// - <https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs.html>
    pub(crate) struct FunctionLogRetentionNotSet {
        code: "PAL115",
        name: "function-log-retention-not-set",
        title: "Function logs without a managed log group and retention",
        severity: Low,
        confidence: High,
        sas: S10,
        area: Monitoring,
        fix: "Declare the function's log group with RetentionInDays.",
    }
}

impl Rule for FunctionLogRetentionNotSet {
    fn check(&self, app: &App, cx: &mut Checker<'_>) {
        for f in &app.functions {
            match f.log_group.as_deref().and_then(|id| app.resource(id)) {
                None => {
                    if f.logging_config_group.is_some() {
                        // The group is named but lives outside this app.
                        continue;
                    }
                    cx.report(
                        f.span,
                        format!(
                            "{} has no log group declared: Lambda creates one on first use, with logs kept forever",
                            f.id
                        ),
                    )
                    .function(f)
                    .at("LogGroup")
                    .emit();
                }
                Some(group) => {
                    let ResourceKind::LogGroup(g) = &group.kind else {
                        continue;
                    };
                    if g.retention_days.is_some() {
                        continue;
                    }
                    cx.report(
                        group.span,
                        format!(
                            "log group {} of {} has no RetentionInDays: logs are kept forever",
                            group.id, f.id
                        ),
                    )
                    .function(f)
                    .at("LogGroup")
                    .related(format!("log group {}", group.id), group.span)
                    .emit();
                }
            }
        }
    }
}

use palisade_model::{App, PolicyDocument, Resource, ResourceKind};

use crate::helpers::{PublicStatement, public_statements};
use crate::{Checker, Rule};

declare_rule! {
    /// ## What it does
    /// Finds SQS queue and SNS topic policies with an `Allow` statement for any principal and no
    /// condition that narrows it.
    ///
    /// ## Why is this bad?
    /// A queue or topic anyone can send to is an injection point into every function it triggers;
    /// one anyone can read from leaks every message; one anyone can manage can be redirected. The
    /// functions downstream trust these messages as if they came from your own services.
    ///
    /// ## Example
    /// ```yaml
    /// JobsPolicy:
    ///   Type: AWS::SQS::QueuePolicy
    ///   Properties:
    ///     Queues: [!Ref Jobs]
    ///     PolicyDocument:
    ///       Statement:
    ///         - {Effect: Allow, Principal: "*", Action: sqs:SendMessage, Resource: !GetAtt Jobs.Arn}
    /// ```
    ///
    /// Use instead: name the sending principal, or condition the statement on `aws:SourceArn` /
    /// `aws:SourceAccount` of the service that sends.
    ///
    /// ## Fix
    /// Replace the wildcard principal or add conditions that restrict it.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S5:2017 Broken Access Control
    /// - <https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-basic-examples-of-sqs-policies.html>
    pub(crate) struct ResourcePolicyPublic {
        code: "PAL129",
        name: "resource-policy-public",
        title: "Queue or topic policy open to any principal",
        severity: High,
        confidence: High,
        sas: S5,
        area: Configuration,
        fix: "Name the principals that may use the queue or topic, or restrict the wildcard with conditions.",
    }
}

fn check_policy(cx: &mut Checker<'_>, res: &Resource, policy: &PolicyDocument, what: &str) {
    for PublicStatement {
        stmt,
        actions,
        all_but,
        span,
    } in public_statements(policy)
    {
        let allowed = match &all_but {
            Some(excluded) => format!("do anything except {}", excluded.join(", ")),
            None => actions.join(", "),
        };
        cx.report(
            span,
            format!(
                "the policy of {what} {} allows any principal to {allowed}",
                res.id
            ),
        )
        .resource(res)
        .at(format!("Policy/{}", stmt.label()))
        .emit();
    }
}

impl Rule for ResourcePolicyPublic {
    fn check(&self, app: &App, cx: &mut Checker<'_>) {
        for res in &app.resources {
            match &res.kind {
                ResourceKind::Queue(q) => {
                    if let Some(p) = &q.policy {
                        check_policy(cx, res, p, "queue");
                    }
                }
                ResourceKind::Topic(t) => {
                    if let Some(p) = &t.policy {
                        check_policy(cx, res, p, "topic");
                    }
                }
                _ => {}
            }
        }
    }
}

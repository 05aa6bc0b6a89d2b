use palisade_iam::{Boundary, catalog};
use palisade_model::App;

use crate::least_privilege::compared_with_roles;
use crate::{Checker, Rule};

declare_rule! {
    /// ## What it does
    /// Finds AWS SDK calls in a function's code whose IAM action the function's role does not
    /// grant (after its denies and permissions boundary), and calls whose operation is only
    /// known at run time on a service the role grants nothing of.
    ///
    /// Roles Palisade cannot read completely (a customer managed policy outside the app, an
    /// action written as an expression) are left alone: the action may be granted there.
    ///
    /// ## Why is this bad?
    /// The call fails with `AccessDenied` when it runs, usually on a path tests did not take.
    /// The quick fix under pressure is a wildcard (`dynamodb:*` on `*`), which is how
    /// over-permissioned roles are born; a call that only works because of credentials from
    /// somewhere else (keys in the environment, another role assumed in code) bypasses the
    /// function's role altogether.
    ///
    /// ## Example
    /// ```python
    /// sqs.send_message(QueueUrl=os.environ["JOBS_URL"], MessageBody=order_id)
    /// ```
    /// with a role that has only `DynamoDBCrudPolicy`.
    ///
    /// Use instead: grant `sqs:SendMessage` on the queue (`SQSSendMessagePolicy` in SAM).
    ///
    /// ## Fix
    /// Grant the action on the resource the code uses (`palisade iam least-privilege` writes
    /// the statement), or remove the call if the function should not make it.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S5:2017 Broken Access Control
    /// - <https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html>
    pub(crate) struct CodeCallsActionNotGranted {
        code: "PAL216",
        name: "code-calls-action-not-granted",
        title: "Function's code calls an AWS action its role does not grant",
        severity: Low,
        confidence: Medium,
        sas: S5,
        area: Iam,
        fix: "Grant the action on the resource the code uses, or remove the call.",
    }
}

impl Rule for CodeCallsActionNotGranted {
    fn check(&self, app: &App, cx: &mut Checker<'_>) {
        let view = cx.iam();
        for (f, cmp, rv) in compared_with_roles(app, view) {
            let eff = &rv.effective;
            if !rv.unread.is_empty() || eff.unresolved > 0 {
                continue;
            }
            let limit = match &eff.boundary {
                Boundary::Known { .. } => " (within its permissions boundary)",
                _ => "",
            };
            for a in &cmp.needed.actions {
                if cmp.granted.contains(a.action.id) {
                    continue;
                }
                let Some(first) = a.calls.first() else {
                    continue;
                };
                let name = a.action.full_name();
                let on = match a.resources.as_slice() {
                    [one] if !one.is_any() => format!(" on {}", one.expr.render()),
                    _ => String::new(),
                };
                let mut r = cx
                    .report(
                        *first,
                        format!(
                            "{} calls {name}{on}, which its role {} does not grant{limit}",
                            f.id, rv.role.id
                        ),
                    )
                    .function(f)
                    .at(format!("Calls/{name}"))
                    .related(format!("role {}", rv.role.id), rv.role.span);
                for other in a.calls.iter().skip(1) {
                    r = r.related("also called here", *other);
                }
                r.emit();
            }
            let c = catalog();
            for u in &cmp.needed.unresolved {
                let Some(service) = u.service else { continue };
                let prefix = format!("service {service}, ");
                let why = u.reason.strip_prefix(&prefix).unwrap_or(&u.reason);
                if cmp
                    .granted
                    .intersects(&c.expand_set(&format!("{service}:*")))
                {
                    continue;
                }
                cx.report(
                    u.span,
                    format!(
                        "{} calls {service} ({}), and its role {} grants no {service} action{limit}",
                        f.id, why, rv.role.id
                    ),
                )
                .function(f)
                .at(format!("Calls/{service}:*"))
                .related(format!("role {}", rv.role.id), rv.role.span)
                .emit();
            }
        }
    }
}

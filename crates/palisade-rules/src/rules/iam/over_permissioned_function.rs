use palisade_model::App;

use crate::least_privilege::compared_with_roles;
use crate::{Checker, Rule};

declare_rule! {
    /// ## What it does
    /// Compares what a function's role grants with what its code calls (the AWS SDK calls the
    /// code analysis finds in the handler, mapped to IAM actions, plus the three CloudWatch
    /// Logs actions every function needs), and finds roles that grant at least four times as
    /// many actions as the code needs and at least 20 actions it never uses.
    ///
    /// A call whose operation is chosen at run time keeps every action of its service as
    /// possibly needed, so it never inflates the count.
    ///
    /// ## Why is this bad?
    /// Over-permissioned functions are the most common serverless IAM weakness. Whatever the
    /// role grants beyond what the code calls is unused until someone injects code or commands
    /// into the function: then it is what the attacker gets, on every resource it covers. A
    /// function that writes one table does not need to delete tables, read every bucket or
    /// pass roles.
    ///
    /// ## Example
    /// ```yaml
    /// Orders:
    ///   Type: AWS::Serverless::Function
    ///   Properties:
    ///     Policies:
    ///       - AmazonDynamoDBFullAccess   # the code only calls table.put_item
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    ///     Policies:
    ///       - Statement:
    ///           - Effect: Allow
    ///             Action: dynamodb:PutItem
    ///             Resource: !GetAtt OrdersTable.Arn
    /// ```
    ///
    /// ## Fix
    /// Replace the role's policies with the actions the code calls, on its own resources:
    /// `palisade iam least-privilege` writes that policy for the template's format. Code the
    /// analysis cannot see (a library that calls AWS itself) may need more; test the function
    /// with the new policy.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S5:2017 Broken Access Control
    /// - <https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege>
    pub(crate) struct OverPermissionedFunction {
        code: "PAL215",
        name: "over-permissioned-function",
        title: "Function's role grants far more than its code calls",
        severity: Medium,
        confidence: Medium,
        sas: S5,
        area: Iam,
        fix: "Grant only the actions the code calls, on its own resources (`palisade iam least-privilege` writes the policy).",
    }
}

/// The role grants at least this many times the actions the code needs…
const MIN_RATIO: f64 = 4.0;
/// …and at least this many actions the code never uses.
const MIN_UNUSED: usize = 20;

impl Rule for OverPermissionedFunction {
    fn check(&self, app: &App, cx: &mut Checker<'_>) {
        let view = cx.iam();
        for (f, cmp, rv) in compared_with_roles(app, view) {
            let unused = cmp.over.len();
            let ratio = cmp.ratio();
            if unused < MIN_UNUSED || ratio < MIN_RATIO {
                continue;
            }
            let calls = cmp.needed.actions.len();
            let needs = if calls == 0 {
                format!(
                    "its code makes no AWS call, so it needs only the {} Lambda logs actions",
                    cmp.needed_set.len()
                )
            } else {
                format!(
                    "its code calls {}, {} with the Lambda logs basics",
                    plural(calls, "action", "actions"),
                    cmp.needed_set.len()
                )
            };
            let mut message = format!(
                "the role {} of {} grants {} actions; {needs}: {ratio:.1} times that, {unused} \
                 granted actions unused",
                rv.role.id,
                f.id,
                cmp.granted.len(),
            );
            let unresolved = cmp.needed.unresolved.len();
            if unresolved > 0 {
                message.push_str(&format!(
                    " ({} whose operation is not known keep{} their services' actions)",
                    plural(unresolved, "call", "calls"),
                    if unresolved == 1 { "s" } else { "" }
                ));
            }
            let mut r = cx
                .report(rv.role.span, message)
                .function(f)
                .at("Role")
                .related(
                    format!("entry point `{}`", cmp.code.entry_name),
                    cmp.code.entry,
                );
            for u in &cmp.needed.unresolved {
                r = r.related(format!("call on {}: {}", u.client, u.reason), u.span);
            }
            r.emit();
        }
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

use palisade_model::App;

use crate::helpers::functions_of;
use crate::{Checker, Rule};

declare_rule! {
    /// ## What it does
    /// Finds execution roles used by more than one function.
    ///
    /// ## Why is this bad?
    /// A shared role has the union of what every function using it needs, so each function gets
    /// permissions it never uses, and a compromise of the least important function reaches the data
    /// of the most important one. Per-function roles are what make least privilege possible.
    ///
    /// ## Example
    /// ```yaml
    /// Orders:
    ///   Properties: {Role: !GetAtt AppRole.Arn}
    /// Reports:
    ///   Properties: {Role: !GetAtt AppRole.Arn}
    /// ```
    ///
    /// Use instead: one role per function (SAM creates one when `Role` is omitted and `Policies`
    /// is used).
    ///
    /// ## Fix
    /// Give each function its own role with only the permissions its code uses.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S5:2017 Broken Access Control
    /// - <https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html>
    pub(crate) struct RoleSharedByFunctions {
        code: "PAL207",
        name: "role-shared-by-functions",
        title: "Execution role shared by several functions",
        severity: Medium,
        confidence: High,
        sas: S5,
        area: Iam,
        fix: "Give each function its own execution role.",
    }
}

impl Rule for RoleSharedByFunctions {
    fn check(&self, app: &App, cx: &mut Checker<'_>) {
        for role in &app.roles {
            let fs = functions_of(app, role);
            if fs.len() < 2 {
                continue;
            }
            let names: Vec<&str> = fs.iter().map(|f| f.id.as_str()).collect();
            let mut r = cx
                .report(
                    role.span,
                    format!(
                        "role {} is the execution role of {} functions: {}",
                        role.id,
                        fs.len(),
                        names.join(", ")
                    ),
                )
                .role(role)
                .at("SharedBy");
            for f in &fs {
                r = r.related(format!("used by {}", f.id), f.span);
            }
            r.emit();
        }
    }
}

use palisade_iam::escalations;
use palisade_model::{App, PrincipalKind, Severity};

use super::mod_helpers::{attach, who};
use crate::helpers::functions_of;
use crate::iam_view::{RoleView, risk_category};
use crate::{Checker, Rule};

declare_rule! {
    /// ## What it does
    /// Finds roles that compute services can assume (EC2, ECS tasks, EKS, Lambda, and the other
    /// services that run code: Batch, CodeBuild, Glue, SageMaker…). For a role that functions of
    /// the app use, services other than Lambda are reported (Lambda is why the role exists). A
    /// role that no function of the app uses (an account's roles, read from its authorization
    /// details) is reported when it also holds a risk: administrator access, a
    /// privilege-escalation method, or permissions-management, data-read or credential actions
    /// on any resource.
    ///
    /// ## Why is this bad?
    /// Every instance, task or job launched with the role gets its permissions, and these run
    /// long, are reachable from networks, and are often less watched than a function. Someone
    /// able to run commands on them (`ssm:SendCommand`, a vulnerable web server) acts with the
    /// role.
    ///
    /// ## Example
    /// ```yaml
    ///     AssumeRolePolicyDocument:
    ///       Statement:
    ///         - Effect: Allow
    ///           Principal: {Service: [lambda.amazonaws.com, ec2.amazonaws.com]}
    ///           Action: sts:AssumeRole
    /// ```
    ///
    /// ## Fix
    /// Give each compute service its own role; keep function roles trusted by Lambda only.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S5:2017 Broken Access Control
    /// - <https://cloudsplaining.readthedocs.io/en/latest/glossary/assumable-by-compute-service/>
    pub(crate) struct RoleAssumableByComputeService {
        code: "PAL214",
        name: "role-assumable-by-compute-service",
        title: "Role can be assumed by compute services",
        severity: Low,
        confidence: High,
        sas: S5,
        area: Iam,
        fix: "Trust only the service that runs with the role; give other compute its own role.",
    }
}

/// Service principals of AWS services that run customer code with a role.
const COMPUTE: &[&str] = &[
    "lambda.amazonaws.com",
    "ec2.amazonaws.com",
    "ecs-tasks.amazonaws.com",
    "eks.amazonaws.com",
    "eks-fargate-pods.amazonaws.com",
    "batch.amazonaws.com",
    "codebuild.amazonaws.com",
    "glue.amazonaws.com",
    "sagemaker.amazonaws.com",
    "states.amazonaws.com",
    "elasticmapreduce.amazonaws.com",
    "apprunner.amazonaws.com",
];

impl Rule for RoleAssumableByComputeService {
    fn check(&self, app: &App, cx: &mut Checker<'_>) {
        for role in &app.roles {
            let Some(trust) = &role.trust else { continue };
            let used_by_functions = !functions_of(app, role).is_empty();
            for stmt in trust.statements.iter().filter(|s| s.is_allow()) {
                let Some(p) = &stmt.principal else { continue };
                let services: Vec<&str> = p
                    .patterns(&PrincipalKind::Service)
                    .into_iter()
                    .filter_map(|i| i.text.literal())
                    .filter(|s| COMPUTE.contains(s))
                    .filter(|s| !(used_by_functions && *s == "lambda.amazonaws.com"))
                    .collect();
                if services.is_empty() {
                    continue;
                }
                let (severity, why) = if used_by_functions {
                    (
                        Severity::Low,
                        " besides the functions that use it".to_string(),
                    )
                } else {
                    let risks = cx.iam().of(role).map(risks_of).unwrap_or_default();
                    if risks.is_empty() {
                        continue;
                    }
                    (
                        Severity::Medium,
                        format!(
                            ", and code run there holds its permissions: {}",
                            risks.join(", ")
                        ),
                    )
                };
                let r = cx.report(
                    p.span(),
                    format!(
                        "{} can be assumed by {}{why}",
                        who(app, role),
                        services.join(", ")
                    ),
                );
                attach(r, app, role)
                    .at(format!("Trust/{}/Compute", stmt.label()))
                    .severity(severity)
                    .emit();
            }
        }
    }
}

/// The risks a role's permissions hold, named for a message.
fn risks_of(view: &RoleView<'_>) -> Vec<&'static str> {
    let eff = &view.effective;
    if eff.is_administrator() {
        return vec!["every action (administrator)"];
    }
    let mut out = Vec::new();
    if !escalations(eff).is_empty() {
        out.push("privilege escalation");
    }
    let open = eff.unconstrained(true);
    // Write actions on any resource are too common (every function writes its logs) to make
    // a compute role worth a finding on their own.
    for (category, name) in [
        ("resource-exposure", "resource exposure"),
        ("data-exfiltration", "data exfiltration"),
        ("credentials-exposure", "credentials exposure"),
    ] {
        if open.intersects(risk_category(category)) {
            out.push(name);
        }
    }
    out
}

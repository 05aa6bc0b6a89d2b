use std::collections::BTreeSet;

use palisade_iam::{AccessLevel, catalog};
use palisade_model::{App, Confidence, Severity};

use super::mod_helpers::{
    OnAnyResource, attach, existence, on_any_resource, owned_severity, statement_path, through, who,
};
use super::policy_lint::list_names;
use crate::{Checker, Rule};

declare_rule! {
    /// ## What it does
    /// Finds `Allow` statements in a role's own policies that grant write, tagging or
    /// permissions-management actions on `Resource: "*"` (or with `NotResource`), when those
    /// actions can be restricted to specific resources. Action patterns are expanded against the
    /// IAM action catalog; actions that only accept `"*"` (such as `cloudwatch:PutMetricData`) are
    /// not reported, nor are those an explicit Deny or the permissions boundary takes away.
    ///
    /// ## Why is this bad?
    /// `Resource: "*"` turns "may write to the orders table" into "may write to every table, bucket,
    /// queue or key of that kind in the account", including other applications' data; tagging
    /// any resource defeats access control based on tags. With
    /// permissions-management actions (`s3:PutBucketPolicy`, `kms:PutKeyPolicy`), the function can
    /// open resources to anyone.
    ///
    /// ## Example
    /// ```yaml
    ///       - {Effect: Allow, Action: [s3:PutObject, s3:DeleteObject], Resource: "*"}
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    ///       - {Effect: Allow, Action: [s3:PutObject, s3:DeleteObject], Resource: !Sub "${Uploads.Arn}/*"}
    /// ```
    ///
    /// ## Fix
    /// Name the resources (ARNs built with `!Sub`/`!GetAtt`) the function writes to.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S5:2017 Broken Access Control
    /// - <https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html>
    pub(crate) struct IamWriteOnAnyResource {
        code: "PAL203",
        name: "iam-write-on-any-resource",
        title: "Policy allows write or permissions-management actions on any resource",
        severity: High,
        confidence: High,
        sas: S5,
        area: Iam,
        fix: "Scope the statement's Resource to the ARNs the principal writes to.",
    }
}

/// How many action names a message lists before "and N more".
const LISTED: usize = 5;

impl Rule for IamWriteOnAnyResource {
    fn check(&self, app: &App, cx: &mut Checker<'_>) {
        for role in &app.roles {
            // What explicit denies and the permissions boundary leave of the role's grants.
            let allowed = cx.iam().of(role).map(|v| v.effective.allowed());
            for any in on_any_resource(role) {
                let OnAnyResource {
                    doc,
                    stmt,
                    resource,
                    actions,
                    ..
                } = any;
                let mut found: BTreeSet<(bool, String)> = BTreeSet::new();
                for (pattern, _) in actions.literals() {
                    // `*` and `service:*` have rules of their own.
                    if pattern == "*" || pattern.ends_with(":*") {
                        continue;
                    }
                    for a in catalog().expand(pattern) {
                        // iam:PassRole on `*` has a rule of its own (PAL204).
                        if !a.supports_resource_scoping()
                            || !any.opens(a)
                            || (a.service == "iam" && a.name == "PassRole")
                            || allowed.as_ref().is_some_and(|s| !s.contains(a.id))
                        {
                            continue;
                        }
                        match a.access {
                            AccessLevel::PermissionsManagement => {
                                found.insert((false, a.full_name()));
                            }
                            // Tags decide access under attribute-based access control.
                            AccessLevel::Write | AccessLevel::Tagging => {
                                found.insert((true, a.full_name()));
                            }
                            _ => {}
                        }
                    }
                }
                if found.is_empty() {
                    continue;
                }
                let permissions = found.iter().any(|(write, _)| !write);
                let names: Vec<String> = found.iter().map(|(_, n)| n.clone()).collect();
                let listed = list_names(&names, LISTED);
                let writes = found.iter().any(|(write, _)| *write);
                let kind = match (permissions, writes) {
                    (true, true) => "permissions-management and write",
                    (true, false) => "permissions-management",
                    _ => "write",
                };
                // A `Condition` limits when the statement applies, not where.
                let (condition, confidence) = if stmt.has_condition() {
                    (" (under a condition)", Confidence::Medium)
                } else {
                    ("", Confidence::High)
                };
                let (severity, why) = owned_severity(
                    doc,
                    if permissions {
                        Severity::High
                    } else {
                        Severity::Medium
                    },
                );
                let r = cx.report(
                    resource.span,
                    format!(
                        "{} may use {kind} actions on any resource ({listed}){condition}, through {}{why}",
                        who(app, role),
                        through(role, doc, stmt)
                    ),
                );
                attach(r, app, role)
                    .at(statement_path(doc, stmt))
                    .severity(severity)
                    .confidence(confidence)
                    .truth(&existence(doc, stmt, Some(resource)))
                    .emit();
            }
        }
    }
}

use palisade_iam::escalations;
use palisade_model::{App, Confidence, RoleKind};

use super::mod_helpers::{attach, who};
use super::policy_lint::list_names;
use crate::{Checker, Rule};

declare_rule! {
    /// ## What it does
    /// Finds principals that can escalate their own privileges: roles (and, in an account's
    /// authorization details, users and groups) allowed every action of one of 63 known
    /// privilege-escalation methods (Rhino Security Labs, pathfinding.cloud, PMapper) without
    /// resource constraint, such as `iam:CreatePolicyVersion`, `iam:PassRole` with
    /// `lambda:CreateFunction` and `lambda:InvokeFunction`, or `iam:PutRolePolicy`. It judges the
    /// principal's effective permissions across all of its policies, so a method split over two
    /// policies of one role is found. Administrators have nothing to escalate to and are left to
    /// PAL201 and PAL205.
    ///
    /// ## Why is this bad?
    /// A function whose role can escalate is one injection away from administrator: an attacker
    /// who runs code in the function uses the role to grant itself more, and from there the
    /// account.
    ///
    /// ## Example
    /// ```yaml
    ///     Policies:
    ///       - Statement:
    ///           - {Effect: Allow, Action: iam:PassRole, Resource: "*"}
    ///       - Statement:
    ///           - {Effect: Allow, Action: [lambda:CreateFunction, lambda:InvokeFunction], Resource: "*"}
    /// ```
    ///
    /// Use instead: no IAM write actions for application functions; `iam:PassRole` only on the
    /// specific roles a function must hand over, with `iam:PassedToService`.
    ///
    /// ## Fix
    /// Remove the IAM and compute-creation actions the function does not need, or scope them to
    /// specific resources; each related location shows the statement that grants an action of the
    /// method.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S5:2017 Broken Access Control
    /// - <https://rhinosecuritylabs.com/aws/aws-privilege-escalation-methods-mitigation/>
    /// - <https://pathfinding.cloud/>
    pub(crate) struct PrivilegeEscalation {
        code: "PAL208",
        name: "privilege-escalation",
        title: "Principal can escalate its privileges",
        severity: High,
        confidence: High,
        sas: S5,
        area: Iam,
        fix: "Remove or scope the IAM and compute-creation actions that make up the escalation path.",
    }
}

/// How many methods a message names before "and N more".
const NAMED: usize = 4;

/// How many granting statements a finding lists as related locations.
const RELATED: usize = 24;

impl Rule for PrivilegeEscalation {
    fn check(&self, app: &App, cx: &mut Checker<'_>) {
        for view in &cx.iam().roles {
            // An administrator has nothing to escalate to; PAL201/PAL205 report it.
            if view.effective.is_administrator() {
                continue;
            }
            let found = escalations(&view.effective);
            if found.is_empty() {
                continue;
            }
            let conditional = found.iter().all(|e| e.conditional);
            let names: Vec<String> = found.iter().map(|e| e.combo.id.clone()).collect();
            let first = found
                .first()
                .and_then(|e| e.through.first())
                .and_then(|(_, grants)| grants.first())
                .map_or(view.role.span, |g| g.span());
            let can = if view.role.kind == RoleKind::ManagedPolicy {
                "lets whoever holds it escalate privileges"
            } else {
                "can escalate its privileges"
            };
            let mut message = format!(
                "{} {can} by {} method{}: {}",
                who(app, view.role),
                found.len(),
                if found.len() == 1 { "" } else { "s" },
                list_names(&names, NAMED)
            );
            if conditional {
                message.push_str(" (only through statements with conditions)");
            }
            let r = cx.report(first, message);
            let mut r = attach(r, app, view.role).at("PrivilegeEscalation");
            if conditional {
                r = r.confidence(Confidence::Medium);
            }
            let mut listed = 0;
            'methods: for e in &found {
                for (action, grants) in &e.through {
                    let Some(g) = grants.first() else { continue };
                    if listed == RELATED {
                        break 'methods;
                    }
                    listed += 1;
                    r = r.related(
                        format!(
                            "{}: {action} via {} {}",
                            e.combo.id,
                            g.doc.source.describe(),
                            g.stmt.label()
                        ),
                        g.span(),
                    );
                }
            }
            r.emit();
        }
    }
}

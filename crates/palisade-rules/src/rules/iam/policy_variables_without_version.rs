use palisade_model::{App, Span, Truth};

use super::mod_helpers::{attach, existence};
use super::policy_lint::{list_names, policy_variables, texts_of, written_documents};
use crate::{Checker, Rule};

declare_rule! {
    /// ## What it does
    /// Finds policy documents, among those a template writes, that use policy variables
    /// (`${aws:username}`, `${aws:PrincipalTag/team}`, `${aws:SourceIdentity}`, `${*}`, …) in
    /// a `Resource`, `NotResource` or condition value, but whose `Version` is absent or
    /// `2008-10-17`. In CloudFormation a variable is written `${!aws:username}` inside `!Sub`,
    /// which leaves the literal `${aws:username}` in the policy; Palisade reads it so.
    ///
    /// ## Why is this bad?
    /// Policy variables exist only in policy language version `2012-10-17`. Without a `Version`
    /// IAM assumes `2008-10-17`, where `${aws:username}` is plain text: the resource
    /// `arn:aws:s3:::home/${aws:username}/*` matches no real object, so the `Allow` grants
    /// nothing (or a `Deny` or condition meant to confine each user to their own prefix does
    /// not apply). SAM inline statements are passed on as written: SAM adds no `Version`.
    ///
    /// ## Example
    /// ```yaml
    ///       Policies:
    ///         - Statement:
    ///             - Effect: Allow
    ///               Action: s3:GetObject
    ///               Resource: arn:aws:s3:::tenant-data/${aws:PrincipalTag/tenant}/*
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    ///         - Version: "2012-10-17"
    ///           Statement: …
    /// ```
    ///
    /// ## Fix
    /// Declare `Version: "2012-10-17"` in the policy document.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S6:2017 Security Misconfiguration
    /// - <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html>
    /// - <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html>
    pub(crate) struct PolicyVariablesWithoutVersion {
        code: "PAL226",
        name: "policy-variables-without-version",
        title: "Policy uses variables without Version 2012-10-17",
        severity: Medium,
        confidence: High,
        sas: S6,
        area: Iam,
        fix: "Declare Version: \"2012-10-17\" in the policy document.",
    }
}

impl Rule for PolicyVariablesWithoutVersion {
    fn check(&self, app: &App, cx: &mut Checker<'_>) {
        for (role, doc) in written_documents(app) {
            let (why, version_truth) = match &doc.version {
                None => (
                    "has no Version (IAM then applies version 2008-10-17)".to_string(),
                    Truth::Always,
                ),
                Some(v) => match v.test(|s| s.trim() == "2008-10-17") {
                    Truth::Never | Truth::Unknown(_) => continue,
                    t => ("declares Version 2008-10-17".to_string(), t),
                },
            };
            // (variable, where it is, statement)
            let mut uses: Vec<(String, Span, &palisade_model::Statement, &'static str)> =
                Vec::new();
            for stmt in &doc.statements {
                for (field, patterns) in [
                    ("Resource", &stmt.resource),
                    ("NotResource", &stmt.not_resource),
                ] {
                    for item in patterns.iter().flat_map(|p| &p.items) {
                        for var in policy_variables(&item.text) {
                            uses.push((var, item.span, stmt, field));
                        }
                    }
                }
                if let Some(c) = &stmt.condition {
                    let mut texts = Vec::new();
                    texts_of(c, &mut texts);
                    for (text, span) in texts {
                        for var in policy_variables(&text) {
                            uses.push((var, span, stmt, "Condition"));
                        }
                    }
                }
            }
            let Some((_, span, stmt, field)) = uses.first() else {
                continue;
            };
            let mut names: Vec<String> = Vec::new();
            for (v, ..) in &uses {
                if !names.contains(v) {
                    names.push(v.clone());
                }
            }
            let plural = if names.len() == 1 {
                "variable"
            } else {
                "variables"
            };
            let r = cx.report(
                *span,
                format!(
                    "{} uses the policy {plural} {} ({} of {}{}) but {why}: in that version policy variables are literal text, which no request matches; declare Version \"2012-10-17\"",
                    doc.source.describe(),
                    list_names(&names, 3),
                    field,
                    stmt.label(),
                    match uses.len() {
                        1 => String::new(),
                        n => format!(", {} more place{}", n - 1, if n == 2 { "" } else { "s" }),
                    },
                ),
            );
            let mut r = attach(r, app, role)
                .at(format!("{}/Version", doc.source.describe()))
                .truth(&match version_truth {
                    Truth::Always => existence(doc, stmt, None),
                    t => t,
                });
            if let Some(v) = &doc.version {
                r = r.related("the document's Version", v.span);
            }
            for (var, span, stmt, field) in uses.iter().skip(1).take(5) {
                r = r.related(format!("{var} in {field} of {}", stmt.label()), *span);
            }
            r.emit();
        }
    }
}

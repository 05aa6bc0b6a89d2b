use palisade_iam::{Action, ArnPattern, catalog};
use palisade_model::{App, Effect, PatternItem};

use super::mod_helpers::{attach, existence, statement_path};
use super::policy_lint::{list_names, shown, unresolved, written_documents};
use crate::{Checker, Rule};

declare_rule! {
    /// ## What it does
    /// Finds resources in the policies a template writes that cannot be a resource of the
    /// actions their statement names explicitly (actions without wildcards, in `Action`),
    /// judged against the ARN formats of the Service Authorization Reference:
    ///
    /// - a resource that matches no resource type of any of the statement's actions
    ///   (`s3:GetObject` on `arn:aws:s3:::my-bucket`, which is a bucket, not an object);
    /// - an action that matches none of the statement's resources, when other resources of the
    ///   statement serve other actions (`[s3:GetObject, s3:ListBucket]` on the bucket only);
    /// - an action that supports no resource-level permissions (`cloudwatch:PutMetricData`,
    ///   `xray:PutTraceSegments`) on a specific ARN: it only ever matches `Resource: "*"`.
    ///
    /// A placeholder of an ARN format (`${BucketName}`) matches any text without `:` (nor `/`
    /// when the format continues with `/`); the last placeholder matches anything, so
    /// qualified ARNs (`function:my-fn:prod`, `log-group:/aws/lambda/my-fn:*`) fit, and
    /// `s3:ListBucket` on `arn:aws:s3:::my-bucket/*` is let through. Parts of a resource given
    /// by `!Ref`, `!GetAtt` or `!Sub` variables match anything (the account, region, partition
    /// and URL suffix pseudo parameters anything without `:` or `/`), as do policy variables;
    /// `Resource: "*"`, `NotResource` and resources that are wholly a reference are not judged.
    ///
    /// ## Why is this bad?
    /// IAM matches the request's resource against the statement's patterns: a pattern of the
    /// wrong shape never matches, so the permission is silently missing in an `Allow` (and the
    /// usual "fix" is `Resource: "*"`), or the resource is silently unprotected by a `Deny`.
    ///
    /// ## Example
    /// ```yaml
    ///           - Effect: Allow
    ///             Action: [s3:GetObject, s3:PutObject]
    ///             Resource: arn:aws:s3:::invoices-bucket
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    ///             Resource: arn:aws:s3:::invoices-bucket/*
    /// ```
    ///
    /// ## Fix
    /// Write the resource in the ARN format of the action's resource type (objects are
    /// `bucket/key`, tables `table/name`, …), or use `Resource: "*"` for actions that support no
    /// resource-level permissions.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S6:2017 Security Misconfiguration
    /// - <https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html>
    /// - <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html>
    pub(crate) struct ResourceMismatch {
        code: "PAL221",
        name: "resource-mismatch",
        title: "Resource cannot match the statement's actions",
        severity: Medium,
        confidence: High,
        sas: S6,
        area: Iam,
        fix: "Write resources in the ARN format of the actions' resource types, or * for actions without resource-level permissions.",
    }
}

/// An action the statement names without wildcards, with the ARN formats it takes.
struct Named<'a> {
    item: &'a PatternItem,
    name: String,
    /// The resource types it acts on; empty when the action takes only `*`.
    types: Vec<Format>,
}

/// A resource type of an action: name, ARN format, whether the action requires it, pattern.
type Format = (&'static str, &'static str, bool, ArnPattern);

impl Named<'_> {
    fn fits(&self, resource: &ArnPattern) -> bool {
        self.types.iter().any(|(.., p)| p.overlaps(resource))
    }
}

/// The action's resource types with their ARN formats; `None` when the catalog names a type it
/// does not describe (then nothing is judged for the action).
fn formats(action: &Action) -> Option<Vec<Format>> {
    let service = catalog().service(action.service)?;
    action
        .resource_types
        .iter()
        .map(|(name, required)| {
            let t = service.resource_types.iter().find(|t| t.name == *name)?;
            Some((t.name, t.arn, *required, ArnPattern::from_template(t.arn)))
        })
        .collect()
}

/// `object (arn:${Partition}:s3:::${BucketName}/${ObjectName})`: the resource types of
/// `actions`, the required ones when an action has some.
fn expected(actions: &[&Named<'_>]) -> String {
    let mut seen: Vec<(&str, &str)> = Vec::new();
    for a in actions {
        let required = a.types.iter().any(|(_, _, r, _)| *r);
        for (name, arn, r, _) in &a.types {
            if (*r || !required) && !seen.iter().any(|(_, x)| x == arn) {
                seen.push((name, arn));
            }
        }
    }
    let shown: Vec<String> = seen
        .iter()
        .take(3)
        .map(|(n, arn)| format!("{n} ({arn})"))
        .collect();
    match seen.len().saturating_sub(3) {
        0 => shown.join(", "),
        more => format!("{} and {more} more", shown.join(", ")),
    }
}

fn names(actions: &[&Named<'_>]) -> Vec<String> {
    actions.iter().map(|a| a.name.clone()).collect()
}

impl Rule for ResourceMismatch {
    fn check(&self, app: &App, cx: &mut Checker<'_>) {
        let c = catalog();
        for (role, doc) in written_documents(app) {
            for stmt in &doc.statements {
                let (Some(actions), Some(resources)) = (&stmt.action, &stmt.resource) else {
                    continue;
                };
                if stmt.not_action.is_some() || stmt.not_resource.is_some() {
                    continue;
                }
                let effect = if stmt.effect.get() == Some(&Effect::Deny) {
                    "Deny"
                } else {
                    "Allow"
                };
                // Actions named without wildcards; any other action item (a wildcard, an
                // unknown action, a reference) may be what a resource is there for.
                let mut named: Vec<Named<'_>> = Vec::new();
                let mut others = false;
                for item in &actions.items {
                    let found = item
                        .text
                        .literal()
                        .map(str::trim)
                        .filter(|p| !p.contains(['*', '?']))
                        .and_then(|p| c.action(p))
                        .and_then(|a| Some((a, formats(a)?)));
                    match found {
                        Some((a, types)) => named.push(Named {
                            item,
                            name: a.full_name(),
                            types,
                        }),
                        None => others = true,
                    }
                }
                if named.is_empty() {
                    continue;
                }
                // Resources judged: not `*`, not wholly a reference.
                let judged: Vec<(&PatternItem, ArnPattern)> = resources
                    .items
                    .iter()
                    .filter(|i| {
                        i.text.literal().map(str::trim) != Some("*") && !unresolved(&i.text)
                    })
                    .map(|i| (i, ArnPattern::from_policy(&i.text)))
                    .collect();
                let mut useless: Vec<&PatternItem> = Vec::new();
                if !others {
                    for (item, pattern) in &judged {
                        if named.iter().any(|a| a.fits(pattern)) {
                            continue;
                        }
                        useless.push(item);
                        let scoped: Vec<&Named<'_>> =
                            named.iter().filter(|a| !a.types.is_empty()).collect();
                        let unscoped: Vec<&Named<'_>> =
                            named.iter().filter(|a| a.types.is_empty()).collect();
                        let mut parts = Vec::new();
                        if !scoped.is_empty() {
                            parts.push(format!(
                                "{} can never name a resource of {}, which {} on {}",
                                shown(item),
                                list_names(&names(&scoped), 4),
                                if scoped.len() == 1 { "acts" } else { "act" },
                                expected(&scoped)
                            ));
                        }
                        if !unscoped.is_empty() {
                            let n = names(&unscoped);
                            parts.push(format!(
                                "{} {} not support resource-level permissions and {} only Resource \"*\"",
                                list_names(&n, 4),
                                if n.len() == 1 { "does" } else { "do" },
                                if n.len() == 1 { "takes" } else { "take" },
                            ));
                        }
                        let target = if scoped.is_empty() {
                            shown(item)
                        } else {
                            "it".to_string()
                        };
                        let r = cx.report(
                            item.span,
                            format!(
                                "{}: this {effect} never applies to {target}, in {} {}",
                                parts.join("; "),
                                doc.source.describe(),
                                stmt.label()
                            ),
                        );
                        attach(r, app, role)
                            .at(statement_path(doc, stmt))
                            .at(format!("Resource/{}", shown(item)))
                            .truth(&existence(doc, stmt, Some(item)))
                            .emit();
                    }
                }
                // Actions that no resource of the statement fits, while some resource serves
                // other actions (else the resources were reported above).
                let serves_others = resources.items.len() > useless.len();
                if !serves_others {
                    continue;
                }
                let open = judged.len() < resources.items.len();
                for a in &named {
                    let fits = if a.types.is_empty() {
                        resources.items.iter().any(|i| {
                            i.text.literal().map(str::trim) == Some("*") || unresolved(&i.text)
                        })
                    } else {
                        open || judged.iter().any(|(_, p)| a.fits(p))
                    };
                    if fits {
                        continue;
                    }
                    let verb = if effect == "Deny" { "denies" } else { "grants" };
                    let message = if a.types.is_empty() {
                        format!(
                            "{} does not support resource-level permissions and takes only Resource \"*\": this {effect} {verb} it nothing, in {} {}",
                            a.name,
                            doc.source.describe(),
                            stmt.label()
                        )
                    } else {
                        let written: Vec<String> = judged.iter().map(|(i, _)| shown(i)).collect();
                        format!(
                            "{} acts on {}, which none of the statement's resources ({}) can name: this {effect} {verb} it nothing, in {} {}",
                            a.name,
                            expected(&[a]),
                            list_names(&written, 3),
                            doc.source.describe(),
                            stmt.label()
                        )
                    };
                    let r = cx.report(a.item.span, message);
                    attach(r, app, role)
                        .at(statement_path(doc, stmt))
                        .at(format!("Action/{}", a.name))
                        .truth(&existence(doc, stmt, Some(a.item)))
                        .emit();
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use palisade_iam::{ArnPattern, catalog};

    use super::formats;

    /// Whether `resource` fits some resource type of `action`.
    fn fits(action: &str, resource: &str) -> bool {
        let a = catalog().action(action).unwrap();
        let types = formats(a).unwrap();
        let r = ArnPattern::from_policy_str(resource);
        types.iter().any(|(.., p)| p.overlaps(&r))
    }

    #[test]
    fn the_usual_serverless_statements_fit() {
        for (action, resource) in [
            ("s3:GetObject", "arn:aws:s3:::my-bucket/*"),
            ("s3:ListBucket", "arn:aws:s3:::my-bucket"),
            ("s3:ListBucket", "arn:aws:s3:::my-bucket/*"),
            (
                "dynamodb:Query",
                "arn:aws:dynamodb:us-east-1:111122223333:table/Orders/index/*",
            ),
            ("dynamodb:GetItem", "arn:aws:dynamodb:*:*:table/Orders"),
            (
                "dynamodb:GetRecords",
                "arn:aws:dynamodb:us-east-1:111122223333:table/Orders/stream/*",
            ),
            (
                "lambda:InvokeFunction",
                "arn:aws:lambda:us-east-1:111122223333:function:my-fn:*",
            ),
            (
                "lambda:InvokeFunction",
                "arn:aws:lambda:us-east-1:111122223333:function:my-fn",
            ),
            (
                "logs:CreateLogGroup",
                "arn:aws:logs:us-east-1:111122223333:log-group:/aws/lambda/my-fn:*",
            ),
            (
                "logs:CreateLogStream",
                "arn:aws:logs:us-east-1:111122223333:log-group:/aws/lambda/my-fn:*",
            ),
            (
                "logs:PutLogEvents",
                "arn:aws:logs:us-east-1:111122223333:log-group:/aws/lambda/my-fn:*",
            ),
            ("logs:PutLogEvents", "arn:aws:logs:*:*:*"),
            (
                "sqs:SendMessage",
                "arn:aws:sqs:us-east-1:111122223333:orders",
            ),
            ("sns:Publish", "arn:aws:sns:us-east-1:111122223333:alerts"),
            (
                "ssm:GetParameter",
                "arn:aws:ssm:us-east-1:111122223333:parameter/app/db/url",
            ),
            (
                "ssm:GetParametersByPath",
                "arn:aws:ssm:us-east-1:111122223333:parameter/app/*",
            ),
            (
                "secretsmanager:GetSecretValue",
                "arn:aws:secretsmanager:us-east-1:111122223333:secret:db-AbCdEf",
            ),
            (
                "kms:Decrypt",
                "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            ),
            (
                "events:PutEvents",
                "arn:aws:events:us-east-1:111122223333:event-bus/default",
            ),
            (
                "states:StartExecution",
                "arn:aws:states:us-east-1:111122223333:stateMachine:Flow",
            ),
            (
                "execute-api:Invoke",
                "arn:aws:execute-api:us-east-1:111122223333:abc123/*/GET/items",
            ),
            (
                "iam:PassRole",
                "arn:aws:iam::111122223333:role/service/worker",
            ),
            ("sts:AssumeRole", "arn:aws:iam::111122223333:role/reader"),
            (
                "kinesis:PutRecord",
                "arn:aws:kinesis:us-east-1:111122223333:stream/clicks",
            ),
        ] {
            assert!(fits(action, resource), "{action} on {resource}");
        }
    }

    #[test]
    fn wrong_shapes_do_not_fit() {
        for (action, resource) in [
            ("s3:GetObject", "arn:aws:s3:::my-bucket"),
            (
                "s3:PutObject",
                "arn:aws:dynamodb:us-east-1:111122223333:table/Orders",
            ),
            (
                "dynamodb:GetItem",
                "arn:aws:dynamodb:us-east-1:111122223333:Orders",
            ),
            (
                "sqs:SendMessage",
                "arn:aws:sns:us-east-1:111122223333:alerts",
            ),
            ("iam:PassRole", "arn:aws:iam::111122223333:policy/worker"),
        ] {
            assert!(!fits(action, resource), "{action} on {resource}");
        }
        let put_metric = catalog().action("cloudwatch:PutMetricData").unwrap();
        assert!(formats(put_metric).unwrap().is_empty());
    }
}

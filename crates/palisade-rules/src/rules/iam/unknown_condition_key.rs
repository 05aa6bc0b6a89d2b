use palisade_iam::{
    OperatorType, SetQualifier, condition_key_info, is_federation_key, key_applies_to_action,
    parse_operator, suggest_condition_key,
};
use palisade_model::App;

use super::mod_helpers::{attach, statement_path};
use super::policy_lint::{
    condition_entries, entry_existence, list_names, statement_catalog_actions, statement_services,
    written_documents,
};
use crate::{Checker, Rule};

declare_rule! {
    /// ## What it does
    /// Finds condition keys, in the policies a template writes, that are neither an AWS global
    /// condition key (`aws:SourceIp`, `aws:PrincipalTag/team`, and the cross-service keys such
    /// as `lambda:SourceFunctionArn`) nor a key of the services the statement's actions belong
    /// to (`s3:prefix` for `s3:ListBucket`, `s3:ExistingObjectTag/classification`), nor a key of
    /// an identity provider (`saml:sub`, `token.actions.githubusercontent.com:sub`). Keys are
    /// compared ignoring case, as IAM does; keys documented with a suffix
    /// (`s3:ExistingObjectTag/<key>`, `kms:EncryptionContext:${EncryptionContextKey}`) match by
    /// prefix. A key of the right service that none of the statement's actions takes is reported
    /// too (`s3:prefix` on `s3:GetObject`: only listing requests carry it), as IAM Access
    /// Analyzer and parliament do. Statements with `NotAction`, `*` or a wildcard service are
    /// judged against every service.
    ///
    /// ## Why is this bad?
    /// IAM accepts any key and looks it up in the request: a key that no request carries makes
    /// the condition always false (the `Allow` grants nothing, the `Deny` never applies), or
    /// always true with a negated or `…IfExists` operator or `ForAllValues:` (the restriction the
    /// author wrote does nothing). Either way the policy does not do what it says.
    ///
    /// ## Example
    /// ```yaml
    ///           - Effect: Allow
    ///             Action: s3:ListBucket
    ///             Resource: arn:aws:s3:::reports
    ///             Condition:
    ///               StringLike: {s3:prefixes: ["home/${aws:username}/*"]}
    /// ```
    ///
    /// Use instead: `s3:prefix`.
    ///
    /// ## Fix
    /// Correct the key (see the suggestion), or move the condition to the statement whose
    /// actions the key belongs to.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S6:2017 Security Misconfiguration
    /// - <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html>
    /// - <https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html>
    pub(crate) struct UnknownConditionKey {
        code: "PAL222",
        name: "unknown-condition-key",
        title: "Condition key is not one the statement's requests carry",
        severity: Low,
        confidence: High,
        sas: S6,
        area: Iam,
        fix: "Use a global condition key or a key of the services the statement's actions belong to.",
    }
}

/// What a condition on a key that is never present evaluates to, when that is known.
fn when_absent(operator: &str) -> Option<bool> {
    let op = parse_operator(operator).ok()?;
    if op.kind == OperatorType::Null {
        return None;
    }
    Some(match op.set {
        Some(SetQualifier::ForAllValues) => true,
        Some(SetQualifier::ForAnyValue) => op.if_exists,
        None => op.if_exists || op.base.contains("Not"),
    })
}

impl Rule for UnknownConditionKey {
    fn check(&self, app: &App, cx: &mut Checker<'_>) {
        for (role, doc) in written_documents(app) {
            for stmt in &doc.statements {
                if !stmt.has_condition() {
                    continue;
                }
                // A statement whose actions are references: its services are unknown.
                if stmt
                    .action
                    .as_ref()
                    .or(stmt.not_action.as_ref())
                    .is_some_and(|a| a.items.iter().any(|i| !i.text.is_literal()))
                {
                    continue;
                }
                let services = statement_services(stmt);
                // Only unknown actions (PAL220's): nothing to judge the keys against.
                if services.as_ref().is_some_and(|s| s.is_empty()) {
                    continue;
                }
                for entry in condition_entries(stmt) {
                    let key = entry.key.trim();
                    if is_federation_key(key) {
                        continue;
                    }
                    let info = condition_key_info(key);
                    let known = match (&info, &services) {
                        (Some(i), _) if i.global => true,
                        (Some(_), None) => true,
                        (Some(i), Some(s)) => i.services.iter().any(|x| s.contains(x)),
                        (None, _) => false,
                    };
                    let names: Vec<&str> = services
                        .as_ref()
                        .map(|s| s.iter().copied().collect())
                        .unwrap_or_default();
                    // A key of the statement's services that none of its actions takes: the
                    // requests the statement is about never carry it.
                    let not_taken = match &info {
                        Some(i) if known && !i.global && services.is_some() => {
                            let actions = statement_catalog_actions(stmt);
                            (!actions.is_empty()
                                && !actions.iter().any(|a| key_applies_to_action(key, a)))
                            .then(|| {
                                let listed: Vec<String> =
                                    actions.iter().map(|a| a.full_name()).collect();
                                format!(
                                    "{key} is a condition key of {}, but none of the statement's actions ({}) takes it",
                                    i.services.join(", "),
                                    list_names(&listed, 3)
                                )
                            })
                        }
                        _ => None,
                    };
                    if known && not_taken.is_none() {
                        continue;
                    }
                    let of = match (&info, not_taken) {
                        (_, Some(message)) => message,
                        (Some(i), None) => format!(
                            "{key} is a condition key of {}, not of {} (the statement's actions)",
                            i.services.join(", "),
                            names.join(", ")
                        ),
                        (None, None) if names.is_empty() => {
                            format!(
                                "{key} is neither a global condition key nor a key of any service"
                            )
                        }
                        (None, None) => format!(
                            "{key} is neither a global condition key nor a key of {}",
                            names.join(", ")
                        ),
                    };
                    let hint = match info {
                        Some(_) => String::new(),
                        None => suggest_condition_key(key, &names)
                            .map(|k| format!(" (did you mean {k}?)"))
                            .unwrap_or_default(),
                    };
                    let consequence = match when_absent(entry.operator) {
                        Some(false) => "; no request carries it, so this condition is always false",
                        Some(true) => {
                            "; no request carries it, so this condition is always true and restricts nothing"
                        }
                        None => "; no request carries it",
                    };
                    let r = cx.report(
                        entry.key_span,
                        format!(
                            "{of}{hint}{consequence}, in {} {}",
                            doc.source.describe(),
                            stmt.label()
                        ),
                    );
                    attach(r, app, role)
                        .at(statement_path(doc, stmt))
                        .at(format!("Condition/{}/{key}", entry.operator))
                        .truth(&entry_existence(doc, stmt, &entry))
                        .emit();
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::when_absent;

    #[test]
    fn absent_keys_make_conditions_false_or_true() {
        assert_eq!(when_absent("StringEquals"), Some(false));
        assert_eq!(when_absent("StringNotEquals"), Some(true));
        assert_eq!(when_absent("StringLikeIfExists"), Some(true));
        assert_eq!(when_absent("ForAllValues:StringEquals"), Some(true));
        assert_eq!(when_absent("ForAnyValue:StringEquals"), Some(false));
        assert_eq!(when_absent("NotIpAddress"), Some(true));
        assert_eq!(when_absent("Null"), None);
        assert_eq!(when_absent("Nope"), None);
    }
}

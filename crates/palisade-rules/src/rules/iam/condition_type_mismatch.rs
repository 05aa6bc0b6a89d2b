use std::collections::BTreeSet;

use palisade_iam::{
    OperatorProblem, OperatorType, condition_key_info, is_federation_key, is_multivalued,
    operator_fits, parse_operator,
};
use palisade_model::{App, Span};

use super::mod_helpers::{attach, statement_path};
use super::policy_lint::{condition_entries, entry_existence, unreadable_value, written_documents};
use crate::{Checker, Rule};

declare_rule! {
    /// ## What it does
    /// Checks the condition operators of the policies a template writes:
    ///
    /// - the operator exists: one of the string, numeric, date, `Bool`, `BinaryEquals`, IP
    ///   address, ARN and `Null` operators, optionally with the `…IfExists` suffix and a
    ///   `ForAllValues:` or `ForAnyValue:` qualifier (`Null` takes neither);
    /// - it compares the key's type (from the AWS global keys and the Service Authorization
    ///   Reference): string operators on numeric, date, Boolean or IP address keys, numeric
    ///   operators on non-numeric keys, date operators on non-date keys, `Bool` on non-Boolean
    ///   keys, `IpAddress`/`NotIpAddress` on non-IP keys, and ARN operators on non-ARN keys are
    ///   reported (string operators on ARN keys are fine);
    /// - `ForAllValues:`/`ForAnyValue:` qualify a multivalued key (`aws:TagKeys`,
    ///   `aws:PrincipalOrgPaths`), not a single-valued one;
    /// - the values can be read as the operator's kind: a date in ISO 8601 or epoch seconds, a
    ///   number, `true`/`false`, an IP address or CIDR block, an ARN (values with policy
    ///   variables are not judged).
    ///
    /// Keys Palisade does not know are PAL222's.
    ///
    /// ## Why is this bad?
    /// IAM rejects a policy whose operator does not exist (the deployment fails late, in
    /// CloudFormation). An operator of the wrong type compares the request's value as something
    /// it is not: `StringEquals` on `aws:SecureTransport` happens to work with `"false"`, but
    /// `StringLike` on `aws:SourceIp` with a CIDR never matches, and `DateGreaterThan` on a
    /// string key never holds. `ForAllValues:` on a single-valued key is true when the request
    /// lacks the key altogether, so an `Allow` meant to require a value allows requests without
    /// it.
    ///
    /// ## Example
    /// ```yaml
    ///             Condition:
    ///               StringLike: {aws:SourceIp: "203.0.113.0/24"}
    ///               ForAllValues:StringEquals: {aws:RequestedRegion: eu-west-1}
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    ///             Condition:
    ///               IpAddress: {aws:SourceIp: "203.0.113.0/24"}
    ///               StringEquals: {aws:RequestedRegion: eu-west-1}
    /// ```
    ///
    /// ## Fix
    /// Use an operator of the key's type, and set qualifiers only on multivalued keys.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S6:2017 Security Misconfiguration
    /// - <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html>
    /// - <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html>
    pub(crate) struct ConditionTypeMismatch {
        code: "PAL223",
        name: "condition-type-mismatch",
        title: "Condition operator does not exist or does not fit the key",
        severity: Medium,
        confidence: High,
        sas: S6,
        area: Iam,
        fix: "Use an existing operator of the key's type; ForAllValues/ForAnyValue only on multivalued keys.",
    }
}

/// An operator family that compares keys of a catalog type, for the fix.
fn operator_for(key_type: &str) -> &'static str {
    match key_type
        .split('|')
        .next()
        .unwrap_or(key_type)
        .trim_start_matches("ArrayOf")
    {
        "Numeric" => "a numeric operator (NumericEquals, NumericLessThan, …)",
        "Date" => "a date operator (DateGreaterThan, DateLessThan, …)",
        "Bool" => "Bool",
        "IPAddress" => "IpAddress or NotIpAddress",
        "ARN" => "an ARN operator (ArnEquals, ArnLike, …) or a string operator",
        _ => "a string operator (StringEquals, StringLike, …)",
    }
}

/// "an ARN", "a string".
fn a(noun: &str) -> String {
    if noun.starts_with(['A', 'E', 'I', 'O', 'U', 'a', 'e', 'i', 'o', 'u']) {
        format!("an {noun}")
    } else {
        format!("a {noun}")
    }
}

/// "an IP address", "a date", for messages.
fn type_noun(key_type: &str) -> &'static str {
    match key_type
        .split('|')
        .next()
        .unwrap_or(key_type)
        .trim_start_matches("ArrayOf")
    {
        "Numeric" => "a number",
        "Date" => "a date",
        "Bool" => "a Boolean",
        "IPAddress" => "an IP address",
        "ARN" => "an ARN",
        _ => "a string",
    }
}

impl Rule for ConditionTypeMismatch {
    fn check(&self, app: &App, cx: &mut Checker<'_>) {
        for (role, doc) in written_documents(app) {
            for stmt in &doc.statements {
                // An operator is reported once, however many keys it has.
                let mut operators_reported: BTreeSet<Span> = BTreeSet::new();
                for entry in condition_entries(stmt) {
                    let written = entry.operator.trim();
                    let key = entry.key.trim();
                    let (span, path, message) = match parse_operator(written) {
                        Err(problem) => {
                            if !operators_reported.insert(entry.operator_span) {
                                continue;
                            }
                            let why = match problem {
                                OperatorProblem::Unknown { suggestion } => format!(
                                    "{written} is not a condition operator{}: IAM rejects the policy",
                                    suggestion
                                        .map(|s| format!(" (did you mean {s}?)"))
                                        .unwrap_or_default()
                                ),
                                OperatorProblem::UnknownQualifier { qualifier } => format!(
                                    "{written} is not a condition operator: {qualifier} is not a set qualifier (ForAllValues or ForAnyValue): IAM rejects the policy"
                                ),
                                OperatorProblem::NullQualified => format!(
                                    "{written} is not a condition operator: Null tests whether a key is present and takes neither IfExists nor a set qualifier: IAM rejects the policy"
                                ),
                            };
                            (entry.operator_span, format!("Condition/{written}"), why)
                        }
                        Ok(op) => {
                            let key_type = if is_federation_key(key) {
                                Some("String")
                            } else {
                                condition_key_info(key).map(|i| i.key_type)
                            };
                            let bad_value = unreadable_value(op.kind, entry.values);
                            if let Some(key_type) = key_type
                                && !operator_fits(op.kind, key_type)
                            {
                                let consequence = match op.kind {
                                    OperatorType::String => {
                                        "the value is then compared as text".to_string()
                                    }
                                    kind => format!(
                                        "IAM then reads it as {} value, so the condition does not hold as written",
                                        a(kind.describe())
                                    ),
                                };
                                (
                                    entry.key_span,
                                    format!("Condition/{written}/{key}"),
                                    format!(
                                        "{written} is {} operator but {key} holds {}: {consequence}; use {}",
                                        a(op.kind.describe()),
                                        type_noun(key_type),
                                        operator_for(key_type)
                                    ),
                                )
                            } else if let Some(set) = op.set
                                && let Some(key_type) = key_type
                                && !is_multivalued(key_type)
                            {
                                let plain =
                                    written.split_once(':').map_or(written, |(_, rest)| rest);
                                let risk = match set {
                                    palisade_iam::SetQualifier::ForAllValues => {
                                        "with ForAllValues the condition also holds when the request lacks the key"
                                    }
                                    palisade_iam::SetQualifier::ForAnyValue => {
                                        "the qualifier is meant for keys with several values"
                                    }
                                };
                                (
                                    entry.key_span,
                                    format!("Condition/{written}/{key}"),
                                    format!(
                                        "{written} qualifies {key}, which holds a single value ({key_type}): {risk}; use {plain}"
                                    ),
                                )
                            } else if let Some((value, at)) = bad_value {
                                (
                                    at,
                                    format!("Condition/{written}/{key}/{value}"),
                                    format!(
                                        "{written} compares {key} with \"{value}\", which is not {}: IAM cannot read it, so the condition does not hold as written",
                                        a(op.kind.describe())
                                    ),
                                )
                            } else {
                                continue;
                            }
                        }
                    };
                    let r = cx.report(
                        span,
                        format!("{message}, in {} {}", doc.source.describe(), stmt.label()),
                    );
                    attach(r, app, role)
                        .at(statement_path(doc, stmt))
                        .at(path)
                        .truth(&entry_existence(doc, stmt, &entry))
                        .emit();
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::operator_for;

    #[test]
    fn fixes_name_an_operator_of_the_type() {
        assert_eq!(operator_for("IPAddress"), "IpAddress or NotIpAddress");
        assert_eq!(operator_for("Bool"), "Bool");
        assert!(operator_for("ArrayOfString").contains("StringEquals"));
        assert!(operator_for("Date|Numeric").contains("DateGreaterThan"));
    }
}

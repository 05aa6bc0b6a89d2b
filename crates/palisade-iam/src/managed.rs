//! AWS managed policies, by name or ARN, embedded and parsed on first use.

use std::collections::HashMap;
use std::sync::{LazyLock, OnceLock};

use palisade_model::policy::{from_json, policy_document};
use palisade_model::{PolicyDocument, PolicySource, Span};

static TEXT: &str = include_str!("../data/managed-policies.tsv");

/// name → (arn, version, document JSON)
static INDEX: LazyLock<HashMap<&'static str, (&'static str, &'static str, &'static str)>> =
    LazyLock::new(|| {
        TEXT.lines()
            .filter_map(|line| {
                let mut f = line.splitn(4, '\t');
                Some((f.next()?, (f.next()?, f.next()?, f.next()?)))
            })
            .collect()
    });

/// Each AWS managed policy's document in the model's form, read on first use and shared
/// after: many roles attach the same few policies.
static DOCUMENTS: LazyLock<HashMap<&'static str, OnceLock<Option<PolicyDocument>>>> =
    LazyLock::new(|| INDEX.keys().map(|name| (*name, OnceLock::new())).collect());

/// An AWS managed policy as a policy document. Its spans are empty: report findings in it at
/// the place that attaches the policy.
pub fn managed_policy_document(name: &str) -> Option<&'static PolicyDocument> {
    DOCUMENTS
        .get(name)?
        .get_or_init(|| {
            let policy = managed_policy(name)?;
            Some(policy_document(
                &from_json(&policy.document, Span::default()),
                PolicySource::AwsManaged {
                    name: name.to_string(),
                },
            ))
        })
        .as_ref()
}

#[derive(Debug)]
pub struct ManagedPolicy {
    pub name: &'static str,
    pub arn: &'static str,
    pub version: &'static str,
    pub document: serde_json::Value,
}

pub fn managed_policy(name: &str) -> Option<ManagedPolicy> {
    let (key, &(arn, version, doc)) = INDEX.get_key_value(name)?;
    Some(ManagedPolicy {
        name: key,
        arn,
        version,
        document: serde_json::from_str(doc).ok()?,
    })
}

/// An AWS managed policy by ARN (`arn:aws:iam::aws:policy/service-role/X`), in any partition.
pub fn managed_policy_by_arn(arn: &str) -> Option<ManagedPolicy> {
    let rest = arn.strip_prefix("arn:")?.split_once(':')?.1;
    let path = rest.strip_prefix("iam::aws:policy/")?;
    let name = path.rsplit('/').next()?;
    managed_policy(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_by_name_and_arn() {
        assert_eq!(INDEX.len(), 1523);
        let admin = managed_policy("AdministratorAccess");
        assert!(admin.is_some_and(|p| p.document["Statement"][0]["Action"] == "*"));
        let basic = managed_policy_by_arn(
            "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
        );
        assert_eq!(
            basic.map(|p| p.arn),
            Some("arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")
        );
    }
}

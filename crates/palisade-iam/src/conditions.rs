//! Condition operators and condition keys: which operators exist, which key types each
//! compares, and what a key written in a policy is (global, of a service, of an identity
//! provider) with its type.
//!
//! Operators: AWS IAM User Guide, "IAM JSON policy elements: Condition operators"
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html>)
//! and "Multivalued context keys" for the `ForAllValues:`/`ForAnyValue:` qualifiers.

use std::sync::LazyLock;

use crate::catalog::{catalog, edit_distance};
use crate::global_keys::{GLOBAL_CONDITION_KEYS, global_condition_key};
use crate::pattern::wildcard_match;

/// The kind of value an operator compares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OperatorType {
    String,
    Numeric,
    Date,
    Bool,
    Binary,
    IpAddress,
    Arn,
    /// `Null`: whether the key is present, for any key.
    Null,
}

impl OperatorType {
    /// How messages name the kind ("string operator").
    pub fn describe(self) -> &'static str {
        match self {
            OperatorType::String => "string",
            OperatorType::Numeric => "numeric",
            OperatorType::Date => "date",
            OperatorType::Bool => "Boolean",
            OperatorType::Binary => "binary",
            OperatorType::IpAddress => "IP address",
            OperatorType::Arn => "ARN",
            OperatorType::Null => "null check",
        }
    }
}

/// Every base condition operator (without `IfExists` or a set qualifier).
pub const CONDITION_OPERATORS: &[(&str, OperatorType)] = &[
    ("StringEquals", OperatorType::String),
    ("StringNotEquals", OperatorType::String),
    ("StringEqualsIgnoreCase", OperatorType::String),
    ("StringNotEqualsIgnoreCase", OperatorType::String),
    ("StringLike", OperatorType::String),
    ("StringNotLike", OperatorType::String),
    ("NumericEquals", OperatorType::Numeric),
    ("NumericNotEquals", OperatorType::Numeric),
    ("NumericLessThan", OperatorType::Numeric),
    ("NumericLessThanEquals", OperatorType::Numeric),
    ("NumericGreaterThan", OperatorType::Numeric),
    ("NumericGreaterThanEquals", OperatorType::Numeric),
    ("DateEquals", OperatorType::Date),
    ("DateNotEquals", OperatorType::Date),
    ("DateLessThan", OperatorType::Date),
    ("DateLessThanEquals", OperatorType::Date),
    ("DateGreaterThan", OperatorType::Date),
    ("DateGreaterThanEquals", OperatorType::Date),
    ("Bool", OperatorType::Bool),
    ("BinaryEquals", OperatorType::Binary),
    ("IpAddress", OperatorType::IpAddress),
    ("NotIpAddress", OperatorType::IpAddress),
    ("ArnEquals", OperatorType::Arn),
    ("ArnNotEquals", OperatorType::Arn),
    ("ArnLike", OperatorType::Arn),
    ("ArnNotLike", OperatorType::Arn),
    ("Null", OperatorType::Null),
];

/// `ForAllValues:` or `ForAnyValue:`, for keys with several values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetQualifier {
    ForAllValues,
    ForAnyValue,
}

impl SetQualifier {
    pub fn as_str(self) -> &'static str {
        match self {
            SetQualifier::ForAllValues => "ForAllValues",
            SetQualifier::ForAnyValue => "ForAnyValue",
        }
    }
}

/// A condition operator as written, understood.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConditionOperator {
    /// The base operator as documented (`StringLike`).
    pub base: &'static str,
    pub kind: OperatorType,
    pub if_exists: bool,
    pub set: Option<SetQualifier>,
}

/// Why an operator as written is not one IAM knows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OperatorProblem {
    /// No such base operator; the nearest one, when one is near.
    Unknown { suggestion: Option<&'static str> },
    /// A qualifier before `:` other than `ForAllValues` and `ForAnyValue`.
    UnknownQualifier { qualifier: String },
    /// `NullIfExists` or `ForAnyValue:Null`: `Null` tests existence itself.
    NullQualified,
}

/// Read an operator such as `ForAnyValue:StringLikeIfExists`. Names are compared ignoring
/// ASCII case: a policy IAM would reject for its case fails at deploy, which is not silent.
pub fn parse_operator(written: &str) -> Result<ConditionOperator, OperatorProblem> {
    let written = written.trim();
    let (set, rest) = match written.split_once(':') {
        Some((q, rest)) => {
            let set = if q.eq_ignore_ascii_case("ForAllValues") {
                SetQualifier::ForAllValues
            } else if q.eq_ignore_ascii_case("ForAnyValue") {
                SetQualifier::ForAnyValue
            } else {
                return Err(OperatorProblem::UnknownQualifier {
                    qualifier: q.to_string(),
                });
            };
            (Some(set), rest)
        }
        None => (None, written),
    };
    let find = |name: &str| {
        CONDITION_OPERATORS
            .iter()
            .find(|(op, _)| op.eq_ignore_ascii_case(name))
    };
    let (found, if_exists) = match find(rest) {
        Some(op) => (op, false),
        None => {
            let lower = rest.to_ascii_lowercase();
            match lower
                .strip_suffix("ifexists")
                .and_then(|base| find(&rest[..base.len()]))
            {
                Some(op) => (op, true),
                None => {
                    return Err(OperatorProblem::Unknown {
                        suggestion: suggest_operator(rest),
                    });
                }
            }
        }
    };
    let (base, kind) = *found;
    if kind == OperatorType::Null && (if_exists || set.is_some()) {
        return Err(OperatorProblem::NullQualified);
    }
    Ok(ConditionOperator {
        base,
        kind,
        if_exists,
        set,
    })
}

fn suggest_operator(written: &str) -> Option<&'static str> {
    let lower = written.to_ascii_lowercase();
    let lower = lower.strip_suffix("ifexists").unwrap_or(&lower);
    CONDITION_OPERATORS
        .iter()
        .map(|(op, _)| (edit_distance(lower, &op.to_ascii_lowercase()), *op))
        .min()
        .filter(|(d, _)| *d <= 3)
        .map(|(_, op)| op)
}

/// Whether an operator of `kind` compares keys of `key_type` (a catalog type such as `String`,
/// `ArrayOfARN`, or alternatives separated by `|`). String operators also compare ARNs;
/// unknown types are given the benefit of the doubt.
pub fn operator_fits(kind: OperatorType, key_type: &str) -> bool {
    key_type.split('|').any(|t| {
        let base = t.trim().trim_start_matches("ArrayOf");
        match kind {
            OperatorType::Null | OperatorType::Binary => true,
            OperatorType::String => !matches!(base, "Numeric" | "Date" | "Bool" | "IPAddress"),
            OperatorType::Numeric => base == "Numeric" || !KNOWN_TYPES.contains(&base),
            OperatorType::Date => base == "Date" || !KNOWN_TYPES.contains(&base),
            OperatorType::Bool => base == "Bool" || !KNOWN_TYPES.contains(&base),
            OperatorType::IpAddress => base == "IPAddress" || !KNOWN_TYPES.contains(&base),
            OperatorType::Arn => base == "ARN" || !KNOWN_TYPES.contains(&base),
        }
    })
}

const KNOWN_TYPES: &[&str] = &["String", "ARN", "Numeric", "Date", "Bool", "IPAddress"];

/// Whether a key of `key_type` has several values (`ArrayOf…`), as `ForAllValues:` and
/// `ForAnyValue:` expect.
pub fn is_multivalued(key_type: &str) -> bool {
    key_type.split('|').any(|t| t.trim().starts_with("ArrayOf"))
}

/// What a condition key written in a policy is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConditionKeyInfo {
    /// The key as documented (`aws:PrincipalTag/${TagKey}`, `s3:prefix`).
    pub name: &'static str,
    pub key_type: &'static str,
    /// A global key, usable with any action.
    pub global: bool,
    /// Prefixes of the services whose actions list the key (empty for global keys).
    pub services: Vec<&'static str>,
}

/// A documented key (`s3:ExistingObjectTag/<key>`, `kms:EncryptionContext:${Key}`,
/// `ssm:resourceTag/tag-key`) as a case-insensitive pattern: each placeholder is one or more
/// characters.
fn key_pattern(documented: &str) -> String {
    let mut out = String::with_capacity(documented.len());
    let mut rest = documented;
    while let Some(c) = rest.chars().next() {
        let close = match c {
            '$' if rest.starts_with("${") => rest.find('}'),
            '<' => rest.find('>'),
            _ => None,
        };
        if let Some(close) = close {
            out.push_str("?*");
            rest = &rest[close + 1..];
            continue;
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    if let Some(stem) = out.strip_suffix("/tag-key") {
        return format!("{stem}/?*");
    }
    if out.ends_with('/') {
        out.push_str("?*");
    }
    out
}

/// Whether a key written in a policy is the documented key (case-insensitive; placeholders
/// such as `${TagKey}` take any text).
pub(crate) fn key_matches(documented: &str, written: &str) -> bool {
    if documented.eq_ignore_ascii_case(written) {
        return true;
    }
    (documented.contains(['$', '<'])
        || documented.ends_with('/')
        || documented.ends_with("/tag-key"))
        && wildcard_match(&key_pattern(documented), written, true)
}

/// A key a service lists: (service prefix, documented key, type, pattern when the key has a
/// placeholder).
type ServiceKey = (&'static str, &'static str, &'static str, Option<String>);

/// Every key the catalog's services list.
static SERVICE_KEYS: LazyLock<Vec<ServiceKey>> = LazyLock::new(|| {
    catalog()
        .services
        .iter()
        .flat_map(|s| {
            s.condition_keys.iter().map(move |(k, t)| {
                let placeholder =
                    k.contains(['$', '<']) || k.ends_with('/') || k.ends_with("/tag-key");
                (s.prefix, *k, *t, placeholder.then(|| key_pattern(k)))
            })
        })
        .collect()
});

/// Whether IAM can read `value` as a value of an operator of kind `kind`: a date in ISO 8601
/// or epoch seconds, a number, `true`/`false`, an IPv4 or IPv6 address or CIDR block, an ARN
/// (or a pattern of one). Values with policy variables (`${aws:username}`) are not judged, nor
/// are string and binary values. `Null` takes `true` or `false`.
pub fn value_fits(kind: OperatorType, value: &str) -> bool {
    let v = value.trim();
    if v.contains("${") {
        return true;
    }
    match kind {
        OperatorType::String | OperatorType::Binary => true,
        OperatorType::Numeric => v.parse::<f64>().is_ok_and(f64::is_finite),
        OperatorType::Bool | OperatorType::Null => {
            v.eq_ignore_ascii_case("true") || v.eq_ignore_ascii_case("false")
        }
        OperatorType::Date => is_epoch(v) || is_iso_date(v),
        OperatorType::IpAddress => is_ip_or_cidr(v),
        OperatorType::Arn => v == "*" || v.to_ascii_lowercase().starts_with("arn:"),
    }
}

fn is_epoch(v: &str) -> bool {
    !v.is_empty() && v.len() <= 12 && v.bytes().all(|b| b.is_ascii_digit())
}

/// `2026-11-22`, `2026-11-22T10:00:00Z`, `2026-11-22T10:00:00.123+01:00`.
fn is_iso_date(v: &str) -> bool {
    let (date, time) = match v.split_once(['T', 't']) {
        Some((d, t)) => (d, Some(t)),
        None => (v, None),
    };
    let parts: Vec<&str> = date.split('-').collect();
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    let date_ok = matches!(parts.as_slice(), [y, m, d] if digits(y, 4) && digits(m, 2) && digits(d, 2))
        && parts
            .get(1)
            .and_then(|m| m.parse::<u8>().ok())
            .is_some_and(|m| (1..=12).contains(&m))
        && parts
            .get(2)
            .and_then(|d| d.parse::<u8>().ok())
            .is_some_and(|d| (1..=31).contains(&d));
    if !date_ok {
        return false;
    }
    let Some(time) = time else { return true };
    let clock = time
        .trim_end_matches(['Z', 'z'])
        .split(['+', '-'])
        .next()
        .unwrap_or("");
    let hms = clock.split('.').next().unwrap_or("");
    let fields: Vec<&str> = hms.split(':').collect();
    (2..=3).contains(&fields.len()) && fields.iter().all(|f| digits(f, 2))
}

fn is_ip_or_cidr(v: &str) -> bool {
    let (addr, prefix) = match v.split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (v, None),
    };
    let max = match addr.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(_)) => 32,
        Ok(std::net::IpAddr::V6(_)) => 128,
        Err(_) => return false,
    };
    prefix.is_none_or(|p| p.parse::<u8>().is_ok_and(|n| n <= max))
}

/// Whether requests for `action` can carry the condition key: the action lists it, or one of
/// the resource types the action acts on does. Global keys are not judged here.
pub fn key_applies_to_action(key: &str, action: &crate::Action) -> bool {
    if action.condition_keys.iter().any(|k| key_matches(k, key)) {
        return true;
    }
    let Some(service) = catalog().service(action.service) else {
        return false;
    };
    action.resource_types.iter().any(|(name, _)| {
        service
            .resource_types
            .iter()
            .filter(|r| r.name.eq_ignore_ascii_case(name))
            .any(|r| r.condition_keys.iter().any(|k| key_matches(k, key)))
    })
}

/// Keys of identity providers (`saml:sub`, `accounts.google.com:aud`,
/// `token.actions.githubusercontent.com:sub`): present in the requests of federated sessions,
/// whatever the service.
pub fn is_federation_key(key: &str) -> bool {
    match key.split_once(':') {
        Some((prefix, _)) => prefix.contains('.') || prefix.eq_ignore_ascii_case("saml"),
        None => false,
    }
}

/// What a condition key is: a global key, or a key some services list (with the services),
/// with its type. `None` when neither AWS's global keys nor the catalog know it.
pub fn condition_key_info(key: &str) -> Option<ConditionKeyInfo> {
    if let Some((name, key_type)) = global_condition_key(key) {
        return Some(ConditionKeyInfo {
            name,
            key_type,
            global: true,
            services: Vec::new(),
        });
    }
    let prefix = key.split_once(':').map_or("", |(p, _)| p);
    let mut found: Option<ConditionKeyInfo> = None;
    for (service, name, key_type, pattern) in SERVICE_KEYS.iter() {
        let hit = match pattern {
            Some(p) => name.eq_ignore_ascii_case(key) || wildcard_match(p, key, true),
            None => name.eq_ignore_ascii_case(key),
        };
        if !hit {
            continue;
        }
        match &mut found {
            None => {
                found = Some(ConditionKeyInfo {
                    name,
                    key_type,
                    global: false,
                    services: vec![service],
                });
            }
            Some(info) => {
                if !info.services.contains(service) {
                    info.services.push(service);
                }
                // The service the key is named after has the last word on its type.
                if service.eq_ignore_ascii_case(prefix) {
                    info.name = name;
                    info.key_type = key_type;
                }
            }
        }
    }
    found
}

/// The nearest documented key to an unknown one, among the global keys and those of the
/// given services (for "did you mean"); a key with a tag suffix keeps the one written
/// (`aws:PrincipleTag/team` → `aws:PrincipalTag/team`).
pub fn suggest_condition_key(key: &str, services: &[&str]) -> Option<String> {
    let lower = key.to_ascii_lowercase();
    let (stem, suffix) = match key.split_once('/') {
        Some((stem, suffix)) => (stem.to_ascii_lowercase(), Some(suffix)),
        None => (lower.clone(), None),
    };
    let candidates = GLOBAL_CONDITION_KEYS.iter().map(|(k, _)| *k).chain(
        SERVICE_KEYS
            .iter()
            .filter(|(s, ..)| services.iter().any(|x| x.eq_ignore_ascii_case(s)))
            .map(|(_, k, ..)| *k),
    );
    let (_, best) = candidates
        .map(|k| {
            let d = match (k.split_once('/'), suffix) {
                // Compare the stems of suffixed keys (`aws:PrincipalTag`).
                (Some((k_stem, _)), Some(_)) => edit_distance(&stem, &k_stem.to_ascii_lowercase()),
                _ => edit_distance(&lower, &k.to_ascii_lowercase()),
            };
            (d, k)
        })
        .filter(|(d, _)| *d <= 3.max(lower.len() / 6))
        .min()?;
    Some(match (best.split_once('/'), suffix) {
        (Some((k_stem, placeholder)), Some(written))
            if placeholder.starts_with(['$', '<']) || placeholder == "tag-key" =>
        {
            format!("{k_stem}/{written}")
        }
        _ => best.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_read_as_iam_reads_them() {
        assert!(value_fits(OperatorType::Date, "2026-11-22T10:00:00Z"));
        assert!(value_fits(OperatorType::Date, "2026-11-22"));
        assert!(value_fits(OperatorType::Date, "1790000000"));
        assert!(!value_fits(OperatorType::Date, "yesterday"));
        assert!(!value_fits(OperatorType::Date, "2026-13-01"));
        assert!(value_fits(OperatorType::Numeric, "3600"));
        assert!(!value_fits(OperatorType::Numeric, "one hour"));
        assert!(value_fits(OperatorType::Bool, "TRUE"));
        assert!(!value_fits(OperatorType::Bool, "yes"));
        assert!(value_fits(OperatorType::IpAddress, "203.0.113.0/24"));
        assert!(value_fits(OperatorType::IpAddress, "2001:db8::/32"));
        assert!(!value_fits(OperatorType::IpAddress, "203.0.113.0/33"));
        assert!(!value_fits(OperatorType::IpAddress, "office"));
        assert!(value_fits(
            OperatorType::Arn,
            "arn:aws:sqs:*:111122223333:jobs-*"
        ));
        assert!(!value_fits(OperatorType::Arn, "jobs-queue"));
        assert!(value_fits(OperatorType::Date, "${aws:CurrentTime}"));
    }

    fn op(s: &str) -> Result<ConditionOperator, OperatorProblem> {
        parse_operator(s)
    }

    #[test]
    fn operators_with_suffix_and_qualifiers() {
        let o = op("StringLikeIfExists").unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!((o.base, o.if_exists, o.set), ("StringLike", true, None));
        let o = op("ForAnyValue:StringLike").unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(o.set, Some(SetQualifier::ForAnyValue));
        let o =
            op("ForAllValues:StringEqualsIgnoreCaseIfExists").unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!((o.base, o.if_exists), ("StringEqualsIgnoreCase", true));
        assert_eq!(op("Null").map(|o| o.kind), Ok(OperatorType::Null));
        assert_eq!(
            op("NotIpAddress").map(|o| o.kind),
            Ok(OperatorType::IpAddress)
        );
        assert_eq!(op("BoolIfExists").map(|o| o.kind), Ok(OperatorType::Bool));
    }

    #[test]
    fn unknown_operators_and_misuse() {
        assert_eq!(
            op("StringEqual"),
            Err(OperatorProblem::Unknown {
                suggestion: Some("StringEquals")
            })
        );
        assert_eq!(
            op("StringEqualIfExists"),
            Err(OperatorProblem::Unknown {
                suggestion: Some("StringEquals")
            })
        );
        assert_eq!(
            op("Boolean"),
            Err(OperatorProblem::Unknown {
                suggestion: Some("Bool")
            })
        );
        assert_eq!(op("NullIfExists"), Err(OperatorProblem::NullQualified));
        assert_eq!(op("ForAnyValue:Null"), Err(OperatorProblem::NullQualified));
        assert!(matches!(
            op("ForSomeValues:StringLike"),
            Err(OperatorProblem::UnknownQualifier { .. })
        ));
        assert!(matches!(
            op("Whatever"),
            Err(OperatorProblem::Unknown { suggestion: None })
        ));
    }

    #[test]
    fn operator_types_against_key_types() {
        use OperatorType as T;
        assert!(operator_fits(T::String, "String"));
        assert!(operator_fits(T::String, "ARN"));
        assert!(operator_fits(T::String, "ArrayOfString"));
        assert!(!operator_fits(T::String, "Bool"));
        assert!(!operator_fits(T::String, "IPAddress"));
        assert!(!operator_fits(T::String, "Numeric"));
        assert!(!operator_fits(T::String, "Date"));
        assert!(operator_fits(T::Arn, "ArrayOfARN"));
        assert!(!operator_fits(T::Arn, "String"));
        assert!(!operator_fits(T::Date, "String"));
        assert!(operator_fits(T::Date, "Date|Numeric"));
        assert!(operator_fits(T::Numeric, "Date|Numeric"));
        assert!(!operator_fits(T::Numeric, "String"));
        assert!(!operator_fits(T::Bool, "String"));
        assert!(!operator_fits(T::IpAddress, "String"));
        assert!(operator_fits(T::Null, "Bool"));
        assert!(operator_fits(T::Numeric, "Long"), "unknown types pass");
        assert!(is_multivalued("ArrayOfString"));
        assert!(!is_multivalued("String"));
    }

    #[test]
    fn keys_of_services_with_placeholders() {
        let k = condition_key_info("s3:ExistingObjectTag/classification");
        assert_eq!(
            k.as_ref().map(|k| k.name),
            Some("s3:ExistingObjectTag/<key>")
        );
        assert!(k.is_some_and(|k| k.services.contains(&"s3")));
        assert_eq!(
            condition_key_info("S3:Prefix").map(|k| k.key_type),
            Some("String")
        );
        assert_eq!(
            condition_key_info("kms:EncryptionContext:tenant").map(|k| k.name),
            Some("kms:EncryptionContext:${EncryptionContextKey}")
        );
        assert_eq!(
            condition_key_info("iam:PassedToService").map(|k| k.services.contains(&"iam")),
            Some(true)
        );
        assert_eq!(
            condition_key_info("aws:SecureTransport").map(|k| (k.global, k.key_type)),
            Some((true, "Bool"))
        );
        assert!(condition_key_info("s3:prefixx").is_none());
        assert!(condition_key_info("s3:ExistingObjectTag/").is_none());
        assert!(is_federation_key("token.actions.githubusercontent.com:sub"));
        assert!(is_federation_key("saml:aud"));
        assert!(!is_federation_key("s3:prefix"));
    }

    #[test]
    fn key_suggestions() {
        let s = |k: &str, services: &[&str]| suggest_condition_key(k, services);
        assert_eq!(s("s3:prefixx", &["s3"]).as_deref(), Some("s3:prefix"));
        assert_eq!(s("aws:SourceIP4", &[]).as_deref(), Some("aws:SourceIp"));
        assert_eq!(
            s("aws:PrincipleTag/team", &[]).as_deref(),
            Some("aws:PrincipalTag/team")
        );
        assert_eq!(
            s("s3:ExistingObjectTags/owner", &["s3"]).as_deref(),
            Some("s3:ExistingObjectTag/owner")
        );
        assert_eq!(
            suggest_condition_key("zzz:nothing-like-it-at-all", &["s3"]),
            None
        );
    }
}

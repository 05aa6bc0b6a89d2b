//! Knowledge several rules share: what a secret looks like, how to read statements.

use std::sync::LazyLock;

use palisade_model::{
    App, Confidence, Function, PolicyDocument, Role, Segment, Statement, Symbol, Text, Value,
    ValueKind,
};
use regex::Regex;

/// Credential formats with a recognisable shape: (name, pattern).
const SECRET_FORMATS: &[(&str, &str)] = &[
    (
        "AWS access key id",
        r"\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b",
    ),
    (
        "private key",
        r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |PGP |ENCRYPTED )?PRIVATE KEY",
    ),
    (
        "GitHub token",
        r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})\b",
    ),
    ("GitLab token", r"\bglpat-[A-Za-z0-9_-]{20,}\b"),
    ("Slack token", r"\bxox[baprs]-[A-Za-z0-9-]{10,}\b"),
    (
        "Slack webhook",
        r"https://hooks\.slack\.com/services/T[A-Za-z0-9]+/B[A-Za-z0-9]+/[A-Za-z0-9]+",
    ),
    ("Stripe secret key", r"\b[rs]k_live_[0-9A-Za-z]{20,}\b"),
    ("Google API key", r"\bAIza[0-9A-Za-z_-]{35}\b"),
    (
        "SendGrid API key",
        r"\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}\b",
    ),
    ("Twilio API key", r"\bSK[0-9a-f]{32}\b"),
    ("npm token", r"\bnpm_[A-Za-z0-9]{36}\b"),
    ("OpenAI API key", r"\bsk-(?:proj-)?[A-Za-z0-9_-]{32,}\b"),
    ("Anthropic API key", r"\bsk-ant-[A-Za-z0-9_-]{32,}\b"),
    (
        "JSON Web Token",
        r"\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}",
    ),
    (
        "connection string with a password",
        // Case-insensitive for the ASCII scheme only: Unicode-aware `(?i)` needs the regex
        // crate's `unicode-case` feature, which the workspace does not enable.
        r"\b(?i-u:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|redis|rediss|amqps?|mssql|sqlserver)://[^:@/\s]+:[^@/\s]{3,}@",
    ),
];

static SECRET_REGEXES: LazyLock<Vec<(&'static str, Regex)>> = LazyLock::new(|| {
    SECRET_FORMATS
        .iter()
        .filter_map(|(name, p)| Regex::new(p).ok().map(|r| (*name, r)))
        .collect()
});

/// The kind of credential a string contains, when it has a known shape.
pub(crate) fn known_secret(s: &str) -> Option<&'static str> {
    SECRET_REGEXES
        .iter()
        .find(|(_, r)| r.is_match(s))
        .map(|(name, _)| *name)
}

/// Words that make a variable name a secret's name.
const SECRET_WORDS: &[&str] = &[
    "PASSWORD",
    "PASSWD",
    "PASSPHRASE",
    "PWD",
    "SECRET",
    "TOKEN",
    "APIKEY",
    "API_KEY",
    "ACCESS_KEY",
    "PRIVATE_KEY",
    "PRIVKEY",
    "CREDENTIAL",
    "CREDENTIALS",
    "AUTH_KEY",
    "SIGNING_KEY",
    "ENCRYPTION_KEY",
    "CLIENT_SECRET",
    "MASTER_KEY",
    "SESSION_KEY",
    "WEBHOOK_KEY",
    "CONNECTION_STRING",
    "CONN_STR",
    "DSN",
];

/// Suffixes that make a secret-sounding name the name of something else (a pointer to the
/// secret, a setting about it).
const POINTER_SUFFIXES: &[&str] = &[
    "_ARN",
    "_NAME",
    "_ID",
    "_PATH",
    "_PARAM",
    "_PARAMETER",
    "_PARAM_NAME",
    "_SSM",
    "_URL",
    "_URI",
    "_ENDPOINT",
    "_REGION",
    "_TTL",
    "_LENGTH",
    "_FILE",
    "_HEADER",
    "_EXPIRY",
    "_EXPIRES",
    "_TIMEOUT",
    "_TYPE",
    "_KEY_ID",
    "_VERSION",
    "_ENABLED",
    "_POLICY",
    "_ROTATION",
    "_SECRET_ID",
    "_LOCATION",
    "_PREFIX",
    "_FIELD",
    "_KEYS",
    "_COUNT",
    "_MIN",
    "_MAX",
];

/// `DbSecretArn` → `DB_SECRET_ARN`, `db-password` → `DB_PASSWORD`: camelCase words (template
/// parameters, some variables) separated like snake_case ones.
fn snake_upper(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    let mut prev: Option<char> = None;
    for c in name.chars() {
        if c.is_ascii_uppercase()
            && prev.is_some_and(|p| p.is_ascii_lowercase() || p.is_ascii_digit())
        {
            out.push('_');
        }
        out.push(if matches!(c, '-' | '.') {
            '_'
        } else {
            c.to_ascii_uppercase()
        });
        prev = Some(c);
    }
    out
}

/// True when `word` occurs in `upper` delimited by `_` or the ends (`API_KEY` in
/// `STRIPE_API_KEY`); long words also count inside another word (`PASSWORD` in `DBPASSWORD`).
fn has_word(upper: &str, word: &str) -> bool {
    let bytes = upper.as_bytes();
    upper.match_indices(word).any(|(i, _)| {
        let before = i
            .checked_sub(1)
            .and_then(|j| bytes.get(j))
            .is_none_or(|&b| b == b'_');
        let after = bytes.get(i + word.len()).is_none_or(|&b| b == b'_');
        (before && after) || word.len() >= 6
    })
}

/// True when a variable's name says it holds a secret value.
pub(crate) fn secret_name(name: &str) -> bool {
    let upper = snake_upper(name);
    if POINTER_SUFFIXES.iter().any(|s| upper.ends_with(s)) {
        return false;
    }
    SECRET_WORDS.iter().any(|w| has_word(&upper, w))
}

/// Shannon entropy in bits per character.
pub(crate) fn entropy(s: &str) -> f64 {
    let mut counts = [0u32; 256];
    for b in s.bytes() {
        if let Some(c) = counts.get_mut(b as usize) {
            *c += 1;
        }
    }
    let n = s.len() as f64;
    if n == 0.0 {
        return 0.0;
    }
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / n;
            -p * p.log2()
        })
        .sum()
}

/// Values a secret-named variable holds that are not secrets: flags, placeholders of the
/// deploy tooling, references to where the secret really is.
fn is_benign_literal(v: &str) -> bool {
    let t = v.trim();
    let lower = t.to_ascii_lowercase();
    t.len() < 6
        || matches!(
            lower.as_str(),
            "true" | "false" | "none" | "null" | "disabled" | "enabled" | "undefined" | "changeme-in-ssm"
        )
        || t.starts_with("arn:")
        || t.starts_with("{{resolve:")
        || t.starts_with("${")
        || t.starts_with("ssm:")
        || t.starts_with("secretsmanager:")
        // An SSM parameter or Secrets Manager secret name: `/prod/db/password`, `prod/db`.
        || (t.starts_with('/') && !t.contains(' '))
        || (t.starts_with("http") && known_secret(t).is_none())
        || t.chars().all(|c| c.is_ascii_digit())
}

/// How sure we are that a literal assigned to a secret-named variable is a real secret.
pub(crate) fn secret_value_confidence(v: &str) -> Option<Confidence> {
    if known_secret(v).is_some() {
        return Some(Confidence::High);
    }
    if is_benign_literal(v) {
        return None;
    }
    let classes = [
        v.bytes().any(|b| b.is_ascii_lowercase()),
        v.bytes().any(|b| b.is_ascii_uppercase()),
        v.bytes().any(|b| b.is_ascii_digit()),
        v.bytes().any(|b| !b.is_ascii_alphanumeric()),
    ]
    .iter()
    .filter(|x| **x)
    .count();
    let e = entropy(v);
    if v.len() >= 16 && e >= 3.5 {
        Some(Confidence::High)
    } else if e >= 2.5 || classes >= 2 {
        Some(Confidence::Medium)
    } else {
        Some(Confidence::Low)
    }
}

/// True when a value is a reference to a secret store resolved at deploy or run time.
pub(crate) fn is_secret_reference(text: &Text) -> bool {
    text.segments.iter().any(|s| match s {
        Segment::Sym(Symbol::Dynamic(d)) => {
            d.contains("secretsmanager") || d.contains("ssm-secure") || d.contains("ssm:")
        }
        _ => false,
    })
}

/// The literal parts of a value, each with the value it came from (choices give several).
pub(crate) fn literal_strings(v: &Value) -> Vec<String> {
    match &v.kind {
        ValueKind::Text(t) => t.literal().map(|s| vec![s.to_string()]).unwrap_or_default(),
        ValueKind::Number(n) => vec![n.clone()],
        ValueKind::Choice { options, .. } => {
            options.iter().flatten().flat_map(literal_strings).collect()
        }
        _ => Vec::new(),
    }
}

/// Policy documents a role holds that its owner wrote (inline, templates, connectors,
/// customer managed): AWS managed policies are judged by name elsewhere.
pub(crate) fn owned_documents(role: &Role) -> impl Iterator<Item = &PolicyDocument> {
    role.policies.iter()
}

/// Condition keys that narrow who a wildcard principal is (the calling account, organization,
/// network or source resource). Other conditions (`aws:SecureTransport`, tags) leave the
/// statement open to anyone.
const PRINCIPAL_NARROWING_KEYS: &[&str] = &[
    "aws:sourcearn",
    "aws:sourceaccount",
    "aws:sourceowner",
    "aws:sourceorgid",
    "aws:sourceorgpaths",
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:principalaccount",
    "aws:principalarn",
    "aws:principalservicename",
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:sourceip",
    "aws:vpcsourceip",
    "aws:userid",
    "aws:username",
    "aws:calledvia",
    "sts:externalid",
    "aws:resourceorgid",
];

/// True when a statement's `Condition` narrows who its principal can be.
pub(crate) fn narrows_principal(stmt: &Statement) -> bool {
    let Some(cond) = &stmt.condition else {
        return false;
    };
    let Some(operators) = cond.as_map() else {
        // An unresolved condition: assume it narrows rather than report on a guess.
        return true;
    };
    operators.iter().any(|op| match op.value.as_map() {
        Some(keys) => keys
            .iter()
            .any(|k| PRINCIPAL_NARROWING_KEYS.contains(&k.key.to_ascii_lowercase().as_str())),
        None => true,
    })
}

/// An Allow statement of a resource policy that anyone may use: its principal is `*` and no
/// condition narrows who.
pub(crate) struct PublicStatement<'a> {
    pub stmt: &'a Statement,
    /// The actions as written (literal ones).
    pub actions: Vec<&'a str>,
    /// With `NotAction`: the actions excluded (every other action is allowed).
    pub all_but: Option<Vec<&'a str>>,
    /// Where the wildcard principal is written.
    pub span: palisade_model::Span,
}

pub(crate) fn public_statements(policy: &PolicyDocument) -> Vec<PublicStatement<'_>> {
    allows(policy)
        .filter(|s| s.principal.as_ref().is_some_and(|p| p.is_anyone()) && !narrows_principal(s))
        .map(|stmt| PublicStatement {
            stmt,
            actions: stmt
                .action
                .as_ref()
                .map(|a| a.literals().map(|(s, _)| s).collect())
                .unwrap_or_default(),
            all_but: stmt
                .not_action
                .as_ref()
                .map(|a| a.literals().map(|(s, _)| s).collect()),
            span: stmt.principal.as_ref().map_or(stmt.span, |p| p.span()),
        })
        .collect()
}

/// Allow statements of a document.
pub(crate) fn allows(doc: &PolicyDocument) -> impl Iterator<Item = &Statement> {
    doc.statements.iter().filter(|s| s.is_allow())
}

/// The functions that run with a role, by id (a role may serve none, one or several).
pub(crate) fn functions_of<'a>(app: &'a App, role: &'a Role) -> Vec<&'a Function> {
    app.functions_with_role(&role.id)
}

/// "function Orders" / "functions A, B" / "no function of this app" for messages.
pub(crate) fn holders(functions: &[&Function]) -> String {
    match functions {
        [] => "no function of this app".to_string(),
        [f] => format!("function {}", f.id),
        many => format!(
            "functions {}",
            many.iter()
                .map(|f| f.id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// The account id in an ARN or principal, when written literally.
pub(crate) fn account_of(s: &str) -> Option<&str> {
    if s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit()) {
        return Some(s);
    }
    let account = arn_fields(s.strip_prefix("arn:")?).nth(3)?;
    (account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit())).then_some(account)
}

/// The `:`-separated fields of an ARN, where a `${…}` placeholder (`${AWS::Region}`) is one
/// field even though it contains colons.
fn arn_fields(s: &str) -> impl Iterator<Item = &str> {
    let mut depth = 0usize;
    let mut start = 0;
    let mut prev = 0u8;
    let mut fields = Vec::new();
    for (i, b) in s.bytes().enumerate() {
        match b {
            b'{' if prev == b'$' => depth += 1,
            b'}' if depth > 0 => depth -= 1,
            b':' if depth == 0 => {
                fields.push(s.get(start..i).unwrap_or(""));
                start = i + 1;
            }
            _ => {}
        }
        prev = b;
    }
    fields.push(s.get(start..).unwrap_or(""));
    fields.into_iter()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_names() {
        for yes in [
            "DB_PASSWORD",
            "password",
            "API_KEY",
            "stripeSecret",
            "GITHUB_TOKEN",
            "JWT_SECRET",
            "DATABASE_DSN",
        ] {
            assert!(secret_name(yes), "{yes}");
        }
        for yes in [
            "DbPassword",
            "MasterUserPassword",
            "GitHubToken",
            "APIKey",
            "ApiKey",
            "dbPwd",
        ] {
            assert!(secret_name(yes), "{yes}");
        }
        for no in [
            "DB_SECRET_ARN",
            "SECRET_NAME",
            "TOKEN_URL",
            "PASSWORD_PARAM",
            "TABLE_NAME",
            "LOG_LEVEL",
            "KMS_KEY_ID",
        ] {
            assert!(!secret_name(no), "{no}");
        }
        for no in [
            "DbSecretArn",
            "ApiTokenParameterName",
            "SecretsManagerEndpoint",
            "ApiKeyId",
        ] {
            assert!(!secret_name(no), "{no}");
        }
    }

    #[test]
    fn every_secret_format_compiles() {
        // A pattern that fails to compile is dropped silently by `SECRET_REGEXES`.
        assert_eq!(SECRET_REGEXES.len(), SECRET_FORMATS.len());
    }

    #[test]
    fn accounts() {
        assert_eq!(account_of("123456789012"), Some("123456789012"));
        assert_eq!(
            account_of("arn:aws:lambda:eu-west-1:123456789012:layer:x:7"),
            Some("123456789012")
        );
        assert_eq!(
            account_of("arn:aws:lambda:${AWS::Region}:123456789012:layer:x:7"),
            Some("123456789012")
        );
        assert_eq!(
            account_of("arn:${AWS::Partition}:lambda:${AWS::Region}:123456789012:layer:x:7"),
            Some("123456789012")
        );
        assert_eq!(
            account_of("arn:aws:lambda:${AWS::Region}:${AWS::AccountId}:layer:x:7"),
            None
        );
        assert_eq!(account_of("${SharedLayer}"), None);
    }

    #[test]
    fn secret_values() {
        assert_eq!(
            known_secret("AKIAIOSFODNN7EXAMPLE"),
            Some("AWS access key id")
        );
        assert_eq!(
            known_secret("postgres://app:s3cr3t@db:5432/x"),
            Some("connection string with a password")
        );
        assert!(known_secret("postgres://db:5432/x").is_none());
        assert_eq!(
            secret_value_confidence("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
            Some(Confidence::High)
        );
        assert!(secret_value_confidence("hunter2-prod").is_some());
        assert_eq!(secret_value_confidence("true"), None);
        assert_eq!(secret_value_confidence("/prod/db/password"), None);
        assert_eq!(
            secret_value_confidence("arn:aws:secretsmanager:us-east-1:123456789012:secret:x"),
            None
        );
    }
}

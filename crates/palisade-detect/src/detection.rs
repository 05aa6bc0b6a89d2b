//! What the detections produce, whatever their source: a Sigma rule or a built-in detection
//! (PAL5xx) on CloudTrail, on function logs, or against a baseline.

use std::sync::Arc;

/// A rule's level, Sigma's words.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Informational,
    Low,
    Medium,
    High,
    Critical,
}

impl Level {
    pub fn parse(text: &str) -> Option<Level> {
        Some(match text.to_ascii_lowercase().as_str() {
            "informational" | "info" => Level::Informational,
            "low" => Level::Low,
            "medium" => Level::Medium,
            "high" => Level::High,
            "critical" => Level::Critical,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Informational => "informational",
            Level::Low => "low",
            Level::Medium => "medium",
            Level::High => "high",
            Level::Critical => "critical",
        }
    }
}

/// Where a rule comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RuleSource {
    /// A detection written in Rust (PAL5xx that Sigma cannot say).
    Builtin,
    /// A Sigma rule file, relative to the folder it was loaded from (`sigmahq/…` or
    /// `palisade/…` for the bundled ones).
    Sigma { file: String },
}

/// The rule behind a detection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleRef {
    /// `PAL503` for Palisade's detections (also when shipped as Sigma, by the rule's
    /// `palisade.pal503` tag); the Sigma id otherwise.
    pub code: String,
    pub title: String,
    pub level: Level,
    /// Required in any view of a SigmaHQ match (DRL 1.1).
    pub author: Option<String>,
    /// The Sigma rule's id, when it is a Sigma rule.
    pub sigma_id: Option<String>,
    pub source: RuleSource,
}

/// Where an event was read: a log file (relative to the path given) and the record in it
/// (`records[17]`, `line 4`, `logEvents[2]`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Origin {
    pub file: String,
    pub at: String,
}

/// One detection: a rule firing on an event, or on a group of events (a burst, a spike, a
/// correlation), with the evidence.
#[derive(Clone, Debug, PartialEq)]
pub struct Detection {
    pub rule: Arc<RuleRef>,
    /// The event's time (the first event's, for a group), milliseconds since the epoch.
    pub time_ms: Option<i64>,
    /// The function concerned, by name (`orders-api`), when known.
    pub function: Option<String>,
    /// Who did it: a role or user ARN, or the identity type.
    pub principal: Option<String>,
    /// One sentence: what happened, with the specifics.
    pub message: String,
    /// Facts that support it, in order (`eventName` → `AddPermission`, `principal` → `*`,
    /// `count` → `57 in 5 min`, `baseline` → `never seen in 30 days`).
    pub evidence: Vec<(String, String)>,
    /// Where the (first) event was read.
    pub origin: Option<Origin>,
    /// The (first) event's JSON text.
    pub event: Option<String>,
    /// What makes two detections of the same rule the same occurrence (the principal and the
    /// API, the function and the window): identity for fingerprints and de-duplication.
    pub key: String,
}

/// What the user's configuration tells the detections.
#[derive(Clone, Debug, Default)]
pub struct DetectConfig {
    /// Principals allowed to change functions: ARNs, `*` as a wildcard
    /// (`arn:aws:iam::123456789012:role/deploy-*`). Empty: PAL501 is not run, and a note says
    /// how to configure it.
    pub deployers: Vec<String>,
    /// The organisation's own account ids; any other account is foreign. Empty: the account
    /// that records the event (`recipientAccountId`) is the only own account.
    pub accounts: Vec<String>,
    /// Functions known from a template (`--app`), for regions and roles.
    pub functions: Vec<KnownFunction>,
}

/// A function as the template declares it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KnownFunction {
    /// The deployed name (`FunctionName`), else the logical id.
    pub name: String,
    pub logical_id: String,
    /// The execution role's name, when the template gives it.
    pub role_name: Option<String>,
    pub region: Option<String>,
}

/// `*` matches any run of characters; everything else literally (case-sensitive, as ARNs).
pub fn wildcard_match(pattern: &str, text: &str) -> bool {
    let p = pattern.as_bytes();
    let t = text.as_bytes();
    let (mut pi, mut ti) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while ti < t.len() {
        if pi < p.len() && p[pi] == b'*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if pi < p.len() && p[pi] == t[ti] {
            pi += 1;
            ti += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards() {
        assert!(wildcard_match(
            "arn:aws:iam::1:role/deploy-*",
            "arn:aws:iam::1:role/deploy-ci"
        ));
        assert!(!wildcard_match(
            "arn:aws:iam::1:role/deploy-*",
            "arn:aws:iam::1:role/dev"
        ));
        assert!(wildcard_match("*", ""));
        assert!(wildcard_match("a*b*c", "aXXbYc"));
        assert!(!wildcard_match("a*b*c", "aXXbY"));
    }
}

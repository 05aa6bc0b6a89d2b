//! PAL509: a function's execution-role credentials used outside Lambda or in another region.
//! Decided at `finish`: whether a session is a function's is learnt from any of its calls,
//! in any file.

use std::collections::{BTreeMap, BTreeSet};

use crate::detection::{DetectConfig, Detection};

use super::{
    Context, Kept, insert_capped, is_lambda_user_agent, join_capped, known_function, rule_ref,
};

palisade_model::rule_meta! {
    /// ## What it does
    /// Follows each assumed-role session by its access key. Lambda names the execution role's
    /// session after the function (`assumed-role/<role>/<function>`), and the AWS SDKs in a
    /// function add `exec-env/AWS_Lambda_<runtime>` to their user agent. A session seen making
    /// such calls is a function's; the detection reports the same session (same
    /// `accessKeyId`) making calls without that user agent, or calls to a regional service in
    /// another region than the function's (from `--app`'s template when it gives the region).
    /// Calls made by AWS services on the session's behalf (`invokedBy`) and by Lambda's own
    /// worker are not counted. The decision is taken after the last file, so the order of the
    /// files does not matter.
    ///
    /// ## Why is this bad?
    /// An execution role's temporary credentials sit in the function's environment variables.
    /// Code injection, a server-side request forgery, or a malicious dependency can read them
    /// and send them out; the attacker then uses them from a laptop or a server with the
    /// function's permissions, until they expire. The same key seen in and out of Lambda is
    /// the clearest trace of that theft.
    ///
    /// ## Example
    /// Two calls with the key `ASIAEXAMPLE` of `assumed-role/orders-role/orders-api`: one with the
    /// user agent `aws-sdk-js/3.445.0 … exec-env/AWS_Lambda_nodejs20.x`, then `ListBuckets`
    /// with `aws-cli/2.15.0` from `198.51.100.7`.
    ///
    /// ## Fix
    /// Revoke the role's active sessions (an inline deny on `aws:TokenIssueTime` earlier than
    /// now, which the console's "Revoke active sessions" writes), find how the credentials
    /// leaked (injection, SSRF, a dependency: see the code and dependency findings), and narrow
    /// the role's permissions.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S3:2017 Sensitive Data Exposure
    /// - Lambda execution role: https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html
    /// - Revoking temporary credentials: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_revoke-sessions.html
    /// - MITRE ATT&CK T1552.005 Unsecured Credentials: Cloud Instance Metadata API
    pub(crate) static META {
        code: "PAL509",
        name: "function-credentials-used-outside-lambda",
        title: "Lambda execution-role credentials used outside the function",
        severity: Critical,
        confidence: Medium,
        sas: S3,
        area: Monitoring,
        fix: "Revoke the role's active sessions, find how the credentials leaked, and narrow the role.",
    }
}

/// Services whose events CloudTrail records in `us-east-1` (or the endpoint's region) whoever
/// calls them: their region says nothing about where the caller runs.
const GLOBAL_SERVICES: &[&str] = &[
    "iam",
    "sts",
    "organizations",
    "route53",
    "route53domains",
    "cloudfront",
    "globalaccelerator",
    "support",
    "health",
    "account",
    "budgets",
    "ce",
    "signin",
    "shield",
    "waf",
];

/// Regions remembered per session (evidence, and the home regions when the template does not
/// give the function's).
const REGIONS_CAP: usize = 16;

#[derive(Debug, Default)]
pub(crate) struct Sessions {
    by_key: BTreeMap<String, Session>,
    /// Sessions not tracked because of `max_sessions`.
    dropped: u64,
}

#[derive(Debug, Default)]
struct Session {
    role: String,
    function: String,
    /// Regions of calls made from inside Lambda.
    inside: BTreeSet<String>,
    /// The earliest call without Lambda's user agent, and how many there were.
    outside: Option<Kept>,
    outside_count: u64,
    outside_regions: BTreeSet<String>,
    /// The earliest call from inside Lambda to a regional service in another region than the
    /// template's, and how many there were.
    astray: Option<Kept>,
    astray_count: u64,
    astray_regions: BTreeSet<String>,
    /// The function's region from the template, when known.
    home: Option<String>,
    /// The latest event time of the session.
    last_ms: Option<i64>,
}

impl Session {
    fn merge(&mut self, other: Session) {
        self.inside.extend(other.inside);
        self.outside = Kept::earliest(self.outside.take(), other.outside);
        self.outside_count += other.outside_count;
        self.outside_regions.extend(other.outside_regions);
        self.astray = Kept::earliest(self.astray.take(), other.astray);
        self.astray_count += other.astray_count;
        self.astray_regions.extend(other.astray_regions);
        if self.home.is_none() {
            self.home = other.home;
        }
        self.last_ms = self.last_ms.max(other.last_ms);
    }
}

impl Sessions {
    pub fn merge(&mut self, other: Sessions) {
        self.dropped += other.dropped;
        for (key, session) in other.by_key {
            match self.by_key.get_mut(&key) {
                Some(mine) => mine.merge(session),
                None => {
                    self.by_key.insert(key, session);
                }
            }
        }
    }

    pub fn observe(&mut self, cx: &Context<'_, '_>, max_sessions: usize) {
        let e = cx.event;
        let Some(id) = e.user_identity.as_ref() else {
            return;
        };
        let (Some(key), Some(function)) = (id.access_key_id.as_deref(), e.session_name()) else {
            return;
        };
        if key.is_empty() || id.invoked_by.is_some() {
            return;
        }
        let source_ip = e.source_ip_address.as_deref().unwrap_or("");
        if source_ip == "AWS Internal" || source_ip.ends_with(".amazonaws.com") {
            return;
        }
        let user_agent = e.user_agent.as_deref().unwrap_or("");
        // Lambda's own worker (log streams, extensions API) uses the role too.
        if user_agent.starts_with("awslambda-worker") {
            return;
        }
        if !self.by_key.contains_key(key) {
            if self.by_key.len() >= max_sessions {
                self.dropped += 1;
                return;
            }
            let role = cx.principal();
            let home = home_region(cx.config, function, &role);
            self.by_key.insert(
                key.to_string(),
                Session {
                    role,
                    function: function.to_string(),
                    home,
                    ..Session::default()
                },
            );
        }
        let Some(session) = self.by_key.get_mut(key) else {
            return;
        };
        session.last_ms = session.last_ms.max(e.time_ms());
        let region = e.aws_region.as_deref().unwrap_or("");
        let regional = e
            .api()
            .is_some_and(|(service, _)| !GLOBAL_SERVICES.contains(&service));
        if is_lambda_user_agent(user_agent) {
            if !region.is_empty() {
                insert_capped(&mut session.inside, region, REGIONS_CAP);
            }
            let astray = regional
                && !region.is_empty()
                && session.home.as_deref().is_some_and(|home| home != region);
            if astray {
                session.astray = Kept::earliest(session.astray.take(), Some(Kept::of(cx)));
                session.astray_count += 1;
                insert_capped(&mut session.astray_regions, region, REGIONS_CAP);
            }
        } else {
            session.outside = Kept::earliest(session.outside.take(), Some(Kept::of(cx)));
            session.outside_count += 1;
            if !region.is_empty() {
                insert_capped(&mut session.outside_regions, region, REGIONS_CAP);
            }
        }
    }

    /// Decide now the sessions last seen before `before_ms` and forget them, so that memory
    /// follows the sessions of the last hours, not of the whole input. A session's
    /// credentials expire within hours; an event of it read later than that is judged as a
    /// new session.
    pub fn evict(&mut self, before_ms: i64, out: &mut Vec<Detection>) {
        let old: Vec<String> = self
            .by_key
            .iter()
            .filter(|(_, s)| s.last_ms.is_some_and(|t| t < before_ms))
            .map(|(k, _)| k.clone())
            .collect();
        if old.is_empty() {
            return;
        }
        let mut done = Sessions::default();
        for key in old {
            if let Some(s) = self.by_key.remove(&key) {
                done.by_key.insert(key, s);
            }
        }
        done.finish(out);
    }

    pub fn finish(self, out: &mut Vec<Detection>) {
        for (key, s) in self.by_key {
            // Only sessions seen inside Lambda are a function's.
            if s.inside.is_empty() {
                continue;
            }
            let home = s.home.as_ref().map_or_else(
                || join_capped(&s.inside, 4),
                |h| format!("{h} (the template's region)"),
            );
            if let Some(kept) = &s.outside {
                let from = kept.source_ip.as_deref().unwrap_or("an unknown address");
                let agent = kept.user_agent.as_deref().unwrap_or("no user agent");
                let message = format!(
                    "Credentials of {}'s execution role ({}) were used outside Lambda: {} from {from} with {agent} ({} call{} without Lambda's user agent)",
                    s.function,
                    s.role,
                    kept.api,
                    s.outside_count,
                    if s.outside_count == 1 { "" } else { "s" },
                );
                let mut evidence = evidence(&key, &s, kept);
                evidence.push((
                    "outsideRegions".to_string(),
                    join_capped(&s.outside_regions, 8),
                ));
                evidence.push(("seenInsideLambdaIn".to_string(), home.clone()));
                out.push(detection(
                    &key,
                    &s,
                    kept,
                    "outside-lambda",
                    message,
                    evidence,
                ));
            }
            if let Some(kept) = &s.astray {
                let region = kept.region.as_deref().unwrap_or("another region");
                let message = format!(
                    "Credentials of {}'s execution role ({}) called {} in {region}, but the function runs in {home} ({} call{} in other regions)",
                    s.function,
                    s.role,
                    kept.api,
                    s.astray_count,
                    if s.astray_count == 1 { "" } else { "s" },
                );
                let mut evidence = evidence(&key, &s, kept);
                evidence.push((
                    "otherRegions".to_string(),
                    join_capped(&s.astray_regions, 8),
                ));
                out.push(detection(&key, &s, kept, "other-region", message, evidence));
            }
        }
    }
}

/// The function's region from the template, when the session's name and role match a known
/// function.
fn home_region(config: &DetectConfig, function: &str, role_arn: &str) -> Option<String> {
    let known = known_function(config, function)?;
    if let Some(role) = &known.role_name {
        let role_name = role_arn.rsplit('/').next().unwrap_or(role_arn);
        if role_name != role {
            return None;
        }
    }
    known.region.clone()
}

fn evidence(key: &str, s: &Session, kept: &Kept) -> Vec<(String, String)> {
    let mut ev = vec![
        ("accessKeyId".to_string(), key.to_string()),
        ("role".to_string(), s.role.clone()),
        ("function".to_string(), s.function.clone()),
        ("api".to_string(), kept.api.clone()),
    ];
    for (name, value) in [
        ("sourceIPAddress", &kept.source_ip),
        ("userAgent", &kept.user_agent),
        ("awsRegion", &kept.region),
    ] {
        if let Some(v) = value {
            ev.push((name.to_string(), v.clone()));
        }
    }
    ev
}

fn detection(
    key: &str,
    s: &Session,
    kept: &Kept,
    kind: &str,
    message: String,
    evidence: Vec<(String, String)>,
) -> Detection {
    Detection {
        rule: rule_ref(&META),
        time_ms: kept.time_ms,
        function: Some(s.function.clone()),
        principal: Some(kept.principal.clone()),
        message,
        evidence,
        origin: Some(kept.origin.clone()),
        event: Some(kept.raw.clone()),
        key: format!("{}|{}|{key}|{kind}", s.role, s.function),
    }
}

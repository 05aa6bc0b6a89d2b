//! One run's observations: each file read into its own [`Observations`], merged in file order.

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;
use std::sync::Arc;

use serde_json::Value;

use super::profile::{CAPS, Caps, HourMerge, Occurrence, Profile, record};
use crate::detection::{DetectConfig, Origin};
use crate::event::CloudTrailEvent;

pub(crate) const HOUR_MS: i64 = 3_600_000;

/// What observing keeps and which events it takes.
#[derive(Clone, Debug)]
pub struct ObserveSettings {
    /// Only events at or after this time (milliseconds since the epoch) are observed.
    pub from_ms: Option<i64>,
    /// Only events before this time are observed.
    pub to_ms: Option<i64>,
    /// Keep each first occurrence's JSON text as evidence. Learning does not need it.
    pub keep_events: bool,
    /// Sessions with these names are functions (Lambda names a role's session after the
    /// function).
    pub function_names: BTreeSet<String>,
    /// Roles with these names are function roles.
    pub function_role_names: BTreeSet<String>,
    pub caps: Caps,
}

impl Default for ObserveSettings {
    fn default() -> Self {
        ObserveSettings {
            from_ms: None,
            to_ms: None,
            keep_events: true,
            function_names: BTreeSet::new(),
            function_role_names: BTreeSet::new(),
            caps: CAPS,
        }
    }
}

impl ObserveSettings {
    /// The functions the configuration knows (`--app`), by name and by role.
    pub fn from_config(config: &DetectConfig) -> ObserveSettings {
        ObserveSettings {
            function_names: config.functions.iter().map(|f| f.name.clone()).collect(),
            function_role_names: config
                .functions
                .iter()
                .filter_map(|f| f.role_name.clone())
                .collect(),
            ..ObserveSettings::default()
        }
    }

    /// Only events in `[from_ms, to_ms)`: the training window. Events outside are counted,
    /// not observed; so are events without a time when a window is set.
    pub fn window(mut self, from_ms: Option<i64>, to_ms: Option<i64>) -> ObserveSettings {
        self.from_ms = from_ms;
        self.to_ms = to_ms;
        self
    }

    fn in_window(&self, time_ms: Option<i64>) -> bool {
        if self.from_ms.is_none() && self.to_ms.is_none() {
            return true;
        }
        let Some(t) = time_ms else { return false };
        self.from_ms.is_none_or(|from| t >= from) && self.to_ms.is_none_or(|to| t < to)
    }
}

/// What one run saw, per principal; mergeable, bounded by distinct keys (see [`Caps`]).
#[derive(Debug, Default)]
pub struct Observations {
    settings: Arc<ObserveSettings>,
    principals: BTreeMap<String, Profile>,
    /// Events observed.
    pub events: u64,
    /// Events outside the window (or without a time while a window is set): not observed.
    pub outside_window: u64,
    /// Events without a user identity: not observed.
    pub without_principal: u64,
    /// Events of principals beyond the cap: not observed.
    pub principals_overflow: u64,
    pub first_ms: Option<i64>,
    pub last_ms: Option<i64>,
}

impl Observations {
    pub fn new(settings: Arc<ObserveSettings>) -> Observations {
        Observations {
            settings,
            ..Observations::default()
        }
    }

    /// The principals seen, by name.
    pub fn principals(&self) -> &BTreeMap<String, Profile> {
        &self.principals
    }

    pub fn is_empty(&self) -> bool {
        self.principals.is_empty()
    }

    pub fn observe(&mut self, event: &CloudTrailEvent<'_>, raw: &str, origin: &Origin) {
        let settings = &*self.settings;
        let caps = settings.caps;
        let time_ms = event.time_ms();
        if !settings.in_window(time_ms) {
            self.outside_window += 1;
            return;
        }
        let Some(principal) = event.principal() else {
            self.without_principal += 1;
            return;
        };
        if !self.principals.contains_key(principal.as_ref())
            && self.principals.len() >= caps.principals
        {
            self.principals_overflow += 1;
            return;
        }
        let session = event.session_name();
        let function_role = event
            .user_agent
            .as_deref()
            .is_some_and(|ua| ua.contains("exec-env/AWS_Lambda"))
            || session.is_some_and(|s| settings.function_names.contains(s))
            || role_name(&principal).is_some_and(|r| settings.function_role_names.contains(r));
        let occurrence = |detail: Option<String>| Occurrence {
            time_ms,
            origin: origin.clone(),
            event: settings.keep_events.then(|| raw.to_string()),
            session: session.map(str::to_string),
            detail,
        };

        self.events += 1;
        if let Some(t) = time_ms {
            self.first_ms = Some(self.first_ms.map_or(t, |f| f.min(t)));
            self.last_ms = Some(self.last_ms.map_or(t, |l| l.max(t)));
        }
        let p = self.principals.entry(principal.into_owned()).or_default();
        p.function_role |= function_role;
        p.events += 1;
        if let Some(t) = time_ms {
            p.first_ms = Some(p.first_ms.map_or(t, |f| f.min(t)));
            p.last_ms = Some(p.last_ms.map_or(t, |l| l.max(t)));
        }
        if let Some(s) = session
            && !p.sessions.contains(s)
        {
            if p.sessions.len() < caps.sessions {
                p.sessions.insert(s.to_string());
            } else {
                p.overflow.sessions += 1;
            }
        }
        if let Some((service, name)) = event.api() {
            let key = format!("{service}:{name}");
            record(
                &mut p.apis,
                caps.apis,
                &mut p.overflow.apis,
                &key,
                time_ms,
                || occurrence(None),
            );
        }
        if let Some(address) = event.source_ip_address.as_deref() {
            let (key, detail) = address_class(address);
            record(
                &mut p.addresses,
                caps.addresses,
                &mut p.overflow.addresses,
                &key,
                time_ms,
                || occurrence(detail),
            );
        }
        if let Some(region) = event.aws_region.as_deref() {
            record(
                &mut p.regions,
                caps.regions,
                &mut p.overflow.regions,
                region,
                time_ms,
                || occurrence(None),
            );
        }
        for (key, detail) in secrets_read(event) {
            record(
                &mut p.secrets,
                caps.secrets,
                &mut p.overflow.secrets,
                &key,
                time_ms,
                || occurrence(Some(detail)),
            );
        }
        if let Some(t) = time_ms {
            let hour = t.div_euclid(HOUR_MS);
            *p.hours.entry(hour).or_insert(0) += 1;
            let keep = p
                .hour_first
                .get(&hour)
                .is_none_or(|first| first.time_ms.is_some_and(|f| t < f));
            if keep {
                p.hour_first.insert(hour, occurrence(None));
            }
            if p.hours.len() > caps.hours {
                p.trim_hours(&caps);
            }
        }
    }

    /// Folds the observations of a later file in.
    pub fn merge(&mut self, other: Observations) {
        // An empty accumulator (`Observations::default()`) takes the settings of what it
        // gathers, so that its notes name the caps the files were read with.
        if self.principals.is_empty() && self.events == 0 {
            self.settings = Arc::clone(&other.settings);
        }
        let caps = self.settings.caps;
        self.events += other.events;
        self.outside_window += other.outside_window;
        self.without_principal += other.without_principal;
        self.principals_overflow += other.principals_overflow;
        for (t, keep_min) in [(other.first_ms, true), (other.last_ms, false)] {
            let Some(t) = t else { continue };
            let slot = if keep_min {
                &mut self.first_ms
            } else {
                &mut self.last_ms
            };
            *slot = Some(slot.map_or(t, |s| if keep_min { s.min(t) } else { s.max(t) }));
        }
        for (name, profile) in other.principals {
            if let Some(mine) = self.principals.get_mut(&name) {
                mine.merge(profile, HourMerge::Add, &caps);
            } else if self.principals.len() < caps.principals {
                self.principals.insert(name, profile);
            } else {
                self.principals_overflow += profile.events;
            }
        }
    }

    /// What was not observed, and every cap reached, in words.
    pub fn notes(&self) -> Vec<String> {
        let caps = &self.settings.caps;
        let mut out = Vec::new();
        if self.outside_window > 0 {
            out.push(format!(
                "{} events outside the training window not learnt",
                self.outside_window
            ));
        }
        if self.without_principal > 0 {
            out.push(format!(
                "{} events without a user identity not considered",
                self.without_principal
            ));
        }
        if self.principals_overflow > 0 {
            out.push(format!(
                "{} events of more principals not kept (at most {} principals)",
                self.principals_overflow, caps.principals
            ));
        }
        for (name, p) in &self.principals {
            out.extend(p.overflow.notes(name, caps));
        }
        out
    }
}

/// `arn:aws:iam::1:role/service/orders-role` → `orders-role`.
pub(crate) fn role_name(principal: &str) -> Option<&str> {
    let (_, path) = principal.split_once(":role/")?;
    path.rsplit('/').next()
}

/// The class an address is learnt as, and the address itself when the class groups several:
/// IPv4 by /24 and IPv6 by /48 (one NAT gateway, office or provider block stays inside one,
/// while single addresses churn within them); a non-address (`AWS Internal`,
/// `lambda.amazonaws.com`) is its own class.
pub fn address_class(address: &str) -> (String, Option<String>) {
    let text = address.trim();
    match text.parse::<IpAddr>() {
        Ok(IpAddr::V4(ip)) => {
            let [a, b, c, _] = ip.octets();
            (format!("{a}.{b}.{c}.0/24"), Some(text.to_string()))
        }
        Ok(IpAddr::V6(ip)) => {
            let [a, b, c, ..] = ip.segments();
            (format!("{a:x}:{b:x}:{c:x}::/48"), Some(text.to_string()))
        }
        Err(_) => (text.chars().take(128).collect(), None),
    }
}

/// The secrets and decrypted parameters a successful call read: (`secretsmanager:prod/db`,
/// the id as written). `kms:Decrypt` is left out: every SSE-KMS object, queue message and
/// environment variable decryption produces one, and its key id names no secret.
fn secrets_read(event: &CloudTrailEvent<'_>) -> Vec<(String, String)> {
    if event.error_code.is_some() {
        return Vec::new();
    }
    let Some((service, name)) = event.api() else {
        return Vec::new();
    };
    let wanted = matches!(
        (service, name),
        ("secretsmanager", "GetSecretValue" | "BatchGetSecretValue")
            | (
                "ssm",
                "GetParameter" | "GetParameters" | "GetParametersByPath"
            )
    );
    if !wanted {
        return Vec::new();
    }
    let Some(request) = event.request() else {
        return Vec::new();
    };
    let strings = |v: Option<&Value>| -> Vec<String> {
        match v {
            Some(Value::String(s)) => vec![s.clone()],
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(|i| i.as_str().map(str::to_string))
                .collect(),
            _ => Vec::new(),
        }
    };
    match (service, name) {
        ("secretsmanager", _) => strings(
            request
                .get("secretId")
                .or_else(|| request.get("secretIdList")),
        )
        .into_iter()
        .map(|id| (format!("secretsmanager:{}", secret_name(&id)), id))
        .collect(),
        _ => {
            if request.get("withDecryption").and_then(Value::as_bool) != Some(true) {
                return Vec::new();
            }
            let by_path = name == "GetParametersByPath";
            let field = match name {
                "GetParameters" => "names",
                "GetParametersByPath" => "path",
                _ => "name",
            };
            strings(request.get(field))
                .into_iter()
                .map(|id| {
                    let name = parameter_name(&id);
                    let key = if by_path {
                        format!("ssm:{}/*", name.trim_end_matches('/'))
                    } else {
                        format!("ssm:{name}")
                    };
                    (key, id)
                })
                .collect()
        }
    }
}

/// A secret by ARN or by name → its name: the ARN's last part without the six random
/// characters Secrets Manager appends (`prod/db-AbC123` → `prod/db`).
fn secret_name(id: &str) -> &str {
    let Some((_, name)) = id.split_once(":secret:") else {
        return id;
    };
    match name.rsplit_once('-') {
        Some((base, suffix))
            if suffix.len() == 6 && suffix.bytes().all(|b| b.is_ascii_alphanumeric()) =>
        {
            base
        }
        _ => name,
    }
}

/// A parameter by ARN or by name → its name (`arn:…:parameter/app/key` → `/app/key`).
fn parameter_name(id: &str) -> &str {
    match id.split_once(":parameter") {
        Some((_, name)) if id.starts_with("arn:") => name,
        _ => id,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_group_by_block() {
        assert_eq!(
            address_class("203.0.113.77"),
            (
                "203.0.113.0/24".to_string(),
                Some("203.0.113.77".to_string())
            )
        );
        assert_eq!(address_class("2001:db8:abcd:12::1").0, "2001:db8:abcd::/48");
        assert_eq!(address_class("AWS Internal"), ("AWS Internal".into(), None));
    }

    #[test]
    fn secret_names() {
        assert_eq!(
            secret_name("arn:aws:secretsmanager:us-east-1:1:secret:prod/db-AbC123"),
            "prod/db"
        );
        assert_eq!(secret_name("prod/db"), "prod/db");
        assert_eq!(
            parameter_name("arn:aws:ssm:us-east-1:1:parameter/app/key"),
            "/app/key"
        );
    }

    #[test]
    fn decrypted_parameters_are_secrets_and_plain_ones_are_not() {
        let read = |json: &str| {
            let e = CloudTrailEvent::parse(json).ok().unwrap_or_default();
            secrets_read(&e)
                .into_iter()
                .map(|(k, _)| k)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            read(
                r#"{"eventSource":"ssm.amazonaws.com","eventName":"GetParameters",
                "requestParameters":{"names":["/a","/b"],"withDecryption":true}}"#
            ),
            vec!["ssm:/a", "ssm:/b"]
        );
        assert!(
            read(
                r#"{"eventSource":"ssm.amazonaws.com","eventName":"GetParameter",
                "requestParameters":{"name":"/a"}}"#
            )
            .is_empty()
        );
        assert!(
            read(
                r#"{"eventSource":"secretsmanager.amazonaws.com","eventName":"GetSecretValue",
                "errorCode":"AccessDenied","requestParameters":{"secretId":"x"}}"#
            )
            .is_empty()
        );
    }
}

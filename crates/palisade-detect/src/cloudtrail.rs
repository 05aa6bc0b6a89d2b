//! Palisade's detections on CloudTrail written for serverless (PAL501–PAL519): the ones that
//! need state or configuration are here; the ones Sigma can say ship as Sigma rules in
//! `rules/palisade/` (tagged `palisade.pal5xx`) and only their metadata is here. One file per
//! rule under `cloudtrail/`; this file holds what they share and the dispatch.

use std::collections::BTreeSet;
use std::sync::Arc;

use palisade_model::{RuleMeta, Severity};

use crate::detection::{
    DetectConfig, Detection, KnownFunction, Level, Origin, RuleRef, RuleSource,
};
use crate::event::CloudTrailEvent;

mod access_denied_burst;
mod concurrency_zero;
mod credentials_outside_lambda;
mod event_selectors_weakened;
mod foreign_event_source;
mod foreign_function_policy;
mod foreign_layer;
mod function_url_public;
mod layer_attached;
mod non_deployer_change;
mod policy_public;
mod trail_stopped;
mod trail_weakened;

/// Every PAL5xx rule of this module, Sigma-shipped or not, for `palisade rules` and SARIF.
pub fn rules() -> Vec<&'static RuleMeta> {
    vec![
        &non_deployer_change::META,
        &layer_attached::META,
        &foreign_layer::META,
        &function_url_public::META,
        &policy_public::META,
        &foreign_function_policy::META,
        &concurrency_zero::META,
        &foreign_event_source::META,
        &credentials_outside_lambda::META,
        &access_denied_burst::META,
        &trail_stopped::META,
        &trail_weakened::META,
        &event_selectors_weakened::META,
    ]
}

/// Tunables of the detections that count or keep state; the defaults suit most accounts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CloudTrailSettings {
    /// PAL510: denied calls from one Lambda role session that make a burst.
    pub access_denied_threshold: u32,
    /// PAL510: within this many milliseconds.
    pub access_denied_window_ms: i64,
    /// PAL509 and PAL510 each track at most this many sessions per state; sessions past the
    /// cap are not tracked (memory stays bounded whatever the logs hold).
    pub max_sessions: usize,
}

impl Default for CloudTrailSettings {
    fn default() -> Self {
        CloudTrailSettings {
            access_denied_threshold: 10,
            access_denied_window_ms: 5 * 60 * 1000,
            max_sessions: 100_000,
        }
    }
}

/// The built-in CloudTrail detections, configured once and shared by every worker.
pub struct CloudTrailDetections {
    config: Arc<DetectConfig>,
    settings: CloudTrailSettings,
}

/// How far behind the newest event a session or a refusal is decided and forgotten: Lambda's
/// credentials live for hours, and CloudTrail delivers within minutes, so two days leaves
/// room for files read out of time order.
pub const EVICT_AFTER_MS: i64 = 48 * 3600 * 1000;

/// What the detections keep between events of one file; files are read in parallel and their
/// states merged in file order. Memory is bounded by distinct sessions (capped by
/// `CloudTrailSettings::max_sessions`), not by events.
#[derive(Debug, Default)]
pub struct CloudTrailState {
    sessions: credentials_outside_lambda::Sessions,
    denied: access_denied_burst::Denials,
}

impl CloudTrailState {
    /// Folds another file's state in. Every per-key value is a sum, a union or a minimum, so
    /// the result does not depend on the order of the files.
    pub fn merge(&mut self, other: CloudTrailState) {
        self.sessions.merge(other.sessions);
        self.denied.merge(other.denied);
    }
}

impl CloudTrailDetections {
    pub fn new(config: Arc<DetectConfig>) -> Self {
        Self::with_settings(config, CloudTrailSettings::default())
    }

    pub fn with_settings(config: Arc<DetectConfig>, settings: CloudTrailSettings) -> Self {
        CloudTrailDetections { config, settings }
    }

    /// Notes for the run summary (a detection that cannot run for lack of configuration).
    pub fn notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        if self.config.deployers.is_empty() {
            notes.push(
                "PAL501 (function changed by a principal that is not a deployer) did not run: \
                 no deployers are configured; list the roles and users that deploy your \
                 functions in palisade.toml, e.g. [detect] deployers = \
                 [\"arn:aws:iam::123456789012:role/deploy-*\"]"
                    .to_string(),
            );
        }
        notes
    }

    /// One event, in file order. `raw` is its JSON text.
    pub fn event(
        &self,
        event: &CloudTrailEvent<'_>,
        raw: &str,
        origin: &Origin,
        state: &mut CloudTrailState,
        out: &mut Vec<Detection>,
    ) {
        let cx = Context {
            config: &self.config,
            event,
            raw,
            origin,
        };
        if cx.service() == Some("lambda") {
            non_deployer_change::check(&cx, out);
            foreign_layer::check(&cx, out);
            foreign_function_policy::check(&cx, out);
            foreign_event_source::check(&cx, out);
        }
        state.sessions.observe(&cx, self.settings.max_sessions);
        state.denied.observe(&cx, &self.settings);
    }

    /// Decide and forget what lies before `before_ms` in event time (see
    /// [`EVICT_AFTER_MS`]), emitting its detections.
    pub fn evict(&self, state: &mut CloudTrailState, before_ms: i64, out: &mut Vec<Detection>) {
        state.sessions.evict(before_ms, out);
        state.denied.evict(before_ms, &self.settings, out);
    }

    /// After the last event: detections over groups (credentials used outside Lambda, bursts).
    pub fn finish(&self, state: CloudTrailState, out: &mut Vec<Detection>) {
        state.sessions.finish(out);
        state.denied.finish(&self.settings, out);
    }
}

/// One event with what every check needs beside it.
pub(crate) struct Context<'a, 'e> {
    pub config: &'a DetectConfig,
    pub event: &'a CloudTrailEvent<'e>,
    pub raw: &'a str,
    pub origin: &'a Origin,
}

impl Context<'_, '_> {
    fn service(&self) -> Option<&str> {
        self.event.api().map(|(service, _)| service)
    }

    /// The API without Lambda's version suffix.
    pub fn api(&self) -> Option<&str> {
        self.event.api().map(|(_, api)| api)
    }

    /// Failed calls change nothing; the checks on changes skip them.
    pub fn succeeded(&self) -> bool {
        self.event.error_code.as_deref().is_none_or(str::is_empty)
    }

    pub fn principal(&self) -> String {
        self.event
            .principal()
            .map_or_else(|| "unknown principal".to_string(), |p| p.into_owned())
    }

    /// The function a Lambda call is about: the request's `functionName` (a name, a partial
    /// or a full ARN, possibly qualified), else the response's.
    pub fn function(&self, request: Option<&serde_json::Value>) -> Option<String> {
        let from = |v: Option<&serde_json::Value>, field: &str| {
            v.and_then(|v| v.get(field))
                .and_then(serde_json::Value::as_str)
                .map(function_name)
                .filter(|n| !n.is_empty())
                .map(str::to_string)
        };
        let response = self.event.response();
        from(request, "functionName")
            .or_else(|| from(response.as_ref(), "functionName"))
            .or_else(|| from(response.as_ref(), "functionArn"))
    }

    /// Is `account` outside the organisation? The configured accounts, else the account that
    /// recorded the event and the caller's own.
    pub fn is_foreign(&self, account: &str) -> bool {
        if !self.config.accounts.is_empty() {
            return !self.config.accounts.iter().any(|a| a == account);
        }
        let recipient = self.event.recipient_account_id.as_deref();
        let caller = self
            .event
            .user_identity
            .as_ref()
            .and_then(|u| u.account_id.as_deref());
        if recipient.is_none() && caller.is_none() {
            // Nothing to compare with: saying "foreign" would be a guess.
            return false;
        }
        recipient != Some(account) && caller != Some(account)
    }

    /// A detection of `meta` on this event.
    pub fn detection(
        &self,
        meta: &'static RuleMeta,
        function: Option<String>,
        message: String,
        evidence: Vec<(String, String)>,
        key: String,
    ) -> Detection {
        Detection {
            rule: rule_ref(meta),
            time_ms: self.event.time_ms(),
            function,
            principal: Some(self.principal()),
            message,
            evidence,
            origin: Some(self.origin.clone()),
            event: Some(self.raw.to_string()),
            key,
        }
    }

    /// The facts every detection on one event shows first.
    pub fn base_evidence(&self) -> Vec<(String, String)> {
        let e = self.event;
        let mut ev = Vec::new();
        let mut push = |k: &str, v: Option<&str>| {
            if let Some(v) = v.filter(|v| !v.is_empty()) {
                ev.push((k.to_string(), v.to_string()));
            }
        };
        push("eventName", e.event_name.as_deref());
        push("principal", e.principal().as_deref());
        push("sourceIPAddress", e.source_ip_address.as_deref());
        push("userAgent", e.user_agent.as_deref());
        push("awsRegion", e.aws_region.as_deref());
        push("eventTime", e.event_time.as_deref());
        ev
    }
}

pub(crate) fn known_function<'c>(
    config: &'c DetectConfig,
    name: &str,
) -> Option<&'c KnownFunction> {
    config
        .functions
        .iter()
        .find(|f| f.name == name || f.logical_id == name)
}

/// `arn:aws:lambda:us-east-1:1:function:orders:live`, `1:function:orders`, `orders:live` →
/// `orders`.
pub(crate) fn function_name(value: &str) -> &str {
    let name = value
        .split_once(":function:")
        .map_or(value, |(_, rest)| rest);
    name.split(':').next().unwrap_or(name)
}

/// The account field of an ARN (`arn:aws:sqs:us-east-1:123456789012:q` → `123456789012`),
/// when it is one.
pub(crate) fn arn_account(arn: &str) -> Option<&str> {
    let account = arn.strip_prefix("arn:")?.split(':').nth(3)?;
    is_account_id(account).then_some(account)
}

pub(crate) fn is_account_id(text: &str) -> bool {
    text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit())
}

/// AWS SDKs add `exec-env/$AWS_EXECUTION_ENV` to their user agent, and Lambda sets that to
/// `AWS_Lambda_<runtime>`: the call was made by code running in a function.
pub(crate) fn is_lambda_user_agent(user_agent: &str) -> bool {
    user_agent.contains("exec-env/AWS_Lambda_")
}

pub(crate) fn rule_ref(meta: &'static RuleMeta) -> Arc<RuleRef> {
    Arc::new(RuleRef {
        code: meta.code.to_string(),
        title: meta.title.to_string(),
        level: level(meta.severity),
        author: None,
        sigma_id: None,
        source: RuleSource::Builtin,
    })
}

pub(crate) fn level(severity: Severity) -> Level {
    match severity {
        Severity::Info => Level::Informational,
        Severity::Low => Level::Low,
        Severity::Medium => Level::Medium,
        Severity::High => Level::High,
        Severity::Critical => Level::Critical,
    }
}

/// Adds to a set of at most `cap` values (evidence, not counting).
pub(crate) fn insert_capped(set: &mut BTreeSet<String>, value: &str, cap: usize) {
    if set.len() < cap || set.contains(value) {
        set.insert(value.to_string());
    }
}

/// Joins at most `cap` values, saying how many more there were.
pub(crate) fn join_capped<'s>(values: impl IntoIterator<Item = &'s String>, cap: usize) -> String {
    let all: Vec<&String> = values.into_iter().collect();
    let mut text = all
        .iter()
        .take(cap)
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    if all.len() > cap {
        text.push_str(&format!(" and {} more", all.len() - cap));
    }
    text
}

/// An event kept in the state until `finish`, to be reported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Kept {
    pub time_ms: Option<i64>,
    pub origin: Origin,
    pub raw: String,
    pub api: String,
    pub region: Option<String>,
    pub source_ip: Option<String>,
    pub user_agent: Option<String>,
    pub principal: String,
}

impl Kept {
    pub fn of(cx: &Context<'_, '_>) -> Kept {
        let e = cx.event;
        Kept {
            time_ms: e.time_ms(),
            origin: cx.origin.clone(),
            raw: cx.raw.to_string(),
            api: match e.api() {
                Some((service, api)) => format!("{service}:{api}"),
                None => "unknown API".to_string(),
            },
            region: e.aws_region.as_deref().map(str::to_string),
            source_ip: e.source_ip_address.as_deref().map(str::to_string),
            user_agent: e.user_agent.as_deref().map(str::to_string),
            principal: cx.principal(),
        }
    }

    /// The total order that picks which of several events to keep: the earliest, then the
    /// first read; it makes the kept event independent of the order files are merged in.
    fn order(&self) -> (i64, &Origin) {
        (self.time_ms.unwrap_or(i64::MAX), &self.origin)
    }

    /// The earlier of two kept events.
    pub fn earliest(a: Option<Kept>, b: Option<Kept>) -> Option<Kept> {
        match (a, b) {
            (Some(a), Some(b)) => Some(if b.order() < a.order() { b } else { a }),
            (a, b) => a.or(b),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn function_names() {
        assert_eq!(
            function_name("arn:aws:lambda:us-east-1:123456789012:function:orders:live"),
            "orders"
        );
        assert_eq!(function_name("123456789012:function:orders"), "orders");
        assert_eq!(function_name("orders:3"), "orders");
        assert_eq!(function_name("orders"), "orders");
    }

    #[test]
    fn arn_accounts() {
        assert_eq!(
            arn_account("arn:aws:sqs:us-east-1:123456789012:q"),
            Some("123456789012")
        );
        assert_eq!(arn_account("arn:aws:s3:::bucket"), None);
        assert_eq!(
            arn_account("arn:aws:iam::210987654321:root"),
            Some("210987654321")
        );
        assert_eq!(arn_account("123456789012"), None);
    }

    #[test]
    fn every_rule_is_documented_and_unique() {
        let rules = rules();
        let mut codes: Vec<&str> = rules.iter().map(|r| r.code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), rules.len());
        for r in rules {
            assert!(r.code.starts_with("PAL5"), "{}", r.code);
            for heading in [
                "## What it does",
                "## Why is this bad?",
                "## Example",
                "## Fix",
                "## References",
            ] {
                assert!(r.docs.contains(heading), "{} lacks {heading}", r.code);
            }
            assert_eq!(r.area, palisade_model::Area::Monitoring);
        }
    }
}

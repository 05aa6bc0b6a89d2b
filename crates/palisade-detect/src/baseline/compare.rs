//! One principal of a run against its baseline: what the rules share.

use std::collections::BTreeMap;

use palisade_model::{RuleMeta, Severity};

use super::profile::{Caps, Occurrence, Profile, Seen};
use super::stats::RateSettings;
use super::store::window_text;
use super::{hourly_rate, new_address, new_api, new_region, new_secret, unknown_principal};
use crate::detection::Detection;

/// What a comparison did, besides its detections.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CompareSummary {
    /// Principals in the run.
    pub principals: usize,
    /// Of which not in the baseline.
    pub unknown: usize,
    pub detections: usize,
    /// What could not be judged, and why.
    pub notes: Vec<String>,
}

/// One principal of the run, its baseline, and what the rules need around them.
pub(crate) struct Context<'a> {
    pub principal: &'a str,
    /// This run.
    pub seen: &'a Profile,
    /// The baseline; `None` for a principal it does not hold.
    pub base: Option<&'a Profile>,
    /// The training window.
    pub window: (i64, i64),
    pub rate: &'a RateSettings,
    pub caps: &'a Caps,
    /// For each secret read for the first time, the other principals that read it in the
    /// baseline, with whether each is a function role.
    pub secret_readers: &'a BTreeMap<String, Vec<(String, bool)>>,
}

pub(crate) fn check(cx: &Context<'_>, out: &mut Vec<Detection>, summary: &mut CompareSummary) {
    let Some(base) = cx.base else {
        summary.unknown += 1;
        unknown_principal::check(cx, out);
        return;
    };
    new_api::check(cx, base, out);
    new_address::check(cx, base, out);
    new_region::check(cx, base, out);
    if let Some(note) = hourly_rate::check(cx, base, out) {
        summary.notes.push(note);
    }
    new_secret::check(cx, base, out);
}

impl Context<'_> {
    pub fn function_role(&self) -> bool {
        self.seen.function_role || self.base.is_some_and(|b| b.function_role)
    }

    /// The rule's severity, raised for a function role.
    pub fn severity(&self, meta: &RuleMeta) -> Severity {
        if self.function_role() {
            super::raised(meta.severity)
        } else {
            meta.severity
        }
    }

    /// `function orders-fn (role orders-role)`, `role deploy`, or the principal as is.
    pub fn who(&self, occurrence: Option<&Occurrence>) -> String {
        let role = super::observe::role_name(self.principal);
        let session = occurrence.and_then(|o| o.session.as_deref());
        match (role, session) {
            (Some(role), Some(s)) if self.function_role() => format!("function {s} (role {role})"),
            (Some(role), Some(s)) => format!("role {role} (session {s})"),
            (Some(role), None) => format!("role {role}"),
            _ => self.principal.to_string(),
        }
    }

    pub fn window_text(&self) -> String {
        window_text(self.window)
    }

    /// A detection with what every baseline detection carries: the function, the principal,
    /// the first occurrence, and the training window as the last piece of evidence.
    pub fn detection(
        &self,
        meta: &RuleMeta,
        severity: Severity,
        message: String,
        mut evidence: Vec<(String, String)>,
        occurrence: Option<&Occurrence>,
        key: String,
    ) -> Detection {
        let function = if self.function_role() {
            occurrence.and_then(|o| o.session.clone())
        } else {
            None
        };
        if let Some(s) = occurrence.and_then(|o| o.session.as_deref())
            && function.is_none()
        {
            evidence.push(("session".into(), s.to_string()));
        }
        evidence.push(("principal".into(), self.principal.to_string()));
        evidence.push((
            "function role".into(),
            if self.function_role() { "yes" } else { "no" }.into(),
        ));
        evidence.push(("baseline".into(), self.window_text()));
        Detection {
            rule: super::rule_ref(meta, severity),
            time_ms: occurrence.and_then(|o| o.time_ms).or(self.seen.first_ms),
            function,
            principal: Some(self.principal.to_string()),
            message,
            evidence,
            origin: occurrence.map(|o| o.origin.clone()),
            event: occurrence.and_then(|o| o.event.clone()),
            key,
        }
    }
}

/// The keys of `seen` that `base` lacks, in key order.
pub(crate) fn new_keys<'a>(
    seen: &'a BTreeMap<String, Seen>,
    base: &'a BTreeMap<String, Seen>,
) -> impl Iterator<Item = (&'a String, &'a Seen)> {
    seen.iter().filter(|(k, _)| !base.contains_key(*k))
}

/// `a, b, c and 4 more`.
pub(crate) fn some_of<'a>(keys: impl Iterator<Item = &'a String>, show: usize) -> String {
    let all: Vec<&String> = keys.collect();
    if all.is_empty() {
        return "none".into();
    }
    let shown: Vec<&str> = all.iter().take(show).map(|s| s.as_str()).collect();
    let mut text = shown.join(", ");
    if all.len() > show {
        text.push_str(&format!(" and {} more", all.len() - show));
    }
    text
}

/// Evidence for a baseline that reached a cap for this kind of key: what is "new" may be
/// something it did before and could not keep.
pub(crate) fn incomplete(overflow: u64, kind: &str) -> Option<(String, String)> {
    (overflow > 0).then(|| {
        (
            "baseline incomplete".into(),
            format!("{overflow} calls with other {kind} were not kept when learning"),
        )
    })
}

/// `1 call`, `2 calls`.
pub(crate) fn count(n: u64, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

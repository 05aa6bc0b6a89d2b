//! PAL510: a burst of denied calls from a function's role session.
//!
//! Counts are kept per session and per sub-window (a fifth of the window), so that states of
//! files read in any order add up; at `finish` every run of consecutive sub-windows that spans
//! the window is summed, so no burst inside a window is missed wherever it falls on the grid.

use std::collections::{BTreeMap, BTreeSet};

use crate::detection::Detection;
use crate::event::format_time_ms;

use super::{
    CloudTrailSettings, Context, Kept, insert_capped, is_lambda_user_agent, join_capped,
    known_function, rule_ref,
};

palisade_model::rule_meta! {
    /// ## What it does
    /// Counts calls refused for lack of permission (`errorCode` `AccessDenied`,
    /// `…AccessDenied…`, `…UnauthorizedOperation`) made by a Lambda function's role session:
    /// the session's calls carry Lambda's SDK user agent (`exec-env/AWS_Lambda_…`), or the
    /// session is named after a function of the template given with `--app`. It reports a
    /// session with at least 10 such errors within 5 minutes (both settings of
    /// `CloudTrailSettings`), once per session, with the first burst and the APIs refused.
    ///
    /// ## Why is this bad?
    /// A function calls the same few APIs it was written for, and its role allows them. A
    /// stream of refusals across many APIs is what an attacker running code in the function (or
    /// an injected command) does first: enumerate what the stolen role can do.
    ///
    /// ## Example
    /// Twelve calls in two minutes from `assumed-role/orders-role/orders-api` with the user
    /// agent `… exec-env/AWS_Lambda_python3.12`, each refused: `iam:ListRoles`,
    /// `s3:ListBuckets`, `secretsmanager:ListSecrets`, `ec2:DescribeInstances`, …
    ///
    /// ## Fix
    /// Look at the function's logs and recent changes for injected code or a malicious
    /// dependency; revoke the role's active sessions if it is confirmed. A deployment that
    /// forgot a permission fails the same call again and again: its refusals name one API.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S5:2017 Broken Access Control
    /// - MITRE ATT&CK T1580 Cloud Infrastructure Discovery
    /// - MITRE ATT&CK T1069.003 Permission Groups Discovery: Cloud Groups
    pub(crate) static META {
        code: "PAL510",
        name: "function-role-access-denied-burst",
        title: "Burst of denied calls from a Lambda function's role",
        severity: Medium,
        confidence: Low,
        sas: S5,
        area: Monitoring,
        fix: "Check the function for injected code or a malicious dependency; revoke the role's sessions if confirmed.",
    }
}

/// Sub-windows per window: the reported burst may span up to a window and a fifth.
const SUBS: i64 = 5;
/// Refused APIs kept per sub-window, for evidence.
const APIS_CAP: usize = 8;

#[derive(Debug, Default)]
pub(crate) struct Denials {
    by_key: BTreeMap<String, Burst>,
    dropped: u64,
}

#[derive(Debug, Default)]
struct Burst {
    role: String,
    function: String,
    subs: BTreeMap<i64, Sub>,
}

#[derive(Clone, Debug, Default)]
struct Sub {
    count: u64,
    first: Option<Kept>,
    apis: BTreeSet<String>,
}

impl Sub {
    fn merge(&mut self, other: Sub) {
        self.count += other.count;
        self.first = Kept::earliest(self.first.take(), other.first);
        for api in &other.apis {
            insert_capped(&mut self.apis, api, APIS_CAP);
        }
    }
}

pub(crate) fn is_denial(error_code: &str) -> bool {
    error_code.contains("AccessDenied")
        || error_code.contains("UnauthorizedOperation")
        || error_code.eq_ignore_ascii_case("accessdenied")
}

fn sub_width(settings: &CloudTrailSettings) -> i64 {
    (settings.access_denied_window_ms / SUBS).max(1)
}

impl Denials {
    pub fn merge(&mut self, other: Denials) {
        self.dropped += other.dropped;
        for (key, burst) in other.by_key {
            let mine = self.by_key.entry(key).or_insert_with(|| Burst {
                role: burst.role.clone(),
                function: burst.function.clone(),
                subs: BTreeMap::new(),
            });
            for (index, sub) in burst.subs {
                mine.subs.entry(index).or_default().merge(sub);
            }
        }
    }

    pub fn observe(&mut self, cx: &Context<'_, '_>, settings: &CloudTrailSettings) {
        let e = cx.event;
        if !e.error_code.as_deref().is_some_and(is_denial) {
            return;
        }
        let (Some(function), Some(time)) = (e.session_name(), e.time_ms()) else {
            return;
        };
        let in_lambda = e.user_agent.as_deref().is_some_and(is_lambda_user_agent)
            || known_function(cx.config, function).is_some();
        if !in_lambda {
            return;
        }
        let Some(id) = e.user_identity.as_ref() else {
            return;
        };
        let key = id
            .access_key_id
            .as_deref()
            .filter(|k| !k.is_empty())
            .or(id.arn.as_deref())
            .unwrap_or(function);
        if !self.by_key.contains_key(key) {
            if self.by_key.len() >= settings.max_sessions {
                self.dropped += 1;
                return;
            }
            self.by_key.insert(
                key.to_string(),
                Burst {
                    role: cx.principal(),
                    function: function.to_string(),
                    subs: BTreeMap::new(),
                },
            );
        }
        let Some(burst) = self.by_key.get_mut(key) else {
            return;
        };
        let sub = burst
            .subs
            .entry(time.div_euclid(sub_width(settings)))
            .or_default();
        let mut kept = Kept::of(cx);
        // Every refused minute of every session is kept until the end: without the event's
        // text, so that memory follows the number of refusals' minutes, not their size. The
        // burst's first event is named by its file and position.
        kept.raw = String::new();
        kept.user_agent = None;
        insert_capped(&mut sub.apis, &kept.api, APIS_CAP);
        sub.first = Kept::earliest(sub.first.take(), Some(kept));
        sub.count += 1;
    }

    /// Decide now the refusals before `before_ms` and forget them. The last window's worth
    /// of sub-windows before the cut stays as well, so that a burst across the cut is still
    /// whole in what remains (found twice, it is one finding: the key is the same).
    pub fn evict(
        &mut self,
        before_ms: i64,
        settings: &CloudTrailSettings,
        out: &mut Vec<Detection>,
    ) {
        let cut = before_ms.div_euclid(sub_width(settings));
        let mut done = Denials::default();
        let mut emptied = Vec::new();
        for (key, burst) in &mut self.by_key {
            if burst
                .subs
                .first_key_value()
                .is_none_or(|(&first, _)| first >= cut)
            {
                continue;
            }
            let mut keep = burst.subs.split_off(&cut);
            for (&index, sub) in burst.subs.range(cut - SUBS..) {
                keep.insert(index, sub.clone());
            }
            let old = std::mem::replace(&mut burst.subs, keep);
            done.by_key.insert(
                key.clone(),
                Burst {
                    role: burst.role.clone(),
                    function: burst.function.clone(),
                    subs: old,
                },
            );
            if burst.subs.is_empty() {
                emptied.push(key.clone());
            }
        }
        for key in emptied {
            self.by_key.remove(&key);
        }
        done.finish(settings, out);
    }

    pub fn finish(self, settings: &CloudTrailSettings, out: &mut Vec<Detection>) {
        let threshold = u64::from(settings.access_denied_threshold.max(1));
        let width = sub_width(settings);
        for (key, burst) in self.by_key {
            // Any window of the configured length lies within SUBS + 1 consecutive
            // sub-windows; the first run that reaches the threshold is the one reported.
            let mut found = None;
            let mut most = 0;
            for &start in burst.subs.keys() {
                let run = burst.subs.range(start..=start + SUBS);
                let count: u64 = run.clone().map(|(_, s)| s.count).sum();
                most = most.max(count);
                if count >= threshold && found.is_none() {
                    found = Some(start);
                }
            }
            let Some(start) = found else {
                continue;
            };
            let run: Vec<&Sub> = burst
                .subs
                .range(start..=start + SUBS)
                .map(|(_, s)| s)
                .collect();
            let count: u64 = run.iter().map(|s| s.count).sum();
            let Some(first) = run.iter().find_map(|s| s.first.as_ref()) else {
                continue;
            };
            let mut apis = BTreeSet::new();
            for s in &run {
                for api in &s.apis {
                    insert_capped(&mut apis, api, APIS_CAP * 2);
                }
            }
            let minutes = settings.access_denied_window_ms as f64 / 60_000.0;
            let message = format!(
                "{count} calls by {}'s role ({}) were denied within about {minutes} minutes: {}",
                burst.function,
                burst.role,
                join_capped(&apis, 6)
            );
            let end = (start + SUBS + 1) * width;
            let evidence = vec![
                ("count".to_string(), format!("{count} in ≤{minutes} min")),
                ("threshold".to_string(), threshold.to_string()),
                ("deniedApis".to_string(), join_capped(&apis, 16)),
                (
                    "window".to_string(),
                    format!(
                        "{} – {}",
                        format_time_ms(start * width),
                        format_time_ms(end)
                    ),
                ),
                ("mostInOneWindow".to_string(), most.to_string()),
                ("session".to_string(), key.clone()),
            ];
            out.push(Detection {
                rule: rule_ref(&META),
                time_ms: first.time_ms,
                function: Some(burst.function.clone()),
                principal: Some(first.principal.clone()),
                message,
                evidence,
                origin: Some(first.origin.clone()),
                event: (!first.raw.is_empty()).then(|| first.raw.clone()),
                key: format!("{}|{}|{key}", burst.role, burst.function),
            });
        }
    }
}

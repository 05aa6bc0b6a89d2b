//! Correlations over the matches of single events, on one thread in event order, through
//! rsigma's correlation engine fed with matches computed elsewhere (in parallel).
//!
//! Time is the event's `eventTime` (ISO 8601, or `YYYY-MM-DD HH:MM:SS`), never the wall clock:
//! the logs analysed are old. An event without a readable time does not take part.
//!
//! Out-of-order events: windows slide with the events as they arrive. An event older than the
//! newest event seen by more than the longest correlation window is dropped from correlation
//! (counted in [`Correlator::late`]); a less late one is counted in the windows as they stand,
//! which may join events up to two windows apart. CloudTrail delivers each file in time
//! order and files a few minutes apart, so reading the files in name order keeps lateness
//! well under the windows of the bundled rules (5 minutes to 1 hour).
//!
//! Memory stays bounded: windows drop entries older than their span as events arrive, idle
//! groups are evicted every [`EVICT_EVERY`] events, rsigma caps the number of groups
//! ([`MAX_GROUPS`]) and each group's entries ([`MAX_GROUP_ENTRIES`]).

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use rsigma_eval::event::{Event, EventValue};
use rsigma_eval::result::{DetectionBody, EvaluationResult, ResultBody, RuleHeader};
use rsigma_eval::{CorrelationConfig, CorrelationEngine, CorrelationEventMode, TimestampFallback};
use rsigma_parser::CorrelationRule;
use serde_json::Value;

use super::event::{RawRecord, WholeObjects};
use super::{Match, RuleInfo};
use crate::event::parse_time_ms;

const EVICT_EVERY: u64 = 4096;
const MAX_GROUPS: usize = 100_000;
const MAX_GROUP_ENTRIES: usize = 10_000;
/// Events whose time and id a hit lists, the most recent ones.
const EVENTS_PER_HIT: usize = 50;

pub(super) fn config() -> CorrelationConfig {
    CorrelationConfig {
        // Times are given explicitly; the fields are never read.
        timestamp_fields: Vec::new(),
        timestamp_fallback: TimestampFallback::Skip,
        max_state_entries: MAX_GROUPS,
        max_group_entries: Some(MAX_GROUP_ENTRIES),
        correlation_event_mode: CorrelationEventMode::Refs,
        max_correlation_events: EVENTS_PER_HIT,
        ..CorrelationConfig::default()
    }
}

/// A correlation rule whose condition an event completed.
#[derive(Clone, Debug, PartialEq)]
pub struct CorrelationHit {
    pub rule: RuleInfo,
    /// `event_count`, `value_count`, `temporal`, `temporal_ordered`, …
    pub kind: &'static str,
    /// The `group-by` fields and their values (empty without `group-by`).
    pub group: Vec<(String, String)>,
    /// What the condition compared: events, distinct values, or rules seen.
    pub count: f64,
    pub window_secs: u64,
    /// Time of the event that completed the condition (ms since the epoch).
    pub time_ms: i64,
    /// Times (ms, second precision) and `eventID`s of the window's events, oldest first, at
    /// most the 50 most recent.
    pub events: Vec<(i64, Option<String>)>,
}

/// The correlation state of one pass over the logs. Feed it every event with matches that
/// feed a correlation, in event order.
pub struct Correlator {
    engine: CorrelationEngine,
    rules: HashMap<String, (RuleInfo, u64)>,
    longest_secs: i64,
    newest_secs: Option<i64>,
    last_hit: HashMap<(String, Vec<(String, String)>), i64>,
    fed: u64,
    late: u64,
    untimed: u64,
}

/// The record as correlation sees it: its fields, and for the refs rsigma keeps, only its
/// `eventID` (under `id`, where rsigma looks).
struct Refs<'e, E: Event> {
    event: &'e E,
}

impl<E: Event> Event for Refs<'_, E> {
    fn get_field(&self, path: &str) -> Option<EventValue<'_>> {
        self.event.get_field(path)
    }
    fn any_string_value(&self, pred: &dyn Fn(&str) -> bool) -> bool {
        self.event.any_string_value(pred)
    }
    fn all_string_values(&self) -> Vec<Cow<'_, str>> {
        self.event.all_string_values()
    }
    fn to_json(&self) -> Value {
        match self.event.get_field("eventID") {
            Some(EventValue::Str(id)) => serde_json::json!({ "id": id }),
            _ => Value::Null,
        }
    }
}

impl Correlator {
    pub(super) fn new(rules: impl Iterator<Item = (CorrelationRule, RuleInfo)>) -> Correlator {
        let mut engine = CorrelationEngine::new(config());
        let mut infos = HashMap::new();
        let mut longest = 0u64;
        for (rule, info) in rules {
            // The set compiled each of them already.
            if engine.add_correlation(&rule).is_ok()
                && let Some(id) = rule.id.clone()
            {
                longest = longest.max(rule.timespan.seconds);
                infos.insert(id, (info, rule.timespan.seconds));
            }
        }
        Correlator {
            engine,
            rules: infos,
            longest_secs: i64::try_from(longest).unwrap_or(i64::MAX),
            newest_secs: None,
            last_hit: HashMap::new(),
            fed: 0,
            late: 0,
            untimed: 0,
        }
    }

    /// Events dropped from correlation for arriving too late (see the module comment).
    pub fn late(&self) -> u64 {
        self.late
    }

    /// Events with matches for a correlation but no readable `eventTime`.
    pub fn untimed(&self) -> u64 {
        self.untimed
    }

    /// One event and its matches; the hits it completes.
    pub fn feed(&mut self, event: &Value, matches: &[Match]) -> Vec<CorrelationHit> {
        if !super::RuleSet::feeds_correlation(matches) {
            return Vec::new();
        }
        let time = event.get("eventTime").and_then(Value::as_str);
        let Some(ms) = time.and_then(parse_time_ms) else {
            self.untimed += 1;
            return Vec::new();
        };
        self.feed_at(&WholeObjects::new(event), ms, matches)
    }

    /// [`Correlator::feed`] for a record given as JSON text, parsed only when a match feeds a
    /// correlation.
    pub fn feed_json(
        &mut self,
        raw: &str,
        matches: &[Match],
    ) -> Result<Vec<CorrelationHit>, serde_json::Error> {
        if !super::RuleSet::feeds_correlation(matches) {
            return Ok(Vec::new());
        }
        let Some(record) = RawRecord::parse(raw)? else {
            let value: Value = serde_json::from_str(raw)?;
            return Ok(self.feed(&value, matches));
        };
        let Some(ms) = record
            .str_field("eventTime")
            .and_then(|t| parse_time_ms(&t))
        else {
            self.untimed += 1;
            return Ok(Vec::new());
        };
        Ok(self.feed_at(&record, ms, matches))
    }

    fn feed_at(&mut self, event: &impl Event, ms: i64, matches: &[Match]) -> Vec<CorrelationHit> {
        let secs = ms.div_euclid(1000);
        let newest = self.newest_secs.map_or(secs, |n| n.max(secs));
        if newest - secs > self.longest_secs {
            self.late += 1;
            return Vec::new();
        }
        self.newest_secs = Some(newest);
        self.fed += 1;
        if self.fed.is_multiple_of(EVICT_EVERY) {
            self.engine.evict_expired(newest);
            let rules = &self.rules;
            self.last_hit.retain(|(id, _), at| {
                let span = rules.get(id).map_or(0, |(_, s)| *s);
                newest - *at < i64::try_from(span).unwrap_or(i64::MAX)
            });
        }
        let detections: Vec<EvaluationResult> = matches
            .iter()
            .filter(|m| m.feeds_correlation)
            .map(|m| EvaluationResult {
                header: RuleHeader {
                    rule_title: m.rule.title.clone(),
                    rule_id: Some(m.engine_id.clone()),
                    level: None,
                    tags: Vec::new(),
                    custom_attributes: Arc::new(HashMap::new()),
                    enrichments: None,
                },
                body: ResultBody::Detection(DetectionBody {
                    matched_selections: Vec::new(),
                    matched_fields: Vec::new(),
                    event: None,
                }),
            })
            .collect();
        let results = self
            .engine
            .process_with_detections(&Refs { event }, detections, secs);
        let mut hits = Vec::new();
        for r in results {
            let Some(body) = r.as_correlation() else {
                continue;
            };
            let id = r.header.rule_id.clone().unwrap_or_default();
            let Some((info, span)) = self.rules.get(&id) else {
                continue;
            };
            // One hit per group and window: the condition stays true for every further
            // event of a busy window, which would repeat the same finding.
            let key = (id, body.group_key.clone());
            if let Some(at) = self.last_hit.get(&key)
                && secs - *at < i64::try_from(*span).unwrap_or(i64::MAX)
            {
                continue;
            }
            self.last_hit.insert(key, secs);
            let events = body
                .event_refs
                .as_ref()
                .map(|refs| {
                    refs.iter()
                        .map(|e| (e.timestamp.saturating_mul(1000), e.id.clone()))
                        .collect()
                })
                .unwrap_or_default();
            hits.push(CorrelationHit {
                rule: info.clone(),
                kind: body.correlation_type.as_str(),
                group: body.group_key.clone(),
                count: body.aggregated_value,
                window_secs: body.timespan_secs,
                time_ms: ms,
                events,
            });
        }
        hits
    }
}

//! What is known of one principal: the same shape for one run's observations and for the
//! stored baseline, so that learning is a merge. Evidence (the first occurrence's origin and
//! event) lives only in observations; the store keeps counts and times.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::detection::Origin;

/// How many distinct keys one principal keeps, per kind. Beyond a cap, events with a new key
/// are counted in [`Overflow`] and said in the notes, never dropped silently.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Caps {
    /// Distinct principals in one run or one store.
    pub principals: usize,
    /// Distinct `service:Name` APIs per principal (a role rarely calls more than a few dozen;
    /// an administrator's role a few hundred).
    pub apis: usize,
    /// Distinct address classes (/24, /48, or a service name) per principal.
    pub addresses: usize,
    /// Distinct regions per principal (AWS has fewer than 40).
    pub regions: usize,
    /// Distinct secrets and parameters read per principal.
    pub secrets: usize,
    /// Distinct session names per principal (for a function role, its functions).
    pub sessions: usize,
    /// Hour buckets per principal: 400 days. The oldest are let go first.
    pub hours: usize,
}

/// The caps Palisade uses (see `docs/baselines.md`).
pub const CAPS: Caps = Caps {
    principals: 10_000,
    apis: 2_000,
    addresses: 1_000,
    regions: 64,
    secrets: 1_000,
    sessions: 500,
    hours: 24 * 400,
};

/// Where a key was first met: what a detection shows as evidence.
#[derive(Clone, Debug, PartialEq)]
pub struct Occurrence {
    pub time_ms: Option<i64>,
    pub origin: Origin,
    /// The event's JSON text (absent when observations are made for learning only).
    pub event: Option<String>,
    /// The role's session name (for a function role, the function).
    pub session: Option<String>,
    /// The value behind a grouped key: the address in a /24, the secret id as written.
    pub detail: Option<String>,
}

/// One key (an API, an address class, a region, a secret) of one principal.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Seen {
    pub count: u64,
    pub first_ms: Option<i64>,
    pub last_ms: Option<i64>,
    #[serde(skip)]
    pub first: Option<Box<Occurrence>>,
}

/// `a` is earlier than `b`; an unknown time is later than any known one.
fn earlier(a: Option<i64>, b: Option<i64>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a < b,
        (Some(_), None) => true,
        (None, _) => false,
    }
}

fn min_time(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    if earlier(b, a) { b } else { a }
}

fn max_time(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, None) => a,
        (None, b) => b,
    }
}

impl Seen {
    /// Folds `other` in: counts add, times widen, the earlier first occurrence wins (ties keep
    /// `self`, which comes first in file order).
    pub fn merge(&mut self, other: Seen) {
        self.count += other.count;
        if other.first.is_some() && (self.first.is_none() || earlier(other.first_ms, self.first_ms))
        {
            self.first = other.first;
        }
        self.first_ms = min_time(self.first_ms, other.first_ms);
        self.last_ms = max_time(self.last_ms, other.last_ms);
    }
}

/// Events whose key was not kept because a cap was reached, per kind.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overflow {
    pub apis: u64,
    pub addresses: u64,
    pub regions: u64,
    pub secrets: u64,
    pub sessions: u64,
    /// Hour buckets let go (the oldest), not events.
    pub hours: u64,
}

impl Overflow {
    fn add(&mut self, other: &Overflow) {
        self.apis += other.apis;
        self.addresses += other.addresses;
        self.regions += other.regions;
        self.secrets += other.secrets;
        self.sessions += other.sessions;
        self.hours += other.hours;
    }

    pub fn is_empty(&self) -> bool {
        *self == Overflow::default()
    }

    /// One line per kind that overflowed, with the cap.
    pub fn notes(&self, principal: &str, caps: &Caps) -> Vec<String> {
        let mut out = Vec::new();
        let mut say = |n: u64, what: &str, cap: usize, kind: &str| {
            if n > 0 {
                out.push(format!(
                    "{principal}: {n} {what} not kept (at most {cap} {kind} per principal)"
                ));
            }
        };
        say(self.apis, "more calls to other APIs", caps.apis, "APIs");
        say(
            self.addresses,
            "more calls from other addresses",
            caps.addresses,
            "address ranges",
        );
        say(
            self.regions,
            "more calls in other regions",
            caps.regions,
            "regions",
        );
        say(
            self.secrets,
            "more reads of other secrets",
            caps.secrets,
            "secrets",
        );
        say(
            self.sessions,
            "more events of other sessions",
            caps.sessions,
            "session names",
        );
        say(self.hours, "oldest hours", caps.hours, "hours");
        out
    }
}

/// How two hour counts of the same hour combine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum HourMerge {
    /// Two files of one run: their events add up.
    Add,
    /// A run into the store: the larger count, so that learning the same logs twice does not
    /// double the rates (see `docs/baselines.md`).
    Max,
}

/// One principal.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    /// Lambda runs it: the SDK's user agent says `exec-env/AWS_Lambda`, or the configuration
    /// names its role or session as a function's.
    pub function_role: bool,
    pub events: u64,
    pub first_ms: Option<i64>,
    pub last_ms: Option<i64>,
    pub sessions: BTreeSet<String>,
    pub apis: BTreeMap<String, Seen>,
    pub addresses: BTreeMap<String, Seen>,
    pub regions: BTreeMap<String, Seen>,
    pub secrets: BTreeMap<String, Seen>,
    /// Hour (milliseconds since the epoch / 3,600,000) → events.
    pub hours: BTreeMap<i64, u64>,
    /// The first event of each hour, for evidence (observations only).
    #[serde(skip)]
    pub hour_first: BTreeMap<i64, Occurrence>,
    pub overflow: Overflow,
}

/// Adds one occurrence of `key` to `map`, within `cap`.
pub(crate) fn record(
    map: &mut BTreeMap<String, Seen>,
    cap: usize,
    overflow: &mut u64,
    key: &str,
    time_ms: Option<i64>,
    occurrence: impl FnOnce() -> Occurrence,
) {
    if let Some(seen) = map.get_mut(key) {
        seen.count += 1;
        if earlier(time_ms, seen.first_ms) {
            seen.first_ms = time_ms;
            seen.first = Some(Box::new(occurrence()));
        }
        seen.last_ms = max_time(seen.last_ms, time_ms);
        return;
    }
    if map.len() >= cap {
        *overflow += 1;
        return;
    }
    map.insert(
        key.to_string(),
        Seen {
            count: 1,
            first_ms: time_ms,
            last_ms: time_ms,
            first: Some(Box::new(occurrence())),
        },
    );
}

fn merge_keys(
    into: &mut BTreeMap<String, Seen>,
    from: BTreeMap<String, Seen>,
    cap: usize,
    overflow: &mut u64,
) {
    for (key, seen) in from {
        if let Some(mine) = into.get_mut(&key) {
            mine.merge(seen);
        } else if into.len() < cap {
            into.insert(key, seen);
        } else {
            *overflow += seen.count;
        }
    }
}

impl Profile {
    /// Folds `other` (the same principal, later in file order or a new run) in.
    pub(crate) fn merge(&mut self, other: Profile, hours: HourMerge, caps: &Caps) {
        self.function_role |= other.function_role;
        self.events += other.events;
        self.first_ms = min_time(self.first_ms, other.first_ms);
        self.last_ms = max_time(self.last_ms, other.last_ms);
        self.overflow.add(&other.overflow);
        for s in other.sessions {
            if self.sessions.len() < caps.sessions || self.sessions.contains(&s) {
                self.sessions.insert(s);
            } else {
                self.overflow.sessions += 1;
            }
        }
        merge_keys(
            &mut self.apis,
            other.apis,
            caps.apis,
            &mut self.overflow.apis,
        );
        merge_keys(
            &mut self.addresses,
            other.addresses,
            caps.addresses,
            &mut self.overflow.addresses,
        );
        merge_keys(
            &mut self.regions,
            other.regions,
            caps.regions,
            &mut self.overflow.regions,
        );
        merge_keys(
            &mut self.secrets,
            other.secrets,
            caps.secrets,
            &mut self.overflow.secrets,
        );
        for (hour, n) in other.hours {
            let mine = self.hours.entry(hour).or_insert(0);
            *mine = match hours {
                HourMerge::Add => *mine + n,
                HourMerge::Max => (*mine).max(n),
            };
        }
        for (hour, occurrence) in other.hour_first {
            match self.hour_first.get(&hour) {
                Some(mine) if !earlier(occurrence.time_ms, mine.time_ms) => {}
                _ => {
                    self.hour_first.insert(hour, occurrence);
                }
            }
        }
        self.trim_hours(caps);
    }

    /// Lets the oldest hours go beyond the cap: the newest are the ones that describe today.
    pub(crate) fn trim_hours(&mut self, caps: &Caps) {
        while self.hours.len() > caps.hours {
            let Some((hour, _)) = self.hours.pop_first() else {
                break;
            };
            self.hour_first.remove(&hour);
            self.overflow.hours += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn occ(t: i64) -> Occurrence {
        Occurrence {
            time_ms: Some(t),
            origin: Origin {
                file: "f".into(),
                at: format!("records[{t}]"),
            },
            event: None,
            session: None,
            detail: None,
        }
    }

    #[test]
    fn a_cap_counts_what_it_does_not_keep() {
        let mut map = BTreeMap::new();
        let mut overflow = 0;
        for key in ["a", "b", "c", "a", "d"] {
            record(&mut map, 2, &mut overflow, key, Some(1), || occ(1));
        }
        assert_eq!(map.len(), 2);
        assert_eq!(map.get("a").map(|s| s.count), Some(2));
        assert_eq!(overflow, 2);
    }

    #[test]
    fn the_earliest_occurrence_is_kept() {
        let mut map = BTreeMap::new();
        let mut overflow = 0;
        record(&mut map, 9, &mut overflow, "a", Some(5), || occ(5));
        record(&mut map, 9, &mut overflow, "a", Some(3), || occ(3));
        record(&mut map, 9, &mut overflow, "a", Some(7), || occ(7));
        let seen = map.get("a").cloned().unwrap_or_default();
        assert_eq!((seen.first_ms, seen.last_ms), (Some(3), Some(7)));
        assert_eq!(seen.first.map(|o| o.time_ms), Some(Some(3)));
    }

    #[test]
    fn hours_add_within_a_run_and_take_the_larger_into_the_store() {
        let mut a = Profile::default();
        a.hours.insert(10, 4);
        let mut b = Profile::default();
        b.hours.insert(10, 3);
        let mut added = a.clone();
        added.merge(b.clone(), HourMerge::Add, &CAPS);
        assert_eq!(added.hours.get(&10), Some(&7));
        a.merge(b, HourMerge::Max, &CAPS);
        assert_eq!(a.hours.get(&10), Some(&4));
    }

    #[test]
    fn the_oldest_hours_go_first() {
        let caps = Caps { hours: 2, ..CAPS };
        let mut p = Profile::default();
        for h in 0..5 {
            p.hours.insert(h, 1);
        }
        p.trim_hours(&caps);
        assert_eq!(p.hours.keys().copied().collect::<Vec<_>>(), vec![3, 4]);
        assert_eq!(p.overflow.hours, 3);
    }
}

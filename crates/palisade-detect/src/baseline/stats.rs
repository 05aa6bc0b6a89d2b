//! The hourly rate a principal normally keeps, in robust statistics: the median and the median
//! absolute deviation (MAD) of its hourly counts, which a few spikes in the training window
//! do not move, unlike a mean and standard deviation.

use std::collections::BTreeMap;

/// How far above normal an hour must be to be reported.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RateSettings {
    /// Robust z: an hour is anomalous above `median + k × σ̂`.
    pub k: f64,
    /// And at least this many times the median: growth of a half is business, abuse
    /// (exfiltration, a loop, stolen credentials) multiplies.
    pub min_ratio: f64,
    /// And at least this many calls: a quiet principal's 3 calls against a median of 0 are
    /// not worth a detection.
    pub min_count: u64,
    /// Hours the training window must cover before the rate is judged.
    pub min_hours: u64,
    /// Active hours needed when the principal is idle most hours (see [`RateBaseline`]).
    pub min_active_hours: u64,
}

impl Default for RateSettings {
    fn default() -> Self {
        RateSettings {
            k: 5.0,
            min_ratio: 2.0,
            min_count: 20,
            min_hours: 24,
            min_active_hours: 6,
        }
    }
}

/// The consistency constant that makes the MAD estimate the standard deviation of normally
/// distributed data.
pub const MAD_SCALE: f64 = 1.4826;

/// A principal's normal hourly rate.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RateBaseline {
    pub median: f64,
    pub mad: f64,
    /// Hours the statistics are over.
    pub hours: u64,
    /// Hours of the training window (equal to `hours` unless `active_only`).
    pub window_hours: u64,
    /// The principal was idle in most hours (median 0): the statistics are over the hours it
    /// was active, i.e. how much it does when it runs (a nightly job, a rarely used API).
    pub active_only: bool,
    /// `max(1.4826 × MAD, √median, 1)`: a perfectly steady principal has a MAD of 0, and a
    /// count of independent calls varies by about its square root.
    pub spread: f64,
    pub threshold: f64,
}

fn median(sorted: &[u64]) -> f64 {
    let n = sorted.len();
    match n {
        0 => 0.0,
        _ if n % 2 == 1 => sorted.get(n / 2).copied().unwrap_or(0) as f64,
        _ => {
            let a = sorted.get(n / 2 - 1).copied().unwrap_or(0) as f64;
            let b = sorted.get(n / 2).copied().unwrap_or(0) as f64;
            (a + b) / 2.0
        }
    }
}

fn median_f(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    match n {
        0 => 0.0,
        _ if n % 2 == 1 => values.get(n / 2).copied().unwrap_or(0.0),
        _ => {
            let a = values.get(n / 2 - 1).copied().unwrap_or(0.0);
            let b = values.get(n / 2).copied().unwrap_or(0.0);
            (a + b) / 2.0
        }
    }
}

/// The normal rate over the hours `first..=last` (hour indices), absent hours counting 0;
/// `None` when the window is too short to judge.
pub fn rate_baseline(
    hours: &BTreeMap<i64, u64>,
    first: i64,
    last: i64,
    settings: &RateSettings,
) -> Option<RateBaseline> {
    if last < first {
        return None;
    }
    let window_hours = u64::try_from(last - first + 1).ok()?;
    if window_hours < settings.min_hours {
        return None;
    }
    let mut counts: Vec<u64> = (first..=last)
        .map(|h| hours.get(&h).copied().unwrap_or(0))
        .collect();
    counts.sort_unstable();
    let mut active_only = false;
    let mut m = median(&counts);
    if m == 0.0 {
        counts.retain(|&c| c > 0);
        if (counts.len() as u64) < settings.min_active_hours {
            return None;
        }
        active_only = true;
        m = median(&counts);
    }
    let mut deviations: Vec<f64> = counts.iter().map(|&c| (c as f64 - m).abs()).collect();
    let mad = median_f(&mut deviations);
    let spread = (MAD_SCALE * mad).max(m.sqrt()).max(1.0);
    let threshold = (m + settings.k * spread)
        .max(settings.min_ratio * m)
        .max(settings.min_count as f64);
    Some(RateBaseline {
        median: m,
        mad,
        hours: counts.len() as u64,
        window_hours,
        active_only,
        spread,
        threshold,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spike_in_training_does_not_move_the_median() {
        let mut hours: BTreeMap<i64, u64> = (0..48).map(|h| (h, 40 + (h as u64 % 5))).collect();
        hours.insert(7, 5_000);
        let r = rate_baseline(&hours, 0, 47, &RateSettings::default());
        let r = r.unwrap_or_else(|| unreachable!());
        assert_eq!(r.median, 42.0);
        assert!(r.threshold < 100.0, "{r:?}");
        assert!(!r.active_only);
    }

    #[test]
    fn zero_hours_count_and_an_idle_principal_is_judged_on_its_active_hours() {
        let hours: BTreeMap<i64, u64> = (0..10).map(|d| (d * 24, 50)).collect();
        let r = rate_baseline(&hours, 0, 239, &RateSettings::default());
        let r = r.unwrap_or_else(|| unreachable!());
        assert!(r.active_only);
        assert_eq!((r.median, r.hours, r.window_hours), (50.0, 10, 240));
        assert_eq!(r.threshold, 100.0);
    }

    #[test]
    fn a_short_window_is_not_judged() {
        let hours: BTreeMap<i64, u64> = (0..5).map(|h| (h, 10)).collect();
        assert_eq!(rate_baseline(&hours, 0, 4, &RateSettings::default()), None);
    }
}

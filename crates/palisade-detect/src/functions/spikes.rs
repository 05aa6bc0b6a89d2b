//! Robust statistics for PAL522 and PAL523: a bucket is a spike when it stands far above
//! the subject's own typical count, measured by the median and the median absolute
//! deviation (MAD), which a few extreme buckets do not move.

use std::collections::BTreeMap;

/// The width of a bucket.
pub(crate) const BUCKET_MS: i64 = 5 * 60_000;
/// With fewer buckets than this (an hour), there is no typical rate to compare with.
pub(crate) const MIN_HISTORY: u64 = 12;
/// How many MADs above the median a spike is.
pub(crate) const K: f64 = 5.0;
/// A spike has at least this many events in its bucket, however quiet the subject.
pub(crate) const MIN_SPIKE: u64 = 10;
/// Without enough history, a bucket with this many events is a spike.
pub(crate) const FALLBACK_MIN: u64 = 20;

/// Consecutive spike buckets.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Spike {
    /// Bucket indexes (time / BUCKET_MS), both included.
    pub first: i64,
    pub last: i64,
    pub count: u64,
    pub peak: u64,
    /// The subject's statistics over its whole period; `None` without enough history.
    pub typical: Option<Typical>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Typical {
    pub median: f64,
    pub mad: f64,
    pub buckets: u64,
    pub threshold: f64,
}

/// The spikes among `counts` (bucket index → count, zero buckets may be absent) over the
/// period `first..=last`, where absent buckets count as zero.
pub(crate) fn spikes(counts: &BTreeMap<i64, u64>, first: i64, last: i64) -> Vec<Spike> {
    let buckets = u64::try_from(last.saturating_sub(first).saturating_add(1)).unwrap_or(0);
    let mut values: Vec<f64> = counts
        .values()
        .filter(|c| **c > 0)
        .map(|c| *c as f64)
        .collect();
    values.sort_by(f64::total_cmp);
    let zeros = buckets.saturating_sub(values.len() as u64);
    let typical = (buckets >= MIN_HISTORY).then(|| {
        let median = median(&values, 0.0, zeros);
        let mut deviations: Vec<f64> = values.iter().map(|v| (v - median).abs()).collect();
        deviations.sort_by(f64::total_cmp);
        let mad = median_of(&deviations, median, zeros);
        Typical {
            median,
            mad,
            buckets,
            threshold: median + K * mad.max(1.0),
        }
    });
    let is_spike = |c: u64| match typical {
        Some(t) => c as f64 > t.threshold && c >= MIN_SPIKE,
        None => c >= FALLBACK_MIN,
    };
    let mut out: Vec<Spike> = Vec::new();
    for (&bucket, &count) in counts.iter().filter(|(_, c)| is_spike(**c)) {
        match out.last_mut() {
            Some(s) if s.last + 1 == bucket => {
                s.last = bucket;
                s.count += count;
                s.peak = s.peak.max(count);
            }
            _ => out.push(Spike {
                first: bucket,
                last: bucket,
                count,
                peak: count,
                typical,
            }),
        }
    }
    out
}

/// The median of `values` (sorted) together with `extra` copies of `value`.
fn median(values: &[f64], value: f64, extra: u64) -> f64 {
    median_of(values, value, extra)
}

fn median_of(values: &[f64], value: f64, extra: u64) -> f64 {
    let n = values.len() as u64 + extra;
    if n == 0 {
        return 0.0;
    }
    if n % 2 == 1 {
        kth(values, value, extra, n / 2)
    } else {
        (kth(values, value, extra, n / 2 - 1) + kth(values, value, extra, n / 2)) / 2.0
    }
}

/// The `k`-th (0-based) smallest of `values` (sorted) merged with `extra` copies of `value`.
fn kth(values: &[f64], value: f64, extra: u64, k: u64) -> f64 {
    let below = values.partition_point(|x| *x < value) as u64;
    let index = if k < below {
        k
    } else if k < below + extra {
        return value;
    } else {
        k - extra
    };
    usize::try_from(index)
        .ok()
        .and_then(|i| values.get(i))
        .copied()
        .unwrap_or(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_statistics_with_implicit_zeros() {
        assert_eq!(median(&[1.0, 2.0, 3.0], 0.0, 0), 2.0);
        assert_eq!(median(&[1.0, 2.0, 3.0], 0.0, 2), 1.0);
        assert_eq!(median(&[5.0], 0.0, 3), 0.0);
        assert_eq!(median(&[1.0, 9.0], 4.0, 1), 4.0);
        assert_eq!(median(&[], 0.0, 0), 0.0);
    }

    #[test]
    fn a_spike_stands_out_of_its_own_history() {
        // 24 buckets of 2 or 3 errors, then 40: median 2.5 (MAD 0.5 → 1), threshold 7.5.
        let mut counts: BTreeMap<i64, u64> = (0..24).map(|b| (b, 2 + (b % 2) as u64)).collect();
        counts.insert(24, 40);
        counts.insert(25, 12);
        let s = spikes(&counts, 0, 30);
        assert_eq!(s.len(), 1);
        assert_eq!(
            (s[0].first, s[0].last, s[0].count, s[0].peak),
            (24, 25, 52, 40)
        );
        let t = s[0].typical.unwrap();
        assert_eq!((t.median, t.buckets), (2.0, 31));
        // A busy function with a steady 50 errors per bucket never spikes at 55.
        let mut busy: BTreeMap<i64, u64> = (0..48).map(|b| (b, 45 + (b % 10) as u64)).collect();
        busy.insert(48, 55);
        assert!(spikes(&busy, 0, 48).is_empty());
        // Too little history: the fixed minimum.
        let short: BTreeMap<i64, u64> = [(0, 19), (1, 20)].into_iter().collect();
        let s = spikes(&short, 0, 1);
        assert_eq!((s.len(), s[0].first, s[0].typical), (1, 1, None));
    }
}

//! PAL533: an hour with far more calls than the principal normally makes.

use super::compare::Context;
use super::observe::HOUR_MS;
use super::profile::Profile;
use super::stats::{MAD_SCALE, rate_baseline};
use crate::detection::Detection;
use crate::event::format_time_ms;

palisade_model::rule_meta! {
    /// ## What it does
    /// Compares each hour's number of calls by a principal with the hours it made in the
    /// baseline. The normal rate is the median of its hourly counts over the training window
    /// (hours without a call count as 0) and its spread is the median absolute deviation
    /// (MAD), scaled by 1.4826 to estimate a standard deviation and never taken below the
    /// square root of the median (the natural variation of a count). An hour is reported when
    /// its count exceeds `median + 5 × spread`, is at least twice the median and at least 20
    /// calls. A principal idle in most hours (a nightly job) is judged on its active hours.
    ///
    /// ## Why is this bad?
    /// Stolen credentials and abused functions change volume: a role that copies a table or a
    /// bucket out, a function turned into a proxy, a retry loop burning money, a denial of
    /// wallet. The median and MAD are robust: a few spikes during training do not raise the
    /// bar, unlike a mean and standard deviation, and no fixed number fits every function.
    ///
    /// ## Example
    /// Baseline: `orders-role` makes about 40 calls an hour (median 40, MAD 4 over 336 h).
    /// Today, 2024-05-01 13:00 to 14:00: 912 `s3:GetObject` calls.
    ///
    /// ## Fix
    /// Look at what the hour's calls were (the first is attached). A launch or a batch job
    /// explains a spike: learn again after it to include such hours. Otherwise treat the role
    /// as compromised, and set reserved concurrency and budgets to bound what a runaway
    /// function costs.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S10:2017 Insufficient Logging and Monitoring
    /// - <https://www.itl.nist.gov/div898/handbook/eda/section3/eda35h.htm> (robust outlier
    ///   detection with the median and MAD)
    pub static PAL533 {
        code: "PAL533",
        name: "anomalous-hourly-rate",
        title: "Principal's hourly call rate far above its baseline",
        severity: Medium,
        confidence: Medium,
        sas: S10,
        area: Monitoring,
        fix: "Find what the hour's calls were; learn again if a known job explains them, otherwise investigate the role's credentials.",
    }
}

/// `40`, `40.5`.
fn num(x: f64) -> String {
    if (x - x.round()).abs() < 0.05 {
        format!("{x:.0}")
    } else {
        format!("{x:.1}")
    }
}

/// `2024-05-01T13:00Z`.
fn hour_text(hour: i64) -> String {
    let full = format_time_ms(hour * HOUR_MS);
    match full.get(..16) {
        Some(prefix) => format!("{prefix}Z"),
        None => full,
    }
}

/// The detections, or a note when the baseline cannot judge the rate.
pub(crate) fn check(cx: &Context<'_>, base: &Profile, out: &mut Vec<Detection>) -> Option<String> {
    if cx.seen.hours.is_empty() {
        return None;
    }
    let last = cx.window.1.div_euclid(HOUR_MS);
    let cap = i64::try_from(cx.caps.hours).unwrap_or(i64::MAX);
    let first = cx.window.0.div_euclid(HOUR_MS).max(last - cap + 1);
    let Some(rate) = rate_baseline(&base.hours, first, last, cx.rate) else {
        return Some(format!(
            "{}: hourly rate not judged (the baseline has too few hours: at least {} hours, or {} active hours, are needed)",
            cx.principal, cx.rate.min_hours, cx.rate.min_active_hours
        ));
    };
    for (&hour, &count) in &cx.seen.hours {
        if (count as f64) <= rate.threshold {
            continue;
        }
        let occurrence = cx.seen.hour_first.get(&hour);
        let when = hour_text(hour);
        let ratio = if rate.median > 0.0 {
            format!("{}×", num(count as f64 / rate.median))
        } else {
            "far above".into()
        };
        let over = if rate.active_only {
            format!(
                "{} active h of {} h (idle most hours)",
                rate.hours, rate.window_hours
            )
        } else {
            format!("{} h", rate.hours)
        };
        let message = format!(
            "{} made {count} calls in the hour from {when}, {ratio} its median hour of {} calls",
            cx.who(occurrence),
            num(rate.median)
        );
        let evidence = vec![
            (
                "hour".to_string(),
                format!(
                    "hour {when}: {count} calls; baseline median {}, MAD {} over {over}",
                    num(rate.median),
                    num(rate.mad),
                ),
            ),
            (
                "threshold".to_string(),
                format!(
                    "{} = the largest of median + {} × {} (spread: {MAD_SCALE} × MAD, at least √median), {} × median, {} calls",
                    num(rate.threshold),
                    num(cx.rate.k),
                    num(rate.spread),
                    num(cx.rate.min_ratio),
                    cx.rate.min_count
                ),
            ),
        ];
        out.push(cx.detection(
            &PAL533,
            cx.severity(&PAL533),
            message,
            evidence,
            occurrence,
            format!("{}|{when}", cx.principal),
        ));
    }
    None
}

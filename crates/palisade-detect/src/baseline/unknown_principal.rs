//! PAL535: a principal the baseline does not hold.

use super::compare::{Context, count, some_of};
use super::profile::Occurrence;
use crate::detection::Detection;
use crate::event::format_time_ms;
use palisade_model::Severity;

palisade_model::rule_meta! {
    /// ## What it does
    /// Reports, once per run, each principal (a role, a user, a service) that made calls but
    /// is not in the baseline, with what it did: its APIs, regions and address ranges. The
    /// other baseline rules do not run for it, so that one new principal is one detection
    /// rather than one per API.
    ///
    /// ## Why is this bad?
    /// A new IAM user, a role of another account, or a root session appearing in an account
    /// whose principals are known is how persistence and lateral movement look in CloudTrail.
    /// A new function role is usually a deployment, so it is reported one level lower.
    ///
    /// ## Example
    /// Baseline learnt over two weeks with `orders-role` and `deploy-role`. Today
    /// `arn:aws:iam::111122223333:user/backup-svc` calls `s3:ListBuckets` and
    /// `iam:ListUsers`.
    ///
    /// ## Fix
    /// If the principal is expected (a new function, a new pipeline), learn again so the
    /// baseline includes it. Otherwise find who created it (`iam:CreateUser`,
    /// `iam:CreateRole`, a trust policy change) and remove it.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S10:2017 Insufficient Logging and Monitoring
    pub static PAL535 {
        code: "PAL535",
        name: "principal-not-in-baseline",
        title: "Principal not in the baseline",
        severity: Medium,
        confidence: Medium,
        sas: S10,
        area: Monitoring,
        fix: "Learn again if the principal is expected; otherwise find who created it and remove it.",
    }
}

pub(crate) fn check(cx: &Context<'_>, out: &mut Vec<Detection>) {
    let seen = cx.seen;
    // The earliest first occurrence of any API stands for the principal's first event.
    let first: Option<&Occurrence> = seen
        .apis
        .values()
        .filter_map(|s| s.first.as_deref())
        .min_by_key(|o| (o.time_ms.is_none(), o.time_ms));
    let severity = if cx.function_role() {
        Severity::Low
    } else {
        PAL535.severity
    };
    let apis = some_of(seen.apis.keys(), 6);
    let message = format!(
        "{} is not in the baseline: {} to {} ({apis})",
        cx.who(first),
        count(seen.events, "call", "calls"),
        count(seen.apis.len() as u64, "API", "APIs")
    );
    let mut evidence = vec![
        ("calls".to_string(), seen.events.to_string()),
        ("APIs".to_string(), apis),
        ("regions".to_string(), some_of(seen.regions.keys(), 5)),
        (
            "address ranges".to_string(),
            some_of(seen.addresses.keys(), 5),
        ),
    ];
    if !seen.sessions.is_empty() {
        evidence.push(("sessions".into(), some_of(seen.sessions.iter(), 5)));
    }
    if let Some(t) = seen.first_ms {
        evidence.push(("first call".into(), format_time_ms(t)));
    }
    out.push(cx.detection(
        &PAL535,
        severity,
        message,
        evidence,
        first,
        cx.principal.to_string(),
    ));
}

//! PAL532: a principal calls AWS in a region it never used.

use super::compare::{Context, count, incomplete, new_keys, some_of};
use super::profile::Profile;
use crate::detection::Detection;
use crate::event::format_time_ms;

palisade_model::rule_meta! {
    /// ## What it does
    /// Reports each region (`awsRegion`) a principal makes calls in that it never made calls
    /// in during the baseline.
    ///
    /// ## Why is this bad?
    /// A function lives in one region and talks to resources there, plus the global services
    /// (IAM, STS, CloudFront are recorded in `us-east-1`). Calls in an unused region are how
    /// stolen credentials hide: crypto-mining instances started where nobody looks,
    /// resources created outside the monitored region, enumeration of every region at once.
    ///
    /// ## Example
    /// Baseline: `orders-role` only in `eu-west-1`. Today:
    /// ```json
    /// {"eventSource": "ec2.amazonaws.com", "eventName": "RunInstances",
    ///  "awsRegion": "ap-southeast-3", "userIdentity": {"type": "AssumedRole",
    ///    "arn": "arn:aws:sts::111122223333:assumed-role/orders-role/orders-fn"}}
    /// ```
    ///
    /// ## Fix
    /// If the application now uses the region, learn again. Otherwise revoke the role's
    /// sessions, look for resources created in the region, and deny unused regions with a
    /// service control policy (`aws:RequestedRegion`).
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S10:2017 Insufficient Logging and Monitoring
    /// - <https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_examples_general.html>
    pub static PAL532 {
        code: "PAL532",
        name: "new-region-for-principal",
        title: "Principal made calls in a region never used in the baseline",
        severity: Medium,
        confidence: Medium,
        sas: S10,
        area: Monitoring,
        fix: "Learn again if the application now uses the region; otherwise revoke the role's sessions and deny unused regions with an SCP.",
    }
}

pub(crate) fn check(cx: &Context<'_>, base: &Profile, out: &mut Vec<Detection>) {
    for (region, seen) in new_keys(&cx.seen.regions, &base.regions) {
        let first = seen.first.as_deref();
        let learnt = some_of(base.regions.keys(), 5);
        let message = format!(
            "{} made {} in {region}, a region it never used in the baseline (learnt: {learnt})",
            cx.who(first),
            count(seen.count, "call", "calls")
        );
        let mut evidence = vec![
            ("region".to_string(), region.clone()),
            ("calls".to_string(), seen.count.to_string()),
        ];
        if let Some(t) = seen.first_ms {
            evidence.push(("first call".into(), format_time_ms(t)));
        }
        evidence.push(("regions learnt".into(), learnt));
        evidence.extend(incomplete(base.overflow.regions, "regions"));
        out.push(cx.detection(
            &PAL532,
            cx.severity(&PAL532),
            message,
            evidence,
            first,
            format!("{}|{region}", cx.principal),
        ));
    }
}

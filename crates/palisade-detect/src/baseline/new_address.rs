//! PAL531: a principal is used from an address range it was never used from.

use super::compare::{Context, incomplete, new_keys, some_of};
use super::profile::Profile;
use crate::detection::Detection;
use crate::event::format_time_ms;

palisade_model::rule_meta! {
    /// ## What it does
    /// Reports each source address range a principal's calls come from that none of its calls
    /// came from in the baseline. IPv4 addresses are grouped by /24 and IPv6 addresses by /48,
    /// so that one NAT gateway, office or provider block is one range; values that are not
    /// addresses (`AWS Internal`, `lambda.amazonaws.com`) are their own range.
    ///
    /// ## Why is this bad?
    /// A function's credentials are meant to be used from the function. The same role used
    /// from a laptop or another cloud's address is the classic sign of credentials taken from
    /// a function's environment (through an SSRF, a path traversal to `/proc/self/environ`, or
    /// a leaked log) and replayed elsewhere.
    ///
    /// ## Example
    /// Baseline: `orders-role` called from `198.51.100.0/24` (the VPC's NAT gateway) for two
    /// weeks. Today `"sourceIPAddress": "203.0.113.45"` with the same role.
    ///
    /// ## Fix
    /// Check the event's user agent and the address's owner. A function outside a VPC calls
    /// from a pool of AWS addresses that changes: put such functions behind a NAT gateway (a
    /// stable address) or accept this rule's noise for them. If the address is not yours,
    /// revoke the role's sessions and rotate whatever its environment held.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S10:2017 Insufficient Logging and Monitoring
    /// - <https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html>
    pub static PAL531 {
        code: "PAL531",
        name: "new-source-address-for-principal",
        title: "Principal used from an address range never seen in the baseline",
        severity: Low,
        confidence: Low,
        sas: S10,
        area: Monitoring,
        fix: "Check who owns the address; if it is not yours, revoke the role's sessions and rotate what its environment held.",
    }
}

pub(crate) fn check(cx: &Context<'_>, base: &Profile, out: &mut Vec<Detection>) {
    for (range, seen) in new_keys(&cx.seen.addresses, &base.addresses) {
        let first = seen.first.as_deref();
        let address = first.and_then(|o| o.detail.as_deref());
        let from = match address {
            Some(a) => format!("{a} ({range})"),
            None => range.clone(),
        };
        let message = format!(
            "{} was used from {from}, an address range it was never used from in the baseline",
            cx.who(first)
        );
        let mut evidence = vec![("range".to_string(), range.clone())];
        if let Some(a) = address {
            evidence.push(("address".into(), a.to_string()));
        }
        evidence.push(("calls".into(), seen.count.to_string()));
        if let Some(t) = seen.first_ms {
            evidence.push(("first call".into(), format_time_ms(t)));
        }
        evidence.push(("ranges learnt".into(), some_of(base.addresses.keys(), 5)));
        evidence.extend(incomplete(base.overflow.addresses, "addresses"));
        out.push(cx.detection(
            &PAL531,
            cx.severity(&PAL531),
            message,
            evidence,
            first,
            format!("{}|{range}", cx.principal),
        ));
    }
}

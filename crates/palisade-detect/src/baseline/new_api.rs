//! PAL530: a principal calls an API it never called in the baseline.

use super::compare::{Context, incomplete, new_keys, some_of};
use super::profile::Profile;
use crate::detection::Detection;
use crate::event::format_time_ms;

palisade_model::rule_meta! {
    /// ## What it does
    /// Reports each API (`service:Name`, e.g. `iam:CreateUser`) a principal calls that it
    /// never called in the baseline learnt by `palisade detect --learn`. A function role's
    /// calls are set by its code, so a new API from a function role is reported one level
    /// higher.
    ///
    /// ## Why is this bad?
    /// A function does the same few things every day: read a table, write an object. When its
    /// role starts listing buckets, creating users or reading other services' configuration,
    /// either the code changed or someone holds its credentials (stolen through an SSRF or an
    /// injection, or read from the environment). The first call of a new API is usually
    /// reconnaissance (`sts:GetCallerIdentity`, `iam:ListRoles`) that no fixed rule flags.
    ///
    /// ## Example
    /// Baseline: `orders-role` called `dynamodb:PutItem` and `s3:GetObject` for two weeks.
    /// Today:
    /// ```json
    /// {"eventSource": "iam.amazonaws.com", "eventName": "ListUsers",
    ///  "userIdentity": {"type": "AssumedRole",
    ///    "arn": "arn:aws:sts::111122223333:assumed-role/orders-role/orders-fn"}}
    /// ```
    ///
    /// ## Fix
    /// Check whether a deployment introduced the call. If it did, learn again
    /// (`palisade detect --learn`) so the baseline includes it. If it did not, treat the
    /// role's credentials as compromised: look at the event's source address and user agent,
    /// revoke the sessions (an `aws:TokenIssueTime` deny) and remove the permission the call
    /// used if the function does not need it.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S10:2017 Insufficient Logging and Monitoring
    /// - <https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_revoke-sessions.html>
    pub static PAL530 {
        code: "PAL530",
        name: "new-api-for-principal",
        title: "Principal called an API it never called in the baseline",
        severity: Medium,
        confidence: Medium,
        sas: S10,
        area: Monitoring,
        fix: "Learn again if a deployment added the call; otherwise revoke the role's sessions and investigate its credentials.",
    }
}

pub(crate) fn check(cx: &Context<'_>, base: &Profile, out: &mut Vec<Detection>) {
    for (api, seen) in new_keys(&cx.seen.apis, &base.apis) {
        let first = seen.first.as_deref();
        let message = format!(
            "{} called {api}, an API it never called in the baseline ({} APIs learnt)",
            cx.who(first),
            base.apis.len()
        );
        let mut evidence = vec![
            ("api".to_string(), api.clone()),
            ("calls".to_string(), seen.count.to_string()),
        ];
        if let Some(t) = seen.first_ms {
            evidence.push(("first call".into(), format_time_ms(t)));
        }
        evidence.push(("APIs learnt".into(), some_of(base.apis.keys(), 8)));
        evidence.extend(incomplete(base.overflow.apis, "APIs"));
        out.push(cx.detection(
            &PAL530,
            cx.severity(&PAL530),
            message,
            evidence,
            first,
            format!("{}|{api}", cx.principal),
        ));
    }
}

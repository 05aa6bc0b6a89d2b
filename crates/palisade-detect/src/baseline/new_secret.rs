//! PAL534: a principal reads a secret it never read.

use super::compare::{Context, incomplete, new_keys, some_of};
use super::profile::Profile;
use crate::detection::Detection;
use crate::event::format_time_ms;
use palisade_model::Severity;

palisade_model::rule_meta! {
    /// ## What it does
    /// Reports each secret a principal reads that it never read in the baseline: a Secrets
    /// Manager secret (`GetSecretValue`, `BatchGetSecretValue`, by name, the ARN's random
    /// suffix removed) or an SSM parameter read with `withDecryption: true` (`GetParameter`,
    /// `GetParameters`, `GetParametersByPath`). Only successful reads count. The strongest
    /// case, reported as critical, is a function role reading a secret that another role read
    /// in the baseline: one function reaching for another's credentials.
    ///
    /// ## Why is this bad?
    /// A function reads the same secrets at every cold start. A role reading a new secret is
    /// either a deployment or someone using its permissions, often a wildcard grant such as
    /// `secretsmanager:GetSecretValue` on `*`, to collect the database passwords and API keys
    /// of the whole account. `kms:Decrypt` is not used: every encrypted object, queue message
    /// and environment variable produces one, and its key names no secret.
    ///
    /// ## Example
    /// Baseline: `orders-role` read `prod/orders-db`; `payments-role` read `prod/stripe-key`.
    /// Today:
    /// ```json
    /// {"eventSource": "secretsmanager.amazonaws.com", "eventName": "GetSecretValue",
    ///  "requestParameters": {"secretId": "prod/stripe-key"},
    ///  "userIdentity": {"type": "AssumedRole",
    ///    "arn": "arn:aws:sts::111122223333:assumed-role/orders-role/orders-fn"}}
    /// ```
    ///
    /// ## Fix
    /// If a deployment added the read, learn again. Otherwise rotate the secret now, revoke
    /// the role's sessions, and scope its `GetSecretValue` permission to the secrets it needs
    /// (by ARN, never `*`).
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S3:2017 Sensitive Data Exposure
    /// - <https://docs.aws.amazon.com/secretsmanager/latest/userguide/monitoring-cloudtrail.html>
    pub static PAL534 {
        code: "PAL534",
        name: "new-secret-read-by-principal",
        title: "Principal read a secret it never read in the baseline",
        severity: High,
        confidence: High,
        sas: S3,
        area: Monitoring,
        fix: "Rotate the secret, revoke the role's sessions, and grant GetSecretValue only on the secrets the role needs.",
    }
}

pub(crate) fn check(cx: &Context<'_>, base: &Profile, out: &mut Vec<Detection>) {
    for (secret, seen) in new_keys(&cx.seen.secrets, &base.secrets) {
        let first = seen.first.as_deref();
        let others: &[(String, bool)] = cx
            .secret_readers
            .get(secret)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let function = cx.function_role();
        // Another role's secret is worse than a secret nobody read; a function role is
        // worse than a person's.
        let severity = match (function, others.is_empty()) {
            (true, false) => Severity::Critical,
            (true, true) | (false, false) => Severity::High,
            (false, true) => Severity::Medium,
        };
        let name = first
            .and_then(|o| o.detail.as_deref())
            .unwrap_or(secret.as_str());
        let readers = some_of(others.iter().map(|(p, _)| p), 3);
        let whose = if others.is_empty() {
            "no other role read it in the baseline".to_string()
        } else {
            format!("in the baseline only {readers} read it")
        };
        let message = format!(
            "{} read the secret {name} for the first time; {whose}",
            cx.who(first)
        );
        let mut evidence = vec![
            ("secret".to_string(), secret.clone()),
            ("reads".to_string(), seen.count.to_string()),
        ];
        if let Some(t) = seen.first_ms {
            evidence.push(("first read".into(), format_time_ms(t)));
        }
        evidence.push(("other readers in the baseline".into(), readers));
        evidence.push((
            "secrets this principal read in the baseline".into(),
            some_of(base.secrets.keys(), 5),
        ));
        evidence.extend(incomplete(base.overflow.secrets, "secrets"));
        out.push(cx.detection(
            &PAL534,
            severity,
            message,
            evidence,
            first,
            format!("{}|{secret}", cx.principal),
        ));
    }
}

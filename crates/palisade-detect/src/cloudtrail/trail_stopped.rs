//! PAL511, shipped as Sigma: `rules/palisade/cloudtrail_logging_stopped.yml`.

palisade_model::rule_meta! {
    /// ## What it does
    /// Reports a successful `StopLogging` or `DeleteTrail`, and a CloudTrail Lake event data
    /// store that stopped ingesting or was deleted (`StopEventDataStoreIngestion`,
    /// `DeleteEventDataStore`). Shipped as the Sigma rule
    /// `rules/palisade/cloudtrail_logging_stopped.yml`.
    ///
    /// ## Why is this bad?
    /// Without the trail, nothing that follows is recorded: changes to functions, roles and
    /// policies, credentials used from outside. Attackers stop logging before they act.
    ///
    /// ## Example
    /// ```json
    /// {"eventSource": "cloudtrail.amazonaws.com", "eventName": "StopLogging",
    ///  "requestParameters": {"name": "arn:aws:cloudtrail:us-east-1:123456789012:trail/main"}}
    /// ```
    ///
    /// ## Fix
    /// Start logging again (`StartLogging`) or recreate the trail, then review what the caller
    /// did; deny `cloudtrail:StopLogging` and `cloudtrail:DeleteTrail` with a service control
    /// policy, and prefer an organization trail that member accounts cannot change.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S10:2017 Insufficient Logging and Monitoring
    /// - CloudTrail security best practices: https://docs.aws.amazon.com/awscloudtrail/latest/userguide/best-practices-security.html
    /// - MITRE ATT&CK T1562.008 Impair Defenses: Disable or Modify Cloud Logs
    pub(crate) static META {
        code: "PAL511",
        name: "cloudtrail-logging-stopped",
        title: "CloudTrail logging stopped or trail deleted",
        severity: High,
        confidence: High,
        sas: S10,
        area: Monitoring,
        fix: "Restart logging or recreate the trail, review the caller's actions, and deny these calls with an SCP.",
    }
}

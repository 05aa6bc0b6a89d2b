//! PAL513, shipped as Sigma: `rules/palisade/cloudtrail_event_selectors_weakened.yml`.

palisade_model::rule_meta! {
    /// ## What it does
    /// Reports a successful `PutEventSelectors` with a selector that excludes management
    /// events (`includeManagementEvents: false`) or keeps read-only calls only
    /// (`readWriteType: ReadOnly`). Shipped as the Sigma rule
    /// `rules/palisade/cloudtrail_event_selectors_weakened.yml`.
    ///
    /// ## Why is this bad?
    /// Management events are the record of every change to functions, roles, policies and the
    /// trail itself. A trail that drops them, or drops every write, is running and useless.
    ///
    /// ## Example
    /// ```json
    /// {"eventSource": "cloudtrail.amazonaws.com", "eventName": "PutEventSelectors",
    ///  "requestParameters": {"trailName": "main", "eventSelectors": [
    ///    {"includeManagementEvents": false, "readWriteType": "All", "dataResources": []}]}}
    /// ```
    ///
    /// ## Fix
    /// Put back a selector with `includeManagementEvents: true` and `readWriteType: All`, and
    /// review what was done while the trail was blind.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S10:2017 Insufficient Logging and Monitoring
    /// - PutEventSelectors: https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_PutEventSelectors.html
    /// - MITRE ATT&CK T1562.008 Impair Defenses: Disable or Modify Cloud Logs
    pub(crate) static META {
        code: "PAL513",
        name: "cloudtrail-event-selectors-weakened",
        title: "CloudTrail event selectors drop management events",
        severity: High,
        confidence: High,
        sas: S10,
        area: Monitoring,
        fix: "Restore a selector that includes management events with readWriteType All.",
    }
}

//! PAL512, shipped as Sigma: `rules/palisade/cloudtrail_trail_weakened.yml`.

palisade_model::rule_meta! {
    /// ## What it does
    /// Reports a successful `UpdateTrail` that sets `isMultiRegionTrail`,
    /// `includeGlobalServiceEvents` or `enableLogFileValidation` to `false`, or that names an
    /// S3 bucket (`s3BucketName`), moving the trail's logs. Shipped as the Sigma rule
    /// `rules/palisade/cloudtrail_trail_weakened.yml`.
    ///
    /// ## Why is this bad?
    /// The trail keeps running, so a check that it is "on" still passes, but it records less
    /// (one region only; no IAM or STS events), lets its files be changed unnoticed, or
    /// delivers them to a bucket the defenders do not read, possibly in another account.
    ///
    /// ## Example
    /// ```json
    /// {"eventSource": "cloudtrail.amazonaws.com", "eventName": "UpdateTrail",
    ///  "requestParameters": {"name": "main", "isMultiRegionTrail": false}}
    /// ```
    ///
    /// ## Fix
    /// Restore the trail's settings and bucket; manage the trail from infrastructure as code
    /// and deny `cloudtrail:UpdateTrail` outside the pipeline.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S10:2017 Insufficient Logging and Monitoring
    /// - UpdateTrail: https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_UpdateTrail.html
    /// - MITRE ATT&CK T1562.008 Impair Defenses: Disable or Modify Cloud Logs
    pub(crate) static META {
        code: "PAL512",
        name: "cloudtrail-trail-weakened",
        title: "CloudTrail trail weakened",
        severity: Medium,
        confidence: Medium,
        sas: S10,
        area: Monitoring,
        fix: "Restore the trail's regions, global events, validation and bucket; deny UpdateTrail outside the pipeline.",
    }
}

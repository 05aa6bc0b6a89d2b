use crate::Described;

declare_rule! {
    /// ## What it does
    /// Reports suppressions that give no reason. The suppression still applies; this finding keeps
    /// it visible until someone writes down why the risk is accepted.
    ///
    /// ## Why is this bad?
    /// A suppression is a security decision. Without a reason, the next reviewer cannot tell an
    /// accepted risk from a silenced alarm, and nobody can tell when the reason stops holding.
    ///
    /// ## Example
    /// ```yaml
    ///     Metadata:
    ///       palisade:
    ///         ignore: [PAL105]
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    ///         ignore:
    ///           - {id: PAL105, reason: "GitHub webhook; the handler verifies the HMAC signature"}
    /// ```
    ///
    /// ## Fix
    /// Add a `reason` to the suppression.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S6:2017 Security Misconfiguration
    pub(crate) struct SuppressionWithoutReason {
        code: "PAL902",
        name: "suppression-without-reason",
        title: "Suppression without a reason",
        severity: Low,
        confidence: High,
        sas: S6,
        area: Configuration,
        fix: "Say why the finding is accepted in the suppression's reason.",
    }
}

pub(crate) fn meta() -> &'static palisade_model::RuleMeta {
    SuppressionWithoutReason.meta()
}

use crate::Described;

declare_rule! {
    /// ## What it does
    /// Reports suppressions (template `Metadata`, `palisade.toml` ignores, `# palisade:ignore`
    /// comments) that no longer suppress any finding. Emitted by the scan itself, after all rules
    /// have run.
    ///
    /// ## Why is this bad?
    /// A suppression outlives the finding it was written for: the code was fixed, the resource
    /// renamed, the rule changed. Left in place, it silently hides the next real finding of that
    /// rule on that resource.
    ///
    /// ## Example
    /// ```yaml
    ///     Metadata:
    ///       palisade:
    ///         ignore:
    ///           - {id: PAL105, reason: "public webhook"}   # but the URL now uses AWS_IAM
    /// ```
    ///
    /// ## Fix
    /// Remove the suppression.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S6:2017 Security Misconfiguration
    pub(crate) struct UnusedSuppression {
        code: "PAL901",
        name: "unused-suppression",
        title: "Suppression that suppresses nothing",
        severity: Low,
        confidence: High,
        sas: S6,
        area: Configuration,
        fix: "Remove the suppression.",
    }
}

pub(crate) fn meta() -> &'static palisade_model::RuleMeta {
    UnusedSuppression.meta()
}

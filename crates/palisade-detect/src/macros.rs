//! The macro every runtime rule's metadata is declared with.

/// A rule's metadata as a `static`, its doc comment being its documentation (the same shape
/// as `palisade-rules`' `declare_rule!`, without a checker).
macro_rules! rule_meta {
    (
        $(#[doc = $doc:literal])*
        $vis:vis static $name:ident {
            code: $code:literal,
            name: $rule_name:literal,
            title: $title:literal,
            severity: $severity:ident,
            confidence: $confidence:ident,
            sas: $sas:ident,
            fix: $fix:literal $(,)?
        }
    ) => {
        $(#[doc = $doc])*
        $vis static $name: palisade_model::RuleMeta = palisade_model::RuleMeta {
            code: $code,
            name: $rule_name,
            title: $title,
            severity: palisade_model::Severity::$severity,
            confidence: palisade_model::Confidence::$confidence,
            sas: palisade_model::Sas::$sas,
            area: palisade_model::Area::Monitoring,
            fix: $fix,
            docs: concat!($($doc, "\n"),*),
        };
    };
}

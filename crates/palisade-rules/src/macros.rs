//! `declare_rule!`: a rule struct whose doc comment becomes its documentation.

/// Declare a rule: the doc comment is kept as the rule's documentation (printed by
/// `palisade rules CODE`), the fields become its [`palisade_model::RuleMeta`].
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])*
        pub(crate) struct $name:ident {
            code: $code:literal,
            name: $rule_name:literal,
            title: $title:literal,
            severity: $severity:ident,
            confidence: $confidence:ident,
            sas: $sas:ident,
            area: $area:ident,
            fix: $fix:literal $(,)?
        }
    ) => {
        $(#[doc = $doc])*
        pub(crate) struct $name;

        impl $crate::Described for $name {
            fn meta(&self) -> &'static palisade_model::RuleMeta {
                palisade_model::rule_meta! {
                    $(#[doc = $doc])*
                    static META {
                        code: $code,
                        name: $rule_name,
                        title: $title,
                        severity: $severity,
                        confidence: $confidence,
                        sas: $sas,
                        area: $area,
                        fix: $fix,
                    }
                }
                &META
            }
        }
    };
}

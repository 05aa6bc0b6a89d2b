use palisade_model::{App, SinkKind};

use crate::rules::code::mod_helpers::report_flows;
use crate::{Checker, Rule};

declare_rule! {
    /// ## What it does
    /// Finds responses whose `Location` header comes from the event, unless a constant prefix fixes scheme and host.
    ///
    /// ## Why is this bad?
    /// Links on your domain send users to the attacker's site: phishing with your name on it, and stolen OAuth codes.
    ///
    /// ## Example
    /// ```javascript
    /// return { statusCode: 302, headers: { Location: event.queryStringParameters.next } };
    /// ```
    ///
    /// Use instead:
    /// ```javascript
    /// const next = ALLOWED.includes(target) ? target : "/";
    /// ```
    ///
    /// ## Fix
    /// Redirect only to relative paths or to destinations on an allow list.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S5:2017 Broken Access Control
    /// - CWE-601: Open Redirect
    pub(crate) struct OpenRedirect {
        code: "PAL310",
        name: "open-redirect",
        title: "Event data chooses where a redirect goes",
        severity: Medium,
        confidence: High,
        sas: S5,
        area: Code,
        fix: "Redirect only to relative paths or to destinations on an allow list.",
    }
}

impl Rule for OpenRedirect {
    fn check(&self, app: &App, cx: &mut Checker<'_>) {
        report_flows(
            app,
            cx,
            SinkKind::OpenRedirect,
            "the `Location` header of a response",
        );
    }
}

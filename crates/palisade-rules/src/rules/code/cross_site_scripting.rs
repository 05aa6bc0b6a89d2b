use palisade_model::{App, SinkKind};

use crate::rules::code::mod_helpers::report_flows;
use crate::{Checker, Rule};

declare_rule! {
    /// ## What it does
    /// Finds handlers that return an HTML response (a `Content-Type` of `text/html`, or a body built from HTML text) whose body carries event data.
    ///
    /// ## Why is this bad?
    /// Script in the data runs in the browsers of everyone shown the page, with the site's origin.
    ///
    /// ## Example
    /// ```python
    /// return {"statusCode": 200, "headers": {"Content-Type": "text/html"},
    ///         "body": "<h1>Hello " + name + "</h1>"}
    /// ```
    ///
    /// Use instead:
    /// ```python
    ///         "body": "<h1>Hello " + html.escape(name) + "</h1>"}
    /// ```
    ///
    /// ## Fix
    /// Escape data for HTML (`html.escape`, a templating engine with auto-escaping), or return JSON.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S7:2017 Cross-Site Scripting
    /// - CWE-79: Cross-site Scripting
    pub(crate) struct CrossSiteScripting {
        code: "PAL309",
        name: "cross-site-scripting",
        title: "Event data is written into an HTML response",
        severity: High,
        confidence: High,
        sas: S7,
        area: Code,
        fix: "Escape data for HTML (`html.escape`, a templating engine with auto-escaping), or return JSON.",
    }
}

impl Rule for CrossSiteScripting {
    fn check(&self, app: &App, cx: &mut Checker<'_>) {
        report_flows(app, cx, SinkKind::Xss, "the body of an HTML response");
    }
}

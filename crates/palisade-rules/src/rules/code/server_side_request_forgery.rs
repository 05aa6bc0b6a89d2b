use palisade_model::{App, SinkKind};

use crate::rules::code::mod_helpers::report_flows;
use crate::{Checker, Rule};

declare_rule! {
    /// ## What it does
    /// Follows event data into the URL of outgoing requests: `requests`, `httpx`, `urllib`, `axios`, `fetch`, `got`, `http(s).get/request`. A URL whose scheme and host are fixed by a constant prefix is not reported.
    ///
    /// ## Why is this bad?
    /// The caller makes the function fetch internal addresses, other accounts' resources, or metadata endpoints, with the function's network position.
    ///
    /// ## Example
    /// ```python
    /// requests.get(event["queryStringParameters"]["url"])
    /// ```
    ///
    /// Use instead:
    /// ```python
    /// requests.get("https://api.example.com/items/" + quote(item_id))
    /// ```
    ///
    /// ## Fix
    /// Fix scheme and host in code, or check the host against an allow list after parsing the URL.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S1:2017 Injection
    /// - CWE-918: Server-Side Request Forgery
    pub(crate) struct ServerSideRequestForgery {
        code: "PAL307",
        name: "server-side-request-forgery",
        title: "Event data chooses where the function sends a request",
        severity: High,
        confidence: High,
        sas: S1,
        area: Code,
        fix: "Fix scheme and host in code, or check the host against an allow list after parsing the URL.",
    }
}

impl Rule for ServerSideRequestForgery {
    fn check(&self, app: &App, cx: &mut Checker<'_>) {
        report_flows(app, cx, SinkKind::Ssrf, "the URL of an outgoing request,");
    }
}

use palisade_model::{App, SinkKind};

use crate::rules::code::mod_helpers::report_flows;
use crate::{Checker, Rule};

declare_rule! {
    /// ## What it does
    /// Follows event data into NoSQL queries: MongoDB `find`/`$where` with query objects taken from the event, DynamoDB expressions or PartiQL statements built from strings.
    ///
    /// ## Why is this bad?
    /// A query object from the caller can carry operators (`$ne`, `$where`, `$regex`) that match every document or run JavaScript in the database.
    ///
    /// ## Example
    /// ```javascript
    /// const user = await users.findOne(JSON.parse(event.body));
    /// ```
    ///
    /// Use instead:
    /// ```javascript
    /// const { name } = JSON.parse(event.body);
    /// const user = await users.findOne({ name: String(name) });
    /// ```
    ///
    /// ## Fix
    /// Build queries from known fields with values cast to their types; never pass parsed event objects as queries.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S1:2017 Injection
    /// - CWE-943: Improper Neutralization of Special Elements in Data Query Logic
    pub(crate) struct NosqlInjection {
        code: "PAL304",
        name: "nosql-injection",
        title: "Event data shapes a NoSQL query",
        severity: High,
        confidence: High,
        sas: S1,
        area: Code,
        fix: "Build queries from known fields with values cast to their types; never pass parsed event objects as queries.",
    }
}

impl Rule for NosqlInjection {
    fn check(&self, app: &App, cx: &mut Checker<'_>) {
        report_flows(app, cx, SinkKind::NoSql, "a NoSQL query through");
    }
}

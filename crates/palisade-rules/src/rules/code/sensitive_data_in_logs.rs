use palisade_model::{App, SinkKind};

use crate::rules::code::mod_helpers::report_flows;
use crate::{Checker, Rule};

declare_rule! {
    /// ## What it does
    /// Finds logging of the whole event, of request headers (with `Authorization` and cookies), and of values named like passwords, tokens or secrets: `print`, `logging`, `logger.*`, `console.*`.
    ///
    /// ## Why is this bad?
    /// Logs are kept for long, read by many, and shipped to other systems: tokens and personal data in them outlive the request and reach people who should not see them.
    ///
    /// ## Example
    /// ```javascript
    /// console.log(JSON.stringify(event));
    /// ```
    ///
    /// Use instead:
    /// ```javascript
    /// console.log({ requestId: context.awsRequestId, path: event.rawPath });
    /// ```
    ///
    /// ## Fix
    /// Log the fields you need (request id, route, status), never the whole event, headers or credentials.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S3:2017 Sensitive Data Exposure
    /// - CWE-532: Insertion of Sensitive Information into Log File
    pub(crate) struct SensitiveDataInLogs {
        code: "PAL313",
        name: "sensitive-data-in-logs",
        title: "Sensitive data written to logs",
        severity: Medium,
        confidence: High,
        sas: S3,
        area: Code,
        fix: "Log the fields you need (request id, route, status), never the whole event, headers or credentials.",
    }
}

impl Rule for SensitiveDataInLogs {
    fn check(&self, app: &App, cx: &mut Checker<'_>) {
        report_flows(app, cx, SinkKind::Log, "");
    }
}

use palisade_model::{App, CodeIssueKind};

use crate::rules::code::mod_helpers::report_issues;
use crate::{Checker, Rule};

declare_rule! {
    /// ## What it does
    /// Finds exception handlers that return an exception's trace or text in the response body (`traceback.format_exc()`, `str(e)`, `e.stack`).
    ///
    /// ## Why is this bad?
    /// Traces reveal file paths, library versions, queries and sometimes data: a map for the next attack.
    ///
    /// ## Example
    /// ```python
    /// except Exception:
    ///     return {"statusCode": 500, "body": traceback.format_exc()}
    /// ```
    ///
    /// Use instead:
    /// ```python
    /// except Exception:
    ///     logger.exception("order failed")
    ///     return {"statusCode": 500, "body": "internal error"}
    /// ```
    ///
    /// ## Fix
    /// Log the details and return a generic message with a request id.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S3:2017 Sensitive Data Exposure
    /// - CWE-209: Generation of Error Message Containing Sensitive Information
    pub(crate) struct StackTraceInResponse {
        code: "PAL314",
        name: "stack-trace-in-response",
        title: "Exception details returned to the caller",
        severity: Low,
        confidence: High,
        sas: S3,
        area: Code,
        fix: "Log the details and return a generic message with a request id.",
    }
}

impl Rule for StackTraceInResponse {
    fn check(&self, app: &App, cx: &mut Checker<'_>) {
        report_issues(app, cx, CodeIssueKind::StackTraceInResponse);
    }
}

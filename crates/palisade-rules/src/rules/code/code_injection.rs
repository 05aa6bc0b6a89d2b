use palisade_model::{App, SinkKind};

use crate::rules::code::mod_helpers::report_flows;
use crate::{Checker, Rule};

declare_rule! {
    /// ## What it does
    /// Follows event data into code evaluation: Python `eval`/`exec`, JavaScript `eval`, `new Function`, `vm.run*`, and string arguments of `setTimeout`/`setInterval`.
    ///
    /// ## Why is this bad?
    /// Evaluating attacker text runs attacker code inside the function, with its role.
    ///
    /// ## Example
    /// ```javascript
    /// exports.handler = async (event) => eval(event.body);
    /// ```
    ///
    /// Use instead:
    /// ```javascript
    /// exports.handler = async (event) => JSON.parse(event.body);
    /// ```
    ///
    /// ## Fix
    /// Never evaluate event data; parse it (`json.loads`, `JSON.parse`) or map it to known operations.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S1:2017 Injection
    /// - CWE-94: Code Injection
    pub(crate) struct CodeInjection {
        code: "PAL302",
        name: "code-injection",
        title: "Event data is evaluated as code",
        severity: Critical,
        confidence: High,
        sas: S1,
        area: Code,
        fix: "Never evaluate event data; parse it (`json.loads`, `JSON.parse`) or map it to known operations.",
    }
}

impl Rule for CodeInjection {
    fn check(&self, app: &App, cx: &mut Checker<'_>) {
        report_flows(app, cx, SinkKind::CodeEval, "code evaluation through");
    }
}

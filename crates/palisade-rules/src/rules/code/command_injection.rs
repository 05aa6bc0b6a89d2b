use palisade_model::{App, SinkKind};

use crate::rules::code::mod_helpers::report_flows;
use crate::{Checker, Rule};

declare_rule! {
    /// ## What it does
    /// Follows data an outsider controls (from the function's triggers) into OS commands: `os.system`, `os.popen`, `subprocess.*` with `shell=True`, `child_process.exec`/`execSync`, `spawn`/`execFile` with `shell: true`.
    ///
    /// ## Why is this bad?
    /// A shell interprets `;`, `|`, `$(...)` and backticks. Whoever shapes the event runs commands with the function's role, and can read its environment and credentials.
    ///
    /// ## Example
    /// ```python
    /// def handler(event, context):
    ///     name = event["queryStringParameters"]["name"]
    ///     subprocess.run(f"convert {name} out.png", shell=True)
    /// ```
    ///
    /// Use instead:
    /// ```python
    ///     subprocess.run(["convert", name, "out.png"])
    /// ```
    ///
    /// ## Fix
    /// Pass arguments as a list without a shell; if a shell is unavoidable, quote each argument (`shlex.quote`) and check it against an allow list.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S1:2017 Injection
    /// - CWE-78: OS Command Injection
    pub(crate) struct CommandInjection {
        code: "PAL301",
        name: "command-injection",
        title: "Event data reaches an OS command",
        severity: Critical,
        confidence: High,
        sas: S1,
        area: Code,
        fix: "Pass arguments as a list without a shell; if a shell is unavoidable, quote each argument (`shlex.quote`) and check it against an allow list.",
    }
}

impl Rule for CommandInjection {
    fn check(&self, app: &App, cx: &mut Checker<'_>) {
        report_flows(app, cx, SinkKind::Command, "an OS command through");
    }
}

use palisade_model::{App, CodeIssueKind};

use crate::rules::code::mod_helpers::report_issues;
use crate::{Checker, Rule};

declare_rule! {
    /// ## What it does
    /// Finds credentials written in handler code: AWS access keys, private keys, GitHub, Slack and Stripe tokens, Google API keys, JWTs, and string values with high entropy assigned to names such as `password`, `secret` or `token`.
    ///
    /// ## Why is this bad?
    /// Code is copied into repositories, build logs, deployment packages and `GetFunction` responses; anyone with read access to any of them holds the credential.
    ///
    /// ## Example
    /// ```python
    /// STRIPE_KEY = "sk_live_..."
    /// ```
    ///
    /// Use instead:
    /// ```python
    /// STRIPE_KEY = secrets.get_secret_value(SecretId=os.environ["STRIPE_SECRET"])["SecretString"]
    /// ```
    ///
    /// ## Fix
    /// Move the secret to Secrets Manager or SSM Parameter Store, read it at run time, and rotate the exposed one.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S3:2017 Sensitive Data Exposure
    /// - CWE-798: Use of Hard-coded Credentials
    pub(crate) struct SecretInCode {
        code: "PAL311",
        name: "secret-in-code",
        title: "Secret written in the function's code",
        severity: High,
        confidence: High,
        sas: S3,
        area: Code,
        fix: "Move the secret to Secrets Manager or SSM Parameter Store, read it at run time, and rotate the exposed one.",
    }
}

impl Rule for SecretInCode {
    fn check(&self, app: &App, cx: &mut Checker<'_>) {
        report_issues(app, cx, CodeIssueKind::SecretInCode);
    }
}

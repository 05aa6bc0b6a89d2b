use palisade_model::{App, Severity};

use crate::helpers::{literal_strings, secret_name, secret_value_confidence};
use crate::{Checker, Rule};

declare_rule! {
    /// ## What it does
    /// Finds template parameters named like secrets (`DbPassword`, `ApiToken`…) that are not
    /// declared `NoEcho: true`, and secret parameters with a literal default.
    ///
    /// ## Why is this bad?
    /// Without `NoEcho`, CloudFormation shows the value in plain text in the console, in
    /// `describe-stacks` output and in events, to anyone with read access to the stack. A default
    /// value puts the secret in the template itself, and in version control.
    ///
    /// ## Example
    /// ```yaml
    /// Parameters:
    ///   DbPassword:
    ///     Type: String
    ///     Default: hunter2-prod
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// Parameters:
    ///   DbPassword:
    ///     Type: String
    ///     NoEcho: true
    /// ```
    /// or, better, a dynamic reference to Secrets Manager instead of a parameter.
    ///
    /// ## Fix
    /// Set `NoEcho: true`, remove the default, and prefer `{{resolve:secretsmanager:…}}` or an SSM
    /// SecureString read at run time.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S3:2017 Sensitive Data Exposure
    /// - <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/parameters-section-structure.html>
    pub(crate) struct SecretParameterWithoutNoEcho {
        code: "PAL111",
        name: "secret-parameter-without-noecho",
        title: "Secret parameter shown in plain text",
        severity: Medium,
        confidence: Medium,
        sas: S3,
        area: Configuration,
        fix: "Declare the parameter NoEcho: true without a default, or use a Secrets Manager dynamic reference.",
    }
}

impl Rule for SecretParameterWithoutNoEcho {
    fn check(&self, app: &App, cx: &mut Checker<'_>) {
        for p in &app.parameters {
            if !secret_name(&p.name) {
                continue;
            }
            if p.param_type
                .as_deref()
                .is_some_and(|t| t.starts_with("AWS::SSM::Parameter"))
            {
                continue;
            }
            let default_secret = p
                .default
                .as_ref()
                .map(literal_strings)
                .unwrap_or_default()
                .into_iter()
                .any(|v| secret_value_confidence(&v).is_some());
            if p.no_echo && !default_secret {
                continue;
            }
            let (message, severity) = match (p.no_echo, default_secret) {
                (_, true) => (
                    format!(
                        "parameter {} has a literal secret as its default value",
                        p.name
                    ),
                    Severity::High,
                ),
                _ => (
                    format!(
                        "parameter {} looks like a secret but is not NoEcho: its value is shown in plain text",
                        p.name
                    ),
                    Severity::Medium,
                ),
            };
            cx.report(p.span, message)
                .parameter(&p.name)
                .severity(severity)
                .emit();
        }
    }
}

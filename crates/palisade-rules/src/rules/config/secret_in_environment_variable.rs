use palisade_model::{App, Confidence};

use crate::helpers::{
    is_secret_reference, known_secret, literal_strings, secret_name, secret_value_confidence,
};
use crate::{Checker, Rule};

declare_rule! {
    /// ## What it does
    /// Finds literal secrets in function environment variables: values with the shape of a known
    /// credential (AWS access keys, private keys, GitHub, Slack, Stripe, Google and other API
    /// tokens, JWTs, connection strings with a password), and values of variables named like
    /// secrets (`DB_PASSWORD`, `API_KEY`, `JWT_SECRET`…) that read like one. References to
    /// Secrets Manager or SSM (`{{resolve:…}}`, ARNs, parameter names, `!Ref` to a secret) are not
    /// reported.
    ///
    /// ## Why is this bad?
    /// Environment variables are part of the function's configuration: anyone who can read the
    /// template, the repository, the deployment artifacts or call `lambda:GetFunctionConfiguration`
    /// reads the secret, and it never rotates.
    ///
    /// ## Example
    /// ```yaml
    ///     Environment:
    ///       Variables:
    ///         DB_PASSWORD: hunter2-prod-2024
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    ///     Environment:
    ///       Variables:
    ///         DB_SECRET_ARN: !Ref DbSecret
    /// ```
    /// and read the secret at run time (with caching), or use a dynamic reference.
    ///
    /// ## Fix
    /// Move the secret to Secrets Manager or SSM Parameter Store (SecureString), pass its name or
    /// ARN to the function and grant read access to that one secret; rotate the leaked value.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S3:2017 Sensitive Data Exposure
    /// - <https://docs.aws.amazon.com/secretsmanager/latest/userguide/retrieving-secrets_lambda.html>
    pub(crate) struct SecretInEnvironmentVariable {
        code: "PAL110",
        name: "secret-in-environment-variable",
        title: "Secret written in a function's environment variables",
        severity: High,
        confidence: High,
        sas: S3,
        area: Configuration,
        fix: "Keep the secret in Secrets Manager or SSM SecureString, pass its name, read it at run time, and rotate the exposed value.",
    }
}

impl Rule for SecretInEnvironmentVariable {
    fn check(&self, app: &App, cx: &mut Checker<'_>) {
        for f in &app.functions {
            for var in &f.environment {
                if var.value.text().is_some_and(is_secret_reference) {
                    continue;
                }
                let mut verdict: Option<(String, Confidence)> = None;
                for value in literal_strings(&var.value) {
                    if let Some(kind) = known_secret(&value) {
                        verdict = Some((format!("a literal {kind}"), Confidence::High));
                        break;
                    }
                    if secret_name(&var.name)
                        && let Some(c) = secret_value_confidence(&value)
                    {
                        verdict = Some(("a literal secret".to_string(), c));
                    }
                }
                let Some((what, confidence)) = verdict else {
                    continue;
                };
                if confidence == Confidence::Low {
                    continue;
                }
                cx.report(
                    var.value.span,
                    format!("environment variable {} of {} holds {what}", var.name, f.id),
                )
                .function(f)
                .at(format!("Environment/{}", var.name))
                .confidence(confidence)
                .emit();
            }
        }
    }
}

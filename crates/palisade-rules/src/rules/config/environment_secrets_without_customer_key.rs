use palisade_model::{App, Truth};

use crate::helpers::{is_secret_reference, known_secret, literal_strings, secret_name};
use crate::{Checker, Rule};

declare_rule! {
    /// ## What it does
    /// Finds functions whose environment variables carry secrets (by name or by value, including
    /// secrets injected at deploy time with dynamic references) and that set no customer managed
    /// KMS key (`KmsKeyArn`) for their environment.
    ///
    /// ## Why is this bad?
    /// Lambda encrypts environment variables at rest with an AWS managed key that every principal
    /// allowed `lambda:GetFunctionConfiguration` can effectively use: the secret is shown to anyone
    /// who can read the function's configuration. With a customer managed key, reading the value
    /// also requires `kms:Decrypt` on your key, which you control and audit.
    ///
    /// ## Example
    /// ```yaml
    ///     Environment:
    ///       Variables:
    ///         API_TOKEN: "{{resolve:secretsmanager:prod/api:SecretString:token}}"
    /// ```
    ///
    /// Use instead: read the secret at run time, or add
    /// ```yaml
    ///     KmsKeyArn: !GetAtt EnvKey.Arn
    /// ```
    ///
    /// ## Fix
    /// Prefer fetching secrets at run time from Secrets Manager; when they must be in the
    /// environment, encrypt it with a customer managed key whose policy limits `kms:Decrypt`.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S3:2017 Sensitive Data Exposure
    /// - <https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars-encryption.html>
    pub(crate) struct EnvironmentSecretsWithoutCustomerKey {
        code: "PAL117",
        name: "environment-secrets-without-customer-key",
        title: "Secrets in environment variables without a customer managed KMS key",
        severity: Medium,
        confidence: Medium,
        sas: S3,
        area: Configuration,
        fix: "Read secrets at run time, or set KmsKeyArn to a customer managed key for the environment.",
    }
}

impl Rule for EnvironmentSecretsWithoutCustomerKey {
    fn check(&self, app: &App, cx: &mut Checker<'_>) {
        for f in &app.functions {
            let truth = match &f.kms_key {
                None => Truth::Always,
                Some(p) => match p.absent_when() {
                    Some(cond) => Truth::Depends(cond.to_string()),
                    None => continue,
                },
            };
            let secrets: Vec<&str> = f
                .environment
                .iter()
                .filter(|v| {
                    secret_name(&v.name)
                        || v.value.text().is_some_and(is_secret_reference)
                        || literal_strings(&v.value)
                            .iter()
                            .any(|s| known_secret(s).is_some())
                })
                .map(|v| v.name.as_str())
                .collect();
            if secrets.is_empty() {
                continue;
            }
            let span = f.environment_span.unwrap_or(f.span);
            cx.report(
                span,
                format!(
                    "{} keeps secrets in its environment ({}) encrypted only with the AWS managed key",
                    f.id,
                    secrets.join(", ")
                ),
            )
            .function(f)
            .at("KmsKeyArn")
            .truth(&truth)
            .emit();
        }
    }
}

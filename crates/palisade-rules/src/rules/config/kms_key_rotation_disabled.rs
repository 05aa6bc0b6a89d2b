use palisade_model::{App, ResourceKind, Truth};

use crate::{Checker, Rule};

declare_rule! {
    /// ## What it does
    /// Finds customer managed KMS keys without automatic key rotation.
    ///
    /// ## Why is this bad?
    /// Keys that encrypt function environments, queues, topics and tables live as long as the
    /// application. Automatic rotation limits how much data one key version protects and is
    /// required by most compliance baselines; without it, rotation is a manual task that rarely
    /// happens.
    ///
    /// ## Example
    /// ```yaml
    /// AppKey:
    ///   Type: AWS::KMS::Key
    ///   Properties:
    ///     KeyPolicy: {...}
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    ///     EnableKeyRotation: true
    /// ```
    ///
    /// ## Fix
    /// Set `EnableKeyRotation: true` on symmetric keys.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S3:2017 Sensitive Data Exposure
    /// - <https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html>
    pub(crate) struct KmsKeyRotationDisabled {
        code: "PAL131",
        name: "kms-key-rotation-disabled",
        title: "KMS key without automatic rotation",
        severity: Low,
        confidence: High,
        sas: S3,
        area: Configuration,
        fix: "Set EnableKeyRotation: true.",
    }
}

impl Rule for KmsKeyRotationDisabled {
    fn check(&self, app: &App, cx: &mut Checker<'_>) {
        for res in &app.resources {
            let ResourceKind::Key { rotation, .. } = &res.kind else {
                continue;
            };
            // Asymmetric and HMAC keys cannot rotate automatically.
            let spec = res
                .properties
                .as_ref()
                .and_then(|p| p.get("KeySpec"))
                .and_then(|s| s.as_str().map(str::to_string));
            if spec.as_deref().is_some_and(|s| s != "SYMMETRIC_DEFAULT") {
                continue;
            }
            let (span, truth) = match rotation {
                None => (res.span, Truth::Always),
                Some(r) => (r.span, r.test(|on| !*on)),
            };
            if matches!(truth, Truth::Never | Truth::Unknown(_)) {
                continue;
            }
            cx.report(
                span,
                format!("KMS key {} does not rotate automatically", res.id),
            )
            .resource(res)
            .at("EnableKeyRotation")
            .truth(&truth)
            .emit();
        }
    }
}

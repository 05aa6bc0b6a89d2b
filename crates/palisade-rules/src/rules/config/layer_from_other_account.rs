use palisade_model::App;

use crate::helpers::account_of;
use crate::{Checker, Rule};

declare_rule! {
    /// ## What it does
    /// Finds functions that use a Lambda layer published by an AWS account other than the one the
    /// function is deployed to (and other than the accounts listed as yours in `palisade.toml`).
    ///
    /// ## Why is this bad?
    /// A layer is code that runs inside the function with all of its permissions. A layer from
    /// another account is third-party code that Palisade cannot see and your dependency audit
    /// does not cover; its publisher can publish a new version at any time, and a typo in the
    /// account id runs someone else's code.
    ///
    /// ## Example
    /// ```yaml
    ///     Layers:
    ///       - arn:aws:lambda:us-east-1:123456789012:layer:shared-utils:7
    /// ```
    ///
    /// Use instead: vendor the dependency into the function's package, or publish the layer in
    /// your own account from reviewed source.
    ///
    /// ## Fix
    /// Replace foreign layers with packaged dependencies or layers you build; when you trust the
    /// publisher, add its account to `accounts` in `palisade.toml` and pin the layer version.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S9:2017 Using Components with Known Vulnerabilities
    /// - <https://docs.aws.amazon.com/lambda/latest/dg/chapter-layers.html>
    pub(crate) struct LayerFromOtherAccount {
        code: "PAL126",
        name: "layer-from-other-account",
        title: "Function uses a layer from another AWS account",
        severity: Medium,
        confidence: High,
        sas: S9,
        area: Dependencies,
        fix: "Package the dependency yourself or publish the layer from your own account; list trusted publisher accounts in palisade.toml.",
    }
}

impl Rule for LayerFromOtherAccount {
    fn check(&self, app: &App, cx: &mut Checker<'_>) {
        for f in &app.functions {
            for layer in &f.layers {
                for text in layer.possible() {
                    let rendered = text.render();
                    let Some(account) = account_of(&rendered) else {
                        continue;
                    };
                    if cx.settings.accounts.iter().any(|a| a == account) {
                        continue;
                    }
                    cx.report(
                        layer.span,
                        format!("{} runs layer {rendered}, published by account {account}, which is not one of yours", f.id),
                    )
                    .function(f)
                    .at(format!("Layer:{rendered}"))
                    .emit();
                }
            }
        }
    }
}

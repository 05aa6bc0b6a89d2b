use palisade_model::{App, Auth, Truth};

use crate::{Checker, Rule};

declare_rule! {
    /// ## What it does
    /// Finds functions reachable from the internet without credentials (an API route without
    /// IAM authorization, a function URL, an internet-facing load balancer) that have no reserved
    /// concurrency.
    ///
    /// ## Why is this bad?
    /// Without a concurrency limit, a flood of requests scales the function up to the account's
    /// whole concurrency quota: the bill grows with the attack (denial of wallet), and every other
    /// function in the account and region is throttled for lack of concurrency.
    ///
    /// ## Example
    /// ```yaml
    /// Public:
    ///   Type: AWS::Serverless::Function
    ///   Properties:
    ///     FunctionUrlConfig: {AuthType: NONE}
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    ///     ReservedConcurrentExecutions: 20
    /// ```
    ///
    /// ## Fix
    /// Set `ReservedConcurrentExecutions` to the most concurrency the function legitimately needs;
    /// add API throttling and a WAF rate-based rule in front of it as well.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S6:2017 Security Misconfiguration (denial of service, denial of wallet)
    /// - <https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html>
    pub(crate) struct InternetFunctionWithoutConcurrencyLimit {
        code: "PAL104",
        name: "internet-function-without-concurrency-limit",
        title: "Internet-facing function without reserved concurrency",
        severity: Medium,
        confidence: High,
        sas: S6,
        area: Configuration,
        fix: "Set ReservedConcurrentExecutions to cap how far an attacker can scale the function.",
    }
}

impl Rule for InternetFunctionWithoutConcurrencyLimit {
    fn check(&self, app: &App, cx: &mut Checker<'_>) {
        for f in &app.functions {
            // Reserved concurrency that exists only under a condition leaves the function
            // unbounded otherwise.
            let truth = match &f.reserved_concurrency {
                None => Truth::Always,
                Some(p) => match p.absent_when() {
                    Some(cond) => Truth::Depends(cond.to_string()),
                    None => continue,
                },
            };
            let mut exposed: Vec<_> = f
                .triggers
                .iter()
                .filter(|t| t.is_internet_facing() && !matches!(t.auth, Some(Auth::Iam)))
                .filter(|t| {
                    t.api
                        .as_deref()
                        .and_then(|a| app.api(a))
                        .is_none_or(|a| !a.is_private())
                })
                .map(|t| {
                    (
                        format!(
                            "{} {}",
                            t.kind.label(),
                            t.route().unwrap_or_else(|| t.id.clone())
                        ),
                        t.span,
                    )
                })
                .collect();
            // A function URL open only under a condition exposes the function only then.
            let mut url_condition = None;
            if let Some(url) = &f.url {
                let open = url
                    .auth_type
                    .test_or_absent(|a| !a.eq_ignore_ascii_case("AWS_IAM"), false);
                if !matches!(open, Truth::Never) {
                    exposed.push(("function URL".to_string(), url.span));
                    url_condition = match open {
                        Truth::Depends(c) => Some(c),
                        _ => url.condition.clone(),
                    };
                }
            }
            let truth = match (&truth, exposed.len(), url_condition) {
                (Truth::Always, 1, Some(cond)) if f.url.is_some() => Truth::Depends(cond),
                _ => truth,
            };
            let Some((first, first_span)) = exposed.first().cloned() else {
                continue;
            };
            let more = match exposed.len() {
                1 => String::new(),
                n => format!(" and {} more", n - 1),
            };
            cx.report(
                f.span,
                format!(
                    "{} can be invoked from the internet ({first}{more}) and has no reserved \
                     concurrency: a request flood scales it to the account limit",
                    f.id
                ),
            )
            .function(f)
            .at("ReservedConcurrentExecutions")
            .truth(&truth)
            .related(format!("exposed through {first}"), first_span)
            .emit();
        }
    }
}

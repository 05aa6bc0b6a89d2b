use std::sync::LazyLock;

use palisade_model::{App, Severity};

use crate::{Checker, Rule};
use palisade_model::Date;

declare_rule! {
    /// ## What it does
    /// Finds functions on a runtime that AWS Lambda has deprecated, or will deprecate within the
    /// next 180 days, from a dated table of Lambda runtimes (`data/runtimes.tsv`). The date the
    /// check is made against is today unless `--date` says otherwise.
    ///
    /// ## Why is this bad?
    /// A deprecated runtime no longer receives security patches for its language runtime and
    /// operating system, and soon cannot be updated at all: a vulnerability found tomorrow stays in
    /// production, and the fix then needs a rushed major upgrade.
    ///
    /// ## Example
    /// ```yaml
    ///     Runtime: python3.8
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    ///     Runtime: python3.13
    /// ```
    ///
    /// ## Fix
    /// Move to a supported runtime of the same language and test the function on it; plan upgrades
    /// before the announced dates.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S9:2017 Using Components with Known Vulnerabilities
    /// - <https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html>
    pub(crate) struct DeprecatedRuntime {
        code: "PAL112",
        name: "deprecated-runtime",
        title: "Function on a deprecated or soon-deprecated runtime",
        severity: High,
        confidence: High,
        sas: S9,
        area: Configuration,
        fix: "Upgrade to a supported runtime of the same language before its deprecation date.",
    }
}

/// Days before deprecation from which a runtime counts as "soon deprecated".
const WARNING_DAYS: i64 = 180;

struct RuntimeInfo {
    id: &'static str,
    deprecated: Option<Date>,
    name: &'static str,
}

static RUNTIMES: LazyLock<Vec<RuntimeInfo>> = LazyLock::new(|| {
    include_str!("../../../data/runtimes.tsv")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| {
            let mut f = l.split('\t');
            Some(RuntimeInfo {
                id: f.next()?,
                deprecated: Date::parse(f.next()?),
                name: f.next().unwrap_or(""),
            })
        })
        .collect()
});

impl Rule for DeprecatedRuntime {
    fn check(&self, app: &App, cx: &mut Checker<'_>) {
        let today = cx.settings.today;
        for f in &app.functions {
            let Some(runtime) = &f.runtime else { continue };
            for id in runtime.possible() {
                let Some(info) = RUNTIMES.iter().find(|r| r.id == id.as_str()) else {
                    continue;
                };
                let Some(date) = info.deprecated else {
                    continue;
                };
                let days_left = date.days() - today.days();
                let (message, severity) = if days_left <= 0 {
                    (
                        format!(
                            "{} runs on {} ({}), deprecated since {date}: it no longer receives security patches",
                            f.id, info.id, info.name
                        ),
                        Severity::High,
                    )
                } else if days_left <= WARNING_DAYS {
                    (
                        format!(
                            "{} runs on {} ({}), which Lambda deprecates on {date} ({days_left} days from {today})",
                            f.id, info.id, info.name
                        ),
                        Severity::Medium,
                    )
                } else {
                    continue;
                };
                cx.report(runtime.span, message)
                    .function(f)
                    .at(format!("Runtime:{id}"))
                    .severity(severity)
                    // `!If [IsProd, python3.13, python3.9]`: only under one branch.
                    .truth(&runtime.test(|r| r == id))
                    .emit();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn table_is_well_formed() {
        assert!(super::RUNTIMES.len() > 40);
        assert!(super::RUNTIMES.iter().all(|r| !r.name.is_empty()));
        assert!(
            super::RUNTIMES
                .iter()
                .filter(|r| r.deprecated.is_none())
                .count()
                <= 2
        );
    }
}

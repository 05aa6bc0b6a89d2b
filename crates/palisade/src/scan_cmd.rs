//! `palisade scan`: resolve arguments and config into settings, scan, report, exit.

use std::io::{IsTerminal, Write};
use std::path::Path;

use anyhow::{Context as _, Result, bail};
use palisade_engine::{
    Baseline, DepsSettings, Input, RuleSelection, ScanResult, ScanSettings, SuppressedBy, scan,
};
use palisade_model::Severity;
use palisade_report::{Context, Report, ScanSummary, SuppressedFinding, SuppressionKind};
use palisade_rules::{Date, Settings};

use crate::args::{ColorChoice, FailOn, Format, IamScanArgs, InputArgs, ReportArgs, ScanArgs};
use crate::config;
use crate::progress::Bar;

/// The severity findings must reach to fail the run; `None` never fails.
pub(crate) fn threshold(fail_on: FailOn) -> Option<Severity> {
    match fail_on {
        FailOn::Critical => Some(Severity::Critical),
        FailOn::High => Some(Severity::High),
        FailOn::Medium => Some(Severity::Medium),
        FailOn::Low => Some(Severity::Low),
        FailOn::Info => Some(Severity::Info),
        FailOn::Never => None,
    }
}

pub(crate) fn parse_fail_on(s: &str) -> Result<FailOn> {
    use clap::ValueEnum;
    FailOn::from_str(s, true).map_err(|_| {
        anyhow::anyhow!("fail-on `{s}` is not one of critical, high, medium, low, info, never")
    })
}

/// Whether the pretty report is coloured: `--color`, `NO_COLOR`, `CLICOLOR_FORCE`, and a
/// terminal on standard output (never when writing a file).
pub(crate) fn use_color(choice: ColorChoice, to_file: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto if to_file => false,
        ColorChoice::Auto => {
            let auto = anstream::AutoStream::choice(&std::io::stdout());
            auto != anstream::ColorChoice::Never && std::io::stdout().is_terminal()
                || std::env::var_os("CLICOLOR_FORCE").is_some_and(|v| v != "0")
        }
    }
}

/// Everything the scan needs, validated before any work starts.
struct Resolved {
    settings: ScanSettings,
    threshold: Option<Severity>,
    /// The first of the config's accounts, for ASFF.
    account: Option<String>,
}

fn resolve(path: &Path, input: Input, a: &ReportArgs, inputs: &InputArgs) -> Result<Resolved> {
    if !path.exists() {
        bail!("{}: no such file or folder", path.display());
    }
    let root = if path.is_dir() {
        path.to_path_buf()
    } else {
        path.parent()
            .map_or_else(|| Path::new(".").to_path_buf(), Path::to_path_buf)
    };
    let loaded = match config::locate(a.config.as_deref(), path) {
        Some(path) => {
            let display = path
                .strip_prefix(&root)
                .map_or_else(|_| path.display().to_string(), |p| p.display().to_string());
            Some(config::load(&path, &display)?)
        }
        None => None,
    };
    let (cfg, ignores) = match loaded {
        Some(l) => (l.config, l.ignores),
        None => (config::Config::default(), Vec::new()),
    };

    let today = match &a.date {
        Some(d) => Date::parse(d).with_context(|| format!("--date {d}: expected YYYY-MM-DD"))?,
        None => Date::today(),
    };
    let mut severity = std::collections::BTreeMap::new();
    for (rule, sev) in &cfg.rules.severity {
        let s = Severity::parse(sev).with_context(|| {
            format!("palisade.toml: rules.severity.{rule} = `{sev}` is not a severity")
        })?;
        if palisade_rules::meta(rule).is_none() {
            bail!("palisade.toml: rules.severity names `{rule}`, which is no Palisade rule");
        }
        severity.insert(rule.clone(), s);
    }
    let mut only = cfg.rules.select.clone();
    if !a.select.is_empty() {
        only = Some(a.select.clone());
    }
    let mut disabled = cfg.rules.disable.clone();
    disabled.extend(a.disable.iter().cloned());
    for r in only.iter().flatten().chain(&disabled) {
        if palisade_rules::meta(r).is_none() {
            bail!("`{r}` is no Palisade rule (see `palisade rules`)");
        }
    }
    let fail_on = match (a.fail_on, &cfg.fail_on) {
        (Some(f), _) => f,
        (None, Some(s)) => parse_fail_on(s)?,
        (None, None) => FailOn::Low,
    };
    let baseline = match &a.baseline {
        Some(p) => Some(Baseline::load(p)?),
        None => None,
    };
    let mut exclude = cfg.exclude.clone();
    exclude.extend(a.exclude.iter().cloned());
    let mut load = palisade_engine::LoadSettings::default();
    if let Some(max) = cfg.max_file_size {
        load.max_file_size = max;
    }
    load.resolve_env = inputs.resolve_env;
    load.options = inputs.opts.iter().cloned().collect();
    load.tf_vars = inputs.vars.iter().cloned().collect();
    load.tf_var_files = inputs.var_files.clone();
    Ok(Resolved {
        settings: ScanSettings {
            root: path.to_path_buf(),
            input,
            load,
            rules: RuleSelection {
                only,
                disabled,
                severity,
            },
            rule_settings: Settings {
                today,
                accounts: cfg.accounts.clone(),
            },
            exclude,
            ignores,
            baseline,
            skip_code: a.no_code,
            deps: DepsSettings {
                skip: a.no_deps,
                db: crate::db_cmd::db_path(&a.db),
                max_age_days: a.db_max_age,
            },
        },
        threshold: threshold(fail_on),
        account: cfg.accounts.first().cloned(),
    })
}

fn suppressed_view(result: &ScanResult) -> Vec<SuppressedFinding<'_>> {
    result
        .suppressed
        .iter()
        .map(|s| {
            let (kind, reason) = match &s.by {
                SuppressedBy::Template { reason, .. } => {
                    (SuppressionKind::InSource, reason.as_deref())
                }
                SuppressedBy::Config { reason, .. } => (SuppressionKind::Config, reason.as_deref()),
                SuppressedBy::Baseline => (SuppressionKind::Baseline, None),
            };
            SuppressedFinding {
                finding: &s.finding,
                kind,
                reason,
            }
        })
        .collect()
}

/// `palisade scan PATH`.
pub fn run(a: &ScanArgs) -> Result<u8> {
    scan_and_report(&a.path, Input::Templates, &a.report, &a.inputs)
}

/// `palisade deps PATH`: the scan, with the dependency rules only unless `--select` says
/// otherwise.
pub fn run_deps(a: &ScanArgs) -> Result<u8> {
    let mut report = a.report.clone();
    report.inventory = true;
    if report.select.is_empty() {
        report.select = palisade_rules::all_meta()
            .iter()
            .filter(|m| m.area == palisade_model::Area::Dependencies)
            .map(|m| m.code.to_string())
            .collect();
    }
    scan_and_report(&a.path, Input::Templates, &report, &a.inputs)
}

/// `palisade iam scan --auth-details FILE`.
pub fn run_auth_details(a: &IamScanArgs) -> Result<u8> {
    if a.auth_details.is_dir() {
        bail!(
            "{}: --auth-details takes the file written by `aws iam get-account-authorization-details`, not a folder",
            a.auth_details.display()
        );
    }
    scan_and_report(
        &a.auth_details,
        Input::AuthDetails,
        &a.report,
        &InputArgs::default(),
    )
}

/// Write a report to FILE, or to standard output (where a closed pipe, `palisade scan | head`,
/// is not an error worth reporting).
pub(crate) fn write_output(
    output: Option<&Path>,
    write: &dyn Fn(&mut dyn Write) -> std::io::Result<()>,
) -> Result<()> {
    match output {
        Some(path) => {
            let file = std::fs::File::create(path)
                .with_context(|| format!("cannot write {}", path.display()))?;
            let mut w = std::io::BufWriter::new(file);
            write(&mut w)
                .and_then(|()| w.flush())
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
        None => {
            let mut w = std::io::BufWriter::new(std::io::stdout().lock());
            let _ = write(&mut w).and_then(|()| w.flush());
        }
    }
    Ok(())
}

fn scan_and_report(path: &Path, input: Input, a: &ReportArgs, inputs: &InputArgs) -> Result<u8> {
    let resolved = resolve(path, input, a, inputs)?;
    let bar = Bar::new(!a.no_progress);
    let result = scan(&resolved.settings, &bar)?;

    if let Some(path) = &a.write_baseline {
        std::fs::write(path, Baseline::from_findings(&result.findings).to_json())
            .with_context(|| format!("cannot write baseline {}", path.display()))?;
    }

    let rules = palisade_rules::all_meta();
    let suppressed = suppressed_view(&result);
    let summary = ScanSummary {
        root: path.display().to_string(),
        files: result.stats.files_considered,
        apps: result.stats.apps,
        functions: result.stats.functions,
        rules_run: result.stats.rules_run,
        duration_ms: result.stats.duration.as_millis(),
    };
    let report = Report {
        findings: &result.findings,
        suppressed: &suppressed,
        diagnostics: &result.diagnostics,
        summary: &summary,
        footprints: &result.footprints,
    };
    let cx = Context {
        tool_version: env!("CARGO_PKG_VERSION"),
        sources: &result.sources,
        rules: &rules,
        color: a.format == Format::Pretty && use_color(a.color, a.output.is_some()),
    };
    let write = |w: &mut dyn Write| -> std::io::Result<()> {
        match a.format {
            Format::Json => palisade_report::write_json(&report, &cx, w),
            Format::Sarif => palisade_report::write_sarif(&report, &cx, w),
            Format::Pretty => {
                if a.inventory {
                    palisade_report::write_inventory(&result.apps, cx.color, w)?;
                }
                palisade_report::write_pretty(&report, &cx, w)
            }
            Format::Junit => palisade_report::write_junit(&report, &cx, w),
            Format::Jsonl => {
                for f in &result.findings {
                    palisade_report::write_jsonl_finding(w, f)?;
                }
                Ok(())
            }
            Format::Asff => {
                let now = palisade_deps::import::now_rfc3339();
                let account = resolved.account.as_deref().unwrap_or("000000000000");
                let region = std::env::var("AWS_REGION")
                    .or_else(|_| std::env::var("AWS_DEFAULT_REGION"))
                    .unwrap_or_else(|_| "us-east-1".to_string());
                palisade_report::write_asff(
                    w,
                    &result.findings,
                    &palisade_report::AsffContext {
                        account,
                        region: &region,
                        now: &now,
                        tool_version: env!("CARGO_PKG_VERSION"),
                    },
                )
            }
            Format::Cyclonedx => {
                let timestamp = palisade_deps::import::now_rfc3339();
                let sbom = palisade_report::SbomContext {
                    tool_version: env!("CARGO_PKG_VERSION"),
                    root: &summary.root,
                    timestamp: Some(&timestamp),
                };
                palisade_report::write_cyclonedx(&result.apps, &sbom, w)
            }
        }
    };
    write_output(a.output.as_deref(), &write)?;

    if result.had_errors() {
        return Ok(2);
    }
    let failing = resolved
        .threshold
        .is_some_and(|t| result.findings.iter().any(|f| f.severity >= t));
    Ok(u8::from(failing))
}

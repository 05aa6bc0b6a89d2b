//! `scan`: the main job from a path to sorted findings.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use globset::{Glob, GlobSetBuilder};
use palisade_deps::{AdvisoryDb, Auditor};
use palisade_loaders::{LoadSettings, discover, load_auth_details, load_candidate};
use palisade_model::{
    App, Diagnostic, DiagnosticLevel, Finding, PermissionFootprint, Severity, SourceMap,
};
use palisade_rules::{Rule, Settings, check_app_with_footprints, rules};
use rayon::prelude::*;

use crate::suppress::{ConfigIgnore, Suppressed, SuppressedBy, apply_config, apply_to_app};
use crate::{Baseline, EngineError};

/// Reports progress of long work; the CLI draws a bar, tests use [`NoProgress`].
pub trait Progress: Sync {
    fn start(&self, total: u64, what: &str);
    fn inc(&self, n: u64);
    fn finish(&self);
}

pub struct NoProgress;

impl Progress for NoProgress {
    fn start(&self, _total: u64, _what: &str) {}
    fn inc(&self, _n: u64) {}
    fn finish(&self) {}
}

/// Which rules run and how severe their findings are.
#[derive(Clone, Debug, Default)]
pub struct RuleSelection {
    /// When set, only these rules (codes or names) run.
    pub only: Option<Vec<String>>,
    /// Rules (codes or names) that never run.
    pub disabled: Vec<String>,
    /// Severity overrides by rule code or name.
    pub severity: BTreeMap<String, Severity>,
}

impl RuleSelection {
    fn matches(list: &[String], code: &str, name: &str) -> bool {
        list.iter()
            .any(|x| x.eq_ignore_ascii_case(code) || x.eq_ignore_ascii_case(name))
    }

    fn selected(&self) -> Vec<&'static dyn Rule> {
        rules()
            .iter()
            .copied()
            .filter(|r| {
                let m = r.meta();
                self.only
                    .as_ref()
                    .is_none_or(|only| Self::matches(only, m.code, m.name))
                    && !Self::matches(&self.disabled, m.code, m.name)
            })
            .collect()
    }

    fn severity_of(&self, f: &Finding) -> Option<Severity> {
        self.severity
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(f.code) || k.eq_ignore_ascii_case(f.name))
            .map(|(_, s)| *s)
    }
}

/// What a scan reads.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Input {
    /// Every template found under the root.
    #[default]
    Templates,
    /// The root is the output of `aws iam get-account-authorization-details`.
    AuthDetails,
}

/// Everything a scan needs, resolved and validated before work starts.
#[derive(Clone, Debug, Default)]
pub struct ScanSettings {
    pub root: PathBuf,
    pub input: Input,
    pub load: LoadSettings,
    pub rules: RuleSelection,
    pub rule_settings: Settings,
    /// Globs over paths relative to the root that are not scanned.
    pub exclude: Vec<String>,
    pub ignores: Vec<ConfigIgnore>,
    pub baseline: Option<Baseline>,
    /// Leave handler code alone (templates and IAM only).
    pub skip_code: bool,
    pub deps: DepsSettings,
}

/// How dependencies are audited.
#[derive(Clone, Debug, Default)]
pub struct DepsSettings {
    /// Do not read manifests and lock files at all.
    pub skip: bool,
    /// The advisory database; `None`: no advisories are matched (the supply-chain rules that
    /// need none still run).
    pub db: Option<PathBuf>,
    /// Warn when the newest advisory is older than this many days (0: never).
    pub max_age_days: u32,
}

/// Open the advisory database, turning every problem into a diagnostic: a scan without
/// advisories is still worth running.
fn open_db(settings: &DepsSettings, diagnostics: &mut Vec<Diagnostic>) -> Option<AdvisoryDb> {
    let path = settings.db.as_ref()?;
    match AdvisoryDb::open(path) {
        Ok(db) => {
            if settings.max_age_days > 0
                && let Some(newest) = db.info().newest_modified()
                && let Some(date) = palisade_model::Date::parse(newest.get(..10).unwrap_or(newest))
            {
                let age = palisade_model::Date::today().days() - date.days();
                if age > i64::from(settings.max_age_days) {
                    diagnostics.push(Diagnostic::warning(
                        path.display().to_string(),
                        None,
                        format!(
                            "the advisory database is {age} days old (its newest advisory was \
                             modified on {}); import a fresh export with `palisade db import`",
                            date
                        ),
                    ));
                }
            }
            Some(db)
        }
        Err(palisade_deps::DbError::Missing { .. }) => None,
        Err(e) => {
            diagnostics.push(Diagnostic::error(
                path.display().to_string(),
                None,
                e.to_string(),
            ));
            None
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    pub files_considered: usize,
    pub apps: usize,
    pub functions: usize,
    pub roles: usize,
    pub rules_run: usize,
    pub duration: Duration,
}

#[derive(Debug, Default)]
pub struct ScanResult {
    pub apps: Vec<App>,
    /// Findings to report, in a total order (file, position, code, fingerprint).
    pub findings: Vec<Finding>,
    /// Findings silenced by a suppression or the baseline.
    pub suppressed: Vec<Suppressed>,
    pub diagnostics: Vec<Diagnostic>,
    /// Each function's permission footprint, by app then function.
    pub footprints: Vec<PermissionFootprint>,
    pub sources: SourceMap,
    pub stats: Stats,
}

impl ScanResult {
    /// True when some input could not be read (exit code 2).
    pub fn had_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.level == DiagnosticLevel::Error)
    }

    pub fn baselined(&self) -> usize {
        self.suppressed
            .iter()
            .filter(|s| s.by == SuppressedBy::Baseline)
            .count()
    }
}

/// Load every template under the root, in parallel; unreadable files become diagnostics.
fn load_templates(
    settings: &ScanSettings,
    excludes: &globset::GlobSet,
    progress: &dyn Progress,
    result: &mut ScanResult,
) {
    let db = if settings.deps.skip {
        None
    } else {
        open_db(&settings.deps, &mut result.diagnostics)
    };
    let auditor = Auditor::new(db.as_ref());
    let found = discover(&settings.root, excludes);
    result
        .diagnostics
        .extend(found.errors.iter().map(|e| e.to_diagnostic()));
    result.stats.files_considered = found.candidates.len();

    progress.start(found.candidates.len() as u64, "templates");
    let sources = &result.sources;
    let loaded: Vec<_> = found
        .candidates
        .par_iter()
        .map(|c| {
            let mut r = load_candidate(c, sources, &settings.load);
            if !settings.skip_code {
                for app in &mut r.apps {
                    let (code, diagnostics) = palisade_code::analyze_app(app, sources);
                    app.code = code;
                    app.diagnostics.extend(diagnostics);
                }
            }
            if !settings.deps.skip {
                for app in &mut r.apps {
                    let (deps, diagnostics) = palisade_deps::analyze_app(app, sources, &auditor);
                    app.deps = deps;
                    app.diagnostics.extend(diagnostics);
                }
            }
            progress.inc(1);
            r
        })
        .collect();
    progress.finish();
    // Said only when some package could have been matched, so that scans of apps without
    // manifests stay quiet.
    let versioned = loaded
        .iter()
        .flat_map(|r| &r.apps)
        .flat_map(|a| &a.deps)
        .any(|d| d.packages.iter().any(|p| p.version.is_some()));
    if !auditor.has_db() && versioned && !settings.deps.skip {
        let path = settings.deps.db.as_ref().map_or_else(
            || "advisory database".to_string(),
            |p| p.display().to_string(),
        );
        result.diagnostics.push(Diagnostic::note(
            path,
            None,
            "no advisory database: known vulnerabilities and malicious packages (PAL401, \
             PAL402) are not checked; import OSV advisories with `palisade db import`",
        ));
    }
    if let Some(e) = auditor.error() {
        result.diagnostics.push(Diagnostic::error(
            settings
                .deps
                .db
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_default(),
            None,
            format!("the advisory database could not be read completely: {e}"),
        ));
    }
    for r in loaded {
        result.apps.extend(r.apps);
        result
            .diagnostics
            .extend(r.errors.iter().map(|e| e.to_diagnostic()));
        result.diagnostics.extend(r.notes);
    }
}

/// Scan everything under `settings.root`. Unreadable files become diagnostics; the scan goes on.
pub fn scan(settings: &ScanSettings, progress: &dyn Progress) -> Result<ScanResult, EngineError> {
    let started = Instant::now();
    if !settings.root.exists() {
        return Err(EngineError::NoSuchPath {
            path: settings.root.clone(),
        });
    }
    let mut excludes = GlobSetBuilder::new();
    for pattern in &settings.exclude {
        let glob = Glob::new(pattern).map_err(|e| EngineError::Glob {
            pattern: pattern.clone(),
            message: e.to_string(),
        })?;
        excludes.add(glob);
    }
    for pattern in settings.ignores.iter().filter_map(|i| i.path.as_deref()) {
        Glob::new(pattern).map_err(|e| EngineError::Glob {
            pattern: pattern.to_string(),
            message: e.to_string(),
        })?;
    }
    let excludes = excludes.build().map_err(|e| EngineError::Glob {
        pattern: settings.exclude.join(", "),
        message: e.to_string(),
    })?;

    let mut result = ScanResult::default();
    match settings.input {
        Input::Templates => load_templates(settings, &excludes, progress, &mut result),
        Input::AuthDetails => {
            result.stats.files_considered = 1;
            let rel = settings.root.file_name().map_or_else(
                || settings.root.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            );
            match load_auth_details(&settings.root, &rel, &result.sources, &settings.load) {
                Ok(app) => result.apps.push(app),
                Err(e) => result.diagnostics.push(e.to_diagnostic()),
            }
        }
    }
    result.apps.sort_by(|a, b| a.path.cmp(&b.path));

    let selected = settings.rules.selected();
    let ran: BTreeSet<&str> = selected.iter().map(|r| r.meta().code).collect();
    let per_app: Vec<_> = result
        .apps
        .par_iter()
        .map(|app| {
            let (mut findings, footprints) =
                check_app_with_footprints(app, &result.sources, &settings.rule_settings, &selected);
            for f in &mut findings {
                if let Some(sev) = settings.rules.severity_of(f) {
                    f.severity = sev;
                }
            }
            (
                apply_to_app(app, findings, &result.sources, &ran),
                footprints,
            )
        })
        .collect();

    let mut findings = Vec::new();
    let mut suppressed = Vec::new();
    let mut all_footprints = Vec::new();
    for (outcome, fps) in per_app {
        all_footprints.extend(fps);
        findings.extend(outcome.kept);
        findings.extend(outcome.hygiene);
        suppressed.extend(outcome.suppressed);
    }
    let config = apply_config(&settings.ignores, findings, &ran);
    let mut findings = config.kept;
    findings.extend(config.hygiene);
    suppressed.extend(config.suppressed);

    if let Some(baseline) = &settings.baseline {
        let (old, new): (Vec<Finding>, Vec<Finding>) = findings
            .into_iter()
            .partition(|f| baseline.contains(&f.fingerprint));
        suppressed.extend(old.into_iter().map(|finding| Suppressed {
            finding,
            by: SuppressedBy::Baseline,
        }));
        findings = new;
    }

    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    findings.dedup_by(|a, b| a.fingerprint == b.fingerprint && a.message == b.message);
    suppressed.sort_by(|a, b| a.finding.sort_key().cmp(&b.finding.sort_key()));
    for app in &result.apps {
        result.diagnostics.extend(app.diagnostics.iter().cloned());
    }
    result.diagnostics.sort();
    result.diagnostics.dedup();

    result.stats.apps = result.apps.len();
    result.stats.functions = result.apps.iter().map(|a| a.functions.len()).sum();
    result.stats.roles = result.apps.iter().map(|a| a.roles.len()).sum();
    result.stats.rules_run = selected.len();
    result.findings = findings;
    result.suppressed = suppressed;
    result.footprints = all_footprints;
    result.stats.duration = started.elapsed();
    Ok(result)
}

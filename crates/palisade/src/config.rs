//! `palisade.toml`: project settings, rule selection and ignores.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};
use palisade_engine::ConfigIgnore;
use palisade_model::{Location, Position};
use serde::Deserialize;
use toml::Spanned;

pub const FILE_NAME: &str = "palisade.toml";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    /// Severity at or above which `scan` exits with 1.
    pub fail_on: Option<String>,
    /// The user's AWS account ids (layers and principals from them are not foreign).
    #[serde(default)]
    pub accounts: Vec<String>,
    /// Globs of paths not to scan.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Largest file read, in bytes.
    pub max_file_size: Option<u64>,
    #[serde(default)]
    pub rules: RulesConfig,
    #[serde(default)]
    pub ignore: Vec<Spanned<IgnoreEntry>>,
    #[serde(default)]
    pub detect: DetectConfig,
}

/// `[detect]`: what `palisade detect` needs to know about the organisation.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DetectConfig {
    /// ARNs (with `*`) of the principals that deploy functions; changes by anyone else are
    /// reported (PAL501).
    #[serde(default)]
    pub deployers: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RulesConfig {
    /// Run only these rules.
    pub select: Option<Vec<String>>,
    #[serde(default)]
    pub disable: Vec<String>,
    #[serde(default)]
    pub severity: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IgnoreEntry {
    pub rule: String,
    pub path: Option<String>,
    pub resource: Option<String>,
    pub reason: Option<String>,
}

pub struct LoadedConfig {
    pub config: Config,
    /// Ignores with their location in the file, relative to the scan root when inside it.
    pub ignores: Vec<ConfigIgnore>,
}

fn line_col(text: &str, offset: usize) -> Position {
    let lc = palisade_model::line_col(text, offset);
    Position {
        line: lc.line,
        column: lc.col,
    }
}

/// The config file to use: the one given, or `palisade.toml` in the scanned folder.
pub fn locate(explicit: Option<&Path>, scan_root: &Path) -> Option<PathBuf> {
    if let Some(p) = explicit {
        return Some(p.to_path_buf());
    }
    let dir = if scan_root.is_file() {
        scan_root.parent()?
    } else {
        scan_root
    };
    let candidate = dir.join(FILE_NAME);
    candidate.is_file().then_some(candidate)
}

pub fn load(path: &Path, display: &str) -> Result<LoadedConfig> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let config: Config = match toml::from_str(&text) {
        Ok(c) => c,
        Err(e) => {
            let at = e.span().map(|s| line_col(&text, s.start));
            match at {
                Some(p) => bail!("{display}:{}:{}: {}", p.line, p.column, e.message()),
                None => bail!("{display}: {}", e.message()),
            }
        }
    };
    let ignores = config
        .ignore
        .iter()
        .map(|entry| {
            let span = entry.span();
            let e = entry.get_ref();
            ConfigIgnore {
                rule: e.rule.clone(),
                path: e.path.clone(),
                resource: e.resource.clone(),
                reason: e.reason.clone().filter(|r| !r.trim().is_empty()),
                location: Location {
                    path: display.to_string(),
                    start: line_col(&text, span.start),
                    end: line_col(&text, span.end),
                },
            }
        })
        .collect();
    Ok(LoadedConfig { config, ignores })
}

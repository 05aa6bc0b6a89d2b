//! The advisory store: OSV records imported once, offline, into one redb file, read by every
//! scan.
//!
//! Tables:
//! - `advisories`: id → [`Advisory`] (what a finding shows), JSON.
//! - `affected`: `ecosystem \0 normalised name \0 id \0 n` → the OSV `affected` entry, JSON,
//!   so that the advisories of one package are one range scan.
//! - `meta`: `info` → [`DbInfo`], JSON.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use palisade_model::Ecosystem;
use redb::{
    Database, ReadOnlyDatabase, ReadableDatabase, ReadableTable, ReadableTableMetadata,
    TableDefinition,
};
use serde::{Deserialize, Serialize};

use crate::osv;

const ADVISORIES: TableDefinition<&str, &[u8]> = TableDefinition::new("advisories");
const AFFECTED: TableDefinition<&str, &[u8]> = TableDefinition::new("affected");
const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");

/// Bumped when the layout changes; a store of another version must be re-imported.
pub const SCHEMA: u32 = 1;

/// The advisory database cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("{path}: no advisory database here (import one with `palisade db import`)")]
    Missing { path: PathBuf },
    #[error(
        "the advisory database cannot be read ({message}); import the advisories into a new file"
    )]
    Store { path: PathBuf, message: String },
    #[error(
        "{path}: the advisory database was written by another version of Palisade (layout {found}, \
         expected {SCHEMA}); import the advisories again"
    )]
    Schema { path: PathBuf, found: u32 },
}

/// What a finding shows of an advisory (the matching data lives in `affected`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Advisory {
    pub id: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub published: Option<String>,
    #[serde(default)]
    pub modified: Option<String>,
    #[serde(default)]
    pub severity: Vec<osv::Severity>,
    /// The source's own severity label (GitHub's `database_specific.severity`: LOW, MODERATE,
    /// HIGH, CRITICAL).
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub references: Vec<String>,
    /// The import this record came from.
    #[serde(default)]
    pub source: String,
    /// `ecosystem \0 name` of every package it affects, to remove it on re-import.
    #[serde(default)]
    pub packages: Vec<String>,
}

impl Advisory {
    /// OSV marks malicious packages with `MAL-` ids (OpenSSF malicious-packages).
    pub fn is_malicious(&self) -> bool {
        self.id.starts_with("MAL-") || self.aliases.iter().any(|a| a.starts_with("MAL-"))
    }
}

/// One import, as `palisade db info` shows it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SourceInfo {
    /// When it was imported (UTC, RFC 3339).
    pub imported_at: String,
    /// Records stored from it.
    pub records: u64,
    /// Withdrawn records skipped (and removed if an earlier import had them).
    pub withdrawn: u64,
    /// Records for ecosystems Palisade does not audit.
    pub other_ecosystems: u64,
    /// The newest `modified` date among its records: how current the data is.
    pub newest_modified: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DbInfo {
    pub schema: u32,
    /// By source name (the imported file or folder's name).
    pub sources: BTreeMap<String, SourceInfo>,
}

impl DbInfo {
    /// The newest `modified` date of all sources: the data is as current as this.
    pub fn newest_modified(&self) -> Option<&str> {
        self.sources
            .values()
            .filter_map(|s| s.newest_modified.as_deref())
            .max()
    }
}

fn store_err(path: &Path) -> impl Fn(redb::Error) -> DbError + '_ {
    move |e| DbError::Store {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

fn decode_err(path: &Path, e: serde_json::Error) -> DbError {
    DbError::Store {
        path: path.to_path_buf(),
        message: format!("corrupt record: {e}"),
    }
}

fn affected_prefix(ecosystem: Ecosystem, name: &str) -> String {
    format!(
        "{}\u{0}{}\u{0}",
        ecosystem.osv_name(),
        ecosystem.normalize_name(name)
    )
}

/// The store opened for reading, shared by every thread of a scan.
pub struct AdvisoryDb {
    db: ReadOnlyDatabase,
    path: PathBuf,
    info: DbInfo,
    advisories: u64,
}

impl std::fmt::Debug for AdvisoryDb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AdvisoryDb")
            .field("path", &self.path)
            .field("advisories", &self.advisories)
            .finish()
    }
}

impl AdvisoryDb {
    pub fn open(path: &Path) -> Result<AdvisoryDb, DbError> {
        if !path.is_file() {
            return Err(DbError::Missing {
                path: path.to_path_buf(),
            });
        }
        let err = store_err(path);
        let db = ReadOnlyDatabase::open(path).map_err(|e| err(e.into()))?;
        let (info, advisories) = {
            let txn = db.begin_read().map_err(|e| err(e.into()))?;
            let meta = txn.open_table(META).map_err(|e| err(e.into()))?;
            let info: DbInfo = match meta.get("info").map_err(|e| err(e.into()))? {
                Some(v) => serde_json::from_slice(v.value()).map_err(|e| decode_err(path, e))?,
                None => DbInfo::default(),
            };
            let table = txn.open_table(ADVISORIES).map_err(|e| err(e.into()))?;
            (info, table.len().map_err(|e| err(e.into()))?)
        };
        if info.schema != SCHEMA {
            return Err(DbError::Schema {
                path: path.to_path_buf(),
                found: info.schema,
            });
        }
        Ok(AdvisoryDb {
            db,
            path: path.to_path_buf(),
            info,
            advisories,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn info(&self) -> &DbInfo {
        &self.info
    }

    /// Advisories stored.
    pub fn len(&self) -> u64 {
        self.advisories
    }

    pub fn is_empty(&self) -> bool {
        self.advisories == 0
    }

    /// Every `affected` entry naming this package, with its advisory id.
    pub fn affected(
        &self,
        ecosystem: Ecosystem,
        name: &str,
    ) -> Result<Vec<(String, osv::Affected)>, DbError> {
        let err = store_err(&self.path);
        let prefix = affected_prefix(ecosystem, name);
        let end = format!("{}\u{1}", prefix.trim_end_matches('\u{0}'));
        let txn = self.db.begin_read().map_err(|e| err(e.into()))?;
        let table = txn.open_table(AFFECTED).map_err(|e| err(e.into()))?;
        let mut out = Vec::new();
        for entry in table
            .range(prefix.as_str()..end.as_str())
            .map_err(|e| err(e.into()))?
        {
            let (k, v) = entry.map_err(|e| err(e.into()))?;
            let key = k.value();
            let id = key
                .get(prefix.len()..)
                .and_then(|rest| rest.split('\u{0}').next())
                .unwrap_or_default()
                .to_string();
            let affected: osv::Affected =
                serde_json::from_slice(v.value()).map_err(|e| decode_err(&self.path, e))?;
            out.push((id, affected));
        }
        Ok(out)
    }

    pub fn advisory(&self, id: &str) -> Result<Option<Advisory>, DbError> {
        let err = store_err(&self.path);
        let txn = self.db.begin_read().map_err(|e| err(e.into()))?;
        let table = txn.open_table(ADVISORIES).map_err(|e| err(e.into()))?;
        match table.get(id).map_err(|e| err(e.into()))? {
            Some(v) => Ok(Some(
                serde_json::from_slice(v.value()).map_err(|e| decode_err(&self.path, e))?,
            )),
            None => Ok(None),
        }
    }
}

/// The store opened for an import: one write transaction for the whole import, so that a
/// failed import leaves the previous database as it was.
pub struct Writer {
    db: Database,
    path: PathBuf,
}

/// What one [`Writer::put`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Put {
    Stored,
    /// Withdrawn: not stored, and removed if an earlier import had it.
    Withdrawn,
    /// Affects no npm or PyPI package.
    OtherEcosystem,
}

impl Writer {
    pub fn create(path: &Path) -> Result<Writer, DbError> {
        if let Some(dir) = path.parent()
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir).map_err(|e| DbError::Store {
                path: dir.to_path_buf(),
                message: e.to_string(),
            })?;
        }
        let err = store_err(path);
        let db = Database::create(path).map_err(|e| err(e.into()))?;
        // A store of another layout is replaced, not mixed.
        let schema = {
            let txn = db.begin_read().map_err(|e| err(e.into()))?;
            match txn.open_table(META) {
                Ok(meta) => match meta.get("info").map_err(|e| err(e.into()))? {
                    Some(v) => serde_json::from_slice::<DbInfo>(v.value())
                        .map(|i| i.schema)
                        .unwrap_or(0),
                    None => SCHEMA,
                },
                Err(_) => SCHEMA,
            }
        };
        if schema != SCHEMA {
            let txn = db.begin_write().map_err(|e| err(e.into()))?;
            for t in [ADVISORIES, AFFECTED, META] {
                txn.delete_table(t).map_err(|e| err(e.into()))?;
            }
            txn.commit().map_err(|e| err(e.into()))?;
        }
        Ok(Writer {
            db,
            path: path.to_path_buf(),
        })
    }

    pub fn begin(&self) -> Result<Batch<'_>, DbError> {
        let err = store_err(&self.path);
        let txn = self.db.begin_write().map_err(|e| err(e.into()))?;
        // Opening creates the tables, so that readers of an empty import find them.
        for t in [ADVISORIES, AFFECTED, META] {
            txn.open_table(t).map_err(|e| err(e.into()))?;
        }
        Ok(Batch {
            txn,
            path: &self.path,
        })
    }
}

/// The write transaction of one import.
pub struct Batch<'a> {
    txn: redb::WriteTransaction,
    path: &'a Path,
}

impl Batch<'_> {
    fn remove(&self, id: &str) -> Result<(), DbError> {
        let err = store_err(self.path);
        let mut advisories = self.txn.open_table(ADVISORIES).map_err(|e| err(e.into()))?;
        let old = match advisories.remove(id).map_err(|e| err(e.into()))? {
            Some(v) => serde_json::from_slice::<Advisory>(v.value()).ok(),
            None => None,
        };
        drop(advisories);
        let Some(old) = old else { return Ok(()) };
        let mut affected = self.txn.open_table(AFFECTED).map_err(|e| err(e.into()))?;
        for package in &old.packages {
            let start = format!("{package}\u{0}{id}\u{0}");
            let end = format!("{package}\u{0}{id}\u{1}");
            affected
                .retain_in(start.as_str()..end.as_str(), |_, _| false)
                .map_err(|e| err(e.into()))?;
        }
        Ok(())
    }

    /// Store one record, replacing an earlier one of the same id.
    pub fn put(&self, record: &osv::Record, source: &str) -> Result<Put, DbError> {
        self.remove(&record.id)?;
        if record.withdrawn.is_some() {
            return Ok(Put::Withdrawn);
        }
        let err = store_err(self.path);
        let mut packages = Vec::new();
        let mut seen = std::collections::HashSet::new();
        {
            let mut table = self.txn.open_table(AFFECTED).map_err(|e| err(e.into()))?;
            for (n, a) in record.affected.iter().enumerate() {
                let Some(pkg) = &a.package else { continue };
                let Some(eco) = Ecosystem::from_osv(&pkg.ecosystem) else {
                    continue;
                };
                let prefix = affected_prefix(eco, &pkg.name);
                let key = format!("{prefix}{}\u{0}{n}", record.id);
                // GIT ranges cannot be evaluated against a package version: not stored.
                let mut entry = a.clone();
                entry.ranges.retain(|r| r.kind != "GIT");
                entry.database_specific = None;
                let bytes = serde_json::to_vec(&entry).map_err(|e| decode_err(self.path, e))?;
                table
                    .insert(key.as_str(), bytes.as_slice())
                    .map_err(|e| err(e.into()))?;
                let package = prefix.trim_end_matches('\u{0}').to_string();
                if seen.insert(package.clone()) {
                    packages.push(package);
                }
            }
        }
        if packages.is_empty() {
            return Ok(Put::OtherEcosystem);
        }
        let label = record
            .database_specific
            .as_ref()
            .and_then(|d| d.get("severity"))
            .and_then(|s| s.as_str())
            .map(str::to_string);
        let advisory = Advisory {
            id: record.id.clone(),
            aliases: record.aliases.clone(),
            summary: record
                .summary
                .clone()
                .or_else(|| record.details.as_deref().map(headline))
                .unwrap_or_default(),
            published: record.published.clone(),
            modified: record.modified.clone(),
            severity: record
                .severity
                .iter()
                .chain(record.affected.iter().flat_map(|a| a.severity.iter()))
                .cloned()
                .collect(),
            label,
            references: record
                .references
                .iter()
                .filter(|r| matches!(r.kind.as_str(), "ADVISORY" | "WEB" | "REPORT" | "FIX"))
                .take(5)
                .map(|r| r.url.clone())
                .collect(),
            source: source.to_string(),
            packages,
        };
        let bytes = serde_json::to_vec(&advisory).map_err(|e| decode_err(self.path, e))?;
        let mut table = self.txn.open_table(ADVISORIES).map_err(|e| err(e.into()))?;
        table
            .insert(record.id.as_str(), bytes.as_slice())
            .map_err(|e| err(e.into()))?;
        Ok(Put::Stored)
    }

    /// Record the import and commit everything.
    pub fn commit(self, source: &str, info: SourceInfo) -> Result<DbInfo, DbError> {
        let err = store_err(self.path);
        let mut all = {
            let meta = self.txn.open_table(META).map_err(|e| err(e.into()))?;
            match meta.get("info").map_err(|e| err(e.into()))? {
                Some(v) => serde_json::from_slice::<DbInfo>(v.value()).unwrap_or_default(),
                None => DbInfo::default(),
            }
        };
        all.schema = SCHEMA;
        all.sources.insert(source.to_string(), info);
        let bytes = serde_json::to_vec(&all).map_err(|e| decode_err(self.path, e))?;
        {
            let mut meta = self.txn.open_table(META).map_err(|e| err(e.into()))?;
            meta.insert("info", bytes.as_slice())
                .map_err(|e| err(e.into()))?;
        }
        self.txn.commit().map_err(|e| err(e.into()))?;
        Ok(all)
    }
}

/// A one-line summary from an advisory's details (PyPA records have no `summary`): the first
/// sentence, cut at a word near 160 characters.
fn headline(details: &str) -> String {
    const MAX: usize = 160;
    let text = details.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut sentences = Vec::new();
    let mut start = 0;
    for (i, _) in text.match_indices(". ") {
        if i + 1 - start >= 20 {
            sentences.push(text.get(start..=i).unwrap_or_default());
            start = i + 2;
        }
    }
    sentences.push(text.get(start..).unwrap_or_default());
    // Records often open by describing the product ("urllib3 is a user-friendly HTTP
    // client library"): the next sentence says what is wrong.
    let describes_product = |s: &str| {
        let mut words = s.split(' ');
        words.next();
        matches!(words.next(), Some("is" | "are"))
            && matches!(words.next(), Some("a" | "an" | "the"))
    };
    let sentence = sentences
        .iter()
        .copied()
        .find(|s| !describes_product(s) && !s.is_empty())
        .or_else(|| sentences.first().copied())
        .unwrap_or_default();
    if sentence.chars().count() <= MAX {
        return sentence.to_string();
    }
    let cut: String = sentence.chars().take(MAX).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    format!("{cut}…")
}

/// Where the database lives unless `--db` or `PALISADE_DB` says otherwise:
/// `$XDG_DATA_HOME/palisade/advisories.redb`, else `~/.local/share/palisade/…` (on Windows
/// `%LOCALAPPDATA%\palisade\…`).
pub fn default_path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("PALISADE_DB").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    let base = std::env::var_os("XDG_DATA_HOME")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("LOCALAPPDATA").map(PathBuf::from))
        .or_else(|| {
            std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local").join("share"))
        })?;
    Some(base.join("palisade").join("advisories.redb"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn headlines_are_the_first_sentence_and_short() {
        assert_eq!(
            super::headline(
                "Requests is a HTTP library. Since Requests 2.3.0, it leaks headers. More."
            ),
            "Since Requests 2.3.0, it leaks headers."
        );
        let long = "word ".repeat(100);
        let h = super::headline(&long);
        assert!(h.chars().count() <= 161 && h.ends_with('…'), "{h}");
    }
}

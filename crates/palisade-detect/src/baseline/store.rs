//! The baseline store: one redb file.
//!
//! Tables (values are JSON, so that a damaged record is named rather than misread):
//! - `meta`: `info` → [`StoreMeta`] (layout version, training window, runs).
//! - `principals`: principal → its [`Profile`] without evidence.
//! - `secret_readers`: `secret \0 principal` → `[1]` for a function role, `[0]` otherwise, so
//!   that the readers of one secret are one range scan.

use std::fmt;
use std::path::{Path, PathBuf};

use redb::{Database, ReadableDatabase, ReadableTable, ReadableTableMetadata, TableDefinition};
use serde::{Deserialize, Serialize};

use super::BaselineError;
use super::compare::{self, CompareSummary};
use super::observe::{HOUR_MS, Observations};
use super::profile::{CAPS, Caps, HourMerge, Profile, Seen};
use super::stats::RateSettings;
use crate::detection::Detection;
use crate::event::format_time_ms;

const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");
const PRINCIPALS: TableDefinition<&str, &[u8]> = TableDefinition::new("principals");
const READERS: TableDefinition<&str, &[u8]> = TableDefinition::new("secret_readers");

/// Bumped when the layout changes; a baseline of another layout must be learnt again.
pub const SCHEMA: u32 = 1;

/// What the store says about itself. Every field has a default so that a store of another
/// layout decodes far enough to say its layout.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct StoreMeta {
    pub schema: u32,
    /// The earliest and latest event time learnt: the training window.
    pub first_ms: Option<i64>,
    pub last_ms: Option<i64>,
    pub events: u64,
    pub runs: u64,
    pub outside_window: u64,
    /// Events of principals beyond the cap, over all runs.
    pub principals_overflow: u64,
}

/// The baseline, open for learning and comparing.
pub struct BaselineStore {
    db: Database,
    path: PathBuf,
    meta: StoreMeta,
    caps: Caps,
    rate: RateSettings,
}

impl fmt::Debug for BaselineStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BaselineStore")
            .field("path", &self.path)
            .field("runs", &self.meta.runs)
            .finish()
    }
}

/// What one [`BaselineStore::learn`] added.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LearnSummary {
    /// Principals in the run.
    pub principals: usize,
    /// Events learnt.
    pub events: u64,
    /// Principals, and keys of known principals, the baseline did not have before.
    pub new_principals: usize,
    pub new_apis: usize,
    pub new_addresses: usize,
    pub new_regions: usize,
    pub new_secrets: usize,
    /// Events outside the training window, not learnt.
    pub outside_window: u64,
    /// The training window after this run.
    pub window: Option<(i64, i64)>,
    /// Caps reached, events not learnt, in words.
    pub notes: Vec<String>,
}

/// What `palisade detect --baseline-info` shows.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BaselineInfo {
    pub schema: u32,
    pub window: Option<(i64, i64)>,
    pub events: u64,
    pub runs: u64,
    pub outside_window: u64,
    pub principals: usize,
    pub function_roles: usize,
    /// Distinct `service:Name` over all principals.
    pub apis: usize,
    /// Principal–API pairs.
    pub principal_apis: usize,
    pub regions: usize,
    pub secrets: usize,
    /// Caps reached, in words.
    pub notes: Vec<String>,
}

impl fmt::Display for BaselineInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "layout: {}", self.schema)?;
        match self.window {
            Some(w) => writeln!(f, "training window: {}", window_text(w))?,
            None => writeln!(f, "training window: none (nothing learnt yet)")?,
        }
        writeln!(
            f,
            "learnt: {} in {} ({} outside the window not learnt)",
            super::compare::count(self.events, "event", "events"),
            super::compare::count(self.runs, "run", "runs"),
            self.outside_window
        )?;
        writeln!(
            f,
            "principals: {} ({} function roles)",
            self.principals, self.function_roles
        )?;
        writeln!(
            f,
            "APIs: {} distinct, {} principal–API pairs; regions: {}; secrets: {}",
            self.apis, self.principal_apis, self.regions, self.secrets
        )?;
        for note in &self.notes {
            writeln!(f, "note: {note}")?;
        }
        Ok(())
    }
}

/// `2024-04-24T00:00:03Z to 2024-04-30T23:59:58Z (7.0 days)`.
pub(crate) fn window_text((first, last): (i64, i64)) -> String {
    let days = (last - first) as f64 / (24.0 * HOUR_MS as f64);
    format!(
        "{} to {} ({days:.1} days)",
        format_time_ms(first),
        format_time_ms(last)
    )
}

fn store_err(path: &Path) -> impl Fn(redb::Error) -> BaselineError + '_ {
    move |e| BaselineError::Store {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

fn decode<T: for<'de> Deserialize<'de>>(
    path: &Path,
    record: &str,
    bytes: &[u8],
) -> Result<T, BaselineError> {
    serde_json::from_slice(bytes).map_err(|e| BaselineError::Corrupt {
        path: path.to_path_buf(),
        record: record.to_string(),
        message: e.to_string(),
    })
}

fn encode<T: Serialize>(path: &Path, record: &str, value: &T) -> Result<Vec<u8>, BaselineError> {
    serde_json::to_vec(value).map_err(|e| BaselineError::Corrupt {
        path: path.to_path_buf(),
        record: record.to_string(),
        message: e.to_string(),
    })
}

/// The same profile without its evidence, without cloning the events.
fn stored_copy(p: &Profile) -> Profile {
    let strip = |m: &std::collections::BTreeMap<String, Seen>| {
        m.iter()
            .map(|(k, s)| {
                (
                    k.clone(),
                    Seen {
                        count: s.count,
                        first_ms: s.first_ms,
                        last_ms: s.last_ms,
                        first: None,
                    },
                )
            })
            .collect()
    };
    Profile {
        function_role: p.function_role,
        events: p.events,
        first_ms: p.first_ms,
        last_ms: p.last_ms,
        sessions: p.sessions.clone(),
        apis: strip(&p.apis),
        addresses: strip(&p.addresses),
        regions: strip(&p.regions),
        secrets: strip(&p.secrets),
        hours: p.hours.clone(),
        hour_first: Default::default(),
        overflow: p.overflow.clone(),
    }
}

impl BaselineStore {
    /// Open the store at `path`, creating it (and its folder) when absent: for learning.
    pub fn open(path: &Path) -> Result<BaselineStore, BaselineError> {
        if let Some(dir) = path.parent()
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir).map_err(|e| BaselineError::Store {
                path: dir.to_path_buf(),
                message: e.to_string(),
            })?;
        }
        let err = store_err(path);
        // A file changed outside redb can make a plain open panic; the check reads every page
        // against its checksum and reports damage as an error instead. Baselines are small.
        let db = redb::Builder::new()
            .set_check_integrity_on_open(true)
            .create(path)
            .map_err(|e| err(e.into()))?;
        let meta = {
            let txn = db.begin_read().map_err(|e| err(e.into()))?;
            match txn.open_table(META) {
                Ok(table) => match table.get("info").map_err(|e| err(e.into()))? {
                    Some(v) => Some(decode::<StoreMeta>(path, "info", v.value())?),
                    None => {
                        return Err(BaselineError::NotBaseline {
                            path: path.to_path_buf(),
                        });
                    }
                },
                Err(redb::TableError::TableDoesNotExist(_)) => {
                    if txn
                        .list_tables()
                        .map_err(|e| err(e.into()))?
                        .next()
                        .is_some()
                    {
                        return Err(BaselineError::NotBaseline {
                            path: path.to_path_buf(),
                        });
                    }
                    None
                }
                Err(e) => return Err(err(e.into())),
            }
        };
        let meta = match meta {
            Some(meta) if meta.schema != SCHEMA => {
                return Err(BaselineError::Schema {
                    path: path.to_path_buf(),
                    found: meta.schema,
                });
            }
            Some(meta) => meta,
            None => {
                // A new store: the tables are created now so that readers find them.
                let meta = StoreMeta {
                    schema: SCHEMA,
                    ..StoreMeta::default()
                };
                let bytes = encode(path, "info", &meta)?;
                let txn = db.begin_write().map_err(|e| err(e.into()))?;
                {
                    let mut table = txn.open_table(META).map_err(|e| err(e.into()))?;
                    table
                        .insert("info", bytes.as_slice())
                        .map_err(|e| err(e.into()))?;
                    txn.open_table(PRINCIPALS).map_err(|e| err(e.into()))?;
                    txn.open_table(READERS).map_err(|e| err(e.into()))?;
                }
                txn.commit().map_err(|e| err(e.into()))?;
                meta
            }
        };
        Ok(BaselineStore {
            db,
            path: path.to_path_buf(),
            meta,
            caps: CAPS,
            rate: RateSettings::default(),
        })
    }

    /// Open a store that must exist: for comparing and describing.
    pub fn open_existing(path: &Path) -> Result<BaselineStore, BaselineError> {
        if !path.is_file() {
            return Err(BaselineError::Missing {
                path: path.to_path_buf(),
            });
        }
        BaselineStore::open(path)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The training window: the earliest and latest event time learnt.
    pub fn window(&self) -> Option<(i64, i64)> {
        Some((self.meta.first_ms?, self.meta.last_ms?))
    }

    /// How far above normal an hour must be for PAL533.
    pub fn set_rate_settings(&mut self, rate: RateSettings) {
        self.rate = rate;
    }

    pub fn rate_settings(&self) -> &RateSettings {
        &self.rate
    }

    /// Caps for what is stored per principal (the defaults are [`CAPS`]).
    pub fn set_caps(&mut self, caps: Caps) {
        self.caps = caps;
    }

    /// One principal's stored profile.
    pub fn profile(&self, principal: &str) -> Result<Option<Profile>, BaselineError> {
        let err = store_err(&self.path);
        let txn = self.db.begin_read().map_err(|e| err(e.into()))?;
        let table = txn.open_table(PRINCIPALS).map_err(|e| err(e.into()))?;
        match table.get(principal).map_err(|e| err(e.into()))? {
            Some(v) => Ok(Some(decode(&self.path, principal, v.value())?)),
            None => Ok(None),
        }
    }

    /// Add a run's observations to the baseline, in one transaction: a failed run leaves the
    /// baseline as it was. Sets are unions and per-key counts add up; an hour already learnt
    /// keeps the larger count, so that learning the same logs twice changes no rate.
    pub fn learn(&mut self, obs: &Observations) -> Result<LearnSummary, BaselineError> {
        let path = self.path.clone();
        let err = store_err(&path);
        let caps = self.caps;
        let mut summary = LearnSummary {
            principals: obs.principals().len(),
            events: obs.events,
            outside_window: obs.outside_window,
            notes: obs.notes(),
            ..LearnSummary::default()
        };
        let mut meta = self.meta.clone();
        let txn = self.db.begin_write().map_err(|e| err(e.into()))?;
        {
            let mut table = txn.open_table(PRINCIPALS).map_err(|e| err(e.into()))?;
            let mut readers = txn.open_table(READERS).map_err(|e| err(e.into()))?;
            let mut stored_principals = table.len().map_err(|e| err(e.into()))?;
            for (name, seen) in obs.principals() {
                let existing: Option<Profile> = match table.get(name.as_str()) {
                    Ok(Some(v)) => Some(decode(&path, name, v.value())?),
                    Ok(None) => None,
                    Err(e) => return Err(err(e.into())),
                };
                let mut profile = match existing {
                    Some(p) => {
                        let new = |a: &std::collections::BTreeMap<String, Seen>,
                                   b: &std::collections::BTreeMap<String, Seen>| {
                            b.keys().filter(|k| !a.contains_key(*k)).count()
                        };
                        summary.new_apis += new(&p.apis, &seen.apis);
                        summary.new_addresses += new(&p.addresses, &seen.addresses);
                        summary.new_regions += new(&p.regions, &seen.regions);
                        summary.new_secrets += new(&p.secrets, &seen.secrets);
                        p
                    }
                    None => {
                        if stored_principals >= caps.principals as u64 {
                            meta.principals_overflow += seen.events;
                            summary.notes.push(format!(
                                "{name}: not learnt, the baseline holds {} principals already",
                                caps.principals
                            ));
                            continue;
                        }
                        stored_principals += 1;
                        summary.new_principals += 1;
                        Profile::default()
                    }
                };
                profile.merge(stored_copy(seen), HourMerge::Max, &caps);
                let bytes = encode(&path, name, &profile)?;
                table
                    .insert(name.as_str(), bytes.as_slice())
                    .map_err(|e| err(e.into()))?;
                let flag = [u8::from(profile.function_role)];
                for secret in seen.secrets.keys() {
                    let key = format!("{secret}\u{0}{name}");
                    readers
                        .insert(key.as_str(), flag.as_slice())
                        .map_err(|e| err(e.into()))?;
                }
            }
            if let Some(first) = obs.first_ms {
                meta.first_ms = Some(meta.first_ms.map_or(first, |f| f.min(first)));
            }
            if let Some(last) = obs.last_ms {
                meta.last_ms = Some(meta.last_ms.map_or(last, |l| l.max(last)));
            }
            meta.events += obs.events;
            meta.runs += 1;
            meta.outside_window += obs.outside_window;
            meta.principals_overflow += obs.principals_overflow;
            let bytes = encode(&path, "info", &meta)?;
            let mut table = txn.open_table(META).map_err(|e| err(e.into()))?;
            table
                .insert("info", bytes.as_slice())
                .map_err(|e| err(e.into()))?;
        }
        txn.commit().map_err(|e| err(e.into()))?;
        self.meta = meta;
        summary.window = self.window();
        Ok(summary)
    }

    /// What the baseline holds, for `--baseline-info`.
    pub fn info(&self) -> Result<BaselineInfo, BaselineError> {
        let err = store_err(&self.path);
        let txn = self.db.begin_read().map_err(|e| err(e.into()))?;
        let table = txn.open_table(PRINCIPALS).map_err(|e| err(e.into()))?;
        let mut info = BaselineInfo {
            schema: self.meta.schema,
            window: self.window(),
            events: self.meta.events,
            runs: self.meta.runs,
            outside_window: self.meta.outside_window,
            ..BaselineInfo::default()
        };
        let mut apis = std::collections::BTreeSet::new();
        let mut regions = std::collections::BTreeSet::new();
        let mut secrets = std::collections::BTreeSet::new();
        for entry in table.iter().map_err(|e| err(e.into()))? {
            let (k, v) = entry.map_err(|e| err(e.into()))?;
            let name = k.value();
            let p: Profile = decode(&self.path, name, v.value())?;
            info.principals += 1;
            info.function_roles += usize::from(p.function_role);
            info.principal_apis += p.apis.len();
            apis.extend(p.apis.keys().cloned());
            regions.extend(p.regions.keys().cloned());
            secrets.extend(p.secrets.keys().cloned());
            info.notes.extend(p.overflow.notes(name, &self.caps));
        }
        if self.meta.principals_overflow > 0 {
            info.notes.push(format!(
                "{} events of more principals not learnt (at most {} principals)",
                self.meta.principals_overflow, self.caps.principals
            ));
        }
        info.apis = apis.len();
        info.regions = regions.len();
        info.secrets = secrets.len();
        Ok(info)
    }

    /// What in `obs` is new or anomalous against the baseline, appended to `out` in a stable
    /// order (principal, rule, key).
    pub fn compare(
        &self,
        obs: &Observations,
        out: &mut Vec<Detection>,
    ) -> Result<CompareSummary, BaselineError> {
        let mut summary = CompareSummary {
            principals: obs.principals().len(),
            ..CompareSummary::default()
        };
        let Some(window) = self.window() else {
            summary
                .notes
                .push("the baseline is empty: learn one with `palisade detect --learn`".into());
            return Ok(summary);
        };
        let err = store_err(&self.path);
        let txn = self.db.begin_read().map_err(|e| err(e.into()))?;
        let table = txn.open_table(PRINCIPALS).map_err(|e| err(e.into()))?;
        let readers = txn.open_table(READERS).map_err(|e| err(e.into()))?;
        let before = out.len();
        for (name, seen) in obs.principals() {
            let base: Option<Profile> = match table.get(name.as_str()) {
                Ok(Some(v)) => Some(decode(&self.path, name, v.value())?),
                Ok(None) => None,
                Err(e) => return Err(err(e.into())),
            };
            // The other readers of each secret this principal reads for the first time.
            let mut others = std::collections::BTreeMap::new();
            if let Some(base) = &base {
                for secret in seen.secrets.keys() {
                    if base.secrets.contains_key(secret) {
                        continue;
                    }
                    let start = format!("{secret}\u{0}");
                    let end = format!("{secret}\u{1}");
                    let mut list = Vec::new();
                    for entry in readers
                        .range(start.as_str()..end.as_str())
                        .map_err(|e| err(e.into()))?
                    {
                        let (k, v) = entry.map_err(|e| err(e.into()))?;
                        let reader = k.value().get(start.len()..).unwrap_or_default();
                        if reader != name {
                            list.push((reader.to_string(), v.value().first() == Some(&1)));
                        }
                    }
                    others.insert(secret.clone(), list);
                }
            }
            let cx = compare::Context {
                principal: name,
                seen,
                base: base.as_ref(),
                window,
                rate: &self.rate,
                caps: &self.caps,
                secret_readers: &others,
            };
            compare::check(&cx, out, &mut summary);
        }
        summary.detections = out.len() - before;
        Ok(summary)
    }
}

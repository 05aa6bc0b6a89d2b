//! `palisade db import`: OSV records from the forms OSV publishes them in — the per-ecosystem
//! zip exports (`all.zip`), folders of OSV JSON files (a clone of an advisory repository),
//! JSON Lines, and single JSON files (one record or an array) — into the store.
//!
//! Records are parsed in parallel and written in one transaction. A record that does not
//! parse is counted and named (file, entry, line and column), never the end of the import.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use rayon::prelude::*;

use crate::osv;
use crate::store::{DbError, DbInfo, Put, SourceInfo, Writer};

/// A record file larger than this is refused (the largest OSV records are a few MB).
const MAX_RECORD_BYTES: u64 = 32 * 1024 * 1024;
/// Raw records parsed together before they are written: this many, or this many bytes,
/// whichever comes first (so that a zip of large entries cannot fill memory).
const BATCH: usize = 4096;
const BATCH_BYTES: usize = 64 * 1024 * 1024;
/// Problems listed by name; beyond this, only counted.
const MAX_LISTED: usize = 50;

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{path}: {message}")]
    Read { path: PathBuf, message: String },
    #[error(transparent)]
    Db(#[from] DbError),
}

/// A record that could not be imported.
#[derive(Clone, Debug, PartialEq)]
pub struct Rejected {
    /// The file, and the entry inside a zip (`all.zip:GHSA-….json`) or the line of a JSON
    /// Lines file (`vulns.jsonl:17`).
    pub origin: String,
    pub message: String,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct ImportReport {
    pub source: String,
    pub stored: u64,
    pub withdrawn: u64,
    pub other_ecosystems: u64,
    /// Every record that could not be imported is counted here…
    pub rejected_count: u64,
    /// …and the first ones are named.
    pub rejected: Vec<Rejected>,
    pub info: DbInfo,
}

/// One record's bytes and where they came from.
struct Raw {
    origin: String,
    bytes: Vec<u8>,
}

struct Importer<'a> {
    batch: crate::store::Batch<'a>,
    source: String,
    pending: Vec<Raw>,
    pending_bytes: usize,
    report: ImportReport,
    newest_modified: Option<String>,
}

impl Importer<'_> {
    fn reject(&mut self, origin: String, message: String) {
        self.report.rejected_count += 1;
        if self.report.rejected.len() < MAX_LISTED {
            self.report.rejected.push(Rejected { origin, message });
        }
    }

    fn push(&mut self, raw: Raw) -> Result<(), DbError> {
        self.pending_bytes += raw.bytes.len();
        self.pending.push(raw);
        if self.pending.len() >= BATCH || self.pending_bytes >= BATCH_BYTES {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), DbError> {
        let pending = std::mem::take(&mut self.pending);
        self.pending_bytes = 0;
        let parsed: Vec<(String, Result<Vec<osv::Record>, String>)> = pending
            .into_par_iter()
            .map(|raw| {
                let records = parse_records(&raw.bytes);
                (raw.origin, records)
            })
            .collect();
        for (origin, records) in parsed {
            match records {
                Ok(records) => {
                    for record in records {
                        self.store(&origin, &record)?;
                    }
                }
                Err(message) => self.reject(origin, message),
            }
        }
        Ok(())
    }

    fn store(&mut self, origin: &str, record: &osv::Record) -> Result<(), DbError> {
        if record.id.trim().is_empty() {
            self.reject(origin.to_string(), "the record has no `id`".to_string());
            return Ok(());
        }
        match self.batch.put(record, &self.source)? {
            Put::Stored => {
                self.report.stored += 1;
                if let Some(m) = &record.modified
                    && self.newest_modified.as_ref().is_none_or(|n| m > n)
                {
                    self.newest_modified = Some(m.clone());
                }
            }
            Put::Withdrawn => self.report.withdrawn += 1,
            Put::OtherEcosystem => self.report.other_ecosystems += 1,
        }
        Ok(())
    }

    /// JSON Lines: one record per non-empty line, each parsed and rejected on its own.
    fn lines(&mut self, origin: &str, bytes: &[u8]) -> Result<(), DbError> {
        for (n, line) in bytes.split(|&b| b == b'\n').enumerate() {
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            self.push(Raw {
                origin: format!("{origin}:{}", n + 1),
                bytes: line.to_vec(),
            })?;
        }
        Ok(())
    }

    fn file(&mut self, path: &Path, label: &str) -> Result<(), ImportError> {
        let lower = label.to_ascii_lowercase();
        if lower.ends_with(".zip") {
            return self.zip(path, label);
        }
        let bytes = read_bounded(path)?;
        if lower.ends_with(".jsonl") || lower.ends_with(".ndjson") {
            self.lines(label, &bytes)?;
        } else {
            self.push(Raw {
                origin: label.to_string(),
                bytes,
            })?;
        }
        Ok(())
    }

    fn zip(&mut self, path: &Path, label: &str) -> Result<(), ImportError> {
        let read_err = |message: String| ImportError::Read {
            path: path.to_path_buf(),
            message,
        };
        let file = std::fs::File::open(path).map_err(|e| read_err(e.to_string()))?;
        let mut archive = zip::ZipArchive::new(std::io::BufReader::new(file))
            .map_err(|e| read_err(format!("not a readable zip archive: {e}")))?;
        for i in 0..archive.len() {
            let mut entry = match archive.by_index(i) {
                Ok(e) => e,
                Err(e) => {
                    self.reject(format!("{label}#{i}"), format!("unreadable entry: {e}"));
                    continue;
                }
            };
            if entry.is_dir() {
                continue;
            }
            let name = match entry.name() {
                Ok(n) => n.into_owned(),
                Err(e) => {
                    self.reject(
                        format!("{label}#{i}"),
                        format!("unreadable entry name: {e}"),
                    );
                    continue;
                }
            };
            let origin = format!("{label}:{name}");
            let lower = name.to_ascii_lowercase();
            if !(lower.ends_with(".json") || lower.ends_with(".jsonl")) {
                continue;
            }
            if entry.size() > MAX_RECORD_BYTES {
                self.reject(origin, format!("larger than {MAX_RECORD_BYTES} bytes"));
                continue;
            }
            let mut bytes = Vec::with_capacity(usize::try_from(entry.size()).unwrap_or(0));
            // The declared size can lie: the read itself is bounded too.
            match (&mut entry)
                .take(MAX_RECORD_BYTES + 1)
                .read_to_end(&mut bytes)
            {
                Ok(_) if bytes.len() as u64 > MAX_RECORD_BYTES => {
                    self.reject(origin, format!("larger than {MAX_RECORD_BYTES} bytes"));
                }
                Ok(_) => {
                    drop(entry);
                    if lower.ends_with(".jsonl") {
                        self.lines(&origin, &bytes)?;
                    } else {
                        self.push(Raw { origin, bytes })?;
                    }
                }
                Err(e) => self.reject(origin, format!("corrupt entry: {e}")),
            }
        }
        Ok(())
    }

    fn dir(&mut self, root: &Path, label: &str) -> Result<(), ImportError> {
        let mut files: Vec<(PathBuf, String)> = Vec::new();
        for entry in walkdir::WalkDir::new(root).follow_links(false) {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    let origin = e
                        .path()
                        .map_or_else(|| label.to_string(), |p| p.display().to_string());
                    self.reject(origin, e.to_string());
                    continue;
                }
            };
            if !entry.file_type().is_file() {
                continue;
            }
            let name = entry.file_name().to_string_lossy().to_ascii_lowercase();
            if [".json", ".jsonl", ".ndjson", ".zip"]
                .iter()
                .any(|ext| name.ends_with(ext))
            {
                let rel = entry
                    .path()
                    .strip_prefix(root)
                    .unwrap_or(entry.path())
                    .to_string_lossy()
                    .replace('\\', "/");
                files.push((entry.path().to_path_buf(), format!("{label}/{rel}")));
            }
        }
        // Sorted, so that when two files carry the same id the same one wins every time.
        files.sort();
        for (path, origin) in files {
            match self.file(&path, &origin) {
                Ok(()) => {}
                Err(ImportError::Read { message, .. }) => self.reject(origin, message),
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
}

fn read_bounded(path: &Path) -> Result<Vec<u8>, ImportError> {
    let read_err = |message: String| ImportError::Read {
        path: path.to_path_buf(),
        message,
    };
    let file = std::fs::File::open(path).map_err(|e| read_err(e.to_string()))?;
    let mut bytes = Vec::new();
    // JSON Lines exports hold a whole ecosystem: allow them more than one record.
    let limit = MAX_RECORD_BYTES * 64;
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| read_err(e.to_string()))?;
    if bytes.len() as u64 > limit {
        return Err(read_err(format!("larger than {limit} bytes")));
    }
    Ok(bytes)
}

/// One OSV record, or a JSON array of them.
fn parse_records(bytes: &[u8]) -> Result<Vec<osv::Record>, String> {
    let start = bytes.iter().position(|b| !b.is_ascii_whitespace());
    let located = |e: serde_json::Error| {
        format!("not an OSV record: {e}")
            .replace(" at line ", " (line ")
            .replace(" column ", ", column ")
            + if e.line() > 0 { ")" } else { "" }
    };
    if start.and_then(|i| bytes.get(i)) == Some(&b'[') {
        serde_json::from_slice::<Vec<osv::Record>>(bytes).map_err(located)
    } else {
        serde_json::from_slice::<osv::Record>(bytes)
            .map(|r| vec![r])
            .map_err(located)
    }
}

/// Import everything at `input` into the store at `db`. The source is named after the
/// input's file or folder name; importing the same source again replaces its records by id.
pub fn import(db: &Path, input: &Path) -> Result<ImportReport, ImportError> {
    let meta = std::fs::metadata(input).map_err(|e| ImportError::Read {
        path: input.to_path_buf(),
        message: e.to_string(),
    })?;
    let source = input
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| input.display().to_string());
    let writer = Writer::create(db)?;
    let batch = writer.begin()?;
    let mut importer = Importer {
        batch,
        source: source.clone(),
        pending: Vec::new(),
        pending_bytes: 0,
        report: ImportReport {
            source: source.clone(),
            ..ImportReport::default()
        },
        newest_modified: None,
    };
    if meta.is_dir() {
        importer.dir(input, &source)?;
    } else {
        importer.file(input, &source)?;
    }
    importer.flush()?;
    let Importer {
        batch,
        mut report,
        newest_modified,
        ..
    } = importer;
    let info = SourceInfo {
        imported_at: now_rfc3339(),
        records: report.stored,
        withdrawn: report.withdrawn,
        other_ecosystems: report.other_ecosystems,
        newest_modified,
    };
    report.info = batch.commit(&source, info)?;
    Ok(report)
}

/// The current UTC time as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn now_rfc3339() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let date = palisade_model::Date::from_days(i64::try_from(secs / 86_400).unwrap_or(0));
    let t = secs % 86_400;
    format!(
        "{date}T{:02}:{:02}:{:02}Z",
        t / 3600,
        (t % 3600) / 60,
        t % 60
    )
}

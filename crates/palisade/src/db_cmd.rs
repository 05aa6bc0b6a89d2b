//! `palisade db import` and `palisade db info`: the offline advisory database.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context as _, Result, bail};
use palisade_deps::import;
use palisade_deps::{AdvisoryDb, DbError, default_path};

use crate::args::{DbImportArgs, DbInfoArgs, DbLocation, ExplainFormat};

/// The database file: `--db`, else the default location.
pub(crate) fn db_path(loc: &DbLocation) -> Option<PathBuf> {
    loc.db.clone().or_else(default_path)
}

fn required(loc: &DbLocation) -> Result<PathBuf> {
    match db_path(loc) {
        Some(p) => Ok(p),
        None => bail!(
            "no default location for the advisory database (neither PALISADE_DB, XDG_DATA_HOME nor HOME is set); pass --db FILE"
        ),
    }
}

pub fn import(a: &DbImportArgs) -> Result<u8> {
    let db = required(&a.db)?;
    let mut rejected_any = false;
    let mut err = std::io::stderr().lock();
    for input in &a.inputs {
        let started = std::time::Instant::now();
        let report = import::import(&db, input)
            .with_context(|| format!("cannot import {}", input.display()))?;
        let _ = writeln!(
            err,
            "{}: {} advisories stored, {} withdrawn skipped, {} for other ecosystems, {} rejected ({:.1} s)",
            input.display(),
            report.stored,
            report.withdrawn,
            report.other_ecosystems,
            report.rejected_count,
            started.elapsed().as_secs_f64()
        );
        for r in &report.rejected {
            let _ = writeln!(err, "  rejected {}: {}", r.origin, r.message);
        }
        if report.rejected_count > report.rejected.len() as u64 {
            let _ = writeln!(
                err,
                "  … and {} more rejected",
                report.rejected_count - report.rejected.len() as u64
            );
        }
        rejected_any |= report.rejected_count > 0;
    }
    let _ = writeln!(err, "database: {}", db.display());
    Ok(if rejected_any { 2 } else { 0 })
}

pub fn info(a: &DbInfoArgs) -> Result<u8> {
    let path = required(&a.db)?;
    let db = match AdvisoryDb::open(&path) {
        Ok(db) => db,
        Err(e @ DbError::Missing { .. }) => {
            anstream::eprintln!("palisade: {e}");
            return Ok(2);
        }
        Err(e) => return Err(anyhow::Error::from(e).context(path.display().to_string())),
    };
    let info = db.info();
    let today = palisade_model::Date::today();
    let age = |modified: Option<&str>| {
        modified
            .and_then(|m| palisade_model::Date::parse(m.get(..10).unwrap_or(m)))
            .map(|d| today.days() - d.days())
    };
    let mut out = std::io::stdout().lock();
    match a.format {
        ExplainFormat::Json => {
            let sources: serde_json::Map<String, serde_json::Value> = info
                .sources
                .iter()
                .map(|(name, s)| {
                    (
                        name.clone(),
                        serde_json::json!({
                            "imported_at": s.imported_at,
                            "records": s.records,
                            "withdrawn": s.withdrawn,
                            "other_ecosystems": s.other_ecosystems,
                            "newest_modified": s.newest_modified,
                            "age_days": age(s.newest_modified.as_deref()),
                        }),
                    )
                })
                .collect();
            let doc = serde_json::json!({
                "path": path.display().to_string(),
                "advisories": db.len(),
                "newest_modified": info.newest_modified(),
                "age_days": age(info.newest_modified()),
                "sources": sources,
            });
            let _ = writeln!(
                out,
                "{}",
                serde_json::to_string_pretty(&doc).unwrap_or_default()
            );
        }
        ExplainFormat::Pretty => {
            let _ = writeln!(out, "database:   {}", path.display());
            let _ = writeln!(out, "advisories: {}", db.len());
            if let Some(n) = info.newest_modified() {
                let days = age(Some(n))
                    .map(|d| format!(" ({d} days ago)"))
                    .unwrap_or_default();
                let _ = writeln!(out, "newest:     {n}{days}");
            }
            let _ = writeln!(out, "sources:");
            for (name, s) in &info.sources {
                let _ = writeln!(
                    out,
                    "  {name}: {} records, {} withdrawn skipped, imported {}, newest {}",
                    s.records,
                    s.withdrawn,
                    s.imported_at,
                    s.newest_modified.as_deref().unwrap_or("unknown")
                );
            }
        }
    }
    Ok(0)
}

//! Packages installed beside the code, as `pip install -t` leaves them: `*.dist-info`
//! folders (`METADATA`, `direct_url.json`, `REQUESTED`) and older `*.egg-info` folders or
//! files (`PKG-INFO`). A Lambda layer holds them under `python/` or
//! `python/lib/python3.*/site-packages/`.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use palisade_model::PackageSource;

use super::{assign_keys, hash, keys_by_name, normalize, package, pep508, push_hash};
use crate::parse::{Installed, InstalledFile, MAX_MANIFEST_BYTES, ParseProblem, ParsedPackage};

/// More packages than any real deployment holds; beyond it the walk stops.
const MAX_PACKAGES: usize = 20_000;
/// Folder entries looked at per folder, so that a huge folder cannot stall the walk.
const MAX_DIR_ENTRIES: usize = 200_000;

pub fn read(dir: &Path) -> Installed {
    let mut found = Installed::default();
    let mut requires: Vec<Vec<String>> = Vec::new();
    for folder in folders(dir) {
        read_folder(&folder, &mut found, &mut requires);
    }
    let mut packages: Vec<ParsedPackage> = found.files.iter().map(|f| f.package.clone()).collect();
    assign_keys(&mut packages);
    let by_name = keys_by_name(&packages);
    let keys: Vec<String> = packages.iter().map(|p| p.key.clone()).collect();
    for ((f, p), names) in found.files.iter_mut().zip(packages).zip(&requires) {
        f.package = p;
        for name in names {
            for &i in by_name.get(name).into_iter().flatten() {
                if let Some(k) = keys.get(i)
                    && *k != f.package.key
                    && !f.package.dependencies.contains(k)
                {
                    f.package.dependencies.push(k.clone());
                }
            }
        }
    }
    found
}

fn is_real_dir(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok_and(|m| m.is_dir())
}

/// The folder itself, its `python/`, and `python/lib/python3.*/site-packages/`: real
/// folders only, symlinks are never followed.
fn folders(dir: &Path) -> Vec<PathBuf> {
    let mut out = vec![dir.to_path_buf()];
    let python = dir.join("python");
    if !is_real_dir(&python) {
        return out;
    }
    out.push(python.clone());
    let lib = python.join("lib");
    if is_real_dir(&lib)
        && let Ok(entries) = fs::read_dir(&lib)
    {
        let mut versions: Vec<PathBuf> = entries
            .take(MAX_DIR_ENTRIES)
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .filter(|e| e.file_name().to_string_lossy().starts_with("python3"))
            .map(|e| e.path().join("site-packages"))
            .filter(|p| is_real_dir(p))
            .collect();
        versions.sort();
        out.extend(versions);
    }
    out
}

fn read_folder(folder: &Path, found: &mut Installed, requires: &mut Vec<Vec<String>>) {
    let Ok(entries) = fs::read_dir(folder) else {
        return;
    };
    let mut candidates: Vec<(PathBuf, bool)> = Vec::new();
    for entry in entries.take(MAX_DIR_ENTRIES).filter_map(Result::ok) {
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_symlink() {
            continue;
        }
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        if name.ends_with(".dist-info") && kind.is_dir() {
            candidates.push((path, true));
        } else if name.ends_with(".egg-info") {
            candidates.push((path, false));
        }
    }
    // Directory order is the file system's: sort so that results are the same everywhere.
    candidates.sort();
    for (path, dist_info) in candidates {
        if found.files.len() >= MAX_PACKAGES {
            found.problems.push((
                folder.to_path_buf(),
                ParseProblem {
                    offset: 0,
                    message: format!(
                        "more than {MAX_PACKAGES} installed packages: the rest were not read"
                    ),
                },
            ));
            return;
        }
        let metadata = if dist_info {
            path.join("METADATA")
        } else if is_real_dir(&path) {
            path.join("PKG-INFO")
        } else {
            // An egg-info file is the PKG-INFO itself.
            path.clone()
        };
        let text = match read_text(&metadata) {
            Ok(t) => t,
            Err(why) => {
                found.problems.push((
                    metadata,
                    ParseProblem {
                        offset: 0,
                        message: why,
                    },
                ));
                continue;
            }
        };
        let headers = headers(&text);
        let name = headers.iter().find(|h| h.0.eq_ignore_ascii_case("name"));
        let Some(&(_, name, ref range)) = name else {
            found.problems.push((
                metadata,
                ParseProblem {
                    offset: 0,
                    message: "no `Name:` header: the package was skipped".into(),
                },
            ));
            continue;
        };
        let mut p = package(name, range.clone());
        p.version = headers
            .iter()
            .find(|h| h.0.eq_ignore_ascii_case("version"))
            .map(|h| h.1.to_string());
        requires.push(
            headers
                .iter()
                .filter(|h| h.0.eq_ignore_ascii_case("requires-dist"))
                .filter_map(|h| pep508::parse(h.1).ok().map(|r| normalize(r.name)))
                .collect(),
        );
        if dist_info {
            // pip writes REQUESTED for what was asked for by name, not pulled in.
            p.direct = fs::symlink_metadata(path.join("REQUESTED")).is_ok_and(|m| m.is_file());
            let direct_url = path.join("direct_url.json");
            if fs::symlink_metadata(&direct_url).is_ok_and(|m| m.is_file()) {
                match read_text(&direct_url) {
                    Ok(json) => {
                        if let Err(why) = apply_direct_url(&mut p, &json) {
                            found.problems.push((
                                direct_url,
                                ParseProblem {
                                    offset: 0,
                                    message: why,
                                },
                            ));
                        }
                    }
                    Err(why) => found.problems.push((
                        direct_url,
                        ParseProblem {
                            offset: 0,
                            message: why,
                        },
                    )),
                }
            }
        }
        found.files.push(InstalledFile {
            path: metadata,
            text,
            package: p,
        });
    }
}

/// A metadata file's text; files that are too large, symlinks or not files are refused.
fn read_text(path: &Path) -> Result<String, String> {
    let meta = fs::symlink_metadata(path).map_err(|e| format!("cannot be read: {e}"))?;
    if !meta.is_file() {
        return Err("is not a regular file (symlinks are not followed)".into());
    }
    let f = fs::File::open(path).map_err(|e| format!("cannot be read: {e}"))?;
    let mut bytes = Vec::new();
    let limit = u64::try_from(MAX_MANIFEST_BYTES).unwrap_or(u64::MAX);
    f.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot be read: {e}"))?;
    if bytes.len() > MAX_MANIFEST_BYTES {
        return Err(format!("is larger than {MAX_MANIFEST_BYTES} bytes"));
    }
    // Old packages wrote Latin-1 author names: keep what can be read.
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// The headers of a core-metadata file (RFC 822 style, up to the first blank line), with the
/// range of each header's line. Continuation lines are not joined: the headers read here
/// (`Name`, `Version`, `Requires-Dist`) are one line each.
fn headers(text: &str) -> Vec<(&str, &str, std::ops::Range<usize>)> {
    let mut out = Vec::new();
    let mut offset = 0;
    for raw in text.split_inclusive('\n') {
        let start = offset;
        offset += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        if line.trim().is_empty() {
            break;
        }
        if line.starts_with([' ', '\t']) {
            continue;
        }
        if let Some((key, value)) = line.split_once(':') {
            out.push((key.trim(), value.trim(), start..start + line.len()));
        }
    }
    out
}

/// PEP 610's `direct_url.json`: where a package installed from a URL, a repository or a
/// folder came from.
fn apply_direct_url(p: &mut ParsedPackage, json: &str) -> Result<(), String> {
    let value: serde_json::Value =
        serde_json::from_str(json).map_err(|e| format!("invalid JSON: {e}"))?;
    let url = value
        .get("url")
        .and_then(|u| u.as_str())
        .ok_or("no `url`")?
        .to_string();
    if let Some(vcs) = value.get("vcs_info") {
        let kind = vcs.get("vcs").and_then(|v| v.as_str()).unwrap_or("git");
        let mut full = format!("{kind}+{url}");
        if let Some(commit) = vcs.get("commit_id").and_then(|c| c.as_str()) {
            full = format!("{full}@{commit}");
        }
        p.source = PackageSource::Git { url: full };
    } else if value.get("dir_info").is_some() || url.starts_with("file:") {
        p.source = PackageSource::Path { path: url };
    } else {
        p.source = PackageSource::Url { url };
    }
    if let Some(archive) = value.get("archive_info") {
        let mut hashes: Vec<String> = Vec::new();
        if let Some(map) = archive.get("hashes").and_then(|h| h.as_object()) {
            hashes.extend(
                map.iter()
                    .filter_map(|(alg, hex)| Some(format!("{alg}={}", hex.as_str()?))),
            );
        }
        if let Some(h) = archive.get("hash").and_then(|h| h.as_str()) {
            hashes.push(h.to_string());
        }
        for h in hashes.iter().filter_map(|h| hash(h)) {
            push_hash(p, h);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_stop_at_the_body() {
        let text = "Metadata-Version: 2.1\nName: requests\nVersion: 2.31.0\n\nName: not-me\n";
        let h = headers(text);
        assert_eq!(h.len(), 3);
        let (_, name, range) = h.get(1).unwrap();
        assert_eq!(*name, "requests");
        assert_eq!(text.get(range.clone()), Some("Name: requests"));
    }

    #[test]
    fn direct_urls() {
        let mut p = package("x", 0..0);
        apply_direct_url(
            &mut p,
            r#"{"url": "https://github.com/o/x.git", "vcs_info": {"vcs": "git", "commit_id": "abc"}}"#,
        )
        .unwrap();
        assert_eq!(
            p.source,
            PackageSource::Git {
                url: "git+https://github.com/o/x.git@abc".into()
            }
        );
        let hex = "b".repeat(64);
        apply_direct_url(
            &mut p,
            &format!(r#"{{"url": "https://h/x-1.0.tar.gz", "archive_info": {{"hashes": {{"sha256": "{hex}"}}}}}}"#),
        )
        .unwrap();
        assert!(matches!(p.source, PackageSource::Url { .. }));
        assert_eq!(p.hashes.len(), 1);
        assert!(apply_direct_url(&mut p, "{").is_err());
    }
}

//! `poetry.lock`: `[[package]]` entries with their dependencies, files and sources, as
//! Poetry 1.0–1.4 (`category`, `[metadata.files]`) and 1.5+ (`files`, `groups`) write them.
//!
//! Which packages the project declares itself is not in the lock: `direct` stays false and
//! the caller compares with `pyproject.toml`.

use palisade_model::{ManifestKind, PackageSource};
use toml::de::{DeTable, DeValue};

use super::{
    assign_keys, get, get_str, get_table, hash, keys_by_name, lock_packages, normalize, package,
    problem, push_hash, toml_document,
};
use crate::parse::{ParseError, ParseProblem, ParsedFile, ParsedPackage};

pub fn parse(text: &str) -> Result<ParsedFile, ParseError> {
    let doc = toml_document(text)?;
    let root = doc.get_ref();
    let mut file = ParsedFile::new(ManifestKind::PoetryLock);
    let entries = lock_packages(root, &mut file.problems);
    // Dependency names per package, resolved once every package is known.
    let mut wanted: Vec<Vec<String>> = Vec::new();
    for (t, name, range) in entries {
        let mut p = package(name, range);
        p.version = get_str(t, "version").map(str::to_string);
        p.dev = is_dev(t);
        if let Some(source) = get_table(t, "source") {
            p.source = source_of(source);
        }
        if let Some(files) = get(t, "files").and_then(|v| v.get_ref().as_array()) {
            add_file_hashes(&mut file.problems, &mut p, files);
        }
        wanted.push(
            get_table(t, "dependencies")
                .map(|deps| deps.iter().map(|(k, _)| normalize(k.get_ref())).collect())
                .unwrap_or_default(),
        );
        file.packages.push(p);
    }
    // Poetry before 1.5 kept the files apart, by package name.
    if let Some(files) = get_table(root, "metadata").and_then(|m| get_table(m, "files")) {
        let by_name = keys_by_name(&file.packages);
        for (name, list) in files.iter() {
            let Some(list) = list.get_ref().as_array() else {
                continue;
            };
            for &i in by_name
                .get(&normalize(name.get_ref()))
                .into_iter()
                .flatten()
            {
                if let Some(p) = file.packages.get_mut(i) {
                    add_file_hashes(&mut file.problems, p, list);
                }
            }
        }
    }
    assign_keys(&mut file.packages);
    resolve(&mut file.packages, &wanted);
    Ok(file)
}

/// Poetry ≥ 1.5 lists the groups that need a package; older locks say `category = "dev"`.
/// Without either, the package is a runtime one.
fn is_dev(t: &DeTable<'_>) -> bool {
    if let Some(groups) = get(t, "groups").and_then(|g| g.get_ref().as_array()) {
        return !groups.iter().any(|g| g.get_ref().as_str() == Some("main"));
    }
    get_str(t, "category") == Some("dev")
}

fn source_of(source: &DeTable<'_>) -> PackageSource {
    let url = get_str(source, "url").unwrap_or("").to_string();
    match get_str(source, "type") {
        Some("git") => {
            // The commit the lock resolved the ref to is what gets installed.
            let reference =
                get_str(source, "resolved_reference").or_else(|| get_str(source, "reference"));
            let url = match reference {
                Some(r) if !r.is_empty() => format!("{url}@{r}"),
                _ => url,
            };
            PackageSource::Git { url }
        }
        Some("url") => PackageSource::Url { url },
        Some("file" | "directory") => PackageSource::Path { path: url },
        // `legacy` is a package index other than PyPI (a mirror or a private index).
        _ => PackageSource::Registry,
    }
}

fn add_file_hashes(
    problems: &mut Vec<ParseProblem>,
    p: &mut ParsedPackage,
    files: &[toml::Spanned<DeValue<'_>>],
) {
    for f in files {
        let Some(h) = f.get_ref().as_table().and_then(|t| get(t, "hash")) else {
            continue;
        };
        match h.get_ref().as_str().and_then(hash) {
            Some(h) => push_hash(p, h),
            None => problem(
                problems,
                h.span().start,
                format!(
                    "a file hash of `{}` is not a known algorithm in hex: it was ignored",
                    p.name
                ),
            ),
        }
    }
}

/// Turn dependency names into the keys of the packages of that name (every one, when the
/// lock holds several versions for different environments).
fn resolve(packages: &mut [ParsedPackage], wanted: &[Vec<String>]) {
    let by_name = keys_by_name(packages);
    let keys: Vec<String> = packages.iter().map(|p| p.key.clone()).collect();
    for (p, names) in packages.iter_mut().zip(wanted) {
        for name in names {
            for &i in by_name.get(name).into_iter().flatten() {
                if let Some(k) = keys.get(i)
                    && !p.dependencies.contains(k)
                {
                    p.dependencies.push(k.clone());
                }
            }
        }
    }
}

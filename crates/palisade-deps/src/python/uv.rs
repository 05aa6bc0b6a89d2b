//! `uv.lock` (version 1): `[[package]]` entries with sources, edges, sdist and wheel hashes.
//!
//! The project itself (and each workspace member) is an entry too, with a `virtual` or
//! `editable` source: it is not a package but tells which are direct (its `dependencies`
//! and extras: runtime; its `dev-dependencies` groups: dev). A package is dev when it is
//! reachable only from the dev groups.

use std::collections::{BTreeSet, VecDeque};

use palisade_model::{ManifestKind, PackageSource};
use toml::de::{DeTable, DeValue};

use super::{
    assign_keys, get, get_str, get_table, hash, keys_by_name, lock_packages, normalize, package,
    problem, push_hash, toml_document,
};
use crate::parse::{ParseError, ParsedFile};

/// A dependency as an entry names it: by name, and by version when the lock holds several.
struct Edge {
    name: String,
    version: Option<String>,
}

fn edges(list: Option<&toml::Spanned<DeValue<'_>>>) -> Vec<Edge> {
    let Some(items) = list.and_then(|l| l.get_ref().as_array()) else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|i| i.get_ref().as_table())
        .filter_map(|t| {
            Some(Edge {
                name: normalize(get_str(t, "name")?),
                version: get_str(t, "version").map(str::to_string),
            })
        })
        .collect()
}

/// The edges of every list in a table of lists (`optional-dependencies`, `dev-dependencies`).
fn grouped_edges(table: Option<&DeTable<'_>>) -> Vec<Edge> {
    table
        .into_iter()
        .flat_map(|t| t.iter())
        .flat_map(|(_, v)| edges(Some(v)))
        .collect()
}

fn source_of(t: &DeTable<'_>) -> (PackageSource, Option<String>) {
    for kind in [
        "registry",
        "git",
        "url",
        "path",
        "directory",
        "editable",
        "virtual",
    ] {
        let Some(value) = get_str(t, kind) else {
            continue;
        };
        let source = match kind {
            "registry" => PackageSource::Registry,
            "git" => PackageSource::Git {
                url: value.to_string(),
            },
            "url" => PackageSource::Url {
                url: value.to_string(),
            },
            _ => PackageSource::Path {
                path: value.to_string(),
            },
        };
        return (source, Some(kind.to_string()));
    }
    (PackageSource::Registry, None)
}

pub fn parse(text: &str) -> Result<ParsedFile, ParseError> {
    let doc = toml_document(text)?;
    let root = doc.get_ref();
    let mut file = ParsedFile::new(ManifestKind::UvLock);
    let members: BTreeSet<String> = get_table(root, "manifest")
        .and_then(|m| get(m, "members"))
        .and_then(|m| m.get_ref().as_array())
        .map(|a| {
            a.iter()
                .filter_map(|m| m.get_ref().as_str().map(normalize))
                .collect()
        })
        .unwrap_or_default();
    let entries = lock_packages(root, &mut file.problems);
    let mut runtime_roots = Vec::new();
    let mut dev_roots = Vec::new();
    let mut wanted: Vec<Vec<Edge>> = Vec::new();
    for (t, name, range) in entries {
        let (source, kind) = match get_table(t, "source") {
            Some(s) => source_of(s),
            None => (PackageSource::Registry, None),
        };
        let is_project = matches!(kind.as_deref(), Some("virtual" | "editable"))
            && (matches!(&source, PackageSource::Path { path } if path == ".")
                || members.contains(&normalize(name)));
        if is_project {
            runtime_roots.extend(edges(get(t, "dependencies")));
            runtime_roots.extend(grouped_edges(get_table(t, "optional-dependencies")));
            dev_roots.extend(grouped_edges(get_table(t, "dev-dependencies")));
            continue;
        }
        let mut p = package(name, range);
        p.version = get_str(t, "version").map(str::to_string);
        p.source = source;
        let mut archives: Vec<&toml::Spanned<DeValue<'_>>> = Vec::new();
        if let Some(sdist) = get(t, "sdist") {
            archives.push(sdist);
        }
        if let Some(wheels) = get(t, "wheels").and_then(|w| w.get_ref().as_array()) {
            archives.extend(wheels.iter());
        }
        for archive in archives {
            let Some(h) = archive.get_ref().as_table().and_then(|a| get(a, "hash")) else {
                continue;
            };
            match h.get_ref().as_str().and_then(hash) {
                Some(h) => push_hash(&mut p, h),
                None => problem(
                    &mut file.problems,
                    h.span().start,
                    format!(
                        "an archive hash of `{name}` is not a known algorithm in hex: it was ignored"
                    ),
                ),
            }
        }
        let mut deps = edges(get(t, "dependencies"));
        // Extras of a package are locked only because something asked for them.
        deps.extend(grouped_edges(get_table(t, "optional-dependencies")));
        wanted.push(deps);
        file.packages.push(p);
    }
    assign_keys(&mut file.packages);
    let by_name = keys_by_name(&file.packages);
    let versions: Vec<Option<String>> = file.packages.iter().map(|p| p.version.clone()).collect();
    let targets = |e: &Edge| -> Vec<usize> {
        let all = by_name.get(&e.name).cloned().unwrap_or_default();
        let exact: Vec<usize> = all
            .iter()
            .copied()
            .filter(|&i| {
                e.version.is_some()
                    && versions.get(i).and_then(Option::as_ref) == e.version.as_ref()
            })
            .collect();
        if exact.is_empty() { all } else { exact }
    };
    let resolved: Vec<Vec<usize>> = wanted
        .iter()
        .map(|deps| {
            let mut out: Vec<usize> = Vec::new();
            for d in deps {
                for i in targets(d) {
                    if !out.contains(&i) {
                        out.push(i);
                    }
                }
            }
            out
        })
        .collect();
    let runtime_start: BTreeSet<usize> = runtime_roots.iter().flat_map(&targets).collect();
    let dev_start: BTreeSet<usize> = dev_roots.iter().flat_map(&targets).collect();
    let runtime = reachable(&runtime_start, &resolved);
    let dev = reachable(&dev_start, &resolved);
    let keys: Vec<String> = file.packages.iter().map(|p| p.key.clone()).collect();
    for (i, p) in file.packages.iter_mut().enumerate() {
        p.direct = runtime_start.contains(&i) || dev_start.contains(&i);
        // Unreachable packages (a lock without its project entry) stay runtime: better an
        // advisory too many than one missed.
        p.dev = dev.contains(&i) && !runtime.contains(&i);
        p.dependencies = resolved
            .get(i)
            .into_iter()
            .flatten()
            .filter_map(|&j| keys.get(j).cloned())
            .collect();
    }
    Ok(file)
}

fn reachable(start: &BTreeSet<usize>, edges: &[Vec<usize>]) -> BTreeSet<usize> {
    let mut seen: BTreeSet<usize> = BTreeSet::new();
    let mut queue: VecDeque<usize> = start.iter().copied().collect();
    while let Some(i) = queue.pop_front() {
        if seen.insert(i) {
            queue.extend(edges.get(i).into_iter().flatten().copied());
        }
    }
    seen
}

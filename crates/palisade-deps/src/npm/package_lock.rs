//! `package-lock.json` and `npm-shrinkwrap.json` (same format), lockfile versions 1, 2 and 3.
//!
//! Versions 2 and 3 list every installed folder under `packages`, keyed by its path
//! (`node_modules/a/node_modules/b`); version 2 repeats the tree in v1's `dependencies` for
//! old npm releases, which is ignored here. Version 1 has only the nested `dependencies`
//! tree; each entry gets the path its folder would have, so keys and dependency resolution
//! are the same for all versions.

use std::collections::{HashMap, HashSet};

use jsonc_parser::ast::{Object, ObjectProp};
use jsonc_parser::common::Ranged;
use palisade_model::{ManifestKind, PackageSource};

use super::common::{
    add_edge, check_size, dep_names, get_str, get_true, integrity_hashes, json_root,
    name_from_lock_path, node_resolve, parse_json, problem, prop_name, prop_name_range, read_spec,
    source_of_resolved, split_name_at, without_bom,
};
use crate::parse::{ParseError, ParsedFile, ParsedPackage};

pub(crate) fn parse(kind: ManifestKind, text: &str) -> Result<ParsedFile, ParseError> {
    check_size(text)?;
    let text = without_bom(text);
    let value = parse_json(&text)?;
    let root = json_root(&value, kind.label())?;
    let mut out = ParsedFile::new(kind);
    if let Some(packages) = root.get_object("packages") {
        read_packages(packages, &mut out);
    } else if let Some(deps) = root.get_object("dependencies") {
        read_v1(deps, &mut out);
    } else if let Some(p) = root.get("packages").or_else(|| root.get("dependencies")) {
        out.problems.push(problem(
            p.value.range().start,
            "the lock's package list is not an object; no package was read",
        ));
    }
    Ok(out)
}

/// One entry before its dependencies are resolved.
struct Entry<'b, 'a> {
    key: String,
    prop: &'b ObjectProp<'a>,
    obj: &'b Object<'a>,
}

/// The `packages` map of lockfile versions 2 and 3.
fn read_packages(packages: &Object<'_>, out: &mut ParsedFile) {
    let mut root = None;
    let mut entries = Vec::new();
    let mut seen = HashSet::new();
    for prop in &packages.properties {
        let key = prop_name(prop);
        let Some(obj) = prop.value.as_object() else {
            out.problems.push(problem(
                prop.range.start,
                format!("packages[{key:?}] is not an object; it was skipped"),
            ));
            continue;
        };
        if key.is_empty() {
            root = Some(obj);
            continue;
        }
        if !seen.insert(key) {
            out.problems.push(problem(
                prop.range.start,
                format!("packages[{key:?}] appears twice; the first entry is used"),
            ));
            continue;
        }
        entries.push(Entry {
            key: key.to_string(),
            prop,
            obj,
        });
    }
    let index: HashMap<String, usize> = entries
        .iter()
        .enumerate()
        .map(|(i, e)| (e.key.clone(), i))
        .collect();

    let mut pkgs = Vec::with_capacity(entries.len());
    for e in &entries {
        let in_node_modules = name_from_lock_path(&e.key).is_some();
        let link = get_true(e.obj, "link");
        let resolved = get_str(e.obj, "resolved");
        let name = get_str(e.obj, "name")
            .or_else(|| name_from_lock_path(&e.key))
            // A workspace or `file:` folder without a `name`: its folder name.
            .or_else(|| e.key.rsplit('/').next())
            .unwrap_or(&e.key)
            .to_string();
        let target = if link {
            resolved
                .and_then(|r| index.get(r))
                .and_then(|&i| entries.get(i))
        } else {
            None
        };
        let source = if link {
            PackageSource::Path {
                path: resolved.unwrap_or(&e.key).to_string(),
            }
        } else if !in_node_modules {
            PackageSource::Path {
                path: e.key.clone(),
            }
        } else {
            resolved.map_or(PackageSource::Registry, source_of_resolved)
        };
        let version = get_str(e.obj, "version")
            .or_else(|| target.and_then(|t| get_str(t.obj, "version")))
            .map(str::to_string);
        let mut p = ParsedPackage {
            name,
            version,
            requirement: None,
            source,
            dev: get_true(e.obj, "dev"),
            direct: false,
            hashes: Vec::new(),
            install_script: get_true(e.obj, "hasInstallScript"),
            range: prop_name_range(e.prop),
            key: e.key.clone(),
            dependencies: Vec::new(),
        };
        read_integrity(e.obj, &mut p, out);
        if let Some(t) = target {
            p.dependencies.push(t.key.clone());
        } else {
            resolve_edges(e.obj, &e.key, &index, &mut p, out);
        }
        pkgs.push(p);
    }

    // The root project declares the direct dependencies; in a workspace, so does each
    // workspace folder (the entries outside `node_modules`).
    let mut importers: Vec<(&str, &Object<'_>)> = Vec::new();
    if let Some(r) = root {
        importers.push(("", r));
        if r.get("workspaces").is_some() {
            importers.extend(
                entries
                    .iter()
                    .filter(|e| name_from_lock_path(&e.key).is_none())
                    .map(|e| (e.key.as_str(), e.obj)),
            );
        }
    }
    for (from, obj) in importers {
        for field in ["dependencies", "devDependencies", "optionalDependencies"] {
            for dep in dep_names(obj, field) {
                if let Some(&i) = node_resolve(&index, from, dep).and_then(|k| index.get(k))
                    && let Some(p) = pkgs.get_mut(i)
                {
                    p.direct = true;
                }
            }
        }
    }
    out.packages.extend(pkgs);
}

/// Hashes from `integrity`; a value that cannot be read becomes a problem.
fn read_integrity(obj: &Object<'_>, p: &mut ParsedPackage, out: &mut ParsedFile) {
    if let Some(sri) = obj.get_string("integrity") {
        let (hashes, bad) = integrity_hashes(&sri.value);
        p.hashes = hashes;
        if let Some(bad) = bad {
            out.problems.push(problem(
                sri.range.start,
                format!("integrity value {bad:?} of {} could not be read", p.key),
            ));
        }
    }
}

/// Resolve the names in `dependencies`, `optionalDependencies` and `peerDependencies` to lock
/// keys. A missing optional or peer dependency is normal (not
/// installed on this platform, or provided by the host); a missing required one is reported.
fn resolve_edges(
    obj: &Object<'_>,
    key: &str,
    index: &HashMap<String, usize>,
    p: &mut ParsedPackage,
    out: &mut ParsedFile,
) {
    for (field, must) in [
        ("dependencies", true),
        ("optionalDependencies", false),
        ("peerDependencies", false),
    ] {
        let Some(deps) = obj.get_object(field) else {
            continue;
        };
        for dep in &deps.properties {
            let name = prop_name(dep);
            match node_resolve(index, key, name) {
                Some(k) => add_edge(&mut p.dependencies, k),
                None if must => out.problems.push(problem(
                    dep.range.start,
                    format!("{key} depends on {name}, which the lock does not contain"),
                )),
                None => {}
            }
        }
    }
}

/// Lockfile version 1: the nested `dependencies` tree, walked with an explicit stack.
fn read_v1(top: &Object<'_>, out: &mut ParsedFile) {
    let mut entries = Vec::new();
    let mut stack: Vec<(&Object<'_>, String)> = vec![(top, String::new())];
    let mut seen = HashSet::new();
    while let Some((deps, parent)) = stack.pop() {
        for prop in &deps.properties {
            let name = prop_name(prop);
            let key = if parent.is_empty() {
                format!("node_modules/{name}")
            } else {
                format!("{parent}/node_modules/{name}")
            };
            let Some(obj) = prop.value.as_object() else {
                out.problems.push(problem(
                    prop.range.start,
                    format!("dependencies[{name:?}] is not an object; it was skipped"),
                ));
                continue;
            };
            if !seen.insert(key.clone()) {
                out.problems.push(problem(
                    prop.range.start,
                    format!("{key} appears twice; the first entry is used"),
                ));
                continue;
            }
            if let Some(children) = obj.get_object("dependencies") {
                stack.push((children, key.clone()));
            }
            entries.push(Entry { key, prop, obj });
        }
    }
    entries.sort_by_key(|e| e.prop.range.start);
    let index: HashMap<String, usize> = entries
        .iter()
        .enumerate()
        .map(|(i, e)| (e.key.clone(), i))
        .collect();
    for e in &entries {
        let folder = name_from_lock_path(&e.key).unwrap_or(&e.key);
        let written = get_str(e.obj, "version").unwrap_or("");
        let (name, version, from_version) = v1_version(folder, written);
        let source = match (from_version, get_str(e.obj, "resolved")) {
            (Some(s), _) => s,
            (None, Some(r)) => source_of_resolved(r),
            (None, None) => PackageSource::Registry,
        };
        let mut p = ParsedPackage {
            name,
            version,
            requirement: None,
            source,
            dev: get_true(e.obj, "dev"),
            direct: false,
            hashes: Vec::new(),
            install_script: false,
            range: prop_name_range(e.prop),
            key: e.key.clone(),
            dependencies: Vec::new(),
        };
        read_integrity(e.obj, &mut p, out);
        // v1 `requires` is the package's own declared dependencies; its nested
        // `dependencies` are the folders installed inside it, not edges.
        resolve_edges_v1(e.obj, &e.key, &index, &mut p, out);
        out.packages.push(p);
    }
}

fn resolve_edges_v1(
    obj: &Object<'_>,
    key: &str,
    index: &HashMap<String, usize>,
    p: &mut ParsedPackage,
    out: &mut ParsedFile,
) {
    let Some(requires) = obj.get_object("requires") else {
        return;
    };
    for dep in &requires.properties {
        let name = prop_name(dep);
        match node_resolve(index, key, name) {
            Some(k) => add_edge(&mut p.dependencies, k),
            // An optional dependency not installed on this platform is left out of v1 locks.
            None => out.problems.push(problem(
                dep.range.start,
                format!("{key} requires {name}, which the lock does not contain"),
            )),
        }
    }
}

/// A v1 `version`: a version, an alias (`npm:real@1.2.3`), or where a non-registry package
/// came from (`git+https://…#sha`, `file:../lib`), in which case there is no version.
fn v1_version(folder: &str, written: &str) -> (String, Option<String>, Option<PackageSource>) {
    if let Some((real, v)) = written.strip_prefix("npm:").and_then(split_name_at) {
        return (real.to_string(), Some(v.to_string()), None);
    }
    if written.is_empty() {
        return (folder.to_string(), None, None);
    }
    let spec = read_spec(folder, written);
    match spec.source {
        PackageSource::Registry => (folder.to_string(), Some(written.to_string()), None),
        other => (folder.to_string(), None, Some(other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v1_versions() {
        assert_eq!(
            v1_version("x", "npm:@s/real@2.0.0"),
            ("@s/real".into(), Some("2.0.0".into()), None)
        );
        assert_eq!(
            v1_version("x", "1.0.0"),
            ("x".into(), Some("1.0.0".into()), None)
        );
        let (_, v, s) = v1_version("x", "git+https://github.com/u/r.git#abc");
        assert_eq!(v, None);
        assert!(matches!(s, Some(PackageSource::Git { .. })));
        let (_, v, s) = v1_version("x", "file:../lib");
        assert_eq!(v, None);
        assert_eq!(
            s,
            Some(PackageSource::Path {
                path: "../lib".into()
            })
        );
    }
}

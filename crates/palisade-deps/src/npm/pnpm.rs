//! `pnpm-lock.yaml`, lockfile versions 5.x, 6.x and 9.x.
//!
//! - 5.x: `packages` keyed `/name/1.2.3` (peers as a `_react@18.2.0` suffix); the project's
//!   `dependencies` map names to versions, `importers` does the same per workspace project.
//! - 6.x: keys `/name@1.2.3(react@18.2.0)`; importers map names to `{specifier, version}`.
//! - 9.x: `packages` keyed `name@1.2.3` holds what is known about the package (resolution,
//!   engines); `snapshots` keyed `name@1.2.3(react@18.2.0)` holds each installed copy with
//!   its dependencies. Each snapshot is a package here (two peer sets are two copies).
//!
//! 5.x and 6.x mark development-only packages with `dev: true` (`dev: false` for
//! production, nothing for both). 9.x dropped the flag: a package is for development when
//! only the importers' `devDependencies` reach it.

use std::collections::{HashMap, HashSet};

use palisade_loaders::yaml::{Node, NodeKind};
use palisade_model::{ManifestKind, PackageSource};

use super::common::{add_edge, integrity_hashes, problem, source_of_resolved, split_name_at};
use crate::parse::{ParseError, ParsedFile, ParsedPackage};

/// One installed copy before its dependencies are resolved.
struct Instance<'n> {
    key: String,
    /// What `packages` says about it (resolution, flags).
    meta: &'n Node,
    /// Where its dependencies are listed (`snapshots` in 9.x, else the same entry).
    deps: Option<&'n Node>,
    range: std::ops::Range<usize>,
}

pub(crate) fn parse(text: &str) -> Result<ParsedFile, ParseError> {
    let doc = super::common::parse_yaml(text)?;
    let mut out = ParsedFile::new(ManifestKind::PnpmLock);
    let root = &doc.root;
    if root.as_map().is_none() {
        if matches!(root.kind, NodeKind::Null) {
            return Ok(out);
        }
        return Err(ParseError::Syntax {
            message: "pnpm-lock.yaml is not a YAML mapping".into(),
            offset: root.start,
        });
    }
    let major = root
        .get("lockfileVersion")
        .and_then(Node::as_str)
        .and_then(|v| v.trim_matches('\'').split('.').next()?.parse::<u32>().ok())
        .unwrap_or(6);

    let instances = instances(root, &mut out);
    let index: HashMap<String, usize> = instances
        .iter()
        .enumerate()
        .map(|(i, inst)| (inst.key.clone(), i))
        .collect();

    let mut packages = Vec::with_capacity(instances.len());
    let mut explicit_dev = Vec::with_capacity(instances.len());
    for inst in &instances {
        let (name, version) = identity(inst, major);
        let Some(name) = name else {
            out.problems.push(problem(
                inst.range.start,
                format!(
                    "package {:?} has no readable name; it was skipped",
                    inst.key
                ),
            ));
            // Keep positions aligned with `index`.
            explicit_dev.push(None);
            packages.push(None);
            continue;
        };
        let resolution = inst.meta.get("resolution");
        let mut hashes = Vec::new();
        if let Some(sri) = resolution.and_then(|r| r.get("integrity")) {
            let (h, bad) = integrity_hashes(sri.as_str().unwrap_or(""));
            hashes = h;
            if let Some(bad) = bad {
                out.problems.push(problem(
                    sri.start,
                    format!("integrity value {bad:?} could not be read"),
                ));
            }
        }
        let mut p = ParsedPackage {
            name,
            version,
            requirement: None,
            source: resolution.map_or(PackageSource::Registry, source_of_resolution),
            dev: false,
            direct: false,
            hashes,
            install_script: is_true(inst.meta.get("requiresBuild")),
            range: inst.range.clone(),
            key: inst.key.clone(),
            dependencies: Vec::new(),
        };
        if let Some(deps) = inst.deps {
            for (field, optional) in [("dependencies", false), ("optionalDependencies", true)] {
                for (k, r) in deps.get(field).and_then(Node::as_map).unwrap_or(&[]) {
                    let (Some(dep), Some(reference)) = (k.as_str(), r.as_str()) else {
                        continue;
                    };
                    match resolve(&index, major, dep, reference) {
                        Some(key) => add_edge(&mut p.dependencies, key),
                        None if optional || reference.starts_with("link:") => {}
                        None => out.problems.push(problem(
                            k.start,
                            format!(
                                "{} depends on {dep} {reference}, which the lock does not contain",
                                p.key
                            ),
                        )),
                    }
                }
            }
        }
        explicit_dev.push(inst.meta.get("dev").and_then(|d| match d.kind {
            NodeKind::Bool(b) => Some(b),
            _ => None,
        }));
        packages.push(Some(p));
    }

    // What the projects declare: direct, and the roots of the production and development
    // reachability used when the lock has no `dev` flags.
    let mut prod_roots = Vec::new();
    let mut dev_roots = Vec::new();
    let importers: Vec<&Node> = match root.get("importers").and_then(Node::as_map) {
        Some(map) => map.iter().map(|(_, v)| v).collect(),
        // A single project writes its importer's fields at the top level.
        None => vec![root],
    };
    for imp in importers {
        for (field, dev) in [
            ("dependencies", false),
            ("optionalDependencies", false),
            ("devDependencies", true),
        ] {
            for (k, v) in imp.get(field).and_then(Node::as_map).unwrap_or(&[]) {
                let Some(dep) = k.as_str() else { continue };
                // 5.x: `name: version`; 6.x and 9.x: `name: {specifier, version}`.
                let Some(reference) = v
                    .as_str()
                    .or_else(|| v.get("version").and_then(Node::as_str))
                else {
                    continue;
                };
                let Some(&i) = resolve(&index, major, dep, reference).and_then(|k| index.get(k))
                else {
                    continue;
                };
                if let Some(Some(p)) = packages.get_mut(i) {
                    p.direct = true;
                }
                if dev {
                    dev_roots.push(i);
                } else {
                    prod_roots.push(i);
                }
            }
        }
    }
    let edges: Vec<Vec<usize>> = packages
        .iter()
        .map(|p| {
            p.as_ref()
                .map(|p| {
                    p.dependencies
                        .iter()
                        .filter_map(|d| index.get(d).copied())
                        .collect()
                })
                .unwrap_or_default()
        })
        .collect();
    let prod = reach(&edges, &prod_roots);
    let dev = reach(&edges, &dev_roots);
    for (i, p) in packages.iter_mut().enumerate() {
        if let Some(p) = p {
            p.dev = match explicit_dev.get(i).copied().flatten() {
                Some(flag) => flag,
                None => dev.contains(&i) && !prod.contains(&i),
            };
        }
    }
    out.packages.extend(packages.into_iter().flatten());
    Ok(out)
}

/// The installed copies: `snapshots` joined with `packages` in 9.x, else `packages`.
fn instances<'n>(root: &'n Node, out: &mut ParsedFile) -> Vec<Instance<'n>> {
    let packages = root.get("packages").and_then(Node::as_map).unwrap_or(&[]);
    let mut list = Vec::new();
    let mut seen = HashSet::new();
    if let Some(snapshots) = root.get("snapshots").and_then(Node::as_map) {
        let by_key: HashMap<&str, (&Node, &Node)> = packages
            .iter()
            .filter_map(|(k, v)| Some((k.as_str()?, (k, v))))
            .collect();
        let mut used = HashSet::new();
        for (k, v) in snapshots {
            let Some(key) = k.as_str() else { continue };
            let base = strip_peers(key);
            let (range, meta) = match by_key.get(base) {
                Some((pk, pv)) => {
                    used.insert(base);
                    (pk.start..pk.end, *pv)
                }
                None => {
                    out.problems.push(problem(
                        k.start,
                        format!("snapshot {key:?} has no entry in packages"),
                    ));
                    (k.start..k.end, v)
                }
            };
            if seen.insert(key.to_string()) {
                list.push(Instance {
                    key: key.to_string(),
                    meta,
                    deps: Some(v),
                    range,
                });
            }
        }
        // A package without a snapshot is still installed (no dependencies known).
        for (k, v) in packages {
            if let Some(key) = k.as_str()
                && !used.contains(key)
                && seen.insert(key.to_string())
            {
                list.push(Instance {
                    key: key.to_string(),
                    meta: v,
                    deps: None,
                    range: k.start..k.end,
                });
            }
        }
        return list;
    }
    for (k, v) in packages {
        let Some(key) = k.as_str() else { continue };
        if seen.insert(key.to_string()) {
            list.push(Instance {
                key: key.to_string(),
                meta: v,
                deps: Some(v),
                range: k.start..k.end,
            });
        }
    }
    list
}

/// `name@1.2.3(react@18.2.0)(patch_hash=…)` → `name@1.2.3`.
fn strip_peers(key: &str) -> &str {
    key.split('(').next().unwrap_or(key)
}

/// Name and version: the entry's own `name`/`version` fields (written for packages not from
/// the registry), else read from the key.
fn identity(inst: &Instance<'_>, major: u32) -> (Option<String>, Option<String>) {
    let field = |f: &str| inst.meta.get(f).and_then(Node::as_str).map(str::to_string);
    let (mut name, mut version) = (field("name"), field("version"));
    if (name.is_none() || version.is_none())
        && let Some((n, v)) = name_version_of_key(&inst.key, major)
    {
        name.get_or_insert(n);
        version.get_or_insert(v);
    }
    (name, version)
}

fn name_version_of_key(key: &str, major: u32) -> Option<(String, String)> {
    let k = strip_peers(key);
    if major < 6 {
        // `/name/1.2.3_peer` or `/@scope/name/1.2.3`; other keys (`github.com/u/r/sha`) are
        // not name and version.
        let k = k.strip_prefix('/')?;
        let mut parts = k.splitn(if k.starts_with('@') { 3 } else { 2 }, '/');
        let (name, rest) = if k.starts_with('@') {
            let scope = parts.next()?;
            let n = parts.next()?;
            (format!("{scope}/{n}"), parts.next()?)
        } else {
            (parts.next()?.to_string(), parts.next()?)
        };
        let version = rest.split('_').next().unwrap_or(rest);
        return Some((name, version.to_string()));
    }
    let k = if major < 9 { k.strip_prefix('/')? } else { k };
    let (n, v) = split_name_at(k)?;
    Some((n.to_string(), v.to_string()))
}

/// The key a dependency's reference points at. `link:` references are workspace folders,
/// not packages.
fn resolve<'k>(
    index: &'k HashMap<String, usize>,
    major: u32,
    name: &str,
    reference: &str,
) -> Option<&'k str> {
    if reference.starts_with("link:") {
        return None;
    }
    let own = if major < 6 {
        format!("/{name}/{reference}")
    } else if major < 9 {
        format!("/{name}@{reference}")
    } else {
        format!("{name}@{reference}")
    };
    // An alias (`foo: /bar/1.0.0`, `foo: bar@1.0.0`) or a non-registry key is written whole.
    [own, reference.to_string(), format!("/{reference}")]
        .iter()
        .find_map(|k| index.get_key_value(k).map(|(k, _)| k.as_str()))
}

fn source_of_resolution(r: &Node) -> PackageSource {
    let get = |f: &str| r.get(f).and_then(Node::as_str);
    match get("type") {
        Some("git") => {
            let repo = get("repo").unwrap_or("");
            return PackageSource::Git {
                url: match get("commit") {
                    Some(c) => format!("{repo}#{c}"),
                    None => repo.to_string(),
                },
            };
        }
        Some("directory") => {
            return PackageSource::Path {
                path: get("directory").unwrap_or("").to_string(),
            };
        }
        _ => {}
    }
    match get("tarball") {
        Some(t) => source_of_resolved(t),
        None => PackageSource::Registry,
    }
}

fn is_true(n: Option<&Node>) -> bool {
    matches!(n.map(|n| &n.kind), Some(NodeKind::Bool(true)))
}

/// Every node reachable from `roots` (iterative, so a long chain cannot overflow the stack).
fn reach(edges: &[Vec<usize>], roots: &[usize]) -> HashSet<usize> {
    let mut seen: HashSet<usize> = HashSet::new();
    let mut stack: Vec<usize> = roots.to_vec();
    while let Some(i) = stack.pop() {
        if seen.insert(i) {
            stack.extend(edges.get(i).into_iter().flatten().copied());
        }
    }
    seen
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_give_name_and_version() {
        let nv = |k, m| name_version_of_key(k, m);
        assert_eq!(
            nv("/@babel/core/7.22.5_supports-color@5.5.0", 5),
            Some(("@babel/core".into(), "7.22.5".into()))
        );
        assert_eq!(nv("/ms/2.1.2", 5), Some(("ms".into(), "2.1.2".into())));
        assert_eq!(nv("github.com/u/r/abc", 5), None);
        assert_eq!(
            nv("/react-dom@18.2.0(react@18.2.0)", 6),
            Some(("react-dom".into(), "18.2.0".into()))
        );
        assert_eq!(
            nv("@types/node@20.1.0", 9),
            Some(("@types/node".into(), "20.1.0".into()))
        );
    }

    #[test]
    fn reachability_is_iterative_and_handles_cycles() {
        let edges = vec![vec![1], vec![2], vec![0]];
        assert_eq!(reach(&edges, &[1]).len(), 3);
        assert!(reach(&edges, &[]).is_empty());
    }
}

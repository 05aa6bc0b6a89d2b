//! `yarn.lock` of yarn 2 and later ("berry"): YAML.
//!
//! ```yaml
//! "lodash@npm:^4.17.21, lodash@npm:^4.17.4":
//!   version: 4.17.21
//!   resolution: "lodash@npm:4.17.21"
//!   checksum: 10c0/d8cbea07…
//!   languageName: node
//!   linkType: hard
//! ```
//!
//! Each entry is one package, keyed here by its `resolution`. Entries resolved with the
//! `workspace:` protocol are the project and its workspaces, not packages: what they depend
//! on is direct. Berry records no development flag (a workspace entry lists its
//! `dependencies` and `devDependencies` together), so `dev` stays false.
//!
//! `checksum` is not kept as a hash: it is a SHA-512 of the zip archive yarn repacks the
//! package into (prefixed with its cache key, `10c0/…`), not of the registry tarball, so it
//! matches neither npm's `integrity` nor any hash an SBOM consumer could check against the
//! registry.
//!
//! Berry does not record which packages have install scripts reliably (`built` in
//! `dependenciesMeta` is the project's choice, not a fact about the package), so
//! `install_script` stays false.

use std::collections::HashMap;

use palisade_loaders::yaml::{self, Node};
use palisade_model::{ManifestKind, PackageSource};

use super::common::{add_edge, problem, split_name_at};
use crate::parse::{ParseError, ParsedFile, ParsedPackage};

pub(crate) fn parse(text: &str) -> Result<ParsedFile, ParseError> {
    let doc = super::common::parse_yaml(text)?;
    let mut out = ParsedFile::new(ManifestKind::YarnBerry);
    let Some(entries) = doc.root.as_map() else {
        // An empty lock (no dependencies yet) is an empty document.
        if !matches!(doc.root.kind, yaml::NodeKind::Null) {
            return Err(ParseError::Syntax {
                message: "yarn.lock is not a YAML mapping".into(),
                offset: doc.root.start,
            });
        }
        return Ok(out);
    };

    let mut by_descriptor: HashMap<String, String> = HashMap::new();
    let mut packages: Vec<(ParsedPackage, &Node)> = Vec::new();
    let mut workspaces: Vec<&Node> = Vec::new();
    for (k, v) in entries {
        let Some(key_text) = k.as_str() else {
            out.problems.push(problem(
                k.start,
                "an entry whose key is not text was skipped",
            ));
            continue;
        };
        if key_text == "__metadata" {
            continue;
        }
        if v.as_map().is_none() {
            out.problems.push(problem(
                k.start,
                format!("entry {key_text:?} is not a mapping; it was skipped"),
            ));
            continue;
        }
        let Some(resolution) = v.get("resolution").and_then(Node::as_str) else {
            out.problems.push(problem(
                k.start,
                format!("entry {key_text:?} has no resolution; it was skipped"),
            ));
            continue;
        };
        let Some((name, reference)) = split_name_at(resolution) else {
            out.problems.push(problem(
                k.start,
                format!("resolution {resolution:?} is not name@reference; it was skipped"),
            ));
            continue;
        };
        for d in key_text.split(',') {
            let d = d.trim();
            by_descriptor.insert(d.to_string(), resolution.to_string());
            // Relative `portal:`/`file:`/`link:` descriptors are bound to the workspace that
            // declares them (`::locator=…`), which the dependent's own range does not repeat.
            if let Some((bare, _)) = d.split_once("::") {
                by_descriptor
                    .entry(bare.to_string())
                    .or_insert_with(|| resolution.to_string());
            }
        }
        if reference.starts_with("workspace:") {
            workspaces.push(v);
            continue;
        }
        let version = v.get("version").and_then(Node::as_str).map(str::to_string);
        packages.push((
            ParsedPackage {
                name: name.to_string(),
                version,
                requirement: None,
                source: source_of_reference(reference),
                dev: false,
                direct: false,
                hashes: Vec::new(),
                install_script: false,
                range: k.start..k.end,
                key: resolution.to_string(),
                dependencies: Vec::new(),
            },
            v,
        ));
    }

    let index: HashMap<String, usize> = packages
        .iter()
        .enumerate()
        .map(|(i, (p, _))| (p.key.clone(), i))
        .collect();
    let resolve = |name: &str, range: &str| -> Option<&String> {
        by_descriptor
            .get(&format!("{name}@{range}"))
            // Older berry locks write plain ranges in `dependencies` but `npm:` ones in keys.
            .or_else(|| by_descriptor.get(&format!("{name}@npm:{range}")))
    };
    for (p, v) in &mut packages {
        for (name, range, at, optional) in deps_of(v) {
            match resolve(name, range) {
                Some(k) => add_edge(&mut p.dependencies, k),
                None if !optional => out.problems.push(problem(
                    at,
                    format!(
                        "{} depends on {name}@{range}, which the lock does not contain",
                        p.key
                    ),
                )),
                None => {}
            }
        }
    }
    for w in workspaces {
        for (name, range, _, _) in deps_of(w) {
            if let Some(&i) = resolve(name, range).and_then(|k| index.get(k))
                && let Some((p, _)) = packages.get_mut(i)
            {
                p.direct = true;
            }
        }
    }
    out.packages.extend(packages.into_iter().map(|(p, _)| p));
    Ok(out)
}

/// `(name, range, offset, optional)` of an entry's `dependencies` and `peerDependencies`
/// (peers are optional: the host may not provide them).
fn deps_of(v: &Node) -> Vec<(&str, &str, usize, bool)> {
    let mut out = Vec::new();
    for (field, optional) in [("dependencies", false), ("peerDependencies", true)] {
        for (k, r) in v.get(field).and_then(Node::as_map).unwrap_or(&[]) {
            if let (Some(name), Some(range)) = (k.as_str(), r.as_str()) {
                out.push((name, range, k.start, optional));
            }
        }
    }
    out
}

/// Where a resolution's reference (`npm:4.17.21`, `https://…`, `patch:…`) points.
fn source_of_reference(reference: &str) -> PackageSource {
    // `virtual:<hash>#npm:1.0.0`: a copy of another package for a set of peers.
    let reference = match reference.strip_prefix("virtual:") {
        Some(rest) => rest.split_once('#').map_or(rest, |(_, inner)| inner),
        None => reference,
    };
    if reference.starts_with("npm:") {
        return PackageSource::Registry;
    }
    if let Some(patched) = reference.strip_prefix("patch:") {
        // `patch:lodash@npm%3A4.17.21#./patches/lodash.patch::…`: the patched package keeps
        // the source of the one it patches (its version is what advisories are about).
        let inner = patched.split('#').next().unwrap_or(patched);
        let inner = inner.replace("%3A", ":").replace("%40", "@");
        return match split_name_at(&inner) {
            Some((_, r)) => source_of_reference(r),
            None => PackageSource::Registry,
        };
    }
    for p in ["file:", "portal:", "link:", "exec:"] {
        if let Some(path) = reference.strip_prefix(p) {
            // `file:../lib#../lib::hash=…&locator=…`: the path, without yarn's bookkeeping.
            let path = path.split("::").next().unwrap_or(path);
            let path = path.split('#').next().unwrap_or(path);
            return PackageSource::Path {
                path: path.to_string(),
            };
        }
    }
    let git = reference.starts_with("git")
        || reference.starts_with("ssh://")
        || reference.contains(".git#")
        || reference.contains("#commit=");
    if git {
        return PackageSource::Git {
            url: reference.to_string(),
        };
    }
    if reference.starts_with("http://") || reference.starts_with("https://") {
        return PackageSource::Url {
            url: reference.to_string(),
        };
    }
    PackageSource::Registry
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_map_to_sources() {
        assert_eq!(source_of_reference("npm:4.17.21"), PackageSource::Registry);
        assert_eq!(
            source_of_reference("patch:lodash@npm%3A4.17.21#./p.patch::version=4.17.21"),
            PackageSource::Registry
        );
        assert!(matches!(
            source_of_reference("https://github.com/u/r.git#commit=abc"),
            PackageSource::Git { .. }
        ));
        assert!(matches!(
            source_of_reference("https://example.com/x-1.0.0.tgz"),
            PackageSource::Url { .. }
        ));
        assert_eq!(
            source_of_reference("portal:../lib::locator=app%40workspace%3A."),
            PackageSource::Path {
                path: "../lib".into()
            }
        );
        assert_eq!(
            source_of_reference("virtual:abc123#npm:1.0.0"),
            PackageSource::Registry
        );
    }
}

//! Whether a lock file still matches its manifest: every runtime dependency declared is locked,
//! at a version the declaration allows, and the lock records no direct dependency the manifest
//! dropped.
//!
//! Only what is certain is reported: declarations from git, URL or path sources, requirements
//! that are not ranges of the ecosystem (`npm:` aliases, dist-tags, markers) and lock entries
//! without a version are never called mismatched.

use std::collections::HashMap;
use std::ops::Range;

use palisade_model::{ManifestKind, PackageSource};

use crate::parse::{ParsedFile, ParsedPackage};
use crate::version::{Requirement, Version};

/// A declared dependency the lock file does not satisfy.
#[derive(Clone, Debug, PartialEq)]
pub struct SyncProblem {
    pub name: String,
    /// `declared ^5.0.0 but the lock has 4.17.21`, `declared but not in the lock`.
    pub detail: String,
    /// The declaration in the manifest. For a direct dependency the lock records but the
    /// manifest no longer declares, there is no declaration to point at: the range is `0..0`
    /// (the start of the manifest), and the lock entry is named in `name`.
    pub range: Range<usize>,
}

/// Compare a manifest (`package.json`, `Pipfile`, `pyproject.toml`) with its lock file.
pub fn check(manifest: &ParsedFile, lock: &ParsedFile) -> Vec<SyncProblem> {
    let ecosystem = manifest.kind.ecosystem();
    if lock.kind.ecosystem() != ecosystem {
        return Vec::new();
    }
    // The lock entry that stands for each name: one marked direct first, else the shallowest
    // (fewest `node_modules/` in its key, for package-lock's nested copies), else the first.
    let mut locked: HashMap<String, &ParsedPackage> = HashMap::new();
    for package in &lock.packages {
        let name = ecosystem.normalize_name(&package.name);
        match locked.get(&name) {
            Some(current) if !better(package, current) => {}
            _ => {
                locked.insert(name, package);
            }
        }
    }

    let mut problems = Vec::new();
    for declared in &manifest.packages {
        if declared.dev || !declared.direct || declared.source != PackageSource::Registry {
            continue;
        }
        let requirement = declared.requirement.as_deref().map(str::trim);
        // An npm alias (`"x": "npm:y@^1"`) may be locked under either name.
        let alias = requirement.and_then(alias_target);
        let entry = locked
            .get(&ecosystem.normalize_name(&declared.name))
            .or_else(|| alias.and_then(|t| locked.get(&ecosystem.normalize_name(t))));
        let Some(entry) = entry else {
            problems.push(SyncProblem {
                name: declared.name.clone(),
                detail: format!(
                    "declared in {} but not in the lock file",
                    manifest.kind.label()
                ),
                range: declared.range.clone(),
            });
            continue;
        };
        if entry.source != PackageSource::Registry {
            continue;
        }
        let (Some(requirement), Some(version)) = (requirement, entry.version.as_deref()) else {
            continue;
        };
        let Some(parsed) = Version::parse(ecosystem, version) else {
            continue;
        };
        let Some(req) = Requirement::parse(ecosystem, requirement) else {
            continue;
        };
        if req.matches(&parsed) == Some(false) {
            problems.push(SyncProblem {
                name: declared.name.clone(),
                detail: format!("declared {requirement} but the lock has {version}"),
                range: declared.range.clone(),
            });
        }
    }

    if records_direct(lock.kind) {
        let declared: std::collections::HashSet<String> = manifest
            .packages
            .iter()
            .flat_map(|p| {
                let alias = p.requirement.as_deref().and_then(alias_target);
                std::iter::once(&*p.name).chain(alias)
            })
            .map(|name| ecosystem.normalize_name(name))
            .collect();
        for entry in &lock.packages {
            // A path or git entry may be the project itself (uv's editable root) or a
            // workspace member; only registry packages are sure to be dependencies.
            if !entry.direct || entry.source != PackageSource::Registry {
                continue;
            }
            if declared.contains(&ecosystem.normalize_name(&entry.name)) {
                continue;
            }
            problems.push(SyncProblem {
                name: entry.name.clone(),
                detail: "locked as a direct dependency but no longer declared".to_owned(),
                range: 0..0,
            });
        }
    }
    problems
}

/// Lock formats that record which packages the project itself declares (package-lock v2/v3's
/// root entry, pnpm's importers, uv's project entry); in the others `direct` is not recorded
/// the same way, so a lock entry cannot be said to be a stale declaration.
fn records_direct(kind: ManifestKind) -> bool {
    matches!(
        kind,
        ManifestKind::PackageLock
            | ManifestKind::NpmShrinkwrap
            | ManifestKind::PnpmLock
            | ManifestKind::UvLock
    )
}

/// The package an npm alias stands for: `real` in `npm:real@^1`, `@scope/real` in
/// `npm:@scope/real@1`.
fn alias_target(requirement: &str) -> Option<&str> {
    let rest = requirement.trim().strip_prefix("npm:")?;
    // A scoped name starts with `@`: the version's `@` is the first one after that.
    let at = rest.get(1..)?.find('@').map_or(rest.len(), |i| i + 1);
    rest.get(..at).filter(|name| !name.is_empty())
}

fn better(candidate: &ParsedPackage, current: &ParsedPackage) -> bool {
    if candidate.direct != current.direct {
        return candidate.direct;
    }
    depth(candidate) < depth(current)
}

fn depth(package: &ParsedPackage) -> usize {
    package.key.matches("node_modules/").count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pkg(name: &str, version: Option<&str>, requirement: Option<&str>) -> ParsedPackage {
        ParsedPackage {
            name: name.to_owned(),
            version: version.map(str::to_owned),
            requirement: requirement.map(str::to_owned),
            source: PackageSource::Registry,
            dev: false,
            direct: true,
            hashes: Vec::new(),
            install_script: false,
            range: 10..20,
            key: name.to_owned(),
            dependencies: Vec::new(),
        }
    }

    fn file(kind: ManifestKind, packages: Vec<ParsedPackage>) -> ParsedFile {
        let mut f = ParsedFile::new(kind);
        f.packages = packages;
        f
    }

    #[test]
    fn npm_mismatch_missing_and_stale() {
        let mut dev = pkg("jest", None, Some("^29"));
        dev.dev = true;
        let manifest = file(
            ManifestKind::PackageJson,
            vec![
                pkg("lodash", None, Some("^5.0.0")),
                pkg("express", None, Some("^4.18.0")),
                pkg("left-pad", None, Some("^1.0.0")),
                pkg("tagged", None, Some("latest")),
                pkg("aliased", None, Some("npm:real-name@^2.0.0")),
                dev,
            ],
        );
        let mut nested = pkg("express", Some("3.0.0"), None);
        nested.direct = false;
        nested.key = "node_modules/a/node_modules/express".to_owned();
        let mut shallow = pkg("lodash", Some("4.17.21"), None);
        shallow.direct = false;
        shallow.key = "node_modules/lodash".to_owned();
        let mut deep = pkg("lodash", Some("5.0.1"), None);
        deep.direct = false;
        deep.key = "node_modules/x/node_modules/lodash".to_owned();
        let lock = file(
            ManifestKind::PackageLock,
            vec![
                deep,
                shallow,
                nested,
                pkg("express", Some("4.19.2"), None),
                pkg("tagged", Some("1.0.0"), None),
                pkg("real-name", Some("2.1.0"), None),
                pkg("removed", Some("1.0.0"), None),
            ],
        );
        let problems = check(&manifest, &lock);
        let details: Vec<(&str, &str)> = problems
            .iter()
            .map(|p| (p.name.as_str(), p.detail.as_str()))
            .collect();
        assert_eq!(
            details,
            vec![
                ("lodash", "declared ^5.0.0 but the lock has 4.17.21"),
                (
                    "left-pad",
                    "declared in package.json but not in the lock file"
                ),
                (
                    "removed",
                    "locked as a direct dependency but no longer declared"
                ),
            ]
        );
        assert_eq!(problems[0].range, 10..20);
        assert_eq!(problems[2].range, 0..0);
    }

    #[test]
    fn alias_targets() {
        assert_eq!(alias_target("npm:real@^1"), Some("real"));
        assert_eq!(alias_target("npm:@scope/real@1.2.3"), Some("@scope/real"));
        assert_eq!(alias_target("npm:real"), Some("real"));
        assert_eq!(alias_target("^1.0.0"), None);
        assert_eq!(alias_target("npm:"), None);
    }

    #[test]
    fn python_names_and_poetry_ranges() {
        let manifest = file(
            ManifestKind::Pyproject,
            vec![
                pkg("Flask_Cors", None, Some("^3.0")),
                pkg("requests", None, Some(">=2.31,<3")),
                pkg("boto3", None, Some("*")),
                pkg("weird", None, Some("not a specifier")),
            ],
        );
        let mut gitpkg = pkg("gitdep", None, Some("^1.0"));
        gitpkg.source = PackageSource::Git {
            url: "https://example.invalid/x.git".to_owned(),
        };
        let mut manifest = manifest;
        manifest.packages.push(gitpkg);
        let lock = file(
            ManifestKind::PoetryLock,
            vec![
                pkg("flask-cors", Some("4.0.0"), None),
                pkg("requests", Some("2.32.3"), None),
                pkg("boto3", Some("1.34.0"), None),
                pkg("weird", Some("1.0"), None),
                pkg("unrelated", Some("1.0"), None),
            ],
        );
        let problems = check(&manifest, &lock);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].name, "Flask_Cors");
        assert_eq!(problems[0].detail, "declared ^3.0 but the lock has 4.0.0");
    }
}

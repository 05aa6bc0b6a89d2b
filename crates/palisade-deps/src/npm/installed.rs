//! Packages installed under a `node_modules` folder.
//!
//! npm 7 and later keep `node_modules/.package-lock.json`, a v3 lock of exactly what is
//! installed; when it is there and readable it is used. Otherwise each package's own
//! `package.json` is read: `node_modules/<name>`, `node_modules/@scope/<name>`, nested
//! `node_modules` folders, and pnpm's store `node_modules/.pnpm/<id>/node_modules/<name>`.
//!
//! Symbolic links are never followed (a link may lead anywhere on the machine), only read:
//! pnpm's layout is made of links into `.pnpm`, and a link whose target stays inside the
//! folder lets a dependency be resolved to the real package it points at.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

use jsonc_parser::ast::Object;
use palisade_model::{ManifestKind, PackageSource};

use super::common::{
    dep_names, get_str, integrity_hashes, json_root, name_from_lock_path, node_resolve, parse_json,
    problem, prop_name, read_spec, source_of_resolved, split_name_at, without_bom,
};
use super::package_lock;
use crate::parse::{
    Installed, InstalledFile, MAX_MANIFEST_BYTES, ParseError, ParseProblem, ParsedFile,
    ParsedPackage,
};

/// Deepest `node_modules` nesting walked.
const MAX_DEPTH: usize = 32;
/// Most packages read from one folder.
const MAX_PACKAGES: usize = 50_000;

pub(crate) fn read_installed(node_modules: &Path) -> Installed {
    let mut out = Installed::default();
    let hidden = node_modules.join(".package-lock.json");
    if is_file(&hidden) {
        match read_text(&hidden).and_then(|text| {
            package_lock::parse(ManifestKind::PackageLock, &text)
                .map(|parsed| (text, parsed))
                .map_err(|e| problem(e.offset(), format!("hidden lock not read: {e}")))
        }) {
            Ok((text, parsed)) => {
                out.problems
                    .extend(parsed.problems.into_iter().map(|p| (hidden.clone(), p)));
                // The text is given once, with the first package: every package of the
                // hidden lock shares it, and a copy per package would cost the file's size
                // times the number of packages.
                let mut text = Some(text);
                for package in parsed.packages {
                    out.files.push(InstalledFile {
                        path: hidden.clone(),
                        text: text.take().unwrap_or_default(),
                        package,
                    });
                }
                return out;
            }
            Err(p) => out.problems.push((hidden.clone(), p)),
        }
    }
    Walk::new(node_modules, &mut out).run();
    out
}

/// Parse one installed package's `package.json` (what [`ManifestKind::NodeModules`] files
/// are).
pub(crate) fn parse(text: &str) -> Result<ParsedFile, ParseError> {
    let mut out = ParsedFile::new(ManifestKind::NodeModules);
    let (mut p, _) = read_package_json(text, None, false)?;
    p.key = match &p.version {
        Some(v) => format!("{}@{v}", p.name),
        None => p.name.clone(),
    };
    out.packages.push(p);
    Ok(out)
}

/// An installed package and the names it depends on (`dependencies` and
/// `optionalDependencies`).
fn read_package_json(
    text: &str,
    folder: Option<&str>,
    binding_gyp: bool,
) -> Result<(ParsedPackage, Vec<String>), ParseError> {
    super::common::check_size(text)?;
    let text = without_bom(text);
    let value = parse_json(&text)?;
    let root = json_root(&value, "package.json")?;
    let name_prop = root.get("name");
    let name = get_str(root, "name").or(folder).ok_or(ParseError::Syntax {
        message: "package.json has no name".into(),
        offset: 0,
    })?;
    let mut hashes = Vec::new();
    if let Some(sri) = get_str(root, "_integrity") {
        hashes = integrity_hashes(sri).0;
    }
    let source = if let Some(r) = get_str(root, "_resolved") {
        source_of_resolved(r)
    } else if let Some(from) = get_str(root, "_from") {
        // `name@range` or a bare spec (`github:u/r`).
        let spec = split_name_at(from).map_or(from, |(_, s)| s);
        read_spec(name, spec).source
    } else {
        PackageSource::Registry
    };
    let range = name_prop.map_or(0..0, |p| p.range.start..p.range.end);
    let mut deps: Vec<String> = Vec::new();
    for field in ["dependencies", "optionalDependencies"] {
        for d in dep_names(root, field) {
            if !deps.iter().any(|x| x == d) {
                deps.push(d.to_string());
            }
        }
    }
    let package = ParsedPackage {
        name: name.to_string(),
        version: get_str(root, "version").map(str::to_string),
        requirement: None,
        source,
        dev: false,
        direct: false,
        hashes,
        install_script: binding_gyp || has_install_script(root),
        range,
        key: String::new(),
        dependencies: Vec::new(),
    };
    Ok((package, deps))
}

fn has_install_script(root: &Object<'_>) -> bool {
    root.get_object("scripts").is_some_and(|s| {
        s.properties.iter().any(|p| {
            matches!(prop_name(p), "preinstall" | "install" | "postinstall")
                && p.value
                    .as_string_lit()
                    .is_some_and(|v| !v.value.trim().is_empty())
        })
    })
}

fn is_file(p: &Path) -> bool {
    std::fs::symlink_metadata(p).is_ok_and(|m| m.is_file())
}

fn is_dir(p: &Path) -> bool {
    std::fs::symlink_metadata(p).is_ok_and(|m| m.is_dir())
}

fn read_text(path: &Path) -> Result<String, ParseProblem> {
    let meta = std::fs::symlink_metadata(path).map_err(|e| problem(0, e.to_string()))?;
    if meta.len() > MAX_MANIFEST_BYTES as u64 {
        return Err(problem(
            0,
            format!("the file is larger than {MAX_MANIFEST_BYTES} bytes"),
        ));
    }
    std::fs::read_to_string(path).map_err(|e| problem(0, e.to_string()))
}

/// `a/./b/../c` → `a/c`, without touching the file system.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

struct Walk<'o> {
    root: PathBuf,
    out: &'o mut Installed,
    /// Each package's declared dependency names, beside `out.files`.
    deps: Vec<Vec<String>>,
    /// Links inside the folder: link key → target key.
    links: Vec<(String, String)>,
    full: bool,
}

impl<'o> Walk<'o> {
    fn new(root: &Path, out: &'o mut Installed) -> Self {
        Walk {
            root: normalize(root),
            out,
            deps: Vec::new(),
            links: Vec::new(),
            full: false,
        }
    }

    fn run(mut self) {
        // (a `node_modules` folder, its key, its depth)
        let mut stack = vec![(self.root.clone(), "node_modules".to_string(), 0usize)];
        while let Some((dir, key, depth)) = stack.pop() {
            if self.full {
                break;
            }
            for (name, path, is_link) in self.list(&dir) {
                if is_link {
                    self.link(&dir, &path, format!("{key}/{name}"));
                    continue;
                }
                if name == ".pnpm" {
                    for (id, store, link) in self.list(&path) {
                        let nm = store.join("node_modules");
                        if !link && is_dir(&nm) {
                            stack.push((nm, format!("{key}/.pnpm/{id}/node_modules"), depth + 1));
                        }
                    }
                    continue;
                }
                if name.starts_with('.') {
                    continue;
                }
                if name.starts_with('@') {
                    for (child, sub, link) in self.list(&path) {
                        let child_key = format!("{key}/{name}/{child}");
                        if link {
                            self.link(&path, &sub, child_key);
                        } else {
                            self.package(&sub, child_key, depth, &mut stack);
                        }
                    }
                    continue;
                }
                self.package(&path, format!("{key}/{name}"), depth, &mut stack);
            }
        }
        self.resolve();
    }

    /// The folders (and links) in a folder, sorted by name; files are left out.
    fn list(&mut self, dir: &Path) -> Vec<(String, PathBuf, bool)> {
        let entries = match std::fs::read_dir(dir) {
            Ok(e) => e,
            Err(e) => {
                self.out
                    .problems
                    .push((dir.to_path_buf(), problem(0, e.to_string())));
                return Vec::new();
            }
        };
        let mut list: Vec<(String, PathBuf, bool)> = entries
            .filter_map(Result::ok)
            .filter_map(|e| {
                let ft = e.file_type().ok()?;
                let name = e.file_name().into_string().ok()?;
                (ft.is_dir() || ft.is_symlink()).then(|| (name, e.path(), ft.is_symlink()))
            })
            .collect();
        list.sort();
        list
    }

    fn link(&mut self, dir: &Path, path: &Path, key: String) {
        let Ok(target) = std::fs::read_link(path) else {
            return;
        };
        let target = normalize(&dir.join(target));
        if let Ok(rel) = target.strip_prefix(&self.root) {
            let parts: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            let mut target_key = "node_modules".to_string();
            for p in parts {
                target_key.push('/');
                target_key.push_str(&p);
            }
            self.links.push((key, target_key));
        }
    }

    fn package(
        &mut self,
        dir: &Path,
        key: String,
        depth: usize,
        stack: &mut Vec<(PathBuf, String, usize)>,
    ) {
        if self.out.files.len() >= MAX_PACKAGES {
            if !self.full {
                self.out.problems.push((
                    self.root.clone(),
                    problem(
                        0,
                        format!("more than {MAX_PACKAGES} packages; the rest were not read"),
                    ),
                ));
            }
            self.full = true;
            return;
        }
        let manifest = dir.join("package.json");
        if !is_file(&manifest) {
            self.out.problems.push((
                dir.to_path_buf(),
                problem(0, "an installed folder without a package.json was skipped"),
            ));
        } else {
            let folder = name_from_lock_path(&key).map(str::to_string);
            let binding_gyp = is_file(&dir.join("binding.gyp"));
            let read = read_text(&manifest).and_then(|text| {
                read_package_json(&text, folder.as_deref(), binding_gyp)
                    .map(|r| (text, r))
                    .map_err(|e| problem(e.offset(), e.to_string()))
            });
            match read {
                Ok((text, (mut package, deps))) => {
                    package.key = key.clone();
                    self.deps.push(deps);
                    self.out.files.push(InstalledFile {
                        path: manifest,
                        text,
                        package,
                    });
                }
                Err(p) => self.out.problems.push((manifest, p)),
            }
        }
        let nested = dir.join("node_modules");
        if is_dir(&nested) {
            if depth + 1 > MAX_DEPTH {
                self.out.problems.push((
                    nested,
                    problem(
                        0,
                        format!("node_modules nested deeper than {MAX_DEPTH}; not read"),
                    ),
                ));
            } else {
                stack.push((nested, format!("{key}/node_modules"), depth + 1));
            }
        }
    }

    /// Each package's dependencies, resolved the way Node does, through links inside the
    /// folder.
    fn resolve(&mut self) {
        let mut index: HashMap<String, usize> = self
            .out
            .files
            .iter()
            .enumerate()
            .map(|(i, f)| (f.package.key.clone(), i))
            .collect();
        for (link, target) in &self.links {
            if let Some(&i) = index.get(target) {
                index.entry(link.clone()).or_insert(i);
            }
        }
        let mut edges = Vec::with_capacity(self.deps.len());
        for (f, deps) in self.out.files.iter().zip(&self.deps) {
            let mut keys: Vec<String> = Vec::new();
            for d in deps {
                if let Some(k) = node_resolve(&index, &f.package.key, d)
                    .and_then(|k| index.get(k))
                    .and_then(|&i| self.out.files.get(i))
                    .map(|t| t.package.key.clone())
                    && !keys.contains(&k)
                {
                    keys.push(k);
                }
            }
            edges.push(keys);
        }
        for (f, keys) in self.out.files.iter_mut().zip(edges) {
            f.package.dependencies = keys;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_normalize_lexically() {
        assert_eq!(normalize(Path::new("a/b/../c/./d")), PathBuf::from("a/c/d"));
        assert_eq!(normalize(Path::new("../x")), PathBuf::from("../x"));
    }

    #[test]
    fn install_scripts_and_sources_from_package_json() {
        let text = r#"{"name":"x","version":"1.0.0","scripts":{"postinstall":"node x.js"},
            "_resolved":"git+https://github.com/u/x.git#abc","dependencies":{"y":"^1"}}"#;
        let (p, deps) = read_package_json(text, None, false).unwrap();
        assert!(p.install_script);
        assert!(matches!(p.source, PackageSource::Git { .. }));
        assert_eq!(deps, vec!["y"]);
        let (p, _) = read_package_json(r#"{"scripts":{"test":"x"}}"#, Some("f"), false).unwrap();
        assert_eq!(p.name, "f");
        assert!(!p.install_script);
    }
}

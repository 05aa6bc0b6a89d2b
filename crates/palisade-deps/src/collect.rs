//! From a code folder to the packages it ships: which manifests, lock files and installed
//! packages it holds, which of them is the truth for each ecosystem, and how the others
//! compare with it.
//!
//! The truth, per ecosystem, is the first of: what is installed in the folder (it is what the
//! zip will carry), a lock file, the manifest's ranges. Manifests still say which packages
//! are direct and which are for development when the truth does not.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use palisade_model::{
    Diagnostic, Ecosystem, Manifest, ManifestKind, Package, SourceMap, Span, SyncIssue,
};

use crate::parse::{Installed, MAX_MANIFEST_BYTES, ParsedFile, ParsedPackage};
use crate::{npm, python, sync, typosquat};

/// `-r` includes followed at most this deep.
const MAX_INCLUDE_DEPTH: usize = 8;

/// Lock files in the order they are preferred when a folder has several.
const NPM_LOCKS: [ManifestKind; 4] = [
    ManifestKind::NpmShrinkwrap,
    ManifestKind::PackageLock,
    ManifestKind::PnpmLock,
    ManifestKind::YarnClassic,
];
const PY_LOCKS: [ManifestKind; 3] = [
    ManifestKind::PoetryLock,
    ManifestKind::UvLock,
    ManifestKind::PipfileLock,
];

/// What a folder ships, before vulnerabilities are matched.
#[derive(Clone, Debug, Default)]
pub struct Collected {
    pub manifests: Vec<Manifest>,
    pub packages: Vec<Package>,
    pub sync_issues: Vec<SyncIssue>,
    pub diagnostics: Vec<Diagnostic>,
}

/// One parsed file, registered in the source map.
struct Loaded {
    file: ParsedFile,
    manifest: Manifest,
}

struct Ctx<'a> {
    sources: &'a SourceMap,
    /// The scan root on disk: includes never leave it.
    root: &'a Path,
    out: Collected,
    /// Files already registered (two functions may share a folder's manifest).
    seen: HashSet<PathBuf>,
}

impl Ctx<'_> {
    fn rel(&self, path: &Path) -> String {
        path.strip_prefix(self.root)
            .unwrap_or(path)
            .to_string_lossy()
            .replace('\\', "/")
    }

    fn register(&mut self, path: &Path, text: Arc<str>) -> (palisade_model::FileId, String) {
        let rel = self.rel(path);
        (self.sources.add(rel.clone(), path, text), rel)
    }

    fn problem(&mut self, rel: &str, file: palisade_model::FileId, offset: usize, message: String) {
        let position = self.sources.get(file).map(|f| f.line_col(offset as u32));
        self.out
            .diagnostics
            .push(Diagnostic::warning(rel.to_string(), position, message));
    }

    /// Read and parse one file; a file that cannot be read or parsed is a diagnostic.
    fn load(&mut self, path: &Path, kind: ManifestKind) -> Option<Loaded> {
        // By the file, not the spelling: `-r sub/../requirements.txt` and a symlink are the
        // same file, read once (an include cycle ends here).
        let canonical = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
        if !self.seen.insert(canonical) {
            return None;
        }
        let text = match read_text(path) {
            Ok(t) => t,
            Err(message) => {
                self.out.diagnostics.push(Diagnostic::error(
                    self.rel(path),
                    None,
                    format!("cannot read this {}: {message}", kind.label()),
                ));
                return None;
            }
        };
        let text: Arc<str> = Arc::from(text);
        let parsed = match kind.ecosystem() {
            Ecosystem::Npm => npm::parse(kind, &text),
            Ecosystem::PyPI => python::parse(kind, &text),
        };
        let (file, rel) = self.register(path, text);
        match parsed {
            Ok(parsed) => {
                for p in &parsed.problems {
                    self.problem(&rel, file, p.offset, p.message.clone());
                }
                Some(Loaded {
                    manifest: Manifest {
                        path: rel,
                        kind,
                        span: Span::new(file, 0, 0),
                    },
                    file: parsed,
                })
            }
            Err(e) => {
                let position = self
                    .sources
                    .get(file)
                    .map(|f| f.line_col(e.offset() as u32));
                self.out.diagnostics.push(Diagnostic::error(
                    rel,
                    position,
                    format!("cannot read this {}: {e}", kind.label()),
                ));
                None
            }
        }
    }

    /// Packages found installed, as one manifest per walk.
    fn installed(
        &mut self,
        found: Installed,
        kind: ManifestKind,
        folder: &Path,
    ) -> (Vec<Package>, Vec<usize>) {
        for (path, p) in &found.problems {
            let rel = self.rel(path);
            self.out.diagnostics.push(Diagnostic::warning(
                rel,
                None,
                format!("skipped an installed package: {}", p.message),
            ));
        }
        if found.files.is_empty() {
            return (Vec::new(), Vec::new());
        }
        let index = self.out.manifests.len();
        self.out.manifests.push(Manifest {
            path: self.rel(folder),
            kind,
            span: Span::default(),
        });
        let mut files: HashMap<PathBuf, palisade_model::FileId> = HashMap::new();
        let mut parsed = ParsedFile::new(kind);
        let mut spans = Vec::new();
        for f in found.files {
            let file = match files.get(&f.path) {
                Some(id) => *id,
                None => {
                    let (id, _) = self.register(&f.path, Arc::from(f.text));
                    files.insert(f.path.clone(), id);
                    id
                }
            };
            spans.push(Span::new(file, f.package.range.start, f.package.range.end));
            parsed.packages.push(f.package);
        }
        if let (Some(m), Some(first)) = (self.out.manifests.get_mut(index), spans.first()) {
            m.span = Span::new(first.file, 0, 0);
        }
        let packages = to_model(&parsed, index, |i, _| {
            spans.get(i).copied().unwrap_or_default()
        });
        (packages, depths(&parsed))
    }
}

fn read_text(path: &Path) -> Result<String, String> {
    let meta = std::fs::metadata(path).map_err(|e| e.to_string())?;
    if meta.len() > MAX_MANIFEST_BYTES as u64 {
        return Err(format!("larger than {MAX_MANIFEST_BYTES} bytes"));
    }
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    String::from_utf8(bytes)
        .map_err(|e| format!("not UTF-8 text (byte {})", e.utf8_error().valid_up_to()))
}

/// Model packages from a parsed file; `span_of(index, package)` places each.
fn to_model(
    parsed: &ParsedFile,
    manifest: usize,
    span_of: impl Fn(usize, &ParsedPackage) -> Span,
) -> Vec<Package> {
    let eco = parsed.kind.ecosystem();
    let by_key: HashMap<&str, usize> = parsed
        .packages
        .iter()
        .enumerate()
        .map(|(i, p)| (p.key.as_str(), i))
        .collect();
    parsed
        .packages
        .iter()
        .enumerate()
        .map(|(i, p)| Package {
            ecosystem: eco,
            name: p.name.clone(),
            version: p.version.clone(),
            requirement: p.requirement.clone(),
            source: p.source.clone(),
            dev: p.dev,
            direct: p.direct,
            hashes: p.hashes.clone(),
            install_script: p.install_script,
            manifest,
            span: span_of(i, p),
            dependencies: p
                .dependencies
                .iter()
                .filter_map(|k| by_key.get(k.as_str()).copied())
                .collect(),
            lookalike_of: None,
        })
        .collect()
}

fn loaded_packages(loaded: &Loaded, manifest: usize) -> Vec<Package> {
    let file = loaded.manifest.span.file;
    to_model(&loaded.file, manifest, |_, p| {
        Span::new(file, p.range.start, p.range.end)
    })
}

/// How deep each package is installed (`node_modules/a/node_modules/b` is 2): of several
/// copies of one name, the shallowest is the one the project declares.
fn depths(parsed: &ParsedFile) -> Vec<usize> {
    parsed
        .packages
        .iter()
        .map(|p| p.key.matches("node_modules/").count())
        .collect()
}

/// Mark which packages a manifest declares (direct) and, when the package list itself says
/// nothing of development dependencies (yarn, a `node_modules` walk, installed Python packages,
/// poetry locks before 2.0), which are only reachable from the manifest's development ones.
fn apply_roots(packages: &mut [Package], depths: &[usize], manifest: &ParsedFile) {
    let compute_dev = !packages.iter().any(|p| p.dev);
    let eco = manifest.kind.ecosystem();
    let mut runtime_roots = Vec::new();
    let mut dev_roots = Vec::new();
    let mut index: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, p) in packages.iter().enumerate() {
        index
            .entry(eco.normalize_name(&p.name))
            .or_default()
            .push(i);
    }
    for d in manifest.packages.iter().filter(|d| d.direct) {
        let Some(found) = index.get(&eco.normalize_name(&d.name)) else {
            continue;
        };
        // With several versions installed, the shallowest is the declared one.
        let Some(&i) = found
            .iter()
            .min_by_key(|&&i| (depths.get(i).copied().unwrap_or(0), i))
        else {
            continue;
        };
        if let Some(p) = packages.get_mut(i) {
            p.direct = true;
            if p.requirement.is_none() {
                p.requirement = d.requirement.clone();
            }
        }
        if d.dev {
            dev_roots.push(i);
        } else {
            runtime_roots.push(i);
        }
    }
    if !compute_dev || (runtime_roots.is_empty() && dev_roots.is_empty()) {
        return;
    }
    let runtime = reachable(packages, &runtime_roots);
    let dev = reachable(packages, &dev_roots);
    for (i, p) in packages.iter_mut().enumerate() {
        p.dev = dev.contains(&i) && !runtime.contains(&i);
    }
}

fn reachable(packages: &[Package], roots: &[usize]) -> HashSet<usize> {
    let mut seen: HashSet<usize> = HashSet::new();
    let mut stack: Vec<usize> = roots.to_vec();
    while let Some(i) = stack.pop() {
        if !seen.insert(i) {
            continue;
        }
        if let Some(p) = packages.get(i) {
            stack.extend(p.dependencies.iter().copied().filter(|d| !seen.contains(d)));
        }
    }
    seen
}

/// The files of a folder, by kind (several `requirements*.txt` may exist).
fn files_of(folder: &Path) -> Vec<(PathBuf, ManifestKind)> {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return Vec::new();
    };
    let mut out: Vec<(PathBuf, ManifestKind)> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let kind = if name == "yarn.lock" {
                let head = read_head(&e.path());
                npm::kind_of(&name, &head)
            } else {
                npm::kind_of(&name, "").or_else(|| python::kind_of(&name, ""))
            }?;
            Some((e.path(), kind))
        })
        .collect();
    out.sort();
    out
}

fn read_head(path: &Path) -> String {
    use std::io::Read;
    let mut buf = vec![0u8; 1024];
    let n = std::fs::File::open(path)
        .and_then(|mut f| f.read(&mut buf))
        .unwrap_or(0);
    buf.truncate(n);
    String::from_utf8_lossy(&buf).into_owned()
}

/// True when the folder holds anything this module reads.
fn has_manifests(folder: &Path) -> bool {
    !files_of(folder).is_empty()
        || folder.join("node_modules").is_dir()
        || std::fs::read_dir(folder).is_ok_and(|rd| {
            rd.filter_map(Result::ok).any(|e| {
                let n = e.file_name().to_string_lossy().into_owned();
                n.ends_with(".dist-info") || n == "python"
            })
        })
}

/// The folder whose manifests describe code in `code_dir`: the code folder itself, or the
/// nearest parent inside the scan root that has manifests (a `CodeUri: src/` whose
/// `package.json` sits at the project root).
pub fn manifest_folder(code_dir: &Path, root: &Path) -> Option<PathBuf> {
    let mut dir = Some(code_dir);
    while let Some(d) = dir {
        if !d.starts_with(root) {
            return None;
        }
        if has_manifests(d) {
            return Some(d.to_path_buf());
        }
        if d == root {
            return None;
        }
        dir = d.parent();
    }
    None
}

/// Everything `folder` ships.
pub fn collect(folder: &Path, root: &Path, sources: &SourceMap) -> Collected {
    let mut cx = Ctx {
        sources,
        root,
        out: Collected::default(),
        seen: HashSet::new(),
    };
    let files = files_of(folder);
    let mut npm_packages = collect_npm(&mut cx, folder, &files);
    let mut py_packages = collect_python(&mut cx, folder, &files);
    let mut packages = std::mem::take(&mut npm_packages);
    let offset = packages.len();
    for p in &mut py_packages {
        for d in &mut p.dependencies {
            *d += offset;
        }
    }
    packages.append(&mut py_packages);
    for p in packages.iter_mut().filter(|p| p.direct && !p.dev) {
        p.lookalike_of = typosquat::lookalike(p.ecosystem, &p.name).map(str::to_string);
    }
    cx.out.packages = packages;
    cx.out
}

fn find(files: &[(PathBuf, ManifestKind)], kind: ManifestKind) -> Option<&Path> {
    files
        .iter()
        .find(|(_, k)| *k == kind)
        .map(|(p, _)| p.as_path())
}

fn sync_issues(cx: &mut Ctx<'_>, manifest: &Loaded, lock: &Loaded, lock_index: usize) {
    for problem in sync::check(&manifest.file, &lock.file) {
        cx.out.sync_issues.push(SyncIssue {
            name: problem.name,
            detail: problem.detail,
            span: Span::new(
                manifest.manifest.span.file,
                problem.range.start,
                problem.range.end,
            ),
            lock: lock_index,
        });
    }
}

fn push_manifest(cx: &mut Ctx<'_>, loaded: &Loaded) -> usize {
    cx.out.manifests.push(loaded.manifest.clone());
    cx.out.manifests.len() - 1
}

fn collect_npm(cx: &mut Ctx<'_>, folder: &Path, files: &[(PathBuf, ManifestKind)]) -> Vec<Package> {
    let manifest =
        find(files, ManifestKind::PackageJson).and_then(|p| cx.load(p, ManifestKind::PackageJson));
    let lock = NPM_LOCKS
        .iter()
        .chain([ManifestKind::YarnBerry].iter())
        .find_map(|k| find(files, *k).map(|p| (p.to_path_buf(), *k)))
        .and_then(|(p, k)| cx.load(&p, k));
    let manifest_index = manifest.as_ref().map(|m| push_manifest(cx, m));
    let lock_index = lock.as_ref().map(|l| push_manifest(cx, l));
    if let (Some(m), Some(l), Some(li)) = (&manifest, &lock, lock_index) {
        sync_issues(cx, m, l, li);
    }
    let node_modules = folder.join("node_modules");
    let (installed, installed_depths) = if node_modules.is_dir() {
        let found = npm::read_installed(&node_modules);
        cx.installed(found, ManifestKind::NodeModules, &node_modules)
    } else {
        (Vec::new(), Vec::new())
    };
    let (mut packages, depths) = if !installed.is_empty() {
        (installed, installed_depths)
    } else if let (Some(l), Some(li)) = (&lock, lock_index) {
        (loaded_packages(l, li), depths(&l.file))
    } else if let (Some(m), Some(mi)) = (&manifest, manifest_index) {
        return loaded_packages(m, mi);
    } else {
        return Vec::new();
    };
    if let Some(m) = &manifest {
        apply_roots(&mut packages, &depths, &m.file);
    }
    packages
}

/// Requirements files and the files they include, each a manifest.
fn requirements(cx: &mut Ctx<'_>, entry: &Path, depth: usize, out: &mut Vec<Package>) {
    if depth > MAX_INCLUDE_DEPTH {
        return;
    }
    let Some(loaded) = cx.load(entry, ManifestKind::Requirements) else {
        return;
    };
    let index = push_manifest(cx, &loaded);
    let name = entry
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    // `requirements-dev.txt`, `requirements_test.txt`, `dev-requirements.txt`: not deployed.
    // Whole words only: `requirements-docker.txt` and `requirements-latest.txt` are deployed.
    let dev = name
        .trim_end_matches(".txt")
        .split(['-', '_', '.'])
        .any(|w| {
            matches!(
                w,
                "dev"
                    | "devel"
                    | "develop"
                    | "development"
                    | "test"
                    | "tests"
                    | "testing"
                    | "lint"
                    | "docs"
                    | "doc"
                    | "ci"
            )
        });
    let offset = out.len();
    let mut packages = loaded_packages(&loaded, index);
    for p in &mut packages {
        p.dev |= dev;
        for d in &mut p.dependencies {
            *d += offset;
        }
    }
    out.extend(packages);
    let dir = entry.parent().unwrap_or(cx.root).to_path_buf();
    for include in &loaded.file.includes {
        if include.constraints {
            continue;
        }
        let target = dir.join(&include.path);
        let inside = target
            .canonicalize()
            .ok()
            .zip(cx.root.canonicalize().ok())
            .is_some_and(|(t, r)| t.starts_with(r));
        if !inside {
            let file = loaded.manifest.span.file;
            let rel = loaded.manifest.path.clone();
            cx.problem(
                &rel,
                file,
                include.range.start,
                format!(
                    "`{}` is not read: it is missing or outside the scanned folder",
                    include.path
                ),
            );
            continue;
        }
        requirements(cx, &target, depth + 1, out);
    }
}

fn collect_python(
    cx: &mut Ctx<'_>,
    folder: &Path,
    files: &[(PathBuf, ManifestKind)],
) -> Vec<Package> {
    let (installed, installed_depths) = {
        let found = python::read_installed(folder);
        cx.installed(found, ManifestKind::SitePackages, folder)
    };
    let lock = PY_LOCKS
        .iter()
        .find_map(|k| find(files, *k).map(|p| (p.to_path_buf(), *k)))
        .and_then(|(p, k)| cx.load(&p, k));
    // The manifest a lock belongs to.
    let manifest_kind = match lock.as_ref().map(|l| l.file.kind) {
        Some(ManifestKind::PipfileLock) => Some(ManifestKind::Pipfile),
        Some(_) => Some(ManifestKind::Pyproject),
        None => None,
    };
    let manifest = manifest_kind
        .and_then(|k| find(files, k).map(|p| (p.to_path_buf(), k)))
        .and_then(|(p, k)| cx.load(&p, k));
    if let Some(m) = &manifest {
        push_manifest(cx, m);
    }
    let lock_index = lock.as_ref().map(|l| push_manifest(cx, l));
    if let (Some(m), Some(l), Some(li)) = (&manifest, &lock, lock_index) {
        sync_issues(cx, m, l, li);
    }
    if !installed.is_empty() {
        let mut packages = installed;
        if let Some(m) = manifest.as_ref().or(lock.as_ref()) {
            apply_roots(&mut packages, &installed_depths, &m.file);
        }
        return packages;
    }
    if let (Some(l), Some(li)) = (&lock, lock_index) {
        let mut packages = loaded_packages(l, li);
        if let Some(m) = &manifest {
            apply_roots(&mut packages, &depths(&l.file), &m.file);
        }
        return packages;
    }
    let reqs: Vec<PathBuf> = files
        .iter()
        .filter(|(_, k)| *k == ManifestKind::Requirements)
        .map(|(p, _)| p.clone())
        .collect();
    if !reqs.is_empty() {
        let mut out = Vec::new();
        for r in reqs {
            requirements(cx, &r, 0, &mut out);
        }
        return out;
    }
    for kind in [ManifestKind::Pipfile, ManifestKind::Pyproject] {
        if let Some(loaded) = find(files, kind).and_then(|p| cx.load(p, kind)) {
            let index = push_manifest(cx, &loaded);
            return loaded_packages(&loaded, index);
        }
    }
    Vec::new()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use std::fs;

    use palisade_model::SourceMap;

    use super::collect;

    fn write(dir: &std::path::Path, name: &str, text: &str) {
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).unwrap();
        }
        fs::write(path, text).unwrap();
    }

    fn dev_of(c: &super::Collected, name: &str) -> Vec<(Option<String>, bool, bool)> {
        c.packages
            .iter()
            .filter(|p| p.name == name)
            .map(|p| (p.version.clone(), p.direct, p.dev))
            .collect()
    }

    #[test]
    fn an_include_cycle_is_read_once_whatever_the_spelling() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("fn");
        let includes: String = (1..=6)
            .map(|i| {
                fs::create_dir_all(dir.join(format!("d{i}"))).unwrap();
                format!("-r d{i}/../requirements.txt\n")
            })
            .collect();
        write(
            &dir,
            "requirements.txt",
            &format!("{includes}requests==2.31.0\n"),
        );
        let c = collect(&dir, root.path(), &SourceMap::new());
        assert_eq!(c.manifests.len(), 1, "{:?}", c.manifests);
        assert_eq!(c.packages.len(), 1);
    }

    #[test]
    fn the_shallowest_copy_is_the_declared_one_and_dev_comes_from_the_manifest() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path();
        write(
            dir,
            "package.json",
            r#"{"dependencies": {"b": "^2.0.0"}, "devDependencies": {"a": "^1.0.0", "d": "^1.0.0"}}"#,
        );
        // npm sorts keys by path: the nested copy of b comes before the top-level one.
        write(
            dir,
            "node_modules/.package-lock.json",
            r#"{"name": "x", "lockfileVersion": 3, "requires": true, "packages": {
  "node_modules/a": {"version": "1.0.0", "dependencies": {"b": "^1.0.0"}},
  "node_modules/a/node_modules/b": {"version": "1.0.0"},
  "node_modules/b": {"version": "2.0.0", "dependencies": {"lodash": "^4.17.0"}},
  "node_modules/d": {"version": "1.0.0", "dependencies": {"lodash": "^4.17.0"}},
  "node_modules/lodash": {"version": "4.17.20"}
}}"#,
        );
        let c = collect(dir, dir, &SourceMap::new());
        assert_eq!(
            dev_of(&c, "b"),
            vec![
                (Some("1.0.0".into()), false, true),
                (Some("2.0.0".into()), true, false)
            ]
        );
        assert_eq!(
            dev_of(&c, "lodash"),
            vec![(Some("4.17.20".into()), false, false)]
        );
    }

    #[test]
    fn poetry_locks_without_groups_take_dev_from_pyproject() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path();
        write(
            dir,
            "pyproject.toml",
            "[tool.poetry]\nname = \"x\"\nversion = \"0.1.0\"\n\n[tool.poetry.dependencies]\npython = \"^3.12\"\nrequests = \"^2.31\"\n\n[tool.poetry.group.dev.dependencies]\npyyaml = \"5.3\"\n",
        );
        // Poetry 1.5-1.8: lock-version 2.0, no `groups` on packages.
        write(
            dir,
            "poetry.lock",
            "[[package]]\nname = \"pyyaml\"\nversion = \"5.3\"\ndescription = \"\"\noptional = false\npython-versions = \"*\"\nfiles = []\n\n[[package]]\nname = \"requests\"\nversion = \"2.31.0\"\ndescription = \"\"\noptional = false\npython-versions = \">=3.7\"\nfiles = []\n\n[metadata]\nlock-version = \"2.0\"\npython-versions = \"^3.12\"\ncontent-hash = \"0\"\n",
        );
        let c = collect(dir, dir, &SourceMap::new());
        assert_eq!(dev_of(&c, "pyyaml"), vec![(Some("5.3".into()), true, true)]);
        assert_eq!(
            dev_of(&c, "requests"),
            vec![(Some("2.31.0".into()), true, false)]
        );
    }

    #[test]
    fn only_whole_words_make_a_requirements_file_dev() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path();
        write(dir, "requirements-docker.txt", "requests==2.25.1\n");
        write(dir, "requirements-latest.txt", "pyyaml==5.3\n");
        write(dir, "requirements-dev.txt", "pytest==8.3.3\n");
        write(dir, "test_requirements.txt", "moto==5.0.0\n");
        let c = collect(dir, dir, &SourceMap::new());
        let dev: Vec<(&str, bool)> = c
            .packages
            .iter()
            .map(|p| (p.name.as_str(), p.dev))
            .collect();
        assert!(dev.contains(&("requests", false)), "{dev:?}");
        assert!(dev.contains(&("pyyaml", false)), "{dev:?}");
        assert!(dev.contains(&("pytest", true)), "{dev:?}");
        assert!(dev.contains(&("moto", true)), "{dev:?}");
    }
}

//! Reading a root module and the local modules it calls: every `.tf` file parsed once, each
//! registered in the scan's [`SourceMap`] and given a base in one [`FileMap`], so that one
//! global offset names one byte of one file.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use hcl_edit::structure::{Block, Body, Structure};
use palisade_model::{Diagnostic, FileId, LineCol, SourceMap};

use crate::cfn::FileMap;
use crate::{LoadError, LoadSettings};

/// Deepest chain of local module calls read.
pub(crate) const MAX_MODULE_DEPTH: usize = 16;

/// One parsed `.tf` (or `.tfvars`) file.
pub(crate) struct SrcFile {
    pub text: Arc<str>,
    pub body: Body,
    /// Added to the parser's byte offsets to get global offsets.
    pub base: usize,
}

/// How a `module` block's `source` was resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Target {
    /// A local module that was read: its index in [`Project::modules`].
    Local(usize),
    /// A registry, git or other remote module, or a local one that could not be read.
    Remote,
}

/// One module folder, read.
pub(crate) struct ModuleSrc {
    /// Folder relative to the root module's folder, `/` separated; empty for the root module.
    pub rel_dir: String,
    pub files: Vec<SrcFile>,
    /// Module call name to its target.
    pub calls: BTreeMap<String, Target>,
}

/// Everything read from disk for one root module.
pub(crate) struct Project {
    /// The root module first.
    pub modules: Vec<ModuleSrc>,
    pub files: FileMap,
    pub errors: Vec<LoadError>,
    pub diagnostics: Vec<Diagnostic>,
    /// The scan root, canonical: files outside it are never read.
    pub root: PathBuf,
    /// The root module's folder, canonical.
    pub root_dir: PathBuf,
    next_base: usize,
    by_dir: BTreeMap<PathBuf, usize>,
}

impl Project {
    pub fn new(dir: &Path, rel: &str) -> Project {
        let root_dir = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
        let mut root = root_dir.clone();
        for part in rel.split('/').filter(|p| !p.is_empty() && *p != ".") {
            if part == ".." {
                continue;
            }
            if let Some(parent) = root.parent() {
                root = parent.to_path_buf();
            }
        }
        Project {
            modules: Vec::new(),
            files: FileMap::new(),
            errors: Vec::new(),
            diagnostics: Vec::new(),
            root,
            root_dir,
            next_base: 0,
            by_dir: BTreeMap::new(),
        }
    }

    /// Path of a file relative to the scan root, `/` separated.
    pub fn rel_path(&self, path: &Path) -> String {
        let canonical = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
        match canonical.strip_prefix(&self.root) {
            Ok(r) => slash(r),
            Err(_) => path.display().to_string(),
        }
    }

    /// Register a text in the source map and the file map; its base.
    pub fn register(
        &mut self,
        path: &Path,
        rel: &str,
        text: &Arc<str>,
        sources: &SourceMap,
    ) -> Option<(FileId, usize)> {
        let file = sources.add(rel.to_string(), path, Arc::clone(text));
        let source = sources.get(file)?;
        let base = self.next_base;
        self.next_base = self.files.push(base, file, source);
        Some((file, base))
    }

    /// Read a text file within the limits; problems become errors and `None`.
    pub fn read(&mut self, path: &Path, rel: &str, settings: &LoadSettings) -> Option<String> {
        match crate::read_text(path, rel, settings) {
            Ok(Some(text)) => Some(
                text.strip_prefix('\u{feff}')
                    .map(str::to_string)
                    .unwrap_or(text),
            ),
            Ok(None) => {
                self.diagnostics.push(Diagnostic::warning(
                    rel,
                    None,
                    "file over the size limit; it was not read",
                ));
                None
            }
            Err(e) => {
                self.errors.push(e);
                None
            }
        }
    }

    /// Parse a text; a syntax error becomes a [`LoadError::Hcl`].
    pub fn parse(&mut self, text: &str, rel: &str) -> Option<Body> {
        match hcl_edit::parser::parse_body(text) {
            Ok(body) => Some(body),
            Err(e) => {
                let at = e.location();
                self.errors.push(LoadError::Hcl {
                    path: rel.to_string(),
                    position: Some(LineCol {
                        line: u32::try_from(at.line()).unwrap_or(u32::MAX),
                        col: u32::try_from(at.column()).unwrap_or(u32::MAX),
                    }),
                    message: format!("HCL syntax error: {}", e.message()),
                });
                None
            }
        }
    }

    /// Read the root module in `dir`: its `.tf` files, the main one first.
    pub fn load_root(&mut self, dir: &Path, rel: &str, sources: &SourceMap, s: &LoadSettings) {
        let mut parsed = Vec::new();
        for (name, path) in tf_files(dir, "tf") {
            let file_rel = crate::join_rel(rel, &name);
            let Some(text) = self.read(&path, &file_rel, s) else {
                continue;
            };
            let body = self.parse(&text, &file_rel);
            parsed.push((name, path, file_rel, Arc::<str>::from(text), body));
        }
        for (name, _) in tf_files(dir, "tf.json") {
            self.diagnostics.push(Diagnostic::note(
                crate::join_rel(rel, &name),
                None,
                "Terraform JSON configuration (.tf.json) is not read yet; only .tf files are",
            ));
        }
        // The app's main file: `main.tf`, else the first file declaring a resource.
        let main = parsed
            .iter()
            .position(|p| p.0 == "main.tf")
            .or_else(|| {
                parsed.iter().position(|p| {
                    p.4.as_ref()
                        .is_some_and(|b| b.blocks().any(|b| b.ident.as_str() == "resource"))
                })
            })
            .unwrap_or(0);
        if main < parsed.len() {
            let m = parsed.remove(main);
            parsed.insert(0, m);
        }
        let mut files = Vec::new();
        for (_, path, file_rel, text, body) in parsed {
            let Some((_, base)) = self.register(&path, &file_rel, &text, sources) else {
                continue;
            };
            if let Some(body) = body {
                files.push(SrcFile { text, body, base });
            }
        }
        self.by_dir.insert(self.root_dir.clone(), 0);
        self.modules.push(ModuleSrc {
            rel_dir: String::new(),
            files,
            calls: BTreeMap::new(),
        });
    }

    /// Read the local modules called from the root module, breadth first, each folder once.
    pub fn load_modules(&mut self, sources: &SourceMap, s: &LoadSettings) {
        let mut queue = std::collections::VecDeque::from([(0usize, self.root_dir.clone(), 0usize)]);
        while let Some((id, dir, depth)) = queue.pop_front() {
            for (name, source, at) in self.module_calls(id) {
                let (target, new_dir) = self.resolve_call(&dir, &source, at, depth, sources, s);
                if let (Target::Local(child), Some(child_dir)) = (&target, new_dir) {
                    queue.push_back((*child, child_dir, depth + 1));
                }
                if let Some(m) = self.modules.get_mut(id) {
                    m.calls.insert(name, target);
                }
            }
        }
    }

    /// `(name, source, offset of the block)` of every `module` block of a module.
    fn module_calls(&self, id: usize) -> Vec<(String, String, usize)> {
        let Some(m) = self.modules.get(id) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for f in &m.files {
            for block in f.body.blocks().filter(|b| b.ident.as_str() == "module") {
                let Some(name) = block.labels.first() else {
                    continue;
                };
                let source = literal_attr(block, "source").unwrap_or_default();
                let at = f.base + block_start(block);
                out.push((name.as_str().to_string(), source, at));
            }
        }
        out
    }

    fn resolve_call(
        &mut self,
        dir: &Path,
        source: &str,
        at: usize,
        depth: usize,
        sources: &SourceMap,
        s: &LoadSettings,
    ) -> (Target, Option<PathBuf>) {
        if !is_local_source(source) {
            return (Target::Remote, None);
        }
        let joined = dir.join(source);
        let Ok(child) = joined.canonicalize() else {
            self.warn(
                at,
                format!("local module `{source}` not found; its resources are not read"),
            );
            return (Target::Remote, None);
        };
        if !child.starts_with(&self.root) {
            self.warn(
                at,
                format!("local module `{source}` is outside the scanned folder; it was not read"),
            );
            return (Target::Remote, None);
        }
        if let Some(id) = self.by_dir.get(&child) {
            return (Target::Local(*id), None);
        }
        if depth + 1 >= MAX_MODULE_DEPTH {
            self.warn(
                at,
                format!(
                    "local modules nested deeper than {MAX_MODULE_DEPTH} levels; `{source}` was \
                     not read"
                ),
            );
            return (Target::Remote, None);
        }
        let id = self.modules.len();
        self.by_dir.insert(child.clone(), id);
        let rel_dir = relative(&self.root_dir, &child);
        let mut files = Vec::new();
        for (_, path) in tf_files(&child, "tf") {
            let rel = self.rel_path(&path);
            let Some(text) = self.read(&path, &rel, s) else {
                continue;
            };
            let text: Arc<str> = Arc::from(text);
            let Some((_, base)) = self.register(&path, &rel, &text, sources) else {
                continue;
            };
            if let Some(body) = self.parse(&text, &rel) {
                files.push(SrcFile { text, body, base });
            }
        }
        self.modules.push(ModuleSrc {
            rel_dir,
            files,
            calls: BTreeMap::new(),
        });
        (Target::Local(id), Some(child))
    }

    pub fn warn(&mut self, offset: usize, message: String) {
        let (path, at) = match self.files.locate(offset) {
            Some((p, at)) => (p, Some(at)),
            None => (String::new(), None),
        };
        self.diagnostics
            .push(Diagnostic::warning(path, at, message));
    }
}

/// Files of a folder whose name ends with `.{ext}` (and not a longer known suffix), sorted.
pub(crate) fn tf_files(dir: &Path, ext: &str) -> Vec<(String, PathBuf)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let suffix = format!(".{ext}");
    let mut out: Vec<(String, PathBuf)> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file() || t.is_symlink()))
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let lower = name.to_ascii_lowercase();
            (lower.ends_with(&suffix) && lower.len() > suffix.len() && e.path().is_file())
                .then(|| (name, e.path()))
        })
        .collect();
    out.sort();
    out
}

/// `./x`, `../x` (and Windows spellings): a module read from disk.
pub(crate) fn is_local_source(source: &str) -> bool {
    ["./", "../", ".\\", "..\\"]
        .iter()
        .any(|p| source.starts_with(p))
        || source == "."
        || source == ".."
}

/// A block attribute's value when it is a plain string.
pub(crate) fn literal_attr(block: &Block, key: &str) -> Option<String> {
    block
        .body
        .get_attribute(key)
        .and_then(|a| a.value.as_str())
        .map(str::to_string)
}

pub(crate) fn block_start(block: &Block) -> usize {
    hcl_edit::Span::span(block).map_or(0, |r| r.start)
}

/// The blocks of a body, in order.
pub(crate) fn blocks(body: &Body) -> impl Iterator<Item = &Block> {
    body.iter().filter_map(Structure::as_block)
}

fn slash(p: &Path) -> String {
    p.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// `to` relative to `from` (both canonical), `/` separated, with `..` where needed.
pub(crate) fn relative(from: &Path, to: &Path) -> String {
    let a: Vec<Component<'_>> = from.components().collect();
    let b: Vec<Component<'_>> = to.components().collect();
    let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut parts: Vec<String> = a.iter().skip(common).map(|_| "..".to_string()).collect();
    parts.extend(
        b.iter()
            .skip(common)
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_climb_with_dots() {
        assert_eq!(relative(Path::new("/a/b"), Path::new("/a/b/m/fn")), "m/fn");
        assert_eq!(
            relative(Path::new("/a/b"), Path::new("/a/shared")),
            "../shared"
        );
        assert_eq!(relative(Path::new("/a/b"), Path::new("/a/b")), "");
    }

    #[test]
    fn local_sources() {
        assert!(is_local_source("./modules/fn"));
        assert!(is_local_source("../shared"));
        assert!(!is_local_source("terraform-aws-modules/lambda/aws"));
        assert!(!is_local_source("git::https://example.com/x.git"));
    }
}

//! The files of a function's code: the handler's file and every local module it imports,
//! parsed once per app.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use palisade_model::{FileId, Language, SourceMap};

use crate::ir::{Expr, Module, Stmt};
use crate::lower::lower;

/// Files larger than this are not analysed (bundles, generated code).
pub const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;
/// Local modules followed per app.
const MAX_MODULES: usize = 2_000;

pub struct SourceModule {
    /// Path relative to the scan root, `/`-separated.
    pub rel: String,
    pub disk: PathBuf,
    pub file: FileId,
    pub text: Arc<str>,
    pub language: Language,
    pub module: Module,
    /// Local imports, resolved: (import spec as written, module index).
    pub resolved: Vec<(String, usize)>,
}

/// A problem with one file, for a diagnostic.
#[derive(Debug, Clone)]
pub struct FileProblem {
    pub rel: String,
    pub message: String,
    /// Byte offset in the file, when the problem has one.
    pub offset: Option<u32>,
}

#[derive(Default)]
pub struct Project {
    pub modules: Vec<SourceModule>,
    by_path: HashMap<PathBuf, Option<usize>>,
    pub problems: Vec<FileProblem>,
}

pub fn language_of(path: &Path) -> Option<Language> {
    match path.extension()?.to_str()? {
        "py" => Some(Language::Python),
        "js" | "mjs" | "cjs" | "jsx" => Some(Language::JavaScript),
        "ts" | "mts" | "cts" | "tsx" => Some(Language::TypeScript),
        _ => None,
    }
}

impl Project {
    /// The index of a module already loaded, by its path on disk.
    pub fn find(&self, disk: &Path) -> Option<usize> {
        self.by_path.get(disk).copied().flatten()
    }

    /// Load a file and, transitively, the local modules it imports.
    pub fn load(
        &mut self,
        disk: &Path,
        rel: &str,
        code_root: &Path,
        sources: &SourceMap,
    ) -> Option<usize> {
        let first = self.load_one(disk, rel, sources)?;
        let mut queue = vec![first];
        while let Some(i) = queue.pop() {
            let Some(m) = self.modules.get(i) else {
                continue;
            };
            let specs = import_specs(&m.module);
            let (dir, rel_dir, language) = (
                m.disk.parent().map(Path::to_path_buf).unwrap_or_default(),
                parent_rel(&m.rel),
                m.language,
            );
            let mut resolved = Vec::new();
            for spec in specs {
                if self.modules.len() >= MAX_MODULES {
                    break;
                }
                let Some((path, rel)) = resolve(&spec, language, &dir, &rel_dir, code_root, rel)
                else {
                    continue;
                };
                let known = self.by_path.contains_key(&path);
                if let Some(j) = self.load_one(&path, &rel, sources) {
                    resolved.push((spec, j));
                    if !known {
                        queue.push(j);
                    }
                }
            }
            if let Some(m) = self.modules.get_mut(i) {
                m.resolved = resolved;
            }
        }
        Some(first)
    }

    fn load_one(&mut self, disk: &Path, rel: &str, sources: &SourceMap) -> Option<usize> {
        if let Some(known) = self.by_path.get(disk) {
            return *known;
        }
        self.by_path.insert(disk.to_path_buf(), None);
        let language = language_of(disk)?;
        let meta = std::fs::metadata(disk).ok()?;
        if meta.len() > MAX_FILE_BYTES {
            self.problems.push(FileProblem {
                rel: rel.to_string(),
                message: format!(
                    "not analysed: {} bytes is more than the {MAX_FILE_BYTES}-byte limit for code files",
                    meta.len()
                ),
                offset: None,
            });
            return None;
        }
        let bytes = match std::fs::read(disk) {
            Ok(b) => b,
            Err(e) => {
                self.problems.push(FileProblem {
                    rel: rel.to_string(),
                    message: format!("could not be read: {e}"),
                    offset: None,
                });
                return None;
            }
        };
        let text: Arc<str> = match String::from_utf8(bytes) {
            Ok(s) => Arc::from(s),
            Err(e) => {
                self.problems.push(FileProblem {
                    rel: rel.to_string(),
                    message: "not analysed: the file is not valid UTF-8".to_string(),
                    offset: u32::try_from(e.utf8_error().valid_up_to()).ok(),
                });
                return None;
            }
        };
        let module = match lower(language, &text) {
            Ok(m) => m,
            Err(e) => {
                self.problems.push(FileProblem {
                    rel: rel.to_string(),
                    message: format!("not analysed: {e}"),
                    offset: None,
                });
                return None;
            }
        };
        // The narrowest error says best where parsing went wrong (tree-sitter may wrap a
        // whole block in one error node around it).
        if let Some(first) = module
            .errors
            .iter()
            .min_by_key(|r| (r.end - r.start, r.start))
        {
            self.problems.push(FileProblem {
                rel: rel.to_string(),
                message: format!(
                    "syntax error{} (the rest of the file is still analysed)",
                    if module.errors.len() > 1 {
                        format!(" and {} more", module.errors.len() - 1)
                    } else {
                        String::new()
                    }
                ),
                offset: Some(first.start),
            });
        }
        let file = sources.add(rel.to_string(), disk, text.clone());
        let index = self.modules.len();
        self.modules.push(SourceModule {
            rel: rel.to_string(),
            disk: disk.to_path_buf(),
            file,
            text,
            language,
            module,
            resolved: Vec::new(),
        });
        self.by_path.insert(disk.to_path_buf(), Some(index));
        Some(index)
    }

    /// The project module an import names, when it is local.
    pub fn resolve_import(&self, from: usize, spec: &str) -> Option<usize> {
        let m = self.modules.get(from)?;
        m.resolved.iter().find(|(s, _)| s == spec).map(|(_, i)| *i)
    }
}

/// The folder of a `/`-separated relative path.
pub(crate) fn parent_rel(rel: &str) -> String {
    match rel.rfind('/') {
        Some(i) => rel.get(..i).unwrap_or("").to_string(),
        None => String::new(),
    }
}

/// A `/`-separated relative path joined with another, `.` and `..` resolved.
pub(crate) fn join_rel(dir: &str, name: &str) -> String {
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for p in name.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    parts.join("/")
}

/// Every module a file imports or requires with a literal name.
fn import_specs(m: &Module) -> Vec<String> {
    let mut out: Vec<String> = m.imports.iter().map(|i| i.module.clone()).collect();
    // `from . import helpers`, `from lib import media`: the member may be a module of the
    // package.
    for i in &m.imports {
        if let Some(member) = &i.member
            && member != "*"
            && member != "default"
        {
            out.push(submodule(&i.module, member));
        }
    }
    let mut requires = Vec::new();
    for s in &m.top {
        stmt_requires(s, &mut requires, 0);
    }
    for f in &m.functions {
        for s in &f.body {
            stmt_requires(s, &mut requires, 0);
        }
    }
    out.extend(requires);
    out.sort();
    out.dedup();
    out
}

/// The spec of module `member` of package `module` (`lib` + `media` → `lib.media`,
/// `.` + `helpers` → `.helpers`).
pub(crate) fn submodule(module: &str, member: &str) -> String {
    if module.chars().all(|c| c == '.') {
        format!("{module}{member}")
    } else {
        format!("{module}.{member}")
    }
}

fn stmt_requires(s: &Stmt, out: &mut Vec<String>, depth: usize) {
    if depth > 64 {
        return;
    }
    match s {
        Stmt::Assign { value, .. } | Stmt::Expr(value) => expr_requires(value, out, depth + 1),
        Stmt::Return(Some(e), _) | Stmt::Raise(Some(e), _) => expr_requires(e, out, depth + 1),
        Stmt::If {
            then, otherwise, ..
        } => {
            for s in then.iter().chain(otherwise) {
                stmt_requires(s, out, depth + 1);
            }
        }
        Stmt::Loop { body, .. } | Stmt::Block(body) => {
            for s in body {
                stmt_requires(s, out, depth + 1);
            }
        }
        Stmt::Try {
            body,
            handlers,
            finally,
            ..
        } => {
            for s in body
                .iter()
                .chain(handlers.iter().flat_map(|h| &h.body))
                .chain(finally)
            {
                stmt_requires(s, out, depth + 1);
            }
        }
        _ => {}
    }
}

fn expr_requires(e: &Expr, out: &mut Vec<String>, depth: usize) {
    if depth > 64 {
        return;
    }
    match e {
        Expr::Call(c) => {
            if let Expr::Name(n, _) = &c.callee
                && n == "require"
                && let Some(Expr::Str(s, _)) = c.args.first().map(|a| &a.value)
            {
                out.push(s.clone());
            }
            expr_requires(&c.callee, out, depth + 1);
            for a in &c.args {
                expr_requires(&a.value, out, depth + 1);
            }
        }
        Expr::Attr(o, _, _) | Expr::Index(o, _, _) => expr_requires(o, out, depth + 1),
        Expr::Object(entries, _) => {
            for (_, v) in entries {
                expr_requires(v, out, depth + 1);
            }
        }
        Expr::Concat(p, _) | Expr::List(p, _) | Expr::Choice(p, _) | Expr::Other(p, _) => {
            for x in p {
                expr_requires(x, out, depth + 1);
            }
        }
        _ => {}
    }
}

/// The file a local import names: (path on disk, path relative to the scan root).
fn resolve(
    spec: &str,
    language: Language,
    dir: &Path,
    rel_dir: &str,
    code_root: &Path,
    code_root_rel: &str,
) -> Option<(PathBuf, String)> {
    let found = |disk: PathBuf, rel: String| disk.is_file().then_some((disk, rel));
    match language {
        Language::Python => {
            let dots = spec.chars().take_while(|c| *c == '.').count();
            let name = spec.get(dots..).unwrap_or("").replace('.', "/");
            let mut bases: Vec<(PathBuf, String)> = Vec::new();
            if dots > 0 {
                let mut d = dir.to_path_buf();
                let mut r = rel_dir.to_string();
                for _ in 1..dots {
                    d = d.parent()?.to_path_buf();
                    r = parent_rel(&r);
                }
                bases.push((d, r));
            } else {
                bases.push((dir.to_path_buf(), rel_dir.to_string()));
                bases.push((code_root.to_path_buf(), code_root_rel.to_string()));
            }
            if name.is_empty() {
                return None;
            }
            for (d, r) in bases {
                let file = format!("{name}.py");
                if let Some(hit) = found(d.join(&file), join_rel(&r, &file)) {
                    return Some(hit);
                }
                let init = format!("{name}/__init__.py");
                if let Some(hit) = found(d.join(&init), join_rel(&r, &init)) {
                    return Some(hit);
                }
            }
            None
        }
        Language::JavaScript | Language::TypeScript => {
            if !(spec.starts_with("./") || spec.starts_with("../")) {
                return None;
            }
            let stem = spec
                .strip_suffix(".js")
                .or_else(|| spec.strip_suffix(".mjs"))
                .or_else(|| spec.strip_suffix(".cjs"))
                .unwrap_or(spec);
            let mut candidates = vec![spec.to_string()];
            for ext in ["js", "mjs", "cjs", "ts", "tsx", "mts", "cts"] {
                candidates.push(format!("{stem}.{ext}"));
            }
            for ext in ["js", "ts", "mjs"] {
                candidates.push(format!("{spec}/index.{ext}"));
            }
            for c in candidates {
                let rel = join_rel(rel_dir, &c);
                let disk = dir.join(&c);
                if let Some(hit) = found(disk, rel) {
                    return Some(hit);
                }
            }
            None
        }
    }
}

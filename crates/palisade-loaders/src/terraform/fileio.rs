//! `file()` and `templatefile()`: local files only, inside the scanned folder, size capped.

use std::path::{Path, PathBuf};

use palisade_model::DiagnosticLevel;

use super::eval::{Eval, Fail, Scope, fail};
use super::index::Src;
use super::value as v;
use crate::yaml::{Node, NodeKind};

/// Largest file `file()` reads.
const MAX_READ: u64 = 4 * 1024 * 1024;

impl<'a> Eval<'a> {
    /// Relative paths are relative to the root module's folder (Terraform's working folder,
    /// which is what `path.module` is relative to); when no such file exists, to the calling
    /// module's folder.
    pub(crate) fn file(
        &self,
        i: usize,
        args: &[Node],
        (start, end): (usize, usize),
        template: bool,
    ) -> Result<Option<Node>, Fail> {
        let Some(name) = args.first().and_then(v::as_str) else {
            return Ok(None);
        };
        let Some(path) = self.find(i, name) else {
            return Err(fail(format!("no such file: {name}"), start));
        };
        let Ok(canonical) = path.canonicalize() else {
            return Err(fail(format!("no such file: {name}"), start));
        };
        if !canonical.starts_with(&self.paths.project) {
            self.diag(
                DiagnosticLevel::Error,
                start,
                format!("`{name}` is outside the scanned folder; it was not read"),
            );
            return Ok(None);
        }
        let limit = self.paths.max_file_size.min(MAX_READ);
        let size = std::fs::metadata(&canonical).map(|m| m.len()).unwrap_or(0);
        if size > limit {
            self.diag(
                DiagnosticLevel::Warning,
                start,
                format!("`{name}` is over the {limit}-byte limit; it was not read"),
            );
            return Ok(None);
        }
        let text = match std::fs::read(&canonical).map(String::from_utf8) {
            Ok(Ok(t)) => t,
            _ => {
                return Err(fail(
                    format!("`{name}` is not a readable UTF-8 text file"),
                    start,
                ));
            }
        };
        if !template {
            return Ok(Some(v::string(text, start, end)));
        }
        let mut sc: Scope = Vec::new();
        match args.get(1) {
            Some(vars) if !v::is_symbolic(vars) => {
                if let NodeKind::Map(entries) = &vars.kind {
                    for (k, val) in entries {
                        if let Some(k) = k.as_str() {
                            sc.push((k.to_string(), val.clone()));
                        }
                    }
                }
            }
            Some(_) => return Ok(None),
            None => {}
        }
        let Ok(parsed) = hcl_edit::parser::parse_template(&text) else {
            return Err(fail(format!("`{name}` is not a valid template"), start));
        };
        let src = Src {
            text: &text,
            base: start,
        };
        let mut out = self.template(i, &parsed, src, &mut sc, (start, end), false)?;
        // The template's own offsets are not in the file map: the call stands for it.
        v::respan(&mut out, start, end);
        Ok(Some(out))
    }

    fn find(&self, i: usize, name: &str) -> Option<PathBuf> {
        let p = Path::new(name);
        if p.is_absolute() {
            return Some(p.to_path_buf());
        }
        let from_root = self.paths.root_dir.join(p);
        if from_root.exists() {
            return Some(from_root);
        }
        let rel_dir = self.module_of(i)?.rel_dir;
        let from_module = self.paths.root_dir.join(rel_dir).join(p);
        from_module.exists().then_some(from_module)
    }
}

//! Root module variable values, in Terraform's order of precedence (later wins):
//! `terraform.tfvars`, `terraform.tfvars.json`, `*.auto.tfvars` and `*.auto.tfvars.json` in
//! lexical order, the files given with `--var-file`, then `--var name=value`.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use palisade_model::SourceMap;

use super::eval::Eval;
use super::files::{Project, SrcFile, tf_files};
use super::index::Src;
use super::value as v;
use crate::LoadSettings;
use crate::yaml::{Node, NodeKind};

/// One variable definitions file.
pub(crate) enum VarFile {
    Hcl(SrcFile),
    /// The top-level object, offsets already global.
    Json(Node),
}

impl Project {
    /// Read the variable files of the root module folder `dir` and of the settings.
    pub fn load_var_files(
        &mut self,
        dir: &Path,
        rel: &str,
        sources: &SourceMap,
        s: &LoadSettings,
    ) -> Vec<VarFile> {
        let mut names: Vec<(String, std::path::PathBuf)> = Vec::new();
        let auto: Vec<_> = tf_files(dir, "tfvars")
            .into_iter()
            .chain(tf_files(dir, "tfvars.json"))
            .collect();
        for wanted in ["terraform.tfvars", "terraform.tfvars.json"] {
            if let Some(found) = auto.iter().find(|(n, _)| n == wanted) {
                names.push((crate::join_rel(rel, &found.0), found.1.clone()));
            }
        }
        let mut autos: Vec<_> = auto
            .iter()
            .filter(|(n, _)| n.ends_with(".auto.tfvars") || n.ends_with(".auto.tfvars.json"))
            .collect();
        autos.sort();
        for (n, p) in autos {
            names.push((crate::join_rel(rel, n), p.clone()));
        }
        for p in &s.tf_var_files {
            names.push((self.rel_path(p), p.clone()));
        }
        let mut out = Vec::new();
        for (file_rel, path) in names {
            let Some(text) = self.read(&path, &file_rel, s) else {
                continue;
            };
            let text: Arc<str> = Arc::from(text);
            let json = file_rel.to_ascii_lowercase().ends_with(".json");
            if json {
                match crate::yaml::parse(&text, s.yaml) {
                    Ok(doc) => {
                        if let Some((_, base)) = self.register(&path, &file_rel, &text, sources) {
                            let mut root = doc.root;
                            shift(&mut root, base);
                            out.push(VarFile::Json(root));
                        }
                    }
                    Err(e) => self.errors.push(crate::LoadError::Json {
                        path: file_rel.clone(),
                        position: e.offset().map(|o| palisade_model::line_col(&text, o)),
                        message: e.to_string(),
                    }),
                }
                continue;
            }
            let Some(body) = self.parse(&text, &file_rel) else {
                continue;
            };
            if let Some((_, base)) = self.register(&path, &file_rel, &text, sources) {
                out.push(VarFile::Hcl(SrcFile { text, body, base }));
            }
        }
        out
    }
}

fn shift(n: &mut Node, base: usize) {
    n.start += base;
    n.end += base;
    match &mut n.kind {
        NodeKind::Seq(items) => items.iter_mut().for_each(|i| shift(i, base)),
        NodeKind::Map(entries) => entries.iter_mut().for_each(|(k, val)| {
            shift(k, base);
            shift(val, base);
        }),
        _ => {}
    }
}

impl<'a> Eval<'a> {
    /// Set the root module's variable values from the files and the command line.
    pub(crate) fn set_root_vars(&mut self, files: &[VarFile], cli: &BTreeMap<String, String>) {
        let mut vars: BTreeMap<String, Node> = BTreeMap::new();
        for f in files {
            match f {
                VarFile::Hcl(f) => {
                    let src = Src::of(f);
                    for a in f.body.attributes() {
                        let value = self.value(0, &a.value, src, &mut Vec::new());
                        vars.insert(a.key.as_str().to_string(), value);
                    }
                }
                VarFile::Json(root) => {
                    for (k, val) in root.as_map().unwrap_or_default() {
                        if let Some(k) = k.as_str() {
                            vars.insert(k.to_string(), val.clone());
                        }
                    }
                }
            }
        }
        for (name, raw) in cli {
            let decl = self
                .modules
                .first()
                .and_then(|m| m.variables.get(name.as_str()).copied());
            let (start, end) = decl.map_or((0, 0), |d| d.src.range(d.block));
            let string_typed = decl
                .and_then(|d| d.block.body.get_attribute("type"))
                .is_some_and(|t| {
                    t.value
                        .as_variable()
                        .is_some_and(|i| i.as_str() == "string")
                });
            let mut value = if !string_typed && looks_like_expression(raw) {
                match hcl_edit::parser::parse_expr(raw) {
                    Ok(e) => {
                        let src = Src { text: raw, base: 0 };
                        self.value(0, &e, src, &mut Vec::new())
                    }
                    Err(_) => v::string(raw.as_str(), start, end),
                }
            } else {
                v::string(raw.as_str(), start, end)
            };
            // A command-line value has no file: it points at the variable's declaration.
            v::respan(&mut value, start, end);
            vars.insert(name.clone(), value);
        }
        self.root_vars = vars;
        // Nothing evaluated above may stay memoised under the values it was computed without.
        self.reset();
    }
}

fn looks_like_expression(raw: &str) -> bool {
    let t = raw.trim();
    t.starts_with(['[', '{', '"'])
        || matches!(t, "true" | "false" | "null")
        || (!t.is_empty() && t.parse::<f64>().is_ok())
}

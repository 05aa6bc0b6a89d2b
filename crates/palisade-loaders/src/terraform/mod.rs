//! Terraform into the application model: HCL2 configurations (root modules with their local
//! modules, variables, `.tfvars`, locals) and `terraform show -json` plan files.
//!
//! Both inputs become the same list of [`TfResource`]s (one per resource instance, with its
//! attributes as a node tree that keeps every span), which [`translate`] turns into the
//! CloudFormation document the shared loader reads: every rule, the IAM engine and the code
//! analysis then work on Terraform unchanged.
//!
//! The HCL reader: [`files`] reads and parses every file once, [`index`] lists what each
//! module declares, [`eval`] (with [`refs`], [`template`], [`functions`], [`fileio`]) is a
//! partial evaluator that keeps what is only known after apply symbolic, [`emit`] makes the
//! resource instances, [`vars`] reads variable values and [`ignore`] suppression comments.

mod emit;
mod eval;
mod fileio;
mod files;
mod functions;
mod ignore;
mod index;
mod model;
mod plan;
mod refs;
mod template;
mod translate;
mod value;
mod vars;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use palisade_model::{App, AppFormat, Diagnostic, DiagnosticLevel, SourceMap};

use crate::{LoadError, LoadSettings, Loaded};

#[allow(unused_imports)]
pub(crate) use model::{Mode, TfIgnore, TfResource};

/// What loading one root module gave.
#[derive(Debug, Default)]
pub struct TfLoaded {
    pub apps: Vec<App>,
    pub errors: Vec<LoadError>,
    /// Problems found in a module that has nothing Palisade models (so no app to carry them).
    pub diagnostics: Vec<Diagnostic>,
}

/// Load the root module in `dir` (every `.tf` file in it, its `.tfvars`, and the local
/// modules it calls).
pub fn load_dir(dir: &Path, rel: &str, sources: &SourceMap, settings: &LoadSettings) -> TfLoaded {
    let (resources, project, mut diagnostics) = read_dir(dir, rel, sources, settings);
    let mut out = TfLoaded {
        apps: Vec::new(),
        errors: project.errors,
        diagnostics: Vec::new(),
    };
    let doc = translate::to_template_located(&resources, &mut diagnostics, Some(&project.files));
    match doc {
        Some(doc) => {
            let mut app = crate::cfn::load_translated(&doc, project.files, AppFormat::Terraform);
            app.diagnostics.extend(diagnostics);
            app.diagnostics.sort();
            app.diagnostics.dedup();
            out.apps.push(app);
        }
        None => out.diagnostics = diagnostics,
    }
    out
}

/// Read and evaluate a root module: its resource instances, what was read, and diagnostics.
pub(crate) fn read_dir(
    dir: &Path,
    rel: &str,
    sources: &SourceMap,
    settings: &LoadSettings,
) -> (Vec<TfResource>, files::Project, Vec<Diagnostic>) {
    let mut project = files::Project::new(dir, rel);
    project.load_root(dir, rel, sources, settings);
    let var_files = project.load_var_files(dir, rel, sources, settings);
    project.load_modules(sources, settings);
    let mut diagnostics = std::mem::take(&mut project.diagnostics);
    let resources = {
        let modules = project
            .modules
            .iter()
            .map(index::ModuleIndex::new)
            .collect();
        let paths = eval::Paths {
            project: project.root.clone(),
            root_dir: project.root_dir.clone(),
            max_file_size: settings.max_file_size,
        };
        let mut ev = eval::Eval::new(modules, Default::default(), paths);
        ev.set_root_vars(&var_files, &settings.tf_vars);
        let mut resources = Vec::new();
        ev.emit(0, &mut resources);
        for (level, offset, message) in ev.diags.take() {
            let (path, at) = match project.files.locate(offset) {
                Some((p, at)) => (p, Some(at)),
                None => (rel.to_string(), None),
            };
            diagnostics.push(match level {
                DiagnosticLevel::Error => Diagnostic::error(path, at, message),
                DiagnosticLevel::Warning => Diagnostic::warning(path, at, message),
                DiagnosticLevel::Note => Diagnostic::note(path, at, message),
            });
        }
        resources
    };
    (resources, project, diagnostics)
}

/// The folders among `dirs` that another folder calls as a local module (`source = "./x"`).
/// Read cheaply: the `source` lines of top-level `module` blocks, without parsing.
pub fn local_module_dirs(dirs: &BTreeSet<PathBuf>) -> BTreeSet<PathBuf> {
    let mut out = BTreeSet::new();
    for dir in dirs {
        for (_, path) in files::tf_files(dir, "tf") {
            let Ok(meta) = std::fs::metadata(&path) else {
                continue;
            };
            if meta.len() > 16 * 1024 * 1024 {
                continue;
            }
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            for source in module_sources(&text) {
                if let Some(target) = normalize(&dir.join(source))
                    && target != *dir
                    && dirs.contains(&target)
                {
                    out.insert(target);
                }
            }
        }
    }
    out
}

/// `source` values of top-level `module` blocks that name a local folder.
fn module_sources(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut in_module = false;
    for line in text.lines() {
        let t = line.trim();
        if depth == 0 {
            in_module = t.starts_with("module ") || t.starts_with("module\"");
        }
        if in_module
            && depth == 1
            && let Some(rest) = t.strip_prefix("source")
            && let Some(rest) = rest.trim_start().strip_prefix('=')
            && let Some(rest) = rest.trim().strip_prefix('"')
            && let Some(end) = rest.find('"')
            && let Some(source) = rest.get(..end)
            && files::is_local_source(source)
        {
            out.push(source);
        }
        if t.starts_with('#') || t.starts_with("//") {
            continue;
        }
        let mut in_string = false;
        let mut prev = ' ';
        for c in t.chars() {
            match c {
                '"' if prev != '\\' => in_string = !in_string,
                '{' if !in_string => depth += 1,
                '}' if !in_string => depth -= 1,
                '#' if !in_string => break,
                _ => {}
            }
            prev = c;
        }
        depth = depth.max(0);
    }
    out
}

/// A path with `.` and `..` components resolved without touching the disk.
fn normalize(p: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                if !out.pop() {
                    return None;
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    Some(out)
}

/// Load a JSON file when it is a `terraform show -json` plan (or state); `Ok(NotAnApp)`
/// otherwise.
pub fn load_plan_file(
    path: &Path,
    rel: &str,
    sources: &SourceMap,
    settings: &LoadSettings,
) -> Result<Loaded, LoadError> {
    plan::load_plan_file(path, rel, sources, settings)
}

#[cfg(test)]
mod tests;

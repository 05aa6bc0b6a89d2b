//! Handler code analysis: resolve each function's handler to its source, parse it with
//! tree-sitter, lower it to a small IR, and follow untrusted event data to dangerous sinks.
//! Also finds secrets in code and the AWS SDK calls the code makes.
//!
//! Nothing here runs the code it reads.

pub mod engine;
pub mod ir;
pub mod lower;
pub mod project;
pub mod secrets;
pub mod sources;
pub mod spec;

use std::path::{Path, PathBuf};

use palisade_model::{
    App, Code, CodeIssue, CodeIssueKind, Diagnostic, Function, FunctionCode, Language, SourceMap,
    Span,
};

use crate::engine::Interp;
use crate::ir::{Expr, Stmt, Target};
use crate::project::{Project, join_rel, language_of, parent_rel};

/// Analyse the code of every function of an app whose code is local. Code files join the
/// scan's source map so findings can point into them.
pub fn analyze_app(app: &App, sources: &SourceMap) -> (Vec<FunctionCode>, Vec<Diagnostic>) {
    let mut out = Vec::new();
    let mut diagnostics = Vec::new();
    let Some(app_file) = sources.get(app.file) else {
        return (out, diagnostics);
    };
    let app_dir = app_file
        .disk_path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let app_rel_dir = parent_rel(&app_file.path);
    let mut project = Project::default();
    let mut secrets_read = std::collections::HashSet::new();
    let mut missing: Vec<(&str, String)> = Vec::new();
    for f in &app.functions {
        match analyze_function(app, f, &app_dir, &app_rel_dir, &mut project, sources) {
            Ok(Some((mut code, truncated))) => {
                if truncated {
                    diagnostics.push(Diagnostic::warning(
                        app_file.path.clone(),
                        None,
                        format!(
                            "function {}: the analysis of its code stopped at its work budget; \
                             flows past that point are not reported",
                            f.id
                        ),
                    ));
                }
                add_secrets(&project, &mut code, &mut secrets_read);
                out.push(code);
            }
            Ok(None) => {}
            Err(Skip::Warning(message)) => diagnostics.push(Diagnostic::warning(
                app_file.path.clone(),
                None,
                format!("function {}: {message}", f.id),
            )),
            Err(Skip::NotInProject(folder)) => missing.push((f.id.as_str(), folder)),
        }
    }
    // Code kept outside the scanned folder (or built elsewhere) is common: one note per app.
    if let Some((first, folder)) = missing.first() {
        let more = match missing.len() {
            1 => String::new(),
            n => format!(" and {} more", n - 1),
        };
        diagnostics.push(Diagnostic::note(
            app_file.path.clone(),
            None,
            format!(
                "the code of {first}{more} is not in the scanned folder ({folder} does not exist): not analysed"
            ),
        ));
    }
    for p in &project.problems {
        let position = project
            .modules
            .iter()
            .find(|m| m.rel == p.rel)
            .and_then(|m| sources.get(m.file))
            .zip(p.offset)
            .map(|(file, off)| file.line_col(off))
            .or_else(|| {
                p.offset
                    .map(|_| palisade_model::LineCol { line: 1, col: 1 })
            });
        diagnostics.push(Diagnostic::warning(
            p.rel.clone(),
            position,
            p.message.clone(),
        ));
    }
    (out, diagnostics)
}

/// Secrets in the files of a function's code, each file once per app (the first function that
/// ships it carries the finding).
fn add_secrets(
    project: &Project,
    code: &mut FunctionCode,
    done: &mut std::collections::HashSet<palisade_model::FileId>,
) {
    for m in project
        .modules
        .iter()
        .filter(|m| code.files.contains(&m.rel))
    {
        if !done.insert(m.file) {
            continue;
        }
        for hit in secrets::find_secrets(&m.text) {
            code.issues.push(CodeIssue {
                kind: CodeIssueKind::SecretInCode,
                span: Span {
                    file: m.file,
                    start: hit.range.start,
                    end: hit.range.end,
                },
                message: hit.message,
            });
        }
    }
}

/// `base` joined with a relative path, `..` resolved without asking the file system (the
/// folder it steps out of may not exist).
fn lexical_join(base: &Path, rel: &str) -> PathBuf {
    let mut out = base.to_path_buf();
    for part in rel.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// Why a function's code was not analysed.
enum Skip {
    /// Something is wrong with the code that is there.
    Warning(String),
    /// The code folder is not in the scanned tree.
    NotInProject(String),
}

fn runtime_language(f: &Function) -> Option<Language> {
    let rt = f.runtime.as_ref()?.get()?.to_ascii_lowercase();
    if rt.starts_with("python") {
        Some(Language::Python)
    } else if rt.starts_with("nodejs") {
        Some(Language::JavaScript)
    } else {
        None
    }
}

/// The handler's file and function: `app.lambda_handler` → (`app.py`, `lambda_handler`);
/// `src/handlers/x.handler` → (`src/handlers/x.js`, `handler`). TypeScript sources stand in
/// for a `.js` that is their build output.
fn handler_file(
    language: Language,
    handler: &str,
    code_dir: &Path,
    code_rel: &str,
) -> Option<(PathBuf, String, String)> {
    let (module, func) = handler.rsplit_once('.')?;
    let candidates: Vec<String> = match language {
        Language::Python => {
            let m = module.replace('.', "/");
            vec![format!("{m}.py"), format!("{m}/__init__.py")]
        }
        _ => {
            let mut c = Vec::new();
            for ext in ["js", "mjs", "cjs", "ts", "mts", "cts"] {
                c.push(format!("{module}.{ext}"));
            }
            // A build folder (`dist/`, `build/`) next to its sources in `src/`.
            for ext in ["ts", "js"] {
                c.push(format!("../src/{module}.{ext}"));
                c.push(format!("src/{module}.{ext}"));
            }
            c
        }
    };
    for c in candidates {
        let disk = lexical_join(code_dir, &c);
        if disk.is_file() {
            return Some((disk, join_rel(code_rel, &c), func.to_string()));
        }
    }
    None
}

fn analyze_function(
    app: &App,
    f: &Function,
    app_dir: &Path,
    app_rel_dir: &str,
    project: &mut Project,
    sources: &SourceMap,
) -> Result<Option<(FunctionCode, bool)>, Skip> {
    let Code::Local { path, .. } = &f.code else {
        return Ok(None);
    };
    let Some(handler) = f.handler.as_ref().and_then(|h| h.get()) else {
        return Ok(None);
    };
    let code_disk = app_dir.join(path);
    let code_rel = join_rel(app_rel_dir, path);
    let (code_dir, code_dir_rel) = if code_disk.is_file() {
        (
            code_disk
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_default(),
            parent_rel(&code_rel),
        )
    } else {
        // A folder, or a build output not built yet (`dist/`) whose sources sit beside it.
        (code_disk.clone(), code_rel.clone())
    };
    let language = match runtime_language(f) {
        Some(l) => l,
        None => match f.runtime.as_ref().and_then(|r| r.get()) {
            Some(other) => {
                let _ = other;
                return Ok(None);
            }
            None => {
                // No runtime: guess from what the handler's module is written in.
                let py = handler_file(Language::Python, handler, &code_dir, &code_dir_rel);
                if py.is_some() {
                    Language::Python
                } else {
                    Language::JavaScript
                }
            }
        },
    };
    let Some((disk, rel, func_name)) = handler_file(language, handler, &code_dir, &code_dir_rel)
    else {
        if !code_disk.exists() {
            return Err(Skip::NotInProject(code_rel));
        }
        return Err(Skip::Warning(format!(
            "the handler `{handler}` was not found under {}",
            if code_dir_rel.is_empty() {
                ".".to_string()
            } else {
                code_dir_rel.clone()
            }
        )));
    };
    let Some(module) = project.load(&disk, &rel, &code_dir, sources) else {
        return Ok(None);
    };
    let language = language_of(&disk).unwrap_or(language);
    let Some(func) = entry_function(project, module, &func_name) else {
        return Err(Skip::Warning(format!(
            "the handler function `{func_name}` is not defined in {rel}"
        )));
    };
    let mut triggers = f.triggers.clone();
    if let Some(url) = &f.url {
        triggers.push(palisade_model::Trigger::new(
            "FunctionUrl",
            palisade_model::TriggerKind::FunctionUrl,
            url.span,
        ));
    }
    let srcs = sources::sources(&triggers);
    let mut interp = Interp::new(project, &srcs);
    interp.run_handler(module, func);
    let facts = interp.finish();
    let m = project.modules.get(module);
    let entry_range = m
        .and_then(|m| m.module.functions.get(func))
        .map(|f| f.range)
        .unwrap_or_default();
    let file = m.map(|m| m.file).unwrap_or_default();
    let mut issues = facts.issues;
    issues.sort_by_key(|i: &CodeIssue| (i.span.file, i.span.start));
    let files = reachable_files(project, module);
    let _ = app;
    let truncated = facts.truncated;
    Ok(Some((
        FunctionCode {
            function: f.id.clone(),
            language,
            entry: Span {
                file,
                start: entry_range.start,
                end: entry_range.end,
            },
            entry_name: func_name,
            files,
            flows: facts.flows,
            issues,
            sdk_calls: facts.sdk_calls,
            triggers: triggers
                .iter()
                .map(|t| t.kind.label().to_string())
                .collect(),
        },
        truncated,
    )))
}

/// The handler's file and every local module it reaches through imports, entry first.
fn reachable_files(project: &Project, entry: usize) -> Vec<String> {
    let mut seen = vec![entry];
    let mut i = 0;
    while let Some(&m) = seen.get(i) {
        if let Some(module) = project.modules.get(m) {
            for (_, j) in &module.resolved {
                if !seen.contains(j) {
                    seen.push(*j);
                }
            }
        }
        i += 1;
    }
    seen.iter()
        .filter_map(|m| project.modules.get(*m).map(|m| m.rel.clone()))
        .collect()
}

/// The function a handler names: a top-level function (Python), or an export (JavaScript).
fn entry_function(project: &Project, module: usize, name: &str) -> Option<usize> {
    let m = &project.modules.get(module)?.module;
    let from_expr = |e: &Expr| match e {
        Expr::Function(i, _) => Some(*i),
        _ => None,
    };
    let bound = |wanted: &str| {
        m.top.iter().rev().find_map(|s| match s {
            Stmt::Assign {
                target: Target::Name(n, _),
                value,
                ..
            } if n == wanted => from_expr(value),
            _ => None,
        })
    };
    if let Some(e) = m.exports.iter().find(|e| e.name == name) {
        return match &e.value {
            Expr::Name(n, _) => bound(n),
            other => from_expr(other),
        };
    }
    bound(name)
}

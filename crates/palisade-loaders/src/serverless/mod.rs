//! Serverless Framework configuration (`serverless.yml`, v3 and v4) into the application model.
//!
//! The configuration is resolved (variables, see [`vars`]) and translated into the
//! CloudFormation/SAM document the Framework would deploy (see [`translate`]), whose nodes
//! keep the byte offsets of serverless.yml (and of the files `${file()}` read). The
//! CloudFormation reader then builds the model from it, so every rule, the IAM engine and code
//! analysis see a Serverless function exactly as they see a SAM one.

mod apis;
mod events;
mod function;
mod iam;
mod node;
mod syntax;
mod translate;
mod vars;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use palisade_model::{AppFormat, Diagnostic, SourceMap, line_col};

use crate::cfn::FileMap;
use crate::yaml::{self, Node, NodeKind};
use crate::{LoadError, LoadSettings, Loaded};

/// Load one `serverless.yml`: `Ok(NotAnApp)` when it is not a Serverless Framework service
/// for AWS.
pub fn load(
    path: &Path,
    rel: &str,
    sources: &SourceMap,
    settings: &LoadSettings,
) -> Result<Loaded, LoadError> {
    let Some(text) = crate::read_text(path, rel, settings)? else {
        return Ok(Loaded::NotAnApp);
    };
    let text = text
        .strip_prefix('\u{feff}')
        .map(str::to_string)
        .unwrap_or(text);
    let doc = match yaml::parse(&text, settings.yaml) {
        Ok(doc) => doc,
        Err(yaml::YamlError::Empty) => return Ok(Loaded::NotAnApp),
        Err(e) => {
            return Err(LoadError::Yaml {
                path: rel.to_string(),
                position: e.offset().map(|o| line_col(&text, o)),
                message: e.to_string(),
            });
        }
    };
    if !looks_like_service(&doc.root) {
        return Ok(Loaded::NotAnApp);
    }
    let text: Arc<str> = Arc::from(text);
    let file = sources.add(rel.to_string(), path, Arc::clone(&text));
    let Some(source) = sources.get(file) else {
        return Ok(Loaded::NotAnApp);
    };
    let mut files = FileMap::new();
    files.push(0, file, source);

    let cx = vars::Context {
        settings,
        project_root: project_root(path, rel),
        service_dir: path.parent().map(Path::to_path_buf).unwrap_or_default(),
        sources: Some(sources),
    };
    let mut v = vars::Vars::new(&doc.root, cx, files);
    let resolved = v.resolve_root();
    let provider = resolved
        .get("provider")
        .and_then(|p| match &p.kind {
            NodeKind::Map(_) => p.get("name"),
            _ => Some(p),
        })
        .and_then(Node::as_str);
    if provider != Some("aws") {
        return Ok(Loaded::NotAnApp);
    }
    let stage = v.stage(&doc.root);
    let translated = translate::translate(&resolved, &stage, &v.symbols);
    let files = v.files.clone();
    let mut app =
        crate::cfn::load_translated(&translated.root, files.clone(), AppFormat::Serverless);

    let mut diags: Vec<vars::Diag> = v.diags;
    diags.extend(translated.diags);
    for d in diags {
        let (p, at) = match files.locate(d.offset) {
            Some((p, at)) => (p, Some(at)),
            None => (rel.to_string(), None),
        };
        app.diagnostics.push(match d.level {
            vars::Level::Error => Diagnostic::error(p, at, d.message),
            vars::Level::Warning => Diagnostic::warning(p, at, d.message),
            vars::Level::Note => Diagnostic::note(p, at, d.message),
        });
    }
    for w in doc.warnings {
        // Merge keys are ordinary YAML for the Framework (its parser applies them).
        if w.message.contains("merge key") {
            continue;
        }
        app.diagnostics.push(Diagnostic::warning(
            rel,
            Some(line_col(&text, w.offset)),
            w.message,
        ));
    }
    app.diagnostics.sort();
    app.diagnostics.dedup();
    Ok(Loaded::App(Box::new(app)))
}

/// A `service` and a `provider` (the Framework's two required keys), for AWS unless the
/// provider's name is written with a variable (decided after resolution).
fn looks_like_service(root: &Node) -> bool {
    let Some(provider) = root.get("provider") else {
        return false;
    };
    let name = match &provider.kind {
        NodeKind::Map(_) => provider.get("name"),
        _ => Some(provider),
    };
    let aws_or_variable = name
        .and_then(Node::as_str)
        .is_some_and(|n| n == "aws" || n.contains("${"));
    root.get("service").is_some() && aws_or_variable
}

/// The scan root: `path` without the components of `rel`, canonicalized.
fn project_root(path: &Path, rel: &str) -> Option<PathBuf> {
    let depth = rel.split(['/', '\\']).filter(|c| !c.is_empty()).count();
    let mut root = path;
    for _ in 0..depth {
        root = root.parent()?;
    }
    let root = if root.as_os_str().is_empty() {
        Path::new(".")
    } else {
        root
    };
    root.canonicalize().ok()
}

//! CDK cloud assemblies (`cdk.out`): every stack template, with each function's code folder
//! from the asset metadata and each element's construct path.
//!
//! `cdk synth` writes a `manifest.json` listing the stacks (`aws:cloudformation:stack`
//! artifacts with their `templateFile`), and records on every resource the construct that made
//! it (`Metadata.aws:cdk:path`) and, for functions and layers, the folder of the staged asset
//! (`aws:asset:path`, `aws:asset:property`). The template's `Code` points at an S3 object that
//! does not exist until deploy; the asset folder beside the template is what will be uploaded,
//! so it is what the code analysis reads.

use std::path::Path;
use std::sync::Arc;

use palisade_model::{App, AppFormat, Diagnostic, SourceMap, line_col};

use crate::cfn::{self, FileMap};
use crate::yaml::{self, Node, NodeKind};
use crate::{LoadError, LoadSettings, join_rel, read_text};

#[derive(Debug, Default)]
pub struct CdkLoaded {
    pub apps: Vec<App>,
    pub errors: Vec<LoadError>,
}

/// Load every stack of the assembly in `dir`.
pub fn load(dir: &Path, rel: &str, sources: &SourceMap, settings: &LoadSettings) -> CdkLoaded {
    let mut out = CdkLoaded::default();
    let manifest_rel = join_rel(rel, "manifest.json");
    let manifest = match read_text(&dir.join("manifest.json"), &manifest_rel, settings) {
        Ok(Some(text)) => text,
        Ok(None) => return out,
        Err(e) => {
            out.errors.push(e);
            return out;
        }
    };
    let manifest: serde_json::Value = match serde_json::from_str(&manifest) {
        Ok(v) => v,
        Err(e) => {
            out.errors.push(LoadError::Json {
                path: manifest_rel,
                position: Some(palisade_model::LineCol {
                    line: u32::try_from(e.line()).unwrap_or(u32::MAX),
                    col: u32::try_from(e.column()).unwrap_or(u32::MAX),
                }),
                message: format!("CDK manifest: {e}"),
            });
            return out;
        }
    };
    for template in stack_templates(&manifest) {
        // A template file name comes from the manifest: never leave the assembly folder.
        if template.contains("..") || template.starts_with('/') || template.contains('\\') {
            out.errors.push(LoadError::Walk {
                path: manifest_rel.clone(),
                message: format!("stack template {template:?} is outside the assembly; not read"),
            });
            continue;
        }
        let path = dir.join(&template);
        let template_rel = join_rel(rel, &template);
        match load_stack(&path, &template_rel, sources, settings) {
            Ok(Some(app)) => out.apps.push(app),
            Ok(None) => {}
            Err(e) => out.errors.push(e),
        }
    }
    out
}

/// Template files of the stacks, in manifest order; nested stacks' templates after their
/// parents (they are found from the parents' resources when loading).
fn stack_templates(manifest: &serde_json::Value) -> Vec<String> {
    let Some(artifacts) = manifest.get("artifacts").and_then(|a| a.as_object()) else {
        return Vec::new();
    };
    let mut out: Vec<String> = artifacts
        .values()
        .filter(|a| a.get("type").and_then(|t| t.as_str()) == Some("aws:cloudformation:stack"))
        .filter_map(|a| {
            a.pointer("/properties/templateFile")
                .and_then(|t| t.as_str())
                .map(str::to_string)
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

fn load_stack(
    path: &Path,
    rel: &str,
    sources: &SourceMap,
    settings: &LoadSettings,
) -> Result<Option<App>, LoadError> {
    let Some(text) = read_text(path, rel, settings)? else {
        return Ok(None);
    };
    let mut doc = yaml::parse(&text, settings.yaml).map_err(|e| LoadError::Json {
        path: rel.to_string(),
        position: e.offset().map(|o| line_col(&text, o)),
        message: e.to_string(),
    })?;
    if !cfn::is_template(&doc.root) {
        return Ok(None);
    }
    let construct_paths = point_code_at_assets(&mut doc.root);
    let text: Arc<str> = Arc::from(text);
    let file = sources.add(rel.to_string(), path, Arc::clone(&text));
    let Some(source) = sources.get(file) else {
        return Ok(None);
    };
    let mut app = cfn::load_translated(&doc.root, FileMap::single(file, source), AppFormat::Cdk);
    app.construct_paths = construct_paths;
    for w in doc.warnings {
        app.diagnostics.push(Diagnostic::warning(
            rel,
            Some(line_col(&text, w.offset)),
            w.message,
        ));
    }
    Ok(Some(app))
}

/// Replace the S3 location of every function's and layer's code by its staged asset folder,
/// and collect each resource's construct path.
fn point_code_at_assets(root: &mut Node) -> std::collections::BTreeMap<String, String> {
    let mut paths = std::collections::BTreeMap::new();
    let Some(NodeKind::Map(resources)) = root_resources(root) else {
        return paths;
    };
    for (key, body) in resources.iter_mut() {
        let Some(id) = key.as_str().map(str::to_string) else {
            continue;
        };
        let metadata = body.get("Metadata");
        if let Some(p) = metadata
            .and_then(|m| m.get("aws:cdk:path"))
            .and_then(Node::as_str)
        {
            paths.insert(id.clone(), p.to_string());
        }
        let asset = metadata
            .and_then(|m| m.get("aws:asset:path"))
            .and_then(Node::as_str)
            .map(str::to_string);
        let property = metadata
            .and_then(|m| m.get("aws:asset:property"))
            .and_then(Node::as_str)
            .map(str::to_string);
        let (Some(asset), Some(property)) = (asset, property) else {
            continue;
        };
        // Only folders staged inside the assembly; a Docker image asset has no code to read.
        if asset.contains("..") || asset.starts_with('/') || asset.ends_with(".json") {
            continue;
        }
        if let Some(props) = map_value_mut(body, "Properties")
            && let Some(code) = map_value_mut(props, &property)
        {
            let (start, end) = (code.start, code.end);
            *code = Node {
                kind: NodeKind::Str(asset),
                start,
                end,
                tag: None,
            };
        }
    }
    paths
}

fn root_resources(root: &mut Node) -> Option<&mut NodeKind> {
    map_value_mut(root, "Resources").map(|n| &mut n.kind)
}

fn map_value_mut<'a>(node: &'a mut Node, key: &str) -> Option<&'a mut Node> {
    match &mut node.kind {
        NodeKind::Map(entries) => entries
            .iter_mut()
            .rev()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(_, v)| v),
        _ => None,
    }
}

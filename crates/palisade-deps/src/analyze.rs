//! One app's dependency sets: a set per function and per layer with local code, with their
//! vulnerabilities, and the AWS SDKs functions take from their runtime.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use palisade_model::{
    App, Code, DepOwner, DependencySet, Diagnostic, Function, Language, ResourceKind, RuntimeSdk,
    SourceMap,
};

use crate::audit::Auditor;
use crate::collect::{Collected, collect, manifest_folder};
use crate::runtime_sdk::{Provision, Sdk, provided};

/// The scan root on disk: the app file's disk path with its relative path taken off.
fn scan_root(disk: &Path, rel: &str) -> PathBuf {
    let depth = rel.split('/').filter(|p| !p.is_empty()).count();
    disk.ancestors()
        .nth(depth)
        .map_or_else(PathBuf::new, Path::to_path_buf)
}

fn code_folder(app_dir: &Path, code: &Code) -> Option<PathBuf> {
    let Code::Local { path, .. } = code else {
        return None;
    };
    let disk = app_dir.join(path);
    if disk.is_dir() {
        return Some(disk);
    }
    let is_archive = path
        .rsplit('.')
        .next()
        .is_some_and(|ext| matches!(ext.to_ascii_lowercase().as_str(), "zip" | "jar"));
    if is_archive {
        return None;
    }
    // A single handler file, or a build output not built yet (`dist/`): its folder.
    disk.parent().map(Path::to_path_buf)
}

/// Dependency sets of every function and layer of the app, and what went wrong reading them.
pub fn analyze_app(
    app: &App,
    sources: &SourceMap,
    auditor: &Auditor<'_>,
) -> (Vec<DependencySet>, Vec<Diagnostic>) {
    let mut sets = Vec::new();
    let mut diagnostics = Vec::new();
    let Some(app_file) = sources.get(app.file) else {
        return (sets, diagnostics);
    };
    let app_dir = app_file
        .disk_path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let root = scan_root(&app_file.disk_path, &app_file.path);
    let root = root.canonicalize().unwrap_or(root);
    // Functions often share a folder: read it once per app.
    let mut folders: HashMap<PathBuf, Option<(String, Collected)>> = HashMap::new();
    let mut owners: Vec<(DepOwner, Option<PathBuf>)> = Vec::new();
    for f in &app.functions {
        owners.push((
            DepOwner::Function(f.id.clone()),
            code_folder(&app_dir, &f.code),
        ));
    }
    for r in &app.resources {
        if let ResourceKind::Layer { content, .. } = &r.kind {
            owners.push((
                DepOwner::Layer(r.id.clone()),
                code_folder(&app_dir, content),
            ));
        }
    }
    for (owner, folder) in owners {
        let folder = folder.and_then(|f| f.canonicalize().ok());
        let collected = folder.and_then(|code_dir| {
            let manifests = manifest_folder(&code_dir, &root)?;
            let entry = folders.entry(manifests.clone()).or_insert_with(|| {
                let mut c = collect(&manifests, &root, sources);
                diagnostics.append(&mut c.diagnostics);
                let rel = manifests
                    .strip_prefix(&root)
                    .unwrap_or(&manifests)
                    .to_string_lossy()
                    .replace('\\', "/");
                Some((rel, c))
            });
            entry.clone()
        });
        let function = match &owner {
            DepOwner::Function(id) => app.function(id),
            DepOwner::Layer(_) => None,
        };
        let (folder, collected) = collected.unwrap_or_default();
        let runtime_sdks = function
            .map(|f| runtime_sdks(app, f, &collected))
            .unwrap_or_default();
        if collected.manifests.is_empty() && runtime_sdks.is_empty() {
            continue;
        }
        let layers = function.map(|f| layer_ids(app, f)).unwrap_or_default();
        let vulnerabilities = auditor.vulnerabilities(&collected.packages);
        sets.push(DependencySet {
            owner,
            folder,
            manifests: collected.manifests,
            packages: collected.packages,
            sync_issues: collected.sync_issues,
            vulnerabilities,
            runtime_sdks,
            layers,
        });
    }
    (sets, diagnostics)
}

fn layer_ids(app: &App, f: &Function) -> Vec<String> {
    f.layers
        .iter()
        .filter_map(|l| match &l.value {
            palisade_model::Resolved::Known(t) => t.sole_reference().map(str::to_string),
            _ => None,
        })
        .filter(|id| app.resource(id).is_some())
        .collect()
}

/// SDKs the code calls that neither the function nor its layers ship.
fn runtime_sdks(app: &App, f: &Function, collected: &Collected) -> Vec<RuntimeSdk> {
    let Some(runtime) = f.runtime_name() else {
        return Vec::new();
    };
    let Some(code) = app.code.iter().find(|c| c.function == f.id) else {
        return Vec::new();
    };
    let ships = |name: &str| {
        collected
            .packages
            .iter()
            .any(|p| p.name.eq_ignore_ascii_case(name) && !p.dev)
    };
    let mut out: Vec<RuntimeSdk> = Vec::new();
    for call in &code.sdk_calls {
        let (sdk, package) = match call.language {
            Language::Python => (Sdk::Boto3, "boto3".to_string()),
            Language::JavaScript | Language::TypeScript => {
                if call.client.starts_with("@aws-sdk/") {
                    (Sdk::JsV3, call.client.clone())
                } else {
                    (Sdk::JsV2, "aws-sdk".to_string())
                }
            }
        };
        if ships(&package) || out.iter().any(|s| s.package == package) {
            continue;
        }
        let version = match provided(runtime, sdk) {
            Provision::Provided { version } => Some(version.to_string()),
            Provision::NotProvided => None,
            Provision::Unknown => continue,
        };
        out.push(RuntimeSdk {
            package,
            runtime: runtime.to_string(),
            version,
            span: call.span,
        });
    }
    out
}

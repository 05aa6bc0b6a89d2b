//! Finding the files of every app under a path.

use std::path::{Path, PathBuf};

use globset::GlobSet;

use crate::error::LoadError;

/// Folders that hold build output, dependencies or tool state, never an app's source.
const SKIPPED_DIRS: &[&str] = &[
    ".git",
    ".hg",
    ".svn",
    "node_modules",
    ".aws-sam",
    ".serverless",
    ".terraform",
    "__pycache__",
    ".venv",
    "venv",
    ".tox",
    ".mypy_cache",
    ".pytest_cache",
    "target",
];

/// Extensions of files that may be CloudFormation or SAM templates.
const TEMPLATE_EXTENSIONS: &[&str] = &["yaml", "yml", "json", "template", "cfn"];

/// What a candidate is, as far as its name and place tell.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CandidateKind {
    /// A YAML or JSON file that may be a CloudFormation/SAM template or a Terraform plan.
    Template,
    /// `serverless.yml`, `serverless.yaml` or `serverless.json`.
    Serverless,
    /// `serverless.ts` / `serverless.js`: never executed, reported as skipped.
    ServerlessScript,
    /// A folder with `.tf` files: one Terraform root module.
    TerraformDir,
    /// A CDK cloud assembly (`cdk.out`): its `manifest.json` and stack templates.
    CdkAssembly,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Candidate {
    /// The file, or the folder for Terraform modules and CDK assemblies.
    pub path: PathBuf,
    /// Path relative to the scan root, `/`-separated; for a folder, empty when it is the scan
    /// root itself (join file names with [`join_rel`]).
    pub rel: String,
    pub kind: CandidateKind,
}

#[derive(Debug, Default)]
pub struct Discovery {
    pub candidates: Vec<Candidate>,
    pub errors: Vec<LoadError>,
}

fn relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let s = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/");
    if s.is_empty() {
        path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        )
    } else {
        s
    }
}

/// Walk `root` (a folder or one file) for candidate template files, in a stable order.
/// Symbolic links are followed; loops and unreadable entries are reported, not fatal.
pub fn discover(root: &Path, excludes: &GlobSet) -> Discovery {
    let mut out = Discovery::default();
    let mut tf_dirs = std::collections::BTreeSet::new();
    let mut cdk_dirs = std::collections::BTreeSet::new();
    let base = if root.is_file() {
        root.parent()
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
    } else {
        root.to_path_buf()
    };
    let walker = walkdir::WalkDir::new(root)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            if e.depth() == 0 {
                return true;
            }
            let name = e.file_name().to_string_lossy();
            !(e.file_type().is_dir() && SKIPPED_DIRS.contains(&name.as_ref()))
        });
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(err) => {
                let path = err
                    .path()
                    .map_or_else(|| relative(&base, root), |p| relative(&base, p));
                let message = if err.loop_ancestor().is_some() {
                    "symbolic link loop; not followed".to_string()
                } else {
                    err.to_string()
                };
                out.errors.push(LoadError::Walk { path, message });
                continue;
            }
        };
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = relative(&base, entry.path());
        if excludes.is_match(&rel) {
            continue;
        }
        let ext = entry
            .path()
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        let name = entry.file_name().to_string_lossy().to_ascii_lowercase();
        let path = entry.path().to_path_buf();
        let kind = if is_serverless_config(&name) {
            CandidateKind::Serverless
        } else if is_serverless_script(&name) {
            CandidateKind::ServerlessScript
        } else if ext == "tf" {
            if let Some(dir) = entry.path().parent() {
                tf_dirs.insert(dir.to_path_buf());
            }
            continue;
        } else if name == "manifest.json" && is_cdk_assembly(entry.path()) {
            if let Some(dir) = entry.path().parent() {
                cdk_dirs.insert(dir.to_path_buf());
            }
            continue;
        } else if TEMPLATE_EXTENSIONS.contains(&ext.as_str()) {
            CandidateKind::Template
        } else {
            continue;
        };
        out.candidates.push(Candidate { path, rel, kind });
    }
    // Stack templates of a CDK assembly are read with the assembly, not on their own.
    out.candidates
        .retain(|c| !cdk_dirs.iter().any(|d| c.path.starts_with(d)));
    for dir in cdk_dirs {
        out.candidates.push(Candidate {
            rel: relative_dir(&base, &dir),
            path: dir,
            kind: CandidateKind::CdkAssembly,
        });
    }
    // A folder that another folder uses as a local module is read as part of it, with the
    // inputs it is given, not as a root module of its own.
    let used_as_modules = crate::terraform::local_module_dirs(&tf_dirs);
    for dir in tf_dirs {
        if used_as_modules.contains(&dir) {
            continue;
        }
        out.candidates.push(Candidate {
            rel: relative_dir(&base, &dir),
            path: dir,
            kind: CandidateKind::TerraformDir,
        });
    }
    out.candidates.sort();
    out
}

/// A folder's path relative to the scan root; empty for the root itself.
fn relative_dir(base: &Path, dir: &Path) -> String {
    match dir.strip_prefix(base) {
        Ok(rel) => rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/"),
        Err(_) => dir.display().to_string(),
    }
}

/// `serverless.yml`, `serverless.yaml`, `serverless.json`, and stage variants such as
/// `serverless.prod.yml` (used with `--config`).
fn is_serverless_config(name: &str) -> bool {
    name.starts_with("serverless.") && [".yml", ".yaml", ".json"].iter().any(|e| name.ends_with(e))
}

fn is_serverless_script(name: &str) -> bool {
    [
        "serverless.ts",
        "serverless.js",
        "serverless.cjs",
        "serverless.mjs",
    ]
    .contains(&name)
}

/// A `manifest.json` is a CDK cloud assembly's when it names a schema version and artifacts.
fn is_cdk_assembly(path: &Path) -> bool {
    let Ok(meta) = std::fs::metadata(path) else {
        return false;
    };
    if meta.len() > 64 * 1024 * 1024 {
        return false;
    }
    let Ok(bytes) = std::fs::read(path) else {
        return false;
    };
    memchr::memmem::find(&bytes, b"\"artifacts\"").is_some()
        && memchr::memmem::find(&bytes, b"\"version\"").is_some()
}

/// `dir/name`, or `name` when `dir` is empty.
pub fn join_rel(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

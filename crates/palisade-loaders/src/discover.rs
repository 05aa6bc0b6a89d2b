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

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Candidate {
    pub path: PathBuf,
    /// Path relative to the scan root, `/`-separated.
    pub rel: String,
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
        if TEMPLATE_EXTENSIONS.contains(&ext.as_str()) {
            out.candidates.push(Candidate {
                path: entry.path().to_path_buf(),
                rel,
            });
        }
    }
    out
}

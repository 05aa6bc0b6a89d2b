//! Loaders: infrastructure-as-code formats in, Palisade's application model out.
//!
//! A loader knows its file format and nothing about security. It resolves what can be resolved
//! statically, keeps the rest symbolic, and records a span on every element it creates.
//! Depends on `palisade-model` only; no analyzer depends on this crate.

mod auth_details;
mod cdk;
pub mod cfn;
mod discover;
mod error;
mod policy_file;
mod sam_data;
mod serverless;
mod terraform;
pub mod yaml;

use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use palisade_model::{App, Diagnostic, SourceMap, line_col};

pub use auth_details::{MAX_AUTH_DETAILS_SIZE, load_auth_details, strict_json_options};
pub use discover::{Candidate, CandidateKind, Discovery, discover, join_rel};
pub use error::LoadError;
pub use policy_file::{load_policy_file, load_policy_text};

/// Limits a loader applies to every file, and the inputs a user gives to resolve variables.
#[derive(Clone, Debug)]
pub struct LoadSettings {
    /// Files larger than this are not read (templates are far smaller: CloudFormation accepts
    /// at most 1 MB).
    pub max_file_size: u64,
    pub yaml: yaml::Limits,
    /// Resolve Serverless Framework `${env:NAME}` variables from the process environment. Off
    /// by default: scanning an untrusted pull request must not copy the CI environment into a
    /// report.
    pub resolve_env: bool,
    /// Serverless Framework CLI options for `${opt:NAME}` (`stage`, `region`, ...).
    pub options: std::collections::BTreeMap<String, String>,
    /// Terraform variable values given by the user (`-var name=value`), over every file.
    pub tf_vars: std::collections::BTreeMap<String, String>,
    /// Extra Terraform `.tfvars` files (paths as given), read after `terraform.tfvars` and
    /// `*.auto.tfvars`.
    pub tf_var_files: Vec<std::path::PathBuf>,
}

impl Default for LoadSettings {
    fn default() -> Self {
        LoadSettings {
            max_file_size: 16 * 1024 * 1024,
            yaml: yaml::Limits::default(),
            resolve_env: false,
            options: std::collections::BTreeMap::new(),
            tf_vars: std::collections::BTreeMap::new(),
            tf_var_files: Vec::new(),
        }
    }
}

/// What loading one file gave.
#[derive(Debug)]
pub enum Loaded {
    App(Box<App>),
    /// A readable file that is not an app of a format Palisade knows.
    NotAnApp,
}

/// How many bytes are sniffed to decide whether an over-large file was meant as a template.
const SNIFF: usize = 64 * 1024;

fn looks_like_template(bytes: &[u8]) -> bool {
    memchr::memmem::find(bytes, b"Resources").is_some()
        || memchr::memmem::find(bytes, b"AWSTemplateFormatVersion").is_some()
}

/// Read a file as UTF-8 text within the settings' limits.
pub fn read_text(
    path: &Path,
    rel: &str,
    settings: &LoadSettings,
) -> Result<Option<String>, LoadError> {
    let io = |source| LoadError::Io {
        path: rel.to_string(),
        source,
    };
    let size = std::fs::metadata(path).map_err(io)?.len();
    if size > settings.max_file_size {
        let mut head = Vec::with_capacity(SNIFF);
        std::fs::File::open(path)
            .map_err(io)?
            .take(SNIFF as u64)
            .read_to_end(&mut head)
            .map_err(io)?;
        if looks_like_template(&head) {
            return Err(LoadError::TooLarge {
                path: rel.to_string(),
                size,
                limit: settings.max_file_size,
            });
        }
        return Ok(None);
    }
    let bytes = std::fs::read(path).map_err(io)?;
    if let Some(offset) = memchr::memchr(0, &bytes[..bytes.len().min(8192)]) {
        return Err(LoadError::Binary {
            path: rel.to_string(),
            offset,
        });
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok(Some(text)),
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let bytes = e.into_bytes();
            let prefix = String::from_utf8_lossy(bytes.get(..valid).unwrap_or(&[]));
            Err(LoadError::InvalidUtf8 {
                path: rel.to_string(),
                position: line_col(&prefix, prefix.len()),
            })
        }
    }
}

/// Load one CloudFormation or SAM candidate: `Ok(NotAnApp)` when the file is readable YAML or
/// JSON but not a template.
pub fn load_cloudformation(
    path: &Path,
    rel: &str,
    sources: &SourceMap,
    settings: &LoadSettings,
) -> Result<Loaded, LoadError> {
    let Some(text) = read_text(path, rel, settings)? else {
        return Ok(Loaded::NotAnApp);
    };
    let text = text
        .strip_prefix('\u{feff}')
        .map(str::to_string)
        .unwrap_or(text);
    if !looks_like_template(text.as_bytes()) {
        return Ok(Loaded::NotAnApp);
    }
    let doc = match yaml::parse(&text, settings.yaml) {
        Ok(doc) => doc,
        // Only comments: readable, and not a template.
        Err(yaml::YamlError::Empty) => return Ok(Loaded::NotAnApp),
        Err(e) => {
            return Err(LoadError::Yaml {
                path: rel.to_string(),
                position: e.offset().map(|o| line_col(&text, o)),
                message: e.to_string(),
            });
        }
    };
    if !cfn::is_template(&doc.root) {
        return Ok(Loaded::NotAnApp);
    }
    let text: Arc<str> = Arc::from(text);
    let file = sources.add(rel.to_string(), path, Arc::clone(&text));
    let Some(source) = sources.get(file) else {
        return Ok(Loaded::NotAnApp);
    };
    let mut app = cfn::load(&doc.root, file, &source);
    for w in doc.warnings {
        app.diagnostics.push(Diagnostic::warning(
            rel,
            Some(line_col(&text, w.offset)),
            w.message,
        ));
    }
    Ok(Loaded::App(Box::new(app)))
}

/// What loading one candidate gave: apps (a CDK assembly has one per stack), and problems that
/// did not stop the others (a malformed `.tf` file beside good ones).
#[derive(Debug, Default)]
pub struct LoadedSet {
    pub apps: Vec<App>,
    pub errors: Vec<LoadError>,
    /// Notes for the report about inputs deliberately not read (`serverless.ts`).
    pub notes: Vec<Diagnostic>,
}

/// Load one candidate of any format.
pub fn load_candidate(c: &Candidate, sources: &SourceMap, settings: &LoadSettings) -> LoadedSet {
    let mut out = LoadedSet::default();
    let one = |r: Result<Loaded, LoadError>, out: &mut LoadedSet| match r {
        Ok(Loaded::App(app)) => out.apps.push(*app),
        Ok(Loaded::NotAnApp) => {}
        Err(e) => out.errors.push(e),
    };
    match c.kind {
        CandidateKind::Template => {
            let r = load_cloudformation(&c.path, &c.rel, sources, settings);
            match r {
                Ok(Loaded::NotAnApp) => {
                    one(
                        terraform::load_plan_file(&c.path, &c.rel, sources, settings),
                        &mut out,
                    );
                }
                r => one(r, &mut out),
            }
        }
        CandidateKind::Serverless => one(
            serverless::load(&c.path, &c.rel, sources, settings),
            &mut out,
        ),
        CandidateKind::ServerlessScript => out.notes.push(Diagnostic::note(
            c.rel.clone(),
            None,
            "Serverless Framework configuration written in JavaScript or TypeScript: skipped, \
             because reading it would mean executing it; convert it to serverless.yml to scan it"
                .to_string(),
        )),
        CandidateKind::TerraformDir => {
            let r = terraform::load_dir(&c.path, &c.rel, sources, settings);
            out.apps.extend(r.apps);
            out.errors.extend(r.errors);
            out.notes.extend(r.diagnostics);
        }
        CandidateKind::CdkAssembly => {
            let r = cdk::load(&c.path, &c.rel, sources, settings);
            out.apps.extend(r.apps);
            out.errors.extend(r.errors);
        }
    }
    out
}

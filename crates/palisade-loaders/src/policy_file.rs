//! A standalone IAM policy document (JSON or YAML), loaded as an app whose only principal holds
//! that policy. Also accepted: the output of `aws iam get-policy-version` and
//! `aws iam get-role-policy` (the document under `PolicyVersion.Document` or `PolicyDocument`).

use std::path::Path;
use std::sync::Arc;

use palisade_model::policy::policy_document;
use palisade_model::{
    App, AppFormat, FileId, MapEntry, PolicySource, Role, RoleKind, SourceMap, Span, Text, Value,
    ValueKind, line_col,
};

use crate::yaml::{self, Node, NodeKind};
use crate::{LoadError, LoadSettings};

/// Load a policy document from `text` (already read), named `rel` in reports.
pub fn load_policy_text(
    text: String,
    disk_path: &Path,
    rel: &str,
    sources: &SourceMap,
    settings: &LoadSettings,
) -> Result<App, LoadError> {
    let text = text
        .strip_prefix('\u{feff}')
        .map(str::to_string)
        .unwrap_or(text);
    let doc = yaml::parse(&text, settings.yaml).map_err(|e| LoadError::Yaml {
        path: rel.to_string(),
        position: e.offset().map(|o| line_col(&text, o)),
        message: e.to_string(),
    })?;
    let Some(node) = document_node(&doc.root) else {
        return Err(LoadError::Json {
            path: rel.to_string(),
            position: Some(line_col(&text, doc.root.start)),
            message: "not an IAM policy document: expected an object with `Statement` (or the \
                      output of `aws iam get-policy-version`)"
                .into(),
        });
    };
    let text: Arc<str> = Arc::from(text);
    let file = sources.add(rel.to_string(), disk_path, Arc::clone(&text));
    let value = to_value(node, file);
    let name = Path::new(rel)
        .file_stem()
        .map_or_else(|| rel.to_string(), |s| s.to_string_lossy().into_owned());
    let policy = policy_document(&value, PolicySource::Standalone { name: name.clone() });
    let mut app = App::new(rel, file, AppFormat::PolicyDocument);
    for w in doc.warnings {
        app.diagnostics.push(palisade_model::Diagnostic::warning(
            rel,
            Some(line_col(&text, w.offset)),
            w.message,
        ));
    }
    let mut holder = Role::new(
        name,
        RoleKind::ManagedPolicy,
        "AWS::IAM::ManagedPolicy",
        Span::new(file, node.start, node.start),
    );
    holder.policies.push(policy);
    app.roles.push(holder);
    app.index();
    Ok(app)
}

/// Read and load a policy document file.
pub fn load_policy_file(
    path: &Path,
    rel: &str,
    sources: &SourceMap,
    settings: &LoadSettings,
) -> Result<App, LoadError> {
    let text = crate::read_text(path, rel, settings)?.ok_or_else(|| LoadError::TooLarge {
        path: rel.to_string(),
        size: std::fs::metadata(path).map(|m| m.len()).unwrap_or(0),
        limit: settings.max_file_size,
    })?;
    load_policy_text(text, path, rel, sources, settings)
}

/// The policy document in a file: the root, or under `PolicyVersion.Document` /
/// `PolicyDocument`.
fn document_node(root: &Node) -> Option<&Node> {
    if root.get("Statement").is_some() {
        return Some(root);
    }
    if let Some(d) = root.get("PolicyVersion").and_then(|v| v.get("Document")) {
        return Some(d);
    }
    root.get("PolicyDocument")
}

/// A YAML/JSON node as a model value; tags are ignored (a policy file has no intrinsics).
pub(crate) fn to_value(node: &Node, file: FileId) -> Value {
    let span = Span::new(file, node.start, node.end);
    let kind = match &node.kind {
        NodeKind::Null => ValueKind::Null,
        NodeKind::Bool(b) => ValueKind::Bool(*b),
        NodeKind::Number(n) => ValueKind::Number(n.clone()),
        NodeKind::Str(s) => ValueKind::Text(Text::lit(s.clone())),
        NodeKind::Seq(items) => ValueKind::List(items.iter().map(|i| to_value(i, file)).collect()),
        NodeKind::Map(entries) => ValueKind::Map(
            entries
                .iter()
                .map(|(k, v)| MapEntry {
                    key: k.as_str().map_or_else(String::new, str::to_string),
                    key_span: Span::new(file, k.start, k.end),
                    value: to_value(v, file),
                })
                .collect(),
        ),
    };
    Value::new(kind, span)
}

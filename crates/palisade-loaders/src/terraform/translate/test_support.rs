//! Terraform resources written as YAML for tests: a list of `{address, body}` items (plus
//! `source` for a module call, `dir` for a module folder), with the tags `!TfRef`,
//! `!TfUnknown`, `!TfJoin`, `!TfChoice` and `!TfJson` as the HCL reader produces them.

use std::path::PathBuf;
use std::sync::Arc;

use palisade_model::{App, AppFormat, FileId, SourceFile};

use super::super::{Mode, TfIgnore, TfResource};
use crate::cfn::FileMap;
use crate::yaml::{Limits, Node, NodeKind, parse};

pub(crate) fn resources(yaml: &str) -> Vec<TfResource> {
    let doc = parse(yaml, Limits::default()).unwrap_or_else(|e| unreachable!("{e}"));
    let items = doc.root.as_seq().unwrap_or(&[]).to_vec();
    items
        .iter()
        .map(|item| {
            let address = item
                .get("address")
                .and_then(Node::as_str)
                .unwrap_or_else(|| unreachable!("no address"))
                .to_string();
            let source = item.get("source").and_then(Node::as_str);
            let mut local = address.as_str();
            while let Some(after) = local.strip_prefix("module.") {
                local = after.split_once('.').map_or("", |(_, r)| r);
            }
            let (mode, type_name) = match (source, local.strip_prefix("data.")) {
                (Some(src), _) => (Mode::Module, src.to_string()),
                (None, Some(rest)) => (Mode::Data, rest.split('.').next().unwrap_or("").into()),
                (None, None) => (Mode::Managed, local.split('.').next().unwrap_or("").into()),
            };
            let body = item.get("body").cloned().unwrap_or(Node {
                kind: NodeKind::Map(Vec::new()),
                start: item.start,
                end: item.end,
                tag: None,
            });
            let ignores = item
                .get("ignore")
                .and_then(Node::as_str)
                .map(|rule| TfIgnore {
                    rule: rule.to_string(),
                    reason: Some("test".into()),
                    start: item.start,
                    end: item.start + 1,
                })
                .into_iter()
                .collect();
            TfResource {
                mode,
                type_name,
                address,
                start: item.start,
                end: item.end,
                body,
                ignores,
                module_dir: item
                    .get("dir")
                    .and_then(Node::as_str)
                    .unwrap_or("")
                    .to_string(),
            }
        })
        .collect()
}

/// Translate and load, as the Terraform loaders do.
pub(crate) fn load(yaml: &str) -> App {
    let res = resources(yaml);
    let mut diags = Vec::new();
    let template = super::to_template(&res, &mut diags).unwrap_or_else(|| unreachable!("empty"));
    let source = Arc::new(SourceFile::new(
        "main.tf".into(),
        PathBuf::from("main.tf"),
        yaml.into(),
    ));
    let mut app = crate::cfn::load_translated(
        &template,
        FileMap::single(FileId(0), source),
        AppFormat::Terraform,
    );
    app.diagnostics.extend(diags);
    app
}

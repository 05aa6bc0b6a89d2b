//! AWS CloudFormation and SAM templates (YAML or JSON) into the application model.
//!
//! SAM resources are read the way the SAM transform would expand them (globals merged,
//! generated roles and implicit APIs created, policy templates expanded) but straight into the
//! model, so rules never see the difference between a SAM and a CloudFormation function.

mod api;
mod function;
mod link;
pub(crate) mod resolve;
mod resources;
mod sam;

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Arc;

use palisade_model::{
    App, AppFormat, FileId, Parameter, Prop, SourceFile, Span, Suppression, SuppressionOrigin,
    Text, Value,
};

use crate::yaml::{Node, NodeKind};
use resolve::Resolver;

pub(crate) const SAM_TRANSFORM: &str = "AWS::Serverless-2016-10-31";

/// True when a parsed document is a CloudFormation template: a `Resources` mapping whose
/// entries have a `Type`, plus either the format version, a transform, or AWS resource types.
pub fn is_template(root: &Node) -> bool {
    let Some(resources) = root.get("Resources").and_then(Node::as_map) else {
        return false;
    };
    let typed = resources.iter().any(|(_, body)| {
        body.get("Type")
            .and_then(Node::as_str)
            .is_some_and(|t| t.starts_with("AWS::") || t.starts_with("Custom::"))
    });
    typed || root.get("AWSTemplateFormatVersion").is_some() || root.get("Transform").is_some()
}

/// True when the template asks for the SAM transform.
pub fn is_sam(root: &Node) -> bool {
    match root.get("Transform") {
        Some(t) => match &t.kind {
            NodeKind::Str(s) => s == SAM_TRANSFORM,
            NodeKind::Seq(items) => items.iter().any(|i| i.as_str() == Some(SAM_TRANSFORM)),
            _ => false,
        },
        None => false,
    }
}

/// One resource of the template, as found.
pub(crate) struct Res<'a> {
    pub id: &'a str,
    pub type_name: &'a str,
    pub key: &'a Node,
    pub body: &'a Node,
    pub props: Option<&'a Node>,
    pub condition: Option<String>,
    pub suppressions: Vec<Suppression>,
}

/// Where the byte offsets of a document's nodes point. A template parsed from one file has one
/// part at offset 0. A document translated from another format (Serverless Framework,
/// Terraform) is built from several files: each file's offsets are shifted by a base so that
/// one offset names one byte of one file, and spans land in the file the element came from.
#[derive(Clone, Debug)]
pub struct FileMap {
    /// `(base, file, source)`, sorted by base.
    parts: Vec<(usize, FileId, Arc<SourceFile>)>,
}

impl FileMap {
    pub fn single(file: FileId, source: Arc<SourceFile>) -> Self {
        FileMap {
            parts: vec![(0, file, source)],
        }
    }

    pub fn new() -> Self {
        FileMap { parts: Vec::new() }
    }

    /// Add a file whose offsets start at `base`; returns the base for the next file (past
    /// this file's text, with a gap so that an end offset never names the next file).
    pub fn push(&mut self, base: usize, file: FileId, source: Arc<SourceFile>) -> usize {
        let next = base + source.text.len() + 1;
        self.parts.push((base, file, source));
        self.parts.sort_by_key(|p| p.0);
        next
    }

    /// The base the next file should get.
    pub fn next_base(&self) -> usize {
        self.parts
            .iter()
            .map(|(base, _, src)| base + src.text.len() + 1)
            .max()
            .unwrap_or(0)
    }

    fn part(&self, offset: usize) -> Option<&(usize, FileId, Arc<SourceFile>)> {
        let i = self.parts.partition_point(|p| p.0 <= offset);
        self.parts.get(i.checked_sub(1)?)
    }

    /// The span of `[start, end)`, in the file `start` belongs to.
    pub fn span(&self, start: usize, end: usize) -> Span {
        match self.part(start) {
            Some((base, file, _)) => Span::new(*file, start - base, end.saturating_sub(*base)),
            None => Span::new(FileId::default(), start, end),
        }
    }

    /// The file path and line/column of an offset.
    pub fn locate(&self, offset: usize) -> Option<(String, palisade_model::LineCol)> {
        let (base, _, src) = self.part(offset)?;
        let local = u32::try_from(offset - base).unwrap_or(u32::MAX);
        Some((src.path.clone(), src.line_col(local)))
    }

    /// The first file (the app's main file).
    pub fn main(&self) -> Option<(FileId, &Arc<SourceFile>)> {
        self.parts.first().map(|(_, f, s)| (*f, s))
    }
}

impl Default for FileMap {
    fn default() -> Self {
        Self::new()
    }
}

pub(crate) struct Builder<'a> {
    pub r: Resolver<'a>,
    pub files: FileMap,
    pub app: App,
    pub globals: Option<&'a Node>,
    /// Logical id to resource type, including ids SAM generates.
    pub types: BTreeMap<String, String>,
    /// SAM API events waiting for every API's auth settings.
    pub pending_routes: Vec<sam::PendingRoute>,
    pub api_auth: BTreeMap<String, api::ApiAuth>,
}

impl<'a> Builder<'a> {
    pub fn span(&self, node: &Node) -> Span {
        self.files.span(node.start, node.end)
    }

    /// Span of a `key: value` pair.
    pub fn pair_span(&self, key: &Node, value: &Node) -> Span {
        self.files.span(key.start, value.end.max(key.end))
    }

    /// A resource's span: from its logical id to the end of its body.
    pub fn res_span(&self, res: &Res<'_>) -> Span {
        self.files.span(res.key.start, res.body.end)
    }

    /// A nested property block. `Block: !If [Cond, {A: x}, !Ref AWS::NoValue]` is unfolded
    /// into `{A: !If [Cond, x, !Ref AWS::NoValue]}` when the condition cannot be decided, so
    /// that every property of the block is read as conditional instead of the block being
    /// invisible; a decided condition selects its branch; `AWS::NoValue` is an absent block.
    pub fn block<'n>(&self, props: Option<&'n Node>, key: &str) -> Option<Cow<'n, Node>> {
        self.unfold(props?.get(key)?, 0)
    }

    fn unfold<'n>(&self, node: &'n Node, depth: usize) -> Option<Cow<'n, Node>> {
        if is_no_value(node) {
            return None;
        }
        let Some([cond, then, other]) = if_arguments(node) else {
            return Some(Cow::Borrowed(node));
        };
        if depth > 16 {
            return Some(Cow::Borrowed(node));
        }
        let name = cond.as_str().unwrap_or_default();
        match self.r.condition(name, cond) {
            Some(true) => self.unfold(then, depth + 1),
            Some(false) => self.unfold(other, depth + 1),
            None => {
                let a = self.unfold(then, depth + 1);
                let b = self.unfold(other, depth + 1);
                let map_or_absent =
                    |x: &Option<Cow<'_, Node>>| x.as_ref().is_none_or(|n| n.as_map().is_some());
                if !map_or_absent(&a) || !map_or_absent(&b) || (a.is_none() && b.is_none()) {
                    // Scalars and lists under `!If` are the resolver's business (a Choice).
                    return Some(Cow::Borrowed(node));
                }
                let no_value = Node {
                    kind: NodeKind::Str("AWS::NoValue".into()),
                    start: node.start,
                    end: node.end,
                    tag: Some("Ref".into()),
                };
                let mut keys: Vec<&str> = Vec::new();
                for side in [&a, &b] {
                    for (k, _) in side.as_ref().and_then(|n| n.as_map()).unwrap_or(&[]) {
                        if let Some(k) = k.as_str()
                            && !keys.contains(&k)
                        {
                            keys.push(k);
                        }
                    }
                }
                let entries = keys
                    .into_iter()
                    .map(|k| {
                        let side = |x: &Option<Cow<'_, Node>>| {
                            x.as_ref()
                                .and_then(|n| n.get(k))
                                .cloned()
                                .unwrap_or_else(|| no_value.clone())
                        };
                        let (x, y) = (side(&a), side(&b));
                        let key = Node {
                            kind: NodeKind::Str(k.to_string()),
                            start: x.start.min(y.start),
                            end: x.start.min(y.start),
                            tag: None,
                        };
                        let value = Node {
                            start: x.start.min(y.start),
                            end: x.end.max(y.end),
                            kind: NodeKind::Seq(vec![cond.clone(), x, y]),
                            tag: Some("If".into()),
                        };
                        (key, value)
                    })
                    .collect();
                Some(Cow::Owned(Node {
                    kind: NodeKind::Map(entries),
                    start: node.start,
                    end: node.end,
                    tag: None,
                }))
            }
        }
    }

    pub fn value(&self, props: Option<&Node>, key: &str) -> Option<Value> {
        self.r.resolve_opt(props?.get(key)?)
    }

    pub fn text(&self, props: Option<&Node>, key: &str) -> Option<Prop<Text>> {
        self.value(props, key).map(|v| Prop::from_text_value(&v))
    }

    pub fn string(&self, props: Option<&Node>, key: &str) -> Option<Prop<String>> {
        self.value(props, key)
            .map(|v| Prop::from_value(&v, |v| v.as_str().map(str::to_string)))
    }

    pub fn number(&self, props: Option<&Node>, key: &str) -> Option<Prop<u64>> {
        self.value(props, key)
            .map(|v| Prop::from_value(&v, Value::as_u64))
    }

    pub fn boolean(&self, props: Option<&Node>, key: &str) -> Option<Prop<bool>> {
        self.value(props, key)
            .map(|v| Prop::from_value(&v, Value::as_bool))
    }

    /// The logical id a property refers to (`RestApiId: !Ref Api`), when it is a resource here.
    pub fn reference(&self, props: Option<&Node>, key: &str) -> Option<String> {
        self.value(props, key).and_then(|v| self.referenced_id(&v))
    }

    /// The logical id a value refers to, when it is a single `Ref`/`GetAtt` to a resource.
    pub fn referenced_id(&self, value: &Value) -> Option<String> {
        value
            .text()
            .and_then(Text::sole_reference)
            .map(|id| self.resource_id_of(id).to_string())
            .filter(|id| self.types.contains_key(id))
    }

    /// The resource a referenced name designates: the name itself when it is a logical id
    /// (Terraform addresses such as `aws_iam_role.exec` contain dots), else the part before
    /// the first dot (SAM's `MyFunction.Alias`).
    pub fn resource_id_of<'i>(&self, id: &'i str) -> &'i str {
        if self.types.contains_key(id) {
            id
        } else {
            id.split('.').next().unwrap_or(id)
        }
    }

    pub fn type_of(&self, id: &str) -> Option<&str> {
        self.types.get(id).map(String::as_str)
    }
}

/// `!Ref AWS::NoValue` in either form.
fn is_no_value(node: &Node) -> bool {
    match (&node.tag, &node.kind) {
        (Some(t), NodeKind::Str(s)) => t == "Ref" && s == "AWS::NoValue",
        (None, NodeKind::Map(entries)) => {
            entries.len() == 1 && node.get("Ref").and_then(Node::as_str) == Some("AWS::NoValue")
        }
        _ => false,
    }
}

/// The arguments of an `Fn::If` (short or long form).
fn if_arguments(node: &Node) -> Option<&[Node; 3]> {
    let args = match (&node.tag, &node.kind) {
        (Some(t), NodeKind::Seq(items)) if t == "If" => items.as_slice(),
        (None, NodeKind::Map(entries)) if entries.len() == 1 => node.get("Fn::If")?.as_seq()?,
        _ => return None,
    };
    args.try_into().ok()
}

/// Build the app of a parsed template.
pub fn load(root: &Node, file: FileId, source: &Arc<SourceFile>) -> App {
    let format = if is_sam(root) {
        AppFormat::Sam
    } else {
        AppFormat::CloudFormation
    };
    load_translated(root, FileMap::single(file, Arc::clone(source)), format)
}

/// Build the app of a CloudFormation document that another format was translated into: its
/// nodes' offsets are read through `files`, and the app takes the first file of the map as its
/// main file. SAM resources are expanded when the document asks for the SAM transform.
pub fn load_translated(root: &Node, files: FileMap, format: AppFormat) -> App {
    let (file, path) = files
        .main()
        .map(|(f, s)| (f, s.path.clone()))
        .unwrap_or_default();
    let path = path.as_str();
    let sam = is_sam(root);
    let mut b = Builder {
        r: Resolver::new(root, files.clone()),
        files,
        app: App::new(path, file, format),
        globals: root.get("Globals"),
        types: BTreeMap::new(),
        pending_routes: Vec::new(),
        api_auth: BTreeMap::new(),
    };

    b.app.suppressions = suppressions(&b, root.get("Metadata"), None);
    parameters(&mut b, root);

    let mut found = Vec::new();
    if let Some(entries) = root.get("Resources").and_then(Node::as_map) {
        for (key, body) in entries {
            let (Some(id), Some(type_name)) =
                (key.as_str(), body.get("Type").and_then(Node::as_str))
            else {
                continue;
            };
            b.types.insert(id.to_string(), type_name.to_string());
            found.push((id, type_name, key, body));
        }
    }
    if sam {
        sam::declare_generated_ids(&mut b, &found);
    }

    let mut resources = Vec::new();
    for (id, type_name, key, body) in found {
        let condition = match body.get("Condition") {
            Some(c) => {
                let name = c.as_str().unwrap_or_default().to_string();
                match b.r.condition(&name, c) {
                    // Never created with these inputs.
                    Some(false) => continue,
                    Some(true) => None,
                    None => Some(name),
                }
            }
            None => None,
        };
        let suppressions = suppressions(&b, body.get("Metadata"), Some(id));
        resources.push(Res {
            id,
            type_name,
            key,
            body,
            props: body.get("Properties"),
            condition,
            suppressions,
        });
    }

    for res in &resources {
        match res.type_name {
            "AWS::Serverless::Function" => sam::function(&mut b, res),
            "AWS::Lambda::Function" => function::lambda_function(&mut b, res),
            "AWS::IAM::Role" => resources::role(&mut b, res),
            "AWS::Serverless::Api" => api::sam_api(&mut b, res, palisade_model::ApiKind::Rest),
            "AWS::Serverless::HttpApi" => api::sam_api(&mut b, res, palisade_model::ApiKind::Http),
            "AWS::ApiGateway::RestApi" => api::rest_api(&mut b, res),
            "AWS::ApiGatewayV2::Api" => api::v2_api(&mut b, res),
            _ => resources::other(&mut b, res),
        }
    }
    if sam {
        sam::implicit_apis(&mut b);
    }
    // Second pass: resources that refer to the ones above.
    link::link(&mut b, &resources);

    for (message, offset) in b.r.warnings.take() {
        let (file_path, at) = match b.files.locate(offset) {
            Some((p, at)) => (p, Some(at)),
            None => (path.to_string(), None),
        };
        b.app
            .diagnostics
            .push(palisade_model::Diagnostic::warning(file_path, at, message));
    }
    let warnings = std::mem::take(&mut b.app.diagnostics);
    b.app.diagnostics = dedup(warnings);
    b.app.index();
    // Apps live for the whole scan: give back what growing the vectors reserved.
    b.app.functions.shrink_to_fit();
    for f in &mut b.app.functions {
        f.triggers.shrink_to_fit();
        f.environment.shrink_to_fit();
    }
    b.app.roles.shrink_to_fit();
    b.app.resources.shrink_to_fit();
    b.app.apis.shrink_to_fit();
    b.app
}

fn dedup(mut diags: Vec<palisade_model::Diagnostic>) -> Vec<palisade_model::Diagnostic> {
    diags.sort();
    diags.dedup();
    diags
}

fn parameters(b: &mut Builder<'_>, root: &Node) {
    let Some(entries) = root.get("Parameters").and_then(Node::as_map) else {
        return;
    };
    for (key, body) in entries {
        let Some(name) = key.as_str() else { continue };
        let no_echo = body
            .get("NoEcho")
            .map(|n| b.r.resolve(n))
            .and_then(|v| v.as_bool())
            .unwrap_or(false);
        b.app.parameters.push(Parameter {
            name: name.to_string(),
            span: b.pair_span(key, body),
            param_type: body.get("Type").and_then(Node::as_str).map(str::to_string),
            default: body.get("Default").map(|d| b.r.resolve(d)),
            no_echo,
        });
    }
}

/// `Metadata: { palisade: { ignore: [ {id: PAL104, reason: "…"}, "PAL105" ] } }`.
fn suppressions(
    b: &Builder<'_>,
    metadata: Option<&Node>,
    target: Option<&str>,
) -> Vec<Suppression> {
    let Some(list) = metadata
        .and_then(|m| m.get("palisade"))
        .and_then(|p| p.get("ignore"))
    else {
        return Vec::new();
    };
    let items: Vec<&Node> = match &list.kind {
        NodeKind::Seq(items) => items.iter().collect(),
        _ => vec![list],
    };
    items
        .into_iter()
        .filter_map(|item| {
            let (rule, reason) = match &item.kind {
                NodeKind::Str(s) => (s.clone(), None),
                NodeKind::Map(_) => (
                    item.get("id")
                        .or_else(|| item.get("rule"))?
                        .as_str()?
                        .to_string(),
                    item.get("reason")
                        .and_then(Node::as_str)
                        .map(str::trim)
                        .filter(|r| !r.is_empty())
                        .map(str::to_string),
                ),
                _ => return None,
            };
            Some(Suppression {
                rule,
                reason,
                target: target.map(str::to_string),
                origin: SuppressionOrigin::TemplateMetadata,
                span: b.span(item),
            })
        })
        .collect()
}

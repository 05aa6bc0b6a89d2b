//! Terraform resources into a CloudFormation document for the shared loader.
//!
//! Each Terraform resource becomes the CloudFormation resource a template of the same
//! infrastructure would declare, under its Terraform address as logical id; resources that
//! only configure another one (`aws_s3_bucket_public_access_block`,
//! `aws_iam_role_policy_attachment`, `aws_api_gateway_integration`, ...) are folded into it,
//! the way CloudFormation declares them. Every property node keeps the offsets of the
//! attribute it came from. What is not known becomes a parameter without a default, and a
//! condition that is not known becomes a condition on one: the loader keeps both symbolic.

mod apigw;
mod iam;
mod lambda;
mod module;
mod nodes;
mod storage;
mod values;

use std::collections::BTreeMap;

use palisade_model::Diagnostic;

use super::{Mode, TfResource};
use crate::cfn::FileMap;
use crate::yaml::{Node, NodeKind};
use nodes::{entry, map_at, node, seq_at, str_at, str_span};

/// The CloudFormation document standing for `resources`, or `None` when none of them is
/// something Palisade models. Problems go to `diagnostics` (without a location: use
/// [`to_template_located`] when the file map is known).
#[cfg(test)]
pub(crate) fn to_template(
    resources: &[TfResource],
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Node> {
    to_template_located(resources, diagnostics, None)
}

/// [`to_template`], with diagnostics located through `files`.
pub(crate) fn to_template_located(
    resources: &[TfResource],
    diagnostics: &mut Vec<Diagnostic>,
    files: Option<&FileMap>,
) -> Option<Node> {
    let mut ctx = Ctx::new(resources);
    for res in resources {
        ctx.primary(res, diagnostics, files);
    }
    for res in resources {
        ctx.fold(res);
    }
    ctx.finish()
}

/// One CloudFormation resource being built.
pub(super) struct Out {
    pub id: String,
    pub cfn_type: String,
    /// Offsets of the Terraform block (or module call) it stands for.
    pub start: usize,
    pub end: usize,
    /// Where the block's header ends (the logical id's span).
    pub header_end: usize,
    /// Offsets of the properties mapping (the block's body).
    pub props_start: usize,
    pub props_end: usize,
    pub props: Vec<(Node, Node)>,
    pub metadata: Option<Node>,
}

impl Out {
    /// A resource for a Terraform block.
    pub fn of(res: &TfResource, cfn_type: &str) -> Self {
        Out::with_id(res, &res.address, cfn_type)
    }

    /// A resource for a Terraform block under another id (a module's generated resources).
    pub fn with_id(res: &TfResource, id: &str, cfn_type: &str) -> Self {
        let header_end = if res.body.start > res.start && res.body.start <= res.end {
            res.body.start
        } else {
            res.start
        };
        let metadata = ignores_metadata(res);
        Out {
            id: id.to_string(),
            cfn_type: cfn_type.to_string(),
            start: res.start,
            end: res.end,
            header_end,
            props_start: res.body.start,
            props_end: res.body.end,
            props: Vec::new(),
            metadata,
        }
    }

    /// Set a property; the key takes the span of `key_at`.
    pub fn set(&mut self, name: &str, key_at: &Node, value: Node) {
        self.props.retain(|(k, _)| k.as_str() != Some(name));
        self.props.push(entry(name, key_at, value));
    }

    pub fn has(&self, name: &str) -> bool {
        self.props.iter().any(|(k, _)| k.as_str() == Some(name))
    }

    fn into_entry(self) -> (Node, Node) {
        let key = str_span(&self.id, self.start, self.header_end);
        let whole = node(NodeKind::Null, self.start, self.end);
        let mut body = vec![
            entry("Type", &key, str_at(&self.cfn_type, &key)),
            entry(
                "Properties",
                &key,
                node(NodeKind::Map(self.props), self.props_start, self.props_end),
            ),
        ];
        if let Some(m) = self.metadata {
            body.push(entry("Metadata", &key, m));
        }
        (key, map_at(body, &whole))
    }
}

/// `# palisade:ignore` comments as the template `Metadata` the loader reads suppressions from.
fn ignores_metadata(res: &TfResource) -> Option<Node> {
    if res.ignores.is_empty() {
        return None;
    }
    let items = res
        .ignores
        .iter()
        .map(|i| {
            let at = node(NodeKind::Null, i.start, i.end);
            let mut e = vec![entry("id", &at, str_at(&i.rule, &at))];
            if let Some(reason) = &i.reason {
                e.push(entry("reason", &at, str_at(reason, &at)));
            }
            map_at(e, &at)
        })
        .collect();
    let at = node(NodeKind::Null, res.start, res.start);
    let ignore = map_at(vec![entry("ignore", &at, seq_at(items, &at))], &at);
    Some(map_at(vec![entry("palisade", &at, ignore)], &at))
}

/// The translation of one set of resources.
pub(super) struct Ctx<'a> {
    pub by_address: BTreeMap<&'a str, &'a TfResource>,
    /// Logical ids the document will declare, with their Terraform type (or module source).
    pub declared: BTreeMap<String, &'a str>,
    pub out: Vec<Out>,
    index: BTreeMap<String, usize>,
    /// Synthesized parameters (deploy-time unknowns) and where they were first used.
    pub params: BTreeMap<String, (usize, usize)>,
    /// Synthesized conditions: name to the parameter it compares.
    pub conditions: BTreeMap<String, (String, usize, usize)>,
    /// Nesting of policy documents built from data sources (against cycles).
    pub depth: usize,
    /// Literal ARNs (and queue URLs) of the document's resources, as a state or a plan knows
    /// them: the same text elsewhere is a reference to that resource.
    pub known_arns: BTreeMap<String, (&'a str, &'a str, &'static str)>,
}

impl<'a> Ctx<'a> {
    fn new(resources: &'a [TfResource]) -> Self {
        let mut by_address = BTreeMap::new();
        let mut declared = BTreeMap::new();
        let mut known_arns = BTreeMap::new();
        for r in resources {
            by_address.insert(r.address.as_str(), r);
            if r.mode == Mode::Managed && !is_folded(&r.type_name) {
                if r.type_name == "aws_apigatewayv2_integration"
                    && let Some(id) = r.body.get("id").and_then(nodes::lit_str)
                {
                    // A route's `target` as a state records it.
                    known_arns.insert(
                        format!("integrations/{id}"),
                        (r.type_name.as_str(), r.address.as_str(), "target"),
                    );
                }
                // Generated API Gateway ids, as a state records them in other resources.
                let opaque_id = matches!(
                    r.type_name.as_str(),
                    "aws_apigatewayv2_api"
                        | "aws_apigatewayv2_integration"
                        | "aws_apigatewayv2_authorizer"
                        | "aws_api_gateway_rest_api"
                        | "aws_api_gateway_resource"
                        | "aws_api_gateway_authorizer"
                        | "aws_api_gateway_deployment"
                );
                if opaque_id
                    && let Some(id) = r.body.get("id").and_then(nodes::lit_str)
                    && id.len() >= 6
                {
                    known_arns.insert(
                        id.to_string(),
                        (r.type_name.as_str(), r.address.as_str(), "id"),
                    );
                }
                for attr in ["arn", "invoke_arn", "url"] {
                    if let Some(v) = r.body.get(attr).and_then(nodes::lit_str)
                        && v.len() > 8
                    {
                        known_arns.insert(
                            v.to_string(),
                            (r.type_name.as_str(), r.address.as_str(), attr),
                        );
                    }
                }
            }
            match r.mode {
                Mode::Managed if !is_folded(&r.type_name) => {
                    declared.insert(r.address.clone(), r.type_name.as_str());
                }
                Mode::Module if module::is_lambda_module(&r.type_name) => {
                    for (id, t) in module::declared_ids(r) {
                        declared.insert(id, t);
                    }
                }
                _ => {}
            }
        }
        Ctx {
            by_address,
            declared,
            out: Vec::new(),
            index: BTreeMap::new(),
            params: BTreeMap::new(),
            conditions: BTreeMap::new(),
            depth: 0,
            known_arns,
        }
    }

    pub fn push(&mut self, out: Out) {
        self.index.insert(out.id.clone(), self.out.len());
        self.out.push(out);
    }

    /// A resource already built, to fold another into.
    pub fn out_mut(&mut self, id: &str) -> Option<&mut Out> {
        let i = *self.index.get(id)?;
        self.out.get_mut(i)
    }

    fn primary(
        &mut self,
        res: &'a TfResource,
        diagnostics: &mut Vec<Diagnostic>,
        files: Option<&FileMap>,
    ) {
        match res.mode {
            Mode::Data => {}
            Mode::Module => {
                if module::is_lambda_module(&res.type_name) {
                    module::lambda_module(self, res);
                } else {
                    let (path, at) = match files.and_then(|f| f.locate(res.start)) {
                        Some((p, at)) => (p, Some(at)),
                        None => (res.module_dir.clone(), None),
                    };
                    diagnostics.push(Diagnostic::note(
                        path,
                        at,
                        format!(
                            "module {} from {} not read: remote modules are kept symbolic",
                            res.address.strip_prefix("module.").unwrap_or(&res.address),
                            res.type_name
                        ),
                    ));
                }
            }
            Mode::Managed => {
                let t = res.type_name.as_str();
                if is_folded(t) {
                    return;
                }
                let done = lambda::primary(self, res)
                    || iam::primary(self, res)
                    || apigw::primary(self, res)
                    || storage::primary(self, res);
                if !done {
                    self.generic(res);
                }
            }
        }
    }

    fn fold(&mut self, res: &'a TfResource) {
        if res.mode != Mode::Managed || !is_folded(&res.type_name) {
            return;
        }
        let _ = iam::fold(self, res) || apigw::fold(self, res) || storage::fold(self, res);
    }

    /// A resource Palisade has no mapping for: kept with its attributes so that references to
    /// it stay references.
    fn generic(&mut self, res: &'a TfResource) {
        let mut out = Out::of(res, &format!("Terraform::{}", res.type_name));
        if let Some(entries) = res.body.as_map() {
            for (k, v) in entries {
                if let Some(name) = k.as_str()
                    && !nodes::is_unset(v)
                {
                    let value = self.conv(v);
                    out.props.push((str_at(name, k), value));
                }
            }
        }
        self.push(out);
    }

    fn finish(self) -> Option<Node> {
        if self.out.is_empty() {
            return None;
        }
        let mut start = usize::MAX;
        let mut end = 0;
        for o in &self.out {
            start = start.min(o.start);
            end = end.max(o.end);
        }
        let at = node(NodeKind::Null, start, end);
        let mut root = Vec::new();
        if !self.params.is_empty() {
            let params = self
                .params
                .iter()
                .map(|(name, (s, e))| {
                    let p = node(NodeKind::Null, *s, *e);
                    let body = map_at(
                        vec![
                            entry("Type", &p, str_at("String", &p)),
                            // Not a secret the user typed into a template: never report it
                            // as one.
                            entry("NoEcho", &p, node(NodeKind::Bool(true), p.start, p.end)),
                        ],
                        &p,
                    );
                    (str_at(name, &p), body)
                })
                .collect();
            root.push(entry("Parameters", &at, map_at(params, &at)));
        }
        if !self.conditions.is_empty() {
            let conds = self
                .conditions
                .iter()
                .map(|(name, (param, s, e))| {
                    let c = node(NodeKind::Null, *s, *e);
                    let eq = nodes::tagged(
                        "Equals",
                        seq_at(vec![nodes::ref_at(param, &c), str_at("true", &c)], &c),
                    );
                    (str_at(name, &c), eq)
                })
                .collect();
            root.push(entry("Conditions", &at, map_at(conds, &at)));
        }
        let resources = self.out.into_iter().map(Out::into_entry).collect();
        root.push(entry("Resources", &at, map_at(resources, &at)));
        Some(map_at(root, &at))
    }
}

/// Terraform resources that configure another resource and are folded into it.
fn is_folded(type_name: &str) -> bool {
    matches!(
        type_name,
        "aws_s3_bucket_acl"
            | "aws_s3_bucket_public_access_block"
            | "aws_s3_bucket_server_side_encryption_configuration"
            | "aws_s3_bucket_versioning"
            | "aws_s3_bucket_logging"
            | "aws_s3_bucket_notification"
            | "aws_iam_role_policy_attachment"
            | "aws_iam_policy_attachment"
            | "aws_iam_role_policies_exclusive"
            | "aws_api_gateway_integration"
            | "aws_api_gateway_rest_api_policy"
            | "aws_api_gateway_method_settings"
            | "aws_cloudwatch_event_target"
            | "aws_sqs_queue_redrive_policy"
    )
}

#[cfg(test)]
pub(crate) mod test_support;
#[cfg(test)]
mod tests;

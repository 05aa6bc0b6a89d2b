//! Terraform values into CloudFormation values: references become `Ref`/`Fn::GetAtt`,
//! interpolations `Fn::Join`, unknowns parameters without a default, undecidable conditionals
//! `Fn::If` on a condition nobody can evaluate.

use super::nodes::{get_att, join, pseudo, ref_at, seq_at, str_at, tagged};
use super::{Ctx, Mode, TfResource, module};
use crate::yaml::{Limits, Node, NodeKind, parse};

/// A policy document nests others (`source_policy_documents`) at most this deep.
const MAX_DOCUMENT_DEPTH: usize = 16;

impl<'a> Ctx<'a> {
    /// Convert a Terraform value node.
    pub fn conv(&mut self, n: &Node) -> Node {
        match n.tag.as_deref() {
            Some("TfRef") => {
                let text = n.as_str().unwrap_or_default().to_string();
                self.reference(&text, n)
            }
            Some("TfUnknown") => {
                let text = n.as_str().unwrap_or_default().to_string();
                self.unknown_or_module_output(&text, n)
            }
            Some("TfJoin") => self.interpolation(n),
            Some("TfChoice") => self.choice(n),
            _ => self.plain(n),
        }
    }

    /// A node without a Terraform tag (a `TfJson` structure is one, with its tag dropped).
    fn plain(&mut self, n: &Node) -> Node {
        if let NodeKind::Str(s) = &n.kind
            && let Some((type_name, id, attr)) = self.known_arns.get(s.as_str())
        {
            return attribute(type_name, id, attr, n);
        }
        let kind = match &n.kind {
            NodeKind::Seq(items) => NodeKind::Seq(items.iter().map(|i| self.conv(i)).collect()),
            NodeKind::Map(entries) => NodeKind::Map(
                entries
                    .iter()
                    .map(|(k, v)| {
                        let mut k = k.clone();
                        k.tag = None;
                        (k, self.conv(v))
                    })
                    .collect(),
            ),
            other => other.clone(),
        };
        Node {
            kind,
            start: n.start,
            end: n.end,
            tag: None,
        }
    }

    fn interpolation(&mut self, n: &Node) -> Node {
        let parts: Vec<Node> = n
            .as_seq()
            .unwrap_or(&[])
            .iter()
            .map(|p| self.conv(p))
            .collect();
        if parts
            .iter()
            .all(|p| p.tag.is_none() && p.as_str().is_some())
        {
            let s: String = parts.iter().filter_map(Node::as_str).collect();
            return str_at(&s, n);
        }
        join(parts, n)
    }

    fn choice(&mut self, n: &Node) -> Node {
        let [cond, then, other] = n.as_seq().unwrap_or(&[]) else {
            return self.unknown("conditional expression", n);
        };
        let name = cond.as_str().unwrap_or("condition").to_string();
        self.params
            .entry(name.clone())
            .or_insert((cond.start, cond.end));
        self.conditions
            .entry(name.clone())
            .or_insert((name.clone(), cond.start, cond.end));
        let then = self.conv(then);
        let other = self.conv(other);
        tagged("If", seq_at(vec![str_at(&name, cond), then, other], n))
    }

    /// Something not known before deployment: a parameter without a default.
    pub fn unknown(&mut self, expr: &str, at: &Node) -> Node {
        let name = if expr.is_empty() { "unknown" } else { expr };
        // A parameter never shadows a resource of the document.
        let name = if self.declared.contains_key(name) {
            format!("{name} (unknown)")
        } else {
            name.to_string()
        };
        self.params
            .entry(name.clone())
            .or_insert((at.start, at.end));
        ref_at(&name, at)
    }

    fn unknown_or_module_output(&mut self, expr: &str, at: &Node) -> Node {
        if let Some((target, attr)) = self.split_address(expr)
            && target.mode == Mode::Module
            && let Some(n) = module::output(self, target, attr, at)
        {
            return n;
        }
        self.unknown(expr, at)
    }

    /// The resource an address refers to, and the attribute path after it.
    pub fn split_address<'s>(&self, s: &'s str) -> Option<(&'a TfResource, &'s str)> {
        let mut best = None;
        let mut depth = 0usize;
        let mut quoted = false;
        for (i, c) in s.char_indices() {
            match c {
                '"' => quoted = !quoted,
                '[' if !quoted => depth += 1,
                ']' if !quoted => depth = depth.saturating_sub(1),
                '.' if !quoted && depth == 0 => {
                    let prefix = s.get(..i).unwrap_or_default();
                    if let Some(r) = self.by_address.get(prefix) {
                        best = Some((*r, s.get(i + 1..).unwrap_or_default()));
                    }
                }
                _ => {}
            }
        }
        if let Some(r) = self.by_address.get(s) {
            best = Some((*r, ""));
        }
        best
    }

    /// A reference to an attribute of another resource.
    pub fn reference(&mut self, text: &str, at: &Node) -> Node {
        let Some((target, attr)) = self.split_address(text) else {
            return self.unknown(text, at);
        };
        match target.mode {
            Mode::Data => self.data_reference(target, attr, text, at),
            Mode::Module => match module::output(self, target, attr, at) {
                Some(n) => n,
                None => self.unknown(text, at),
            },
            Mode::Managed => {
                if !self.declared.contains_key(&target.address) {
                    return self.unknown(text, at);
                }
                attribute(&target.type_name, &target.address, attr, at)
            }
        }
    }

    fn data_reference(
        &mut self,
        target: &'a TfResource,
        attr: &str,
        text: &str,
        at: &Node,
    ) -> Node {
        match (target.type_name.as_str(), attr) {
            ("aws_iam_policy_document", "json" | "minified_json") => {
                if self.depth >= MAX_DOCUMENT_DEPTH {
                    return self.unknown(text, at);
                }
                self.depth += 1;
                let doc = super::iam::policy_document_data(self, target, at);
                self.depth -= 1;
                doc
            }
            ("aws_caller_identity", "account_id") => pseudo("AWS::AccountId", at),
            ("aws_region", "name" | "id" | "region") => pseudo("AWS::Region", at),
            ("aws_partition", "partition" | "id") => pseudo("AWS::Partition", at),
            ("aws_partition", "dns_suffix") => pseudo("AWS::URLSuffix", at),
            _ => match target.body.get(attr) {
                // A data source's known attribute (an archive's `output_path`) is its value.
                Some(v) if v.tag.is_none() && v.as_str().is_some() => {
                    str_at(v.as_str().unwrap_or_default(), at)
                }
                _ => self.unknown(text, at),
            },
        }
    }

    /// A value that may hold JSON (or YAML) text: a heredoc policy, `file("policy.json")`,
    /// a plan's JSON string. The text is parsed; its nodes keep their own offsets when the
    /// string's span covers the text verbatim, else they all take the string's span.
    pub fn conv_json(&mut self, n: &Node) -> Node {
        self.conv_text(n, false)
    }

    /// [`Ctx::conv_json`] that also reads YAML text (an OpenAPI `body`).
    pub fn conv_document(&mut self, n: &Node) -> Node {
        self.conv_text(n, true)
    }

    fn conv_text(&mut self, n: &Node, yaml: bool) -> Node {
        if n.tag.is_none()
            && let NodeKind::Str(s) = &n.kind
        {
            let trimmed = s.trim_start();
            if (yaml || trimmed.starts_with('{') || trimmed.starts_with('['))
                && let Ok(doc) = parse(s, Limits::default())
                && matches!(doc.root.kind, NodeKind::Map(_) | NodeKind::Seq(_))
            {
                let width = n.end.saturating_sub(n.start);
                let shift = if width == s.len() {
                    Some(n.start)
                } else if width == s.len() + 2 {
                    Some(n.start + 1)
                } else {
                    None
                };
                let mut root = doc.root;
                relocate(&mut root, shift, n);
                return self.conv(&root);
            }
        }
        self.conv(n)
    }
}

/// Move a parsed node tree to global offsets: shifted by `shift`, or flat on `at`. Tags of
/// the parsed text are dropped (`!Ref` in a JSON string is not an intrinsic).
fn relocate(n: &mut Node, shift: Option<usize>, at: &Node) {
    match shift {
        Some(s) => {
            n.start += s;
            n.end += s;
        }
        None => {
            n.start = at.start;
            n.end = at.end;
        }
    }
    n.tag = None;
    match &mut n.kind {
        NodeKind::Seq(items) => items.iter_mut().for_each(|i| relocate(i, shift, at)),
        NodeKind::Map(entries) => entries.iter_mut().for_each(|(k, v)| {
            relocate(k, shift, at);
            relocate(v, shift, at);
        }),
        _ => {}
    }
}

/// `Ref` or `Fn::GetAtt` for an attribute of a resource of the document, by what the
/// attribute is in CloudFormation terms.
pub(super) fn attribute(type_name: &str, id: &str, attr: &str, at: &Node) -> Node {
    let attr = attr.split(['.', '[']).next().unwrap_or(attr);
    match (type_name, attr) {
        ("aws_lambda_function" | "aws_lambda_alias", "invoke_arn" | "qualified_invoke_arn") => {
            invoke_arn(get_att(id, "Arn", at), at)
        }
        ("aws_lambda_function", "qualified_arn") => get_att(id, "Arn", at),
        // Resources whose `Ref` is their ARN.
        (
            "aws_sns_topic"
            | "aws_iam_policy"
            | "aws_lambda_layer_version"
            | "aws_sns_topic_subscription"
            | "aws_lambda_alias",
            "arn" | "id",
        ) => ref_at(id, at),
        ("aws_sqs_queue", "url" | "id") => ref_at(id, at),
        ("aws_apigatewayv2_integration", "target") => {
            join(vec![str_at("integrations/", at), ref_at(id, at)], at)
        }
        ("aws_sqs_queue", "name") => get_att(id, "QueueName", at),
        ("aws_dynamodb_table", "stream_arn") => get_att(id, "StreamArn", at),
        ("aws_api_gateway_rest_api", "root_resource_id") => get_att(id, "RootResourceId", at),
        ("aws_api_gateway_rest_api" | "aws_apigatewayv2_api", "execution_arn") => join(
            vec![
                str_at("arn:", at),
                pseudo("AWS::Partition", at),
                str_at(":execute-api:", at),
                pseudo("AWS::Region", at),
                str_at(":", at),
                pseudo("AWS::AccountId", at),
                str_at(":", at),
                ref_at(id, at),
            ],
            at,
        ),
        ("aws_apigatewayv2_api", "api_endpoint") => get_att(id, "ApiEndpoint", at),
        ("aws_lambda_function_url", "function_url") => get_att(id, "FunctionUrl", at),
        (_, "arn") => get_att(id, "Arn", at),
        (_, "" | "id" | "name" | "function_name" | "bucket" | "key_id" | "stage_name") => {
            ref_at(id, at)
        }
        (_, other) => get_att(id, &pascal(other), at),
    }
}

/// The URI API Gateway invokes a function by, in the shape its integrations are written.
pub(super) fn invoke_arn(function_arn: Node, at: &Node) -> Node {
    join(
        vec![
            str_at("arn:", at),
            pseudo("AWS::Partition", at),
            str_at(":apigateway:", at),
            pseudo("AWS::Region", at),
            str_at(":lambda:path/2015-03-31/functions/", at),
            function_arn,
            str_at("/invocations", at),
        ],
        at,
    )
}

/// `retention_in_days` → `RetentionInDays`.
pub(super) fn pascal(snake: &str) -> String {
    snake
        .split('_')
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

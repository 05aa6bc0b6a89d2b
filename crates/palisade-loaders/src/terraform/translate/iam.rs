//! IAM: roles (with inline policies and managed policy attachments folded in), role policies,
//! customer managed policies, and `aws_iam_policy_document` data sources as the documents
//! they render.

use super::nodes::{attr, blocks, entry, lit_str, map_at, seq_at, str_at};
use super::{Ctx, Out, TfResource};
use crate::yaml::{Node, NodeKind};

pub(super) fn primary<'a>(ctx: &mut Ctx<'a>, res: &'a TfResource) -> bool {
    let body = &res.body;
    match res.type_name.as_str() {
        "aws_iam_role" => {
            let mut out = Out::of(res, "AWS::IAM::Role");
            if let Some((k, v)) = attr(body, "name") {
                out.set("RoleName", k, ctx.conv(v));
            }
            if let Some((k, v)) = attr(body, "assume_role_policy") {
                out.set("AssumeRolePolicyDocument", k, ctx.conv_json(v));
            }
            let mut policies = Vec::new();
            for p in blocks(body, "inline_policy") {
                let Some((pk, pv)) = attr(p, "policy") else {
                    continue;
                };
                let mut e = Vec::new();
                if let Some((nk, nv)) = attr(p, "name") {
                    e.push(entry("PolicyName", nk, ctx.conv(nv)));
                }
                e.push(entry("PolicyDocument", pk, ctx.conv_json(pv)));
                policies.push(map_at(e, p));
            }
            if let Some(first) = body.get("inline_policy")
                && !policies.is_empty()
            {
                out.set("Policies", first, seq_at(policies, first));
            }
            if let Some((k, v)) = attr(body, "managed_policy_arns") {
                out.set("ManagedPolicyArns", k, ctx.conv(v));
            }
            if let Some((k, v)) = attr(body, "permissions_boundary") {
                out.set("PermissionsBoundary", k, ctx.conv(v));
            }
            if let Some((k, v)) = attr(body, "path") {
                out.set("Path", k, ctx.conv(v));
            }
            ctx.push(out);
        }
        "aws_iam_role_policy" => {
            let mut out = Out::of(res, "AWS::IAM::RolePolicy");
            if let Some((k, v)) = attr(body, "name") {
                out.set("PolicyName", k, ctx.conv(v));
            }
            if let Some((k, v)) = attr(body, "role") {
                out.set("RoleName", k, ctx.conv(v));
            }
            if let Some((k, v)) = attr(body, "policy") {
                out.set("PolicyDocument", k, ctx.conv_json(v));
            }
            ctx.push(out);
        }
        "aws_iam_policy" => {
            let mut out = Out::of(res, "AWS::IAM::ManagedPolicy");
            if let Some((k, v)) = attr(body, "name") {
                out.set("ManagedPolicyName", k, ctx.conv(v));
            }
            if let Some((k, v)) = attr(body, "policy") {
                out.set("PolicyDocument", k, ctx.conv_json(v));
            }
            ctx.push(out);
        }
        _ => return false,
    }
    true
}

/// Attachments of managed policies, into the roles' `ManagedPolicyArns`.
pub(super) fn fold<'a>(ctx: &mut Ctx<'a>, res: &'a TfResource) -> bool {
    let body = &res.body;
    let roles: Vec<&Node> = match res.type_name.as_str() {
        "aws_iam_role_policy_attachment" => {
            attr(body, "role").map(|(_, v)| v).into_iter().collect()
        }
        "aws_iam_policy_attachment" => attr(body, "roles")
            .map(|(_, v)| match v.as_seq() {
                Some(items) if v.tag.is_none() => items.iter().collect(),
                _ => vec![v],
            })
            .unwrap_or_default(),
        _ => return false,
    };
    let Some((_, arn)) = attr(body, "policy_arn") else {
        return true;
    };
    for role in roles {
        let Some(id) = ctx.target_of(role, "aws_iam_role", "name") else {
            continue;
        };
        let value = ctx.conv(arn);
        add_managed_arn(ctx, &id, value);
    }
    true
}

/// Append an ARN to a role's `ManagedPolicyArns`.
pub(super) fn add_managed_arn(ctx: &mut Ctx<'_>, role: &str, arn: Node) {
    let Some(out) = ctx.out_mut(role) else { return };
    match out
        .props
        .iter_mut()
        .find(|(k, _)| k.as_str() == Some("ManagedPolicyArns"))
    {
        Some((_, list)) if list.tag.is_none() => {
            if let NodeKind::Seq(items) = &mut list.kind {
                items.push(arn);
            }
        }
        Some(_) => {}
        None => {
            let key = arn.clone();
            out.props
                .push(entry("ManagedPolicyArns", &key, seq_at(vec![arn], &key)));
        }
    }
}

impl<'a> Ctx<'a> {
    /// The logical id of the resource of `type_name` a value designates: by reference, or by
    /// the literal value of its `name_attr`.
    pub fn target_of(&self, v: &Node, type_name: &str, name_attr: &str) -> Option<String> {
        if v.tag.as_deref() == Some("TfRef") {
            let (target, _) = self.split_address(v.as_str()?)?;
            return (target.type_name == type_name && self.declared.contains_key(&target.address))
                .then(|| target.address.clone());
        }
        let name = lit_str(v)?;
        self.by_address
            .values()
            .find(|r| {
                r.type_name == type_name
                    && self.declared.contains_key(&r.address)
                    && r.body.get(name_attr).and_then(lit_str) == Some(name)
            })
            .map(|r| r.address.clone())
    }
}

/// The document an `aws_iam_policy_document` data source renders, with the statements of its
/// `source_policy_documents` and `override_policy_documents` merged by `Sid` as Terraform
/// merges them.
pub(super) fn policy_document_data<'a>(ctx: &mut Ctx<'a>, data: &'a TfResource, at: &Node) -> Node {
    let body = &data.body;
    let has_statements = !blocks(body, "statement").is_empty();
    if !has_statements
        && body.get("source_policy_documents").is_none()
        && body.get("override_policy_documents").is_none()
        && let Some((_, json)) = attr(body, "json")
    {
        // A plan that only has the rendered document.
        let mut doc = ctx.conv_json(json);
        doc.start = at.start;
        doc.end = at.end;
        return doc;
    }
    let mut merged: Vec<(Option<String>, Node)> = Vec::new();
    for src in documents(body, "source_policy_documents", "source_json") {
        let doc = ctx.conv_json(src);
        merged.extend(statements_of(&doc));
    }
    for st in blocks(body, "statement") {
        let sid = st.get("sid").and_then(lit_str).filter(|s| !s.is_empty());
        let built = statement(ctx, st, st.get("sid"));
        replace_or_push(&mut merged, sid.map(str::to_string), built);
    }
    for ovr in documents(body, "override_policy_documents", "override_json") {
        let doc = ctx.conv_json(ovr);
        for (sid, st) in statements_of(&doc) {
            replace_or_push(&mut merged, sid, st);
        }
    }
    let version = match attr(body, "version") {
        Some((k, v)) => entry("Version", k, ctx.conv(v)),
        None => entry("Version", at, str_at("2012-10-17", at)),
    };
    let mut entries = vec![version];
    if let Some((k, v)) = attr(body, "policy_id") {
        entries.push(entry("Id", k, ctx.conv(v)));
    }
    let stmts = merged.into_iter().map(|(_, s)| s).collect();
    entries.push(entry("Statement", at, seq_at(stmts, at)));
    map_at(entries, at)
}

fn documents<'n>(body: &'n Node, list: &str, legacy: &str) -> Vec<&'n Node> {
    let mut out = Vec::new();
    if let Some((_, v)) = attr(body, list) {
        match v.as_seq() {
            Some(items) if v.tag.is_none() => out.extend(items),
            _ => out.push(v),
        }
    }
    if let Some((_, v)) = attr(body, legacy) {
        out.push(v);
    }
    out
}

fn replace_or_push(merged: &mut Vec<(Option<String>, Node)>, sid: Option<String>, st: Node) {
    if let Some(s) = &sid
        && let Some(slot) = merged.iter_mut().find(|(x, _)| x.as_ref() == Some(s))
    {
        slot.1 = st;
        return;
    }
    merged.push((sid, st));
}

/// The statements of a converted document, with their `Sid`s; a document that is not known
/// is kept whole as one statement (the loader reports it as incomplete).
fn statements_of(doc: &Node) -> Vec<(Option<String>, Node)> {
    let sid = |s: &Node| {
        s.get("Sid")
            .and_then(lit_str)
            .filter(|x| !x.is_empty())
            .map(str::to_string)
    };
    match doc.get("Statement") {
        Some(list) if list.tag.is_none() => match &list.kind {
            NodeKind::Seq(items) => items.iter().map(|s| (sid(s), s.clone())).collect(),
            NodeKind::Map(_) => vec![(sid(list), list.clone())],
            _ => vec![(None, list.clone())],
        },
        Some(other) => vec![(None, other.clone())],
        None => vec![(None, doc.clone())],
    }
}

/// One statement from its Terraform shape (`statement` block of `aws_iam_policy_document`, or
/// an entry of the Lambda module's `policy_statements`).
pub(super) fn statement(ctx: &mut Ctx<'_>, st: &Node, sid: Option<&Node>) -> Node {
    let mut e = Vec::new();
    if let Some(sid) = sid.filter(|s| !super::nodes::is_unset(s)) {
        e.push(entry("Sid", sid, ctx.conv(sid)));
    }
    match attr(st, "effect") {
        Some((k, v)) => e.push(entry("Effect", k, ctx.conv(v))),
        None => e.push(entry("Effect", st, str_at("Allow", st))),
    }
    for (tf, cfn) in [
        ("actions", "Action"),
        ("not_actions", "NotAction"),
        ("resources", "Resource"),
        ("not_resources", "NotResource"),
    ] {
        if let Some((k, v)) = attr(st, tf) {
            e.push(entry(cfn, k, ctx.conv(v)));
        }
    }
    for (tf, cfn) in [
        ("principals", "Principal"),
        ("not_principals", "NotPrincipal"),
    ] {
        if let Some(p) = principals(ctx, st, tf) {
            let key = st.get(tf).unwrap_or(st);
            e.push(entry(cfn, key, p));
        }
    }
    if let Some(c) = conditions(ctx, st) {
        let key = st.get("condition").unwrap_or(st);
        e.push(entry("Condition", key, c));
    }
    map_at(e, st)
}

/// `principals { type = "Service", identifiers = [...] }` blocks into a `Principal`.
fn principals(ctx: &mut Ctx<'_>, st: &Node, name: &str) -> Option<Node> {
    let list = blocks(st, name);
    let whole = st.get(name)?;
    if list.is_empty() {
        return None;
    }
    let mut by_type: Vec<(Node, Vec<Node>)> = Vec::new();
    for p in list {
        let t = p.get("type").and_then(lit_str).unwrap_or("AWS");
        let ids = match p.get("identifiers") {
            Some(v) => match v.as_seq() {
                Some(items) if v.tag.is_none() => items.iter().map(|i| ctx.conv(i)).collect(),
                _ => vec![ctx.conv(v)],
            },
            None => Vec::new(),
        };
        if t == "*" {
            // `type = "*"` renders as `"Principal": "*"`.
            return Some(str_at("*", p));
        }
        let key_at = p.get("type").unwrap_or(p);
        match by_type.iter_mut().find(|(k, _)| k.as_str() == Some(t)) {
            Some((_, items)) => items.extend(ids),
            None => by_type.push((str_at(t, key_at), ids)),
        }
    }
    let entries = by_type
        .into_iter()
        .map(|(k, items)| {
            let v = seq_at(items, &k);
            (k, v)
        })
        .collect();
    Some(map_at(entries, whole))
}

/// `condition { test, variable, values }` blocks into a `Condition`.
fn conditions(ctx: &mut Ctx<'_>, st: &Node) -> Option<Node> {
    let list = blocks(st, "condition");
    let whole = st.get("condition")?;
    if list.is_empty() {
        return None;
    }
    let mut by_test: Vec<(Node, Vec<(Node, Node)>)> = Vec::new();
    for c in list {
        let (Some(test), Some(var)) = (
            c.get("test").and_then(lit_str),
            c.get("variable").and_then(lit_str),
        ) else {
            continue;
        };
        let values = c
            .get("values")
            .map(|v| ctx.conv(v))
            .unwrap_or_else(|| seq_at(Vec::new(), c));
        let var_at = c.get("variable").unwrap_or(c);
        let pair = (str_at(var, var_at), values);
        match by_test.iter_mut().find(|(k, _)| k.as_str() == Some(test)) {
            Some((_, vars)) => vars.push(pair),
            None => by_test.push((str_at(test, c.get("test").unwrap_or(c)), vec![pair])),
        }
    }
    let entries = by_test
        .into_iter()
        .map(|(k, vars)| {
            let v = map_at(vars, &k);
            (k, v)
        })
        .collect();
    Some(map_at(entries, whole))
}

/// A lone statement list as a document (`{Version, Statement}`) spanning `at`.
pub(super) fn document(statements: Vec<Node>, at: &Node) -> Node {
    map_at(
        vec![
            entry("Version", at, str_at("2012-10-17", at)),
            entry("Statement", at, seq_at(statements, at)),
        ],
        at,
    )
}

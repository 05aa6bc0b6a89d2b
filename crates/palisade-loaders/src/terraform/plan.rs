//! `terraform show -json` output (plans, and state) into [`super::TfResource`]s.
//!
//! A plan's `planned_values` hold every resource instance (those of remote modules too) with
//! the attribute values known before apply, in the shapes of the configuration (nested blocks
//! are lists of objects, policies JSON strings). What is only known after apply is absent
//! there and flagged in `resource_changes[].change.after_unknown`; the configuration's
//! `expressions` say what it refers to, which is enough to link a function to its role.
//! State output (`values`) has every value.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use palisade_model::{AppFormat, Diagnostic, SourceMap, line_col};

use super::model::{Mode, TfResource};
use crate::cfn::FileMap;
use crate::yaml::{Node, NodeKind};
use crate::{LoadError, LoadSettings, Loaded};

pub(crate) fn load_plan_file(
    path: &Path,
    rel: &str,
    sources: &SourceMap,
    settings: &LoadSettings,
) -> Result<Loaded, LoadError> {
    let Some(text) = crate::read_text(path, rel, settings)? else {
        return Ok(Loaded::NotAnApp);
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text).to_string();
    let head = text.as_bytes();
    if memchr::memmem::find(head, b"\"terraform_version\"").is_none()
        || memchr::memmem::find(head, b"\"format_version\"").is_none()
    {
        return Ok(Loaded::NotAnApp);
    }
    let doc = match crate::yaml::parse(&text, settings.yaml) {
        Ok(doc) => doc,
        Err(e) => {
            return Err(LoadError::Json {
                path: rel.to_string(),
                position: e.offset().map(|o| line_col(&text, o)),
                message: format!("Terraform JSON output: {e}"),
            });
        }
    };
    let root = &doc.root;
    if !is_show_json(root) {
        return Ok(Loaded::NotAnApp);
    }
    let resources = resources(root);
    let text: Arc<str> = Arc::from(text);
    let file = sources.add(rel.to_string(), path, Arc::clone(&text));
    let Some(source) = sources.get(file) else {
        return Ok(Loaded::NotAnApp);
    };
    let files = FileMap::single(file, source);
    let mut diagnostics = Vec::new();
    let Some(template) =
        super::translate::to_template_located(&resources, &mut diagnostics, Some(&files))
    else {
        return Ok(Loaded::NotAnApp);
    };
    let mut app = crate::cfn::load_translated(&template, files, AppFormat::Terraform);
    app.diagnostics.extend(diagnostics);
    for w in doc.warnings {
        app.diagnostics.push(Diagnostic::warning(
            rel,
            Some(line_col(&text, w.offset)),
            w.message,
        ));
    }
    Ok(Loaded::App(Box::new(app)))
}

/// `terraform show -json` of a plan or a state.
fn is_show_json(root: &Node) -> bool {
    root.get("format_version").is_some()
        && root.get("terraform_version").is_some()
        && (root.get("planned_values").is_some() || root.get("values").is_some())
}

/// The resource instances of a plan (or state), with values unknown before apply replaced by
/// what the configuration says they refer to.
pub(crate) fn resources(root: &Node) -> Vec<TfResource> {
    let changes = after_unknown(root);
    let config = root.get("configuration").and_then(|c| c.get("root_module"));
    let mut out: Vec<TfResource> = Vec::new();
    let values = root
        .get("planned_values")
        .or_else(|| root.get("values"))
        .and_then(|v| v.get("root_module"));
    if let Some(m) = values {
        walk(m, &changes, config, &mut out, 0);
    }
    link_known_values(&mut out, config);
    // Data sources read while planning are in the prior state only.
    if let Some(m) = root
        .get("prior_state")
        .and_then(|s| s.get("values"))
        .and_then(|v| v.get("root_module"))
    {
        let mut prior = Vec::new();
        walk(m, &BTreeMap::new(), config, &mut prior, 0);
        for r in prior {
            if !out.iter().any(|o| o.address == r.address) {
                out.push(r);
            }
        }
    }
    out
}

/// Known values that are another resource's attribute, as the configuration writes them
/// (`function_name = aws_lambda_function.worker.function_name` is `"worker"` in the plan):
/// references again, so that they link as they would in the configuration.
fn link_known_values(out: &mut [TfResource], config: Option<&Node>) {
    let mut literals: BTreeMap<(String, String), String> = BTreeMap::new();
    for r in out.iter() {
        for (k, v) in r.body.as_map().unwrap_or(&[]) {
            if let (Some(k), Some(text), None) = (k.as_str(), v.as_str(), &v.tag) {
                literals.insert((r.address.clone(), k.to_string()), text.to_string());
            }
        }
    }
    let Some(config) = config else { return };
    for r in out.iter_mut() {
        let (path, local) = split_module(&r.address);
        let prefix = module_prefix(&r.address);
        let Some(exprs) = config_module(config, &path)
            .and_then(|m| config_resource(m, &strip_index(local)))
            .and_then(|c| c.get("expressions"))
            .and_then(Node::as_map)
        else {
            continue;
        };
        let NodeKind::Map(values) = &mut r.body.kind else {
            continue;
        };
        for (k, e) in exprs {
            let Some(key) = k.as_str() else { continue };
            let refs = e.get("references").and_then(Node::as_seq).unwrap_or(&[]);
            let Some((_, v)) = values.iter_mut().find(|(vk, _)| vk.as_str() == Some(key)) else {
                continue;
            };
            let Some(lit) = v.as_str().filter(|_| v.tag.is_none()).map(str::to_string) else {
                continue;
            };
            let found = refs.iter().filter_map(Node::as_str).find(|r| {
                r.rsplit_once('.').is_some_and(|(addr, attr)| {
                    literals.get(&(format!("{prefix}{addr}"), attr.to_string())) == Some(&lit)
                })
            });
            if let Some(r) = found {
                v.kind = NodeKind::Str(format!("{prefix}{r}"));
                v.tag = Some("TfRef".into());
            }
        }
    }
}

/// `resource_changes[].change.after_unknown` by address.
fn after_unknown(root: &Node) -> BTreeMap<String, &Node> {
    let mut map = BTreeMap::new();
    for c in root
        .get("resource_changes")
        .and_then(Node::as_seq)
        .unwrap_or(&[])
    {
        if let (Some(addr), Some(u)) = (
            c.get("address").and_then(Node::as_str),
            c.get("change").and_then(|ch| ch.get("after_unknown")),
        ) {
            map.insert(addr.to_string(), u);
        }
    }
    map
}

fn walk(
    module: &Node,
    changes: &BTreeMap<String, &Node>,
    config: Option<&Node>,
    out: &mut Vec<TfResource>,
    depth: usize,
) {
    if depth > 32 {
        return;
    }
    for r in module
        .get("resources")
        .and_then(Node::as_seq)
        .unwrap_or(&[])
    {
        if let Some(res) = resource(r, changes, config) {
            out.push(res);
        }
    }
    for child in module
        .get("child_modules")
        .and_then(Node::as_seq)
        .unwrap_or(&[])
    {
        walk(child, changes, config, out, depth + 1);
    }
}

fn resource(
    r: &Node,
    changes: &BTreeMap<String, &Node>,
    config: Option<&Node>,
) -> Option<TfResource> {
    let address = r.get("address")?.as_str()?.to_string();
    let type_name = r.get("type")?.as_str()?.to_string();
    let mode = match r.get("mode").and_then(Node::as_str) {
        Some("data") => Mode::Data,
        _ => Mode::Managed,
    };
    let mut body = match r.get("values") {
        Some(v) if v.as_map().is_some() => v.clone(),
        _ => Node {
            kind: NodeKind::Map(Vec::new()),
            start: r.start,
            end: r.end,
            tag: None,
        },
    };
    let (module_path, local) = split_module(&address);
    let expressions = config
        .and_then(|c| config_module(c, &module_path))
        .and_then(|m| config_resource(m, &strip_index(local)))
        .and_then(|c| c.get("expressions"));
    if let Some(unknown) = changes.get(&address) {
        let ctx = Fill {
            module_prefix: module_prefix(&address),
            config,
        };
        fill(&mut body, unknown, expressions, &ctx, &address, 0);
    }
    Some(TfResource {
        mode,
        type_name,
        address,
        start: r.start,
        end: r.end,
        body,
        ignores: Vec::new(),
        module_dir: String::new(),
    })
}

/// `module.a.module.b["k"].aws_x.y[0]` → (`["a", "b"]`, `aws_x.y[0]`).
fn split_module(address: &str) -> (Vec<String>, &str) {
    let mut path = Vec::new();
    let mut rest = address;
    while let Some(after) = rest.strip_prefix("module.") {
        let end = after.find('.').unwrap_or(after.len());
        let name = after.get(..end).unwrap_or_default();
        path.push(strip_index(name));
        rest = after.get(end + 1..).unwrap_or_default();
    }
    (path, rest)
}

/// The `module.x.` prefix of an address (instance keys kept), empty for the root module.
fn module_prefix(address: &str) -> String {
    let (path, local) = split_module(address);
    if path.is_empty() {
        return String::new();
    }
    address.strip_suffix(local).unwrap_or_default().to_string()
}

/// `aws_x.y[0]` → `aws_x.y`.
fn strip_index(s: &str) -> String {
    match s.find('[') {
        Some(i) => s.get(..i).unwrap_or(s).to_string(),
        None => s.to_string(),
    }
}

/// The configuration of a module by its call path.
fn config_module<'n>(root: &'n Node, path: &[String]) -> Option<&'n Node> {
    let mut m = root;
    for name in path {
        m = m.get("module_calls")?.get(name)?.get("module")?;
    }
    Some(m)
}

fn config_resource<'n>(module: &'n Node, address: &str) -> Option<&'n Node> {
    module
        .get("resources")?
        .as_seq()?
        .iter()
        .find(|r| r.get("address").and_then(Node::as_str) == Some(address))
}

struct Fill<'n> {
    module_prefix: String,
    config: Option<&'n Node>,
}

/// Replace what is unknown in `values` by the configuration's references.
fn fill(
    values: &mut Node,
    unknown: &Node,
    expr: Option<&Node>,
    ctx: &Fill<'_>,
    path: &str,
    depth: usize,
) {
    if depth > 32 {
        return;
    }
    match &unknown.kind {
        NodeKind::Map(entries) => {
            for (k, u) in entries {
                let Some(key) = k.as_str() else { continue };
                // A map attribute has one expression for the whole map.
                let sub_expr = match expr {
                    Some(e) if is_expression(e) => Some(e),
                    _ => expr.and_then(|e| e.get(key)),
                };
                let sub_path = format!("{path}.{key}");
                let NodeKind::Map(vals) = &mut values.kind else {
                    continue;
                };
                match vals
                    .iter_mut()
                    .rev()
                    .find(|(vk, _)| vk.as_str() == Some(key))
                {
                    Some((_, v)) if !matches!(v.kind, NodeKind::Null) => {
                        fill(v, u, sub_expr, ctx, &sub_path, depth + 1);
                    }
                    Some((_, v)) => {
                        if matches!(u.kind, NodeKind::Bool(true)) && sub_expr.is_some() {
                            *v = from_expression(sub_expr, u, ctx, key, &sub_path);
                        }
                    }
                    None => {
                        // Without an expression, the provider computes the attribute: it is
                        // not something the configuration sets.
                        if matches!(u.kind, NodeKind::Bool(true)) && sub_expr.is_some() {
                            let value = from_expression(sub_expr, u, ctx, key, &sub_path);
                            vals.push((k.clone(), value));
                        }
                    }
                }
            }
        }
        NodeKind::Seq(items) => {
            let NodeKind::Seq(vals) = &mut values.kind else {
                return;
            };
            // Nested blocks: the expressions are a list of objects, one per block.
            let exprs = expr.and_then(Node::as_seq).unwrap_or(&[]);
            for (i, u) in items.iter().enumerate() {
                let e = exprs.get(i).or_else(|| exprs.first());
                if let Some(v) = vals.get_mut(i) {
                    if matches!(u.kind, NodeKind::Bool(true)) {
                        if e.is_none() {
                            continue;
                        }
                        *v = from_expression(e, u, ctx, "", &format!("{path}[{i}]"));
                    } else {
                        fill(v, u, e, ctx, &format!("{path}[{i}]"), depth + 1);
                    }
                }
            }
        }
        NodeKind::Bool(true) if expr.is_some() => {
            *values = from_expression(expr, unknown, ctx, "", path);
        }
        _ => {}
    }
}

/// An expression object of the configuration (as opposed to a nested block's attributes).
fn is_expression(e: &Node) -> bool {
    e.get("references").is_some() || e.get("constant_value").is_some()
}

/// The value of an attribute known only after apply: a reference to what its expression
/// refers to (`TfRef`), else an unknown (`TfUnknown`).
fn from_expression(expr: Option<&Node>, at: &Node, ctx: &Fill<'_>, key: &str, path: &str) -> Node {
    let (start, end) = match expr {
        Some(e) => (e.start, e.end),
        None => (at.start, at.end),
    };
    let tagged = |tag: &str, s: String| Node {
        kind: NodeKind::Str(s),
        start,
        end,
        tag: Some(tag.to_string()),
    };
    let refs: Vec<&str> = expr
        .and_then(|e| e.get("references"))
        .and_then(Node::as_seq)
        .unwrap_or(&[])
        .iter()
        .filter_map(Node::as_str)
        .collect();
    let is_policy = key.ends_with("policy") || key == "policy_json";
    for r in &refs {
        let resource_ref = ![
            "var.",
            "local.",
            "each.",
            "count.",
            "path.",
            "self.",
            "terraform.",
        ]
        .iter()
        .any(|p| r.starts_with(p));
        if !resource_ref {
            continue;
        }
        if is_policy && !(r.starts_with("data.aws_iam_policy_document.") && r.ends_with(".json")) {
            continue;
        }
        let full = format!("{}{}", ctx.module_prefix, r);
        if let Some(resolved) = module_output(&full, ctx, 0) {
            return tagged("TfRef", resolved);
        }
        if r.starts_with("module.") {
            continue;
        }
        return tagged("TfRef", full);
    }
    let text = refs.first().map_or_else(
        || format!("{path} (known after apply)"),
        |r| (*r).to_string(),
    );
    tagged("TfUnknown", text)
}

/// `module.x.output_name` → the address its output expression refers to.
fn module_output(reference: &str, ctx: &Fill<'_>, depth: usize) -> Option<String> {
    if depth > 8 {
        return None;
    }
    let (path, local) = split_module(reference);
    if path.is_empty() || local.contains('.') || local.is_empty() {
        return None;
    }
    let module = ctx.config.and_then(|c| config_module(c, &path))?;
    let refs = module
        .get("outputs")?
        .get(local)?
        .get("expression")?
        .get("references")?
        .as_seq()?;
    let prefix = reference.strip_suffix(local).unwrap_or_default();
    let first = refs.iter().filter_map(Node::as_str).next()?;
    let full = format!("{prefix}{first}");
    Some(module_output(&full, ctx, depth + 1).unwrap_or(full))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_split_into_module_path_and_local_address() {
        let (path, local) = split_module("module.a.module.b[\"k\"].aws_x.y[0]");
        assert_eq!(path, vec!["a".to_string(), "b".to_string()]);
        assert_eq!(local, "aws_x.y[0]");
        assert_eq!(module_prefix("module.a.aws_x.y"), "module.a.");
        assert_eq!(module_prefix("aws_x.y"), "");
        assert_eq!(strip_index("aws_x.y[\"a\"]"), "aws_x.y");
    }
}

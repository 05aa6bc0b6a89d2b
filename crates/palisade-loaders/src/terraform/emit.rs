//! Module instances into [`TfResource`]s: one per resource or data source instance, local
//! modules read recursively, remote module calls kept as [`Mode::Module`].

use hcl_edit::expr::Expression;
use hcl_edit::structure::{Block, Body, Structure};

use super::eval::{Eval, Scope};
use super::index::{Decl, Src};
use super::model::{Mode, TfResource};
use super::refs::{each_pairs, map};
use super::value::{self as v, node};
use crate::yaml::{Node, NodeKind};

/// Meta-arguments of a `resource`, `data` or `module` block: they shape instances, they are
/// not settings of the resource.
const META: &[&str] = &[
    "count",
    "for_each",
    "depends_on",
    "provider",
    "providers",
    "source",
    "version",
];
const META_BLOCKS: &[&str] = &["lifecycle", "provisioner", "connection"];

impl<'a> Eval<'a> {
    /// Every resource of an instance and of the local modules it calls, in file order.
    pub(crate) fn emit(&self, i: usize, out: &mut Vec<TfResource>) {
        let Some(inst) = self.inst(i) else { return };
        let Some(module) = self.modules.get(inst.module) else {
            return;
        };
        let rel_dir = module.rel_dir.to_string();
        for decl in &module.blocks {
            let decl: Decl<'a> = *decl;
            let block = decl.block;
            let labels: Vec<&str> = block.labels.iter().map(|l| l.as_str()).collect();
            let (start, end) = decl.src.range(block);
            match (block.ident.as_str(), labels.as_slice()) {
                ("resource" | "data", [type_name, name, ..]) => {
                    let data = block.ident.as_str() == "data";
                    let mut ignores = inst.ignores.clone();
                    ignores.extend(super::ignore::for_block(block, decl.src));
                    for (key, binding) in self.expand(i, decl, &mut Vec::new()) {
                        let mut sc: Scope = binding.into_iter().collect();
                        let suffix = key.as_ref().and_then(v::instance_key).unwrap_or_default();
                        let address = format!(
                            "{}{}{type_name}.{name}{suffix}",
                            inst.prefix,
                            if data { "data." } else { "" }
                        );
                        let body = self.body(i, &block.body, decl.src, &mut sc, true, (start, end));
                        out.push(TfResource {
                            mode: if data { Mode::Data } else { Mode::Managed },
                            type_name: (*type_name).to_string(),
                            address,
                            start,
                            end,
                            body,
                            ignores: ignores.clone(),
                            module_dir: rel_dir.clone(),
                        });
                    }
                }
                ("module", [name, ..]) => {
                    let source = super::files::literal_attr(block, "source").unwrap_or_default();
                    let children = self.children(i, name);
                    for child in children.iter() {
                        match child.inst {
                            Some(c) => self.emit(c, out),
                            None => {
                                let mut sc: Scope = child.binding.iter().cloned().collect();
                                let suffix = child
                                    .key
                                    .as_ref()
                                    .and_then(v::instance_key)
                                    .unwrap_or_default();
                                let mut ignores = inst.ignores.clone();
                                ignores.extend(super::ignore::for_block(block, decl.src));
                                out.push(TfResource {
                                    mode: Mode::Module,
                                    type_name: source.clone(),
                                    address: format!("{}module.{name}{suffix}", inst.prefix),
                                    start,
                                    end,
                                    body: self.body(
                                        i,
                                        &block.body,
                                        decl.src,
                                        &mut sc,
                                        true,
                                        (start, end),
                                    ),
                                    ignores,
                                    module_dir: rel_dir.clone(),
                                });
                            }
                        }
                    }
                }
                _ => {}
            }
        }
    }

    /// A block body as a `Map`: attributes evaluated, nested blocks as a `Seq` of `Map`s under
    /// their type, `dynamic` blocks expanded.
    pub(crate) fn body(
        &self,
        i: usize,
        body: &Body,
        src: Src<'_>,
        sc: &mut Scope,
        top: bool,
        (start, end): (usize, usize),
    ) -> Node {
        let mut entries: Vec<(Node, Node)> = Vec::new();
        for s in body.iter() {
            match s {
                Structure::Attribute(a) => {
                    if top && META.contains(&a.key.as_str()) {
                        continue;
                    }
                    let (ks, ke) = src.range(&a.key);
                    let value = self.value(i, &a.value, src, sc);
                    entries.push((v::string(a.key.as_str(), ks, ke), value));
                }
                Structure::Block(b) => {
                    let ident = b.ident.as_str();
                    if top && META_BLOCKS.contains(&ident) {
                        continue;
                    }
                    let (ks, ke) = src.range(&b.ident);
                    if ident == "dynamic" {
                        let Some(label) = b.labels.first() else {
                            continue;
                        };
                        let (ls, le) = src.range(label);
                        let items = self.dynamic(i, b, label.as_str(), src, sc);
                        push_blocks(&mut entries, label.as_str(), (ls, le), items);
                    } else {
                        let range = src.range(b);
                        let inner = self.body(i, &b.body, src, sc, false, range);
                        push_blocks(&mut entries, ident, (ks, ke), vec![inner]);
                    }
                }
            }
        }
        node(NodeKind::Map(entries), start, end)
    }

    /// The blocks a `dynamic "name" { for_each = ..., content { ... } }` stands for.
    fn dynamic(&self, i: usize, b: &Block, label: &str, src: Src<'_>, sc: &mut Scope) -> Vec<Node> {
        let Some(content) = b.body.get_blocks("content").next() else {
            return Vec::new();
        };
        let iterator = b
            .body
            .get_attribute("iterator")
            .and_then(|a| match &a.value {
                Expression::Variable(id) => Some(id.as_str().to_string()),
                _ => None,
            })
            .unwrap_or_else(|| label.to_string());
        let start = src.range(b).0;
        let range = src.range(content);
        let coll = match b.body.get_attribute("for_each") {
            Some(a) => self.value(i, &a.value, src, sc),
            None => return Vec::new(),
        };
        let (s, e) = (coll.start, coll.end);
        let pairs = match each_pairs(&coll) {
            Some(p) => p,
            None => {
                self.diag(
                    palisade_model::DiagnosticLevel::Note,
                    start,
                    format!(
                        "the `for_each` of dynamic block `{label}` is not known before apply; \
                         its content is read once"
                    ),
                );
                vec![(
                    v::unknown(format!("{iterator}.key"), s, e),
                    v::unknown(format!("{iterator}.value"), s, e),
                )]
            }
        };
        if !self.burn(pairs.len() as u64, start) {
            return Vec::new();
        }
        let mut out = Vec::with_capacity(pairs.len());
        for (key, value) in pairs {
            let before = sc.len();
            sc.push((
                iterator.clone(),
                map(vec![("key", key), ("value", value)], s, e),
            ));
            let item = self.body(i, &content.body, src, sc, false, range);
            sc.truncate(before);
            out.push(item);
        }
        out
    }
}

/// Append nested blocks to the `Seq` under `name`, created at its first block.
fn push_blocks(entries: &mut Vec<(Node, Node)>, name: &str, key: (usize, usize), items: Vec<Node>) {
    if items.is_empty() {
        return;
    }
    let slot = entries.iter_mut().find(|(k, val)| {
        k.as_str() == Some(name) && matches!(val.kind, NodeKind::Seq(_)) && val.tag.is_none()
    });
    match slot {
        Some((_, seq)) => {
            if let Some(last) = items.last() {
                seq.end = seq.end.max(last.end);
            }
            if let NodeKind::Seq(list) = &mut seq.kind {
                list.extend(items);
            }
        }
        None => {
            let start = items.first().map_or(key.0, |f| f.start);
            let end = items.last().map_or(key.1, |l| l.end);
            entries.push((
                v::string(name, key.0, key.1),
                node(NodeKind::Seq(items), start, end),
            ));
        }
    }
}

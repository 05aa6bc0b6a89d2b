//! What a module declares (variables, locals, outputs, resources, data sources, module calls),
//! indexed by name over all of its files.

use std::collections::{BTreeMap, BTreeSet};

use hcl_edit::Span;
use hcl_edit::expr::Expression;
use hcl_edit::structure::{Attribute, Block};

use super::files::{ModuleSrc, SrcFile, Target, blocks};

/// The file an expression comes from: its text (for the expression as written) and base.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Src<'a> {
    pub text: &'a str,
    pub base: usize,
}

impl<'a> Src<'a> {
    pub fn of(f: &'a SrcFile) -> Self {
        Src {
            text: &f.text,
            base: f.base,
        }
    }

    /// Global offsets of something parsed from this file.
    pub fn range(&self, item: &impl Span) -> (usize, usize) {
        match item.span() {
            Some(r) => (self.base + r.start, self.base + r.end),
            None => (self.base, self.base),
        }
    }

    /// The source text of something parsed from this file, whitespace collapsed.
    pub fn text_of(&self, item: &impl Span) -> String {
        let raw = item
            .span()
            .and_then(|r| self.text.get(r))
            .unwrap_or_default();
        raw.split_whitespace().collect::<Vec<_>>().join(" ")
    }
}

#[derive(Clone, Copy)]
pub(crate) struct Decl<'a> {
    pub block: &'a Block,
    pub src: Src<'a>,
}

#[derive(Clone, Copy)]
pub(crate) struct AttrDecl<'a> {
    pub attr: &'a Attribute,
    pub src: Src<'a>,
}

impl<'a> AttrDecl<'a> {
    pub fn expr(&self) -> &'a Expression {
        &self.attr.value
    }
}

pub(crate) struct ModuleIndex<'a> {
    pub rel_dir: &'a str,
    pub variables: BTreeMap<&'a str, Decl<'a>>,
    pub locals: BTreeMap<&'a str, AttrDecl<'a>>,
    pub outputs: BTreeMap<&'a str, Decl<'a>>,
    /// `(type, name)` of `resource` blocks.
    pub managed: BTreeSet<(&'a str, &'a str)>,
    /// `(type, name)` of `data` blocks.
    pub data: BTreeSet<(&'a str, &'a str)>,
    pub calls: BTreeMap<&'a str, (Decl<'a>, Target)>,
    /// `resource`, `data` and `module` blocks in file order.
    pub blocks: Vec<Decl<'a>>,
}

impl<'a> ModuleIndex<'a> {
    pub fn new(m: &'a ModuleSrc) -> Self {
        let mut ix = ModuleIndex {
            rel_dir: &m.rel_dir,
            variables: BTreeMap::new(),
            locals: BTreeMap::new(),
            outputs: BTreeMap::new(),
            managed: BTreeSet::new(),
            data: BTreeSet::new(),
            calls: BTreeMap::new(),
            blocks: Vec::new(),
        };
        for f in &m.files {
            let src = Src::of(f);
            for block in blocks(&f.body) {
                let label = |i: usize| block.labels.get(i).map(|l| l.as_str());
                let decl = Decl { block, src };
                match (block.ident.as_str(), label(0), label(1)) {
                    ("variable", Some(name), _) => {
                        ix.variables.insert(name, decl);
                    }
                    ("output", Some(name), _) => {
                        ix.outputs.insert(name, decl);
                    }
                    ("locals", _, _) => {
                        for attr in block.body.attributes() {
                            ix.locals.insert(attr.key.as_str(), AttrDecl { attr, src });
                        }
                    }
                    ("resource", Some(t), Some(n)) => {
                        ix.managed.insert((t, n));
                        ix.blocks.push(decl);
                    }
                    ("data", Some(t), Some(n)) => {
                        ix.data.insert((t, n));
                        ix.blocks.push(decl);
                    }
                    ("module", Some(name), _) => {
                        let target = m.calls.get(name).cloned().unwrap_or(Target::Remote);
                        ix.calls.insert(name, (decl, target));
                        ix.blocks.push(decl);
                    }
                    _ => {}
                }
            }
        }
        ix
    }
}

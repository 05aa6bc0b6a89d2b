//! From source text to the [`ir::Module`](crate::ir::Module) of one file, per language.

pub mod javascript;
pub mod python;
mod tree;

use palisade_model::Language;
use tree_sitter::Node;

use crate::ir::{Expr, Module, Stmt, Target};
use crate::lower::tree::range;

/// Why a file could not be parsed at all (tree-sitter recovers from syntax errors, which are
/// listed in [`Module::errors`] instead).
#[derive(Debug, Clone, PartialEq)]
pub enum ParseError {
    /// The grammar did not load (a version mismatch between the core and the grammar).
    Grammar(String),
    /// The parser gave up (too deep, or cancelled).
    Failed,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ParseError::Grammar(why) => write!(f, "the grammar could not be loaded: {why}"),
            ParseError::Failed => write!(f, "the parser gave up on this file"),
        }
    }
}

/// Parse and lower one file.
pub fn lower(language: Language, text: &str) -> Result<Module, ParseError> {
    match language {
        Language::Python => python::lower(text),
        Language::JavaScript => javascript::lower(text, false),
        Language::TypeScript => javascript::lower(text, true),
    }
}

/// `name = value` as the statement or expression `node` binds it (a definition, a declaration,
/// a walrus), `name_node` being the name in the source.
fn bind(name: &str, name_node: Node, value: Expr, node: Node) -> Stmt {
    Stmt::Assign {
        target: Target::Name(name.to_owned(), range(name_node)),
        value,
        range: range(node),
    }
}

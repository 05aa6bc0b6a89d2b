//! From source text to the [`ir::Module`](crate::ir::Module) of one file, per language.

pub mod javascript;
pub mod python;

use palisade_model::Language;

use crate::ir::Module;

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

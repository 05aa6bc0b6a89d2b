//! Python (tree-sitter-python) to IR.

use crate::ir::Module;
use crate::lower::ParseError;

pub fn lower(_text: &str) -> Result<Module, ParseError> {
    Err(ParseError::Failed)
}

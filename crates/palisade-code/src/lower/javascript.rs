//! JavaScript and TypeScript (tree-sitter-javascript, tree-sitter-typescript) to IR.

use crate::ir::Module;
use crate::lower::ParseError;

pub fn lower(_text: &str, _typescript: bool) -> Result<Module, ParseError> {
    Err(ParseError::Failed)
}

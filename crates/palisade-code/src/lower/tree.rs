//! What every language's lowering needs from a tree-sitter tree: parsing, a node's range and
//! text, its children by field, and the syntax errors in it. Nothing here knows a grammar.

use tree_sitter::{Language, Node, Parser, Tree};

use crate::ir::Range;
use crate::lower::ParseError;

/// How many syntax errors a file reports at the most.
const MAX_SYNTAX_ERRORS: usize = 1_000;

/// Parse `source` with the grammar `language`.
pub(super) fn parse(source: &[u8], language: &Language) -> Result<Tree, ParseError> {
    // One parser per thread, reused: a parser keeps its allocations between files.
    thread_local! {
        static PARSER: std::cell::RefCell<Parser> = std::cell::RefCell::new(Parser::new());
    }
    PARSER.with(|cell| {
        let mut parser = cell.borrow_mut();
        parser
            .set_language(language)
            .map_err(|why| ParseError::Grammar(why.to_string()))?;
        let tree = parser.parse(source, None);
        // A parse that gave up leaves the parser mid-way; start the next one clean.
        parser.reset();
        tree.ok_or(ParseError::Failed)
    })
}

pub(super) fn range(node: Node) -> Range {
    Range::new(node.start_byte(), node.end_byte())
}

/// The text of `node` in `src`, the text that was parsed (empty if the node's range does not
/// fall on character boundaries of `src`).
pub(super) fn text<'s>(src: &'s str, node: Node) -> &'s str {
    src.get(node.byte_range()).unwrap_or("")
}

/// Every child that a field names, in order.
pub(super) fn fields<'t>(node: Node<'t>, field: &str) -> Vec<Node<'t>> {
    let mut cursor = node.walk();
    node.children_by_field_name(field, &mut cursor).collect()
}

/// Ranges of `ERROR` and `MISSING` nodes, nested ones included, by an iterative walk.
pub(super) fn syntax_errors(root: Node) -> Vec<Range> {
    let mut out = Vec::new();
    if !root.has_error() {
        return out;
    }
    let mut cursor = root.walk();
    loop {
        let node = cursor.node();
        // Nested errors too: the narrowest says best where parsing went wrong.
        if (node.is_error() || node.is_missing()) && out.len() < MAX_SYNTAX_ERRORS {
            out.push(range(node));
        }
        let descend = node.has_error();
        if descend && cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return out;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn python(src: &str) -> Tree {
        parse(src.as_bytes(), &tree_sitter_python::LANGUAGE.into()).expect("the grammar loads")
    }

    #[test]
    fn syntax_errors_are_none_for_valid_code_and_lie_within_the_source_otherwise() {
        assert!(syntax_errors(python("x = f(1)\n").root_node()).is_empty());
        let src = "def f(:\n    g((\n";
        let errors = syntax_errors(python(src).root_node());
        assert!(!errors.is_empty());
        assert!(
            errors
                .iter()
                .all(|r| r.start <= r.end && r.end as usize <= src.len())
        );
    }

    #[test]
    fn text_is_empty_where_the_range_is_not_in_the_source() {
        let src = "x = 'é'\n";
        let parsed = python(src);
        let string = parsed
            .root_node()
            .named_descendant_for_byte_range(4, 8)
            .expect("the string literal");
        assert_eq!(text(src, string), "'é'");
        assert_eq!(text("x = '", string), "", "past the end");
        assert_eq!(text("abcé'xyz", string), "", "from inside a character");
    }
}

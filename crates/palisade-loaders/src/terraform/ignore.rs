//! Suppression comments: `# palisade:ignore PAL104 reason` (or `//`) on the lines directly
//! above a `resource`, `data` or `module` block, or on the first lines inside it. One comment
//! may name several rules: `# palisade:ignore PAL104,PAL105 reason`.

use hcl_edit::structure::Block;

use super::index::Src;
use super::model::TfIgnore;

const MARKER: &str = "palisade:ignore";

pub(crate) fn for_block(block: &Block, src: Src<'_>) -> Vec<TfIgnore> {
    let Some(span) = hcl_edit::Span::span(block) else {
        return Vec::new();
    };
    let text = src.text;
    let mut out = Vec::new();
    // Above: comment lines right before the block's line, up to a blank or code line.
    let line_start = text
        .get(..span.start)
        .and_then(|t| t.rfind('\n'))
        .map_or(0, |p| p + 1);
    let mut above = Vec::new();
    let mut end = line_start;
    while end > 0 {
        let prev_end = end - 1;
        let start = text
            .get(..prev_end)
            .and_then(|t| t.rfind('\n'))
            .map_or(0, |p| p + 1);
        let line = text.get(start..prev_end).unwrap_or_default();
        if !is_comment(line) {
            break;
        }
        above.push(start);
        end = start;
    }
    for start in above.into_iter().rev() {
        parse_line(text, start, src.base, &mut out);
    }
    // Inside: comment lines after the opening brace, before the first attribute or block.
    if let Some(brace) = text
        .get(span.start..span.end)
        .and_then(|t| t.find('{'))
        .map(|p| span.start + p + 1)
    {
        let mut pos = brace;
        while pos < span.end {
            let line_end = text
                .get(pos..)
                .and_then(|t| t.find('\n'))
                .map_or(text.len(), |p| pos + p);
            let line = text.get(pos..line_end).unwrap_or_default();
            if is_comment(line) {
                parse_line(text, pos, src.base, &mut out);
            } else if !line.trim().is_empty() {
                break;
            }
            pos = line_end + 1;
        }
    }
    out
}

fn is_comment(line: &str) -> bool {
    let t = line.trim_start();
    t.starts_with('#') || t.starts_with("//")
}

/// Read the comment on the line starting at `start`, when it is a suppression.
fn parse_line(text: &str, start: usize, base: usize, out: &mut Vec<TfIgnore>) {
    let line_end = text
        .get(start..)
        .and_then(|t| t.find('\n'))
        .map_or(text.len(), |p| start + p);
    let line = text.get(start..line_end).unwrap_or_default();
    let lead = line.len() - line.trim_start().len();
    let body = line.trim_start();
    let body = body
        .strip_prefix("//")
        .or_else(|| body.strip_prefix('#'))
        .unwrap_or(body)
        .trim();
    let Some(rest) = body.strip_prefix(MARKER) else {
        return;
    };
    let rest = rest.trim_start();
    let mut rules = Vec::new();
    let mut reason = rest;
    loop {
        let token_end = reason
            .find(|c: char| c.is_whitespace() || c == ',')
            .unwrap_or(reason.len());
        let token = reason.get(..token_end).unwrap_or_default();
        if token.is_empty() || !looks_like_rule(token) {
            break;
        }
        rules.push(token.to_string());
        reason = reason
            .get(token_end..)
            .unwrap_or_default()
            .trim_start_matches(|c: char| c == ',' || c.is_whitespace());
    }
    let reason = reason.trim();
    let reason = (!reason.is_empty()).then(|| reason.to_string());
    let comment_end = start + line.trim_end().len();
    for rule in rules {
        out.push(TfIgnore {
            rule,
            reason: reason.clone(),
            start: base + start + lead,
            end: base + comment_end,
        });
    }
}

/// `PAL104`, or any upper-case code with digits (custom rule ids).
fn looks_like_rule(token: &str) -> bool {
    token.chars().any(|c| c.is_ascii_digit())
        && token
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ignores(text: &str) -> Vec<TfIgnore> {
        let Ok(body) = hcl_edit::parser::parse_body(text) else {
            return Vec::new();
        };
        let src = Src { text, base: 100 };
        body.blocks().flat_map(|b| for_block(b, src)).collect()
    }

    #[test]
    fn comment_above_and_inside() {
        let t = "# palisade:ignore PAL104,PAL105 public on purpose\n\
                 resource \"a\" \"b\" {\n  // palisade:ignore PAL201\n  x = 1\n  # palisade:ignore PAL999 too late\n}\n";
        let found = ignores(t);
        let rules: Vec<&str> = found.iter().map(|i| i.rule.as_str()).collect();
        assert_eq!(rules, ["PAL104", "PAL105", "PAL201"]);
        assert_eq!(found[0].reason.as_deref(), Some("public on purpose"));
        assert_eq!(found[2].reason, None);
        assert_eq!(found[0].start, 100);
        assert_eq!(found[0].end, 100 + t.find('\n').unwrap_or(0));
    }

    #[test]
    fn a_blank_line_separates_a_comment_from_the_block() {
        let t = "# palisade:ignore PAL104 x\n\nresource \"a\" \"b\" {}\n";
        assert!(ignores(t).is_empty());
    }
}

//! The syntax of Serverless Framework variables: `${source(args):address, fallback, …}`
//! found in strings, nested, next to CloudFormation's own `${AWS::Region}` (which is left alone).

/// Part of a string: literal text or the content of a `${…}` variable.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Seg<'s> {
    Lit(&'s str),
    Var(&'s str),
}

/// Split a string into literal text and variables. `${AWS::Region}` and `${Resource.Arn}`
/// (CloudFormation `Fn::Sub` syntax) are not variables and stay literal.
pub(crate) fn segments(s: &str) -> Vec<Seg<'_>> {
    let mut out = Vec::new();
    let mut lit_start = 0;
    let mut i = 0;
    let bytes = s.as_bytes();
    while let Some(pos) = s.get(i..).and_then(|r| r.find("${")) {
        let open = i + pos;
        let Some(close) = matching_close(s, open + 2) else {
            break;
        };
        let content = s.get(open + 2..close).unwrap_or_default();
        if is_variable(content) {
            if open > lit_start {
                out.push(Seg::Lit(s.get(lit_start..open).unwrap_or_default()));
            }
            out.push(Seg::Var(content));
            lit_start = close + 1;
            i = close + 1;
        } else {
            i = open + 2;
        }
        if i >= bytes.len() {
            break;
        }
    }
    if lit_start < s.len() {
        out.push(Seg::Lit(s.get(lit_start..).unwrap_or_default()));
    }
    out
}

/// The index of the `}` closing a variable whose content starts at `from`.
fn matching_close(s: &str, from: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut quote: Option<u8> = None;
    let bytes = s.as_bytes();
    let mut i = from;
    while let Some(&c) = bytes.get(i) {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None => match c {
                b'\'' | b'"' => quote = Some(c),
                b'{' => depth += 1,
                b'}' if depth == 0 => return Some(i),
                b'}' => depth -= 1,
                _ => {}
            },
        }
        i += 1;
    }
    None
}

/// `source:address` or `source(args)…`, with a source name of letters, digits, `.`, `-`.
pub(crate) fn is_variable(content: &str) -> bool {
    let content = content.trim_start();
    let name_len = content
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || *b == b'.' || *b == b'-' || *b == b'_')
        .count();
    if !content
        .as_bytes()
        .first()
        .is_some_and(u8::is_ascii_alphabetic)
    {
        return false;
    }
    let rest = content.get(name_len..).unwrap_or_default();
    (rest.starts_with(':') && !rest.starts_with("::")) || rest.starts_with('(')
}

/// The source name, its `(arguments)` and the address of a variable.
pub(crate) fn parse_source(text: &str) -> Option<(&str, Option<&str>, &str)> {
    let text = text.trim();
    let name_len = text
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || *b == b'.' || *b == b'-' || *b == b'_')
        .count();
    let name = text.get(..name_len)?;
    let rest = text.get(name_len..)?;
    let (args, rest) = match rest.strip_prefix('(') {
        Some(r) => {
            let close = r.rfind(')')?;
            (Some(r.get(..close)?), r.get(close + 1..)?)
        }
        None => (None, rest),
    };
    let address = rest.strip_prefix(':').unwrap_or(rest);
    Some((name, args, address.trim()))
}

/// Split a variable's content at top-level commas (not inside quotes, `${}` or `()`).
pub(crate) fn split_top(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut quote: Option<u8> = None;
    let mut start = 0;
    for (i, c) in s.bytes().enumerate() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None => match c {
                b'\'' | b'"' => quote = Some(c),
                b'{' | b'(' => depth += 1,
                b'}' | b')' => depth = depth.saturating_sub(1),
                b',' if depth == 0 => {
                    out.push(s.get(start..i).unwrap_or_default());
                    start = i + 1;
                }
                _ => {}
            },
        }
    }
    out.push(s.get(start..).unwrap_or_default());
    out
}

pub(crate) fn unquote(s: &str) -> Option<&str> {
    let s = s.trim();
    for q in ['\'', '"'] {
        if s.len() >= 2 && s.starts_with(q) && s.ends_with(q) {
            return s.get(1..s.len() - 1);
        }
    }
    None
}

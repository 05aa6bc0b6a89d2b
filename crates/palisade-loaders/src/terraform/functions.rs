//! Terraform's built-in functions, on known values. A function Palisade does not implement, or
//! one whose arguments are not known, gives an unknown value with the call as written; the
//! collection functions keep unknown elements, and `jsonencode` keeps the structure of its
//! argument (tag `TfJson`) so that the spans of a policy's statements survive.

use hcl_edit::expr::FuncCall;

use super::eval::{Eval, MAX_STRING, R, Scope, fail};
use super::index::Src;
use super::template::join;
use super::value::{self as v, node};
use crate::yaml::{Node, NodeKind};

impl<'a> Eval<'a> {
    pub(crate) fn call(
        &self,
        i: usize,
        f: &FuncCall,
        src: Src<'_>,
        sc: &mut Scope,
        (start, end): (usize, usize),
    ) -> R {
        let unknown = || v::unknown(src.text_of(f), start, end);
        if f.name.is_namespaced() {
            return Ok(unknown());
        }
        let name = f.name.name.as_str();
        // `try` and `can` see failures of their arguments, so they evaluate them themselves.
        match name {
            "try" => {
                let mut last = None;
                for a in f.args.iter() {
                    match self.expr(i, a, src, sc) {
                        Ok(n) => return Ok(n),
                        Err(e) => last = Some(e),
                    }
                }
                return Err(last.unwrap_or_else(|| fail("`try` needs an argument", start)));
            }
            "can" => {
                let Some(a) = f.args.iter().next() else {
                    return Err(fail("`can` needs an argument", start));
                };
                return Ok(match self.expr(i, a, src, sc) {
                    Ok(n) if v::is_known(&n) => v::boolean(true, start, end),
                    Ok(_) => unknown(),
                    Err(_) => v::boolean(false, start, end),
                });
            }
            _ => {}
        }
        let mut args = Vec::with_capacity(f.args.len());
        for a in f.args.iter() {
            args.push(self.expr(i, a, src, sc)?);
        }
        if f.args.expand_final() {
            match args.pop() {
                Some(Node {
                    kind: NodeKind::Seq(items),
                    tag: None,
                    ..
                }) => args.extend(items),
                _ => return Ok(unknown()),
            }
        }
        let at = (start, end);
        let r = match name {
            "file" => self.file(i, &args, at, false),
            "templatefile" => self.file(i, &args, at, true),
            _ => builtin(name, &args, at),
        };
        match r {
            Ok(Some(n)) => Ok(n),
            Ok(None) => Ok(unknown()),
            Err(e) => Err(e),
        }
    }
}

type Out = Result<Option<Node>, super::eval::Fail>;

fn text(n: Option<&Node>) -> Option<String> {
    n.and_then(v::as_text)
}

/// Longest list `range()` builds.
const MAX_RANGE: usize = 10_000;

fn num(n: Option<&Node>) -> Option<f64> {
    n.and_then(v::as_number)
}

/// A known list (or set), elements possibly unknown.
fn list(n: Option<&Node>) -> Option<&[Node]> {
    let n = n?;
    if v::is_symbolic(n) || v::is_json(n) {
        return None;
    }
    n.as_seq()
}

fn known_map(n: Option<&Node>) -> Option<&[(Node, Node)]> {
    let n = n?;
    if v::is_symbolic(n) || v::is_json(n) {
        return None;
    }
    n.as_map()
}

fn builtin(name: &str, args: &[Node], (start, end): (usize, usize)) -> Out {
    let a0 = args.first();
    let a1 = args.get(1);
    let a2 = args.get(2);
    let s = |x: String| {
        if x.len() > MAX_STRING {
            Err(fail("string too large", start))
        } else {
            Ok(Some(v::string(x, start, end)))
        }
    };
    let b = |x: bool| Ok(Some(v::boolean(x, start, end)));
    let n = |x: f64| Ok(Some(v::number(x, start, end)));
    let seq = |items: Vec<Node>| Ok(Some(node(NodeKind::Seq(items), start, end)));
    let Some(first) = a0 else {
        return Ok(None);
    };
    match name {
        "jsonencode" => {
            if v::is_symbolic(first) {
                return Ok(None);
            }
            match &first.kind {
                NodeKind::Seq(_) | NodeKind::Map(_) => {
                    let mut out = first.clone();
                    out.tag = Some(v::JSON.to_string());
                    out.start = start;
                    out.end = end;
                    Ok(Some(out))
                }
                _ => match v::to_json(first) {
                    Some(j) => s(j),
                    None => Ok(None),
                },
            }
        }
        "jsondecode" => {
            let Some(t) = text(a0) else { return Ok(None) };
            match serde_json::from_str::<serde_json::Value>(&t) {
                Ok(j) => Ok(Some(v::from_json(&j, start, end))),
                Err(e) => Err(fail(format!("jsondecode: invalid JSON: {e}"), start)),
            }
        }
        "lower" => text(a0).map_or(Ok(None), |t| s(t.to_lowercase())),
        "upper" => text(a0).map_or(Ok(None), |t| s(t.to_uppercase())),
        "trimspace" => text(a0).map_or(Ok(None), |t| s(t.trim().to_string())),
        "trimprefix" => match (text(a0), text(a1)) {
            (Some(t), Some(p)) => s(t.strip_prefix(p.as_str()).unwrap_or(&t).to_string()),
            _ => Ok(None),
        },
        "trimsuffix" => match (text(a0), text(a1)) {
            (Some(t), Some(p)) => s(t.strip_suffix(p.as_str()).unwrap_or(&t).to_string()),
            _ => Ok(None),
        },
        "startswith" => match (text(a0), text(a1)) {
            (Some(t), Some(p)) => b(t.starts_with(&p)),
            _ => Ok(None),
        },
        "endswith" => match (text(a0), text(a1)) {
            (Some(t), Some(p)) => b(t.ends_with(&p)),
            _ => Ok(None),
        },
        "replace" => match (text(a0), text(a1), text(a2)) {
            // `/regex/` patterns are not evaluated.
            (Some(_), Some(p), Some(_))
                if p.len() > 1 && p.starts_with('/') && p.ends_with('/') =>
            {
                Ok(None)
            }
            (Some(t), Some(p), Some(r)) if !p.is_empty() => s(t.replace(&p, &r)),
            _ => Ok(None),
        },
        "substr" => match (text(a0), num(a1), num(a2)) {
            (Some(t), Some(off), Some(len)) => {
                let chars: Vec<char> = t.chars().collect();
                let off = if off < 0.0 {
                    chars.len().saturating_sub((-off) as usize)
                } else {
                    off as usize
                };
                let take = if len < 0.0 { usize::MAX } else { len as usize };
                s(chars.iter().skip(off).take(take).collect())
            }
            _ => Ok(None),
        },
        "split" => match (text(a0), text(a1)) {
            (Some(sep), Some(t)) if !sep.is_empty() => seq(t
                .split(sep.as_str())
                .map(|p| v::string(p, start, end))
                .collect()),
            _ => Ok(None),
        },
        "join" => {
            let (Some(sep), Some(items)) = (a0, list(a1)) else {
                return Ok(None);
            };
            let mut parts = Vec::new();
            for (k, item) in items.iter().enumerate() {
                if k > 0 {
                    parts.push(sep.clone());
                }
                parts.push(item.clone());
            }
            join(parts, start, end).map(Some)
        }
        "format" => format(first, args.get(1..).unwrap_or_default(), start, end),
        "concat" => {
            let mut out = Vec::new();
            for a in args {
                match list(Some(a)) {
                    Some(items) => out.extend(items.iter().cloned()),
                    None => return Ok(None),
                }
            }
            seq(out)
        }
        "merge" => {
            let mut out: Vec<(Node, Node)> = Vec::new();
            for a in args {
                if matches!(a.kind, NodeKind::Null) && a.tag.is_none() {
                    continue;
                }
                let Some(entries) = known_map(Some(a)) else {
                    return Ok(None);
                };
                for (k, val) in entries {
                    match out.iter_mut().find(|(ok, _)| ok.as_str() == k.as_str()) {
                        Some(slot) => slot.1 = val.clone(),
                        None => out.push((k.clone(), val.clone())),
                    }
                }
            }
            Ok(Some(node(NodeKind::Map(out), start, end)))
        }
        "lookup" => {
            let (Some(_), Some(key)) = (known_map(a0), text(a1)) else {
                return Ok(None);
            };
            match v::map_get(first, &key) {
                Some(found) => Ok(Some(found.clone())),
                None => match a2 {
                    Some(d) => Ok(Some(d.clone())),
                    None => Err(fail(format!("lookup: no key {}", v::quote(&key)), start)),
                },
            }
        }
        "element" => match (list(a0), num(a1)) {
            (Some(items), Some(k)) if !items.is_empty() && k >= 0.0 => {
                Ok(items.get(k as usize % items.len()).cloned())
            }
            (Some(_), Some(_)) => Err(fail("element: empty list or negative index", start)),
            _ => Ok(None),
        },
        "length" => {
            if v::is_symbolic(first) || v::is_json(first) {
                return Ok(None);
            }
            match &first.kind {
                NodeKind::Seq(items) => n(items.len() as f64),
                NodeKind::Map(entries) => n(entries.len() as f64),
                NodeKind::Str(t) => n(t.chars().count() as f64),
                _ => Err(fail("length: not a collection or string", start)),
            }
        }
        "coalesce" => {
            for a in args {
                if v::is_symbolic(a) {
                    return Ok(None);
                }
                match &a.kind {
                    NodeKind::Null => {}
                    NodeKind::Str(t) if t.is_empty() => {}
                    _ => return Ok(Some(a.clone())),
                }
            }
            Err(fail("coalesce: no non-null, non-empty argument", start))
        }
        "tostring" => match &first.kind {
            NodeKind::Null if first.tag.is_none() => Ok(Some(first.clone())),
            _ => text(a0).map_or(Ok(None), s),
        },
        "tonumber" => match &first.kind {
            NodeKind::Null if first.tag.is_none() => Ok(Some(first.clone())),
            _ => match num(a0) {
                Some(x) => n(x),
                None if v::is_symbolic(first) => Ok(None),
                None => Err(fail("tonumber: not a number", start)),
            },
        },
        "tolist" | "toset" => match list(a0) {
            Some(items) if name == "toset" => seq(distinct(items)),
            Some(_) => Ok(Some(first.clone())),
            None => Ok(None),
        },
        "tomap" => Ok(known_map(a0).map(|_| first.clone())),
        "contains" => {
            let Some(items) = list(a0) else {
                return Ok(None);
            };
            let Some(wanted) = a1 else { return Ok(None) };
            let mut undecided = false;
            for item in items {
                match v::equal(item, wanted) {
                    Some(true) => return b(true),
                    Some(false) => {}
                    None => undecided = true,
                }
            }
            if undecided { Ok(None) } else { b(false) }
        }
        "keys" | "values" => {
            let Some(entries) = known_map(a0) else {
                return Ok(None);
            };
            let mut sorted: Vec<&(Node, Node)> = entries.iter().collect();
            sorted.sort_by(|x, y| x.0.as_str().cmp(&y.0.as_str()));
            let pick = |(k, val): &(Node, Node)| {
                if name == "keys" {
                    k.clone()
                } else {
                    val.clone()
                }
            };
            seq(sorted.into_iter().map(pick).collect())
        }
        "flatten" => {
            let Some(items) = list(a0) else {
                return Ok(None);
            };
            let mut out = Vec::new();
            flatten(items, &mut out, 0);
            seq(out)
        }
        "distinct" => list(a0).map_or(Ok(None), |items| seq(distinct(items))),
        "min" | "max" => {
            let mut nums = Vec::new();
            for a in args {
                match v::as_number(a) {
                    Some(x) => nums.push(x),
                    None => return Ok(None),
                }
            }
            let pick = if name == "min" { f64::min } else { f64::max };
            nums.into_iter().reduce(pick).map_or(Ok(None), n)
        }
        "abs" => num(a0).map_or(Ok(None), |x| n(x.abs())),
        "range" => {
            // range(limit), range(start, limit), range(start, limit, step), as Terraform does;
            // a range longer than the cap stays unknown rather than filling memory.
            let nums: Option<Vec<f64>> = args.iter().map(|a| num(Some(a))).collect();
            let (from, to, step) = match nums.as_deref() {
                Some([limit]) => (0.0, *limit, 1.0),
                Some([from, to]) => (*from, *to, if to >= from { 1.0 } else { -1.0 }),
                Some([from, to, step]) => (*from, *to, *step),
                _ => return Ok(None),
            };
            if step == 0.0 || (to - from) / step > MAX_RANGE as f64 {
                return Ok(None);
            }
            let mut out = Vec::new();
            let mut x = from;
            while (step > 0.0 && x < to) || (step < 0.0 && x > to) {
                out.push(v::number(x, start, end));
                x += step;
            }
            seq(out)
        }
        "zipmap" => match (list(a0), list(a1)) {
            (Some(ks), Some(vs)) if ks.len() == vs.len() => {
                let mut out = Vec::new();
                for (k, val) in ks.iter().zip(vs) {
                    let Some(key) = v::as_text(k) else {
                        return Ok(None);
                    };
                    out.push((v::string(key, k.start, k.end), val.clone()));
                }
                Ok(Some(node(NodeKind::Map(out), start, end)))
            }
            (Some(_), Some(_)) => Err(fail("zipmap: lists of different lengths", start)),
            _ => Ok(None),
        },
        _ => Ok(None),
    }
}

fn distinct(items: &[Node]) -> Vec<Node> {
    let mut out: Vec<Node> = Vec::new();
    for item in items {
        if !out.iter().any(|o| v::equal(o, item) == Some(true)) {
            out.push(item.clone());
        }
    }
    out
}

fn flatten(items: &[Node], out: &mut Vec<Node>, depth: usize) {
    for item in items {
        match &item.kind {
            NodeKind::Seq(inner) if item.tag.is_none() && depth < 32 => {
                flatten(inner, out, depth + 1);
            }
            _ => out.push(item.clone()),
        }
    }
}

/// `format` with the verbs `%s`, `%d`, `%v`, `%q`, `%f` (with an optional precision) and `%%`.
fn format(fmt: &Node, args: &[Node], start: usize, end: usize) -> Out {
    let Some(fmt) = v::as_str(fmt) else {
        return Ok(None);
    };
    let mut parts: Vec<Node> = Vec::new();
    let mut lit = String::new();
    let mut next = args.iter();
    let mut chars = fmt.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            lit.push(c);
            continue;
        }
        let mut precision = None;
        if chars.peek() == Some(&'.') {
            chars.next();
            let mut digits = String::new();
            while let Some(d) = chars.peek().copied().filter(char::is_ascii_digit) {
                digits.push(d);
                chars.next();
            }
            precision = digits.parse::<usize>().ok();
        }
        let verb = chars.next();
        if verb == Some('%') {
            lit.push('%');
            continue;
        }
        let Some(arg) = next.next() else {
            return Err(fail("format: not enough arguments", start));
        };
        let piece = match verb {
            Some('s' | 'v') if v::is_symbolic(arg) => None,
            Some('s' | 'v') => Some(
                v::as_text(arg)
                    .or_else(|| v::to_json(arg))
                    .unwrap_or_default(),
            ),
            Some('d') => v::as_number(arg).map(|x| v::format_number(x.trunc())),
            Some('f') => v::as_number(arg).map(|x| format!("{x:.*}", precision.unwrap_or(6))),
            Some('q') => v::as_text(arg).map(|t| v::quote(&t)),
            _ => return Ok(None),
        };
        match piece {
            Some(p) => lit.push_str(&p),
            None if v::is_symbolic(arg) => {
                parts.push(v::string(std::mem::take(&mut lit), start, end));
                parts.push(arg.clone());
            }
            None => return Err(fail("format: argument of the wrong type", start)),
        }
    }
    parts.push(v::string(lit, start, end));
    join(parts, start, end).map(Some)
}

//! String templates and heredocs: interpolation, `%{ if }` and `%{ for }` directives, and the
//! `TfJoin` of a string with unknown parts.

use hcl_edit::template::{Directive, Element, Strip, Template};

use super::eval::{Eval, Fail, MAX_STRING, R, Scope, elements, fail};
use super::index::Src;
use super::value::{self as v, node};
use crate::yaml::{Node, NodeKind};

impl<'a> Eval<'a> {
    /// A template's value. A template that is one interpolation (`"${x}"`) is `x` itself, as
    /// in Terraform.
    pub(crate) fn template(
        &self,
        i: usize,
        t: &Template,
        src: Src<'_>,
        sc: &mut Scope,
        (start, end): (usize, usize),
        quoted: bool,
    ) -> R {
        if let Some(Element::Interpolation(one)) = t.as_single_element()
            && quoted
        {
            return self.expr(i, &one.expr, src, sc);
        }
        let mut parts = Vec::new();
        self.elements(i, t, src, sc, &mut parts, &mut false)?;
        join(parts, start, end)
    }

    fn elements(
        &self,
        i: usize,
        t: &Template,
        src: Src<'_>,
        sc: &mut Scope,
        parts: &mut Vec<Node>,
        strip_next: &mut bool,
    ) -> Result<(), Fail> {
        for el in t.iter() {
            match el {
                Element::Literal(lit) => {
                    let (s, e) = src.range(lit);
                    let mut text = lit.value().as_str();
                    if std::mem::take(strip_next) {
                        text = text.trim_start();
                    }
                    parts.push(v::string(text, s, e));
                }
                Element::Interpolation(x) => {
                    strip_before(parts, x.strip);
                    parts.push(self.expr(i, &x.expr, src, sc)?);
                    *strip_next = x.strip.strip_end();
                }
                Element::Directive(d) => self.directive(i, d, src, sc, parts, strip_next)?,
            }
        }
        Ok(())
    }

    fn directive(
        &self,
        i: usize,
        d: &Directive,
        src: Src<'_>,
        sc: &mut Scope,
        parts: &mut Vec<Node>,
        strip_next: &mut bool,
    ) -> Result<(), Fail> {
        let (start, end) = src.range(d);
        match d {
            Directive::If(d) => {
                strip_before(parts, d.if_expr.strip);
                let cond = self.expr(i, &d.if_expr.cond_expr, src, sc)?;
                match v::as_bool(&cond) {
                    Some(true) => {
                        let mut strip = d.if_expr.strip.strip_end();
                        self.elements(i, &d.if_expr.template, src, sc, parts, &mut strip)?;
                    }
                    Some(false) => {
                        if let Some(other) = &d.else_expr {
                            let mut strip = other.strip.strip_end();
                            self.elements(i, &other.template, src, sc, parts, &mut strip)?;
                        }
                    }
                    None => parts.push(v::unknown(src.text_of(d), start, end)),
                }
                *strip_next = d.endif_expr.strip.strip_end();
            }
            Directive::For(d) => {
                let f = &d.for_expr;
                strip_before(parts, f.strip);
                let coll = self.expr(i, &f.collection_expr, src, sc)?;
                match elements(&coll) {
                    Some(pairs) => {
                        if !self.burn(pairs.len() as u64, start) {
                            parts.push(v::unknown(src.text_of(d), start, end));
                            return Ok(());
                        }
                        for (k, val) in pairs {
                            let before = sc.len();
                            if let Some(kv) = &f.key_var {
                                sc.push((kv.as_str().to_string(), k));
                            }
                            sc.push((f.value_var.as_str().to_string(), val));
                            let mut strip = f.strip.strip_end();
                            let r = self.elements(i, &f.template, src, sc, parts, &mut strip);
                            sc.truncate(before);
                            r?;
                            if parts.len() > MAX_STRING {
                                return Err(fail("template result too large", start));
                            }
                        }
                    }
                    None => parts.push(v::unknown(src.text_of(d), start, end)),
                }
                *strip_next = d.endfor_expr.strip.strip_end();
            }
        }
        Ok(())
    }
}

fn strip_before(parts: &mut [Node], strip: Strip) {
    if !strip.strip_start() {
        return;
    }
    if let Some(NodeKind::Str(s)) = parts.last_mut().map(|p| &mut p.kind) {
        let trimmed = s.trim_end().len();
        s.truncate(trimmed);
    }
}

/// Parts of a string into a `Str` when all are known, else a `TfJoin` of literal `Str` parts
/// and `TfRef` / `TfUnknown` parts.
pub(crate) fn join(parts: Vec<Node>, start: usize, end: usize) -> R {
    let mut out: Vec<Node> = Vec::new();
    let mut total = 0usize;
    for p in parts {
        let piece = if v::is_json(&p) && v::is_known(&p) {
            v::to_json(&p).map(|s| v::string(s, p.start, p.end))
        } else if v::is_symbolic(&p) {
            None
        } else {
            match &p.kind {
                NodeKind::Null => Some(v::string("", p.start, p.end)),
                NodeKind::Seq(_) | NodeKind::Map(_) => {
                    return Err(fail("a list or map cannot be put into a string", p.start));
                }
                _ => v::as_text(&p).map(|s| v::string(s, p.start, p.end)),
            }
        };
        match piece {
            Some(lit) => {
                let text = lit.as_str().unwrap_or_default();
                total += text.len();
                if total > MAX_STRING {
                    return Err(fail("string too large", start));
                }
                match out.last_mut() {
                    Some(last) if last.tag.is_none() => {
                        if let NodeKind::Str(s) = &mut last.kind {
                            s.push_str(text);
                            last.end = lit.end.max(last.end);
                        }
                    }
                    _ => out.push(lit),
                }
            }
            None => match (p.tag.as_deref(), p.kind) {
                (Some(v::JOIN), NodeKind::Seq(inner)) => {
                    let Ok(joined) = join(inner, p.start, p.end) else {
                        return Err(fail("string too large", start));
                    };
                    match joined.kind {
                        NodeKind::Seq(items) => out.extend(items),
                        kind => out.push(node(kind, joined.start, joined.end)),
                    }
                }
                (Some(v::REF | v::UNKNOWN), kind) => out.push(Node {
                    kind,
                    start: p.start,
                    end: p.end,
                    tag: p.tag,
                }),
                _ => out.push(v::unknown("a value chosen by a condition", p.start, p.end)),
            },
        }
    }
    let known = out.iter().all(|p| p.tag.is_none());
    if known {
        let text: String = out.iter().filter_map(|p| p.as_str()).collect();
        return Ok(v::string(text, start, end));
    }
    Ok(v::tagged(NodeKind::Seq(out), v::JOIN, start, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_parts_concatenate() {
        let r = join(vec![v::string("a", 0, 1), v::number(2.0, 1, 2)], 0, 2);
        assert_eq!(
            r.ok()
                .and_then(|n| n.as_str().map(str::to_string))
                .as_deref(),
            Some("a2")
        );
    }

    #[test]
    fn unknown_parts_make_a_join() {
        let r = join(
            vec![
                v::string("arn:", 0, 4),
                v::string("x", 4, 5),
                v::reference("aws_s3_bucket.b.arn", 5, 9),
                v::string("/*", 9, 11),
            ],
            0,
            11,
        );
        let Ok(n) = r else { panic!("join failed") };
        assert_eq!(n.tag.as_deref(), Some(v::JOIN));
        let parts = n.as_seq().unwrap_or_default();
        assert_eq!(parts.len(), 3);
        assert_eq!(parts[0].as_str(), Some("arn:x"));
    }
}

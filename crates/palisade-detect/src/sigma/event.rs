//! The two views of a record that rules are matched against: a parsed `serde_json::Value`
//! ([`WholeObjects`]) and the record's raw text decoded on demand ([`RawRecord`]). Both answer
//! a field lookup through [`resolve`], so that they agree by construction; the parity test in
//! `tests/sigma_parity.rs` holds them to it.
//!
//! What both do that rsigma's `JsonEvent` does not: a field that names a whole object reads as
//! the object's JSON text, so that `requestParameters|contains: 'x'` matches as SigmaHQ's
//! CloudTrail rules intend (rsigma never string-matches an object).

use std::borrow::Cow;
use std::cell::OnceCell;

use rsigma_eval::event::{Event, EventValue, JsonEvent};
use rsigma_parser::fieldpath::{first_unescaped, unescape_brackets};
use serde::de::{Deserializer, MapAccess, Visitor};
use serde_json::Value;
use serde_json::value::RawValue;

/// One step of a field path: `a.b[0].c` is `Key(a) Key(b) Index(0) Key(c)`.
enum Step<'p> {
    Key(Cow<'p, str>),
    Index(i64),
}

/// `[N]` or `[N][M]…` into its indices; `None` when a group is not an integer, in which case
/// the segment is a literal key (rsigma's reading too).
fn index_groups(s: &str) -> Option<Vec<i64>> {
    let mut out = Vec::new();
    let mut rest = s;
    while !rest.is_empty() {
        let inner = rest.strip_prefix('[')?;
        let close = inner.find(']')?;
        out.push(inner.get(..close)?.parse().ok()?);
        rest = inner.get(close + 1..)?;
    }
    Some(out)
}

fn steps(path: &str) -> Vec<Step<'_>> {
    let mut out = Vec::new();
    for part in path.split('.') {
        match first_unescaped(part, b'[') {
            Some(pos) => match part.get(pos..).and_then(index_groups) {
                Some(indices) => {
                    let name = part.get(..pos).unwrap_or("");
                    if !name.is_empty() {
                        out.push(Step::Key(unescape_brackets(name)));
                    }
                    out.extend(indices.into_iter().map(Step::Index));
                }
                None => out.push(Step::Key(unescape_brackets(part))),
            },
            None => out.push(Step::Key(unescape_brackets(part))),
        }
    }
    out
}

fn array_index(index: i64, len: usize) -> Option<usize> {
    if index >= 0 {
        usize::try_from(index).ok().filter(|&i| i < len)
    } else {
        usize::try_from(index.unsigned_abs())
            .ok()
            .and_then(|abs| len.checked_sub(abs))
    }
}

/// A key distributes over arrays (any member may match); an index picks one member.
fn collect<'v>(current: &'v Value, steps: &[Step<'_>], out: &mut Vec<&'v Value>) {
    let Some((step, rest)) = steps.split_first() else {
        out.push(current);
        return;
    };
    match (step, current) {
        (Step::Key(key), Value::Object(map)) => {
            if let Some(next) = map.get(key.as_ref()) {
                collect(next, rest, out);
            }
        }
        (Step::Key(_), Value::Array(items)) => {
            for item in items {
                collect(item, steps, out);
            }
        }
        (Step::Index(i), Value::Array(items)) => {
            if let Some(next) = array_index(*i, items.len()).and_then(|i| items.get(i)) {
                collect(next, rest, out);
            }
        }
        _ => {}
    }
}

/// A value as rules see it: a whole object is its JSON text.
fn present(value: &Value) -> EventValue<'_> {
    match value {
        Value::Object(_) => EventValue::Str(Cow::Owned(value.to_string())),
        other => EventValue::from(other),
    }
}

/// The first segment of a path, which names a top-level key (rsigma's `path_root_key`).
fn root_key(path: &str) -> Option<Cow<'_, str>> {
    let segment = match first_unescaped(path, b'.') {
        Some(0) => return None,
        Some(pos) => path.get(..pos)?,
        None => path,
    };
    let name = match first_unescaped(segment, b'[') {
        Some(0) => return None,
        Some(pos) => segment.get(..pos)?,
        None => segment,
    };
    (!name.is_empty()).then(|| unescape_brackets(name))
}

fn is_path(path: &str) -> bool {
    path.contains('.') || path.contains('[') || path.contains('\\')
}

/// Resolve a nested path (not a flat key: the caller tried that) below the top-level value
/// `root`, which the path's first step names. Several hits (through arrays) form an array.
fn resolve_below<'v>(root: &'v Value, path: &str) -> Option<EventValue<'v>> {
    let all = steps(path);
    let (first, rest) = all.split_first()?;
    let Step::Key(_) = first else {
        return None;
    };
    let mut hits = Vec::new();
    collect(root, rest, &mut hits);
    match hits.len() {
        0 => None,
        1 => hits.pop().map(present),
        _ => Some(EventValue::Array(hits.into_iter().map(present).collect())),
    }
}

/// A field of a parsed record, as both views answer it.
fn resolve<'v>(record: &'v Value, path: &str) -> Option<EventValue<'v>> {
    let Value::Object(map) = record else {
        // Not an object: only a path can reach into it.
        if !is_path(path) {
            return None;
        }
        let mut hits = Vec::new();
        collect(record, &steps(path), &mut hits);
        return match hits.len() {
            0 => None,
            1 => hits.pop().map(present),
            _ => Some(EventValue::Array(hits.into_iter().map(present).collect())),
        };
    };
    if let Some(v) = map.get(path) {
        return Some(present(v));
    }
    if !is_path(path) {
        return None;
    }
    let root = map.get(root_key(path)?.as_ref())?;
    resolve_below(root, path)
}

/// A parsed record.
pub(crate) struct WholeObjects<'a> {
    raw: &'a Value,
    inner: JsonEvent<'a>,
}

impl<'a> WholeObjects<'a> {
    pub(crate) fn new(raw: &'a Value) -> Self {
        WholeObjects {
            raw,
            inner: JsonEvent::borrow(raw),
        }
    }
}

impl Event for WholeObjects<'_> {
    fn get_field(&self, path: &str) -> Option<EventValue<'_>> {
        resolve(self.raw, path)
    }

    fn any_string_value(&self, pred: &dyn Fn(&str) -> bool) -> bool {
        self.inner.any_string_value(pred)
    }

    fn all_string_values(&self) -> Vec<Cow<'_, str>> {
        self.inner.all_string_values()
    }

    fn visit_string_values(&self, visit: &mut dyn FnMut(&str)) {
        self.inner.visit_string_values(visit);
    }

    fn to_json(&self) -> Value {
        self.raw.clone()
    }

    fn top_level_keys(&self) -> Option<Vec<Cow<'_, str>>> {
        self.inner.top_level_keys()
    }

    fn visit_top_level_keys(&self, visit: &mut dyn FnMut(&str)) -> bool {
        self.inner.visit_top_level_keys(visit)
    }
}

/// One top-level member of a raw record: its key, its undecoded JSON text, and, once asked
/// for, its parsed value and (for an object) its JSON text as rules see it.
struct Member<'a> {
    key: Cow<'a, str>,
    raw: &'a RawValue,
    parsed: OnceCell<Option<Value>>,
    text: OnceCell<Option<String>>,
    /// An object member's own members, scanned (not decoded) when a dotted path first goes
    /// through it: `userIdentity.arn` then costs a scan of `userIdentity`, not a `Value`.
    children: OnceCell<Option<Vec<Member<'a>>>>,
}

impl<'a> Member<'a> {
    fn new(key: Cow<'a, str>, raw: &'a RawValue) -> Member<'a> {
        Member {
            key,
            raw,
            parsed: OnceCell::new(),
            text: OnceCell::new(),
            children: OnceCell::new(),
        }
    }

    fn children(&self) -> Option<&[Member<'a>]> {
        self.children
            .get_or_init(|| {
                if !self.raw.get().starts_with('{') {
                    return None;
                }
                let Members(pairs) = serde_json::from_str(self.raw.get()).ok()?;
                Some(pairs.into_iter().map(|(k, v)| Member::new(k, v)).collect())
            })
            .as_deref()
    }

    /// The member a dotted path of plain keys names below this one; `None` when the path
    /// meets an array or anything but an object (the caller then decodes), `Some(None)` when
    /// it names nothing.
    fn descend(&self, keys: &str) -> Option<Option<&Member<'a>>> {
        let mut current = self;
        for key in keys.split('.') {
            let children = match current.raw.get().as_bytes().first() {
                Some(b'{') => current.children()?,
                Some(b'[') => return None,
                _ => return Some(None),
            };
            match children.iter().rev().find(|m| m.key == key) {
                Some(m) => current = m,
                None => return Some(None),
            }
        }
        Some(Some(current))
    }

    fn parsed(&self) -> Option<&Value> {
        self.parsed
            .get_or_init(|| serde_json::from_str(self.raw.get()).ok())
            .as_ref()
    }

    /// The member's value as rules see it, decoding only what the kind of value needs.
    fn value(&self) -> Option<EventValue<'_>> {
        let text = self.raw.get();
        match text.as_bytes().first()? {
            b'"' => {
                // A string without escapes is borrowed from the record as it is.
                let inner = text.get(1..text.len().saturating_sub(1))?;
                if inner.contains('\\') {
                    let owned: String = serde_json::from_str(text).ok()?;
                    Some(EventValue::Str(Cow::Owned(owned)))
                } else {
                    Some(EventValue::Str(Cow::Borrowed(inner)))
                }
            }
            b'{' => {
                let json = self
                    .text
                    .get_or_init(|| self.parsed().map(Value::to_string))
                    .as_deref()?;
                Some(EventValue::Str(Cow::Borrowed(json)))
            }
            _ => self.parsed().map(EventValue::from),
        }
    }
}

/// A record's top-level members in document order, keys borrowed when they have no escapes.
struct Members<'a>(Vec<(Cow<'a, str>, &'a RawValue)>);

impl<'de> serde::Deserialize<'de> for Members<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Keys;
        impl<'de> Visitor<'de> for Keys {
            type Value = Members<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Self::Value, M::Error> {
                let mut out = Vec::with_capacity(map.size_hint().unwrap_or(24));
                while let Some(key) = map.next_key::<Key<'de>>()? {
                    let value: &'de RawValue = map.next_value()?;
                    out.push((key.0, value));
                }
                Ok(Members(out))
            }
        }
        deserializer.deserialize_map(Keys)
    }
}

struct Key<'a>(Cow<'a, str>);

impl<'de> serde::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Text;
        impl<'de> Visitor<'de> for Text {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a key")
            }
            fn visit_borrowed_str<E: serde::de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_string())))
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        deserializer.deserialize_str(Text)
    }
}

/// A record kept as its text: only the top level is scanned, each member is decoded when a
/// rule (or the candidate index) first asks for it. Keyword searches, which need every
/// string, parse the whole record once.
pub(crate) struct RawRecord<'a> {
    text: &'a str,
    members: Vec<Member<'a>>,
    whole: OnceCell<Value>,
}

impl<'a> RawRecord<'a> {
    /// `Ok(None)` when the text is valid JSON but not an object: the caller matches it parsed.
    pub(crate) fn parse(text: &'a str) -> serde_json::Result<Option<RawRecord<'a>>> {
        let trimmed = text.trim_start();
        if !trimmed.starts_with('{') {
            // Validate it, so that a malformed record is an error on both paths.
            let _: &RawValue = serde_json::from_str(text)?;
            return Ok(None);
        }
        let Members(pairs) = serde_json::from_str(text)?;
        let members = pairs
            .into_iter()
            .map(|(key, raw)| Member::new(key, raw))
            .collect();
        Ok(Some(RawRecord {
            text,
            members,
            whole: OnceCell::new(),
        }))
    }

    /// The last member of that name, as a parsed `Value` map keeps the last of duplicates.
    fn member(&self, key: &str) -> Option<&Member<'a>> {
        self.members.iter().rev().find(|m| m.key == key)
    }

    fn whole(&self) -> &Value {
        self.whole
            .get_or_init(|| serde_json::from_str(self.text).unwrap_or(Value::Null))
    }

    /// A top-level string member, for timestamps and group keys.
    pub(crate) fn str_field(&self, key: &str) -> Option<Cow<'_, str>> {
        match self.member(key)?.value()? {
            EventValue::Str(s) => Some(s),
            _ => None,
        }
    }
}

impl Event for RawRecord<'_> {
    fn get_field(&self, path: &str) -> Option<EventValue<'_>> {
        if let Some(member) = self.member(path) {
            return member.value();
        }
        if !is_path(path) {
            return None;
        }
        // Plain dotted keys walk the raw text; arrays, indices and escapes decode the member.
        if !path.contains(['[', '\\'])
            && let Some((first, rest)) = path.split_once('.')
            && let Some(root) = self.member(first)
            && let Some(found) = root.descend(rest)
        {
            return found.and_then(Member::value);
        }
        let root = self.member(root_key(path)?.as_ref())?;
        resolve_below(root.parsed()?, path)
    }

    fn any_string_value(&self, pred: &dyn Fn(&str) -> bool) -> bool {
        JsonEvent::borrow(self.whole()).any_string_value(pred)
    }

    fn all_string_values(&self) -> Vec<Cow<'_, str>> {
        JsonEvent::borrow(self.whole())
            .all_string_values()
            .into_iter()
            .map(|s| Cow::Owned(s.into_owned()))
            .collect()
    }

    fn visit_string_values(&self, visit: &mut dyn FnMut(&str)) {
        JsonEvent::borrow(self.whole()).visit_string_values(visit);
    }

    fn to_json(&self) -> Value {
        self.whole().clone()
    }

    fn top_level_keys(&self) -> Option<Vec<Cow<'_, str>>> {
        Some(
            self.members
                .iter()
                .map(|m| Cow::Borrowed(m.key.as_ref()))
                .collect(),
        )
    }

    fn visit_top_level_keys(&self, visit: &mut dyn FnMut(&str)) -> bool {
        for m in &self.members {
            visit(&m.key);
        }
        true
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;

    #[test]
    fn both_views_answer_alike() {
        let text = r#"{"a":{"b":[{"c":"x"},{"c":"y"}],"z":1},"s":"q\"t","n":12,"f":1.5,"nul":null,"arr":[1,"two"],"k.d":"flat","a":{"b":[{"c":"last"}]},"u":{"t":"x","n":2,"s":{"i":{"arn":"a\u0041","z":null}},"s":{"i":{"arn":"b"}}}}"#;
        let value: Value = serde_json::from_str(text).unwrap();
        let whole = WholeObjects::new(&value);
        let raw = RawRecord::parse(text).unwrap().unwrap();
        for path in [
            "a",
            "a.b",
            "a.b.c",
            "a.b[0].c",
            "a.b[-1].c",
            "s",
            "n",
            "f",
            "nul",
            "arr",
            "arr[1]",
            "k.d",
            "missing",
            "a.missing",
            "a.z",
            ".a",
            "a\\[0\\]",
            "u.t",
            "u.n",
            "u.s",
            "u.s.i",
            "u.s.i.arn",
            "u.s.i.z",
            "u.t.x",
            "u.missing.x",
        ] {
            assert_eq!(raw.get_field(path), whole.get_field(path), "{path}");
        }
    }
}

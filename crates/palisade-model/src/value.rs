//! Values as a loader resolved them: literal where the template says so statically, symbolic
//! where it cannot be known before deploy. A value is never guessed: `!Ref` to a resource stays
//! a reference, an `!If` on a condition that depends on deploy-time input stays a choice.

use crate::source::Span;

/// A resolved property value with the span of the text it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct Value {
    pub kind: ValueKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ValueKind {
    Null,
    Bool(bool),
    /// A number as written (templates mix `30` and `"30"`; both convert the same way).
    Number(String),
    Text(Text),
    List(Vec<Value>),
    Map(Vec<MapEntry>),
    /// One of several values depending on a condition that cannot be evaluated statically.
    /// `None` is an option where the property is absent (`AWS::NoValue`).
    Choice {
        condition: String,
        options: Vec<Option<Value>>,
    },
    /// An expression whose value cannot be known statically, as written (e.g. `Fn::GetAZs`).
    Unknown(String),
}

#[derive(Clone, Debug, PartialEq)]
pub struct MapEntry {
    pub key: String,
    pub key_span: Span,
    pub value: Value,
}

/// A string made of literal parts and symbolic parts (`!Sub`, `!Join`, `!Ref`, …).
#[derive(Clone, Debug, PartialEq, Eq, Default, Hash)]
pub struct Text {
    pub segments: Vec<Segment>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Segment {
    Lit(String),
    Sym(Symbol),
}

/// Something whose value is only known at deploy or run time.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Symbol {
    /// `Ref` to a logical resource of the same app (its physical id or name).
    Ref(String),
    /// `GetAtt` of a logical resource of the same app.
    GetAtt(String, String),
    /// A template parameter without a usable default.
    Param(String),
    /// A pseudo parameter (`AWS::AccountId`, `AWS::Region`, …).
    Pseudo(String),
    /// `Fn::ImportValue` of another stack's export.
    Import(String),
    /// A dynamic reference resolved at deploy time (`{{resolve:secretsmanager:…}}`), as written.
    Dynamic(String),
    /// Any other expression, as written.
    Unknown(String),
}

impl Symbol {
    /// The form used inside `Fn::Sub` strings, which is also how Palisade prints it.
    pub fn render(&self) -> String {
        match self {
            Symbol::Ref(id) | Symbol::Param(id) | Symbol::Pseudo(id) => format!("${{{id}}}"),
            Symbol::GetAtt(id, attr) => format!("${{{id}.{attr}}}"),
            Symbol::Import(name) => format!("${{ImportValue:{name}}}"),
            Symbol::Dynamic(raw) => raw.clone(),
            Symbol::Unknown(expr) => format!("${{{expr}}}"),
        }
    }
}

impl Text {
    pub fn lit(s: impl Into<String>) -> Self {
        Text {
            segments: vec![Segment::Lit(s.into())],
        }
    }

    pub fn sym(s: Symbol) -> Self {
        Text {
            segments: vec![Segment::Sym(s)],
        }
    }

    /// Append a segment, merging adjacent literals.
    pub fn push(&mut self, seg: Segment) {
        match (self.segments.last_mut(), seg) {
            (Some(Segment::Lit(prev)), Segment::Lit(next)) => prev.push_str(&next),
            (_, Segment::Lit(next)) if next.is_empty() => {}
            (_, seg) => self.segments.push(seg),
        }
    }

    pub fn extend(&mut self, other: Text) {
        for seg in other.segments {
            self.push(seg);
        }
    }

    /// The string when the text is fully literal.
    pub fn literal(&self) -> Option<&str> {
        match self.segments.as_slice() {
            [] => Some(""),
            [Segment::Lit(s)] => Some(s),
            _ => None,
        }
    }

    pub fn is_literal(&self) -> bool {
        self.literal().is_some()
    }

    /// The text with symbolic parts written as `${…}`.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for seg in &self.segments {
            match seg {
                Segment::Lit(s) => out.push_str(s),
                Segment::Sym(sym) => out.push_str(&sym.render()),
            }
        }
        out
    }

    pub fn symbols(&self) -> impl Iterator<Item = &Symbol> {
        self.segments.iter().filter_map(|s| match s {
            Segment::Sym(sym) => Some(sym),
            Segment::Lit(_) => None,
        })
    }

    /// Logical ids of the app's resources this text refers to.
    pub fn referenced_ids(&self) -> impl Iterator<Item = &str> {
        self.symbols().filter_map(|s| match s {
            Symbol::Ref(id) | Symbol::GetAtt(id, _) => Some(id.as_str()),
            _ => None,
        })
    }

    /// When the whole text is one reference to a logical resource, its id.
    pub fn sole_reference(&self) -> Option<&str> {
        match self.segments.as_slice() {
            [Segment::Sym(Symbol::Ref(id) | Symbol::GetAtt(id, _))] => Some(id),
            _ => None,
        }
    }
}

impl Value {
    pub fn new(kind: ValueKind, span: Span) -> Self {
        Value { kind, span }
    }

    pub fn text(&self) -> Option<&Text> {
        match &self.kind {
            ValueKind::Text(t) => Some(t),
            _ => None,
        }
    }

    /// The value as a literal string, also for numbers and booleans (templates write `"30"` and
    /// `30`, `"true"` and `true` interchangeably).
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            ValueKind::Text(t) => t.literal(),
            ValueKind::Number(n) => Some(n),
            ValueKind::Bool(true) => Some("true"),
            ValueKind::Bool(false) => Some("false"),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match &self.kind {
            ValueKind::Bool(b) => Some(*b),
            ValueKind::Text(t) => match t.literal()?.to_ascii_lowercase().as_str() {
                "true" => Some(true),
                "false" => Some(false),
                _ => None,
            },
            _ => None,
        }
    }

    pub fn as_u64(&self) -> Option<u64> {
        let s = self.as_str()?.trim();
        if let Ok(n) = s.parse::<u64>() {
            return Some(n);
        }
        // `30.0` is accepted by CloudFormation for integer properties.
        let f = s.parse::<f64>().ok()?;
        (f >= 0.0 && f.fract() == 0.0 && f < 1.0e15).then_some(f as u64)
    }

    pub fn as_list(&self) -> Option<&[Value]> {
        match &self.kind {
            ValueKind::List(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&[MapEntry]> {
        match &self.kind {
            ValueKind::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// A map entry's value by key (exact, case-sensitive as CloudFormation is).
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.as_map()?
            .iter()
            .find(|e| e.key == key)
            .map(|e| &e.value)
    }

    /// A map entry by key, with the span of the key.
    pub fn entry(&self, key: &str) -> Option<&MapEntry> {
        self.as_map()?.iter().find(|e| e.key == key)
    }

    /// Follow a path of keys through nested maps.
    pub fn path(&self, keys: &[&str]) -> Option<&Value> {
        keys.iter().try_fold(self, |v, k| v.get(k))
    }

    /// A single value or a list of them, as CloudFormation allows for many properties
    /// (`Action: s3:GetObject` and `Action: [s3:GetObject]`).
    pub fn one_or_many(&self) -> Vec<&Value> {
        match &self.kind {
            ValueKind::List(items) => items.iter().collect(),
            _ => vec![self],
        }
    }

    /// About how many bytes the value takes in memory: each node costs its size, each text
    /// its bytes, so that a wide value and one long string both count.
    pub fn weight(&self) -> usize {
        let own = match &self.kind {
            ValueKind::Text(t) => t
                .segments
                .iter()
                .map(|s| match s {
                    Segment::Lit(l) => l.len(),
                    Segment::Sym(_) => 1,
                })
                .sum(),
            ValueKind::Number(n) => n.len(),
            _ => 0,
        };
        let children: usize = match &self.kind {
            ValueKind::List(items) => items.iter().map(Value::weight).sum(),
            ValueKind::Map(entries) => entries.iter().map(|e| e.key.len() + e.value.weight()).sum(),
            ValueKind::Choice { options, .. } => options.iter().flatten().map(Value::weight).sum(),
            _ => 0,
        };
        std::mem::size_of::<Value>() + own + children
    }

    pub fn is_null(&self) -> bool {
        matches!(self.kind, ValueKind::Null)
    }

    /// The value as a text when it is a string or a scalar that reads as one.
    pub fn to_text(&self) -> Option<Text> {
        match &self.kind {
            ValueKind::Text(t) => Some(t.clone()),
            ValueKind::Number(n) => Some(Text::lit(n.clone())),
            ValueKind::Bool(b) => Some(Text::lit(b.to_string())),
            ValueKind::Unknown(expr) => Some(Text::sym(Symbol::Unknown(expr.clone()))),
            _ => None,
        }
    }

    /// A short human rendering of the value (for messages).
    pub fn render(&self) -> String {
        match &self.kind {
            ValueKind::Null => "null".into(),
            ValueKind::Bool(b) => b.to_string(),
            ValueKind::Number(n) => n.clone(),
            ValueKind::Text(t) => t.render(),
            ValueKind::List(items) => format!(
                "[{}]",
                items
                    .iter()
                    .map(Value::render)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            ValueKind::Map(entries) => format!(
                "{{{}}}",
                entries
                    .iter()
                    .map(|e| format!("{}: {}", e.key, e.value.render()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            ValueKind::Choice { condition, options } => format!(
                "(if {condition}: {})",
                options
                    .iter()
                    .map(|o| o
                        .as_ref()
                        .map_or_else(|| "<no value>".into(), Value::render))
                    .collect::<Vec<_>>()
                    .join(" | ")
            ),
            ValueKind::Unknown(expr) => format!("<{expr}>"),
        }
    }
}

/// A typed property of a model element: known, one of several, or unknown before deploy.
#[derive(Clone, Debug, PartialEq)]
pub struct Prop<T> {
    pub value: Resolved<T>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Resolved<T> {
    Known(T),
    /// Depends on a condition; `None` is an option where the property is absent.
    OneOf {
        condition: String,
        options: Vec<Option<T>>,
    },
    /// Cannot be known statically; the expression as written.
    Unknown(String),
}

/// How a predicate holds on a [`Prop`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Truth {
    Always,
    /// Holds for some options of a condition (named) but not for all.
    Depends(String),
    Never,
    /// The value is unknown before deploy.
    Unknown(String),
}

impl<T> Prop<T> {
    pub fn known(value: T, span: Span) -> Self {
        Prop {
            value: Resolved::Known(value),
            span,
        }
    }

    /// Convert a resolved value with `conv`. A value that does not convert is kept as unknown
    /// with its rendering, never dropped.
    pub fn from_value(value: &Value, conv: impl Fn(&Value) -> Option<T>) -> Self {
        let resolved = match &value.kind {
            ValueKind::Choice { condition, options } => Resolved::OneOf {
                condition: condition.clone(),
                options: options.iter().map(|o| o.as_ref().and_then(&conv)).collect(),
            },
            _ => match conv(value) {
                Some(v) => Resolved::Known(v),
                None => Resolved::Unknown(value.render()),
            },
        };
        Prop {
            value: resolved,
            span: value.span,
        }
    }

    pub fn get(&self) -> Option<&T> {
        match &self.value {
            Resolved::Known(v) => Some(v),
            _ => None,
        }
    }

    /// Every value the property can take.
    pub fn possible(&self) -> Vec<&T> {
        match &self.value {
            Resolved::Known(v) => vec![v],
            Resolved::OneOf { options, .. } => options.iter().flatten().collect(),
            Resolved::Unknown(_) => Vec::new(),
        }
    }

    /// How `pred` holds over the values the property can take (an absent option does not
    /// satisfy it).
    pub fn test(&self, pred: impl Fn(&T) -> bool) -> Truth {
        self.test_or_absent(pred, false)
    }

    /// Like [`Prop::test`], counting an absent option (`AWS::NoValue`) as `absent`: whether the
    /// AWS default the property falls back to satisfies the predicate.
    pub fn test_or_absent(&self, pred: impl Fn(&T) -> bool, absent: bool) -> Truth {
        match &self.value {
            Resolved::Known(v) if pred(v) => Truth::Always,
            Resolved::Known(_) => Truth::Never,
            Resolved::OneOf { condition, options } => {
                let hits = options
                    .iter()
                    .filter(|o| o.as_ref().map_or(absent, &pred))
                    .count();
                if hits == 0 {
                    Truth::Never
                } else if hits == options.len() {
                    Truth::Always
                } else {
                    Truth::Depends(condition.clone())
                }
            }
            Resolved::Unknown(expr) => Truth::Unknown(expr.clone()),
        }
    }

    /// The condition under which the property is absent (`!If [C, x, AWS::NoValue]`).
    pub fn absent_when(&self) -> Option<&str> {
        match &self.value {
            Resolved::OneOf { condition, options } if options.iter().any(Option::is_none) => {
                Some(condition)
            }
            _ => None,
        }
    }

    pub fn map<U>(&self, f: impl Fn(&T) -> U) -> Prop<U> {
        let value = match &self.value {
            Resolved::Known(v) => Resolved::Known(f(v)),
            Resolved::OneOf { condition, options } => Resolved::OneOf {
                condition: condition.clone(),
                options: options.iter().map(|o| o.as_ref().map(&f)).collect(),
            },
            Resolved::Unknown(e) => Resolved::Unknown(e.clone()),
        };
        Prop {
            value,
            span: self.span,
        }
    }
}

impl Prop<Text> {
    pub fn from_text_value(value: &Value) -> Self {
        Prop::from_value(value, Value::to_text)
    }
}

impl<T: std::fmt::Display> Prop<T> {
    pub fn render(&self) -> String {
        match &self.value {
            Resolved::Known(v) => v.to_string(),
            // The condition is named by whoever reports on the value (`Truth::Depends`).
            Resolved::OneOf { options, .. } => options
                .iter()
                .map(|o| o.as_ref().map_or_else(|| "<no value>".into(), T::to_string))
                .collect::<Vec<_>>()
                .join(" or "),
            Resolved::Unknown(e) => e.clone(),
        }
    }
}

impl std::fmt::Display for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.render())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Value {
        Value::new(ValueKind::Text(Text::lit(s)), Span::default())
    }

    #[test]
    fn text_merges_literals_and_renders_symbols() {
        let mut t = Text::lit("arn:aws:s3:::");
        t.push(Segment::Sym(Symbol::Ref("Bucket".into())));
        t.push(Segment::Lit("/".into()));
        t.push(Segment::Lit("*".into()));
        assert_eq!(t.render(), "arn:aws:s3:::${Bucket}/*");
        assert_eq!(t.segments.len(), 3);
        assert_eq!(t.literal(), None);
        assert_eq!(t.referenced_ids().collect::<Vec<_>>(), ["Bucket"]);
    }

    #[test]
    fn numbers_convert_from_text_and_number() {
        assert_eq!(text("30").as_u64(), Some(30));
        assert_eq!(
            Value::new(ValueKind::Number("900".into()), Span::default()).as_u64(),
            Some(900)
        );
        assert_eq!(text("abc").as_u64(), None);
    }

    #[test]
    fn prop_truth_over_choice() {
        let choice = Value::new(
            ValueKind::Choice {
                condition: "IsProd".into(),
                options: vec![Some(text("900")), Some(text("30"))],
            },
            Span::default(),
        );
        let p = Prop::from_value(&choice, Value::as_u64);
        assert_eq!(p.test(|t| *t > 800), Truth::Depends("IsProd".into()));
        assert_eq!(p.test(|t| *t > 10), Truth::Always);
        assert_eq!(p.test(|t| *t > 1000), Truth::Never);
    }
}

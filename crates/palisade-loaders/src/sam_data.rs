//! SAM's own data (policy templates, connector profiles, managed policy names), embedded.
//! Source and licence: `data/sam/PROVENANCE.md`.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use palisade_model::{MapEntry, Segment, Span, Symbol, Text, Value, ValueKind};
use serde_json::Value as Json;

static POLICY_TEMPLATES: LazyLock<Json> = LazyLock::new(|| {
    serde_json::from_str(include_str!("../data/sam/policy_templates.json")).unwrap_or(Json::Null)
});

static CONNECTOR_PROFILES: LazyLock<Json> = LazyLock::new(|| {
    serde_json::from_str(include_str!("../data/sam/connector_profiles.json")).unwrap_or(Json::Null)
});

static MANAGED_POLICY_ARNS: LazyLock<BTreeMap<String, String>> = LazyLock::new(|| {
    let json: Json = serde_json::from_str(include_str!("../data/sam/aws_managed_policy_arns.json"))
        .unwrap_or(Json::Null);
    json.get("aws")
        .and_then(Json::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                .collect()
        })
        .unwrap_or_default()
});

/// Every policy template's definition as a model value, converted once: its own parameters
/// are `Symbol::Param`s, substituted per use by [`instantiate`].
static TEMPLATE_VALUES: LazyLock<BTreeMap<String, Value>> = LazyLock::new(|| {
    POLICY_TEMPLATES
        .get("Templates")
        .and_then(Json::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(name, t)| {
                    let def = t.get("Definition")?;
                    Some((name.clone(), expand(def, &BTreeMap::new(), Span::default())))
                })
                .collect()
        })
        .unwrap_or_default()
});

/// A policy template's definition (`{Statement: [...]}`), with its parameters unresolved.
pub(crate) fn policy_template(name: &str) -> Option<&'static Value> {
    TEMPLATE_VALUES.get(name)
}

/// A policy template with the parameters the user passed; every node gets the span of the use.
pub(crate) fn instantiate(template: &Value, params: &BTreeMap<String, Value>, span: Span) -> Value {
    let kind = match &template.kind {
        ValueKind::Text(text) => {
            if let [Segment::Sym(Symbol::Param(name))] = text.segments.as_slice()
                && let Some(given) = params.get(name)
            {
                return given.clone();
            }
            let mut out = Text::default();
            for seg in &text.segments {
                match seg {
                    Segment::Sym(Symbol::Param(name)) if params.contains_key(name) => {
                        let given = params.get(name);
                        match given.and_then(Value::to_text) {
                            Some(t) => out.extend(t),
                            None => out.push(Segment::Sym(Symbol::Unknown(
                                given.map(Value::render).unwrap_or_default(),
                            ))),
                        }
                    }
                    other => out.push(other.clone()),
                }
            }
            ValueKind::Text(out)
        }
        ValueKind::List(items) => {
            ValueKind::List(items.iter().map(|i| instantiate(i, params, span)).collect())
        }
        ValueKind::Map(entries) => ValueKind::Map(
            entries
                .iter()
                .map(|e| MapEntry {
                    key: e.key.clone(),
                    key_span: span,
                    value: instantiate(&e.value, params, span),
                })
                .collect(),
        ),
        other => other.clone(),
    };
    Value::new(kind, span)
}

#[cfg(test)]
pub(crate) fn policy_template_count() -> usize {
    POLICY_TEMPLATES
        .get("Templates")
        .and_then(Json::as_object)
        .map_or(0, serde_json::Map::len)
}

/// The ARN SAM gives to a managed policy name, in the `aws` partition.
pub(crate) fn managed_policy_arn(name: &str) -> Option<&'static str> {
    MANAGED_POLICY_ARNS.get(name).map(String::as_str)
}

/// The connector profile for a source and destination resource type.
pub(crate) fn connector_profile(source_type: &str, dest_type: &str) -> Option<&'static Json> {
    CONNECTOR_PROFILES
        .get("Permissions")?
        .get(source_type)?
        .get(dest_type)
}

/// Expand a SAM policy template definition: `Ref` to a template parameter becomes the value the
/// user passed; `${AWS::…}` stays a pseudo parameter. Every node gets the span of the use site.
fn expand(def: &Json, params: &BTreeMap<String, Value>, span: Span) -> Value {
    let kind = match def {
        Json::Null => ValueKind::Null,
        Json::Bool(b) => ValueKind::Bool(*b),
        Json::Number(n) => ValueKind::Number(n.to_string()),
        Json::String(s) => ValueKind::Text(Text::lit(s.clone())),
        Json::Array(items) => {
            ValueKind::List(items.iter().map(|i| expand(i, params, span)).collect())
        }
        Json::Object(map) => {
            if let (1, Some(Json::String(name))) = (map.len(), map.get("Ref")) {
                return param_value(name, params, span);
            }
            if let (1, Some(sub)) = (map.len(), map.get("Fn::Sub")) {
                return Value::new(ValueKind::Text(expand_sub(sub, params, span)), span);
            }
            ValueKind::Map(
                map.iter()
                    .map(|(k, v)| MapEntry {
                        key: k.clone(),
                        key_span: span,
                        value: expand(v, params, span),
                    })
                    .collect(),
            )
        }
    };
    Value::new(kind, span)
}

fn param_value(name: &str, params: &BTreeMap<String, Value>, span: Span) -> Value {
    match params.get(name) {
        Some(v) => v.clone(),
        None if name.starts_with("AWS::") => Value::new(
            ValueKind::Text(Text::sym(Symbol::Pseudo(name.to_string()))),
            span,
        ),
        None => Value::new(
            ValueKind::Text(Text::sym(Symbol::Param(name.to_string()))),
            span,
        ),
    }
}

fn expand_sub(sub: &Json, params: &BTreeMap<String, Value>, span: Span) -> Text {
    let (template, vars) = match sub {
        Json::String(s) => (s.as_str(), None),
        Json::Array(items) => (
            items.first().and_then(Json::as_str).unwrap_or(""),
            items.get(1).and_then(Json::as_object),
        ),
        _ => ("", None),
    };
    let mut text = Text::default();
    let mut rest = template;
    while let Some(pos) = rest.find("${") {
        text.push(Segment::Lit(rest[..pos].to_string()));
        let after = &rest[pos + 2..];
        let Some(close) = after.find('}') else {
            text.push(Segment::Lit(rest[pos..].to_string()));
            rest = "";
            break;
        };
        let var = &after[..close];
        rest = &after[close + 1..];
        let value = match vars.and_then(|v| v.get(var)) {
            Some(def) => expand(def, params, span),
            None => param_value(var, params, span),
        };
        match value.to_text() {
            Some(t) => text.extend(t),
            None => text.push(Segment::Sym(Symbol::Unknown(value.render()))),
        }
    }
    text.push(Segment::Lit(rest.to_string()));
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_data_is_complete() {
        assert_eq!(policy_template_count(), 81);
        assert_eq!(
            managed_policy_arn("AWSLambdaBasicExecutionRole"),
            Some("arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")
        );
        assert!(connector_profile("AWS::Lambda::Function", "AWS::DynamoDB::Table").is_some());
    }

    #[test]
    fn template_parameters_are_substituted() {
        let def = policy_template("DynamoDBCrudPolicy").unwrap_or_else(|| unreachable!());
        let mut given = BTreeMap::new();
        given.insert(
            "TableName".to_string(),
            Value::new(
                ValueKind::Text(Text::sym(Symbol::Ref("Orders".into()))),
                Span::default(),
            ),
        );
        let v = instantiate(def, &given, Span::default());
        let res = v
            .path(&["Statement"])
            .and_then(|s| s.as_list())
            .and_then(|s| s.first());
        let res = res
            .and_then(|s| s.get("Resource"))
            .and_then(|r| r.as_list())
            .and_then(|r| r.first());
        assert_eq!(
            res.map(Value::render).as_deref(),
            Some("arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${Orders}")
        );
    }
}

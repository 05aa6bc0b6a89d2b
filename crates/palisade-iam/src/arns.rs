//! How the resources an SDK call names are written in ARNs: the app's resources by what
//! CloudFormation's `Ref` and `GetAtt` give for each kind (`${OrdersTable.Arn}`, a queue's
//! `${Jobs.QueueName}`), literals filled into the catalog's ARN templates, `*` for the rest.

use std::collections::BTreeMap;

use palisade_model::{App, ResourceKind, Segment, Symbol, Text, Value};

use crate::catalog::catalog;
use crate::needed::ArnRef;
use crate::sdk_map::{ResourceMapping, SdkAction, fill_template};

/// A resource of the app as IAM names it.
#[derive(Clone, Debug)]
pub(crate) struct Known {
    pub(crate) id: String,
    pub(crate) service: &'static str,
    /// The catalog's resource type (`table`, `bucket`).
    pub(crate) rtype: &'static str,
    /// The resource's ARN as the template writes it (`${OrdersTable.Arn}`, `${Topic}`).
    pub(crate) arn: Text,
    /// `arn` is exactly the catalog type's ARN (a log group's `Arn` ends in `:*`: it is not).
    pub(crate) exact: bool,
    /// What fills the type's name variable (`${OrdersTable}`, `${Queue.QueueName}`).
    pub(crate) name: Option<Text>,
}

fn sym(s: Symbol) -> Text {
    Text::sym(s)
}

pub(crate) fn get_att(id: &str, attr: &str) -> Text {
    sym(Symbol::GetAtt(id.to_string(), attr.to_string()))
}

pub(crate) fn reference(id: &str) -> Text {
    sym(Symbol::Ref(id.to_string()))
}

/// How an app resource is written in ARNs: what CloudFormation's `Ref` and `GetAtt` give for
/// each kind.
pub(crate) fn known(app: &App, id: &str) -> Option<Known> {
    let k = |service, rtype, arn: Text, exact, name: Option<Text>| Known {
        id: id.to_string(),
        service,
        rtype,
        arn,
        exact,
        name,
    };
    if app.function(id).is_some() {
        return Some(k(
            "lambda",
            "function",
            get_att(id, "Arn"),
            true,
            Some(reference(id)),
        ));
    }
    let r = app.resource(id)?;
    let arn = get_att(id, "Arn");
    Some(match &r.kind {
        ResourceKind::Bucket(_) => k("s3", "bucket", arn, true, Some(reference(id))),
        // SAM's SimpleTable has no `Arn` attribute.
        ResourceKind::Table { .. } if r.resource_type == "AWS::Serverless::SimpleTable" => {
            let mut t = Text::lit("arn:");
            for seg in [
                Segment::Sym(Symbol::Pseudo("AWS::Partition".into())),
                Segment::Lit(":dynamodb:".into()),
                Segment::Sym(Symbol::Pseudo("AWS::Region".into())),
                Segment::Lit(":".into()),
                Segment::Sym(Symbol::Pseudo("AWS::AccountId".into())),
                Segment::Lit(":table/".into()),
                Segment::Sym(Symbol::Ref(id.to_string())),
            ] {
                t.push(seg);
            }
            k("dynamodb", "table", t, true, Some(reference(id)))
        }
        ResourceKind::Table { .. } => k("dynamodb", "table", arn, true, Some(reference(id))),
        ResourceKind::Queue(_) => k("sqs", "queue", arn, true, Some(get_att(id, "QueueName"))),
        ResourceKind::Topic(_) => k(
            "sns",
            "topic",
            reference(id),
            true,
            Some(get_att(id, "TopicName")),
        ),
        ResourceKind::Stream { .. } => k("kinesis", "stream", arn, true, Some(reference(id))),
        ResourceKind::Key { .. } => k("kms", "key", arn, true, Some(reference(id))),
        ResourceKind::Secret => k("secretsmanager", "Secret", reference(id), true, None),
        ResourceKind::Parameter { .. } => {
            let name = parameter_name(r.properties.as_ref(), id);
            let mut t = Text::default();
            for seg in [
                Segment::Lit("arn:".into()),
                Segment::Sym(Symbol::Pseudo("AWS::Partition".into())),
                Segment::Lit(":ssm:".into()),
                Segment::Sym(Symbol::Pseudo("AWS::Region".into())),
                Segment::Lit(":".into()),
                Segment::Sym(Symbol::Pseudo("AWS::AccountId".into())),
                Segment::Lit(":parameter/".into()),
            ] {
                t.push(seg);
            }
            t.extend(name.clone());
            k("ssm", "parameter", t, true, Some(name))
        }
        ResourceKind::LogGroup(_) => k("logs", "log-group", arn, false, Some(reference(id))),
        ResourceKind::StateMachine => k(
            "states",
            "stateMachine",
            reference(id),
            true,
            Some(get_att(id, "Name")),
        ),
        ResourceKind::UserPool => k("cognito-idp", "userpool", arn, true, Some(reference(id))),
        _ => match r.resource_type.as_str() {
            "AWS::Events::EventBus" => k("events", "event-bus", arn, true, Some(reference(id))),
            "AWS::KinesisFirehose::DeliveryStream" => {
                k("firehose", "deliverystream", arn, true, Some(reference(id)))
            }
            _ => return None,
        },
    })
}

/// An SSM parameter's name without its leading slash (ARNs write `parameter/app/db` for
/// `/app/db`); `${Id}` when the template does not name it (then CloudFormation generates a
/// name without a slash).
fn parameter_name(props: Option<&Value>, id: &str) -> Text {
    let Some(mut t) = props
        .and_then(|p| p.get("Name"))
        .and_then(Value::text)
        .cloned()
    else {
        return reference(id);
    };
    if let Some(Segment::Lit(first)) = t.segments.first_mut()
        && let Some(rest) = first.strip_prefix('/')
    {
        *first = rest.to_string();
        if first.is_empty() {
            t.segments.remove(0);
        }
    }
    t
}

/// One value a request parameter can have.
#[derive(Clone, Debug)]
pub(crate) enum ParamValue {
    Text(Text),
    Resource(Known),
    Unknown,
}

/// The catalog ARN of a resource type.
fn type_arn(service: &str, rtype: &str) -> Option<&'static str> {
    catalog()
        .service(service)?
        .resource_types
        .iter()
        .find(|t| t.name == rtype)
        .map(|t| t.arn)
}

fn context(var: &str) -> Option<Symbol> {
    let name = match var {
        "Partition" => "AWS::Partition",
        "Region" => "AWS::Region",
        "Account" => "AWS::AccountId",
        _ => return None,
    };
    Some(Symbol::Pseudo(name.to_string()))
}

/// Fill a catalog ARN template: the ARN's context from pseudo parameters, each variable from
/// `var`; `None` for a variable that has no value is written `*`. The result also tells
/// whether any variable got a value.
fn build(template: &str, var: &mut dyn FnMut(&str) -> Option<Text>) -> (Text, bool) {
    let mut out = Text::default();
    let mut any = false;
    let mut rest = template;
    while let Some(open) = rest.find("${") {
        out.push(Segment::Lit(rest[..open].to_string()));
        let after = &rest[open + 2..];
        let Some(close) = after.find('}') else {
            rest = after;
            break;
        };
        let name = &after[..close];
        match context(name) {
            Some(s) => out.push(Segment::Sym(s)),
            None => match var(name) {
                Some(t) => {
                    any = true;
                    out.extend(t);
                }
                None => out.push(Segment::Lit("*".into())),
            },
        }
        rest = &after[close + 1..];
    }
    out.push(Segment::Lit(rest.to_string()));
    (out, any)
}

/// Every combination of the values of some parameters (at most `LIMIT`).
fn combinations(
    names: &[&str],
    lookup: &BTreeMap<String, Vec<ParamValue>>,
) -> Vec<BTreeMap<String, ParamValue>> {
    const LIMIT: usize = 16;
    let mut out = vec![BTreeMap::new()];
    for n in names {
        let vals = lookup
            .get(*n)
            .cloned()
            .unwrap_or_else(|| vec![ParamValue::Unknown]);
        let mut next = Vec::new();
        for combo in &out {
            for v in &vals {
                if next.len() < LIMIT {
                    let mut c: BTreeMap<String, ParamValue> = combo.clone();
                    c.insert((*n).to_string(), v.clone());
                    next.push(c);
                }
            }
        }
        out = next;
    }
    out
}

/// The text of a parameter for a template: a literal or an expression; a resource gives its
/// name.
fn text_of(v: Option<&ParamValue>) -> Option<Text> {
    match v? {
        ParamValue::Text(t) => Some(t.clone()),
        ParamValue::Resource(k) => k.name.clone(),
        ParamValue::Unknown => None,
    }
}

pub(crate) fn resources_of(
    a: &SdkAction,
    lookup: &BTreeMap<String, Vec<ParamValue>>,
    notes: &mut Vec<String>,
) -> Vec<ArnRef> {
    match &a.resource {
        ResourceMapping::Any => vec![ArnRef::any()],
        ResourceMapping::Whole(template) => {
            let names: Vec<&str> = crate::sdk_map::template_names(template)
                .into_iter()
                .filter(|n| context(n).is_none())
                .collect();
            combinations(&names, lookup)
                .iter()
                .map(|combo| whole(a, template, combo, notes))
                .collect()
        }
        ResourceMapping::Arn {
            resource_type,
            arn,
            vars,
        } => {
            let mut names: Vec<&str> = vars
                .iter()
                .flat_map(|(_, t)| crate::sdk_map::template_names(t))
                .collect();
            names.sort_unstable();
            names.dedup();
            combinations(&names, lookup)
                .iter()
                .map(|combo| {
                    let (pattern, any) = build(arn, &mut |v| var_value(vars, v, combo));
                    if !any {
                        return ArnRef::any();
                    }
                    let expr = best_expr(a.action.service, resource_type, arn, vars, combo)
                        .unwrap_or_else(|| pattern.clone());
                    ArnRef { pattern, expr }
                })
                .collect()
        }
    }
}

/// The value of an ARN variable: a resource of the app gives its name whatever the template
/// extracts from the parameter (a queue's name from its URL); otherwise the template is filled.
fn var_value(
    vars: &[(&'static str, std::borrow::Cow<'static, str>)],
    var: &str,
    combo: &BTreeMap<String, ParamValue>,
) -> Option<Text> {
    let (_, template) = vars.iter().find(|(x, _)| *x == var)?;
    let params = crate::sdk_map::template_names(template);
    let mut text = match params.as_slice() {
        [p] => match combo.get(*p) {
            Some(ParamValue::Resource(k)) => k.name.clone(),
            _ => fill_template(template, &|p: &str| text_of(combo.get(p))),
        },
        _ => fill_template(template, &|p: &str| text_of(combo.get(p))),
    }?;
    // SSM writes `parameter/app/db` for `/app/db`.
    if var.ends_with("WithoutLeadingSlash")
        && let Some(Segment::Lit(first)) = text.segments.first_mut()
        && let Some(rest) = first.strip_prefix('/')
    {
        *first = rest.to_string();
    }
    Some(text)
}

/// The whole ARN from a template over parameters: a resource of the app gives its own ARN, a
/// literal ARN stands as written, anything else fills the template.
fn whole(
    a: &SdkAction,
    template: &str,
    combo: &BTreeMap<String, ParamValue>,
    notes: &mut Vec<String>,
) -> ArnRef {
    let single = template
        .strip_prefix("${")
        .and_then(|t| t.strip_suffix('}'))
        .filter(|t| !t.contains(['$', '%']));
    for v in combo.values() {
        if let ParamValue::Resource(k) = v
            && (single.is_some() || k.service == a.action.service)
        {
            let pattern = k
                .name
                .as_ref()
                .and_then(|n| {
                    let t = type_arn(k.service, k.rtype)?;
                    Some(build(t, &mut |_| Some(n.clone())).0)
                })
                .filter(|_| k.exact)
                .unwrap_or_else(|| k.arn.clone());
            return ArnRef {
                pattern,
                expr: k.arn.clone(),
            };
        }
        if let ParamValue::Text(t) = v
            && t.literal().is_some_and(|l| l.starts_with("arn:"))
        {
            return ArnRef::same(t.clone());
        }
    }
    let value = |p: &str| -> Option<Text> {
        if let Some(s) = context(p) {
            return Some(Text::sym(s));
        }
        text_of(combo.get(p))
    };
    match fill_template(template, &value) {
        Some(mut t) => {
            // Secrets are named with a random six-character suffix.
            if a.action.service == "secretsmanager" && single.is_none() {
                t.push(Segment::Lit("-??????".into()));
                notes.push(
                    "secrets named without their full ARN are matched with the `-??????` suffix \
                     Secrets Manager adds"
                        .to_string(),
                );
            }
            ArnRef::same(t)
        }
        None => ArnRef::any(),
    }
}

/// `${OrdersTable.Arn}` for the table itself, `${Uploads.Arn}/*` for objects of a bucket: when
/// one resource of the app fills the ARN's name, its own ARN (or the ARN it starts with).
fn best_expr(
    service: &str,
    rtype: &str,
    arn: &str,
    vars: &[(&'static str, std::borrow::Cow<'static, str>)],
    combo: &BTreeMap<String, ParamValue>,
) -> Option<Text> {
    let k = combo.values().find_map(|v| match v {
        ParamValue::Resource(k) if k.exact => Some(k),
        _ => None,
    })?;
    if k.service != service {
        return None;
    }
    let own = type_arn(k.service, k.rtype)?;
    let rest = if k.rtype == rtype {
        ""
    } else {
        arn.strip_prefix(own)?
    };
    let mut out = k.arn.clone();
    let (tail, _) = build(rest, &mut |v| var_value(vars, v, combo));
    out.extend(tail);
    Some(out)
}

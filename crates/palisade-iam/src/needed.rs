//! What a function's code needs from IAM: each SDK call's actions, on the resources the call
//! names, followed through the function's environment (`TABLE: !Ref OrdersTable`) to the app's
//! resources and from them to ARNs. Calls that cannot be resolved are kept, with their service.

use std::collections::BTreeMap;

use palisade_model::{
    App, Function, FunctionCode, ResourceKind, ResourceName, Segment, Span, Symbol, Text,
    TriggerKind, Value, ValueKind,
};

use crate::catalog::{Action, catalog};
use crate::sdk_map::{ResourceMapping, SdkAction, SdkActions, actions_for, fill_template};

/// Everything a function's code needs.
#[derive(Clone, Debug, Default)]
pub struct Needed {
    /// By action name.
    pub actions: Vec<NeededAction>,
    pub unresolved: Vec<UnresolvedCall>,
    /// What the reader should know about the resources (a variable the template does not set,
    /// a reference that would make a circular dependency), sorted, each once.
    pub notes: Vec<String>,
}

/// An action the code needs, on the resources its calls name.
#[derive(Clone, Debug)]
pub struct NeededAction {
    pub action: &'static Action,
    /// Sorted by pattern; `*` alone when some call names no resource Palisade can resolve.
    pub resources: Vec<ArnRef>,
    /// The calls that need it.
    pub calls: Vec<Span>,
    /// Needed only for some requests (every call that needs it says so).
    pub when: Option<String>,
}

/// One resource an action is needed on, written two ways.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ArnRef {
    /// The ARN with `${AWS::Partition}`-style placeholders and the names of the app's
    /// resources (`…:table/${OrdersTable}`): for a JSON policy document.
    pub pattern: Text,
    /// The same resource as the template writes it best (`${OrdersTable.Arn}`), for a
    /// snippet in the app's format.
    pub expr: Text,
}

impl ArnRef {
    pub fn any() -> ArnRef {
        ArnRef {
            pattern: Text::lit("*"),
            expr: Text::lit("*"),
        }
    }

    pub fn is_any(&self) -> bool {
        self.pattern.literal() == Some("*")
    }

    fn same(text: Text) -> ArnRef {
        ArnRef {
            pattern: text.clone(),
            expr: text,
        }
    }
}

/// A call whose actions are not (all) known: its service is kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnresolvedCall {
    pub span: Span,
    pub client: String,
    pub operation: Option<String>,
    /// The IAM prefix, when the client is known.
    pub service: Option<&'static str>,
    /// `service sqs, operation chosen at run time`.
    pub reason: String,
}

/// A resource of the app as IAM names it.
#[derive(Clone, Debug)]
struct Known {
    id: String,
    service: &'static str,
    /// The catalog's resource type (`table`, `bucket`).
    rtype: &'static str,
    /// The resource's ARN as the template writes it (`${OrdersTable.Arn}`, `${Topic}`).
    arn: Text,
    /// `arn` is exactly the catalog type's ARN (a log group's `Arn` ends in `:*`: it is not).
    exact: bool,
    /// What fills the type's name variable (`${OrdersTable}`, `${Queue.QueueName}`).
    name: Option<Text>,
}

fn sym(s: Symbol) -> Text {
    Text::sym(s)
}

fn get_att(id: &str, attr: &str) -> Text {
    sym(Symbol::GetAtt(id.to_string(), attr.to_string()))
}

fn reference(id: &str) -> Text {
    sym(Symbol::Ref(id.to_string()))
}

/// How an app resource is written in ARNs: what CloudFormation's `Ref` and `GetAtt` give for
/// each kind.
fn known(app: &App, id: &str) -> Option<Known> {
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
enum ParamValue {
    Text(Text),
    Resource(Known),
    Unknown,
}

/// The values a call's resource name can have, following environment variables into the
/// template.
fn values(
    app: &App,
    f: &Function,
    name: &ResourceName,
    notes: &mut Vec<String>,
) -> Vec<ParamValue> {
    match name {
        ResourceName::Literal(s) => vec![ParamValue::Text(Text::lit(s.clone()))],
        ResourceName::Unknown => vec![ParamValue::Unknown],
        ResourceName::Env(var) => {
            let Some(env) = f.environment.iter().find(|e| e.name == *var) else {
                notes.push(format!(
                    "the environment variable {var} is not set in the template: its resource is `*`"
                ));
                return vec![ParamValue::Unknown];
            };
            let mut out = Vec::new();
            env_values(app, &env.value, var, notes, &mut out);
            out
        }
    }
}

fn env_values(app: &App, v: &Value, var: &str, notes: &mut Vec<String>, out: &mut Vec<ParamValue>) {
    match &v.kind {
        ValueKind::Choice { options, .. } => {
            for o in options.iter().flatten() {
                env_values(app, o, var, notes, out);
            }
        }
        _ => match v.to_text() {
            Some(t) => match t.sole_reference() {
                Some(id) => match known(app, id) {
                    Some(k) => out.push(ParamValue::Resource(k)),
                    None if app.resource(id).is_some() => {
                        notes.push(format!(
                            "{var} refers to {id}, whose ARN Palisade cannot write: its resource is `*`"
                        ));
                        out.push(ParamValue::Unknown);
                    }
                    None => out.push(ParamValue::Text(t)),
                },
                None if t.symbols().any(|s| {
                    matches!(
                        s,
                        Symbol::Unknown(_) | Symbol::Import(_) | Symbol::Dynamic(_)
                    )
                }) =>
                {
                    out.push(ParamValue::Unknown);
                }
                None => out.push(ParamValue::Text(t)),
            },
            None => out.push(ParamValue::Unknown),
        },
    }
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

fn resources_of(
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

/// What a function's code needs: every SDK call's actions with the resources they name.
pub fn needed(app: &App, f: &Function, code: &FunctionCode) -> Needed {
    let mut out = Needed::default();
    let mut by_action: BTreeMap<String, NeededAction> = BTreeMap::new();
    for call in &code.sdk_calls {
        let sa: SdkActions = actions_for(call);
        if let Some(reason) = sa.unresolved_text() {
            out.unresolved.push(UnresolvedCall {
                span: call.span,
                client: call.client.clone(),
                operation: call.operation.clone(),
                service: sa.service,
                reason,
            });
        }
        let mut lookup: BTreeMap<String, Vec<ParamValue>> = BTreeMap::new();
        for (param, name) in &sa.params {
            let vals = values(app, f, name, &mut out.notes);
            for v in &vals {
                if let ParamValue::Resource(k) = v {
                    circular_note(f, k, &mut out.notes);
                }
            }
            lookup.entry(param.clone()).or_default().extend(vals);
        }
        for a in &sa.actions {
            let resources = resources_of(a, &lookup, &mut out.notes);
            let entry = by_action
                .entry(a.action.full_name())
                .or_insert_with(|| NeededAction {
                    action: a.action,
                    resources: Vec::new(),
                    calls: Vec::new(),
                    when: a.when.clone(),
                });
            if a.when.is_none() {
                entry.when = None;
            }
            if !entry.calls.contains(&call.span) {
                entry.calls.push(call.span);
            }
            for r in resources {
                if !entry.resources.contains(&r) {
                    entry.resources.push(r);
                }
            }
        }
    }
    for mut a in by_action.into_values() {
        if a.resources.iter().any(ArnRef::is_any) {
            a.resources = vec![ArnRef::any()];
        }
        a.resources.sort_by_key(|r| r.pattern.render());
        a.calls.sort();
        out.actions.push(a);
    }
    out.notes.sort();
    out.notes.dedup();
    out
}

/// A function triggered by a resource cannot name that resource in its own role: the
/// resource waits for the function, the function for its role.
fn circular_note(f: &Function, k: &Known, notes: &mut Vec<String>) {
    let triggers = f
        .triggers
        .iter()
        .any(|t| t.source.as_deref() == Some(k.id.as_str()) && t.kind == TriggerKind::S3);
    if triggers {
        notes.push(format!(
            "{} triggers {}: naming it in the function's role makes a circular dependency in \
             CloudFormation; write the bucket's name as a literal instead",
            k.id, f.id
        ));
    }
}

/// The CloudWatch Logs actions every function needs to write its logs, on its log group:
/// `/aws/lambda/<name>` when the template names the function, else any function's group.
pub fn lambda_logs(f: &Function) -> (Vec<&'static Action>, ArnRef) {
    let c = catalog();
    let actions = [
        "logs:CreateLogGroup",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
    ]
    .iter()
    .filter_map(|n| c.action(n))
    .collect();
    let name = f
        .name
        .as_ref()
        .and_then(|n| n.get())
        .filter(|t| t.sole_reference().is_none())
        .cloned()
        .unwrap_or_else(|| Text::lit("*"));
    let mut t = Text::lit("arn:");
    for seg in [
        Segment::Sym(Symbol::Pseudo("AWS::Partition".into())),
        Segment::Lit(":logs:".into()),
        Segment::Sym(Symbol::Pseudo("AWS::Region".into())),
        Segment::Lit(":".into()),
        Segment::Sym(Symbol::Pseudo("AWS::AccountId".into())),
        Segment::Lit(":log-group:/aws/lambda/".into()),
    ] {
        t.push(seg);
    }
    t.extend(name);
    t.push(Segment::Lit(":*".into()));
    (actions, ArnRef::same(t))
}

#[cfg(test)]
mod tests {
    use palisade_model::{AppFormat, EnvVar, FileId, Language, ResourceKind, SdkCall};

    use super::*;

    fn text_value(t: Text) -> Value {
        Value::new(ValueKind::Text(t), Span::default())
    }

    fn app() -> (App, Function) {
        let mut app = App::new("template.yaml", FileId(0), AppFormat::Sam);
        for (id, ty, kind) in [
            (
                "OrdersTable",
                "AWS::DynamoDB::Table",
                ResourceKind::Table {
                    sse_enabled: None,
                    stream: false,
                },
            ),
            (
                "Uploads",
                "AWS::S3::Bucket",
                ResourceKind::Bucket(Default::default()),
            ),
            (
                "Jobs",
                "AWS::SQS::Queue",
                ResourceKind::Queue(Default::default()),
            ),
            (
                "Events",
                "AWS::SNS::Topic",
                ResourceKind::Topic(Default::default()),
            ),
            (
                "DbSecret",
                "AWS::SecretsManager::Secret",
                ResourceKind::Secret,
            ),
        ] {
            app.resources.push(palisade_model::Resource {
                id: id.into(),
                resource_type: ty.into(),
                span: Span::default(),
                kind,
                properties: None,
                condition: None,
                suppressions: Vec::new(),
            });
        }
        let mut f = Function::new("Orders", "AWS::Serverless::Function", Span::default());
        for (name, t) in [
            ("TABLE", reference("OrdersTable")),
            ("BUCKET", reference("Uploads")),
            ("QUEUE_URL", reference("Jobs")),
            ("TOPIC", reference("Events")),
            ("SECRET", reference("DbSecret")),
            ("PLAIN", Text::lit("legacy-table")),
        ] {
            f.environment.push(EnvVar {
                name: name.into(),
                name_span: Span::default(),
                value: text_value(t),
            });
        }
        app.index();
        (app, f)
    }

    fn code(calls: Vec<SdkCall>) -> FunctionCode {
        FunctionCode {
            function: "Orders".into(),
            language: Language::Python,
            entry: Span::default(),
            entry_name: "handler".into(),
            files: Vec::new(),
            flows: Vec::new(),
            issues: Vec::new(),
            sdk_calls: calls,
            triggers: Vec::new(),
        }
    }

    fn call(
        client: &str,
        rtype: Option<&str>,
        op: Option<&str>,
        res: &[(&str, ResourceName)],
    ) -> SdkCall {
        SdkCall {
            client: client.into(),
            resource_type: rtype.map(str::to_string),
            operation: op.map(str::to_string),
            language: Language::Python,
            span: Span::new(FileId(1), 10, 20),
            resources: res
                .iter()
                .map(|(n, v)| ((*n).to_string(), v.clone()))
                .collect(),
        }
    }

    fn env(s: &str) -> ResourceName {
        ResourceName::Env(s.into())
    }

    fn one(n: &Needed, action: &str) -> (String, String) {
        let a = n
            .actions
            .iter()
            .find(|a| a.action.full_name() == action)
            .unwrap_or_else(|| panic!("{action} not in {n:?}"));
        assert_eq!(a.resources.len(), 1, "{:?}", a.resources);
        (
            a.resources[0].pattern.render(),
            a.resources[0].expr.render(),
        )
    }

    #[test]
    fn table_from_environment_reference() {
        let (app, f) = app();
        let n = needed(
            &app,
            &f,
            &code(vec![call(
                "dynamodb",
                Some("Table"),
                Some("put_item"),
                &[("Table", env("TABLE"))],
            )]),
        );
        assert_eq!(
            one(&n, "dynamodb:PutItem"),
            (
                "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${OrdersTable}"
                    .into(),
                "${OrdersTable.Arn}".into()
            )
        );
        assert!(n.unresolved.is_empty() && n.notes.is_empty());
    }

    #[test]
    fn objects_of_a_bucket_and_the_bucket_itself() {
        let (app, f) = app();
        let n = needed(
            &app,
            &f,
            &code(vec![
                call(
                    "s3",
                    None,
                    Some("put_object"),
                    &[("Bucket", env("BUCKET")), ("Key", ResourceName::Unknown)],
                ),
                call(
                    "s3",
                    None,
                    Some("list_objects_v2"),
                    &[("Bucket", env("BUCKET"))],
                ),
            ]),
        );
        assert_eq!(
            one(&n, "s3:PutObject"),
            (
                "arn:${AWS::Partition}:s3:::${Uploads}/*".into(),
                "${Uploads.Arn}/*".into()
            )
        );
        assert_eq!(one(&n, "s3:ListBucket").1, "${Uploads.Arn}");
    }

    #[test]
    fn queue_topic_and_secret_by_their_own_references() {
        let (app, f) = app();
        let n = needed(
            &app,
            &f,
            &code(vec![
                call(
                    "sqs",
                    None,
                    Some("send_message"),
                    &[("QueueUrl", env("QUEUE_URL"))],
                ),
                call("sns", None, Some("publish"), &[("TopicArn", env("TOPIC"))]),
                call(
                    "secretsmanager",
                    None,
                    Some("get_secret_value"),
                    &[("SecretId", env("SECRET"))],
                ),
            ]),
        );
        assert_eq!(
            one(&n, "sqs:SendMessage"),
            (
                "arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:${Jobs.QueueName}"
                    .into(),
                "${Jobs.Arn}".into()
            )
        );
        assert_eq!(one(&n, "sns:Publish").1, "${Events}");
        assert_eq!(one(&n, "secretsmanager:GetSecretValue").1, "${DbSecret}");
    }

    #[test]
    fn literals_become_literal_arns() {
        let (app, f) = app();
        let lit = |s: &str| ResourceName::Literal(s.into());
        let n = needed(
            &app,
            &f,
            &code(vec![
                call(
                    "sqs",
                    None,
                    Some("send_message"),
                    &[(
                        "QueueUrl",
                        lit("https://sqs.eu-west-1.amazonaws.com/1/jobs"),
                    )],
                ),
                call(
                    "dynamodb",
                    None,
                    Some("get_item"),
                    &[("TableName", env("PLAIN"))],
                ),
                call(
                    "secretsmanager",
                    None,
                    Some("get_secret_value"),
                    &[("SecretId", lit("prod/db"))],
                ),
            ]),
        );
        assert_eq!(
            one(&n, "sqs:SendMessage").0,
            "arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:jobs"
        );
        assert_eq!(
            one(&n, "dynamodb:GetItem").0,
            "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/legacy-table"
        );
        assert_eq!(
            one(&n, "secretsmanager:GetSecretValue").0,
            "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:prod/db-??????"
        );
    }

    #[test]
    fn parameters_and_functions() {
        let (mut app, mut f) = app();
        app.functions.push(Function::new(
            "Worker",
            "AWS::Serverless::Function",
            Span::default(),
        ));
        app.index();
        f.environment.push(EnvVar {
            name: "WORKER".into(),
            name_span: Span::default(),
            value: text_value(get_att("Worker", "Arn")),
        });
        let n = needed(
            &app,
            &f,
            &code(vec![
                call(
                    "ssm",
                    None,
                    Some("get_parameter"),
                    &[("Name", ResourceName::Literal("/app/db".into()))],
                ),
                call(
                    "lambda",
                    None,
                    Some("invoke"),
                    &[("FunctionName", env("WORKER"))],
                ),
            ]),
        );
        assert_eq!(
            one(&n, "ssm:GetParameter").0,
            "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/app/db"
        );
        assert_eq!(one(&n, "lambda:InvokeFunction").1, "${Worker.Arn}");
    }

    #[test]
    fn unknown_names_are_any_resource_with_a_note() {
        let (app, f) = app();
        let n = needed(
            &app,
            &f,
            &code(vec![
                call(
                    "dynamodb",
                    None,
                    Some("get_item"),
                    &[("TableName", env("NOT_SET"))],
                ),
                call(
                    "s3",
                    None,
                    Some("get_object"),
                    &[("Bucket", ResourceName::Unknown)],
                ),
            ]),
        );
        assert_eq!(one(&n, "dynamodb:GetItem").0, "*");
        assert_eq!(one(&n, "s3:GetObject").0, "*");
        assert!(
            n.notes.iter().any(|x| x.contains("NOT_SET")),
            "{:?}",
            n.notes
        );
    }

    #[test]
    fn dynamic_calls_are_listed_with_their_service() {
        let (app, f) = app();
        let n = needed(&app, &f, &code(vec![call("sqs", None, None, &[])]));
        assert!(n.actions.is_empty());
        assert_eq!(n.unresolved.len(), 1);
        assert_eq!(n.unresolved[0].service, Some("sqs"));
        assert!(n.unresolved[0].reason.contains("run time"));
    }

    #[test]
    fn logs_basics_name_the_function_group_when_known() {
        let (_, mut f) = app();
        let (actions, arn) = lambda_logs(&f);
        assert_eq!(actions.len(), 3);
        assert!(arn.pattern.render().ends_with(":log-group:/aws/lambda/*:*"));
        f.name = Some(palisade_model::Prop::known(
            Text::lit("orders"),
            Span::default(),
        ));
        assert!(
            lambda_logs(&f)
                .1
                .pattern
                .render()
                .ends_with("/aws/lambda/orders:*")
        );
    }
}

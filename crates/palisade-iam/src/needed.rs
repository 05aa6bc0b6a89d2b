//! What a function's code needs from IAM: each SDK call's actions, on the resources the call
//! names, followed through the function's environment (`TABLE: !Ref OrdersTable`) to the app's
//! resources and from them to ARNs. Calls that cannot be resolved are kept, with their service.

use std::collections::BTreeMap;

use palisade_model::{
    App, Function, FunctionCode, ResourceName, Segment, Span, Symbol, Text, TriggerKind, Value,
    ValueKind,
};

use crate::arns::{Known, ParamValue, known, resources_of};
use crate::catalog::{Action, catalog};
use crate::sdk_map::{SdkActions, actions_for};

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

    pub(crate) fn same(text: Text) -> ArnRef {
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
    use crate::arns::{get_att, reference};

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

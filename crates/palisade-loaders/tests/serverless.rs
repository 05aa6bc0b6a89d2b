//! Serverless Framework services loaded into the model: functions, triggers, roles and their
//! statements, APIs and route auth, URLs, environment, suppressions, spans, variables.

#![allow(
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers report failures by panicking"
)]

use std::path::{Path, PathBuf};

use palisade_loaders::{Candidate, CandidateKind, LoadError, LoadSettings, load_candidate};
use palisade_model::{
    App, Auth, Code, DestinationKind, DiagnosticLevel, Function, ResourceKind, Role, RoleRef,
    SourceMap, Span, TriggerKind,
};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/serverless")
        .join(name)
}

struct Loaded {
    app: App,
    sources: SourceMap,
}

impl Loaded {
    fn function(&self, id: &str) -> &Function {
        self.app
            .functions
            .iter()
            .find(|f| f.id == id)
            .unwrap_or_else(|| panic!("no function {id}"))
    }

    fn role(&self, id: &str) -> &Role {
        self.app
            .roles
            .iter()
            .find(|r| r.id == id)
            .unwrap_or_else(|| panic!("no role {id}"))
    }

    /// `(path, line)` of a span.
    fn line(&self, span: Span) -> (String, u32) {
        let (path, start, _) = self.sources.resolve(span).expect("span resolves");
        (path, start.line)
    }
}

fn load_dir_with(dir: &Path, settings: &LoadSettings) -> Result<Loaded, LoadError> {
    let c = Candidate {
        path: dir.join("serverless.yml"),
        rel: "serverless.yml".into(),
        kind: CandidateKind::Serverless,
    };
    let sources = SourceMap::new();
    let mut set = load_candidate(&c, &sources, settings);
    if let Some(e) = set.errors.pop() {
        return Err(e);
    }
    let app = set.apps.pop().expect("an app");
    Ok(Loaded { app, sources })
}

fn load(name: &str) -> Loaded {
    load_dir_with(&fixture(name), &LoadSettings::default()).expect("loads")
}

/// A service written to a temporary project folder.
fn load_text(
    text: &str,
    settings: &LoadSettings,
) -> (Result<Loaded, LoadError>, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("serverless.yml"), text).expect("write");
    (load_dir_with(dir.path(), settings), dir)
}

fn actions(role: &Role) -> Vec<String> {
    role.policies
        .iter()
        .flat_map(|p| &p.statements)
        .filter_map(|s| s.action.as_ref())
        .flat_map(|a| a.items.iter().map(|i| i.text.render()))
        .collect()
}

fn resources_of(role: &Role, action: &str) -> Vec<String> {
    role.policies
        .iter()
        .flat_map(|p| &p.statements)
        .filter(|s| {
            s.action
                .as_ref()
                .is_some_and(|a| a.items.iter().any(|i| i.text.render() == action))
        })
        .filter_map(|s| s.resource.as_ref())
        .flat_map(|r| r.items.iter().map(|i| i.text.render()))
        .collect()
}

#[test]
fn twin_of_the_sam_example_has_the_same_functions_roles_and_triggers() {
    let l = load("orders");
    assert_eq!(l.app.format, palisade_model::AppFormat::Serverless);
    let mut ids: Vec<&str> = l.app.functions.iter().map(|f| f.id.as_str()).collect();
    ids.sort_unstable();
    assert_eq!(
        ids,
        [
            "createOrder",
            "listOrders",
            "nightlyReport",
            "paymentWebhook",
            "thumbnails",
            "worker"
        ]
    );

    let list = l.function("listOrders");
    assert_eq!(
        list.runtime
            .as_ref()
            .and_then(|r| r.get())
            .map(String::as_str),
        Some("python3.12")
    );
    assert_eq!(
        list.handler
            .as_ref()
            .and_then(|h| h.get())
            .map(String::as_str),
        Some("app.list_orders")
    );
    assert!(matches!(&list.code, Code::Local { path, .. } if path == "src/orders"));
    assert_eq!(list.timeout.as_ref().and_then(|t| t.get()), Some(&60));
    assert_eq!(list.memory.as_ref().and_then(|t| t.get()), Some(&256));
    // The function's span starts at its key in `functions:`.
    assert_eq!(l.line(list.span), ("serverless.yml".to_string(), 30));

    // serverless-iam-roles-per-function: a role per function, with the log statements.
    assert_eq!(
        list.role,
        RoleRef::Local("ListOrdersIamRoleLambdaExecution".into())
    );
    let role = l.role("ListOrdersIamRoleLambdaExecution");
    let acts = actions(role);
    assert!(acts.contains(&"logs:PutLogEvents".to_string()));
    assert!(acts.contains(&"dynamodb:Query".to_string()));
    // `${self:custom.tableArn}` is a `!GetAtt` written in `custom`.
    assert!(
        resources_of(role, "dynamodb:Query")
            .iter()
            .any(|r| r == "${OrdersTable.Arn}")
    );

    let rest = &list.triggers[0];
    assert_eq!(rest.kind, TriggerKind::RestApi);
    assert_eq!(rest.path.as_deref(), Some("/orders"));
    assert_eq!(rest.method.as_deref(), Some("GET"));
    assert_eq!(rest.auth, Some(Auth::None));
    assert_eq!(rest.api.as_deref(), Some("ApiGatewayRestApi"));

    let create = l.function("createOrder");
    let delete = create
        .triggers
        .iter()
        .find(|t| t.method.as_deref() == Some("DELETE"))
        .expect("delete route");
    assert!(delete.api_key_required);
    assert_eq!(delete.path.as_deref(), Some("/orders/{id}"));
    let env: Vec<(&str, String)> = create
        .environment
        .iter()
        .map(|e| (e.name.as_str(), e.value.render()))
        .collect();
    assert!(env.contains(&("STAGE", "dev".into())));
    assert!(env.contains(&("DB_PASSWORD", "Sup3rS3cret-prod-2024".into())));
    assert!(env.contains(&("TABLE_NAME", "${OrdersTable}".into())));

    let webhook = l.function("paymentWebhook");
    let url = webhook.url.as_ref().expect("url");
    assert_eq!(url.auth_type.get().map(String::as_str), Some("NONE"));
    assert_eq!(webhook.role, RoleRef::Local("PaymentWebhookRole".into()));

    let thumbs = l.function("thumbnails");
    assert_eq!(thumbs.role, RoleRef::Local("SharedRole".into()));
    let s3 = thumbs
        .triggers
        .iter()
        .find(|t| t.kind == TriggerKind::S3)
        .expect("s3");
    assert_eq!(s3.source.as_deref(), Some("S3BucketOrdersreceipts"));
    // The user's override of the generated bucket is merged into it.
    let bucket = l
        .app
        .resources
        .iter()
        .find(|r| r.id == "S3BucketOrdersreceipts")
        .expect("bucket");
    assert!(
        matches!(&bucket.kind, ResourceKind::Bucket(b) if b.public_access_block.is_some() && b.policy.is_some())
    );

    let worker = l.function("worker");
    assert_eq!(worker.triggers[0].kind, TriggerKind::Sqs);
    assert_eq!(worker.triggers[0].source.as_deref(), Some("JobsQueue"));
    // `!Ref WorkerLambdaFunction` (the Framework's id) names the function `worker`.
    let perm = l
        .app
        .resources
        .iter()
        .find(|r| r.id == "PartnerInvoke")
        .expect("permission");
    assert!(
        matches!(&perm.kind, ResourceKind::Permission(p) if p.function.as_deref() == Some("worker"))
    );

    let nightly = l.function("nightlyReport");
    assert_eq!(nightly.triggers[0].kind, TriggerKind::Schedule);
    assert_eq!(
        nightly.triggers[0].schedule.as_deref(),
        Some("cron(0 2 * * ? *)")
    );
    let log = nightly.log_group.as_deref().expect("log group");
    assert_eq!(log, "NightlyReportLogGroup");
    // `IsProd` is false at stage dev: the WAF association is not created.
    assert!(l.app.resources.iter().all(|r| r.id != "ProdWaf"));
    assert!(l.app.diagnostics.is_empty(), "{:?}", l.app.diagnostics);
}

#[test]
fn shared_role_holds_provider_statements_and_what_events_need() {
    let l = load("features");
    for id in ["getUser", "authorizer", "streams"] {
        assert_eq!(
            l.function(id).role,
            RoleRef::Local("IamRoleLambdaExecution".into()),
            "{id}"
        );
    }
    let role = l.role("IamRoleLambdaExecution");
    let acts = actions(role);
    for a in [
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "dynamodb:GetItem",
        "sqs:ReceiveMessage",
        "dynamodb:GetRecords",
        "kinesis:GetRecords",
        "xray:PutTraceSegments",
        "sns:Publish",
        "sqs:SendMessage",
        "lambda:InvokeFunction",
    ] {
        assert!(acts.iter().any(|x| x == a), "{a} in {acts:?}");
    }
    // Variables inside longer strings, from `${file()}` and `${self:}`.
    assert_eq!(
        resources_of(role, "dynamodb:GetItem"),
        ["arn:aws:dynamodb:eu-west-1:*:table/users-dev"]
    );
    assert_eq!(
        resources_of(role, "s3:GetObject"),
        ["arn:aws:s3:::uploads-dev/*"]
    );
    assert_eq!(
        resources_of(role, "logs:PutLogEvents"),
        [
            "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/lambda/users-dev*:*:*"
        ]
    );
    let managed: Vec<String> = role
        .managed
        .iter()
        .filter_map(|m| m.arn.get().map(|t| t.render()))
        .collect();
    assert!(managed.iter().any(|m| m.ends_with("/ReadOnlyAccess")));
    assert!(
        managed
            .iter()
            .any(|m| m.ends_with("/AWSLambdaVPCAccessExecutionRole"))
    );
    assert_eq!(
        role.permissions_boundary
            .as_ref()
            .and_then(|b| b.get())
            .map(|t| t.render()),
        Some("arn:aws:iam::111122223333:policy/boundary".into())
    );
    // The statements point into serverless.yml.
    let stmt = role
        .policies
        .iter()
        .flat_map(|p| &p.statements)
        .find(|s| {
            s.action.as_ref().is_some_and(|a| {
                a.items
                    .iter()
                    .any(|i| i.text.render() == "dynamodb:GetItem")
            })
        })
        .expect("statement");
    assert_eq!(l.line(stmt.span), ("serverless.yml".to_string(), 52));
}

/// A role reference without its span.
fn role_kind(f: &Function) -> String {
    match &f.role {
        RoleRef::None => "none".into(),
        RoleRef::Local(id) => format!("local {id}"),
        RoleRef::External(p) => format!(
            "external {}",
            p.get().map(|t| t.render()).unwrap_or_default()
        ),
    }
}

#[test]
fn roles_named_by_arn_or_logical_id() {
    let l = load("features");
    assert_eq!(
        role_kind(l.function("urlOpen")),
        "external arn:aws:iam::111122223333:role/external"
    );
    assert_eq!(role_kind(l.function("urlIam")), "local CustomRole");
}

#[test]
fn rest_and_http_routes_carry_the_auth_of_every_authorizer_form() {
    let l = load("features");
    let f = l.function("getUser");
    let auth_of = |method: &str, path: &str| {
        f.triggers
            .iter()
            .find(|t| t.method.as_deref() == Some(method) && t.path.as_deref() == Some(path))
            .unwrap_or_else(|| panic!("no {method} {path}"))
    };
    assert!(matches!(
        auth_of("GET", "/users/{name}").auth,
        Some(Auth::Lambda { .. })
    ));
    assert_eq!(auth_of("POST", "/users").auth, Some(Auth::Iam));
    let admin = auth_of("GET", "/admin");
    assert!(matches!(admin.auth, Some(Auth::Cognito { .. })));
    assert!(admin.api_key_required);
    assert!(matches!(
        auth_of("GET", "/partner").auth,
        Some(Auth::Lambda { .. })
    ));
    assert_eq!(auth_of("GET", "/open").auth, Some(Auth::None));
    assert_eq!(auth_of("ANY", "$default").auth, Some(Auth::None));
    assert_eq!(auth_of("ANY", "$default").kind, TriggerKind::HttpApi);
    assert!(matches!(auth_of("GET", "/me").auth, Some(Auth::Jwt { .. })));
    assert_eq!(auth_of("POST", "/iam").auth, Some(Auth::Iam));
    assert!(matches!(
        auth_of("GET", "/custom").auth,
        Some(Auth::Lambda { .. })
    ));

    let rest = l
        .app
        .apis
        .iter()
        .find(|a| a.id == "ApiGatewayRestApi")
        .expect("rest api");
    assert!(rest.resource_policy.is_some());
    let stage = &rest.stages[0];
    assert!(stage.access_log_destination.is_some());
    assert_eq!(stage.tracing.as_ref().and_then(|t| t.get()), Some(&true));
    let http = l
        .app
        .apis
        .iter()
        .find(|a| a.id == "HttpApi")
        .expect("http api");
    assert!(http.cors.is_some());
    let ws = l
        .app
        .apis
        .iter()
        .find(|a| a.id == "WebsocketsApi")
        .expect("websocket api");
    let connect = ws
        .routes
        .iter()
        .find(|r| r.path == "$connect")
        .expect("$connect");
    assert!(matches!(connect.auth, Auth::Lambda { .. }));
    assert_eq!(connect.function.as_deref(), Some("streams"));
}

#[test]
fn urls_environment_and_function_settings() {
    let l = load("features");
    let open = l.function("urlOpen").url.as_ref().expect("url");
    assert_eq!(open.auth_type.get().map(String::as_str), Some("NONE"));
    let iam = l.function("urlIam").url.as_ref().expect("url");
    assert_eq!(iam.auth_type.get().map(String::as_str), Some("AWS_IAM"));

    let g = l.function("getUser");
    let env = |name: &str| {
        g.environment
            .iter()
            .find(|e| e.name == name)
            .map(|e| e.value.render())
    };
    assert_eq!(env("SHARED").as_deref(), Some("function"));
    assert_eq!(env("TABLE").as_deref(), Some("users-dev"));
    // `${ssm:…}` stays symbolic.
    assert_eq!(env("SECRET_REF").as_deref(), Some("${ssm:/users/api-key}"));
    assert!(matches!(&g.code, Code::Local { path, .. } if path == "handlers"));
    assert_eq!(
        g.handler.as_ref().and_then(|h| h.get()).map(String::as_str),
        Some("users.get")
    );
    assert_eq!(
        g.tracing.as_ref().and_then(|t| t.get()),
        Some(&palisade_model::Tracing::Active)
    );
    assert!(g.vpc.is_some());
    assert!(g.kms_key.is_some());
    let group = l
        .app
        .resources
        .iter()
        .find(|r| Some(r.id.as_str()) == g.log_group.as_deref())
        .expect("log group");
    assert!(
        matches!(&group.kind, ResourceKind::LogGroup(lg) if lg.retention_days.as_ref().and_then(|r| r.get()) == Some(&14))
    );

    let a = l.function("authorizer");
    assert_eq!(
        a.reserved_concurrency.as_ref().and_then(|r| r.get()),
        Some(&5)
    );
    // `!GetAtt AuthorizerLambdaFunction.Arn` in `resources` is the function `authorizer`.
    assert!(
        a.triggers
            .iter()
            .any(|t| t.kind == TriggerKind::Sns && t.source.as_deref() == Some("Notifications"))
    );

    let s = l.function("streams");
    assert_eq!(
        s.dead_letter.as_ref().map(|d| d.kind),
        Some(DestinationKind::Sns)
    );
    assert_eq!(
        s.on_success.as_ref().map(|d| d.kind),
        Some(DestinationKind::Lambda)
    );
    assert_eq!(
        s.on_failure.as_ref().map(|d| d.kind),
        Some(DestinationKind::Sqs)
    );
    let kinds: Vec<&TriggerKind> = s.triggers.iter().map(|t| &t.kind).collect();
    for k in [
        TriggerKind::Sqs,
        TriggerKind::DynamoDbStream,
        TriggerKind::Kinesis,
        TriggerKind::Sns,
        TriggerKind::Schedule,
        TriggerKind::EventBridgeRule,
        TriggerKind::CloudWatchLogs,
        TriggerKind::Iot,
        TriggerKind::Cognito,
        TriggerKind::S3,
        TriggerKind::Alb,
        TriggerKind::WebSocketApi,
    ] {
        assert!(kinds.contains(&&k), "{k:?} in {kinds:?}");
    }
    assert_eq!(
        kinds
            .iter()
            .filter(|k| ***k == TriggerKind::Schedule)
            .count(),
        2
    );
    assert_eq!(kinds.iter().filter(|k| ***k == TriggerKind::S3).count(), 2);
    let dynamo = s
        .triggers
        .iter()
        .find(|t| t.kind == TriggerKind::DynamoDbStream)
        .expect("stream");
    assert_eq!(dynamo.source.as_deref(), Some("UsersTable"));
    let created = s
        .triggers
        .iter()
        .find(|t| t.kind == TriggerKind::S3 && t.source.is_some())
        .expect("s3");
    assert_eq!(created.source.as_deref(), Some("S3BucketUploadsdev"));
}

#[test]
fn suppressions_from_serverless_yml() {
    let l = load("features");
    assert!(
        l.app
            .suppressions
            .iter()
            .any(|s| s.rule == "PAL116" && s.reason.is_some())
    );
    let a = l.function("authorizer");
    assert_eq!(a.suppressions.len(), 1);
    assert_eq!(a.suppressions[0].rule, "PAL113");
    assert_eq!(a.suppressions[0].target.as_deref(), Some("authorizer"));
    assert_eq!(l.line(a.suppressions[0].span).1, 113);
    let topic = l
        .app
        .resources
        .iter()
        .find(|r| r.id == "Notifications")
        .expect("topic");
    assert_eq!(topic.suppressions[0].rule, "PAL125");
}

#[test]
fn unknown_events_are_diagnostics_with_a_position() {
    let l = load("features");
    let d = l
        .app
        .diagnostics
        .iter()
        .find(|d| d.message.contains("unknown event type `magic`"))
        .expect("diagnostic");
    assert_eq!(d.level, DiagnosticLevel::Warning);
    assert_eq!(d.path, "serverless.yml");
    assert_eq!(d.position.map(|p| p.line), Some(158));
}

#[test]
fn env_variables_need_the_flag() {
    let text = "service: s\nprovider:\n  name: aws\n  environment:\n    HOME_DIR: ${env:HOME}\nfunctions:\n  f:\n    handler: h.main\n";
    let (r, _dir) = load_text(text, &LoadSettings::default());
    let l = r.expect("loads");
    let f = l.function("f");
    assert_eq!(f.environment[0].value.render(), "${env:HOME}");
    let note = l
        .app
        .diagnostics
        .iter()
        .find(|d| d.level == DiagnosticLevel::Note)
        .expect("note");
    assert!(note.message.contains("--resolve-env"));
    assert_eq!(note.position.map(|p| p.line), Some(5));

    let settings = LoadSettings {
        resolve_env: true,
        ..LoadSettings::default()
    };
    let (r, _dir) = load_text(text, &settings);
    let l = r.expect("loads");
    assert_eq!(
        l.function("f").environment[0].value.render(),
        std::env::var("HOME").unwrap_or_default()
    );
}

#[test]
fn options_choose_the_stage() {
    let text = "service: s\nprovider:\n  name: aws\n  stage: ${opt:stage, 'dev'}\n  environment:\n    STAGE: ${sls:stage}\nfunctions:\n  f:\n    handler: h.main\n";
    let mut settings = LoadSettings::default();
    settings.options.insert("stage".into(), "prod".into());
    let (r, _dir) = load_text(text, &settings);
    let l = r.expect("loads");
    let f = l.function("f");
    assert_eq!(f.environment[0].value.render(), "prod");
    assert_eq!(
        f.name.as_ref().and_then(|n| n.get()).map(|t| t.render()),
        Some("s-prod-f".into())
    );
}

#[test]
fn files_outside_the_project_are_refused_with_an_error() {
    let outer = tempfile::tempdir().expect("tempdir");
    let project = outer.path().join("project");
    std::fs::create_dir_all(&project).expect("mkdir");
    std::fs::write(outer.path().join("secrets.yml"), "key: hunter2\n").expect("write");
    std::fs::write(
        project.join("serverless.yml"),
        "service: s\nprovider:\n  name: aws\n  environment:\n    KEY: ${file(../secrets.yml):key}\nfunctions:\n  f:\n    handler: h.main\n",
    )
    .expect("write");
    let l = load_dir_with(&project, &LoadSettings::default()).expect("loads");
    assert_ne!(l.function("f").environment[0].value.render(), "hunter2");
    let err = l
        .app
        .diagnostics
        .iter()
        .find(|d| d.level == DiagnosticLevel::Error)
        .expect("error");
    assert!(err.message.contains("outside the project"));
    assert_eq!(err.position.map(|p| p.line), Some(5));
}

#[test]
fn values_from_other_files_keep_their_file_in_spans() {
    let l = load("features");
    // A scalar takes the place where it is used.
    let f = l.function("getUser");
    let table_env = f
        .environment
        .iter()
        .find(|e| e.name == "TABLE")
        .expect("TABLE");
    assert_eq!(
        l.line(table_env.value.span),
        ("serverless.yml".to_string(), 26)
    );
    // A mapping read with `${file()}` keeps its own file and lines.
    let u = l.function("urlIam");
    let alert = u
        .environment
        .iter()
        .find(|e| e.name == "alertEmail")
        .expect("alertEmail");
    assert_eq!(l.line(alert.name_span), ("config/dev.yml".to_string(), 2));
    assert_eq!(alert.value.render(), "ops@example.com");
}

#[test]
fn cycles_warn_instead_of_hanging() {
    let text = "service: s\ncustom:\n  a: ${self:custom.b}\n  b: ${self:custom.a}\nprovider:\n  name: aws\n  environment:\n    A: ${self:custom.a}\nfunctions:\n  f:\n    handler: h.main\n";
    let (r, _dir) = load_text(text, &LoadSettings::default());
    let l = r.expect("loads");
    assert!(
        l.app
            .diagnostics
            .iter()
            .any(|d| d.message.contains("cycle") && d.position.is_some())
    );
}

#[test]
fn not_a_service_for_aws() {
    for text in [
        "service: s\nprovider:\n  name: google\nfunctions: {}\n",
        "provider:\n  name: aws\n",
        "# only a comment\n",
    ] {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("serverless.yml"), text).expect("write");
        let c = Candidate {
            path: dir.path().join("serverless.yml"),
            rel: "serverless.yml".into(),
            kind: CandidateKind::Serverless,
        };
        let set = load_candidate(&c, &SourceMap::new(), &LoadSettings::default());
        assert!(set.apps.is_empty() && set.errors.is_empty(), "{text}");
    }
}

#[test]
fn syntax_errors_have_a_position() {
    let (r, _dir) = load_text("service: s\nprovider: [\n", &LoadSettings::default());
    match r {
        Err(LoadError::Yaml { path, position, .. }) => {
            assert_eq!(path, "serverless.yml");
            assert!(position.is_some());
        }
        other => panic!("expected a YAML error, got {:?}", other.map(|l| l.app.path)),
    }
}

#[test]
fn provider_role_replaces_the_shared_role_and_plugin_keys_need_the_plugin() {
    let text = "service: s\nprovider:\n  name: aws\n  iam:\n    role: arn:aws:iam::1:role/deploy\nfunctions:\n  f:\n    handler: h.main\n    iamRoleStatements:\n      - Effect: Allow\n        Action: s3:*\n        Resource: '*'\n";
    let (r, _dir) = load_text(text, &LoadSettings::default());
    let l = r.expect("loads");
    assert_eq!(
        role_kind(l.function("f")),
        "external arn:aws:iam::1:role/deploy"
    );
    assert!(l.app.roles.iter().all(|r| r.id != "IamRoleLambdaExecution"));
    assert!(
        l.app
            .diagnostics
            .iter()
            .any(|d| d.message.contains("serverless-iam-roles-per-function"))
    );

    let legacy = "service: s\nprovider:\n  name: aws\n  iamRoleStatements:\n    - Effect: Allow\n      Action: sqs:SendMessage\n      Resource: '*'\n  iamManagedPolicies:\n    - arn:aws:iam::aws:policy/ReadOnlyAccess\nfunctions:\n  f:\n    handler: h.main\n";
    let (r, _dir) = load_text(legacy, &LoadSettings::default());
    let l = r.expect("loads");
    let role = l.role("IamRoleLambdaExecution");
    assert!(actions(role).contains(&"sqs:SendMessage".to_string()));
    assert_eq!(role.managed.len(), 1);
}

#[test]
fn odd_shapes_load_without_panicking() {
    let cases = [
        "service: s\nprovider: aws\nfunctions:\n  - f\n",
        "service: {name: s}\nprovider: {name: aws}\nfunctions:\n  f: ~\n  g: 3\n  h:\n    events: {http: x}\n",
        "service: s\nprovider: {name: aws, iam: {role: {statements: 5}}}\nfunctions:\n  f:\n    handler: 7\n    events:\n      - http\n      - http: {}\n      - httpApi: {}\n      - s3: {}\n      - sqs: {}\n      - stream: {}\n      - sns: {}\n      - schedule: {}\n      - websocket: {}\n      - alb: {}\n      - cognitoUserPool: {}\n      - {a: 1, b: 2}\n",
        "service: s\nprovider: {name: aws, environment: [a, b], vpc: x, tracing: 1}\nfunctions:\n  f: {handler: a.b, url: {}, destinations: x, onError: {}, role: {}}\nresources: {Resources: [1, 2], Outputs: 3}\n",
        "service: ${self:service}\nprovider: {name: '${self:provider.name}'}\n",
        "service: s\nprovider: {name: aws}\ncustom: {a: '${self:custom.a.b.c}'}\nfunctions: {f: {handler: '${self:custom.a}'}}\n",
    ];
    for text in cases {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("serverless.yml"), text).expect("write");
        let c = Candidate {
            path: dir.path().join("serverless.yml"),
            rel: "serverless.yml".into(),
            kind: CandidateKind::Serverless,
        };
        let set = load_candidate(&c, &SourceMap::new(), &LoadSettings::default());
        assert!(set.errors.is_empty(), "{text}: {:?}", set.errors);
    }
}

#[test]
fn provider_role_by_logical_id_images_and_modules() {
    let text = "service: s\nprovider:\n  name: aws\n  runtime: python3.12\n  iam:\n    role: AppRole\nfunctions:\n  f:\n    handler: handlers/api.main\n    module: services/users\n  g:\n    image: 111122223333.dkr.ecr.us-east-1.amazonaws.com/app:latest\nresources:\n  Resources:\n    AppRole:\n      Type: AWS::IAM::Role\n      Properties:\n        AssumeRolePolicyDocument:\n          Statement:\n            - Effect: Allow\n              Principal: {Service: lambda.amazonaws.com}\n              Action: sts:AssumeRole\n";
    let (r, _dir) = load_text(text, &LoadSettings::default());
    let l = r.expect("loads");
    assert_eq!(role_kind(l.function("f")), "local AppRole");
    assert_eq!(role_kind(l.function("g")), "local AppRole");
    assert!(
        matches!(&l.function("f").code, Code::Local { path, .. } if path == "services/users/handlers")
    );
    let g = l.function("g");
    assert_eq!(g.package_type, palisade_model::PackageType::Image);
    assert!(matches!(&g.code, Code::Image { uri, .. } if uri.render().ends_with("app:latest")));
    assert!(l.app.roles.iter().all(|r| r.id != "IamRoleLambdaExecution"));
}

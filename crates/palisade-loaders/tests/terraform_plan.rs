//! `terraform show -json` plans and states, end to end: the file is recognised among JSON
//! candidates, read into the same model a CloudFormation template of the app would give.

use std::path::{Path, PathBuf};

use palisade_loaders::{Candidate, CandidateKind, LoadError, LoadSettings, load_candidate};
use palisade_model::{
    App, Auth, Code, PolicySource, ResourceKind, RoleRef, SourceMap, TriggerKind,
};

fn data(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/terraform/plan")
        .join(rel)
}

fn load(path: &Path, rel: &str) -> (Vec<App>, Vec<LoadError>, SourceMap) {
    let sources = SourceMap::new();
    let c = Candidate {
        path: path.to_path_buf(),
        rel: rel.to_string(),
        kind: CandidateKind::Template,
    };
    let out = load_candidate(&c, &sources, &LoadSettings::default());
    (out.apps, out.errors, sources)
}

fn plan_app() -> App {
    let (mut apps, errors, _) = load(&data("orders/plan.json"), "orders/plan.json");
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(apps.len(), 1);
    apps.remove(0)
}

#[test]
fn plan_functions_link_to_roles_through_the_configuration() {
    let app = plan_app();
    assert_eq!(app.format, palisade_model::AppFormat::Terraform);
    assert_eq!(app.functions.len(), 6);
    let f = app
        .function("aws_lambda_function.create_order")
        .unwrap_or_else(|| unreachable!("no function"));
    assert_eq!(f.role, RoleRef::Local("aws_iam_role.orders".into()));
    assert!(
        matches!(&f.code, Code::Local { path, .. } if path == "src/orders"),
        "{:?}",
        f.code
    );
    assert!(
        f.environment
            .iter()
            .any(|e| e.name == "TABLE_NAME" && e.value.render() == "${aws_dynamodb_table.orders}")
    );
    assert!(f.reserved_concurrency.is_none());
    let report = app
        .function("aws_lambda_function.nightly_report")
        .unwrap_or_else(|| unreachable!("no report"));
    assert!(matches!(&report.code, Code::Local { path, .. } if path == "src/reports"));
}

#[test]
fn plan_policies_come_from_data_sources_attachments_and_json_strings() {
    let app = plan_app();
    let orders = app
        .role("aws_iam_role.orders")
        .unwrap_or_else(|| unreachable!("no role"));
    let doc = orders
        .policies
        .iter()
        .find(|p| matches!(&p.source, PolicySource::Inline { name } if name == "orders"))
        .unwrap_or_else(|| unreachable!("no inline policy: {:?}", orders.policies));
    let first = doc
        .statements
        .first()
        .unwrap_or_else(|| unreachable!("no statement"));
    let resource: Vec<String> = first
        .resource
        .iter()
        .flat_map(|p| p.items.iter().map(|i| i.text.render()))
        .collect();
    assert_eq!(resource, vec!["${aws_dynamodb_table.orders.Arn}"]);
    assert_eq!(orders.managed.len(), 1);
    let webhook = app
        .role("aws_iam_role.webhook")
        .unwrap_or_else(|| unreachable!("no role"));
    assert!(webhook.managed.iter().any(|m| {
        m.arn
            .get()
            .is_some_and(|t| t.render().ends_with("AdministratorAccess"))
    }));
    let shared = app
        .role("aws_iam_role.shared")
        .unwrap_or_else(|| unreachable!("no role"));
    assert_eq!(shared.policies.len(), 1);
    assert_eq!(shared.policies[0].statements.len(), 2);
}

#[test]
fn plan_triggers_apis_and_resources() {
    let app = plan_app();
    let kinds = |id: &str| -> Vec<TriggerKind> {
        app.function(id)
            .map(|f| f.triggers.iter().map(|t| t.kind.clone()).collect())
            .unwrap_or_default()
    };
    assert_eq!(
        kinds("aws_lambda_function.thumbnails"),
        vec![TriggerKind::S3]
    );
    assert_eq!(kinds("aws_lambda_function.worker"), vec![TriggerKind::Sqs]);
    assert_eq!(
        kinds("aws_lambda_function.nightly_report"),
        vec![TriggerKind::Schedule]
    );
    assert_eq!(
        kinds("aws_lambda_function.list_orders"),
        vec![TriggerKind::RestApi]
    );
    let webhook = app
        .function("aws_lambda_function.payment_webhook")
        .unwrap_or_else(|| unreachable!("no webhook"));
    let url = webhook
        .url
        .as_ref()
        .unwrap_or_else(|| unreachable!("no url"));
    assert_eq!(url.auth_type.get().map(String::as_str), Some("NONE"));

    let api = app
        .api("aws_api_gateway_rest_api.orders")
        .unwrap_or_else(|| unreachable!("no api"));
    let mut routes: Vec<(String, String, bool)> = api
        .routes
        .iter()
        .map(|r| (r.method.clone(), r.path.clone(), r.auth == Auth::None))
        .collect();
    routes.sort();
    assert_eq!(
        routes,
        vec![
            ("DELETE".into(), "/orders/{id}".into(), true),
            ("GET".into(), "/orders".into(), true),
            ("POST".into(), "/orders".into(), true),
        ]
    );
    assert!(api.routes.iter().any(|r| r.api_key_required));
    assert_eq!(api.stages.len(), 1);

    match app.resource("aws_s3_bucket.receipts").map(|r| &r.kind) {
        Some(ResourceKind::Bucket(b)) => {
            assert!(b.policy.is_some());
            let pab = b
                .public_access_block
                .as_ref()
                .unwrap_or_else(|| unreachable!("no pab"));
            assert_eq!(
                pab.block_public_policy
                    .as_ref()
                    .and_then(|p| p.get())
                    .copied(),
                Some(false)
            );
        }
        other => unreachable!("{other:?}"),
    }
    match app
        .resource("aws_lambda_permission.partner")
        .map(|r| &r.kind)
    {
        Some(ResourceKind::Permission(p)) => {
            assert_eq!(p.function.as_deref(), Some("aws_lambda_function.worker"));
        }
        other => unreachable!("{other:?}"),
    }
}

#[test]
fn plan_spans_point_into_the_plan_file() {
    let (apps, _, sources) = load(&data("orders/plan.json"), "orders/plan.json");
    let app = apps.first().unwrap_or_else(|| unreachable!("no app"));
    let f = app
        .function("aws_lambda_function.nightly_report")
        .unwrap_or_else(|| unreachable!("no function"));
    let t = f
        .timeout
        .as_ref()
        .unwrap_or_else(|| unreachable!("no timeout"));
    let src = sources
        .get(t.span.file)
        .unwrap_or_else(|| unreachable!("no source"));
    let text = src.text.get(t.span.start as usize..t.span.end as usize);
    assert_eq!(text, Some("900"));
}

#[test]
fn state_output_links_by_known_arns() {
    let (apps, errors, _) = load(
        &data("state/terraform.tfstate.json"),
        "state/terraform.tfstate.json",
    );
    assert!(errors.is_empty(), "{errors:?}");
    let app = apps.first().unwrap_or_else(|| unreachable!("no app"));
    let f = app
        .function("module.api.aws_lambda_function.this[0]")
        .unwrap_or_else(|| unreachable!("no function"));
    assert_eq!(
        f.role,
        RoleRef::Local("module.api.aws_iam_role.lambda[0]".into())
    );
    let url = f.url.as_ref().unwrap_or_else(|| unreachable!("no url"));
    assert_eq!(url.auth_type.get().map(String::as_str), Some("NONE"));
    let route = f
        .triggers
        .iter()
        .find(|t| t.kind == TriggerKind::HttpApi)
        .unwrap_or_else(|| unreachable!("no route: {:?}", f.triggers));
    assert_eq!(route.auth, Some(Auth::None));
    let role = app
        .role("module.api.aws_iam_role.lambda[0]")
        .unwrap_or_else(|| unreachable!("no role"));
    assert!(
        role.policies
            .iter()
            .any(|p| matches!(&p.source, PolicySource::CustomerManaged { .. }))
    );
}

#[test]
fn other_json_is_not_an_app_and_malformed_plans_are_errors() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| unreachable!("{e}"));
    let other = dir.path().join("package.json");
    std::fs::write(&other, r#"{"name": "x", "version": "1.0.0"}"#)
        .unwrap_or_else(|e| unreachable!("{e}"));
    let (apps, errors, _) = load(&other, "package.json");
    assert!(apps.is_empty() && errors.is_empty(), "{errors:?}");

    let broken = dir.path().join("plan.json");
    std::fs::write(
        &broken,
        "{\"format_version\": \"1.2\", \"terraform_version\": \"1.9.8\",\n  \"planned_values\": {\"root_module\": [}\n}",
    )
    .unwrap_or_else(|e| unreachable!("{e}"));
    let (apps, errors, _) = load(&broken, "plan.json");
    assert!(apps.is_empty());
    match errors.as_slice() {
        [
            LoadError::Json {
                position: Some(p), ..
            },
        ] => assert_eq!(p.line, 2),
        other => unreachable!("{other:?}"),
    }
}

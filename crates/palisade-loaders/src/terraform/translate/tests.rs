//! Terraform resources through translation and the CloudFormation loader, checked on the
//! model rules see.

use palisade_model::{
    App, Auth, Code, PolicyDocument, PolicySource, ResourceKind, RoleRef, Tracing, TriggerKind,
    Value,
};

use super::test_support::{load, resources};

fn actions(doc: &PolicyDocument) -> Vec<String> {
    doc.statements
        .iter()
        .flat_map(|s| s.action.iter().flat_map(|p| p.items.iter()))
        .map(|i| i.text.render())
        .collect()
}

fn resources_of(doc: &PolicyDocument) -> Vec<String> {
    doc.statements
        .iter()
        .flat_map(|s| s.resource.iter().flat_map(|p| p.items.iter()))
        .map(|i| i.text.render())
        .collect()
}

fn line_of(app: &App, yaml: &str, needle: &str, span_start: usize) -> bool {
    let _ = app;
    yaml.get(span_start..)
        .is_some_and(|rest| rest.starts_with(needle))
}

const FUNCTION: &str = r#"
- address: aws_iam_role.exec
  body:
    name: orders-exec
    assume_role_policy: !TfRef data.aws_iam_policy_document.assume.json
    inline_policy:
      - name: table
        policy: '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"}]}'
- address: data.aws_iam_policy_document.assume
  body:
    statement:
      - actions: ["sts:AssumeRole"]
        principals:
          - type: Service
            identifiers: ["lambda.amazonaws.com"]
- address: data.archive_file.orders
  body:
    type: zip
    source_dir: src/orders
    output_path: build/orders.zip
- address: aws_lambda_function.orders
  ignore: PAL104
  body:
    function_name: orders
    handler: app.handler
    runtime: python3.12
    role: !TfRef aws_iam_role.exec.arn
    filename: !TfRef data.archive_file.orders.output_path
    timeout: 900
    memory_size: 512
    reserved_concurrent_executions: -1
    kms_key_arn: !TfUnknown var.kms_key
    environment:
      - variables:
          TABLE: !TfRef aws_dynamodb_table.orders.name
          API_KEY: sk_live_51HbQ2cLkmn8Yx0aZ9Tq4rVwPe7
    tracing_config:
      - mode: Active
    vpc_config:
      - subnet_ids: ["subnet-1"]
        security_group_ids: ["sg-1"]
    dead_letter_config:
      - target_arn: !TfRef aws_sqs_queue.dlq.arn
    layers: ["arn:aws:lambda:us-east-1:999988887777:layer:tools:3"]
- address: aws_dynamodb_table.orders
  body:
    name: orders
    server_side_encryption:
      - enabled: true
    point_in_time_recovery:
      - enabled: false
    stream_enabled: true
    stream_view_type: NEW_IMAGE
- address: aws_sqs_queue.dlq
  body:
    name: dlq
    sqs_managed_sse_enabled: false
    visibility_timeout_seconds: 30
- address: aws_cloudwatch_log_group.orders
  body:
    name: /aws/lambda/orders
    retention_in_days: 14
"#;

#[test]
fn function_gets_its_role_code_folder_and_settings() {
    let app = load(FUNCTION);
    let f = app
        .function("aws_lambda_function.orders")
        .unwrap_or_else(|| unreachable!("no function"));
    assert_eq!(f.role, RoleRef::Local("aws_iam_role.exec".into()));
    assert_eq!(
        f.handler.as_ref().and_then(|h| h.get()).map(String::as_str),
        Some("app.handler")
    );
    assert_eq!(f.timeout.as_ref().and_then(|t| t.get()).copied(), Some(900));
    assert_eq!(f.memory.as_ref().and_then(|t| t.get()).copied(), Some(512));
    assert!(f.reserved_concurrency.is_none(), "-1 is unreserved");
    assert!(
        matches!(&f.code, Code::Local { path, .. } if path == "src/orders"),
        "{:?}",
        f.code
    );
    assert!(matches!(
        f.tracing.as_ref().and_then(|t| t.get()),
        Some(Tracing::Active)
    ));
    assert!(f.vpc.is_some());
    assert!(f.dead_letter.is_some());
    assert_eq!(f.layers.len(), 1);
    assert_eq!(f.environment.len(), 2);
    let table = f
        .environment
        .iter()
        .find(|e| e.name == "TABLE")
        .map(|e| e.value.render());
    assert_eq!(table.as_deref(), Some("${aws_dynamodb_table.orders}"));
    assert_eq!(
        f.kms_key
            .as_ref()
            .and_then(|k| k.get())
            .map(|t| t.render())
            .as_deref(),
        Some("${var.kms_key}")
    );
    assert_eq!(
        f.log_group.as_deref(),
        Some("aws_cloudwatch_log_group.orders")
    );
    assert_eq!(f.suppressions.len(), 1);
    // The span of the function is its block; the timeout's is its attribute.
    let timeout = f
        .timeout
        .as_ref()
        .map(|t| t.span.start as usize)
        .unwrap_or_default();
    assert!(
        line_of(&app, FUNCTION, "900", timeout),
        "timeout span at {timeout}"
    );

    let role = app
        .role("aws_iam_role.exec")
        .unwrap_or_else(|| unreachable!("no role"));
    let trust = role
        .trust
        .as_ref()
        .unwrap_or_else(|| unreachable!("no trust"));
    assert_eq!(actions(trust), vec!["sts:AssumeRole"]);
    assert!(trust.statements.iter().all(|s| s.principal.is_some()));
    assert_eq!(role.policies.len(), 1);
    assert_eq!(actions(&role.policies[0]), vec!["dynamodb:*"]);
}

#[test]
fn tables_queues_and_log_groups_keep_their_settings() {
    let app = load(FUNCTION);
    let table = app.resource("aws_dynamodb_table.orders").map(|r| &r.kind);
    assert!(
        matches!(table, Some(ResourceKind::Table { sse_enabled: Some(p), stream: true }) if p.get() == Some(&true)),
        "{table:?}"
    );
    match app.resource("aws_sqs_queue.dlq").map(|r| &r.kind) {
        Some(ResourceKind::Queue(q)) => {
            assert_eq!(
                q.sqs_managed_sse.as_ref().and_then(|p| p.get()).copied(),
                Some(false)
            );
            assert_eq!(
                q.visibility_timeout.as_ref().and_then(|p| p.get()).copied(),
                Some(30)
            );
        }
        other => unreachable!("{other:?}"),
    }
    match app
        .resource("aws_cloudwatch_log_group.orders")
        .map(|r| &r.kind)
    {
        Some(ResourceKind::LogGroup(g)) => {
            assert_eq!(
                g.retention_days.as_ref().and_then(|p| p.get()).copied(),
                Some(14)
            );
        }
        other => unreachable!("{other:?}"),
    }
}

#[test]
fn policy_documents_merge_sources_and_overrides_by_sid() {
    let app = load(
        r#"
- address: data.aws_iam_policy_document.base
  body:
    statement:
      - sid: Read
        actions: ["s3:GetObject"]
        resources: ["*"]
      - sid: Logs
        actions: ["logs:PutLogEvents"]
        resources: ["*"]
- address: data.aws_iam_policy_document.over
  body:
    statement:
      - sid: Logs
        actions: ["logs:CreateLogStream"]
        resources: ["*"]
- address: data.aws_iam_policy_document.main
  body:
    source_policy_documents: [!TfRef data.aws_iam_policy_document.base.json]
    override_policy_documents: [!TfRef data.aws_iam_policy_document.over.json]
    statement:
      - sid: Read
        actions: ["s3:GetObject", "s3:ListBucket"]
        resources: [!TfJoin [!TfRef aws_s3_bucket.data.arn, "/*"]]
        condition:
          - test: StringEquals
            variable: aws:SourceAccount
            values: ["111122223333"]
      - effect: Deny
        not_actions: ["s3:*"]
        not_resources: ["*"]
- address: aws_s3_bucket.data
  body: {bucket: data}
- address: aws_iam_role.r
  body:
    assume_role_policy: '{"Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}'
- address: aws_iam_role_policy.p
  body:
    name: main
    role: !TfRef aws_iam_role.r.id
    policy: !TfRef data.aws_iam_policy_document.main.json
"#,
    );
    let role = app
        .role("aws_iam_role.r")
        .unwrap_or_else(|| unreachable!("no role"));
    assert_eq!(role.policies.len(), 1);
    let doc = &role.policies[0];
    assert_eq!(
        actions(doc),
        vec!["s3:GetObject", "s3:ListBucket", "logs:CreateLogStream"]
    );
    assert_eq!(doc.statements.len(), 3);
    assert!(doc.statements[0].has_condition());
    assert_eq!(resources_of(doc)[0], "${aws_s3_bucket.data.Arn}/*");
    assert!(doc.statements[2].not_action.is_some() && !doc.statements[2].is_allow());
    assert!(matches!(&doc.source, PolicySource::Inline { name } if name == "main"));
}

#[test]
fn managed_policies_attach_to_roles_by_reference_and_by_name() {
    let app = load(
        r#"
- address: aws_iam_role.r
  body:
    name: worker
    assume_role_policy: '{"Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}'
    managed_policy_arns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
    permissions_boundary: !TfRef aws_iam_policy.boundary.arn
- address: aws_iam_policy.custom
  body:
    name: custom
    policy: !TfJson
      Version: "2012-10-17"
      Statement:
        - Effect: Allow
          Action: "sqs:*"
          Resource: "*"
- address: aws_iam_policy.boundary
  body:
    policy: '{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}'
- address: aws_iam_role_policy_attachment.basic
  body:
    role: !TfRef aws_iam_role.r.name
    policy_arn: arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole
- address: aws_iam_role_policy_attachment.custom
  body:
    role: worker
    policy_arn: !TfRef aws_iam_policy.custom.arn
- address: aws_iam_policy_attachment.many
  body:
    roles: [!TfRef aws_iam_role.r.name]
    policy_arn: arn:aws:iam::aws:policy/AmazonS3FullAccess
"#,
    );
    let role = app
        .role("aws_iam_role.r")
        .unwrap_or_else(|| unreachable!("no role"));
    let managed: Vec<String> = role
        .managed
        .iter()
        .filter_map(|m| m.arn.get().map(|t| t.render()))
        .collect();
    assert!(
        managed.contains(&"arn:aws:iam::aws:policy/ReadOnlyAccess".to_string()),
        "{managed:?}"
    );
    assert!(
        managed
            .iter()
            .any(|m| m.ends_with("AWSLambdaBasicExecutionRole")),
        "{managed:?}"
    );
    assert!(
        managed.iter().any(|m| m.ends_with("AmazonS3FullAccess")),
        "{managed:?}"
    );
    // The customer managed policy of the app is read as its document.
    assert!(role
        .policies
        .iter()
        .any(|p| matches!(&p.source, PolicySource::CustomerManaged { id } if id == "aws_iam_policy.custom")));
    assert!(role.boundary_document.is_some());
}

const TRIGGERS: &str = r#"
- address: aws_lambda_function.worker
  body:
    function_name: worker
    handler: index.handler
    runtime: nodejs20.x
    role: arn:aws:iam::111122223333:role/worker
    filename: dist/worker.zip
- address: aws_lambda_alias.live
  body:
    name: live
    function_name: !TfRef aws_lambda_function.worker.function_name
- address: aws_sqs_queue.jobs
  body: {name: jobs}
- address: aws_lambda_event_source_mapping.jobs
  body:
    event_source_arn: !TfRef aws_sqs_queue.jobs.arn
    function_name: !TfRef aws_lambda_function.worker.arn
- address: aws_s3_bucket.uploads
  body:
    bucket: uploads
- address: aws_s3_bucket_notification.uploads
  body:
    bucket: !TfRef aws_s3_bucket.uploads.id
    lambda_function:
      - lambda_function_arn: !TfRef aws_lambda_function.worker.arn
        events: ["s3:ObjectCreated:*"]
- address: aws_sns_topic.events
  body: {name: events}
- address: aws_sns_topic_subscription.worker
  body:
    topic_arn: !TfRef aws_sns_topic.events.arn
    protocol: lambda
    endpoint: !TfRef aws_lambda_alias.live.arn
- address: aws_cloudwatch_event_rule.nightly
  body:
    schedule_expression: cron(0 2 * * ? *)
- address: aws_cloudwatch_event_target.nightly
  body:
    rule: !TfRef aws_cloudwatch_event_rule.nightly.name
    arn: !TfRef aws_lambda_function.worker.arn
- address: aws_lambda_permission.partner
  body:
    function_name: !TfRef aws_lambda_function.worker.function_name
    action: lambda:InvokeFunction
    principal: "*"
- address: aws_lambda_function_url.worker
  body:
    function_name: !TfRef aws_lambda_function.worker.function_name
    authorization_type: NONE
    cors:
      - allow_origins: ["*"]
        allow_credentials: true
- address: aws_lambda_function_event_invoke_config.worker
  body:
    function_name: !TfRef aws_lambda_function.worker.function_name
    maximum_retry_attempts: 0
    destination_config:
      - on_failure:
          - destination: !TfRef aws_sqs_queue.jobs.arn
"#;

#[test]
fn triggers_url_permission_and_destinations_reach_the_function() {
    let app = load(TRIGGERS);
    let f = app
        .function("aws_lambda_function.worker")
        .unwrap_or_else(|| unreachable!("no function"));
    let kinds: Vec<&TriggerKind> = f.triggers.iter().map(|t| &t.kind).collect();
    for k in [
        TriggerKind::Sqs,
        TriggerKind::S3,
        TriggerKind::Sns,
        TriggerKind::Schedule,
    ] {
        assert!(kinds.contains(&&k), "{k:?} missing from {kinds:?}");
    }
    let s3 = f.triggers.iter().find(|t| t.kind == TriggerKind::S3);
    assert_eq!(
        s3.and_then(|t| t.source.clone()).as_deref(),
        Some("aws_s3_bucket.uploads")
    );
    assert!(matches!(&f.role, RoleRef::External(_)));
    assert!(matches!(&f.code, Code::Local { path, .. } if path == "dist/worker.zip"));
    let url = f.url.as_ref().unwrap_or_else(|| unreachable!("no url"));
    assert_eq!(url.auth_type.get().map(String::as_str), Some("NONE"));
    assert!(url.cors.is_some());
    assert!(f.on_failure.is_some());
    assert_eq!(
        f.max_retry_attempts.as_ref().and_then(|p| p.get()).copied(),
        Some(0)
    );
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
fn rest_api_methods_get_their_path_auth_and_function() {
    let app = load(
        r#"
- address: aws_lambda_function.api
  body: {function_name: api, handler: app.handler, runtime: python3.12, role: arn:aws:iam::1:role/r}
- address: aws_api_gateway_rest_api.api
  body:
    name: orders
    endpoint_configuration:
      - types: [REGIONAL]
- address: aws_api_gateway_resource.orders
  body:
    rest_api_id: !TfRef aws_api_gateway_rest_api.api.id
    parent_id: !TfRef aws_api_gateway_rest_api.api.root_resource_id
    path_part: orders
- address: aws_api_gateway_resource.order
  body:
    rest_api_id: !TfRef aws_api_gateway_rest_api.api.id
    parent_id: !TfRef aws_api_gateway_resource.orders.id
    path_part: "{id}"
- address: aws_api_gateway_method.list
  body:
    rest_api_id: !TfRef aws_api_gateway_rest_api.api.id
    resource_id: !TfRef aws_api_gateway_resource.orders.id
    http_method: GET
    authorization: NONE
- address: aws_api_gateway_integration.list
  body:
    rest_api_id: !TfRef aws_api_gateway_rest_api.api.id
    resource_id: !TfRef aws_api_gateway_resource.orders.id
    http_method: !TfRef aws_api_gateway_method.list.http_method
    type: AWS_PROXY
    integration_http_method: POST
    uri: !TfRef aws_lambda_function.api.invoke_arn
- address: aws_api_gateway_method.delete
  body:
    rest_api_id: !TfRef aws_api_gateway_rest_api.api.id
    resource_id: !TfRef aws_api_gateway_resource.order.id
    http_method: DELETE
    authorization: CUSTOM
    authorizer_id: !TfRef aws_api_gateway_authorizer.token.id
    api_key_required: true
- address: aws_api_gateway_integration.delete
  body:
    rest_api_id: !TfRef aws_api_gateway_rest_api.api.id
    resource_id: !TfRef aws_api_gateway_resource.order.id
    http_method: DELETE
    type: AWS_PROXY
    uri: !TfRef aws_lambda_function.api.invoke_arn
- address: aws_api_gateway_authorizer.token
  body:
    name: token
    rest_api_id: !TfRef aws_api_gateway_rest_api.api.id
    authorizer_uri: !TfRef aws_lambda_function.api.invoke_arn
- address: aws_api_gateway_deployment.d
  body:
    rest_api_id: !TfRef aws_api_gateway_rest_api.api.id
- address: aws_api_gateway_stage.prod
  body:
    stage_name: prod
    rest_api_id: !TfRef aws_api_gateway_rest_api.api.id
    deployment_id: !TfRef aws_api_gateway_deployment.d.id
    xray_tracing_enabled: true
    access_log_settings:
      - destination_arn: arn:aws:logs:us-east-1:1:log-group:api
        format: "$context.requestId"
- address: aws_api_gateway_method_settings.all
  body:
    rest_api_id: !TfRef aws_api_gateway_rest_api.api.id
    stage_name: !TfRef aws_api_gateway_stage.prod.stage_name
    method_path: "*/*"
    settings:
      - logging_level: INFO
        throttling_burst_limit: 100
        throttling_rate_limit: -1
- address: aws_api_gateway_rest_api_policy.p
  body:
    rest_api_id: !TfRef aws_api_gateway_rest_api.api.id
    policy: '{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "*"}]}'
- address: aws_wafv2_web_acl_association.waf
  body:
    resource_arn: !TfRef aws_api_gateway_stage.prod.arn
    web_acl_arn: arn:aws:wafv2:us-east-1:1:regional/webacl/x/y
"#,
    );
    let api = app
        .api("aws_api_gateway_rest_api.api")
        .unwrap_or_else(|| unreachable!("no api"));
    let list = api.routes.iter().find(|r| r.method == "GET");
    let list = list.unwrap_or_else(|| unreachable!("no GET: {:?}", api.routes));
    assert_eq!(list.path, "/orders");
    assert_eq!(list.auth, Auth::None);
    assert_eq!(list.function.as_deref(), Some("aws_lambda_function.api"));
    let del = api.routes.iter().find(|r| r.method == "DELETE");
    let del = del.unwrap_or_else(|| unreachable!("no DELETE"));
    assert_eq!(del.path, "/orders/{id}");
    assert!(
        matches!(&del.auth, Auth::Lambda { authorizer } if authorizer == "aws_api_gateway_authorizer.token")
    );
    assert!(del.api_key_required);
    assert!(api.resource_policy.is_some());
    let stage = api
        .stages
        .iter()
        .find(|s| s.resource.as_deref() == Some("aws_api_gateway_stage.prod"));
    let stage = stage.unwrap_or_else(|| unreachable!("no stage: {:?}", api.stages));
    assert!(stage.access_log_destination.is_some());
    assert_eq!(
        stage.tracing.as_ref().and_then(|t| t.get()).copied(),
        Some(true)
    );
    assert!(stage.throttling.is_some());
    assert!(stage.execution_logging.is_some());
    assert_eq!(
        stage.waf.as_deref(),
        Some("aws_wafv2_web_acl_association.waf")
    );
    let f = app
        .function("aws_lambda_function.api")
        .unwrap_or_else(|| unreachable!("no fn"));
    assert_eq!(
        f.triggers
            .iter()
            .filter(|t| t.kind == TriggerKind::RestApi)
            .count(),
        2
    );
}

#[test]
fn http_api_routes_follow_their_integration_to_the_function() {
    let yaml = r#"
- address: aws_lambda_function.h
  body: {function_name: h, handler: app.handler, runtime: python3.12, role: arn:aws:iam::1:role/r}
- address: aws_apigatewayv2_api.http
  body:
    name: http
    protocol_type: HTTP
    cors_configuration:
      - allow_origins: ["*"]
        allow_credentials: true
- address: aws_apigatewayv2_integration.h
  body:
    api_id: !TfRef aws_apigatewayv2_api.http.id
    integration_type: AWS_PROXY
    integration_uri: !TfRef aws_lambda_function.h.invoke_arn
    timeout_milliseconds: 29000
- address: aws_apigatewayv2_authorizer.jwt
  body:
    api_id: !TfRef aws_apigatewayv2_api.http.id
    authorizer_type: JWT
    name: jwt
    jwt_configuration:
      - audience: ["x"]
        issuer: https://issuer
- address: aws_apigatewayv2_route.open
  body:
    api_id: !TfRef aws_apigatewayv2_api.http.id
    route_key: "GET /items"
    target: !TfJoin ["integrations/", !TfRef aws_apigatewayv2_integration.h.id]
- address: aws_apigatewayv2_route.secure
  body:
    api_id: !TfRef aws_apigatewayv2_api.http.id
    route_key: "POST /items"
    authorization_type: JWT
    authorizer_id: !TfRef aws_apigatewayv2_authorizer.jwt.id
    target: !TfJoin ["integrations/", !TfRef aws_apigatewayv2_integration.h.id]
- address: aws_apigatewayv2_stage.default
  body:
    api_id: !TfRef aws_apigatewayv2_api.http.id
    name: $default
    auto_deploy: true
"#;
    let app = load(yaml);
    let api = app
        .api("aws_apigatewayv2_api.http")
        .unwrap_or_else(|| unreachable!("no api"));
    assert!(api.cors.is_some());
    let open = api
        .routes
        .iter()
        .find(|r| r.method == "GET")
        .unwrap_or_else(|| unreachable!("no GET"));
    assert_eq!(open.auth, Auth::None);
    assert_eq!(open.path, "/items");
    assert_eq!(open.function.as_deref(), Some("aws_lambda_function.h"));
    let secure = api
        .routes
        .iter()
        .find(|r| r.method == "POST")
        .unwrap_or_else(|| unreachable!("no POST"));
    assert!(matches!(secure.auth, Auth::Jwt { .. }));
    assert_eq!(api.stages.len(), 1);
    let f = app
        .function("aws_lambda_function.h")
        .unwrap_or_else(|| unreachable!("no fn"));
    assert_eq!(
        f.triggers
            .iter()
            .filter(|t| t.kind == TriggerKind::HttpApi)
            .count(),
        2
    );
}

#[test]
fn buckets_fold_their_configuration_resources() {
    let app = load(
        r#"
- address: aws_s3_bucket.b
  body: {bucket: receipts}
- address: aws_s3_bucket_acl.b
  body: {bucket: !TfRef aws_s3_bucket.b.id, acl: public-read}
- address: aws_s3_bucket_public_access_block.b
  body:
    bucket: !TfRef aws_s3_bucket.b.id
    block_public_acls: true
    ignore_public_acls: true
    block_public_policy: false
    restrict_public_buckets: false
- address: aws_s3_bucket_server_side_encryption_configuration.b
  body:
    bucket: !TfRef aws_s3_bucket.b.id
    rule:
      - apply_server_side_encryption_by_default:
          - sse_algorithm: aws:kms
- address: aws_s3_bucket_versioning.b
  body:
    bucket: !TfRef aws_s3_bucket.b.bucket
    versioning_configuration:
      - status: Enabled
- address: aws_s3_bucket_policy.b
  body:
    bucket: !TfRef aws_s3_bucket.b.id
    policy: !TfJson
      Statement:
        - Effect: Allow
          Principal: "*"
          Action: s3:GetObject
          Resource: !TfJoin [!TfRef aws_s3_bucket.b.arn, "/*"]
- address: aws_s3_bucket.legacy
  body:
    bucket: legacy
    acl: public-read-write
    policy: '{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"}]}'
- address: aws_sns_topic.t
  body: {name: t, kms_master_key_id: alias/aws/sns}
- address: aws_sns_topic_policy.t
  body:
    arn: !TfRef aws_sns_topic.t.arn
    policy: '{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sns:Publish", "Resource": "*"}]}'
- address: aws_sqs_queue.q
  body: {name: q, kms_master_key_id: alias/aws/sqs}
- address: aws_sqs_queue_policy.q
  body:
    queue_url: !TfRef aws_sqs_queue.q.id
    policy: '{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage", "Resource": "*"}]}'
- address: aws_kms_key.k
  body:
    enable_key_rotation: false
    policy: '{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:*", "Resource": "*"}]}'
- address: aws_secretsmanager_secret.s
  body: {name: s}
- address: aws_some_future_thing.x
  body: {name: x, target: !TfRef aws_sqs_queue.q.arn}
"#,
    );
    match app.resource("aws_s3_bucket.b").map(|r| &r.kind) {
        Some(ResourceKind::Bucket(b)) => {
            assert_eq!(
                b.acl.as_ref().and_then(|a| a.get()).map(String::as_str),
                Some("PublicRead")
            );
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
            assert!(b.encryption.is_some());
            assert!(b.policy.is_some());
        }
        other => unreachable!("{other:?}"),
    }
    match app.resource("aws_s3_bucket.legacy").map(|r| &r.kind) {
        Some(ResourceKind::Bucket(b)) => {
            assert_eq!(
                b.acl.as_ref().and_then(|a| a.get()).map(String::as_str),
                Some("PublicReadWrite")
            );
            assert!(b.policy.is_some());
        }
        other => unreachable!("{other:?}"),
    }
    assert!(
        matches!(app.resource("aws_sns_topic.t").map(|r| &r.kind), Some(ResourceKind::Topic(t)) if t.policy.is_some() && t.kms_key.is_some())
    );
    assert!(
        matches!(app.resource("aws_sqs_queue.q").map(|r| &r.kind), Some(ResourceKind::Queue(q)) if q.policy.is_some())
    );
    assert!(matches!(
        app.resource("aws_kms_key.k").map(|r| &r.kind),
        Some(ResourceKind::Key { rotation: Some(r), policy: Some(_) }) if r.get() == Some(&false)
    ));
    assert!(matches!(
        app.resource("aws_secretsmanager_secret.s").map(|r| &r.kind),
        Some(ResourceKind::Secret)
    ));
    assert!(app.resource("aws_some_future_thing.x").is_some());
}

#[test]
fn unknowns_become_parameters_and_conditionals_choices() {
    let app = load(
        r#"
- address: aws_lambda_function_url.u
  body:
    function_name: !TfRef aws_lambda_function.f.function_name
    authorization_type: !TfChoice [var.public, NONE, AWS_IAM]
- address: aws_lambda_function.f
  body:
    function_name: !TfJoin ["orders-", !TfUnknown var.stage]
    handler: app.handler
    runtime: python3.12
    role: !TfRef aws_iam_role.missing.arn
    timeout: !TfUnknown var.timeout
"#,
    );
    let f = app
        .function("aws_lambda_function.f")
        .unwrap_or_else(|| unreachable!("no fn"));
    let url = f.url.as_ref().unwrap_or_else(|| unreachable!("no url"));
    let mut auths: Vec<&String> = url.auth_type.possible();
    auths.sort();
    assert_eq!(auths, vec!["AWS_IAM", "NONE"]);
    assert_eq!(
        f.name
            .as_ref()
            .and_then(|n| n.get())
            .map(|t| t.render())
            .as_deref(),
        Some("orders-${var.stage}")
    );
    assert!(matches!(&f.role, RoleRef::External(_)));
    assert!(f.timeout.as_ref().is_some_and(|t| t.get().is_none()));
    let names: Vec<&str> = app.parameters.iter().map(|p| p.name.as_str()).collect();
    assert!(
        names.contains(&"var.stage") && names.contains(&"var.public"),
        "{names:?}"
    );
    assert!(
        app.parameters
            .iter()
            .all(|p| p.default.is_none() && p.no_echo)
    );
}

#[test]
fn the_registry_lambda_module_becomes_function_role_url_and_permissions() {
    let app = load(
        r#"
- address: module.api
  source: "terraform-aws-modules/lambda/aws?version=7.2.0"
  dir: services
  body:
    function_name: api
    handler: index.handler
    runtime: nodejs20.x
    source_path: ./src/api
    timeout: 30
    environment_variables: {STAGE: dev}
    tracing_mode: Active
    attach_policy_statements: true
    policy_statements: !TfJson
      dynamodb:
        effect: Allow
        actions: ["dynamodb:*"]
        resources: ["*"]
    attach_policies: true
    policies: ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"]
    create_lambda_function_url: true
    cors: {allow_origins: ["*"]}
    allowed_triggers:
      APIGateway:
        service: apigateway
        source_arn: arn:aws:execute-api:us-east-1:1:abc/*/*
- address: module.vpc
  source: terraform-aws-modules/vpc/aws
  body: {name: x}
- address: aws_lambda_permission.extra
  body:
    function_name: !TfUnknown module.api.lambda_function_name
    action: lambda:InvokeFunction
    principal: events.amazonaws.com
"#,
    );
    let id = "module.api.aws_lambda_function.this[0]";
    let f = app.function(id).unwrap_or_else(|| {
        unreachable!(
            "no fn: {:?}",
            app.functions.iter().map(|f| &f.id).collect::<Vec<_>>()
        )
    });
    assert_eq!(
        f.role,
        RoleRef::Local("module.api.aws_iam_role.lambda[0]".into())
    );
    assert!(
        matches!(&f.code, Code::Local { path, .. } if path == "services/src/api"),
        "{:?}",
        f.code
    );
    let url = f.url.as_ref().unwrap_or_else(|| unreachable!("no url"));
    assert_eq!(url.auth_type.get().map(String::as_str), Some("NONE"));
    assert_eq!(
        f.log_group.as_deref(),
        Some("module.api.aws_cloudwatch_log_group.lambda[0]")
    );
    let role = app
        .role("module.api.aws_iam_role.lambda[0]")
        .unwrap_or_else(|| unreachable!("no role"));
    let all: Vec<String> = role.policies.iter().flat_map(actions).collect();
    assert!(all.contains(&"dynamodb:*".to_string()), "{all:?}");
    assert!(all.contains(&"logs:PutLogEvents".to_string()), "{all:?}");
    assert_eq!(role.managed.len(), 1);
    let perms: Vec<Option<&str>> = app
        .resources
        .iter()
        .filter_map(|r| match &r.kind {
            ResourceKind::Permission(p) => Some(p.function.as_deref()),
            _ => None,
        })
        .collect();
    assert_eq!(perms, vec![Some(id), Some(id)]);
    assert!(app.diagnostics.iter().any(|d| {
        d.message
            .contains("module vpc from terraform-aws-modules/vpc/aws not read")
    }));
}

#[test]
fn module_sources_are_recognised_with_subpaths_and_versions() {
    use super::module::is_lambda_module;
    assert!(is_lambda_module("terraform-aws-modules/lambda/aws"));
    assert!(is_lambda_module(
        "registry.terraform.io/terraform-aws-modules/lambda/aws"
    ));
    assert!(is_lambda_module(
        "git::https://github.com/terraform-aws-modules/terraform-aws-lambda.git?ref=v7.2.0"
    ));
    assert!(is_lambda_module("terraform-aws-modules/lambda/aws//?ref=x"));
    assert!(!is_lambda_module(
        "terraform-aws-modules/lambda/aws//modules/alias"
    ));
    assert!(!is_lambda_module("terraform-aws-modules/vpc/aws"));
}

#[test]
fn json_strings_keep_offsets_when_verbatim() {
    let yaml = "- address: aws_iam_policy.p\n  body:\n    policy: '{\"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:*\", \"Resource\": \"*\"}]}'\n";
    let res = resources(yaml);
    let mut diags = Vec::new();
    let t = super::to_template(&res, &mut diags).unwrap_or_else(|| unreachable!("none"));
    let doc = t
        .get("Resources")
        .and_then(|r| r.get("aws_iam_policy.p"))
        .and_then(|r| r.get("Properties"))
        .and_then(|p| p.get("PolicyDocument"))
        .unwrap_or_else(|| unreachable!("no doc"));
    let action = doc
        .get("Statement")
        .and_then(|s| s.as_seq())
        .and_then(|s| s.first())
        .and_then(|s| s.get("Action"))
        .unwrap_or_else(|| unreachable!("no action"));
    assert_eq!(yaml.get(action.start..action.end), Some("\"s3:*\""));
    let _: Option<Value> = None;
}

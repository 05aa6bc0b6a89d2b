//! The second pass: resources that wire other resources together (policies to roles, event
//! sources to functions, stages and methods to APIs, WAF to stages, log groups to functions).

use std::collections::BTreeMap;

use palisade_model::{
    ApiKind, Auth, Function, FunctionUrl, ManagedPolicyRef, PolicyDocument, PolicySource, Prop,
    ResourceKind, Route, Span, Stage, Symbol, Text, Trigger, TriggerKind, Value, ValueKind,
};

use super::api::{function_in, method_settings, route_settings, split_route_key};
use super::function::{event_invoke_config, function_url};
use super::{Builder, Res};
use crate::sam_data;
use crate::yaml::Node;
use palisade_model::policy::{from_json, policy_document};

pub(crate) fn link(b: &mut Builder<'_>, resources: &[Res<'_>]) {
    // Every element exists now; linking only adds to them.
    b.app.index();
    for res in resources {
        match res.type_name {
            "AWS::IAM::Policy" | "AWS::IAM::ManagedPolicy" | "AWS::IAM::RolePolicy" => {
                attach_policy(b, res);
            }
            "AWS::S3::BucketPolicy" => resource_policy(b, res, "Bucket"),
            "AWS::SQS::QueuePolicy" => resource_policy(b, res, "Queues"),
            "AWS::SNS::TopicPolicy" => resource_policy(b, res, "Topics"),
            "AWS::Lambda::Url" => url(b, res),
            "AWS::Lambda::EventSourceMapping" => event_source_mapping(b, res),
            "AWS::Lambda::EventInvokeConfig" => invoke_config(b, res),
            "AWS::Lambda::Alias" => alias(b, res),
            "AWS::Lambda::LayerVersionPermission" => layer_permission(b, res),
            "AWS::S3::Bucket" => bucket_notifications(b, res),
            "AWS::SNS::Topic" => topic_subscriptions(b, res),
            "AWS::SNS::Subscription" => subscription(b, res),
            "AWS::Events::Rule" => events_rule(b, res),
            "AWS::Logs::SubscriptionFilter" => {
                let target = b.value(res.props, "DestinationArn");
                let source = b.value(res.props, "LogGroupName");
                add_trigger(b, res, target, TriggerKind::CloudWatchLogs, source);
            }
            "AWS::Cognito::UserPool" => user_pool(b, res),
            "AWS::IoT::TopicRule" => iot_rule(b, res),
            "AWS::SES::ReceiptRule" => ses_rule(b, res),
            "AWS::ElasticLoadBalancingV2::TargetGroup" => target_group(b, res),
            "AWS::ApiGateway::Stage" => rest_stage(b, res),
            "AWS::ApiGateway::Deployment" => rest_deployment(b, res),
            "AWS::ApiGatewayV2::Stage" => v2_stage(b, res),
            "AWS::Serverless::Connector" => connector_resource(b, res),
            _ => {}
        }
        if let Some(connectors) = res
            .props
            .and_then(|p| p.get("Connectors"))
            .and_then(Node::as_map)
        {
            for (key, body) in connectors {
                let Some(name) = key.as_str() else { continue };
                let source = Endpoint::Id(res.id.to_string());
                connector(
                    b,
                    &format!("{}{name}", res.id),
                    source,
                    body.get("Properties"),
                    b.span(body),
                );
            }
        }
    }
    let by_id: ById<'_, '_> = resources.iter().map(|r| (r.id, r)).collect();
    for res in resources {
        match res.type_name {
            "AWS::ApiGateway::Method" => rest_method(b, res, &by_id),
            "AWS::ApiGatewayV2::Route" => v2_route(b, res, &by_id),
            _ => {}
        }
    }
    sam_routes(b);
    log_groups(b);
    waf_associations(b);
    managed_policy_resources(b);
    permissions(b);
}

/// The template's resources by logical id.
type ById<'r, 'a> = std::collections::HashMap<&'a str, &'r Res<'a>>;

/// The items of the list at a path of keys under `props` (empty when absent or not a list).
fn seq_at<'n>(props: Option<&'n Node>, keys: &[&str]) -> &'n [Node] {
    keys.iter()
        .try_fold(props, |node, k| Some(node?.get(k)))
        .flatten()
        .and_then(Node::as_seq)
        .unwrap_or(&[])
}

/// A reference to `res` itself, as the source of the events it sends, located at `at`.
fn source_ref(b: &Builder<'_>, res: &Res<'_>, at: &Node) -> Value {
    Value::new(
        ValueKind::Text(Text::sym(Symbol::Ref(res.id.to_string()))),
        b.span(at),
    )
}

/// The function a value (ARN, name, `Ref`, `GetAtt`) designates, when it is in the app.
fn function_id(b: &Builder<'_>, v: &Value) -> Option<String> {
    function_in(b, v).map(|id| {
        // An alias designates its function.
        if b.type_of(&id) == Some("AWS::Lambda::Alias") {
            b.app
                .resources
                .iter()
                .find(|r| r.id == id)
                .and_then(|r| r.properties.as_ref())
                .and_then(|p| p.get("FunctionName"))
                .and_then(|f| function_in(b, f))
                .unwrap_or(id)
        } else {
            id
        }
    })
}

fn function_mut<'m>(b: &'m mut Builder<'_>, id: &str) -> Option<&'m mut Function> {
    b.app.function_mut(id)
}

/// Add a trigger of `kind` to the function `target` designates.
fn add_trigger(
    b: &mut Builder<'_>,
    res: &Res<'_>,
    target: Option<Value>,
    kind: TriggerKind,
    source: Option<Value>,
) -> Option<usize> {
    let fid = target.as_ref().and_then(|t| function_id(b, t))?;
    let mut t = Trigger::new(res.id, kind, b.res_span(res));
    if let Some(s) = source {
        t.source = b.referenced_id(&s);
        t.source_arn = Some(Prop::from_text_value(&s));
    }
    let f = function_mut(b, &fid)?;
    f.triggers.push(t);
    Some(f.triggers.len() - 1)
}

fn attach_policy(b: &mut Builder<'_>, res: &Res<'_>) {
    let Some(doc) = b.value(res.props, "PolicyDocument") else {
        return;
    };
    let source = if res.type_name == "AWS::IAM::ManagedPolicy" {
        PolicySource::CustomerManaged {
            id: res.id.to_string(),
        }
    } else {
        PolicySource::Inline {
            name: b
                .value(res.props, "PolicyName")
                .map_or_else(|| res.id.to_string(), |v| v.render()),
        }
    };
    let mut doc = policy_document(&doc, source);
    doc.when = res.condition.clone();
    // `AWS::IAM::RolePolicy` names one role (`RoleName`); the others list them (`Roles`).
    let roles: Vec<String> = b
        .value(res.props, "Roles")
        .or_else(|| b.value(res.props, "RoleName"))
        .map(|v| {
            v.one_or_many()
                .into_iter()
                .filter_map(|r| b.referenced_id(r).or_else(|| role_by_name(b, r)))
                .collect()
        })
        .unwrap_or_default();
    for rid in roles {
        if let Some(role) = b.app.role_mut(&rid) {
            role.policies.push(doc.clone());
        }
    }
}

/// Roles that attach a customer managed policy of the app by `Ref` get its document.
fn managed_policy_resources(b: &mut Builder<'_>) {
    let mut docs: BTreeMap<String, PolicyDocument> = BTreeMap::new();
    for r in &b.app.resources {
        if r.resource_type == "AWS::IAM::ManagedPolicy"
            && let Some(doc) = r.properties.as_ref().and_then(|p| p.get("PolicyDocument"))
        {
            docs.insert(
                r.id.clone(),
                policy_document(doc, PolicySource::CustomerManaged { id: r.id.clone() }),
            );
        }
    }
    if docs.is_empty() {
        return;
    }
    for role in &mut b.app.roles {
        let mut kept: Vec<ManagedPolicyRef> = Vec::new();
        for m in std::mem::take(&mut role.managed) {
            let local = m
                .arn
                .get()
                .and_then(Text::sole_reference)
                .map(str::to_string);
            match local.and_then(|id| docs.get(&id)) {
                Some(doc) => {
                    let already = role.policies.iter().any(|p| p.source == doc.source);
                    if !already {
                        let mut doc = doc.clone();
                        doc.span = m.span;
                        role.policies.push(doc);
                    }
                }
                None => kept.push(m),
            }
        }
        role.managed = kept;
        // A permissions boundary that is a policy of this app: keep its document to bound
        // the role's permissions with.
        let boundary = role
            .permissions_boundary
            .as_ref()
            .and_then(|b| b.get())
            .and_then(Text::sole_reference)
            .and_then(|id| docs.get(id));
        if let Some(doc) = boundary {
            role.boundary_document = Some(doc.clone());
        }
    }
}

/// The role of the app whose literal `RoleName` a value names.
fn role_by_name(b: &Builder<'_>, v: &Value) -> Option<String> {
    let name = v.as_str()?;
    b.app
        .roles
        .iter()
        .find(|r| {
            r.name
                .as_ref()
                .and_then(|n| n.get())
                .and_then(Text::literal)
                == Some(name)
        })
        .map(|r| r.id.clone())
}

/// The resource of the app a value designates: by reference, or by the literal name it is
/// given in its properties (`BucketName`, `QueueName`, `TopicName`).
fn resource_by_ref_or_name(b: &Builder<'_>, v: &Value) -> Option<String> {
    if let Some(id) = b.referenced_id(v) {
        return Some(id);
    }
    let name = v.as_str()?;
    b.app
        .resources
        .iter()
        .find(|r| {
            let props = r.properties.as_ref();
            ["BucketName", "QueueName", "TopicName"]
                .iter()
                .any(|k| props.and_then(|p| p.get(k)).and_then(Value::as_str) == Some(name))
        })
        .map(|r| r.id.clone())
}

fn resource_policy(b: &mut Builder<'_>, res: &Res<'_>, target_key: &str) {
    let Some(doc) = b.value(res.props, "PolicyDocument") else {
        return;
    };
    let targets: Vec<String> = b
        .value(res.props, target_key)
        .map(|v| {
            v.one_or_many()
                .into_iter()
                .filter_map(|t| resource_by_ref_or_name(b, t))
                .collect()
        })
        .unwrap_or_default();
    for target in targets {
        let mut doc = policy_document(
            &doc,
            PolicySource::ResourcePolicy {
                resource: target.clone(),
            },
        );
        doc.when = res.condition.clone();
        if let Some(r) = b.app.resource_mut(&target) {
            match &mut r.kind {
                ResourceKind::Bucket(x) => x.policy = Some(doc),
                ResourceKind::Queue(x) => x.policy = Some(doc),
                ResourceKind::Topic(x) => x.policy = Some(doc),
                _ => {}
            }
        }
    }
}

fn url(b: &mut Builder<'_>, res: &Res<'_>) {
    let Some(target) = b.value(res.props, "TargetFunctionArn") else {
        return;
    };
    let Some(fid) = function_id(b, &target) else {
        return;
    };
    let Some(props) = res.props else { return };
    let mut u: FunctionUrl = function_url(b, props, Some(res.id));
    u.span = b.res_span(res);
    u.condition = res.condition.clone();
    if let Some(f) = function_mut(b, &fid) {
        // A function (its versions and aliases) may have several URLs: keep the most open.
        let open = |u: &FunctionUrl| {
            u.auth_type
                .possible()
                .iter()
                .any(|a| a.eq_ignore_ascii_case("NONE"))
        };
        if f.url.as_ref().is_none_or(|old| !open(old) || open(&u)) {
            f.url = Some(u);
        }
    }
}

fn event_source_mapping(b: &mut Builder<'_>, res: &Res<'_>) {
    let target = b.value(res.props, "FunctionName");
    let source = b.value(res.props, "EventSourceArn");
    let kind = match source.as_ref() {
        Some(s) => match b
            .referenced_id(s)
            .and_then(|id| b.type_of(&id).map(str::to_string))
            .as_deref()
        {
            Some("AWS::SQS::Queue") => TriggerKind::Sqs,
            Some("AWS::Kinesis::Stream") => TriggerKind::Kinesis,
            Some("AWS::DynamoDB::Table" | "AWS::DynamoDB::GlobalTable") => {
                TriggerKind::DynamoDbStream
            }
            Some("AWS::MSK::Cluster") => TriggerKind::Msk,
            Some("AWS::AmazonMQ::Broker") => TriggerKind::Mq,
            _ => match s.render().split(':').nth(2) {
                Some("sqs") => TriggerKind::Sqs,
                Some("kinesis") => TriggerKind::Kinesis,
                Some("dynamodb") => TriggerKind::DynamoDbStream,
                Some("kafka") => TriggerKind::Msk,
                Some("mq") => TriggerKind::Mq,
                _ => TriggerKind::Other("event source mapping".into()),
            },
        },
        None if res
            .props
            .and_then(|p| p.get("SelfManagedEventSource"))
            .is_some() =>
        {
            TriggerKind::Msk
        }
        None => TriggerKind::Other("event source mapping".into()),
    };
    add_trigger(b, res, target, kind, source);
}

fn invoke_config(b: &mut Builder<'_>, res: &Res<'_>) {
    let Some(target) = b.value(res.props, "FunctionName") else {
        return;
    };
    let Some(fid) = function_id(b, &target) else {
        return;
    };
    let Some(props) = res.props else { return };
    let mut tmp = Function::new("", "", Span::default());
    event_invoke_config(b, props, &mut tmp);
    if let Some(f) = function_mut(b, &fid) {
        if tmp.on_failure.is_some() {
            f.on_failure = tmp.on_failure;
        }
        if tmp.on_success.is_some() {
            f.on_success = tmp.on_success;
        }
        if tmp.max_retry_attempts.is_some() {
            f.max_retry_attempts = tmp.max_retry_attempts;
        }
    }
}

fn alias(b: &mut Builder<'_>, res: &Res<'_>) {
    let Some(target) = b.value(res.props, "FunctionName") else {
        return;
    };
    let Some(fid) = function_id(b, &target) else {
        return;
    };
    let pc = res
        .props
        .and_then(|p| p.get("ProvisionedConcurrencyConfig"))
        .and_then(|p| b.number(Some(p), "ProvisionedConcurrentExecutions"));
    if let (Some(pc), Some(f)) = (pc, function_mut(b, &fid)) {
        f.provisioned_concurrency = Some(pc);
    }
}

fn layer_permission(b: &mut Builder<'_>, res: &Res<'_>) {
    // `Principal: "*"` with an `OrganizationId` shares with that organization only.
    let public = b
        .value(res.props, "Principal")
        .and_then(|p| p.as_str().map(|s| s == "*"))
        == Some(true)
        && b.value(res.props, "OrganizationId")
            .is_none_or(|o| o.is_null());
    let Some(layer) = b.reference(res.props, "LayerVersionArn") else {
        return;
    };
    if let Some(r) = b.app.resource_mut(&layer)
        && let ResourceKind::Layer { public: p, .. } = &mut r.kind
    {
        *p |= public;
    }
}

fn bucket_notifications(b: &mut Builder<'_>, res: &Res<'_>) {
    let configs = seq_at(
        res.props,
        &["NotificationConfiguration", "LambdaConfigurations"],
    );
    for c in configs {
        let target = b.value(Some(c), "Function");
        let source = source_ref(b, res, c);
        let span = b.span(c);
        if let Some(i) = add_trigger(b, res, target.clone(), TriggerKind::S3, Some(source))
            && let Some(fid) = target.as_ref().and_then(|t| function_id(b, t))
            && let Some(t) = function_mut(b, &fid).and_then(|f| f.triggers.get_mut(i))
        {
            t.span = span;
        }
    }
}

fn topic_subscriptions(b: &mut Builder<'_>, res: &Res<'_>) {
    let subs = seq_at(res.props, &["Subscription"]);
    for s in subs {
        let protocol = b
            .value(Some(s), "Protocol")
            .and_then(|p| p.as_str().map(str::to_ascii_lowercase));
        if protocol.as_deref() != Some("lambda") {
            continue;
        }
        let source = source_ref(b, res, s);
        add_trigger(
            b,
            res,
            b.value(Some(s), "Endpoint"),
            TriggerKind::Sns,
            Some(source),
        );
    }
}

fn subscription(b: &mut Builder<'_>, res: &Res<'_>) {
    let protocol = b
        .value(res.props, "Protocol")
        .and_then(|p| p.as_str().map(str::to_ascii_lowercase));
    if protocol.as_deref() != Some("lambda") {
        return;
    }
    let target = b.value(res.props, "Endpoint");
    let source = b.value(res.props, "TopicArn");
    add_trigger(b, res, target, TriggerKind::Sns, source);
}

fn events_rule(b: &mut Builder<'_>, res: &Res<'_>) {
    let schedule = b.value(res.props, "ScheduleExpression").map(|v| v.render());
    let kind = if schedule.is_some() {
        TriggerKind::Schedule
    } else {
        TriggerKind::EventBridgeRule
    };
    let targets = seq_at(res.props, &["Targets"]);
    for t in targets {
        let target = b.value(Some(t), "Arn");
        let source = source_ref(b, res, t);
        if let Some(i) = add_trigger(b, res, target.clone(), kind.clone(), Some(source))
            && let Some(fid) = target.as_ref().and_then(|x| function_id(b, x))
            && let Some(trig) = function_mut(b, &fid).and_then(|f| f.triggers.get_mut(i))
        {
            trig.schedule = schedule.clone();
        }
    }
}

fn user_pool(b: &mut Builder<'_>, res: &Res<'_>) {
    let Some(config) = res
        .props
        .and_then(|p| p.get("LambdaConfig"))
        .and_then(Node::as_map)
    else {
        return;
    };
    for (_, v) in config {
        let target = b.r.resolve_opt(v);
        let target = match target {
            Some(t) if t.as_map().is_some() => t.get("LambdaArn").cloned(),
            other => other,
        };
        let source = source_ref(b, res, v);
        add_trigger(b, res, target, TriggerKind::Cognito, Some(source));
    }
}

fn iot_rule(b: &mut Builder<'_>, res: &Res<'_>) {
    let actions = seq_at(res.props, &["TopicRulePayload", "Actions"]);
    for a in actions {
        let target = a
            .get("Lambda")
            .and_then(|l| b.value(Some(l), "FunctionArn"));
        add_trigger(b, res, target, TriggerKind::Iot, None);
    }
}

fn ses_rule(b: &mut Builder<'_>, res: &Res<'_>) {
    let actions = seq_at(res.props, &["Rule", "Actions"]);
    for a in actions {
        let target = a
            .get("LambdaAction")
            .and_then(|l| b.value(Some(l), "FunctionArn"));
        add_trigger(b, res, target, TriggerKind::Ses, None);
    }
}

fn target_group(b: &mut Builder<'_>, res: &Res<'_>) {
    let is_lambda = b
        .value(res.props, "TargetType")
        .and_then(|t| t.as_str().map(|s| s.eq_ignore_ascii_case("lambda")))
        == Some(true);
    if !is_lambda {
        return;
    }
    // Internal when every load balancer of the app is internal.
    let schemes: Vec<Option<String>> = b
        .app
        .resources
        .iter()
        .filter(|r| r.resource_type == "AWS::ElasticLoadBalancingV2::LoadBalancer")
        .map(|r| {
            r.properties
                .as_ref()
                .and_then(|p| p.get("Scheme"))
                .and_then(|s| s.as_str().map(str::to_string))
        })
        .collect();
    let internal = !schemes.is_empty() && schemes.iter().all(|s| s.as_deref() == Some("internal"));
    let targets = seq_at(res.props, &["Targets"]);
    for t in targets {
        let target = b.value(Some(t), "Id");
        if let Some(i) = add_trigger(b, res, target.clone(), TriggerKind::Alb, None)
            && let Some(fid) = target.as_ref().and_then(|x| function_id(b, x))
            && let Some(trig) = function_mut(b, &fid).and_then(|f| f.triggers.get_mut(i))
        {
            trig.internet_facing = Some(!internal);
        }
    }
}

fn api_mut<'m>(b: &'m mut Builder<'_>, id: &str) -> Option<&'m mut palisade_model::Api> {
    b.app.api_mut(id)
}

fn new_stage(name: Prop<Text>, span: Span, resource: Option<&str>) -> Stage {
    Stage {
        name,
        span,
        resource: resource.map(str::to_string),
        access_log_destination: None,
        execution_logging: None,
        tracing: None,
        throttling: None,
        waf: None,
        cache_encrypted: None,
    }
}

fn rest_stage(b: &mut Builder<'_>, res: &Res<'_>) {
    let Some(api_id) = b.reference(res.props, "RestApiId") else {
        return;
    };
    let span = b.res_span(res);
    let name = b
        .text(res.props, "StageName")
        .unwrap_or_else(|| Prop::known(Text::lit(res.id), span));
    let mut stage = new_stage(name, span, Some(res.id));
    stage.access_log_destination = res
        .props
        .and_then(|p| p.get("AccessLogSetting"))
        .and_then(|a| b.text(Some(a), "DestinationArn"));
    method_settings(
        b,
        res.props.and_then(|p| p.get("MethodSettings")),
        &mut stage,
    );
    stage.tracing = b.boolean(res.props, "TracingEnabled");
    if let Some(api) = api_mut(b, &api_id) {
        api.stages.push(stage);
    }
}

/// A deployment with `StageName` creates a stage with no settings of its own.
fn rest_deployment(b: &mut Builder<'_>, res: &Res<'_>) {
    let Some(api_id) = b.reference(res.props, "RestApiId") else {
        return;
    };
    let Some(name) = b.text(res.props, "StageName") else {
        return;
    };
    let span = b.res_span(res);
    let mut stage = new_stage(name, span, Some(res.id));
    if let Some(desc) = res.props.and_then(|p| p.get("StageDescription")) {
        stage.access_log_destination = desc
            .get("AccessLogSetting")
            .and_then(|a| b.text(Some(a), "DestinationArn"));
        method_settings(b, desc.get("MethodSettings"), &mut stage);
        if let Some(level) = b.string(Some(desc), "LoggingLevel") {
            stage.execution_logging = Some(level);
        }
        if desc.get("ThrottlingBurstLimit").is_some() || desc.get("ThrottlingRateLimit").is_some() {
            stage.throttling = Some(b.span(desc));
        }
        stage.tracing = b.boolean(Some(desc), "TracingEnabled");
    }
    if let Some(api) = api_mut(b, &api_id) {
        api.stages.push(stage);
    }
}

fn v2_stage(b: &mut Builder<'_>, res: &Res<'_>) {
    let Some(api_id) = b.reference(res.props, "ApiId") else {
        return;
    };
    let span = b.res_span(res);
    let name = b
        .text(res.props, "StageName")
        .unwrap_or_else(|| Prop::known(Text::lit(res.id), span));
    let mut stage = new_stage(name, span, Some(res.id));
    stage.access_log_destination = res
        .props
        .and_then(|p| p.get("AccessLogSettings"))
        .and_then(|a| b.text(Some(a), "DestinationArn"));
    if let Some(route) = res.props.and_then(|p| p.get("DefaultRouteSettings")) {
        route_settings(b, route, &mut stage);
    }
    if let Some(api) = api_mut(b, &api_id) {
        // Quick create's `$default` stage is replaced by a declared one.
        api.stages.retain(|s| s.resource.is_some());
        api.stages.push(stage);
    }
}

/// The authorization an `AuthorizationType` (plus authorizer) of a method or route means.
fn authorization(
    b: &Builder<'_>,
    auth_type: Option<&str>,
    authorizer: Option<&Value>,
    resources: &ById<'_, '_>,
) -> Auth {
    let authorizer_id = authorizer
        .and_then(|a| b.referenced_id(a))
        .unwrap_or_default();
    match auth_type.map(str::to_ascii_uppercase).as_deref() {
        None | Some("NONE") => Auth::None,
        Some("AWS_IAM") => Auth::Iam,
        Some("COGNITO_USER_POOLS") => Auth::Cognito {
            authorizer: authorizer_id,
        },
        Some("JWT") => Auth::Jwt {
            authorizer: authorizer_id,
        },
        Some("CUSTOM") => {
            // The authorizer resource says which kind a CUSTOM one is.
            let kind = resources
                .get(authorizer_id.as_str())
                .and_then(|r| {
                    b.value(r.props, "Type")
                        .or_else(|| b.value(r.props, "AuthorizerType"))
                })
                .and_then(|t| t.as_str().map(str::to_ascii_uppercase));
            match kind.as_deref() {
                Some("COGNITO_USER_POOLS") => Auth::Cognito {
                    authorizer: authorizer_id,
                },
                Some("JWT") => Auth::Jwt {
                    authorizer: authorizer_id,
                },
                _ => Auth::Lambda {
                    authorizer: authorizer_id,
                },
            }
        }
        Some(other) => Auth::Unknown(format!("AuthorizationType {other}")),
    }
}

/// `/a/{id}` from an `AWS::ApiGateway::Resource` chain.
fn rest_path(b: &Builder<'_>, resource_id: Option<&Value>, resources: &ById<'_, '_>) -> String {
    let mut parts = Vec::new();
    let mut current = resource_id.and_then(|v| b.referenced_id(v));
    let mut guard = 0;
    while let Some(id) = current {
        guard += 1;
        let Some(r) = resources
            .get(id.as_str())
            .filter(|r| r.type_name == "AWS::ApiGateway::Resource")
        else {
            break;
        };
        if guard > 64 {
            break;
        }
        parts.push(
            b.value(r.props, "PathPart")
                .map(|v| v.render())
                .unwrap_or_default(),
        );
        current = b
            .value(r.props, "ParentId")
            .and_then(|v| b.referenced_id(&v));
    }
    parts.reverse();
    format!("/{}", parts.join("/"))
}

fn add_route(
    b: &mut Builder<'_>,
    api_id: &str,
    kind: TriggerKind,
    route: Route,
    trigger_id: &str,
    cors: Option<palisade_model::Cors>,
) {
    if let Some(fid) = route.function.clone()
        && let Some(f) = function_mut(b, &fid)
    {
        let mut t = Trigger::new(trigger_id, kind, route.span);
        t.api = Some(api_id.to_string());
        t.path = Some(route.path.clone());
        t.method = Some(route.method.clone());
        t.auth = Some(route.auth.clone());
        t.api_key_required = route.api_key_required;
        t.cors = cors;
        f.triggers.push(t);
    }
    if let Some(api) = api_mut(b, api_id) {
        api.routes.push(route);
    }
}

/// A route declared as a resource (`AWS::ApiGateway::Method`, `AWS::ApiGatewayV2::Route`):
/// both say who may call it with `AuthorizationType`, `AuthorizerId` and `ApiKeyRequired`.
fn declared_route(
    b: &Builder<'_>,
    res: &Res<'_>,
    resources: &ById<'_, '_>,
    method: String,
    path: String,
    function: Option<String>,
) -> Route {
    let auth_type = b
        .value(res.props, "AuthorizationType")
        .and_then(|v| v.as_str().map(str::to_string));
    let authorizer = b.value(res.props, "AuthorizerId");
    Route {
        method,
        path,
        span: b.res_span(res),
        auth: authorization(b, auth_type.as_deref(), authorizer.as_ref(), resources),
        api_key_required: b
            .boolean(res.props, "ApiKeyRequired")
            .and_then(|p| p.get().copied())
            .unwrap_or(false),
        function,
        auth_span: res
            .props
            .and_then(|p| p.get("AuthorizationType"))
            .map(|n| b.span(n)),
    }
}

fn rest_method(b: &mut Builder<'_>, res: &Res<'_>, resources: &ById<'_, '_>) {
    let Some(api_id) = b.reference(res.props, "RestApiId") else {
        return;
    };
    let method = b
        .value(res.props, "HttpMethod")
        .map_or_else(|| "ANY".into(), |v| v.render().to_ascii_uppercase());
    if method == "OPTIONS" {
        // CORS preflight: answered by API Gateway, no authorization by design.
        return;
    }
    let path = rest_path(b, b.value(res.props, "ResourceId").as_ref(), resources);
    let function = res
        .props
        .and_then(|p| p.get("Integration"))
        .and_then(|i| b.value(Some(i), "Uri"))
        .and_then(|u| function_id(b, &u));
    let route = declared_route(b, res, resources, method, path, function);
    add_route(b, &api_id, TriggerKind::RestApi, route, res.id, None);
}

fn v2_route(b: &mut Builder<'_>, res: &Res<'_>, resources: &ById<'_, '_>) {
    let Some(api_id) = b.reference(res.props, "ApiId") else {
        return;
    };
    let key = b
        .value(res.props, "RouteKey")
        .map(|v| v.render())
        .unwrap_or_else(|| "$default".into());
    let (method, path) = split_route_key(&key);
    // `Target: integrations/${Integration}` → the integration's function.
    let function = b.value(res.props, "Target").and_then(|t| {
        let integ = t.to_text()?.referenced_ids().next()?.to_string();
        let r = resources.get(integ.as_str())?;
        let uri = b.value(r.props, "IntegrationUri")?;
        function_id(b, &uri)
    });
    let kind = match b.app.api(&api_id).map(|a| a.kind) {
        Some(ApiKind::WebSocket) => TriggerKind::WebSocketApi,
        _ => TriggerKind::HttpApi,
    };
    let route = declared_route(b, res, resources, method, path, function);
    let cors = b.app.api(&api_id).and_then(|a| a.cors.clone());
    add_route(b, &api_id, kind, route, res.id, cors);
}

/// SAM API events: decide each route's authorization from the event and its API.
fn sam_routes(b: &mut Builder<'_>) {
    let pending = std::mem::take(&mut b.pending_routes);
    for p in pending {
        let api_auth = b.api_auth.get(&p.api).cloned().unwrap_or_default();
        let (auth, auth_span) = match (&p.authorizer, &api_auth.default) {
            (Some((name, span)), _) | (None, Some((name, span))) => {
                (api_auth.resolve(name), Some(*span))
            }
            (None, None) => match &api_auth.external_definition {
                Some(uri) => (Auth::Unknown(format!("routes are defined in {uri}")), None),
                None => (Auth::None, None),
            },
        };
        let api_key_required = p.api_key_required.unwrap_or(api_auth.api_key_required);
        let Some((method, path, route_span)) = b
            .app
            .function(&p.function)
            .and_then(|f| f.triggers.get(p.trigger))
            .map(|t| {
                (
                    t.method.clone().unwrap_or_else(|| "ANY".into()),
                    t.path.clone().unwrap_or_default(),
                    t.span,
                )
            })
        else {
            continue;
        };
        let api = b.app.api(&p.api);
        let existing = api
            .and_then(|a| {
                a.routes
                    .iter()
                    .find(|r| r.method == method && r.path == path)
            })
            .cloned();
        let cors = api.and_then(|a| a.cors.clone());
        // An inline OpenAPI route keeps its own security unless the event or API says otherwise.
        let (auth, auth_span) = match (&existing, &p.authorizer, &api_auth.default) {
            (Some(r), None, None) => (r.auth.clone(), r.auth_span),
            _ => (auth, auth_span),
        };
        if let Some(t) = function_mut(b, &p.function).and_then(|f| f.triggers.get_mut(p.trigger)) {
            t.auth = Some(auth.clone());
            t.api_key_required = api_key_required;
            t.cors = cors;
        }
        if let Some(api) = api_mut(b, &p.api) {
            api.routes
                .retain(|r| !(r.method == method && r.path == path));
            api.routes.push(Route {
                method,
                path,
                span: route_span,
                auth,
                api_key_required,
                function: Some(p.function.clone()),
                auth_span,
            });
        }
    }
}

/// Link log groups to the functions whose logs they hold: `/aws/lambda/<name>` or the group
/// named in `LoggingConfig`.
fn log_groups(b: &mut Builder<'_>) {
    let groups: Vec<(String, Option<Text>)> = b
        .app
        .resources
        .iter()
        .filter_map(|r| match &r.kind {
            ResourceKind::LogGroup(g) => {
                Some((r.id.clone(), g.name.as_ref().and_then(|n| n.get().cloned())))
            }
            _ => None,
        })
        .collect();
    for f in &mut b.app.functions {
        // The function's name as written (`!Sub "${AWS::StackName}-orders"` renders the same
        // in the function and in its log group's name).
        let fname = f.name.as_ref().and_then(|n| n.get()).map(Text::render);
        let configured = f
            .logging_config_group
            .as_ref()
            .and_then(|p| p.get().cloned());
        for (gid, name) in &groups {
            let by_config = configured.as_ref().is_some_and(|c| {
                c.sole_reference() == Some(gid.as_str())
                    || (name.is_some() && name.as_ref() == Some(c))
            });
            let by_name = name.as_ref().is_some_and(|n| {
                let rendered = n.render();
                let Some(rest) = rendered.strip_prefix("/aws/lambda/") else {
                    return false;
                };
                rest == format!("${{{}}}", f.id) || fname.as_deref() == Some(rest)
            });
            if by_config || by_name {
                f.log_group = Some(gid.clone());
            }
        }
    }
}

/// Attach WAF associations to the API stages their `ResourceArn` names.
fn waf_associations(b: &mut Builder<'_>) {
    let assocs: Vec<(String, Text)> = b
        .app
        .resources
        .iter()
        .filter_map(|r| match &r.kind {
            ResourceKind::WafAssociation(w) => Some((r.id.clone(), w.resource_arn.get().cloned()?)),
            _ => None,
        })
        .collect();
    for (wid, arn) in assocs {
        let ids: Vec<String> = arn.referenced_ids().map(str::to_string).collect();
        let rendered = arn.render();
        let stage_lit = rendered.split("/stages/").nth(1).map(str::to_string);
        for api in &mut b.app.apis {
            let by_stage_resource = api
                .stages
                .iter()
                .any(|s| s.resource.as_ref().is_some_and(|r| ids.contains(r)));
            if !ids.contains(&api.id) && !by_stage_resource {
                continue;
            }
            let single = api.stages.len() == 1;
            for s in &mut api.stages {
                let name = s.name.get().map(Text::render);
                let matches = single
                    || s.resource.as_ref().is_some_and(|r| ids.contains(r))
                    || (stage_lit.is_some() && name.is_some() && stage_lit == name)
                    || stage_lit.as_deref().is_some_and(|l| l.contains(".Stage}"));
                if matches {
                    s.waf = Some(wid.clone());
                }
            }
        }
    }
}

/// Lambda permissions name their function by ARN or name; make the link when it is ours.
fn permissions(b: &mut Builder<'_>) {
    let ids: Vec<String> = b.app.functions.iter().map(|f| f.id.clone()).collect();
    for r in &mut b.app.resources {
        if let ResourceKind::Permission(p) = &mut r.kind
            && p.function.is_none()
            && let Some(t) = p.function_ref.get()
            && let Some(id) = t.referenced_ids().find(|id| ids.iter().any(|f| f == id))
        {
            p.function = Some(id.to_string());
        }
    }
}

/// One end of a connector.
enum Endpoint {
    Id(String),
    Arn {
        arn: Value,
        type_name: String,
        role: Option<String>,
    },
}

fn connector_resource(b: &mut Builder<'_>, res: &Res<'_>) {
    let Some(props) = res.props else { return };
    let Some(source) = props.get("Source").and_then(|s| endpoint(b, s)) else {
        return;
    };
    connector(b, res.id, source, Some(props), b.res_span(res));
}

fn endpoint(b: &Builder<'_>, node: &Node) -> Option<Endpoint> {
    if let Some(id) = node.get("Id").and_then(Node::as_str) {
        return Some(Endpoint::Id(id.to_string()));
    }
    let type_name = b.value(Some(node), "Type")?.as_str()?.to_string();
    let arn = b
        .value(Some(node), "Arn")
        .unwrap_or_else(|| Value::new(ValueKind::Unknown("no Arn".into()), b.span(node)));
    let role = b
        .value(Some(node), "RoleName")
        .and_then(|v| b.referenced_id(&v));
    Some(Endpoint::Arn {
        arn,
        type_name,
        role,
    })
}

/// CloudFormation type of a SAM resource, as connector profiles name them.
fn connector_type(t: &str) -> &str {
    match t {
        "AWS::Serverless::Function" => "AWS::Lambda::Function",
        "AWS::Serverless::SimpleTable" => "AWS::DynamoDB::Table",
        "AWS::Serverless::StateMachine" => "AWS::StepFunctions::StateMachine",
        "AWS::Serverless::Api" => "AWS::ApiGateway::RestApi",
        "AWS::Serverless::HttpApi" => "AWS::ApiGatewayV2::Api",
        other => other,
    }
}

/// The `%{X.Arn}` / `%{X.Name}` placeholders of a connector profile for one endpoint.
fn placeholders(b: &Builder<'_>, end: &Endpoint, span: Span) -> (String, Value, Value) {
    let sym = |s: Symbol| Value::new(ValueKind::Text(Text::sym(s)), span);
    match end {
        Endpoint::Id(id) => {
            let t = connector_type(b.type_of(id).unwrap_or("")).to_string();
            let arn = match t.as_str() {
                "AWS::SNS::Topic" | "AWS::StepFunctions::StateMachine" => {
                    sym(Symbol::Ref(id.clone()))
                }
                _ => sym(Symbol::GetAtt(id.clone(), "Arn".into())),
            };
            let name = match t.as_str() {
                "AWS::SQS::Queue" => sym(Symbol::GetAtt(id.clone(), "QueueName".into())),
                "AWS::StepFunctions::StateMachine" => {
                    sym(Symbol::GetAtt(id.clone(), "Name".into()))
                }
                _ => sym(Symbol::Ref(id.clone())),
            };
            (t, arn, name)
        }
        Endpoint::Arn { arn, type_name, .. } => {
            let name = sym(Symbol::Unknown(format!("name of {}", arn.render())));
            (type_name.clone(), arn.clone(), name)
        }
    }
}

/// The role a connector's source uses: a function's execution role, or a named role.
fn source_role(b: &Builder<'_>, source: &Endpoint) -> Option<String> {
    match source {
        Endpoint::Id(id) => match b.app.function(id).map(|f| &f.role) {
            Some(palisade_model::RoleRef::Local(r)) => Some(r.clone()),
            _ => None,
        },
        Endpoint::Arn { role, .. } => role.clone(),
    }
}

fn connector(b: &mut Builder<'_>, id: &str, source: Endpoint, props: Option<&Node>, span: Span) {
    let Some(props) = props else { return };
    let permissions: Vec<String> = b
        .value(Some(props), "Permissions")
        .map(|v| {
            v.one_or_many()
                .into_iter()
                .filter_map(|p| p.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let destinations: Vec<Endpoint> = match props.get("Destination") {
        Some(d) => match d.as_seq() {
            Some(items) => items.iter().filter_map(|i| endpoint(b, i)).collect(),
            None => endpoint(b, d).into_iter().collect(),
        },
        None => Vec::new(),
    };
    let (source_type, source_arn, _) = placeholders(b, &source, span);
    let Some(role_id) = source_role(b, &source) else {
        return;
    };
    for dest in destinations {
        let (dest_type, dest_arn, dest_name) = placeholders(b, &dest, span);
        let Some(profile) = sam_data::connector_profile(&source_type, &dest_type) else {
            b.app.diagnostics.push(palisade_model::Diagnostic::warning(
                b.app.path.clone(),
                None,
                format!("connector {id}: SAM has no connector from {source_type} to {dest_type}"),
            ));
            continue;
        };
        if profile.get("Type").and_then(serde_json::Value::as_str)
            != Some("AWS_IAM_ROLE_MANAGED_POLICY")
        {
            continue;
        }
        let mut statements = Vec::new();
        for access in &permissions {
            if let Some(stmts) = profile
                .pointer(&format!("/Properties/AccessCategories/{access}/Statement"))
                .and_then(serde_json::Value::as_array)
            {
                for s in stmts {
                    statements.push(fill_placeholders(
                        s,
                        &source_arn,
                        &dest_arn,
                        &dest_name,
                        span,
                    ));
                }
            }
        }
        if statements.is_empty() {
            continue;
        }
        let doc = Value::new(
            ValueKind::Map(vec![palisade_model::MapEntry {
                key: "Statement".into(),
                key_span: span,
                value: Value::new(ValueKind::List(statements), span),
            }]),
            span,
        );
        let doc = policy_document(&doc, PolicySource::Connector { id: id.to_string() });
        if let Some(role) = b.app.role_mut(&role_id) {
            role.policies.push(doc);
        }
    }
}

fn fill_placeholders(
    json: &serde_json::Value,
    source: &Value,
    dest: &Value,
    dest_name: &Value,
    span: Span,
) -> Value {
    match json {
        serde_json::Value::String(s) if s.contains("%{") => {
            let mut text = Text::default();
            let mut rest = s.as_str();
            while let Some(pos) = rest.find("%{") {
                text.push(palisade_model::Segment::Lit(rest[..pos].to_string()));
                let after = &rest[pos + 2..];
                let Some(close) = after.find('}') else { break };
                let key = &after[..close];
                rest = &after[close + 1..];
                let v = match key {
                    "Destination.Arn" => dest,
                    "Destination.Name" => dest_name,
                    "Source.Arn" => source,
                    _ => {
                        text.push(palisade_model::Segment::Sym(Symbol::Unknown(
                            key.to_string(),
                        )));
                        continue;
                    }
                };
                text.extend(v.to_text().unwrap_or_default());
            }
            text.push(palisade_model::Segment::Lit(rest.to_string()));
            Value::new(ValueKind::Text(text), span)
        }
        serde_json::Value::Array(items) => Value::new(
            ValueKind::List(
                items
                    .iter()
                    .map(|i| fill_placeholders(i, source, dest, dest_name, span))
                    .collect(),
            ),
            span,
        ),
        serde_json::Value::Object(map) => Value::new(
            ValueKind::Map(
                map.iter()
                    .map(|(k, v)| palisade_model::MapEntry {
                        key: k.clone(),
                        key_span: span,
                        value: fill_placeholders(v, source, dest, dest_name, span),
                    })
                    .collect(),
            ),
            span,
        ),
        other => from_json(other, span),
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use palisade_model::{App, FileId, ResourceKind, SourceFile};

    use crate::yaml::{Limits, parse};

    fn load(template: &str) -> App {
        let doc = parse(template, Limits::default()).unwrap_or_else(|e| unreachable!("{e}"));
        let source = SourceFile::new(
            "template.yaml".into(),
            PathBuf::from("template.yaml"),
            template.into(),
        );
        super::super::load(&doc.root, FileId(0), &std::sync::Arc::new(source))
    }

    fn layer_public(app: &App, id: &str) -> bool {
        app.resources
            .iter()
            .find(|r| r.id == id)
            .is_some_and(|r| matches!(r.kind, ResourceKind::Layer { public: true, .. }))
    }

    #[test]
    fn layer_shared_with_an_organization_is_not_public() {
        let app = load(
            r#"
Resources:
  Public:
    Type: AWS::Lambda::LayerVersion
    Properties: {Content: {S3Bucket: b, S3Key: k}}
  Org:
    Type: AWS::Lambda::LayerVersion
    Properties: {Content: {S3Bucket: b, S3Key: k}}
  PublicPermission:
    Type: AWS::Lambda::LayerVersionPermission
    Properties: {LayerVersionArn: !Ref Public, Action: lambda:GetLayerVersion, Principal: "*"}
  OrgPermission:
    Type: AWS::Lambda::LayerVersionPermission
    Properties:
      LayerVersionArn: !Ref Org
      Action: lambda:GetLayerVersion
      Principal: "*"
      OrganizationId: o-a1b2c3d4e5
"#,
        );
        assert!(layer_public(&app, "Public"));
        assert!(!layer_public(&app, "Org"));
    }
}

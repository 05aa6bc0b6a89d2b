//! `functions.<name>.events` into SAM events, or into the CloudFormation resources the
//! Framework creates for them (buckets, topics, user pools, WebSocket routes, ALB target
//! groups), plus the statements the shared role gets for pulling from queues and streams.

use super::apis::{self, HTTP_API, REST_API, WEBSOCKET_API};
use super::iam;
use super::node::{self, At};
use super::translate::Tr;
use crate::yaml::{Node, NodeKind};

/// The function whose events are read.
pub(crate) struct FnCtx {
    pub key: String,
    pub id: String,
}

/// SAM events `(name, body)` for a function; statements for its role go to `statements`.
pub(crate) fn events(
    tr: &mut Tr<'_>,
    f: &FnCtx,
    list: Option<&Node>,
    statements: &mut Vec<Node>,
) -> Vec<(String, Node)> {
    let mut out = Vec::new();
    let Some(list) = list else { return out };
    let Some(items) = list.as_seq() else {
        tr.warn(
            format!("`events` of function `{}` is not a list", f.key),
            list,
        );
        return out;
    };
    for (i, item) in items.iter().enumerate() {
        let Some([(k, v)]) = item.as_map() else {
            tr.warn("an event is a mapping with one key, its type".into(), item);
            continue;
        };
        let Some(kind) = k.as_str() else { continue };
        let n = i + 1;
        let at = At::of(item);
        let ev = Ev {
            f,
            item,
            value: v,
            at,
            n,
        };
        match kind {
            "http" => out.extend(http(tr, &ev)),
            "httpApi" => out.extend(http_api(tr, &ev)),
            "websocket" => websocket(tr, &ev),
            "s3" => out.extend(s3(tr, &ev)),
            "sqs" => out.extend(sqs(&ev, statements)),
            "sns" => out.extend(sns(tr, &ev)),
            "stream" => out.extend(stream(tr, &ev, statements)),
            "schedule" => out.extend(schedule(&ev)),
            "eventBridge" => out.extend(event_bridge(&ev)),
            "cloudwatchEvent" => out.extend(cloudwatch_event(&ev)),
            "cloudwatchLog" => out.extend(cloudwatch_log(&ev)),
            "iot" => out.extend(iot(&ev)),
            "cognitoUserPool" => out.extend(cognito(tr, &ev)),
            "alb" => alb(tr, &ev),
            "kafka"
            | "msk"
            | "activemq"
            | "rabbitmq"
            | "alexaSkill"
            | "alexaSmartHome"
            | "iotFleetProvisioning"
            | "cloudFront" => {
                out.extend(other(&ev, kind));
            }
            other => tr.warn(
                format!(
                    "unknown event type `{other}` on function `{}`: not read",
                    f.key
                ),
                k,
            ),
        }
    }
    out
}

/// One event item.
struct Ev<'e> {
    f: &'e FnCtx,
    item: &'e Node,
    value: &'e Node,
    at: At,
    n: usize,
}

impl Ev<'_> {
    /// A SAM event `(name, {Type, Properties})` spanning the event item.
    fn sam(&self, prefix: &str, sam_type: &str, props: Vec<(&str, Node)>) -> (String, Node) {
        let at = self.at;
        let body = Node {
            start: self.item.start,
            end: self.item.end,
            ..node::map(
                vec![
                    ("Type", node::s(sam_type, at)),
                    ("Properties", node::map(props, At::of(self.value))),
                ],
                at,
            )
        };
        (format!("{prefix}{}", self.n), body)
    }

    /// A setting of the event's mapping (`None` for the short string form).
    fn get(&self, key: &str) -> Option<&Node> {
        if self.value.tag.is_some() {
            return None;
        }
        self.value.get(key)
    }

    fn fn_arn(&self) -> Node {
        node::get_att(&self.f.id, "Arn", self.at)
    }
}

fn http(tr: &mut Tr<'_>, ev: &Ev<'_>) -> Option<(String, Node)> {
    let at = ev.at;
    let (method, path) = match node::text(Some(ev.value)) {
        Some(s) => {
            let (m, p) = s.split_once(' ').unwrap_or(("ANY", s));
            (node::s(m, at), node::s(p.trim(), at))
        }
        None => (
            ev.get("method")
                .cloned()
                .unwrap_or_else(|| node::s("ANY", at)),
            ev.get("path").cloned().unwrap_or_else(|| node::s("/", at)),
        ),
    };
    let path = match node::text(Some(&path)) {
        Some(p) => node::s(&format!("/{}", p.trim_start_matches('/')), At::of(&path)),
        None => path,
    };
    let method = match node::text(Some(&method)) {
        Some("*") => node::s("ANY", At::of(&method)),
        Some(m) => node::s(&m.to_ascii_lowercase(), At::of(&method)),
        None => method,
    };
    tr.rest.first.get_or_insert(at);
    let api_id = tr
        .provider("apiGateway")
        .and_then(|g| g.get("restApiId"))
        .cloned()
        .unwrap_or_else(|| node::reference(REST_API, at));
    let mut props = vec![("RestApiId", api_id), ("Path", path), ("Method", method)];
    let mut auth = Vec::new();
    if let Some(a) = ev.get("authorizer")
        && let Some(name) = apis::rest_authorizer(tr, a)
    {
        auth.push(("Authorizer", node::s(&name, At::of(a))));
    }
    if let Some(p) = ev.get("private") {
        auth.push(("ApiKeyRequired", p.clone()));
    }
    if !auth.is_empty() {
        props.push(("Auth", node::map(auth, at)));
    }
    if let Some(c) = ev.get("cors") {
        apis::rest_cors(tr, c);
    }
    Some(ev.sam("Http", "Api", props))
}

fn http_api(tr: &mut Tr<'_>, ev: &Ev<'_>) -> Option<(String, Node)> {
    let at = ev.at;
    let route = match node::text(Some(ev.value)) {
        Some(s) => Some((s.to_string(), At::of(ev.value))),
        None => {
            let m = node::text(ev.get("method")).unwrap_or("*");
            let p = node::text(ev.get("path")).unwrap_or("*");
            if m == "*" && p == "*" {
                Some(("*".to_string(), at))
            } else {
                Some((format!("{m} {p}"), at))
            }
        }
    };
    tr.http.first.get_or_insert(at);
    let api_id = tr
        .provider("httpApi")
        .and_then(|h| h.get("id"))
        .cloned()
        .unwrap_or_else(|| node::reference(HTTP_API, at));
    let mut props = vec![("ApiId", api_id)];
    if let Some((r, rat)) = route
        && r != "*"
    {
        let (m, p) = r.split_once(' ').unwrap_or(("*", r.as_str()));
        let m = if m == "*" { "ANY" } else { m };
        props.push(("Method", node::s(m, rat)));
        props.push(("Path", node::s(p.trim(), rat)));
    }
    if let Some(a) = ev.get("authorizer") {
        let aat = At::of(a);
        let iam = node::text(a.get("type")).is_some_and(|t| t.eq_ignore_ascii_case("aws_iam"));
        let name = if iam {
            Some("AWS_IAM".to_string())
        } else {
            node::text(a.get("name"))
                .or_else(|| node::text(Some(a)))
                .map(str::to_string)
        };
        match name {
            Some(n) => props.push((
                "Auth",
                node::map(vec![("Authorizer", node::s(&n, aat))], aat),
            )),
            None => tr.warn("authorizer of an `httpApi` event not understood".into(), a),
        }
    }
    Some(ev.sam("HttpApi", "HttpApi", props))
}

fn websocket(tr: &mut Tr<'_>, ev: &Ev<'_>) {
    let at = ev.at;
    let route = node::text(Some(ev.value))
        .or_else(|| node::text(ev.get("route")))
        .unwrap_or("$default")
        .to_string();
    tr.websocket.first.get_or_insert(at);
    let norm = node::normalize(&ev.f.key);
    let integration = format!("{norm}WebsocketsIntegration");
    tr.add_resource(
        &integration,
        node::map(
            vec![
                ("Type", node::s("AWS::ApiGatewayV2::Integration", at)),
                (
                    "Properties",
                    node::map(
                        vec![
                            ("ApiId", node::reference(WEBSOCKET_API, at)),
                            ("IntegrationType", node::s("AWS_PROXY", at)),
                            ("IntegrationUri", apis::invocation_uri(ev.fn_arn(), at)),
                        ],
                        at,
                    ),
                ),
            ],
            at,
        ),
    );
    let mut props = vec![
        ("ApiId", node::reference(WEBSOCKET_API, at)),
        ("RouteKey", node::s(&route, at)),
        (
            "Target",
            node::concat(
                vec![
                    node::s("integrations/", at),
                    node::reference(&integration, at),
                ],
                at,
            ),
        ),
    ];
    match ev.get("authorizer") {
        Some(a) => {
            let aat = At::of(a);
            let name = node::text(Some(a))
                .or_else(|| node::text(a.get("name")))
                .unwrap_or("authorizer")
                .to_string();
            let target = match (a.get("arn"), tr.function_id(&name)) {
                (Some(arn), _) => arn.clone(),
                (None, Some(fid)) => node::get_att(fid, "Arn", aat),
                (None, None) => node::s(&name, aat),
            };
            let auth_id = format!("{}WebsocketsAuthorizer", node::normalize(&name));
            let mut auth_props = vec![
                ("ApiId", node::reference(WEBSOCKET_API, aat)),
                ("AuthorizerType", node::s("REQUEST", aat)),
                ("AuthorizerUri", apis::invocation_uri(target, aat)),
                ("Name", node::s(&name, aat)),
            ];
            if let Some(i) = a.get("identitySource") {
                auth_props.push(("IdentitySource", i.clone()));
            }
            tr.add_resource(
                &auth_id,
                node::map(
                    vec![
                        ("Type", node::s("AWS::ApiGatewayV2::Authorizer", aat)),
                        ("Properties", node::map(auth_props, aat)),
                    ],
                    aat,
                ),
            );
            props.push(("AuthorizationType", node::s("CUSTOM", aat)));
            props.push(("AuthorizerId", node::reference(&auth_id, aat)));
        }
        None => props.push(("AuthorizationType", node::s("NONE", at))),
    }
    let id = format!("{}WebsocketsRoute", apis::route_id(&route));
    let id = if tr.resources.iter().any(|(i, _)| *i == id) {
        format!("{norm}{id}")
    } else {
        id
    };
    tr.add_resource(
        &id,
        Node {
            start: ev.item.start,
            end: ev.item.end,
            ..node::map(
                vec![
                    ("Type", node::s("AWS::ApiGatewayV2::Route", at)),
                    ("Properties", node::map(props, at)),
                ],
                at,
            )
        },
    );
}

fn s3(tr: &mut Tr<'_>, ev: &Ev<'_>) -> Option<(String, Node)> {
    let at = ev.at;
    let bucket = match node::text(Some(ev.value)) {
        Some(_) => ev.value.clone(),
        None => ev.get("bucket")?.clone(),
    };
    let event = ev
        .get("event")
        .cloned()
        .unwrap_or_else(|| node::s("s3:ObjectCreated:*", at));
    let existing = node::truthy(ev.get("existing"));
    let name = node::text(Some(&bucket)).map(str::to_string);
    let Some(name) = name.filter(|_| !existing) else {
        // An existing bucket (or one named by an intrinsic): the Framework configures its
        // notification with a custom resource; the function is triggered all the same.
        return Some(ev.sam("S3", "S3", vec![("Bucket", bucket), ("Events", event)]));
    };
    let mut config = vec![("Event", event), ("Function", ev.fn_arn())];
    if let Some(rules) = ev.get("rules") {
        let filter = node::map(
            vec![(
                "S3Key",
                node::map(vec![("Rules", rules.clone())], At::of(rules)),
            )],
            At::of(rules),
        );
        config.push(("Filter", filter));
    }
    let id = format!("S3Bucket{}", node::alnum(&name));
    let body = node::map(
        vec![
            ("Type", node::s("AWS::S3::Bucket", at)),
            (
                "Properties",
                node::map(
                    vec![
                        ("BucketName", bucket),
                        (
                            "NotificationConfiguration",
                            node::map(
                                vec![(
                                    "LambdaConfigurations",
                                    node::seq(vec![node::map(config, at)], at),
                                )],
                                at,
                            ),
                        ),
                    ],
                    at,
                ),
            ),
        ],
        at,
    );
    tr.add_resource(&id, body);
    None
}

fn arn_of<'n>(ev: &'n Ev<'_>) -> Option<&'n Node> {
    if ev.value.as_map().is_none() || ev.value.tag.is_some() {
        return Some(ev.value);
    }
    // An intrinsic (`Fn::GetAtt: [...]`) given as the event's value.
    if ev
        .value
        .as_map()
        .and_then(|m| m.first())
        .and_then(|(k, _)| k.as_str())
        .is_some_and(|k| k == "Ref" || k.starts_with("Fn::"))
    {
        return Some(ev.value);
    }
    ev.get("arn")
}

fn sqs(ev: &Ev<'_>, statements: &mut Vec<Node>) -> Option<(String, Node)> {
    let arn = arn_of(ev)?.clone();
    statements.push(iam::statement(
        &[
            "sqs:ReceiveMessage",
            "sqs:DeleteMessage",
            "sqs:GetQueueAttributes",
        ],
        vec![arn.clone()],
        ev.at,
    ));
    let mut props = vec![("Queue", arn)];
    if let Some(b) = ev.get("batchSize") {
        props.push(("BatchSize", b.clone()));
    }
    Some(ev.sam("Sqs", "SQS", props))
}

fn sns(tr: &mut Tr<'_>, ev: &Ev<'_>) -> Option<(String, Node)> {
    let at = ev.at;
    let value = match ev.value.as_map() {
        Some(_) if ev.value.tag.is_none() && ev.get("arn").is_some() => ev.get("arn")?.clone(),
        Some(_) if ev.value.tag.is_none() && ev.get("topicName").is_some() => {
            ev.get("topicName")?.clone()
        }
        _ => ev.value.clone(),
    };
    let topic = match node::text(Some(&value)) {
        Some(name) if !name.starts_with("arn:") => {
            let id = format!("SNSTopic{}", node::alnum(name));
            let body = node::map(
                vec![
                    ("Type", node::s("AWS::SNS::Topic", at)),
                    (
                        "Properties",
                        node::map(vec![("TopicName", value.clone())], at),
                    ),
                ],
                at,
            );
            if !tr.resources.iter().any(|(i, _)| *i == id) {
                tr.add_resource(&id, body);
            }
            node::reference(&id, At::of(&value))
        }
        _ => value,
    };
    let mut props = vec![("Topic", topic)];
    if let Some(fp) = ev.get("filterPolicy") {
        props.push(("FilterPolicy", fp.clone()));
    }
    Some(ev.sam("Sns", "SNS", props))
}

fn stream(tr: &mut Tr<'_>, ev: &Ev<'_>, statements: &mut Vec<Node>) -> Option<(String, Node)> {
    let arn = arn_of(ev)?.clone();
    let declared = node::text(ev.get("type")).map(str::to_ascii_lowercase);
    let flat = flat_text(&arn);
    let kind = match declared.as_deref() {
        Some("dynamodb") => "DynamoDB",
        Some("kinesis") => "Kinesis",
        _ if flat.contains(":dynamodb:") || flat.contains("StreamArn") => "DynamoDB",
        _ if flat.contains(":kinesis:") => "Kinesis",
        _ => {
            tr.warn(
                "stream event: cannot tell DynamoDB from Kinesis; give `type`".into(),
                ev.value,
            );
            "Kinesis"
        }
    };
    let actions: &[&str] = if kind == "DynamoDB" {
        &[
            "dynamodb:GetRecords",
            "dynamodb:GetShardIterator",
            "dynamodb:DescribeStream",
            "dynamodb:ListStreams",
        ]
    } else {
        &[
            "kinesis:GetRecords",
            "kinesis:GetShardIterator",
            "kinesis:DescribeStreamSummary",
            "kinesis:ListShards",
        ]
    };
    statements.push(iam::statement(actions, vec![arn.clone()], ev.at));
    let mut props = vec![
        ("Stream", arn),
        (
            "StartingPosition",
            ev.get("startingPosition")
                .cloned()
                .unwrap_or_else(|| node::s("TRIM_HORIZON", ev.at)),
        ),
    ];
    if let Some(b) = ev.get("batchSize") {
        props.push(("BatchSize", b.clone()));
    }
    if let Some(d) = ev.get("destinations").and_then(|d| d.get("onFailure")) {
        let arn = d.get("arn").unwrap_or(d).clone();
        props.push((
            "DestinationConfig",
            node::map(
                vec![(
                    "OnFailure",
                    node::map(vec![("Destination", arn)], At::of(d)),
                )],
                At::of(d),
            ),
        ));
    }
    Some(ev.sam("Stream", kind, props))
}

/// Every string of a node, joined: enough to recognise an ARN's service.
pub(crate) fn flat_text(n: &Node) -> String {
    let mut out = String::new();
    fn walk(n: &Node, out: &mut String, depth: usize) {
        if depth > 32 || out.len() > 4096 {
            return;
        }
        match &n.kind {
            NodeKind::Str(s) | NodeKind::Number(s) => {
                out.push_str(s);
                out.push(' ');
            }
            NodeKind::Seq(items) => items.iter().for_each(|i| walk(i, out, depth + 1)),
            NodeKind::Map(entries) => entries.iter().for_each(|(k, v)| {
                walk(k, out, depth + 1);
                walk(v, out, depth + 1);
            }),
            _ => {}
        }
    }
    walk(n, &mut out, 0);
    out
}

fn schedule(ev: &Ev<'_>) -> Vec<(String, Node)> {
    let rates: Vec<Node> = match node::text(Some(ev.value)) {
        Some(_) => vec![ev.value.clone()],
        None => ev
            .get("rate")
            .map(|r| node::items(r).into_iter().cloned().collect())
            .unwrap_or_default(),
    };
    let mut out = Vec::new();
    for (i, rate) in rates.into_iter().enumerate() {
        let mut props = vec![("Schedule", rate)];
        if let Some(e) = ev.get("enabled") {
            props.push(("Enabled", e.clone()));
        }
        if let Some(input) = ev.get("input") {
            props.push(("Input", input.clone()));
        }
        let (name, body) = ev.sam("Schedule", "Schedule", props);
        let name = if i == 0 { name } else { format!("{name}x{i}") };
        out.push((name, body));
    }
    out
}

fn event_bridge(ev: &Ev<'_>) -> Option<(String, Node)> {
    if let Some(s) = ev.get("schedule") {
        return Some(ev.sam("EventBridge", "Schedule", vec![("Schedule", s.clone())]));
    }
    let mut props = Vec::new();
    if let Some(p) = ev.get("pattern") {
        props.push(("Pattern", p.clone()));
    }
    if let Some(b) = ev.get("eventBus") {
        props.push(("EventBusName", b.clone()));
    }
    Some(ev.sam("EventBridge", "EventBridgeRule", props))
}

fn cloudwatch_event(ev: &Ev<'_>) -> Option<(String, Node)> {
    let mut props = Vec::new();
    if let Some(p) = ev.get("event") {
        props.push(("Pattern", p.clone()));
    }
    Some(ev.sam("CloudWatchEvent", "CloudWatchEvent", props))
}

fn cloudwatch_log(ev: &Ev<'_>) -> Option<(String, Node)> {
    let group = match node::text(Some(ev.value)) {
        Some(_) => ev.value.clone(),
        None => ev.get("logGroup")?.clone(),
    };
    let mut props = vec![("LogGroupName", group)];
    props.push((
        "FilterPattern",
        ev.get("filter")
            .cloned()
            .unwrap_or_else(|| node::s("", ev.at)),
    ));
    Some(ev.sam("CloudWatchLog", "CloudWatchLogs", props))
}

fn iot(ev: &Ev<'_>) -> Option<(String, Node)> {
    let mut props = Vec::new();
    if let Some(s) = ev.get("sql") {
        props.push(("Sql", s.clone()));
    }
    Some(ev.sam("Iot", "IoTRule", props))
}

fn cognito(tr: &mut Tr<'_>, ev: &Ev<'_>) -> Option<(String, Node)> {
    let at = ev.at;
    let pool = ev.get("pool")?.clone();
    let trigger = node::text(ev.get("trigger"))
        .unwrap_or("PreSignUp")
        .to_string();
    let name = node::text(Some(&pool)).map(str::to_string);
    if node::truthy(ev.get("existing")) || name.is_none() {
        return Some(ev.sam(
            "Cognito",
            "Cognito",
            vec![("UserPool", pool), ("Trigger", node::s(&trigger, at))],
        ));
    }
    let id = format!(
        "CognitoUserPool{}",
        node::alnum(name.as_deref().unwrap_or(""))
    );
    let body = node::map(
        vec![
            ("Type", node::s("AWS::Cognito::UserPool", at)),
            (
                "Properties",
                node::map(
                    vec![
                        ("UserPoolName", pool),
                        (
                            "LambdaConfig",
                            node::map_owned(vec![(trigger, ev.fn_arn())], at),
                        ),
                    ],
                    at,
                ),
            ),
        ],
        at,
    );
    tr.add_resource(&id, body);
    None
}

fn alb(tr: &mut Tr<'_>, ev: &Ev<'_>) {
    let at = ev.at;
    let norm = node::normalize(&ev.f.key);
    let id = format!("{norm}AlbTargetGroup{}", ev.n);
    tr.add_resource(
        &id,
        Node {
            start: ev.item.start,
            end: ev.item.end,
            ..node::map(
                vec![
                    (
                        "Type",
                        node::s("AWS::ElasticLoadBalancingV2::TargetGroup", at),
                    ),
                    (
                        "Properties",
                        node::map(
                            vec![
                                ("TargetType", node::s("lambda", at)),
                                (
                                    "Targets",
                                    node::seq(vec![node::map(vec![("Id", ev.fn_arn())], at)], at),
                                ),
                            ],
                            at,
                        ),
                    ),
                ],
                at,
            )
        },
    );
    let mut rule = vec![(
        "Actions",
        node::seq(
            vec![node::map(
                vec![
                    ("Type", node::s("forward", at)),
                    ("TargetGroupArn", node::reference(&id, at)),
                ],
                at,
            )],
            at,
        ),
    )];
    if let Some(l) = ev.get("listenerArn") {
        rule.push(("ListenerArn", l.clone()));
    }
    if let Some(p) = ev.get("priority") {
        rule.push(("Priority", p.clone()));
    }
    if let Some(c) = ev.get("conditions") {
        rule.push(("Conditions", c.clone()));
    }
    tr.add_resource(
        &format!("{norm}AlbListenerRule{}", ev.n),
        node::map(
            vec![
                (
                    "Type",
                    node::s("AWS::ElasticLoadBalancingV2::ListenerRule", at),
                ),
                ("Properties", node::map(rule, at)),
            ],
            at,
        ),
    );
    tr.add_resource(
        &format!("{norm}LambdaPermissionAlb{}", ev.n),
        node::map(
            vec![
                ("Type", node::s("AWS::Lambda::Permission", at)),
                (
                    "Properties",
                    node::map(
                        vec![
                            ("FunctionName", ev.fn_arn()),
                            ("Action", node::s("lambda:InvokeFunction", at)),
                            (
                                "Principal",
                                node::s("elasticloadbalancing.amazonaws.com", at),
                            ),
                            ("SourceArn", node::reference(&id, at)),
                        ],
                        at,
                    ),
                ),
            ],
            at,
        ),
    );
}

/// Event types the model has no dedicated trigger for, kept as a trigger of their own kind.
fn other(ev: &Ev<'_>, kind: &str) -> Option<(String, Node)> {
    let sam_type = match kind {
        "kafka" => "SelfManagedKafka",
        "msk" => "MSK",
        "activemq" | "rabbitmq" => "MQ",
        "alexaSkill" => "AlexaSkill",
        "cloudFront" => "CloudFront",
        other => other,
    };
    let mut props = Vec::new();
    if let Some(arn) = ev.get("arn") {
        props.push(("Stream", arn.clone()));
    }
    if let Some(b) = ev.get("broker").or_else(|| ev.get("basicAuthArn")) {
        props.push(("Broker", b.clone()));
    }
    Some(ev.sam(&node::alnum(kind), sam_type, props))
}

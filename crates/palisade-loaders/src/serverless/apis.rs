//! The APIs the Framework creates for `http`, `httpApi` and `websocket` events, and function
//! URLs. REST and HTTP APIs are written as SAM APIs (`ApiGatewayRestApi`, `HttpApi`) so that
//! SAM's authorizer and route reading applies; WebSocket APIs as plain CloudFormation.

use std::collections::BTreeMap;

use super::node::{self, At};
use super::translate::Tr;
use crate::yaml::Node;

pub(crate) const REST_API: &str = "ApiGatewayRestApi";
pub(crate) const HTTP_API: &str = "HttpApi";
pub(crate) const WEBSOCKET_API: &str = "WebsocketsApi";

/// The REST API, once an `http` event needs it.
#[derive(Default)]
pub(crate) struct RestApi {
    /// Where the first `http` event is.
    pub first: Option<At>,
    /// SAM authorizer definitions by name.
    pub authorizers: BTreeMap<String, Node>,
    /// The most permissive CORS setting of the events, in SAM's shape.
    pub cors: Option<Node>,
}

#[derive(Default)]
pub(crate) struct HttpApi {
    pub first: Option<At>,
}

#[derive(Default)]
pub(crate) struct WebSocket {
    pub first: Option<At>,
}

/// `url: true` or `url: {authorizer: aws_iam, cors: …}`.
pub(crate) fn function_url(url: &Node) -> Node {
    let at = At::of(url);
    let iam = url
        .get("authorizer")
        .and_then(|a| a.as_str())
        .is_some_and(|a| a.eq_ignore_ascii_case("aws_iam"));
    let mut entries = vec![(
        "AuthType",
        node::s(if iam { "AWS_IAM" } else { "NONE" }, at),
    )];
    if let Some(cors) = url.get("cors").filter(|c| node::enabled(Some(c))) {
        entries.push(("Cors", cors_v2(cors)));
    }
    node::map(entries, at)
}

/// `cors: true` or `{allowedOrigins, allowCredentials}` in the HTTP API / URL shape.
fn cors_v2(cors: &Node) -> Node {
    let at = At::of(cors);
    if cors.as_map().is_none() {
        // `cors: true`: the Framework allows every origin.
        return node::map(
            vec![("AllowOrigins", node::seq(vec![node::s("*", at)], at))],
            at,
        );
    }
    let mut entries = Vec::new();
    let origins = cors
        .get("allowedOrigins")
        .map(|o| node::seq(node::items(o).into_iter().cloned().collect(), At::of(o)))
        .unwrap_or_else(|| node::seq(vec![node::s("*", at)], at));
    entries.push(("AllowOrigins", origins));
    if let Some(c) = cors.get("allowCredentials") {
        entries.push(("AllowCredentials", c.clone()));
    }
    node::map(entries, at)
}

/// Record the CORS setting of an `http` event: `true` or `{origin(s), allowCredentials}`.
pub(crate) fn rest_cors(tr: &mut Tr<'_>, cors: &Node) {
    if !node::enabled(Some(cors)) {
        return;
    }
    let at = At::of(cors);
    let origin = match cors.as_map() {
        None => "*".to_string(),
        Some(_) => cors
            .get("origin")
            .and_then(Node::as_str)
            .map(str::to_string)
            .or_else(|| {
                cors.get("origins").map(|o| {
                    node::items(o)
                        .iter()
                        .filter_map(|i| i.as_str())
                        .collect::<Vec<_>>()
                        .join(",")
                })
            })
            .unwrap_or_else(|| "*".to_string()),
    };
    let credentials = node::truthy(cors.get("allowCredentials"));
    let mut entries = vec![("AllowOrigin", node::s(&format!("'{origin}'"), at))];
    if credentials {
        entries.push(("AllowCredentials", node::boolean(true, at)));
    }
    let candidate = node::map(entries, at);
    let open = |n: &Node| {
        n.get("AllowCredentials").is_some()
            && n.get("AllowOrigin").and_then(Node::as_str) == Some("'*'")
    };
    match &tr.rest.cors {
        Some(old) if open(old) || !credentials => {}
        _ => tr.rest.cors = Some(candidate),
    }
}

/// The authorizer name an `http` event uses, declaring it on the REST API.
pub(crate) fn rest_authorizer(tr: &mut Tr<'_>, a: &Node) -> Option<String> {
    let at = At::of(a);
    let (name, arn, kind) = match a.as_map() {
        None => {
            let s = node::text(Some(a))?;
            if s.eq_ignore_ascii_case("aws_iam") {
                return Some("AWS_IAM".into());
            }
            (s.to_string(), None, None)
        }
        Some(_) => (
            node::text(a.get("name")).unwrap_or("").to_string(),
            a.get("arn").or_else(|| a.get("authorizerId")),
            node::text(a.get("type")).map(str::to_ascii_uppercase),
        ),
    };
    if kind.as_deref() == Some("AWS_IAM") {
        return Some("AWS_IAM".into());
    }
    let arn_text = arn.and_then(|n| node::text(Some(n))).map(str::to_string);
    let cognito = kind.as_deref() == Some("COGNITO_USER_POOLS")
        || arn_text
            .as_deref()
            .is_some_and(|s| s.contains(":cognito-idp:"))
        || name.contains(":cognito-idp:");
    let (name, target) = if name.starts_with("arn:") {
        let short = name.rsplit([':', '/']).next().unwrap_or(&name).to_string();
        (short, node::s(&name, at))
    } else if let Some(arn) = arn {
        let short = if name.is_empty() {
            arn_text
                .as_deref()
                .and_then(|t| t.rsplit([':', '/']).next())
                .unwrap_or("authorizer")
                .to_string()
        } else {
            name
        };
        (short, arn.clone())
    } else {
        match tr.function_id(&name) {
            Some(fid) => (name.clone(), node::get_att(fid, "Arn", at)),
            None => {
                tr.warn(
                    format!("authorizer `{name}` is neither a function of this service nor an ARN"),
                    a,
                );
                (name.clone(), node::s(&name, at))
            }
        }
    };
    let key = if cognito {
        "UserPoolArn"
    } else {
        "FunctionArn"
    };
    tr.rest
        .authorizers
        .entry(name.clone())
        .or_insert_with(|| node::map(vec![(key, target)], at));
    Some(name)
}

/// Create the APIs the events asked for.
pub(crate) fn finish(tr: &mut Tr<'_>) {
    if let Some(at) = tr.rest.first {
        rest_api(tr, at);
    }
    if let Some(at) = tr.http.first {
        http_api(tr, at);
    }
    if let Some(at) = tr.websocket.first {
        websocket_api(tr, at);
    }
}

/// `provider.logs.<key>`: `true` or a mapping; `(enabled, settings)`.
fn logs<'n>(tr: &Tr<'n>, key: &str) -> Option<&'n Node> {
    tr.provider("logs")
        .and_then(|l| l.get(key))
        .filter(|l| node::enabled(Some(l)))
}

fn log_group(tr: &mut Tr<'_>, id: &str, name: Node, at: At) {
    let mut props = vec![("LogGroupName", name)];
    if let Some(r) = tr.provider("logRetentionInDays") {
        props.push(("RetentionInDays", r.clone()));
    }
    let body = node::map(
        vec![
            ("Type", node::s("AWS::Logs::LogGroup", at)),
            ("Properties", node::map(props, at)),
        ],
        at,
    );
    tr.add_resource(id, body);
}

/// The log group `<prefix><service>-<stage>` the Framework creates for an API's access logs,
/// and the access log settings that point at it.
fn access_log_group(tr: &mut Tr<'_>, prefix: &str, id: &str, at: At) -> Node {
    let name = node::concat(
        vec![
            node::s(prefix, at),
            tr.service.clone(),
            node::s("-", at),
            tr.stage.clone(),
        ],
        at,
    );
    log_group(tr, id, name, at);
    node::map(vec![("DestinationArn", node::get_att(id, "Arn", at))], at)
}

fn rest_api(tr: &mut Tr<'_>, at: At) {
    let gw = tr.provider("apiGateway");
    if gw.and_then(|g| g.get("restApiId")).is_some() {
        // The API belongs to another stack.
        return;
    }
    let mut props: Vec<(&str, Node)> = vec![
        ("StageName", tr.stage.clone()),
        ("Name", {
            let parts = vec![tr.stage.clone(), node::s("-", at), tr.service.clone()];
            node::concat(parts, at)
        }),
    ];
    let endpoint = tr
        .provider("endpointType")
        .or_else(|| gw.and_then(|g| g.get("endpointType")))
        .cloned()
        .unwrap_or_else(|| node::s("EDGE", at));
    props.push((
        "EndpointConfiguration",
        node::map(vec![("Type", endpoint)], at),
    ));
    if let Some(t) = tr.provider("tracing").and_then(|t| t.get("apiGateway")) {
        props.push(("TracingEnabled", t.clone()));
    }
    if let Some(d) = gw.and_then(|g| g.get("disableDefaultEndpoint")) {
        props.push(("DisableExecuteApiEndpoint", d.clone()));
    }
    if let Some(m) = gw.and_then(|g| g.get("minimumCompressionSize")) {
        props.push(("MinimumCompressionSize", m.clone()));
    }
    if let Some(l) = logs(tr, "restApi") {
        let lat = At::of(l);
        let access = l
            .get("accessLogging")
            .is_none_or(|a| node::enabled(Some(a)));
        let execution = l
            .get("executionLogging")
            .is_none_or(|a| node::enabled(Some(a)));
        if access {
            let settings = access_log_group(tr, "/aws/api-gateway/", "ApiGatewayLogGroup", lat);
            props.push(("AccessLogSetting", settings));
        }
        if execution {
            let level = l
                .get("level")
                .cloned()
                .unwrap_or_else(|| node::s("INFO", lat));
            props.push((
                "MethodSettings",
                node::seq(
                    vec![node::map(
                        vec![
                            ("ResourcePath", node::s("/*", lat)),
                            ("HttpMethod", node::s("*", lat)),
                            ("LoggingLevel", level),
                        ],
                        lat,
                    )],
                    lat,
                ),
            ));
        }
    }
    let mut auth: Vec<(&str, Node)> = Vec::new();
    let authorizers = std::mem::take(&mut tr.rest.authorizers);
    if !authorizers.is_empty() {
        auth.push((
            "Authorizers",
            node::map_owned(authorizers.into_iter().collect(), at),
        ));
    }
    if let Some(p) = gw.and_then(|g| g.get("resourcePolicy")) {
        auth.push((
            "ResourcePolicy",
            node::map(vec![("CustomStatements", p.clone())], At::of(p)),
        ));
    }
    if !auth.is_empty() {
        props.push(("Auth", node::map(auth, at)));
    }
    if let Some(c) = tr.rest.cors.take() {
        props.push(("Cors", c));
    }
    let body = node::map(
        vec![
            ("Type", node::s("AWS::Serverless::Api", at)),
            ("Properties", node::map(props, at)),
        ],
        at,
    );
    tr.add_resource(REST_API, body);
}

/// The authorizers of `provider.httpApi.authorizers`, in SAM's shape.
fn http_authorizers(tr: &Tr<'_>) -> Vec<(String, Node)> {
    let Some(defs) = tr
        .provider("httpApi")
        .and_then(|h| h.get("authorizers"))
        .and_then(Node::as_map)
    else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (k, v) in defs {
        let Some(name) = k.as_str() else { continue };
        let at = At::of(v);
        let kind = node::text(v.get("type")).map(str::to_ascii_lowercase);
        let def = if kind.as_deref() == Some("request") {
            let target = match (v.get("functionArn"), node::text(v.get("functionName"))) {
                (Some(arn), _) => arn.clone(),
                (None, Some(f)) => match tr.function_id(f) {
                    Some(fid) => node::get_att(fid, "Arn", at),
                    None => node::s(f, at),
                },
                (None, None) => node::s(name, at),
            };
            node::map(vec![("FunctionArn", target)], at)
        } else {
            let mut jwt = Vec::new();
            if let Some(i) = v.get("issuerUrl") {
                jwt.push(("issuer", i.clone()));
            }
            if let Some(a) = v.get("audience") {
                jwt.push(("audience", a.clone()));
            }
            let mut entries = vec![("JwtConfiguration", node::map(jwt, at))];
            if let Some(i) = v.get("identitySource") {
                entries.push(("IdentitySource", i.clone()));
            }
            node::map(entries, at)
        };
        out.push((name.to_string(), def));
    }
    out
}

fn http_api(tr: &mut Tr<'_>, at: At) {
    let h = tr.provider("httpApi");
    if h.and_then(|h| h.get("id")).is_some() {
        return;
    }
    let mut props: Vec<(&str, Node)> = Vec::new();
    if let Some(c) = h
        .and_then(|h| h.get("cors"))
        .filter(|c| node::enabled(Some(c)))
    {
        let cors = if c.as_map().is_some() {
            cors_v2(c)
        } else {
            node::boolean(true, At::of(c))
        };
        props.push(("CorsConfiguration", cors));
    }
    if let Some(d) = h.and_then(|h| h.get("disableDefaultEndpoint")) {
        props.push(("DisableExecuteApiEndpoint", d.clone()));
    }
    if let Some(l) = logs(tr, "httpApi") {
        let lat = At::of(l);
        let settings = access_log_group(tr, "/aws/http-api/", "HttpApiLogGroup", lat);
        props.push(("AccessLogSettings", settings));
    }
    let authorizers = http_authorizers(tr);
    if !authorizers.is_empty() {
        props.push((
            "Auth",
            node::map(vec![("Authorizers", node::map_owned(authorizers, at))], at),
        ));
    }
    let body = node::map(
        vec![
            ("Type", node::s("AWS::Serverless::HttpApi", at)),
            ("Properties", node::map(props, at)),
        ],
        at,
    );
    tr.add_resource(HTTP_API, body);
}

fn websocket_api(tr: &mut Tr<'_>, at: At) {
    let selection = tr
        .provider("websocketsApiRouteSelectionExpression")
        .cloned()
        .unwrap_or_else(|| node::s("$request.body.action", at));
    let name = node::concat(
        vec![
            tr.stage.clone(),
            node::s("-", at),
            tr.service.clone(),
            node::s("-websockets", at),
        ],
        at,
    );
    let body = node::map(
        vec![
            ("Type", node::s("AWS::ApiGatewayV2::Api", at)),
            (
                "Properties",
                node::map(
                    vec![
                        ("Name", name),
                        ("ProtocolType", node::s("WEBSOCKET", at)),
                        ("RouteSelectionExpression", selection),
                    ],
                    at,
                ),
            ),
        ],
        at,
    );
    tr.add_resource(WEBSOCKET_API, body);
    let mut stage = vec![
        ("ApiId", node::reference(WEBSOCKET_API, at)),
        ("StageName", tr.stage.clone()),
    ];
    if let Some(l) = logs(tr, "websocket") {
        let lat = At::of(l);
        let settings = access_log_group(tr, "/aws/websocket/", "WebsocketsLogGroup", lat);
        stage.push(("AccessLogSettings", settings));
    }
    let body = node::map(
        vec![
            ("Type", node::s("AWS::ApiGatewayV2::Stage", at)),
            ("Properties", node::map(stage, at)),
        ],
        at,
    );
    tr.add_resource("WebsocketsDeploymentStage", body);
}

/// `arn:${Partition}:apigateway:${Region}:lambda:path/2015-03-31/functions/<fn>/invocations`.
pub(crate) fn invocation_uri(fn_arn: Node, at: At) -> Node {
    node::concat(
        vec![
            node::s("arn:", at),
            node::reference("AWS::Partition", at),
            node::s(":apigateway:", at),
            node::reference("AWS::Region", at),
            node::s(":lambda:path/2015-03-31/functions/", at),
            fn_arn,
            node::s("/invocations", at),
        ],
        at,
    )
}

/// `$connect` → `Sconnect`: the Framework's spelling of a route in logical ids.
pub(crate) fn route_id(route: &str) -> String {
    let replaced: String = route
        .chars()
        .map(|c| if c == '$' { 'S' } else { c })
        .collect();
    node::alnum(&replaced)
}

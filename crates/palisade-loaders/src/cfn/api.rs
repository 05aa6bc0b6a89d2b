//! API Gateway APIs: SAM `Api`/`HttpApi` (with their auth settings and stage), CloudFormation
//! `RestApi`/`ApiGatewayV2::Api`, and routes declared in an inline OpenAPI body.

use std::collections::BTreeMap;

use palisade_model::{Api, ApiKind, Auth, Cors, Prop, Route, Span, Stage, Text, Value, ValueKind};

use super::function::cors_v2;
use super::{Builder, Res};
use crate::yaml::Node;

/// What decides who may call the routes of one API.
#[derive(Clone, Debug, Default)]
pub(crate) struct ApiAuth {
    /// `Auth.DefaultAuthorizer` and where it is set.
    pub default: Option<(String, Span)>,
    pub authorizers: BTreeMap<String, Auth>,
    pub api_key_required: bool,
    /// Routes are defined in a document Palisade does not read (`DefinitionUri`).
    pub external_definition: Option<String>,
}

impl ApiAuth {
    /// The auth an authorizer name stands for.
    pub fn resolve(&self, name: &str) -> Auth {
        match name {
            "NONE" => Auth::None,
            "AWS_IAM" => Auth::Iam,
            _ => self
                .authorizers
                .get(name)
                .cloned()
                .unwrap_or_else(|| Auth::Unknown(format!("authorizer `{name}` is not defined"))),
        }
    }
}

/// `AWS::Serverless::Api` / `AWS::Serverless::HttpApi`.
pub(crate) fn sam_api(b: &mut Builder<'_>, res: &Res<'_>, kind: ApiKind) {
    let section = if kind == ApiKind::Rest {
        "Api"
    } else {
        "HttpApi"
    };
    let merged = super::sam::with_globals(b, section, res.props);
    let span = b.res_span(res);
    sam_api_from(b, res.id, merged.as_ref(), span, kind, false, Some(res));
}

pub(crate) fn sam_api_from(
    b: &mut Builder<'_>,
    id: &str,
    props: Option<&Node>,
    span: Span,
    kind: ApiKind,
    implicit: bool,
    res: Option<&Res<'_>>,
) {
    let type_name = match (kind, res) {
        (_, Some(r)) => r.type_name.to_string(),
        (ApiKind::Rest, None) => "AWS::Serverless::Api".to_string(),
        (_, None) => "AWS::Serverless::HttpApi".to_string(),
    };
    let mut api = Api {
        id: id.to_string(),
        kind,
        resource_type: type_name,
        span,
        implicit,
        stages: Vec::new(),
        routes: Vec::new(),
        cors: None,
        endpoint_type: endpoint_type(b, props),
        disable_execute_api_endpoint: b.boolean(props, "DisableExecuteApiEndpoint"),
        resource_policy: b
            .block(props, "Auth")
            .and_then(|a| a.get("ResourcePolicy").map(|n| b.span(n))),
        condition: res.and_then(|r| r.condition.clone()),
        suppressions: res.map(|r| r.suppressions.clone()).unwrap_or_default(),
    };

    // The stage SAM deploys.
    let stage_name = match b.text(props, "StageName") {
        Some(s) => s,
        None => Prop::known(
            Text::lit(match (kind, implicit) {
                (ApiKind::Rest, true) => "Prod",
                (ApiKind::Rest, false) => "<StageName>",
                _ => "$default",
            }),
            span,
        ),
    };
    let mut stage = Stage {
        name: stage_name,
        span,
        resource: None,
        access_log_destination: None,
        execution_logging: None,
        tracing: None,
        throttling: None,
        waf: None,
        cache_encrypted: None,
    };
    match kind {
        ApiKind::Rest => {
            stage.access_log_destination = b
                .block(props, "AccessLogSetting")
                .and_then(|a| b.text(Some(&a), "DestinationArn"));
            method_settings(b, props.and_then(|p| p.get("MethodSettings")), &mut stage);
            stage.tracing = b.boolean(props, "TracingEnabled");
            stage.cache_encrypted = None;
            api.cors = props.and_then(|p| p.get("Cors")).map(|c| cors_rest(b, c));
        }
        ApiKind::Http | ApiKind::WebSocket => {
            stage.access_log_destination = b
                .block(props, "AccessLogSettings")
                .and_then(|a| b.text(Some(&a), "DestinationArn"));
            if let Some(route) = b.block(props, "DefaultRouteSettings") {
                route_settings(b, &route, &mut stage);
            }
            api.cors = b.block(props, "CorsConfiguration").map(|c| {
                // `CorsConfiguration: true` allows every origin.
                if b.r.resolve(&c).as_bool() == Some(true) {
                    Cors {
                        allow_origins: vec![Prop::known(Text::lit("*"), b.span(&c))],
                        allow_credentials: None,
                        span: b.span(&c),
                    }
                } else {
                    cors_v2(b, &c)
                }
            });
        }
    }
    api.stages.push(stage);

    let mut auth = ApiAuth::default();
    if let Some(a) = b.block(props, "Auth") {
        if let Some(d) = a.get("DefaultAuthorizer") {
            auth.default = Some((b.r.resolve(d).render(), b.span(d)));
        }
        auth.api_key_required = b
            .boolean(Some(&a), "ApiKeyRequired")
            .and_then(|p| p.get().copied())
            .unwrap_or(false);
        if let Some(defs) = a.get("Authorizers").and_then(Node::as_map) {
            for (k, v) in defs {
                let Some(name) = k.as_str() else { continue };
                let auth_kind = if v.get("UserPoolArn").is_some() {
                    Auth::Cognito {
                        authorizer: name.to_string(),
                    }
                } else if v.get("JwtConfiguration").is_some() {
                    Auth::Jwt {
                        authorizer: name.to_string(),
                    }
                } else if v.get("FunctionArn").is_some() {
                    Auth::Lambda {
                        authorizer: name.to_string(),
                    }
                } else {
                    Auth::Unknown(format!("authorizer `{name}`"))
                };
                auth.authorizers.insert(name.to_string(), auth_kind);
            }
        }
    }
    if let Some(uri) = props.and_then(|p| p.get("DefinitionUri")) {
        auth.external_definition = Some(b.r.resolve(uri).render());
    }
    if let Some(body) = props.and_then(|p| p.get("DefinitionBody")) {
        let body = b.r.resolve(body);
        if body.as_map().is_none() {
            // `Fn::Transform: AWS::Include` and the like: the routes are in another document.
            auth.external_definition = Some(body.render());
        }
        openapi_routes(b, &body, &mut api);
        // SAM adds the default authorizer to every method of the definition that states no
        // security of its own.
        if let Some((name, span)) = &auth.default {
            for route in api.routes.iter_mut().filter(|r| r.auth_span.is_none()) {
                route.auth = auth.resolve(name);
                route.auth_span = Some(*span);
            }
        }
    }
    b.api_auth.insert(id.to_string(), auth);
    b.app.apis.push(api);
}

fn endpoint_type(b: &Builder<'_>, props: Option<&Node>) -> Option<Prop<String>> {
    let ep = props?.get("EndpointConfiguration")?;
    let v = b.r.resolve(ep);
    // SAM writes `Type: PRIVATE`, CloudFormation `Types: [PRIVATE]`.
    let t = match v.get("Type").or_else(|| v.get("Types")) {
        Some(t) => t.clone(),
        None => v,
    };
    let t = match &t.kind {
        ValueKind::List(items) => items.first().cloned().unwrap_or(t),
        _ => t,
    };
    Some(Prop::from_value(&t, |v| v.as_str().map(str::to_string)))
}

/// `MethodSettings` (REST): the entry for all methods decides the stage's defaults.
pub(crate) fn method_settings(b: &Builder<'_>, settings: Option<&Node>, stage: &mut Stage) {
    let Some(items) = settings.and_then(Node::as_seq) else {
        return;
    };
    for item in items {
        let path = b
            .value(Some(item), "ResourcePath")
            .and_then(|v| v.as_str().map(str::to_string));
        let method = b
            .value(Some(item), "HttpMethod")
            .and_then(|v| v.as_str().map(str::to_string));
        let all =
            path.as_deref().is_none_or(|p| p == "/*") && method.as_deref().is_none_or(|m| m == "*");
        if !all {
            continue;
        }
        if let Some(level) = b.string(Some(item), "LoggingLevel") {
            stage.execution_logging = Some(level);
        }
        if item.get("ThrottlingBurstLimit").is_some() || item.get("ThrottlingRateLimit").is_some() {
            stage.throttling = Some(b.span(item));
        }
        if let Some(enc) = b.boolean(Some(item), "CacheDataEncrypted") {
            stage.cache_encrypted = Some(enc);
        }
    }
}

/// `DefaultRouteSettings` (HTTP and WebSocket APIs).
pub(crate) fn route_settings(b: &Builder<'_>, route: &Node, stage: &mut Stage) {
    if route.get("ThrottlingBurstLimit").is_some() || route.get("ThrottlingRateLimit").is_some() {
        stage.throttling = Some(b.span(route));
    }
    if let Some(level) = b.string(Some(route), "LoggingLevel") {
        stage.execution_logging = Some(level);
    }
}

/// SAM REST API `Cors`: a quoted origin string, or a map with `AllowOrigin` (quoted) and
/// `AllowCredentials`. The quotes are API Gateway's header-value syntax, not part of the value.
fn cors_rest(b: &Builder<'_>, node: &Node) -> Cors {
    let v = b.r.resolve(node);
    let unquote = |p: Prop<Text>| {
        p.map(|t| match t.literal() {
            Some(s) => Text::lit(s.trim().trim_matches('\'')),
            None => t.clone(),
        })
    };
    match v.get("AllowOrigin") {
        Some(origin) => Cors {
            allow_origins: vec![unquote(Prop::from_text_value(origin))],
            allow_credentials: v
                .get("AllowCredentials")
                .map(|c| Prop::from_value(c, Value::as_bool)),
            span: v.span,
        },
        None => Cors {
            allow_origins: vec![unquote(Prop::from_text_value(&v))],
            allow_credentials: None,
            span: v.span,
        },
    }
}

/// `AWS::ApiGateway::RestApi`: stages, methods and authorizers are resources of their own,
/// read when linking.
pub(crate) fn rest_api(b: &mut Builder<'_>, res: &Res<'_>) {
    let mut api = Api {
        id: res.id.to_string(),
        kind: ApiKind::Rest,
        resource_type: res.type_name.to_string(),
        span: b.res_span(res),
        implicit: false,
        stages: Vec::new(),
        routes: Vec::new(),
        cors: None,
        endpoint_type: endpoint_type(b, res.props),
        disable_execute_api_endpoint: b.boolean(res.props, "DisableExecuteApiEndpoint"),
        resource_policy: res.props.and_then(|p| p.get("Policy")).map(|n| b.span(n)),
        condition: res.condition.clone(),
        suppressions: res.suppressions.clone(),
    };
    if let Some(body) = res.props.and_then(|p| p.get("Body")) {
        let body = b.r.resolve(body);
        openapi_routes(b, &body, &mut api);
    }
    let mut auth = ApiAuth::default();
    if let Some(loc) = res.props.and_then(|p| p.get("BodyS3Location")) {
        auth.external_definition = Some(b.r.resolve(loc).render());
    }
    b.api_auth.insert(res.id.to_string(), auth);
    b.app.apis.push(api);
}

/// `AWS::ApiGatewayV2::Api`, including "quick create" (`Target`), which makes a `$default`
/// route with no authorization.
pub(crate) fn v2_api(b: &mut Builder<'_>, res: &Res<'_>) {
    let protocol = b
        .value(res.props, "ProtocolType")
        .and_then(|v| v.as_str().map(str::to_ascii_uppercase));
    let kind = if protocol.as_deref() == Some("WEBSOCKET") {
        ApiKind::WebSocket
    } else {
        ApiKind::Http
    };
    let mut api = Api {
        id: res.id.to_string(),
        kind,
        resource_type: res.type_name.to_string(),
        span: b.res_span(res),
        implicit: false,
        stages: Vec::new(),
        routes: Vec::new(),
        cors: b
            .block(res.props, "CorsConfiguration")
            .map(|c| cors_v2(b, &c)),
        endpoint_type: None,
        disable_execute_api_endpoint: b.boolean(res.props, "DisableExecuteApiEndpoint"),
        resource_policy: None,
        condition: res.condition.clone(),
        suppressions: res.suppressions.clone(),
    };
    if let Some(target) = b.value(res.props, "Target") {
        let function = function_in(b, &target);
        let route_key = b
            .value(res.props, "RouteKey")
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_else(|| "$default".to_string());
        let (method, path) = split_route_key(&route_key);
        api.routes.push(Route {
            method,
            path,
            span: target.span,
            auth: Auth::None,
            api_key_required: false,
            function,
            auth_span: None,
        });
        // Quick create also deploys a `$default` stage.
        api.stages.push(Stage {
            name: Prop::known(Text::lit("$default"), api.span),
            span: api.span,
            resource: None,
            access_log_destination: None,
            execution_logging: None,
            tracing: None,
            throttling: None,
            waf: None,
            cache_encrypted: None,
        });
    }
    if let Some(body) = res.props.and_then(|p| p.get("Body")) {
        let body = b.r.resolve(body);
        openapi_routes(b, &body, &mut api);
    }
    b.api_auth.insert(res.id.to_string(), ApiAuth::default());
    b.app.apis.push(api);
}

/// `GET /orders` → (`GET`, `/orders`); `$default` → (`ANY`, `$default`).
pub(crate) fn split_route_key(key: &str) -> (String, String) {
    match key.split_once(' ') {
        Some((m, p)) => (m.to_ascii_uppercase(), p.to_string()),
        None => ("ANY".to_string(), key.to_string()),
    }
}

/// The function an integration URI or target points at, when it is in the app.
pub(crate) fn function_in(b: &Builder<'_>, target: &Value) -> Option<String> {
    let text = target.to_text()?;
    text.referenced_ids()
        .map(|id| b.resource_id_of(id))
        .find(|id| {
            matches!(
                b.type_of(id),
                Some("AWS::Lambda::Function" | "AWS::Serverless::Function" | "AWS::Lambda::Alias")
            )
        })
        .map(str::to_string)
}

const HTTP_METHODS: &[&str] = &[
    "get",
    "put",
    "post",
    "delete",
    "options",
    "head",
    "patch",
    "trace",
    "x-amazon-apigateway-any-method",
];

/// Routes of an inline OpenAPI/Swagger document, with the authorization its `security`
/// requirements and API Gateway extensions give each method.
fn openapi_routes(b: &Builder<'_>, body: &Value, api: &mut Api) {
    let schemes = body
        .path(&["components", "securitySchemes"])
        .or_else(|| body.get("securityDefinitions"));
    let global_security = body.get("security");
    let Some(paths) = body.get("paths").and_then(Value::as_map) else {
        return;
    };
    for path in paths {
        let Some(methods) = path.value.as_map() else {
            continue;
        };
        for m in methods {
            let lower = m.key.to_ascii_lowercase();
            if !HTTP_METHODS.contains(&lower.as_str()) {
                continue;
            }
            let method = if lower == "x-amazon-apigateway-any-method" {
                "ANY".to_string()
            } else {
                lower.to_ascii_uppercase()
            };
            let security = m.value.get("security").or(global_security);
            let (auth, api_key_required) = security_auth(security, schemes);
            let function = m
                .value
                .path(&["x-amazon-apigateway-integration", "uri"])
                .and_then(|uri| function_in(b, uri));
            api.routes.push(Route {
                method,
                path: path.key.clone(),
                span: m.key_span.to(m.value.span),
                auth,
                api_key_required,
                function,
                auth_span: security.map(|s| s.span),
            });
        }
    }
}

/// Read an OpenAPI `security` requirement list.
fn security_auth(security: Option<&Value>, schemes: Option<&Value>) -> (Auth, bool) {
    let Some(reqs) = security.and_then(Value::as_list) else {
        return (Auth::None, false);
    };
    let mut api_key = false;
    let mut best = Auth::None;
    for req in reqs {
        for e in req.as_map().unwrap_or(&[]) {
            let scheme = schemes.and_then(|s| s.get(&e.key));
            let authtype = scheme
                .and_then(|s| s.get("x-amazon-apigateway-authtype"))
                .and_then(Value::as_str)
                .map(str::to_ascii_lowercase);
            let authorizer_type = scheme
                .and_then(|s| s.path(&["x-amazon-apigateway-authorizer", "type"]))
                .and_then(Value::as_str)
                .map(str::to_ascii_lowercase);
            let is_api_key = scheme
                .and_then(|s| s.get("type"))
                .and_then(Value::as_str)
                .is_some_and(|t| t == "apiKey")
                && authtype.is_none()
                && authorizer_type.is_none();
            if is_api_key {
                api_key = true;
                continue;
            }
            let name = e.key.clone();
            best = match (authtype.as_deref(), authorizer_type.as_deref()) {
                (Some("awssigv4"), _) => Auth::Iam,
                (Some("cognito_user_pools"), _) | (_, Some("cognito_user_pools")) => {
                    Auth::Cognito { authorizer: name }
                }
                (_, Some("jwt")) => Auth::Jwt { authorizer: name },
                (Some("custom"), _) | (_, Some("token" | "request")) => {
                    Auth::Lambda { authorizer: name }
                }
                _ if scheme.is_none() => {
                    Auth::Unknown(format!("security scheme `{name}` is not defined"))
                }
                _ => Auth::Unknown(format!("security scheme `{name}`")),
            };
        }
    }
    (best, api_key)
}

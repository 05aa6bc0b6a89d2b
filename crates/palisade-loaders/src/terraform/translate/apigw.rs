//! API Gateway REST APIs (resources, methods with their integrations folded in, stages with
//! their method settings, authorizers, deployments, resource policies) and HTTP/WebSocket APIs
//! (routes, integrations, authorizers, stages).

use super::lambda::{copy, cors};
use super::nodes::{attr, block, entry, lit_i64, lit_str, map_at, seq_at, str_at};
use super::{Ctx, Out, TfResource};
use crate::yaml::Node;

pub(super) fn primary<'a>(ctx: &mut Ctx<'a>, res: &'a TfResource) -> bool {
    let body = &res.body;
    let out = match res.type_name.as_str() {
        "aws_api_gateway_rest_api" => {
            let mut out = Out::of(res, "AWS::ApiGateway::RestApi");
            copy(
                ctx,
                &mut out,
                body,
                &[
                    ("name", "Name"),
                    ("disable_execute_api_endpoint", "DisableExecuteApiEndpoint"),
                    ("api_key_source", "ApiKeySource"),
                ],
            );
            if let Some((k, v)) = attr(body, "body") {
                let doc = ctx.conv_document(v);
                out.set("Body", k, doc);
            }
            if let Some((k, v)) = attr(body, "policy") {
                let doc = ctx.conv_json(v);
                out.set("Policy", k, doc);
            }
            if let Some(ep) = block(body, "endpoint_configuration")
                && let Some((k, v)) = attr(ep, "types")
            {
                let types = ctx.conv(v);
                out.set(
                    "EndpointConfiguration",
                    ep,
                    map_at(vec![entry("Types", k, types)], ep),
                );
            }
            out
        }
        "aws_api_gateway_resource" => {
            let mut out = Out::of(res, "AWS::ApiGateway::Resource");
            copy(
                ctx,
                &mut out,
                body,
                &[
                    ("rest_api_id", "RestApiId"),
                    ("parent_id", "ParentId"),
                    ("path_part", "PathPart"),
                ],
            );
            out
        }
        "aws_api_gateway_method" => {
            let mut out = Out::of(res, "AWS::ApiGateway::Method");
            copy(
                ctx,
                &mut out,
                body,
                &[
                    ("rest_api_id", "RestApiId"),
                    ("resource_id", "ResourceId"),
                    ("http_method", "HttpMethod"),
                    ("authorization", "AuthorizationType"),
                    ("authorizer_id", "AuthorizerId"),
                    ("api_key_required", "ApiKeyRequired"),
                    ("authorization_scopes", "AuthorizationScopes"),
                ],
            );
            out
        }
        "aws_api_gateway_authorizer" => {
            let mut out = Out::of(res, "AWS::ApiGateway::Authorizer");
            copy(
                ctx,
                &mut out,
                body,
                &[
                    ("rest_api_id", "RestApiId"),
                    ("name", "Name"),
                    ("type", "Type"),
                    ("authorizer_uri", "AuthorizerUri"),
                    ("provider_arns", "ProviderARNs"),
                    ("identity_source", "IdentitySource"),
                ],
            );
            if !out.has("Type") {
                // Terraform's default.
                out.set("Type", &res.body, str_at("TOKEN", &res.body));
            }
            out
        }
        "aws_api_gateway_deployment" => {
            let mut out = Out::of(res, "AWS::ApiGateway::Deployment");
            copy(
                ctx,
                &mut out,
                body,
                &[
                    ("rest_api_id", "RestApiId"),
                    ("stage_name", "StageName"),
                    ("description", "Description"),
                ],
            );
            out
        }
        "aws_api_gateway_stage" => {
            let mut out = Out::of(res, "AWS::ApiGateway::Stage");
            copy(
                ctx,
                &mut out,
                body,
                &[
                    ("rest_api_id", "RestApiId"),
                    ("stage_name", "StageName"),
                    ("deployment_id", "DeploymentId"),
                    ("xray_tracing_enabled", "TracingEnabled"),
                    ("cache_cluster_enabled", "CacheClusterEnabled"),
                ],
            );
            if let Some(a) = block(body, "access_log_settings") {
                let v = access_log(ctx, a);
                out.set("AccessLogSetting", a, v);
            }
            out
        }
        "aws_apigatewayv2_api" => {
            let mut out = Out::of(res, "AWS::ApiGatewayV2::Api");
            copy(
                ctx,
                &mut out,
                body,
                &[
                    ("name", "Name"),
                    ("protocol_type", "ProtocolType"),
                    ("target", "Target"),
                    ("route_key", "RouteKey"),
                    ("disable_execute_api_endpoint", "DisableExecuteApiEndpoint"),
                ],
            );
            if let Some(c) = block(body, "cors_configuration") {
                let v = cors(ctx, c);
                out.set("CorsConfiguration", c, v);
            }
            if let Some((k, v)) = attr(body, "body") {
                let doc = ctx.conv_document(v);
                out.set("Body", k, doc);
            }
            out
        }
        "aws_apigatewayv2_route" => {
            let mut out = Out::of(res, "AWS::ApiGatewayV2::Route");
            copy(
                ctx,
                &mut out,
                body,
                &[
                    ("api_id", "ApiId"),
                    ("route_key", "RouteKey"),
                    ("authorization_type", "AuthorizationType"),
                    ("authorizer_id", "AuthorizerId"),
                    ("target", "Target"),
                    ("api_key_required", "ApiKeyRequired"),
                    ("authorization_scopes", "AuthorizationScopes"),
                ],
            );
            out
        }
        "aws_apigatewayv2_integration" => {
            let mut out = Out::of(res, "AWS::ApiGatewayV2::Integration");
            copy(
                ctx,
                &mut out,
                body,
                &[
                    ("api_id", "ApiId"),
                    ("integration_type", "IntegrationType"),
                    ("integration_uri", "IntegrationUri"),
                    ("integration_method", "IntegrationMethod"),
                    ("payload_format_version", "PayloadFormatVersion"),
                    ("timeout_milliseconds", "TimeoutInMillis"),
                ],
            );
            out
        }
        "aws_apigatewayv2_authorizer" => {
            let mut out = Out::of(res, "AWS::ApiGatewayV2::Authorizer");
            copy(
                ctx,
                &mut out,
                body,
                &[
                    ("api_id", "ApiId"),
                    ("authorizer_type", "AuthorizerType"),
                    ("authorizer_uri", "AuthorizerUri"),
                    ("name", "Name"),
                    ("identity_sources", "IdentitySource"),
                ],
            );
            if let Some(j) = block(body, "jwt_configuration") {
                let mut e = Vec::new();
                for (tf, cfn) in [("audience", "Audience"), ("issuer", "Issuer")] {
                    if let Some((k, v)) = attr(j, tf) {
                        e.push(entry(cfn, k, ctx.conv(v)));
                    }
                }
                out.set("JwtConfiguration", j, map_at(e, j));
            }
            out
        }
        "aws_apigatewayv2_stage" => {
            let mut out = Out::of(res, "AWS::ApiGatewayV2::Stage");
            copy(
                ctx,
                &mut out,
                body,
                &[
                    ("api_id", "ApiId"),
                    ("name", "StageName"),
                    ("auto_deploy", "AutoDeploy"),
                ],
            );
            if let Some(a) = block(body, "access_log_settings") {
                let v = access_log(ctx, a);
                out.set("AccessLogSettings", a, v);
            }
            if let Some(r) = block(body, "default_route_settings") {
                let mut e = Vec::new();
                for (tf, cfn) in [
                    ("throttling_burst_limit", "ThrottlingBurstLimit"),
                    ("throttling_rate_limit", "ThrottlingRateLimit"),
                    ("logging_level", "LoggingLevel"),
                    ("detailed_metrics_enabled", "DetailedMetricsEnabled"),
                ] {
                    if let Some((k, v)) = attr(r, tf)
                        && lit_i64(v) != Some(0)
                        && lit_str(v) != Some("OFF")
                    {
                        e.push(entry(cfn, k, ctx.conv(v)));
                    }
                }
                out.set("DefaultRouteSettings", r, map_at(e, r));
            }
            out
        }
        _ => return false,
    };
    ctx.push(out);
    true
}

fn access_log(ctx: &mut Ctx<'_>, a: &Node) -> Node {
    let mut e = Vec::new();
    for (tf, cfn) in [("destination_arn", "DestinationArn"), ("format", "Format")] {
        if let Some((k, v)) = attr(a, tf) {
            e.push(entry(cfn, k, ctx.conv(v)));
        }
    }
    map_at(e, a)
}

pub(super) fn fold<'a>(ctx: &mut Ctx<'a>, res: &'a TfResource) -> bool {
    let body = &res.body;
    match res.type_name.as_str() {
        "aws_api_gateway_integration" => {
            let Some(method) = method_of(ctx, body) else {
                return true;
            };
            let mut e = Vec::new();
            for (tf, cfn) in [
                ("type", "Type"),
                ("uri", "Uri"),
                ("integration_http_method", "IntegrationHttpMethod"),
                ("timeout_milliseconds", "TimeoutInMillis"),
            ] {
                if let Some((k, v)) = attr(body, tf) {
                    e.push(entry(cfn, k, ctx.conv(v)));
                }
            }
            let value = map_at(e, body);
            let key = res.body.clone();
            if let Some(out) = ctx.out_mut(&method) {
                out.set("Integration", &key, value);
            }
        }
        "aws_api_gateway_rest_api_policy" => {
            let Some(api) = attr(body, "rest_api_id")
                .and_then(|(_, v)| ctx.target_of(v, "aws_api_gateway_rest_api", "name"))
            else {
                return true;
            };
            if let Some((k, v)) = attr(body, "policy") {
                let doc = ctx.conv_json(v);
                if let Some(out) = ctx.out_mut(&api) {
                    out.set("Policy", k, doc);
                }
            }
        }
        "aws_api_gateway_method_settings" => {
            let Some(stage) = stage_of(ctx, body) else {
                return true;
            };
            let Some(s) = block(body, "settings") else {
                return true;
            };
            let path = attr(body, "method_path")
                .and_then(|(_, v)| lit_str(v))
                .unwrap_or("*/*");
            let (resource_path, method) = match path.rsplit_once('/') {
                Some(("*", "*")) | None => ("/*".to_string(), "*".to_string()),
                Some((p, m)) => (format!("/{}", p.trim_start_matches('/')), m.to_string()),
            };
            let mut e = vec![
                entry("ResourcePath", body, str_at(&resource_path, body)),
                entry("HttpMethod", body, str_at(&method, body)),
            ];
            for (tf, cfn) in [
                ("logging_level", "LoggingLevel"),
                ("throttling_burst_limit", "ThrottlingBurstLimit"),
                ("throttling_rate_limit", "ThrottlingRateLimit"),
                ("caching_enabled", "CachingEnabled"),
                ("cache_data_encrypted", "CacheDataEncrypted"),
                ("metrics_enabled", "MetricsEnabled"),
                ("data_trace_enabled", "DataTraceEnabled"),
            ] {
                // `-1` is Terraform's "not set" for the throttling limits.
                if let Some((k, v)) = attr(s, tf)
                    && lit_i64(v).is_none_or(|n| n >= 0)
                {
                    e.push(entry(cfn, k, ctx.conv(v)));
                }
            }
            let item = map_at(e, s);
            if let Some(out) = ctx.out_mut(&stage) {
                match out
                    .props
                    .iter_mut()
                    .find(|(k, _)| k.as_str() == Some("MethodSettings"))
                {
                    Some((_, list)) => {
                        if let crate::yaml::NodeKind::Seq(items) = &mut list.kind {
                            items.push(item);
                        }
                    }
                    None => {
                        let at = item.clone();
                        out.props
                            .push(entry("MethodSettings", &at, seq_at(vec![item], &at)));
                    }
                }
            }
        }
        _ => return false,
    }
    true
}

/// Two attribute values that designate the same thing (same reference or same literal).
fn same(a: Option<&Node>, b: Option<&Node>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a.tag == b.tag && a.kind == b.kind,
        _ => false,
    }
}

/// The method an `aws_api_gateway_integration` belongs to: by reference to the method, or by
/// the same API, resource and HTTP method.
fn method_of(ctx: &Ctx<'_>, integ: &Node) -> Option<String> {
    if let Some(v) = integ.get("http_method")
        && let Some(id) = ctx.target_of(v, "aws_api_gateway_method", "")
    {
        return Some(id);
    }
    let verb = integ.get("http_method").and_then(lit_str)?;
    ctx.by_address
        .values()
        .find(|r| {
            r.type_name == "aws_api_gateway_method"
                && ctx.declared.contains_key(&r.address)
                && same(r.body.get("rest_api_id"), integ.get("rest_api_id"))
                && same(r.body.get("resource_id"), integ.get("resource_id"))
                && r.body
                    .get("http_method")
                    .and_then(lit_str)
                    .is_some_and(|m| m.eq_ignore_ascii_case(verb))
        })
        .map(|r| r.address.clone())
}

/// The stage an `aws_api_gateway_method_settings` configures.
fn stage_of(ctx: &Ctx<'_>, settings: &Node) -> Option<String> {
    let name = settings.get("stage_name")?;
    if let Some(id) = ctx.target_of(name, "aws_api_gateway_stage", "stage_name") {
        return Some(id);
    }
    ctx.by_address
        .values()
        .find(|r| {
            r.type_name == "aws_api_gateway_stage"
                && ctx.declared.contains_key(&r.address)
                && same(r.body.get("rest_api_id"), settings.get("rest_api_id"))
                && same(r.body.get("stage_name"), Some(name))
        })
        .map(|r| r.address.clone())
}

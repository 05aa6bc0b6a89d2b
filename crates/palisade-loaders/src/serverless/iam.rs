//! The Framework's IAM model: one shared `IamRoleLambdaExecution` for every function, holding
//! the log permissions, `provider.iam.role.statements` and what events need; unless
//! `provider.iam.role`/`provider.role` or a function's `role` names another role, or the
//! serverless-iam-roles-per-function plugin gives a function a role of its own.

use super::node::{self, At};
use super::translate::Tr;
use crate::yaml::Node;

pub(crate) const SHARED_ROLE: &str = "IamRoleLambdaExecution";
const PER_FUNCTION_PLUGIN: &str = "serverless-iam-roles-per-function";

/// `{Effect: Allow, Action: [...], Resource: [...]}`.
pub(crate) fn statement(actions: &[&str], resources: Vec<Node>, at: At) -> Node {
    node::map(
        vec![
            ("Effect", node::s("Allow", at)),
            (
                "Action",
                node::seq(actions.iter().map(|a| node::s(a, at)).collect(), at),
            ),
            ("Resource", node::seq(resources, at)),
        ],
        at,
    )
}

/// What a function's role must hold besides its declared statements.
pub(crate) struct RoleNeeds<'a> {
    pub key: &'a str,
    pub body: &'a Node,
    pub fname: &'a Node,
    /// Statements the function's events and destinations need.
    pub statements: Vec<Node>,
    pub vpc: bool,
    pub tracing: bool,
}

/// The provider's role setting: `provider.iam.role` as a string or intrinsic, or the legacy
/// `provider.role`.
fn provider_role<'n>(tr: &Tr<'n>) -> Option<&'n Node> {
    let from_iam = tr
        .provider("iam")
        .and_then(|i| i.get("role"))
        .filter(|r| r.as_map().is_none() || is_intrinsic(r));
    from_iam.or_else(|| tr.provider("role"))
}

fn is_intrinsic(n: &Node) -> bool {
    n.tag.is_some()
        || n.as_map().is_some_and(|m| {
            m.len() == 1
                && m.first()
                    .and_then(|(k, _)| k.as_str())
                    .is_some_and(|k| k == "Ref" || k.starts_with("Fn::"))
        })
}

/// The `Role` of a function, creating or extending the role it runs with.
pub(crate) fn function_role(tr: &mut Tr<'_>, needs: &RoleNeeds<'_>) -> Node {
    let at = At::of(needs.body);
    if let Some(role) = needs.body.get("role") {
        return role_arn(tr, role);
    }
    if needs.body.get("iamRoleStatements").is_some() {
        if plugin_enabled(tr) {
            return own_role(tr, needs);
        }
        if let Some(s) = needs.body.get("iamRoleStatements") {
            tr.warn(
                format!(
                    "`iamRoleStatements` on function `{}` is read only by the {PER_FUNCTION_PLUGIN} \
                     plugin, which is not in `plugins`: the Framework ignores it",
                    needs.key
                ),
                s,
            );
        }
    }
    if let Some(role) = provider_role(tr) {
        return role_arn(tr, role);
    }
    tr.shared_used = true;
    tr.shared_statements
        .extend(needs.statements.iter().cloned());
    if needs.vpc {
        push_managed(&mut tr.shared_managed, VPC_POLICY, at);
    }
    if needs.tracing && !tr.shared_xray {
        // One statement for every traced function.
        tr.shared_xray = true;
        tr.shared_statements.push(xray(at));
    }
    node::get_att(SHARED_ROLE, "Arn", at)
}

const VPC_POLICY: &str = "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole";

fn xray(at: At) -> Node {
    statement(
        &["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
        vec![node::s("*", at)],
        at,
    )
}

fn push_managed(list: &mut Vec<Node>, arn: &str, at: At) {
    if !list.iter().any(|m| m.as_str() == Some(arn)) {
        list.push(node::s(arn, at));
    }
}

fn plugin_enabled(tr: &Tr<'_>) -> bool {
    let plugins = tr.cfg.get("plugins");
    let list = match plugins {
        Some(p) if p.as_map().is_some() => p.get("modules"),
        other => other,
    };
    list.map(node::items)
        .unwrap_or_default()
        .iter()
        .any(|p| p.as_str() == Some(PER_FUNCTION_PLUGIN))
}

/// An ARN, the logical id of a role in `resources`, an intrinsic, or a role name.
fn role_arn(tr: &Tr<'_>, role: &Node) -> Node {
    let at = At::of(role);
    if is_intrinsic(role) {
        return role.clone();
    }
    match node::text(Some(role)) {
        Some(s) if s.starts_with("arn:") => role.clone(),
        Some(s) if tr.user_ids.contains(s) => node::get_att(s, "Arn", at),
        Some(s) => node::concat(
            vec![
                node::s("arn:", at),
                node::reference("AWS::Partition", at),
                node::s(":iam::", at),
                node::reference("AWS::AccountId", at),
                node::s(":role/", at),
                node::s(s, at),
            ],
            at,
        ),
        None => role.clone(),
    }
}

/// `arn:${Partition}:logs:${Region}:${AccountId}:log-group:<group><suffix>`.
fn log_arn(group: Vec<Node>, suffix: &str, at: At) -> Node {
    let mut parts = vec![
        node::s("arn:", at),
        node::reference("AWS::Partition", at),
        node::s(":logs:", at),
        node::reference("AWS::Region", at),
        node::s(":", at),
        node::reference("AWS::AccountId", at),
        node::s(":log-group:", at),
    ];
    parts.extend(group);
    parts.push(node::s(suffix, at));
    node::concat(parts, at)
}

/// The statements every Framework role starts with: write its functions' logs.
fn log_statements(group: Vec<Node>, at: At) -> Vec<Node> {
    vec![
        statement(
            &[
                "logs:CreateLogStream",
                "logs:CreateLogGroup",
                "logs:TagResource",
            ],
            vec![log_arn(group.clone(), ":*", at)],
            at,
        ),
        statement(&["logs:PutLogEvents"], vec![log_arn(group, ":*:*", at)], at),
    ]
}

/// The role settings of the provider (`iam.role` as a mapping).
fn provider_role_block<'n>(tr: &Tr<'n>) -> Option<&'n Node> {
    tr.provider("iam")
        .and_then(|i| i.get("role"))
        .filter(|r| r.as_map().is_some() && !is_intrinsic(r))
}

fn provider_statements(tr: &Tr<'_>) -> Vec<Node> {
    let mut out = Vec::new();
    for list in [
        provider_role_block(tr).and_then(|r| r.get("statements")),
        tr.provider("iamRoleStatements"),
    ]
    .into_iter()
    .flatten()
    {
        out.extend(node::items(list).into_iter().cloned());
    }
    out
}

fn provider_managed(tr: &Tr<'_>) -> Vec<Node> {
    let mut out = Vec::new();
    for list in [
        provider_role_block(tr).and_then(|r| r.get("managedPolicies")),
        tr.provider("iamManagedPolicies"),
    ]
    .into_iter()
    .flatten()
    {
        out.extend(node::items(list).into_iter().cloned());
    }
    out
}

fn boundary<'n>(tr: &Tr<'n>) -> Option<&'n Node> {
    provider_role_block(tr)
        .and_then(|r| r.get("permissionsBoundary"))
        .or_else(|| tr.provider("rolePermissionsBoundary"))
}

fn trust(at: At) -> Node {
    node::map(
        vec![
            ("Version", node::s("2012-10-17", at)),
            (
                "Statement",
                node::seq(
                    vec![node::map(
                        vec![
                            ("Effect", node::s("Allow", at)),
                            (
                                "Principal",
                                node::map(
                                    vec![(
                                        "Service",
                                        node::seq(vec![node::s("lambda.amazonaws.com", at)], at),
                                    )],
                                    at,
                                ),
                            ),
                            ("Action", node::seq(vec![node::s("sts:AssumeRole", at)], at)),
                        ],
                        at,
                    )],
                    at,
                ),
            ),
        ],
        at,
    )
}

/// An `AWS::IAM::Role` body.
fn role_body(
    name: Node,
    policy_name: Node,
    statements: Vec<Node>,
    managed: Vec<Node>,
    boundary: Option<&Node>,
    path: Option<&Node>,
    at: At,
) -> Node {
    let doc = node::map(
        vec![
            ("Version", node::s("2012-10-17", at)),
            ("Statement", node::seq(statements, at)),
        ],
        at,
    );
    let mut props = vec![
        ("AssumeRolePolicyDocument", trust(at)),
        (
            "Policies",
            node::seq(
                vec![node::map(
                    vec![("PolicyName", policy_name), ("PolicyDocument", doc)],
                    at,
                )],
                at,
            ),
        ),
        ("Path", path.cloned().unwrap_or_else(|| node::s("/", at))),
        ("RoleName", name),
    ];
    if !managed.is_empty() {
        props.push(("ManagedPolicyArns", node::seq(managed, at)));
    }
    if let Some(b) = boundary {
        props.push(("PermissionsBoundary", b.clone()));
    }
    node::map(
        vec![
            ("Type", node::s("AWS::IAM::Role", at)),
            ("Properties", node::map(props, at)),
        ],
        at,
    )
}

/// Create `IamRoleLambdaExecution` when a function runs with it.
pub(crate) fn shared_role(tr: &mut Tr<'_>) {
    if !tr.shared_used {
        return;
    }
    let block = provider_role_block(tr);
    let at = block
        .or_else(|| tr.provider("iamRoleStatements"))
        .or(tr.provider)
        .map_or(tr.at_root, At::of);
    let group = vec![
        node::s("/aws/lambda/", at),
        tr.service.clone(),
        node::s("-", at),
        tr.stage.clone(),
        node::s("*", at),
    ];
    let mut statements = log_statements(group, at);
    statements.extend(provider_statements(tr));
    statements.extend(std::mem::take(&mut tr.shared_statements));
    let mut managed = provider_managed(tr);
    managed.extend(std::mem::take(&mut tr.shared_managed));
    let name = match block.and_then(|b| b.get("name")) {
        Some(n) => n.clone(),
        None => node::concat(
            vec![
                tr.name(&["-"], at),
                node::reference("AWS::Region", at),
                node::s("-lambdaRole", at),
            ],
            at,
        ),
    };
    let policy_name = tr.name(&["-lambda"], at);
    let body = role_body(
        name,
        policy_name,
        statements,
        managed,
        boundary(tr),
        block.and_then(|b| b.get("path")),
        at,
    );
    tr.add_resource(SHARED_ROLE, body);
}

/// The role the serverless-iam-roles-per-function plugin creates for one function.
fn own_role(tr: &mut Tr<'_>, needs: &RoleNeeds<'_>) -> Node {
    let at = At::of(needs.body);
    let group = vec![node::s("/aws/lambda/", at), needs.fname.clone()];
    let mut statements = log_statements(group, at);
    let inherit = needs.body.get("iamRoleStatementsInherit").or_else(|| {
        tr.cfg
            .get("custom")
            .and_then(|c| c.get(PER_FUNCTION_PLUGIN))
            .and_then(|p| p.get("defaultInherit"))
    });
    let inherit = node::truthy(inherit);
    let mut managed = Vec::new();
    if inherit {
        statements.extend(provider_statements(tr));
        managed.extend(provider_managed(tr));
    }
    if let Some(own) = needs.body.get("iamRoleStatements") {
        statements.extend(node::items(own).into_iter().cloned());
    }
    statements.extend(needs.statements.iter().cloned());
    if needs.tracing {
        statements.push(xray(at));
    }
    if needs.vpc {
        push_managed(&mut managed, VPC_POLICY, at);
    }
    let name = match needs.body.get("iamRoleStatementsName") {
        Some(n) => n.clone(),
        None => node::concat(
            vec![
                tr.name(&["-", needs.key, "-"], at),
                node::reference("AWS::Region", at),
                node::s("-lambdaRole", at),
            ],
            at,
        ),
    };
    let policy_name = tr.name(&["-", needs.key, "-lambda"], at);
    let body = role_body(
        name,
        policy_name,
        statements,
        managed,
        boundary(tr),
        None,
        at,
    );
    let id = format!("{}IamRoleLambdaExecution", node::normalize(needs.key));
    tr.add_resource(&id, body);
    node::get_att(&id, "Arn", at)
}

//! Least privilege per function: what its role grants (its effective permissions) against what
//! its code calls, the over-grant in numbers, and a policy that grants only what is needed.

use palisade_iam::{
    ActionSet, Needed, SnippetStyle, catalog, generate, lambda_logs, needed as code_needs,
};
use palisade_model::{
    App, AppFormat, Function, FunctionCode, LeastPrivilege, NeededPermission, PolicySnippet,
    PolicyStatement, RoleKind, RoleRef, Text, UnresolvedSdkCall,
};

use crate::footprints::incomplete;
use crate::iam_view::{IamView, RoleView};

/// A function's code needs against its role's grants, for the rules and the report.
pub(crate) struct Compared<'a, 'v> {
    pub code: &'a FunctionCode,
    pub role: Option<&'v RoleView<'a>>,
    pub needed: Needed,
    /// The code's actions and the Lambda logs basics.
    pub needed_set: ActionSet,
    /// What the role allows on at least one resource (empty without a role in the app).
    pub granted: ActionSet,
    /// Granted actions not needed, leaving the services of unresolved calls aside.
    pub over: ActionSet,
}

impl Compared<'_, '_> {
    /// Granted actions per needed action.
    pub fn ratio(&self) -> f64 {
        self.granted.len() as f64 / self.needed_set.len().max(1) as f64
    }
}

/// The role view of a function, when its role is in the app.
fn role_of<'a, 'v>(view: &'v IamView<'a>, f: &Function) -> Option<&'v RoleView<'a>> {
    match &f.role {
        RoleRef::Local(id) => view.role(id),
        _ => None,
    }
}

/// Compare one function's code with its role; `None` when its code was not analysed.
pub(crate) fn compare<'a, 'v>(
    app: &'a App,
    view: &'v IamView<'a>,
    f: &'a Function,
) -> Option<Compared<'a, 'v>> {
    let code = app.code.iter().find(|c| c.function == f.id)?;
    let c = catalog();
    let needed = code_needs(app, f, code);
    let mut needed_set = ActionSet::empty(c);
    for a in &needed.actions {
        needed_set.insert(a.action.id);
    }
    for a in lambda_logs(f).0 {
        needed_set.insert(a.id);
    }
    let role = role_of(view, f);
    let granted = role.map_or_else(|| ActionSet::empty(c), |rv| rv.effective.allowed());
    let mut over = granted.clone();
    over.subtract(&needed_set);
    // A call whose operation is unknown may need any action of its service.
    for service in needed.unresolved.iter().filter_map(|u| u.service) {
        over.subtract(&c.expand_set(&format!("{service}:*")));
    }
    Some(Compared {
        code,
        role,
        needed,
        needed_set,
        granted,
        over,
    })
}

/// Every function of an app whose code was analysed and whose role is in the app, with the
/// comparison and the role: what the least-privilege rules walk.
pub(crate) fn compared_with_roles<'a, 'v>(
    app: &'a App,
    view: &'v IamView<'a>,
) -> impl Iterator<Item = (&'a Function, Compared<'a, 'v>, &'v RoleView<'a>)> {
    app.functions.iter().filter_map(move |f| {
        let cmp = compare(app, view, f)?;
        let rv = cmp.role?;
        Some((f, cmp, rv))
    })
}

/// Which snippet fits a function: SAM `Policies` when SAM makes its role, the role's
/// `Policies` when the template declares it.
fn style(app: &App, f: &Function) -> Option<SnippetStyle> {
    let declared = matches!(&f.role, RoleRef::Local(id)
        if app.role(id).is_some_and(|r| r.kind == RoleKind::Declared))
        || matches!(f.role, RoleRef::External(_));
    match app.format {
        AppFormat::Sam if !declared => Some(SnippetStyle::SamPolicies),
        AppFormat::Sam | AppFormat::CloudFormation | AppFormat::Cdk => {
            Some(SnippetStyle::CloudFormationRole)
        }
        AppFormat::Serverless => Some(SnippetStyle::Serverless),
        AppFormat::Terraform => Some(SnippetStyle::Terraform),
        AppFormat::AuthorizationDetails | AppFormat::PolicyDocument => None,
    }
}

/// The least-privilege comparison of every function of an app, in the app's order.
pub fn least_privilege(app: &App) -> Vec<LeastPrivilege> {
    if app.functions.is_empty() {
        return Vec::new();
    }
    let view = IamView::build(app);
    app.functions
        .iter()
        .map(|f| least_privilege_of(app, &view, f))
        .collect()
}

fn least_privilege_of(app: &App, view: &IamView<'_>, f: &Function) -> LeastPrivilege {
    let role = role_of(view, f);
    let mut out = LeastPrivilege {
        app: app.path.clone(),
        function: f.id.clone(),
        role: role.map(|rv| rv.role.id.clone()),
        analysed: false,
        granted: role.map_or(0, |rv| rv.effective.allowed().len()),
        needed: Vec::new(),
        over_granted: 0,
        unresolved: Vec::new(),
        policy: Vec::new(),
        snippet: None,
        notes: Vec::new(),
        incomplete: role.map(incomplete).unwrap_or_default(),
    };
    if let RoleRef::External(arn) = &f.role {
        out.incomplete.push(format!(
            "the role {} is not in the app",
            arn.get().map_or_else(|| arn.render(), Text::render)
        ));
    }
    let Some(cmp) = compare(app, view, f) else {
        return out;
    };
    out.analysed = true;
    out.over_granted = cmp.over.len();
    for a in &cmp.needed.actions {
        out.needed.push(NeededPermission {
            action: a.action.full_name(),
            access: a.action.access.as_str(),
            resources: a.resources.iter().map(|r| r.pattern.render()).collect(),
            calls: a.calls.clone(),
            when: a.when.clone(),
            granted: cmp.granted.contains(a.action.id),
        });
    }
    let (logs, group) = lambda_logs(f);
    for a in logs {
        if cmp.needed.actions.iter().any(|n| n.action.id == a.id) {
            continue;
        }
        out.needed.push(NeededPermission {
            action: a.full_name(),
            access: a.access.as_str(),
            resources: vec![group.pattern.render()],
            calls: Vec::new(),
            when: None,
            granted: cmp.granted.contains(a.id),
        });
    }
    out.unresolved = cmp
        .needed
        .unresolved
        .iter()
        .map(|u| UnresolvedSdkCall {
            span: u.span,
            client: u.client.clone(),
            operation: u.operation.clone(),
            service: u.service.map(str::to_string),
            reason: u.reason.clone(),
        })
        .collect();
    let policy = generate(&cmp.needed, f);
    out.policy = policy
        .statements
        .iter()
        .map(|s| PolicyStatement {
            sid: s.sid.clone(),
            actions: s.actions.clone(),
            resources: s.resources.iter().map(|r| r.pattern.render()).collect(),
            note: s.note.map(str::to_string),
        })
        .collect();
    out.snippet = style(app, f).map(|s| PolicySnippet {
        format: s.label(),
        language: s.language(),
        text: policy.snippet(s, f, out.role.as_deref(), &cmp.needed),
    });
    out.notes = cmp.needed.notes.clone();
    out
}

#[cfg(test)]
mod tests {
    use palisade_loaders::{LoadSettings, Loaded, load_cloudformation};
    use palisade_model::{FileId, Language, ResourceName, SdkCall, SourceMap, Span};

    use super::*;

    const TEMPLATE: &str = r#"
Transform: AWS::Serverless-2016-10-31
Resources:
  OrdersTable:
    Type: AWS::DynamoDB::Table
  Orders:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Environment:
        Variables:
          TABLE: !Ref OrdersTable
      Policies:
        - AmazonDynamoDBFullAccess
  Other:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
"#;

    fn app() -> App {
        // A folder of its own per call: tests run in parallel in one process.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("template.yaml");
        std::fs::write(&path, TEMPLATE).unwrap();
        let sources = SourceMap::new();
        let Ok(Loaded::App(mut app)) =
            load_cloudformation(&path, "template.yaml", &sources, &LoadSettings::default())
        else {
            panic!("template does not load")
        };
        drop(dir);
        app.code.push(FunctionCode {
            function: "Orders".into(),
            language: Language::Python,
            entry: Span::default(),
            entry_name: "handler".into(),
            files: vec!["src/app.py".into()],
            flows: Vec::new(),
            issues: Vec::new(),
            sdk_calls: vec![
                SdkCall {
                    client: "dynamodb".into(),
                    resource_type: Some("Table".into()),
                    operation: Some("put_item".into()),
                    language: Language::Python,
                    span: Span::new(FileId(1), 5, 9),
                    resources: vec![("Table".into(), ResourceName::Env("TABLE".into()))],
                },
                SdkCall {
                    client: "sqs".into(),
                    resource_type: None,
                    operation: Some("send_message".into()),
                    language: Language::Python,
                    span: Span::new(FileId(1), 12, 20),
                    resources: vec![("QueueUrl".into(), ResourceName::Unknown)],
                },
                SdkCall {
                    client: "s3".into(),
                    resource_type: None,
                    operation: None,
                    language: Language::Python,
                    span: Span::new(FileId(1), 30, 40),
                    resources: Vec::new(),
                },
            ],
            triggers: Vec::new(),
        });
        *app
    }

    #[test]
    fn granted_against_needed_with_a_generated_policy() {
        let app = app();
        let all = least_privilege(&app);
        let lp = all.iter().find(|l| l.function == "Orders").unwrap();
        assert!(lp.analysed);
        let names: Vec<&str> = lp.needed.iter().map(|n| n.action.as_str()).collect();
        assert_eq!(
            names,
            [
                "dynamodb:PutItem",
                "sqs:SendMessage",
                "logs:CreateLogGroup",
                "logs:CreateLogStream",
                "logs:PutLogEvents"
            ]
        );
        assert!(lp.needed[0].granted);
        // The role has DynamoDB and logs, not SQS.
        assert_eq!(
            lp.not_granted()
                .map(|n| n.action.as_str())
                .collect::<Vec<_>>(),
            ["sqs:SendMessage"]
        );
        assert!(lp.granted > 50, "{}", lp.granted);
        assert_eq!(lp.over_granted, lp.granted - 4);
        assert!(lp.ratio().unwrap() > 10.0);
        assert_eq!(lp.unresolved.len(), 1);
        assert_eq!(lp.unresolved[0].service.as_deref(), Some("s3"));
        let snippet = lp.snippet.as_ref().unwrap();
        assert_eq!(snippet.format, "SAM");
        assert!(
            snippet.text.contains("- !GetAtt OrdersTable.Arn"),
            "{}",
            snippet.text
        );
        assert!(snippet.text.contains("# not in this policy: a call on s3"));
        assert_eq!(lp.policy[0].actions, ["dynamodb:PutItem"]);
        assert_eq!(lp.policy.last().map(|s| s.sid.as_str()), Some("LambdaLogs"));
    }

    #[test]
    fn functions_without_code_facts_are_not_analysed() {
        let app = app();
        let lp = least_privilege(&app)
            .into_iter()
            .find(|l| l.function == "Other")
            .unwrap();
        assert!(!lp.analysed);
        assert!(lp.needed.is_empty() && lp.policy.is_empty() && lp.ratio().is_none());
        assert!(lp.granted > 0);
    }
}

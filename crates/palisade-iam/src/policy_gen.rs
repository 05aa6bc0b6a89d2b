//! A least-privilege policy from what a function's code needs: one statement per set of
//! resources, the CloudWatch Logs basics apart, written as a JSON policy document and as a
//! snippet for the app's own format (SAM `Policies`, a CloudFormation role's `Policies`,
//! `serverless.yml` statements, a Terraform `aws_iam_policy_document`).
//!
//! Calls whose actions are not known are not guessed into the policy: snippets name them in
//! comments, and the caller lists them.

use std::fmt::Write as _;

use palisade_model::{Function, Segment, Symbol, Text};

use crate::needed::{ArnRef, Needed, lambda_logs};

/// A statement of a generated policy (always `Allow`).
#[derive(Clone, Debug, PartialEq)]
pub struct GeneratedStatement {
    pub sid: String,
    /// Sorted.
    pub actions: Vec<String>,
    pub resources: Vec<ArnRef>,
    /// Why the statement is there, when it is not a call of the code.
    pub note: Option<&'static str>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct GeneratedPolicy {
    pub statements: Vec<GeneratedStatement>,
}

/// Where a snippet goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SnippetStyle {
    /// The function's `Policies` (SAM generates its role).
    SamPolicies,
    /// The `Policies` of the function's `AWS::IAM::Role`.
    CloudFormationRole,
    /// `provider.iam.role.statements` of `serverless.yml`.
    Serverless,
    /// A `data "aws_iam_policy_document"` block.
    Terraform,
}

impl SnippetStyle {
    /// The format's name, for reports.
    pub fn label(self) -> &'static str {
        match self {
            SnippetStyle::SamPolicies => "SAM",
            SnippetStyle::CloudFormationRole => "CloudFormation",
            SnippetStyle::Serverless => "Serverless Framework",
            SnippetStyle::Terraform => "Terraform",
        }
    }

    /// The snippet's language (for code fences).
    pub fn language(self) -> &'static str {
        match self {
            SnippetStyle::Terraform => "hcl",
            _ => "yaml",
        }
    }
}

pub const LOGS_NOTE: &str = "what every Lambda function needs to write its logs \
    (AWSLambdaBasicExecutionRole's actions, on the function's own log group)";

fn pascal(s: &str) -> String {
    s.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// Group the needed actions by their resources: one statement per distinct set.
pub fn generate(needed: &Needed, f: &Function) -> GeneratedPolicy {
    let mut groups: Vec<(Vec<ArnRef>, Vec<String>)> = Vec::new();
    for a in &needed.actions {
        let name = a.action.full_name();
        match groups.iter_mut().find(|(r, _)| *r == a.resources) {
            Some((_, actions)) => actions.push(name),
            None => groups.push((a.resources.clone(), vec![name])),
        }
    }
    let mut statements: Vec<GeneratedStatement> = Vec::new();
    for (resources, mut actions) in groups {
        actions.sort();
        let service = actions
            .first()
            .and_then(|a| a.split(':').next())
            .unwrap_or("Code");
        let base = if resources.iter().any(ArnRef::is_any) {
            format!("{}AnyResource", pascal(service))
        } else {
            pascal(service)
        };
        let mut sid = base.clone();
        let mut n = 2;
        while statements.iter().any(|s| s.sid == sid) {
            sid = format!("{base}{n}");
            n += 1;
        }
        statements.push(GeneratedStatement {
            sid,
            actions,
            resources,
            note: None,
        });
    }
    let (logs, group) = lambda_logs(f);
    statements.push(GeneratedStatement {
        sid: "LambdaLogs".to_string(),
        actions: logs.iter().map(|a| a.full_name()).collect(),
        resources: vec![group],
        note: Some(LOGS_NOTE),
    });
    GeneratedPolicy { statements }
}

impl GeneratedPolicy {
    /// The policy document, resources written with `${AWS::Region}`-style placeholders.
    pub fn document(&self) -> serde_json::Value {
        let statements: Vec<serde_json::Value> = self
            .statements
            .iter()
            .map(|s| {
                serde_json::json!({
                    "Sid": s.sid,
                    "Effect": "Allow",
                    "Action": s.actions,
                    "Resource": s.resources.iter().map(|r| r.pattern.render()).collect::<Vec<_>>(),
                })
            })
            .collect();
        serde_json::json!({"Version": "2012-10-17", "Statement": statements})
    }

    /// The policy as a snippet for the app's format. `role` names the role resource for a
    /// CloudFormation snippet.
    pub fn snippet(
        &self,
        style: SnippetStyle,
        f: &Function,
        role: Option<&str>,
        needed: &Needed,
    ) -> String {
        let mut out = String::new();
        for u in &needed.unresolved {
            let _ = writeln!(
                out,
                "# not in this policy: a call on {} ({}); add what it needs",
                u.client, u.reason
            );
        }
        for note in &needed.notes {
            let _ = writeln!(out, "# note: {note}");
        }
        match style {
            SnippetStyle::SamPolicies => {
                let _ = writeln!(out, "# {}: its Policies", f.id);
                out.push_str("Policies:\n  - Statement:\n");
                self.yaml_statements(&mut out, 6);
            }
            SnippetStyle::CloudFormationRole => {
                let _ = writeln!(
                    out,
                    "# {}: the Policies of its role{}",
                    f.id,
                    role.map(|r| format!(" {r}")).unwrap_or_default()
                );
                let _ = writeln!(
                    out,
                    "Policies:\n  - PolicyName: {}\n    PolicyDocument:\n      Version: \"2012-10-17\"\n      Statement:",
                    yaml_string(&format!("{}-least-privilege", f.id))
                );
                self.yaml_statements(&mut out, 8);
            }
            SnippetStyle::Serverless => {
                let _ = writeln!(
                    out,
                    "# serverless.yml: these statements apply to every function of the service; \
                     with a role per function (serverless-iam-roles-per-function) put them under \
                     functions.<name>.iamRoleStatements"
                );
                out.push_str("provider:\n  iam:\n    role:\n      statements:\n");
                self.yaml_statements(&mut out, 8);
            }
            SnippetStyle::Terraform => self.terraform(&mut out, f),
        }
        out
    }

    fn yaml_statements(&self, out: &mut String, indent: usize) {
        let pad = " ".repeat(indent);
        for s in &self.statements {
            if let Some(note) = s.note {
                let _ = writeln!(out, "{pad}# {note}");
            }
            let _ = writeln!(out, "{pad}- Sid: {}", s.sid);
            let _ = writeln!(out, "{pad}  Effect: Allow");
            let _ = writeln!(out, "{pad}  Action:");
            for a in &s.actions {
                let _ = writeln!(out, "{pad}    - {a}");
            }
            let _ = writeln!(out, "{pad}  Resource:");
            for r in &s.resources {
                let _ = writeln!(out, "{pad}    - {}", yaml_expr(&r.expr));
            }
        }
    }

    fn terraform(&self, out: &mut String, f: &Function) {
        let mut data = Vec::new();
        for s in &self.statements {
            for r in &s.resources {
                for sym in r.expr.symbols() {
                    if let Symbol::Pseudo(p) = sym
                        && let Some((block, _)) = pseudo_hcl(p)
                        && !data.contains(&block)
                    {
                        data.push(block);
                    }
                }
            }
        }
        for block in data {
            let _ = writeln!(out, "# uses {block} {{}}");
        }
        let name: String =
            f.id.chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() {
                        c.to_ascii_lowercase()
                    } else {
                        '_'
                    }
                })
                .collect();
        let _ = writeln!(out, "data \"aws_iam_policy_document\" \"{name}\" {{");
        for s in &self.statements {
            if let Some(note) = s.note {
                let _ = writeln!(out, "  # {note}");
            }
            out.push_str("  statement {\n");
            let _ = writeln!(out, "    sid       = \"{}\"", s.sid);
            out.push_str("    effect    = \"Allow\"\n");
            let actions: Vec<String> = s.actions.iter().map(|a| hcl_string(a)).collect();
            let _ = writeln!(out, "    actions   = [{}]", actions.join(", "));
            let resources: Vec<String> = s.resources.iter().map(|r| hcl_expr(&r.expr)).collect();
            let _ = writeln!(out, "    resources = [{}]", resources.join(", "));
            out.push_str("  }\n");
        }
        out.push_str("}\n");
    }
}

/// A YAML double-quoted string (JSON's escapes are YAML's).
fn yaml_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
}

/// A text as CloudFormation YAML: a string, `!Ref`, `!GetAtt`, or `!Sub`.
pub fn yaml_expr(t: &Text) -> String {
    if let Some(l) = t.literal() {
        return yaml_string(l);
    }
    match t.segments.as_slice() {
        [Segment::Sym(Symbol::GetAtt(id, attr))] => format!("!GetAtt {id}.{attr}"),
        [Segment::Sym(Symbol::Ref(id) | Symbol::Param(id) | Symbol::Pseudo(id))] => {
            format!("!Ref {id}")
        }
        _ => {
            let mut sub = String::new();
            for seg in &t.segments {
                match seg {
                    // A literal `${` would be read as a variable: `${!` writes it.
                    Segment::Lit(l) => sub.push_str(&l.replace("${", "${!")),
                    Segment::Sym(s) => sub.push_str(&s.render()),
                }
            }
            format!("!Sub {}", yaml_string(&sub))
        }
    }
}

/// The Terraform data source and expression of a pseudo parameter.
fn pseudo_hcl(p: &str) -> Option<(&'static str, &'static str)> {
    match p {
        "AWS::Partition" => Some((
            "data \"aws_partition\" \"current\"",
            "data.aws_partition.current.partition",
        )),
        "AWS::Region" => Some((
            "data \"aws_region\" \"current\"",
            "data.aws_region.current.name",
        )),
        "AWS::AccountId" => Some((
            "data \"aws_caller_identity\" \"current\"",
            "data.aws_caller_identity.current.account_id",
        )),
        _ => None,
    }
}

fn snake(attr: &str) -> String {
    let mut out = String::new();
    for (i, c) in attr.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// A symbol as a Terraform expression: `aws_s3_bucket.b.arn`, `var.name`.
fn hcl_symbol(s: &Symbol) -> String {
    match s {
        Symbol::Ref(id) => format!("{id}.id"),
        Symbol::GetAtt(id, attr) => format!("{id}.{}", snake(attr)),
        Symbol::Param(p) => format!("var.{p}"),
        Symbol::Pseudo(p) => pseudo_hcl(p).map_or_else(|| s.render(), |(_, e)| e.to_string()),
        other => other.render(),
    }
}

fn hcl_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    // Interpolation markers in literal text are escaped by doubling.
    out.replace("${", "$${").replace("%{", "%%{")
}

/// A text as a Terraform expression: a bare reference, or a string with interpolations.
pub fn hcl_expr(t: &Text) -> String {
    match t.segments.as_slice() {
        [Segment::Sym(s)] => hcl_symbol(s),
        _ => {
            let mut out = String::from("\"");
            for seg in &t.segments {
                match seg {
                    Segment::Lit(l) => {
                        let quoted = hcl_string(l);
                        out.push_str(&quoted[1..quoted.len() - 1]);
                    }
                    Segment::Sym(s) => {
                        let _ = write!(out, "${{{}}}", hcl_symbol(s));
                    }
                }
            }
            out.push('"');
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use palisade_model::{Span, Symbol};

    use super::*;
    use crate::catalog::catalog;
    use crate::needed::{NeededAction, UnresolvedCall};

    fn needed() -> Needed {
        let c = catalog();
        let table = ArnRef {
            pattern: {
                let mut t = Text::lit("arn:");
                t.push(Segment::Sym(Symbol::Pseudo("AWS::Partition".into())));
                t.push(Segment::Lit(":dynamodb:".into()));
                t.push(Segment::Sym(Symbol::Pseudo("AWS::Region".into())));
                t.push(Segment::Lit(":".into()));
                t.push(Segment::Sym(Symbol::Pseudo("AWS::AccountId".into())));
                t.push(Segment::Lit(":table/".into()));
                t.push(Segment::Sym(Symbol::Ref("OrdersTable".into())));
                t
            },
            expr: Text::sym(Symbol::GetAtt("OrdersTable".into(), "Arn".into())),
        };
        let objects = ArnRef {
            pattern: Text::lit("arn:aws:s3:::uploads/*"),
            expr: {
                let mut t = Text::sym(Symbol::GetAtt("Uploads".into(), "Arn".into()));
                t.push(Segment::Lit("/*".into()));
                t
            },
        };
        let action = |name: &str, resources: Vec<ArnRef>| NeededAction {
            action: c.action(name).unwrap(),
            resources,
            calls: vec![Span::default()],
            when: None,
        };
        Needed {
            actions: vec![
                action("dynamodb:GetItem", vec![table.clone()]),
                action("dynamodb:PutItem", vec![table]),
                action("s3:PutObject", vec![objects]),
                action("sqs:SendMessage", vec![ArnRef::any()]),
            ],
            unresolved: vec![UnresolvedCall {
                span: Span::default(),
                client: "sns".into(),
                operation: None,
                service: Some("sns"),
                reason: "service sns, operation chosen at run time".into(),
            }],
            notes: Vec::new(),
        }
    }

    fn function() -> Function {
        Function::new("Orders", "AWS::Serverless::Function", Span::default())
    }

    #[test]
    fn statements_group_actions_by_resources() {
        let p = generate(&needed(), &function());
        let sids: Vec<&str> = p.statements.iter().map(|s| s.sid.as_str()).collect();
        assert_eq!(sids, ["Dynamodb", "S3", "SqsAnyResource", "LambdaLogs"]);
        assert_eq!(
            p.statements[0].actions,
            ["dynamodb:GetItem", "dynamodb:PutItem"]
        );
        let doc = p.document();
        assert_eq!(
            doc["Statement"][0]["Resource"][0],
            "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${OrdersTable}"
        );
        assert_eq!(doc["Statement"][3]["Action"][2], "logs:PutLogEvents");
    }

    #[test]
    fn sam_snippet() {
        let n = needed();
        let s = generate(&n, &function()).snippet(SnippetStyle::SamPolicies, &function(), None, &n);
        insta::assert_snapshot!(s);
    }

    #[test]
    fn terraform_snippet() {
        let n = needed();
        let s = generate(&n, &function()).snippet(SnippetStyle::Terraform, &function(), None, &n);
        insta::assert_snapshot!(s);
    }

    #[test]
    fn cloudformation_and_serverless_snippets() {
        let n = needed();
        let p = generate(&n, &function());
        let cfn = p.snippet(
            SnippetStyle::CloudFormationRole,
            &function(),
            Some("OrdersRole"),
            &n,
        );
        assert!(
            cfn.contains("PolicyName: \"Orders-least-privilege\""),
            "{cfn}"
        );
        assert!(cfn.contains("        - Sid: Dynamodb\n"), "{cfn}");
        let sls = p.snippet(SnippetStyle::Serverless, &function(), None, &n);
        assert!(
            sls.contains("      statements:\n        - Sid: Dynamodb"),
            "{sls}"
        );
        assert!(sls.contains("- !GetAtt OrdersTable.Arn"), "{sls}");
    }

    #[test]
    fn expressions_in_each_format() {
        let mut sub = Text::lit("arn:");
        sub.push(Segment::Sym(Symbol::Pseudo("AWS::Partition".into())));
        sub.push(Segment::Lit(":s3:::".into()));
        sub.push(Segment::Sym(Symbol::Ref("aws_s3_bucket.b".into())));
        sub.push(Segment::Lit("/${x}".into()));
        assert_eq!(
            yaml_expr(&sub),
            "!Sub \"arn:${AWS::Partition}:s3:::${aws_s3_bucket.b}/${!x}\""
        );
        assert_eq!(
            hcl_expr(&sub),
            "\"arn:${data.aws_partition.current.partition}:s3:::${aws_s3_bucket.b.id}/$${x}\""
        );
        let att = Text::sym(Symbol::GetAtt("aws_sqs_queue.q".into(), "QueueName".into()));
        assert_eq!(hcl_expr(&att), "aws_sqs_queue.q.queue_name");
        assert_eq!(yaml_expr(&Text::lit("*")), "\"*\"");
        assert_eq!(
            yaml_expr(&Text::sym(Symbol::Ref("Topic".into()))),
            "!Ref Topic"
        );
    }
}

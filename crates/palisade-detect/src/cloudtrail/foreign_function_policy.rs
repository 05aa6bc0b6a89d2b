//! PAL506: a function's resource policy opened to another account.

use crate::detection::Detection;

use super::{Context, arn_account, is_account_id};

palisade_model::rule_meta! {
    /// ## What it does
    /// Reports a successful `AddPermission` whose grantee is another account: an account id or
    /// an IAM ARN of an account that is not yours, or an AWS service acting for another
    /// account (`SourceAccount`, or the account in `SourceArn`). Yours are the accounts in
    /// `[detect] accounts` in `palisade.toml`, or, when that list is empty, the account that
    /// recorded the event and the caller's. A grant to `*` is PAL505.
    ///
    /// ## Why is this bad?
    /// A statement in the function's policy outlives the credentials that wrote it: the other
    /// account can invoke (or, with a broader action, change) the function until someone reads
    /// the policy. It is a classic persistence and exfiltration path.
    ///
    /// ## Example
    /// ```json
    /// {"eventSource": "lambda.amazonaws.com", "eventName": "AddPermission20150331v2",
    ///  "recipientAccountId": "123456789012",
    ///  "requestParameters": {"functionName": "orders-api", "action": "lambda:InvokeFunction",
    ///    "principal": "210987654321", "statementId": "x"}}
    /// ```
    ///
    /// ## Fix
    /// Remove the statement (`RemovePermission`) unless the account is a partner you meant to
    /// grant; list your own accounts in `[detect] accounts` so that grants between them do not
    /// fire.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S5:2017 Broken Access Control
    /// - Lambda resource-based policies: https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html
    /// - MITRE ATT&CK T1098 Account Manipulation
    pub(crate) static META {
        code: "PAL506",
        name: "function-policy-foreign-account",
        title: "Lambda function policy grants another account",
        severity: High,
        confidence: Medium,
        sas: S5,
        area: Monitoring,
        fix: "Remove the statement unless the account is a partner you meant to grant; list your accounts in [detect] accounts.",
    }
}

pub(super) fn check(cx: &Context<'_, '_>, out: &mut Vec<Detection>) {
    if cx.api() != Some("AddPermission") || !cx.succeeded() {
        return;
    }
    let Some(request) = cx.event.request() else {
        return;
    };
    let text = |field: &str| request.get(field).and_then(serde_json::Value::as_str);
    let Some(principal) = text("principal") else {
        return;
    };
    let account = if is_account_id(principal) {
        Some(principal)
    } else if principal.starts_with("arn:") {
        arn_account(principal)
    } else if principal.ends_with(".amazonaws.com") || principal.ends_with(".amazonaws.com.cn") {
        // A service principal acts for whichever account owns the source.
        text("sourceAccount")
            .filter(|a| is_account_id(a))
            .or_else(|| text("sourceArn").and_then(arn_account))
    } else {
        None
    };
    let Some(account) = account.filter(|a| cx.is_foreign(a)) else {
        return;
    };
    let action = text("action").unwrap_or("an action");
    let function = cx.function(Some(&request));
    let target = function.as_deref().unwrap_or("a function");
    let grantee = if principal == account {
        format!("account {account}")
    } else {
        format!("{principal} (account {account})")
    };
    let message = format!(
        "{} granted {action} on {target} to {grantee}, which is not one of your accounts",
        cx.principal()
    );
    let mut evidence = cx.base_evidence();
    evidence.push(("grantee".to_string(), principal.to_string()));
    evidence.push(("grantedAction".to_string(), action.to_string()));
    if let Some(sid) = text("statementId") {
        evidence.push(("statementId".to_string(), sid.to_string()));
    }
    let key = format!("{target}|{principal}|{account}|{action}");
    out.push(cx.detection(&META, function, message, evidence, key));
}

//! What the IAM rules share: walking a role's own statements and naming who holds them.

use palisade_model::{App, PatternItem, PolicyDocument, PolicySource, Role, Severity, Statement};

use crate::Report;
use crate::helpers::{functions_of, holders, owned_documents};

/// Every Allow statement of the documents a role's owner wrote, with its document.
pub(crate) fn owned_allows(role: &Role) -> Vec<(&PolicyDocument, &Statement)> {
    owned_documents(role)
        .flat_map(|doc| {
            doc.statements
                .iter()
                .filter(|s| s.is_allow())
                .map(move |s| (doc, s))
        })
        .collect()
}

/// `Resource: "*"` (or a `NotResource`, which is "everything except").
pub(crate) fn any_resource(stmt: &Statement) -> Option<&PatternItem> {
    if let Some(star) = stmt.resource.as_ref().and_then(|r| r.star()) {
        return Some(star);
    }
    stmt.not_resource.as_ref().and_then(|r| r.items.first())
}

/// "role OrdersRole (function Orders)".
pub(crate) fn who(app: &App, role: &Role) -> String {
    format!("role {} ({})", role.id, holders(&functions_of(app, role)))
}

/// Attach the function concerned when exactly one function holds the role.
pub(crate) fn attach<'c, 'a>(report: Report<'c, 'a>, app: &App, role: &Role) -> Report<'c, 'a> {
    let fs = functions_of(app, role);
    let report = report.role(role);
    match fs.as_slice() {
        [f] => report.for_function(&f.id),
        _ => report,
    }
}

/// `Policies/<source>/Statement[i]` for fingerprints.
pub(crate) fn statement_path(doc: &PolicyDocument, stmt: &Statement) -> String {
    format!("{}/{}", doc.source.describe(), stmt.label())
}

/// Statements of a SAM policy template are written by AWS, not by the owner: still reported,
/// but at low severity and with the reason, since the fix is to choose a narrower template.
pub(crate) fn owned_severity(doc: &PolicyDocument, severity: Severity) -> (Severity, &'static str) {
    match doc.source {
        PolicySource::SamTemplate { .. } => (
            Severity::Low,
            " (as AWS defines this SAM policy template; prefer a narrower template or statement)",
        ),
        _ => (severity, ""),
    }
}

//! What the IAM rules share: walking a role's own statements and naming who holds them.

use palisade_model::{
    App, PatternItem, Patterns, PolicyDocument, PolicySource, Role, RoleKind, Severity, Span,
    Statement, Truth,
};

use super::policy_lint::list_first_names;
use crate::Report;
use crate::helpers::{functions_of, holders, owned_documents};
pub(crate) use crate::rules::iam_names::{aws_managed_name, managed_document};

/// Allow statements of some documents, each with its document.
pub(crate) fn allows_in<'a>(
    docs: impl IntoIterator<Item = &'a PolicyDocument>,
) -> Vec<(&'a PolicyDocument, &'a Statement)> {
    docs.into_iter()
        .flat_map(|doc| {
            doc.statements
                .iter()
                .filter(|s| s.is_allow())
                .map(move |s| (doc, s))
        })
        .collect()
}

/// Every Allow statement of the documents a role's owner wrote, with its document.
pub(crate) fn owned_allows(role: &Role) -> Vec<(&PolicyDocument, &Statement)> {
    allows_in(owned_documents(role))
}

/// A document the wildcard rules judge, and where findings in it are reported.
pub(crate) enum Judged<'a> {
    Own(&'a PolicyDocument),
    /// An AWS managed policy: its statements are not the owner's, so findings go to the line
    /// that attaches it.
    Managed {
        doc: &'a PolicyDocument,
        at: Span,
    },
}

impl Judged<'_> {
    pub(crate) fn doc(&self) -> &PolicyDocument {
        match self {
            Judged::Own(doc) | Judged::Managed { doc, .. } => doc,
        }
    }

    /// Where to report something found at `span` in the document.
    pub(crate) fn place(&self, span: Span) -> Span {
        match self {
            Judged::Own(_) => span,
            Judged::Managed { at, .. } => *at,
        }
    }
}

/// The documents the wildcard rules judge: the role's own, and the AWS managed policies it
/// attaches, except those PAL205 names. Customer managed policies of an account are judged on
/// their own (as principals of kind `ManagedPolicy`), not once per holder.
pub(crate) fn own_and_managed<'a>(app: &'a App, role: &'a Role) -> Vec<Judged<'a>> {
    let managed = role.managed.iter().filter_map(|m| {
        let name = aws_managed_name(m)?;
        if ADMIN_LEVEL.contains(&name.as_str()) {
            return None;
        }
        Some(Judged::Managed {
            doc: managed_document(app, m)?,
            at: m.span,
        })
    });
    role.policies
        .iter()
        .map(Judged::Own)
        .chain(managed)
        .collect()
}

/// The Allow statements of judged documents, each with its document.
pub(crate) fn judged_allows<'j, 'a>(
    docs: &'j [Judged<'a>],
) -> Vec<(&'j Judged<'a>, &'j PolicyDocument, &'j Statement)> {
    docs.iter()
        .flat_map(|j| {
            let doc = j.doc();
            doc.statements
                .iter()
                .filter(|s| s.is_allow())
                .map(move |s| (j, doc, s))
        })
        .collect()
}

/// The template condition an occurrence exists under: the document's, the statement's, or
/// the item's (`Action: !If [Cond, "*", ...]`), innermost last.
pub(crate) fn existence(
    doc: &PolicyDocument,
    stmt: &Statement,
    item: Option<&PatternItem>,
) -> Truth {
    let when = item
        .and_then(|i| i.when.as_deref())
        .or(stmt.when.as_deref())
        .or(doc.when.as_deref());
    match when {
        Some(cond) => Truth::Depends(cond.to_string()),
        None => Truth::Always,
    }
}

/// An Allow statement of the role's own that grants actions on any resource.
pub(crate) struct OnAnyResource<'a> {
    pub doc: &'a PolicyDocument,
    pub stmt: &'a Statement,
    /// The `*` (or the `NotResource`, or the wildcard ARN) that makes it any resource.
    pub resource: &'a PatternItem,
    pub actions: &'a Patterns,
    /// With a wildcard ARN over a whole resource type (`arn:aws:iam::*:role/*`), the service
    /// whose actions it opens; `None` when every action is.
    pub service: Option<&'a str>,
}

impl OnAnyResource<'_> {
    /// Whether the statement opens `action` to any resource.
    pub(crate) fn opens(&self, action: &palisade_iam::Action) -> bool {
        self.service
            .is_none_or(|s| s.eq_ignore_ascii_case(action.service))
    }
}

/// The role's own Allow statements with actions on `Resource: "*"`, a `NotResource`, or a
/// wildcard ARN over every resource of a type.
pub(crate) fn on_any_resource(role: &Role) -> Vec<OnAnyResource<'_>> {
    owned_allows(role)
        .into_iter()
        .filter_map(|(doc, stmt)| {
            let actions = stmt.action.as_ref()?;
            if let Some(resource) = any_resource(stmt) {
                return Some(OnAnyResource {
                    doc,
                    stmt,
                    resource,
                    actions,
                    service: None,
                });
            }
            let (resource, service) = stmt.resource.as_ref()?.items.iter().find_map(|i| {
                let service = palisade_iam::covers_whole_type(i.text.literal()?)?;
                Some((i, service))
            })?;
            Some(OnAnyResource {
                doc,
                stmt,
                resource,
                actions,
                service: Some(service),
            })
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

/// "role OrdersRole (function Orders)", "user alice".
pub(crate) fn who(app: &App, role: &Role) -> String {
    match role.kind {
        RoleKind::User | RoleKind::Group | RoleKind::ManagedPolicy => {
            format!("{} {}", role.kind.noun(), role.id)
        }
        _ if app.functions.is_empty() => format!("role {}", role.id),
        _ => format!("role {} ({})", role.id, holders(&functions_of(app, role))),
    }
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

/// Where a statement is, for messages: "inline policy app Statement[0]", or just "Statement[0]"
/// when the principal is the policy itself.
pub(crate) fn through(role: &Role, doc: &PolicyDocument, stmt: &Statement) -> String {
    match role.kind {
        RoleKind::ManagedPolicy => stmt.label(),
        _ => format!("{} {}", doc.source.describe(), stmt.label()),
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

/// AWS managed policies that PAL205 reports by name; other rules leave them to it.
pub(crate) const ADMIN_LEVEL: &[&str] =
    &["AdministratorAccess", "PowerUserAccess", "IAMFullAccess"];

/// How many actions a message names before "and N more".
const NAMED: usize = 6;

/// How many granting statements a finding lists as related locations.
const RELATED: usize = 20;

/// Report, once for a principal, the actions of a risk category it may use without resource
/// constraint, with each action's granting statement as related locations. Actions allowed
/// only under statement conditions are reported with lower confidence.
pub(crate) fn report_category(
    cx: &mut crate::Checker<'_>,
    view: &crate::RoleView<'_>,
    category: &palisade_iam::ActionSet,
    what: &str,
    segment: &str,
) {
    let app = cx.app;
    let role = view.role;
    // PAL201/PAL205 report administrators; every category would only repeat them.
    if view.effective.is_administrator() {
        return;
    }
    let mut certain = view.effective.unconstrained(false).clone();
    certain.intersect_with(category);
    let mut possible = view.effective.unconstrained(true).clone();
    possible.intersect_with(category);
    let (actions, conditional) = if !certain.is_empty() {
        (certain, false)
    } else if !possible.is_empty() {
        (possible, true)
    } else {
        return;
    };
    let names = actions.first_names(RELATED.max(NAMED));
    let listed = list_first_names(&names, actions.len(), NAMED);
    let ids: Vec<u32> = actions.iter().take(names.len()).collect();
    let first = ids.first().and_then(|&id| {
        view.effective
            .grants_of(id)
            .into_iter()
            .next()
            .map(|g| g.span())
    });
    let may = if role.kind == RoleKind::ManagedPolicy {
        "lets whoever holds it"
    } else {
        "may"
    };
    let mut message = format!("{} {may} {what} on any resource: {listed}", who(app, role));
    if conditional {
        message.push_str(" (only through statements with conditions)");
    }
    let r = cx.report(first.unwrap_or(role.span), message);
    let mut r = attach(r, app, role).at(segment.to_string());
    if conditional {
        r = r.confidence(palisade_model::Confidence::Medium);
    }
    for (id, name) in ids.iter().zip(&names).take(RELATED) {
        if let Some(g) = view.effective.grants_of(*id).into_iter().next() {
            r = r.related(
                format!("{name} via {} {}", g.doc.source.describe(), g.stmt.label()),
                g.span(),
            );
        }
    }
    r.emit();
}

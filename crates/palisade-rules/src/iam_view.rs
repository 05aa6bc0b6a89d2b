//! Each role's effective permissions, computed once per app on first use and shared by every
//! rule that judges principals.

use std::collections::HashMap;
use std::sync::LazyLock;

use palisade_iam::{
    AccessLevel, ActionSet, Boundary, Effective, Expander, Source, at_level, boundary_actions,
    catalog, effective, risky_actions, unrestrictable,
};
use palisade_model::{App, ManagedPolicyRef, PolicySource, Role, RoleKind, Text};

use crate::rules::iam_names::managed_document;

pub struct RoleView<'a> {
    pub role: &'a Role,
    pub effective: Effective<'a>,
    /// Managed policies attached by ARN that Palisade cannot read (customer managed policies
    /// outside the app): the role may be allowed more than shown.
    pub unread: Vec<&'a ManagedPolicyRef>,
}

pub struct IamView<'a> {
    pub roles: Vec<RoleView<'a>>,
}

impl<'a> IamView<'a> {
    pub fn build(app: &'a App) -> IamView<'a> {
        let mut ex = Expander::new();
        let groups: HashMap<&str, &Role> = app
            .roles
            .iter()
            .filter(|r| r.kind == RoleKind::Group)
            .map(|r| (r.id.as_str(), r))
            .collect();
        let roles = app
            .roles
            .iter()
            .map(|role| {
                let mut sources = Vec::new();
                let mut unread = Vec::new();
                held_by(app, role, &mut sources, &mut unread);
                // A user holds the policies of its groups too, reported where the group has
                // them.
                for (group, _) in &role.groups {
                    if let Some(g) = groups.get(group.as_str()) {
                        held_by(app, g, &mut sources, &mut unread);
                    }
                }
                let boundary = boundary_of(&mut ex, app, role);
                RoleView {
                    role,
                    effective: effective(&mut ex, &sources, boundary),
                    unread,
                }
            })
            .collect();
        IamView { roles }
    }

    pub fn role(&self, id: &str) -> Option<&RoleView<'a>> {
        self.roles.iter().find(|r| r.role.id == id)
    }
}

/// The documents a principal holds itself: its policies, and the managed policies it
/// attaches. AWS managed policies of a template have no statements in it, so findings in them
/// go to the line that attaches them; documents the input carries keep their own positions.
fn held_by<'a>(
    app: &'a App,
    role: &'a Role,
    sources: &mut Vec<Source<'a>>,
    unread: &mut Vec<&'a ManagedPolicyRef>,
) {
    sources.extend(role.policies.iter().map(|doc| Source { doc, at: None }));
    for m in &role.managed {
        match managed_document(app, m) {
            Some(doc) => {
                let carried = m
                    .arn
                    .get()
                    .and_then(Text::literal)
                    .is_some_and(|arn| app.managed_documents.contains_key(arn));
                let at = match doc.source {
                    PolicySource::AwsManaged { .. } if !carried => Some(m.span),
                    _ => None,
                };
                sources.push(Source { doc, at });
            }
            None => unread.push(m),
        }
    }
}

fn boundary_of(ex: &mut Expander, app: &App, role: &Role) -> Boundary {
    if let Some(doc) = &role.boundary_document {
        return Boundary::Known(boundary_actions(ex, doc));
    }
    let Some(arn) = role.permissions_boundary.as_ref() else {
        return Boundary::None;
    };
    let as_ref = ManagedPolicyRef {
        arn: arn.clone(),
        span: arn.span,
        written_as: None,
    };
    match managed_document(app, &as_ref) {
        Some(doc) => Boundary::Known(boundary_actions(ex, doc)),
        None => Boundary::Unknown(arn.get().map_or_else(|| arn.render(), Text::render)),
    }
}

/// Risk categories judged on a principal's effective permissions, by name: the actions of each
/// that matter on any resource. Actions that cannot name a resource are left out: there is
/// nothing narrower to write.
pub const RISK_CATEGORIES: [&str; 4] = [
    "resource-exposure",
    "data-exfiltration",
    "credentials-exposure",
    "infrastructure-modification",
];

/// The actions of a risk category (an empty set for an unknown name).
pub fn risk_category(name: &str) -> &'static ActionSet {
    static SETS: LazyLock<Vec<ActionSet>> = LazyLock::new(|| {
        RISK_CATEGORIES
            .iter()
            .map(|name| {
                let mut set = match *name {
                    "resource-exposure" => at_level(AccessLevel::PermissionsManagement).clone(),
                    "infrastructure-modification" => {
                        let mut s = at_level(AccessLevel::Write).clone();
                        s.union_with(at_level(AccessLevel::PermissionsManagement));
                        s.union_with(at_level(AccessLevel::Tagging));
                        s
                    }
                    other => risky_actions(other),
                };
                set.subtract(unrestrictable());
                set
            })
            .collect()
    });
    static EMPTY: LazyLock<ActionSet> = LazyLock::new(|| ActionSet::empty(catalog()));
    RISK_CATEGORIES
        .iter()
        .position(|c| *c == name)
        .and_then(|i| SETS.get(i))
        .unwrap_or(&EMPTY)
}

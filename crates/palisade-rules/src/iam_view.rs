//! Each role's effective permissions, computed once per app on first use and shared by every
//! rule that judges principals.

use std::collections::HashMap;
use std::sync::LazyLock;

use palisade_iam::{
    AccessLevel, ActionSet, Boundary, Effective, Expander, Source, at_level, boundary_of_document,
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
    /// The address of each principal → its position in `roles` (ids may repeat across kinds
    /// in an account: a user and a role can share a name).
    by_address: HashMap<usize, usize>,
    by_id: HashMap<&'a str, usize>,
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
            .collect::<Vec<RoleView<'a>>>();
        let by_address = roles
            .iter()
            .enumerate()
            .map(|(i, v)| (std::ptr::from_ref(v.role) as usize, i))
            .collect();
        let mut by_id = HashMap::new();
        for (i, v) in roles.iter().enumerate() {
            by_id.entry(v.role.id.as_str()).or_insert(i);
        }
        IamView {
            roles,
            by_address,
            by_id,
        }
    }

    /// The view of a role of a template, by logical id.
    pub fn role(&self, id: &str) -> Option<&RoleView<'a>> {
        self.by_id.get(id).and_then(|&i| self.roles.get(i))
    }

    /// The view of a principal of the app.
    pub fn of(&self, role: &Role) -> Option<&RoleView<'a>> {
        self.by_address
            .get(&(std::ptr::from_ref(role) as usize))
            .and_then(|&i| self.roles.get(i))
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
        return boundary_of_document(ex, doc);
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
        Some(doc) => boundary_of_document(ex, doc),
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
                // Handing over a role is not changing a resource's permissions; PAL204 and
                // PAL208 report iam:PassRole.
                if *name == "resource-exposure"
                    && let Some(pass) = catalog().action("iam:PassRole")
                {
                    set.remove(pass.id);
                }
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

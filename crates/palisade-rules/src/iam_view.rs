//! Each role's effective permissions, computed once per app on first use and shared by every
//! rule that judges principals.

use palisade_iam::{
    Boundary, Effective, Expander, Source, boundary_actions, effective, managed_policy_document,
};
use palisade_model::{App, ManagedPolicyRef, Role, Text};

use crate::rules::iam_names::aws_managed_name;

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
        let roles = app
            .roles
            .iter()
            .map(|role| {
                let mut sources: Vec<Source<'a>> = role
                    .policies
                    .iter()
                    .map(|doc| Source { doc, at: None })
                    .collect();
                let mut unread = Vec::new();
                for m in &role.managed {
                    match aws_managed_name(m).and_then(|n| managed_policy_document(&n)) {
                        Some(doc) => sources.push(Source {
                            doc,
                            at: Some(m.span),
                        }),
                        None => unread.push(m),
                    }
                }
                let boundary = boundary_of(&mut ex, role);
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

fn boundary_of(ex: &mut Expander, role: &Role) -> Boundary {
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
    match aws_managed_name(&as_ref).and_then(|n| managed_policy_document(&n)) {
        Some(doc) => Boundary::Known(boundary_actions(ex, doc)),
        None => Boundary::Unknown(arn.get().map_or_else(|| arn.render(), Text::render)),
    }
}

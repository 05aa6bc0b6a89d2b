//! Each function's permission footprint: what its role grants, in numbers, with the risky
//! actions named.

use palisade_iam::{LEVELS, Reach, escalations, footprint, footprint_counts};
use palisade_model::{
    App, Function, LevelActions, PermissionFootprint, PolicyExplanation, RiskyActions, RoleRef,
    ServiceActions, Text,
};

use crate::iam_view::{IamView, RISK_CATEGORIES, RoleView, risk_category};

/// The footprint of every function of an app, in the app's order.
pub fn footprints(app: &App) -> Vec<PermissionFootprint> {
    if app.functions.is_empty() {
        return Vec::new();
    }
    footprints_in(app, &IamView::build(app))
}

/// The footprints, from effective permissions already computed.
pub(crate) fn footprints_in(app: &App, view: &IamView<'_>) -> Vec<PermissionFootprint> {
    app.functions
        .iter()
        .map(|f| footprint_of(app, view, f))
        .collect()
}

fn footprint_of(app: &App, view: &IamView<'_>, f: &Function) -> PermissionFootprint {
    let mut out = PermissionFootprint {
        app: app.path.clone(),
        function: f.id.clone(),
        role: None,
        actions: 0,
        by_access_level: Vec::new(),
        by_reach: Vec::new(),
        services: Vec::new(),
        administrator: false,
        escalation_methods: Vec::new(),
        risky: Vec::new(),
        incomplete: Vec::new(),
    };
    let role = match &f.role {
        RoleRef::Local(id) => view.role(id),
        RoleRef::External(arn) => {
            out.incomplete.push(format!(
                "the role {} is not in the app",
                arn.get().map_or_else(|| arn.render(), Text::render)
            ));
            None
        }
        RoleRef::None => None,
    };
    let Some(rv) = role else { return out };
    out.role = Some(rv.role.id.clone());
    fill(&mut out, rv);
    out
}

fn fill(out: &mut PermissionFootprint, rv: &RoleView<'_>) {
    let eff = &rv.effective;
    let fp = footprint_counts(eff);
    out.actions = fp.total;
    out.by_access_level = LEVELS
        .iter()
        .filter_map(|l| fp.by_level.get(l).map(|n| (l.as_str(), *n)))
        .collect();
    out.by_reach = [
        Reach::AnyResource,
        Reach::Conditional,
        Reach::NamedResources,
    ]
    .iter()
    .filter_map(|r| fp.by_reach.get(r).map(|n| (r.as_str(), *n)))
    .collect();
    out.services = fp
        .services
        .iter()
        .map(|(prefix, n)| ((*prefix).to_string(), *n))
        .collect();
    out.administrator = eff.is_administrator();
    out.escalation_methods = escalations(eff)
        .iter()
        .map(|e| e.combo.id.clone())
        .collect();
    let open = eff.unconstrained(true);
    for name in RISK_CATEGORIES {
        let mut set = open.clone();
        set.intersect_with(risk_category(name));
        if set.is_empty() {
            continue;
        }
        let count = set.len();
        let actions = if out.administrator {
            Vec::new()
        } else {
            set.first_static_names(RiskyActions::LISTED)
        };
        out.risky.push(RiskyActions {
            category: name,
            count,
            actions,
        });
    }
    out.incomplete.extend(incomplete(rv));
}

/// Why a role's numbers may be off: what of its permissions Palisade cannot read.
pub(crate) fn incomplete(rv: &RoleView<'_>) -> Vec<String> {
    let eff = &rv.effective;
    let mut out = Vec::new();
    for m in &rv.unread {
        out.push(format!(
            "managed policy {} is not readable here",
            m.arn.get().map_or_else(|| m.arn.render(), Text::render)
        ));
    }
    if eff.unresolved > 0 {
        out.push(format!(
            "{} action pattern{} written as expressions",
            eff.unresolved,
            if eff.unresolved == 1 { " is" } else { "s are" }
        ));
    }
    if let palisade_iam::Boundary::Unknown(arn) = &eff.boundary {
        out.push(format!(
            "the permissions boundary {arn} is not readable here (it can only lower the numbers)"
        ));
    }
    out
}

/// What the one policy of an app loaded from a policy file grants (`palisade iam explain`).
pub fn explain(app: &App) -> Option<PolicyExplanation> {
    let view = IamView::build(app);
    let rv = view.roles.first()?;
    let doc = rv.role.policies.first()?;
    let fp = footprint(&rv.effective);
    Some(PolicyExplanation {
        path: app.path.clone(),
        statements: doc.statements.len(),
        deny_statements: doc
            .statements
            .iter()
            .filter(|s| matches!(s.effect.get(), Some(palisade_model::Effect::Deny)))
            .count(),
        actions: fp.total,
        by_reach: [
            Reach::AnyResource,
            Reach::Conditional,
            Reach::NamedResources,
        ]
        .iter()
        .filter_map(|r| fp.by_reach.get(r).map(|n| (r.as_str(), *n)))
        .collect(),
        services: fp
            .services
            .iter()
            .map(|s| ServiceActions {
                prefix: s.prefix.to_string(),
                name: s.name.to_string(),
                total: s.total,
                levels: s
                    .levels
                    .iter()
                    .map(|(level, actions)| LevelActions {
                        level: level.as_str(),
                        actions: actions
                            .iter()
                            .map(|g| (g.action.name.to_string(), g.reach.as_str()))
                            .collect(),
                    })
                    .collect(),
            })
            .collect(),
        denied: fp.denied.len(),
        unresolved: rv.effective.unresolved,
        incomplete: doc.incomplete.clone(),
    })
}

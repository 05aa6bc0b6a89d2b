//! What a principal's effective permissions amount to: every action granted, grouped by service
//! and access level, each with how far it reaches (any resource, only under a condition, only
//! named resources).

use std::collections::BTreeMap;

use crate::action_set::ActionSet;
use crate::catalog::{AccessLevel, Action, catalog};
use crate::effective::Effective;

/// How far a granted action reaches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Reach {
    /// On any resource, without condition.
    AnyResource,
    /// On any resource, but only through statements with conditions.
    Conditional,
    /// Only on the resources the statements name.
    NamedResources,
}

impl Reach {
    pub fn as_str(self) -> &'static str {
        match self {
            Reach::AnyResource => "any-resource",
            Reach::Conditional => "conditional",
            Reach::NamedResources => "named-resources",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Granted {
    pub action: &'static Action,
    pub reach: Reach,
}

/// The actions of one service a principal is granted.
#[derive(Clone, Debug)]
pub struct ServiceGrants {
    pub prefix: &'static str,
    pub name: &'static str,
    /// Actions the service has in the catalog.
    pub total: usize,
    /// Granted actions by access level (most powerful level first), sorted by name.
    pub levels: Vec<(AccessLevel, Vec<Granted>)>,
}

impl ServiceGrants {
    pub fn granted(&self) -> usize {
        self.levels.iter().map(|(_, a)| a.len()).sum()
    }
}

#[derive(Clone, Debug)]
pub struct Footprint {
    /// Services with at least one granted action, by prefix.
    pub services: Vec<ServiceGrants>,
    pub total: usize,
    pub by_reach: BTreeMap<Reach, usize>,
    pub by_level: BTreeMap<AccessLevel, usize>,
    /// Actions denied on every resource without condition.
    pub denied: ActionSet,
}

/// Access levels from the most to the least powerful, the order they are shown in.
pub const LEVELS: [AccessLevel; 5] = [
    AccessLevel::PermissionsManagement,
    AccessLevel::Write,
    AccessLevel::Tagging,
    AccessLevel::Read,
    AccessLevel::List,
];

/// A footprint's numbers only (what a report needs for every function): the actions granted
/// by access level, by reach and per service.
#[derive(Clone, Debug)]
pub struct FootprintCounts {
    pub total: usize,
    pub by_reach: BTreeMap<Reach, usize>,
    pub by_level: BTreeMap<AccessLevel, usize>,
    /// (service prefix, granted actions), by prefix, services without any left out.
    pub services: Vec<(&'static str, usize)>,
}

/// Count what effective permissions grant, without listing every action.
pub fn footprint_counts(eff: &Effective<'_>) -> FootprintCounts {
    let c = catalog();
    let allowed = eff.allowed();
    let any = eff.unconstrained(false);
    let possible = eff.unconstrained(true);
    let total = allowed.len();
    let open = possible.count_common(&allowed);
    let certain = any.count_common(&allowed);
    let by_reach = [
        (Reach::AnyResource, certain),
        (Reach::Conditional, open - certain),
        (Reach::NamedResources, total - open),
    ]
    .into_iter()
    .filter(|(_, n)| *n > 0)
    .collect();
    let by_level = LEVELS
        .iter()
        .map(|l| (*l, allowed.count_common(crate::action_set::at_level(*l))))
        .filter(|(_, n)| *n > 0)
        .collect();
    // Ids run service by service, so the actions of one service come together.
    let mut services: Vec<(&'static str, usize)> = Vec::new();
    for action in allowed.iter().filter_map(|id| c.by_id(id)) {
        match services.last_mut() {
            Some((prefix, n)) if *prefix == action.service => *n += 1,
            _ => services.push((action.service, 1)),
        }
    }
    services.sort_by(|a, b| a.0.cmp(b.0));
    FootprintCounts {
        total,
        by_reach,
        by_level,
        services,
    }
}

/// The footprint of effective permissions.
pub fn footprint(eff: &Effective<'_>) -> Footprint {
    let c = catalog();
    let allowed = eff.allowed();
    let any = eff.unconstrained(false);
    let possible = eff.unconstrained(true);
    let mut per_service: BTreeMap<&'static str, BTreeMap<AccessLevel, Vec<Granted>>> =
        BTreeMap::new();
    let mut by_reach = BTreeMap::new();
    let mut by_level = BTreeMap::new();
    for id in allowed.iter() {
        let Some(action) = c.by_id(id) else { continue };
        let reach = if any.contains(id) {
            Reach::AnyResource
        } else if possible.contains(id) {
            Reach::Conditional
        } else {
            Reach::NamedResources
        };
        *by_reach.entry(reach).or_insert(0) += 1;
        *by_level.entry(action.access).or_insert(0) += 1;
        per_service
            .entry(action.service)
            .or_default()
            .entry(action.access)
            .or_default()
            .push(Granted { action, reach });
    }
    let services = per_service
        .into_iter()
        .map(|(prefix, mut levels)| {
            let service = c.service(prefix);
            ServiceGrants {
                prefix,
                name: service.map_or(prefix, |s| s.name),
                total: service.map_or(0, |s| s.actions.len()),
                levels: LEVELS
                    .iter()
                    .filter_map(|l| {
                        let mut actions = levels.remove(l)?;
                        actions.sort_by(|a, b| a.action.name.cmp(b.action.name));
                        Some((*l, actions))
                    })
                    .collect(),
            }
        })
        .collect();
    Footprint {
        services,
        total: allowed.len(),
        by_reach,
        by_level,
        denied: eff.denied.clone(),
    }
}

#[cfg(test)]
mod tests {
    use palisade_model::policy::{from_json, policy_document};
    use palisade_model::{PolicySource, Span};

    use super::*;
    use crate::effective::{Boundary, Expander, Source, effective};

    #[test]
    fn groups_by_service_and_level_with_reach() {
        let doc = policy_document(
            &from_json(
                &serde_json::json!({"Statement": [
                    {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutBucketPolicy"], "Resource": "*"},
                    {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::b/*"},
                    {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*",
                     "Condition": {"StringEquals": {"aws:ResourceTag/team": "a"}}},
                    {"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"}
                ]}),
                Span::default(),
            ),
            PolicySource::Inline { name: "p".into() },
        );
        let mut ex = Expander::new();
        let eff = effective(
            &mut ex,
            &[Source {
                doc: &doc,
                at: None,
            }],
            Boundary::None,
        );
        let fp = footprint(&eff);
        assert_eq!(fp.total, 4);
        assert_eq!(fp.by_reach.get(&Reach::AnyResource), Some(&2));
        assert_eq!(fp.by_reach.get(&Reach::Conditional), Some(&1));
        assert_eq!(fp.by_reach.get(&Reach::NamedResources), Some(&1));
        let s3 = &fp.services[0];
        assert_eq!(s3.prefix, "s3");
        assert_eq!(s3.granted(), 3);
        assert_eq!(s3.levels[0].0, AccessLevel::PermissionsManagement);
        assert_eq!(fp.denied.len(), 1);
        let counts = footprint_counts(&eff);
        assert_eq!(counts.total, fp.total);
        assert_eq!(counts.by_reach, fp.by_reach);
        assert_eq!(counts.by_level, fp.by_level);
        assert_eq!(counts.services, vec![("s3", 3), ("sqs", 1)]);
    }
}

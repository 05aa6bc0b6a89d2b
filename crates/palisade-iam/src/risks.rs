//! Known risky combinations and actions, judged on a principal's effective permissions, so a
//! privilege escalation split across two policies of one role is still found.

use std::sync::LazyLock;

use crate::action_set::ActionSet;
use crate::catalog::catalog;
use crate::effective::{Effective, Grant};

/// One privilege-escalation method: a principal allowed all of its actions (on any resource)
/// can gain privileges it was not given.
#[derive(Debug)]
pub struct Combo {
    pub id: String,
    /// Catalog names of the actions, all required.
    pub actions: Vec<String>,
    pub ids: Vec<u32>,
    pub kind: String,
    pub origin: String,
    /// `https://pathfinding.cloud/paths/<id>`, when the method is documented there.
    pub pathfinding: Option<String>,
}

static COMBOS: LazyLock<Vec<Combo>> = LazyLock::new(|| {
    let json: serde_json::Value =
        serde_json::from_str(include_str!("../data/privesc_combos.json")).unwrap_or_default();
    let c = catalog();
    json.get("methods")
        .and_then(serde_json::Value::as_array)
        .map(|methods| {
            methods
                .iter()
                .filter_map(|m| {
                    let names: Vec<String> = m
                        .get("actions_all_required")?
                        .as_array()?
                        .iter()
                        .filter_map(|a| a.as_str().map(str::to_string))
                        .collect();
                    let ids: Vec<u32> = names
                        .iter()
                        .filter_map(|n| c.action(n))
                        .map(|a| a.id)
                        .collect();
                    // A combination naming an action the catalog does not know can never be
                    // complete; keeping it would only hide that.
                    (ids.len() == names.len()).then(|| Combo {
                        id: m
                            .get("id")
                            .and_then(|v| v.as_str())
                            .unwrap_or("")
                            .to_string(),
                        actions: ids
                            .iter()
                            .filter_map(|&i| c.by_id(i))
                            .map(|a| a.full_name())
                            .collect(),
                        ids,
                        kind: m
                            .get("kind")
                            .and_then(|v| v.as_str())
                            .unwrap_or("")
                            .to_string(),
                        origin: m
                            .get("origin")
                            .and_then(|v| v.as_str())
                            .unwrap_or("")
                            .to_string(),
                        pathfinding: m
                            .get("pathfinding_cloud_id")
                            .and_then(|v| v.as_str())
                            .map(|id| format!("https://pathfinding.cloud/paths/{id}")),
                    })
                })
                .collect()
        })
        .unwrap_or_default()
});

/// Every known privilege-escalation method.
pub fn combos() -> &'static [Combo] {
    &COMBOS
}

/// Actions of a risk category (`credentials-exposure`, `data-exfiltration`), from
/// `data/risky-actions.tsv`.
pub fn risky_actions(category: &str) -> ActionSet {
    static TABLE: LazyLock<Vec<(&'static str, u32)>> = LazyLock::new(|| {
        let c = catalog();
        include_str!("../data/risky-actions.tsv")
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| {
                let mut f = l.split('\t');
                let category = f.next()?;
                let action = c.action(f.next()?)?;
                Some((category, action.id))
            })
            .collect()
    });
    let mut set = ActionSet::empty(catalog());
    for (cat, id) in TABLE.iter() {
        if *cat == category {
            set.insert(*id);
        }
    }
    set
}

/// A privilege escalation a principal can perform.
#[derive(Debug)]
pub struct Escalation<'e, 'a> {
    pub combo: &'static Combo,
    /// Only possible through statements with conditions.
    pub conditional: bool,
    /// For each action of the combination, the grants that allow it.
    pub through: Vec<(String, Vec<&'e Grant<'a>>)>,
}

/// The escalation methods whose every action the principal may use without resource
/// constraint.
pub fn escalations<'e, 'a>(eff: &'e Effective<'a>) -> Vec<Escalation<'e, 'a>> {
    let certain = eff.unconstrained(false);
    let possible = eff.unconstrained(true);
    combos()
        .iter()
        .filter(|combo| combo.ids.iter().all(|id| possible.contains(*id)))
        .map(|combo| Escalation {
            combo,
            conditional: !combo.ids.iter().all(|id| certain.contains(*id)),
            through: combo
                .ids
                .iter()
                .zip(&combo.actions)
                .map(|(id, name)| (name.clone(), eff.grants_of(*id)))
                .collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use palisade_model::policy::{from_json, policy_document};
    use palisade_model::{PolicyDocument, PolicySource, Span};

    use super::*;
    use crate::effective::{Boundary, Expander, Source, effective};

    fn one_action_policy(i: usize, action: &str, effect: &str) -> PolicyDocument {
        policy_document(
            &from_json(
                &serde_json::json!({"Statement": [{"Effect": effect, "Action": action, "Resource": "*"}]}),
                Span::default(),
            ),
            PolicySource::Inline {
                name: format!("p{i}"),
            },
        )
    }

    fn found(docs: &[PolicyDocument], combo: &str) -> bool {
        let sources: Vec<Source<'_>> = docs.iter().map(|doc| Source { doc, at: None }).collect();
        let mut ex = Expander::new();
        let eff = effective(&mut ex, &sources, Boundary::None);
        escalations(&eff).iter().any(|e| e.combo.id == combo)
    }

    /// Every method is found when each of its actions comes from a different policy, and is no
    /// longer found when any one action is denied.
    #[test]
    fn every_combination_is_found_across_policies_and_denies_break_it() {
        for combo in combos() {
            let mut docs: Vec<PolicyDocument> = combo
                .actions
                .iter()
                .enumerate()
                .map(|(i, a)| one_action_policy(i, a, "Allow"))
                .collect();
            assert!(
                found(&docs, &combo.id),
                "{} split across policies",
                combo.id
            );
            for (i, action) in combo.actions.iter().enumerate() {
                docs.push(one_action_policy(100 + i, action, "Deny"));
                assert!(
                    !found(&docs, &combo.id),
                    "{} with {action} denied",
                    combo.id
                );
                docs.pop();
            }
            // Missing any one action: no escalation by this method.
            if combo.actions.len() > 1 {
                let partial = &docs[1..];
                assert!(
                    !found(partial, &combo.id),
                    "{} without {}",
                    combo.id,
                    combo.actions[0]
                );
            }
        }
    }

    #[test]
    fn every_combination_resolves() {
        assert_eq!(
            combos().len(),
            63,
            "a combination names an action the catalog does not know"
        );
        assert!(risky_actions("credentials-exposure").len() >= 40);
        assert!(
            risky_actions("data-exfiltration")
                .contains(catalog().action("s3:GetObject").map_or(0, |a| a.id))
        );
    }
}

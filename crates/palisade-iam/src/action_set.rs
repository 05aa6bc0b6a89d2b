//! Sets of IAM actions as bitsets over the catalog: expanding `s3:*` or a `NotAction` and
//! combining the statements of a principal are word operations, not string comparisons.

use std::sync::LazyLock;

use crate::catalog::{AccessLevel, Catalog, catalog};

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ActionSet {
    words: Vec<u64>,
}

impl ActionSet {
    pub fn empty(c: &Catalog) -> ActionSet {
        ActionSet {
            words: vec![0; c.action_count().div_ceil(64)],
        }
    }

    pub fn full(c: &Catalog) -> ActionSet {
        let mut set = ActionSet {
            words: vec![u64::MAX; c.action_count().div_ceil(64)],
        };
        let extra = set.words.len() * 64 - c.action_count();
        if let Some(last) = set.words.last_mut()
            && extra > 0
        {
            *last >>= extra;
        }
        set
    }

    pub fn insert(&mut self, id: u32) {
        if let Some(w) = self.words.get_mut((id / 64) as usize) {
            *w |= 1 << (id % 64);
        }
    }

    pub fn remove(&mut self, id: u32) {
        if let Some(w) = self.words.get_mut((id / 64) as usize) {
            *w &= !(1 << (id % 64));
        }
    }

    pub fn contains(&self, id: u32) -> bool {
        self.words
            .get((id / 64) as usize)
            .is_some_and(|w| w & (1 << (id % 64)) != 0)
    }

    pub fn union_with(&mut self, other: &ActionSet) {
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a |= b;
        }
    }

    pub fn intersect_with(&mut self, other: &ActionSet) {
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a &= b;
        }
    }

    pub fn subtract(&mut self, other: &ActionSet) {
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a &= !b;
        }
    }

    /// Every catalog action not in the set.
    pub fn complement(&self, c: &Catalog) -> ActionSet {
        let mut full = ActionSet::full(c);
        full.subtract(self);
        full
    }

    pub fn is_empty(&self) -> bool {
        self.words.iter().all(|w| *w == 0)
    }

    pub fn len(&self) -> usize {
        self.words.iter().map(|w| w.count_ones() as usize).sum()
    }

    /// How many actions both sets hold.
    pub fn count_common(&self, other: &ActionSet) -> usize {
        self.words
            .iter()
            .zip(&other.words)
            .map(|(a, b)| (a & b).count_ones() as usize)
            .sum()
    }

    pub fn intersects(&self, other: &ActionSet) -> bool {
        self.words.iter().zip(&other.words).any(|(a, b)| a & b != 0)
    }

    /// True when every action of `self` is in `other`.
    pub fn is_subset(&self, other: &ActionSet) -> bool {
        self.words
            .iter()
            .zip(&other.words)
            .all(|(a, b)| a & !b == 0)
    }

    pub fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        self.words
            .iter()
            .enumerate()
            .filter(|(_, w)| **w != 0)
            .flat_map(|(i, &w)| {
                let base = (i as u32) * 64;
                std::iter::successors(Some(w), |rest| Some(rest & rest.wrapping_sub(1)))
                    .take_while(|rest| *rest != 0)
                    .map(move |rest| base + rest.trailing_zeros())
            })
    }

    /// The catalog names of the actions, in catalog order.
    pub fn names(&self) -> Vec<String> {
        self.first_names(usize::MAX)
    }

    /// The names of the first `n` actions (in catalog order).
    pub fn first_names(&self, n: usize) -> Vec<String> {
        self.first_static_names(n)
            .into_iter()
            .map(str::to_string)
            .collect()
    }

    /// [`ActionSet::first_names`] without allocating a name per action.
    pub fn first_static_names(&self, n: usize) -> Vec<&'static str> {
        static FULL_NAMES: LazyLock<Vec<String>> = LazyLock::new(|| {
            let c = catalog();
            (0..c.action_count() as u32)
                .map(|id| c.by_id(id).map(|a| a.full_name()).unwrap_or_default())
                .collect()
        });
        self.iter()
            .take(n)
            .filter_map(|id| FULL_NAMES.get(id as usize).map(String::as_str))
            .collect()
    }
}

/// Actions that cannot be limited to resources (they take only `Resource: "*"`).
pub fn unrestrictable() -> &'static ActionSet {
    static SET: LazyLock<ActionSet> = LazyLock::new(|| {
        let c = catalog();
        let mut set = ActionSet::empty(c);
        for a in c.services.iter().flat_map(|s| &s.actions) {
            if !a.supports_resource_scoping() {
                set.insert(a.id);
            }
        }
        set
    });
    &SET
}

/// The actions of one access level.
pub fn at_level(level: AccessLevel) -> &'static ActionSet {
    static SETS: LazyLock<[ActionSet; 5]> = LazyLock::new(|| {
        let c = catalog();
        let levels = [
            AccessLevel::List,
            AccessLevel::Read,
            AccessLevel::Tagging,
            AccessLevel::Write,
            AccessLevel::PermissionsManagement,
        ];
        levels.map(|level| {
            let mut set = ActionSet::empty(c);
            for a in c.services.iter().flat_map(|s| &s.actions) {
                if a.access == level {
                    set.insert(a.id);
                }
            }
            set
        })
    });
    let i = match level {
        AccessLevel::List => 0,
        AccessLevel::Read => 1,
        AccessLevel::Tagging => 2,
        AccessLevel::Write => 3,
        AccessLevel::PermissionsManagement => 4,
    };
    &SETS[i]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iterates_exactly_the_members() {
        let c = catalog();
        for pattern in ["*:Get*", "s3:*", "iam:PassRole", "*"] {
            let set = c.expand_set(pattern);
            let plain: Vec<u32> = (0..c.action_count() as u32)
                .filter(|&id| set.contains(id))
                .collect();
            assert_eq!(set.iter().collect::<Vec<_>>(), plain, "{pattern}");
        }
    }

    #[test]
    fn set_algebra() {
        let c = catalog();
        let s3 = c.expand_set("s3:*");
        let get = c.expand_set("s3:Get*");
        assert!(get.is_subset(&s3));
        let mut rest = s3.clone();
        rest.subtract(&get);
        assert_eq!(rest.len() + get.len(), s3.len());
        assert_eq!(ActionSet::full(c).len(), c.action_count());
        let not_s3 = s3.complement(c);
        assert!(!not_s3.intersects(&s3));
        assert_eq!(not_s3.len() + s3.len(), c.action_count());
        assert!(get.names().iter().all(|n| n.starts_with("s3:Get")));
        assert!(
            unrestrictable().contains(c.action("cloudwatch:PutMetricData").map_or(0, |a| a.id))
        );
    }
}

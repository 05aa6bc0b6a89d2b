//! The IAM action catalog, embedded as compact text and indexed on first use.

use std::collections::HashMap;
use std::sync::LazyLock;

use crate::pattern::wildcard_match;

static CATALOG_TEXT: &str = include_str!("../data/catalog.tsv");

static CATALOG: LazyLock<Catalog> = LazyLock::new(|| Catalog::parse(CATALOG_TEXT));

/// Parse the embedded catalog afresh: what the first use of [`catalog`] costs. For benchmarks.
pub fn parse_embedded_catalog() -> Catalog {
    Catalog::parse(CATALOG_TEXT)
}

/// The embedded catalog.
pub fn catalog() -> &'static Catalog {
    &CATALOG
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AccessLevel {
    List,
    Read,
    Tagging,
    Write,
    PermissionsManagement,
}

impl AccessLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            AccessLevel::List => "List",
            AccessLevel::Read => "Read",
            AccessLevel::Tagging => "Tagging",
            AccessLevel::Write => "Write",
            AccessLevel::PermissionsManagement => "Permissions management",
        }
    }

    fn from_code(c: &str) -> Option<Self> {
        match c {
            "L" => Some(AccessLevel::List),
            "R" => Some(AccessLevel::Read),
            "T" => Some(AccessLevel::Tagging),
            "W" => Some(AccessLevel::Write),
            "P" => Some(AccessLevel::PermissionsManagement),
            _ => None,
        }
    }
}

#[derive(Debug)]
pub struct Action {
    /// Position in the whole catalog (for [`crate::ActionSet`]).
    pub id: u32,
    pub service: &'static str,
    pub name: &'static str,
    pub access: AccessLevel,
    /// Resource types the action can be scoped to, and whether each is required.
    pub resource_types: Vec<(&'static str, bool)>,
    pub condition_keys: Vec<&'static str>,
    pub dependent_actions: Vec<&'static str>,
}

impl Action {
    /// `service:Name`.
    pub fn full_name(&self) -> String {
        format!("{}:{}", self.service, self.name)
    }

    /// True when a policy can restrict the action to specific resources; otherwise it only
    /// accepts `Resource: "*"` and a wildcard resource is not a finding.
    pub fn supports_resource_scoping(&self) -> bool {
        !self.resource_types.is_empty()
    }
}

#[derive(Debug)]
pub struct ResourceType {
    pub name: &'static str,
    pub arn: &'static str,
    pub condition_keys: Vec<&'static str>,
}

#[derive(Debug)]
pub struct Service {
    pub prefix: &'static str,
    pub name: &'static str,
    pub actions: Vec<Action>,
    pub resource_types: Vec<ResourceType>,
    /// Condition keys and their types.
    pub condition_keys: Vec<(&'static str, &'static str)>,
}

impl Service {
    /// An action of the service by name, ignoring case.
    pub fn action(&self, name: &str) -> Option<&Action> {
        let key = name.to_ascii_lowercase();
        self.actions
            .binary_search_by(|a| {
                a.name
                    .bytes()
                    .map(|b| b.to_ascii_lowercase())
                    .cmp(key.bytes())
            })
            .ok()
            .and_then(|i| self.actions.get(i))
    }
}

#[derive(Debug)]
pub struct Catalog {
    pub services: Vec<Service>,
    /// Lowercase prefix → index.
    by_prefix: HashMap<String, usize>,
    /// Id of each service's first action.
    offsets: Vec<u32>,
    total: u32,
}

fn list(field: Option<&'static str>) -> Vec<&'static str> {
    field
        .map(|f| f.split(',').filter(|s| !s.is_empty()).collect())
        .unwrap_or_default()
}

impl Catalog {
    fn parse(text: &'static str) -> Catalog {
        let mut services: Vec<Service> = Vec::new();
        for line in text.lines() {
            if line.starts_with('#') || line.is_empty() {
                continue;
            }
            let mut f = line.split('\t');
            let kind = f.next();
            if kind == Some("S") {
                let prefix = f.next().unwrap_or("");
                services.push(Service {
                    prefix,
                    name: f.next().unwrap_or(prefix),
                    actions: Vec::new(),
                    resource_types: Vec::new(),
                    condition_keys: Vec::new(),
                });
                continue;
            }
            let Some(service) = services.last_mut() else {
                continue;
            };
            match kind {
                Some("A") => {
                    let name = f.next().unwrap_or("");
                    let Some(access) = f.next().and_then(AccessLevel::from_code) else {
                        continue;
                    };
                    let resource_types = list(f.next())
                        .into_iter()
                        .map(|r| match r.strip_suffix('*') {
                            Some(r) => (r, true),
                            None => (r, false),
                        })
                        .collect();
                    service.actions.push(Action {
                        id: 0,
                        service: service.prefix,
                        name,
                        access,
                        resource_types,
                        condition_keys: list(f.next()),
                        dependent_actions: list(f.next()),
                    });
                }
                Some("T") => service.resource_types.push(ResourceType {
                    name: f.next().unwrap_or(""),
                    arn: f.next().unwrap_or(""),
                    condition_keys: list(f.next()),
                }),
                Some("K") => {
                    let key = f.next().unwrap_or("");
                    service.condition_keys.push((key, f.next().unwrap_or("")));
                }
                _ => {}
            }
        }
        let by_prefix = services
            .iter()
            .enumerate()
            .map(|(i, s)| (s.prefix.to_ascii_lowercase(), i))
            .collect();
        let mut next = 0u32;
        let mut offsets = Vec::with_capacity(services.len());
        for s in &mut services {
            offsets.push(next);
            // Sorted without regard to case, so an exact name is found by binary search.
            s.actions
                .sort_by_cached_key(|a| a.name.to_ascii_lowercase());
            for a in &mut s.actions {
                a.id = next;
                next += 1;
            }
        }
        Catalog {
            services,
            by_prefix,
            offsets,
            total: next,
        }
    }

    pub fn service(&self, prefix: &str) -> Option<&Service> {
        self.by_prefix
            .get(&prefix.to_ascii_lowercase())
            .and_then(|&i| self.services.get(i))
    }

    pub fn action(&self, full_name: &str) -> Option<&Action> {
        let (prefix, name) = full_name.split_once(':')?;
        self.service(prefix)?.action(name)
    }

    /// Every action an IAM action pattern (`s3:Get*`, `*`, `*:Describe*`) matches,
    /// case-insensitively as IAM compares action names.
    pub fn expand(&self, pattern: &str) -> Vec<&Action> {
        let pattern = pattern.trim();
        if pattern == "*" {
            return self.services.iter().flat_map(|s| &s.actions).collect();
        }
        let Some((svc, name)) = pattern.split_once(':') else {
            return Vec::new();
        };
        let services: Vec<&Service> = if svc.contains(['*', '?']) {
            self.services
                .iter()
                .filter(|s| wildcard_match(svc, s.prefix, true))
                .collect()
        } else {
            self.service(svc).into_iter().collect()
        };
        if !name.contains(['*', '?']) {
            return services
                .into_iter()
                .filter_map(|s| s.action(name))
                .collect();
        }
        services
            .into_iter()
            .flat_map(|s| &s.actions)
            .filter(|a| wildcard_match(name, a.name, true))
            .collect()
    }

    pub fn action_count(&self) -> usize {
        self.total as usize
    }

    /// The action with a catalog id.
    pub fn by_id(&self, id: u32) -> Option<&Action> {
        // The last service starting at or before `id` holds it (empty services share their
        // offset with the service after them, so they are never the last).
        let svc = self.offsets.partition_point(|&o| o <= id).checked_sub(1)?;
        let first = *self.offsets.get(svc)?;
        self.services.get(svc)?.actions.get((id - first) as usize)
    }

    /// The set of actions an IAM action pattern matches.
    pub fn expand_set(&self, pattern: &str) -> crate::ActionSet {
        let mut set = crate::ActionSet::empty(self);
        if pattern.trim() == "*" {
            return crate::ActionSet::full(self);
        }
        for a in self.expand(pattern) {
            set.insert(a.id);
        }
        set
    }

    /// The closest known action names to an unknown one (for "did you mean").
    pub fn suggest(&self, unknown: &str) -> Vec<String> {
        let lower = unknown.to_ascii_lowercase();
        let (svc, name) = lower.split_once(':').unwrap_or(("", lower.as_str()));
        let candidates: Vec<(usize, String)> = match self.service(svc) {
            // Known service, unknown action: the nearest action names of that service.
            Some(s) => s
                .actions
                .iter()
                .map(|a| {
                    (
                        edit_distance(name, &a.name.to_ascii_lowercase()),
                        a.full_name(),
                    )
                })
                .collect(),
            // Unknown service: the nearest service prefixes.
            None => self
                .services
                .iter()
                .map(|s| {
                    let action = s
                        .actions
                        .iter()
                        .find(|a| a.name.eq_ignore_ascii_case(name))
                        .map_or_else(|| format!("{}:{name}", s.prefix), |a| a.full_name());
                    (edit_distance(svc, s.prefix), action)
                })
                .collect(),
        };
        let best = candidates
            .iter()
            .map(|(d, _)| *d)
            .min()
            .unwrap_or(usize::MAX);
        if best > 3.max(name.len() / 3) {
            return Vec::new();
        }
        let mut out: Vec<String> = candidates
            .into_iter()
            .filter(|(d, _)| *d == best)
            .map(|(_, n)| n)
            .collect();
        out.sort();
        out.truncate(3);
        out
    }
}

/// Levenshtein distance (case-sensitive; callers lowercase).
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            let best = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
            cur[j + 1] = best;
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_loads_whole_and_fast() {
        let started = std::time::Instant::now();
        let c = Catalog::parse(CATALOG_TEXT);
        let elapsed = started.elapsed();
        assert_eq!(c.services.len(), 457);
        assert_eq!(c.action_count(), 22_108);
        // Generous for debug builds on a loaded machine; release takes a few milliseconds.
        assert!(elapsed.as_millis() < 500, "{elapsed:?}");
    }

    #[test]
    fn expansion_is_case_insensitive_and_exact() {
        let c = catalog();
        let get = c.expand("S3:getobject*");
        assert!(get.iter().any(|a| a.name == "GetObject"));
        assert!(
            get.iter()
                .all(|a| a.name.to_ascii_lowercase().starts_with("getobject"))
        );
        assert!(c.expand("s3:*").len() > 100);
        assert!(c.expand("nosuchservice:*").is_empty());
        let pass = c.action("iam:passrole").map(|a| a.access);
        assert_eq!(pass, Some(AccessLevel::PermissionsManagement));
        let put_metric = c.action("cloudwatch:PutMetricData");
        assert!(put_metric.is_some_and(|a| !a.supports_resource_scoping()));
        assert!(
            c.expand("*:Describe*")
                .iter()
                .all(|a| a.name.starts_with("Describe"))
        );
    }
}

#[cfg(test)]
mod id_tests {
    use super::*;

    #[test]
    fn ids_are_dense_and_round_trip() {
        let c = catalog();
        for a in c.services.iter().flat_map(|s| &s.actions).step_by(97) {
            assert_eq!(c.by_id(a.id).map(|b| b.full_name()), Some(a.full_name()));
        }
        assert!(c.by_id(c.action_count() as u32).is_none());
    }

    #[test]
    fn suggestions_for_typos() {
        let c = catalog();
        assert_eq!(c.suggest("s3:GetObjekt"), ["s3:GetObject"]);
        assert_eq!(c.suggest("dynamo:GetItem"), ["dynamodb:GetItem"]);
        assert!(c.suggest("s3:CompletelyMadeUpActionName").is_empty());
    }
}

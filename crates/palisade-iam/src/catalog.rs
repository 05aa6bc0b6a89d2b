//! The IAM action catalog, embedded as compact text and indexed on first use.

use std::collections::HashMap;
use std::sync::LazyLock;

use crate::pattern::wildcard_match;

static CATALOG_TEXT: &str = include_str!("../data/catalog.tsv");

static CATALOG: LazyLock<Catalog> = LazyLock::new(|| Catalog::parse(CATALOG_TEXT));

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

#[derive(Debug)]
pub struct Catalog {
    pub services: Vec<Service>,
    /// Lowercase prefix → index.
    by_prefix: HashMap<String, usize>,
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
        Catalog {
            services,
            by_prefix,
        }
    }

    pub fn service(&self, prefix: &str) -> Option<&Service> {
        self.by_prefix
            .get(&prefix.to_ascii_lowercase())
            .and_then(|&i| self.services.get(i))
    }

    pub fn action(&self, full_name: &str) -> Option<&Action> {
        let (prefix, name) = full_name.split_once(':')?;
        self.service(prefix)?
            .actions
            .iter()
            .find(|a| a.name.eq_ignore_ascii_case(name))
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
        services
            .into_iter()
            .flat_map(|s| &s.actions)
            .filter(|a| wildcard_match(name, a.name, true))
            .collect()
    }

    pub fn action_count(&self) -> usize {
        self.services.iter().map(|s| s.actions.len()).sum()
    }
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

//! The embedded SDK tables (`sdk-map.tsv`, `boto3-resources.tsv`), indexed on first use.
//!
//! Operations are keyed by their API name in lower case: boto3 writes them in snake case and
//! JS SDK v2 in camel case, and no two operations of a service differ only in case (the data
//! script checks both against botocore), so a call's method is found by dropping underscores
//! and case.

use std::collections::HashMap;
use std::sync::LazyLock;

static MAP_TEXT: &str = include_str!("../data/sdk-map.tsv");
static RESOURCES_TEXT: &str = include_str!("../data/boto3-resources.tsv");

static TABLES: LazyLock<Tables> = LazyLock::new(|| Tables::parse(MAP_TEXT, RESOURCES_TEXT));

pub(crate) fn tables() -> &'static Tables {
    &TABLES
}

/// One IAM action an operation needs, as the map writes it.
#[derive(Debug)]
pub(crate) struct MapAction {
    /// `=` for `<prefix>:<Operation>`, else the full action name.
    pub action: &'static str,
    /// `R:`, `O:`, `N:` and `W:` fields, in the map's order.
    pub fields: Vec<&'static str>,
}

#[derive(Debug)]
pub(crate) struct MapOperation {
    /// The operation's API name (`PutObject`).
    pub name: &'static str,
    pub actions: Vec<MapAction>,
}

#[derive(Debug, Default)]
pub(crate) struct Service {
    pub boto3: &'static str,
    pub js_v2: Option<&'static str>,
    pub js_v3: Option<&'static str>,
    pub prefix: &'static str,
    /// Lower-case operation name → entry.
    pub operations: HashMap<String, MapOperation>,
    /// boto3 helper methods (`upload_file`) that send several operations: (resource type or
    /// `None` for the client, method) → operations.
    pub utilities: HashMap<(Option<&'static str>, &'static str), Vec<&'static str>>,
    /// boto3 resource methods: (resource type or `None` for the service resource, method) →
    /// operation.
    pub resource_methods: HashMap<(Option<&'static str>, &'static str), &'static str>,
    /// boto3 resource types → the request parameters their identifiers fill, in order.
    pub identifiers: HashMap<&'static str, Vec<&'static str>>,
}

#[derive(Debug, Default)]
pub(crate) struct Tables {
    pub services: Vec<Service>,
    by_boto3: HashMap<&'static str, usize>,
    /// Lower-case JS v2 class → service.
    by_js_v2: HashMap<String, usize>,
    by_js_v3: HashMap<&'static str, usize>,
    /// JS v3 helper libraries: package → (service, command → operations).
    libraries: HashMap<&'static str, (usize, HashMap<&'static str, Vec<&'static str>>)>,
}

fn dash(field: Option<&'static str>) -> Option<&'static str> {
    field.filter(|f| !f.is_empty() && *f != "-")
}

impl Tables {
    fn parse(map: &'static str, resources: &'static str) -> Tables {
        let mut t = Tables::default();
        let mut last_op: Option<String> = None;
        for line in map.lines() {
            let mut f = line.split('\t');
            match f.next() {
                Some("S") => {
                    let (Some(boto3), js_v2, js_v3, Some(prefix)) =
                        (f.next(), f.next(), f.next(), f.next())
                    else {
                        continue;
                    };
                    t.services.push(Service {
                        boto3,
                        js_v2: dash(js_v2),
                        js_v3: dash(js_v3),
                        prefix,
                        ..Service::default()
                    });
                    last_op = None;
                }
                Some("A") => {
                    let (Some(op), Some(action)) = (f.next(), f.next()) else {
                        continue;
                    };
                    let Some(svc) = t.services.last_mut() else {
                        continue;
                    };
                    let key = if op.is_empty() {
                        match &last_op {
                            Some(k) => k.clone(),
                            None => continue,
                        }
                    } else {
                        op.to_ascii_lowercase()
                    };
                    let entry = svc
                        .operations
                        .entry(key.clone())
                        .or_insert_with(|| MapOperation {
                            name: op,
                            actions: Vec::new(),
                        });
                    entry.actions.push(MapAction {
                        action,
                        fields: f.collect(),
                    });
                    last_op = Some(key);
                }
                Some("L") => {
                    let (Some(package), Some(command), Some(ops)) = (f.next(), f.next(), f.next())
                    else {
                        continue;
                    };
                    let Some(svc) = t.services.len().checked_sub(1) else {
                        continue;
                    };
                    t.libraries
                        .entry(package)
                        .or_insert_with(|| (svc, HashMap::new()))
                        .1
                        .insert(command, ops.split(',').collect());
                }
                Some("U") => {
                    let (Some(rtype), Some(method), Some(ops)) = (f.next(), f.next(), f.next())
                    else {
                        continue;
                    };
                    if let Some(svc) = t.services.last_mut() {
                        svc.utilities
                            .insert((dash(Some(rtype)), method), ops.split(',').collect());
                    }
                }
                _ => {}
            }
        }
        for (i, s) in t.services.iter().enumerate() {
            t.by_boto3.insert(s.boto3, i);
            if let Some(c) = s.js_v2 {
                t.by_js_v2.entry(c.to_ascii_lowercase()).or_insert(i);
            }
            if let Some(p) = s.js_v3 {
                t.by_js_v3.insert(p, i);
            }
        }
        for line in resources.lines() {
            let mut f = line.split('\t');
            let kind = f.next();
            let Some(svc) = f
                .next()
                .and_then(|b| t.by_boto3.get(b).copied())
                .and_then(|i| t.services.get_mut(i))
            else {
                continue;
            };
            match (kind, f.next(), f.next(), f.next()) {
                (Some("I"), Some(rtype), Some(params), None) => {
                    svc.identifiers.insert(rtype, params.split(',').collect());
                }
                (Some("M"), Some(rtype), Some(method), Some(op)) => {
                    svc.resource_methods.insert((dash(Some(rtype)), method), op);
                }
                _ => {}
            }
        }
        t
    }

    pub fn boto3(&self, name: &str) -> Option<&Service> {
        self.by_boto3.get(name).and_then(|&i| self.services.get(i))
    }

    pub fn js_v2(&self, class: &str) -> Option<&Service> {
        self.by_js_v2
            .get(&class.to_ascii_lowercase())
            .and_then(|&i| self.services.get(i))
    }

    pub fn js_v3(&self, package: &str) -> Option<&Service> {
        self.by_js_v3
            .get(package)
            .and_then(|&i| self.services.get(i))
    }

    /// A JS v3 helper library (`@aws-sdk/lib-dynamodb`): its service and commands.
    pub fn library(
        &self,
        package: &str,
    ) -> Option<(&Service, &HashMap<&'static str, Vec<&'static str>>)> {
        let (svc, commands) = self.libraries.get(package)?;
        Some((self.services.get(*svc)?, commands))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_load_with_every_kind_of_line() {
        let t = tables();
        assert!(t.services.len() > 400, "{}", t.services.len());
        let s3 = t.boto3("s3").unwrap();
        assert_eq!(s3.prefix, "s3");
        assert_eq!(s3.js_v2, Some("S3"));
        assert_eq!(s3.js_v3, Some("@aws-sdk/client-s3"));
        assert!(s3.operations.contains_key("copyobject"));
        assert!(s3.utilities.contains_key(&(None, "upload_file")));
        assert_eq!(s3.identifiers.get("Object"), Some(&vec!["Bucket", "Key"]));
        assert_eq!(
            s3.resource_methods.get(&(Some("Object"), "get")),
            Some(&"GetObject")
        );
        let (svc, commands) = t.library("@aws-sdk/lib-dynamodb").unwrap();
        assert_eq!(svc.boto3, "dynamodb");
        assert_eq!(commands.get("PutCommand"), Some(&vec!["PutItem"]));
        assert_eq!(t.library("@aws-sdk/lib-storage").unwrap().0.boto3, "s3");
        assert_eq!(t.js_v2("stepfunctions").unwrap().prefix, "states");
        assert_eq!(t.js_v3("@aws-sdk/client-sfn").unwrap().prefix, "states");
    }

    #[test]
    fn continuation_lines_belong_to_the_operation_above() {
        let copy = tables()
            .boto3("s3")
            .and_then(|s| s.operations.get("copyobject"))
            .unwrap();
        assert_eq!(copy.name, "CopyObject");
        let names: Vec<&str> = copy.actions.iter().map(|a| a.action).collect();
        assert!(names.contains(&"s3:GetObject") && names.contains(&"s3:PutObject"));
    }

    #[test]
    fn every_mapped_action_is_in_the_catalog() {
        let c = crate::catalog();
        for s in &tables().services {
            assert!(c.service(s.prefix).is_some(), "{}", s.prefix);
            for op in s.operations.values() {
                for a in &op.actions {
                    let name = if a.action == "=" {
                        format!("{}:{}", s.prefix, op.name)
                    } else {
                        a.action.to_string()
                    };
                    assert!(c.action(&name).is_some(), "{name}");
                }
            }
        }
    }
}

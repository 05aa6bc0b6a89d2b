//! CycloneDX 1.5 JSON: a software bill of materials of what every function and layer ships.
//!
//! - One `library` component per package (by package URL, once however many functions ship
//!   it), with the lock file's hashes and, for git/URL/path packages, where it comes from.
//!   Development dependencies are listed with `scope: excluded` (not deployed).
//! - One component per function (`application`) and per layer (`library`), which depends on
//!   the packages it declares directly and on its layers; packages depend on theirs, so the
//!   `dependencies` section is the whole graph.
//! - Matched advisories as `vulnerabilities`, each naming the packages it affects.
//!
//! Validated against the official 1.5 schema in the tests.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;

use palisade_model::{App, DepOwner, DependencySet, Ecosystem, Package, PackageSource};
use serde_json::{Value, json};

/// What the SBOM says about itself.
pub struct SbomContext<'a> {
    pub tool_version: &'a str,
    /// The scanned folder, named in the BOM's metadata.
    pub root: &'a str,
    /// When the BOM was made (RFC 3339); reporters never read the clock, so the caller
    /// passes it (`None` leaves it out, for reproducible output).
    pub timestamp: Option<&'a str>,
}

fn owner_ref(app: &App, set: &DependencySet) -> String {
    match &set.owner {
        DepOwner::Function(id) => format!("function:{}#{id}", app.path),
        DepOwner::Layer(id) => format!("layer:{}#{id}", app.path),
    }
}

fn package_ref(p: &Package) -> String {
    p.purl()
}

fn hash_alg(alg: &str) -> Option<&'static str> {
    match alg.to_ascii_uppercase().replace('_', "-").as_str() {
        "SHA-1" | "SHA1" => Some("SHA-1"),
        "SHA-256" | "SHA256" => Some("SHA-256"),
        "SHA-384" | "SHA384" => Some("SHA-384"),
        "SHA-512" | "SHA512" => Some("SHA-512"),
        "MD5" => Some("MD5"),
        _ => None,
    }
}

fn package_component(p: &Package) -> Value {
    let mut c = serde_json::Map::new();
    c.insert("type".into(), json!("library"));
    c.insert("bom-ref".into(), json!(package_ref(p)));
    match (
        p.ecosystem,
        p.name.strip_prefix('@').and_then(|s| s.split_once('/')),
    ) {
        (Ecosystem::Npm, Some((scope, name))) => {
            c.insert("group".into(), json!(format!("@{scope}")));
            c.insert("name".into(), json!(name));
        }
        _ => {
            c.insert("name".into(), json!(p.name));
        }
    }
    if let Some(v) = &p.version {
        c.insert("version".into(), json!(v));
    }
    c.insert("purl".into(), json!(p.purl()));
    if p.dev {
        c.insert("scope".into(), json!("excluded"));
    }
    let hashes: BTreeSet<(&str, &str)> = p
        .hashes
        .iter()
        .filter(|h| !h.hex.is_empty() && h.hex.bytes().all(|b| b.is_ascii_hexdigit()))
        .filter_map(|h| hash_alg(&h.alg).map(|a| (a, h.hex.as_str())))
        .collect();
    if !hashes.is_empty() {
        c.insert(
            "hashes".into(),
            Value::Array(
                hashes
                    .into_iter()
                    .map(|(alg, hex)| json!({"alg": alg, "content": hex.to_ascii_lowercase()}))
                    .collect(),
            ),
        );
    }
    let reference = match &p.source {
        PackageSource::Registry => None,
        PackageSource::Git { url } => Some(("vcs", url.as_str())),
        PackageSource::Url { url } => Some(("distribution", url.as_str())),
        PackageSource::Path { .. } => None,
    };
    if let Some((kind, url)) = reference {
        c.insert(
            "externalReferences".into(),
            json!([{"type": kind, "url": url}]),
        );
    }
    if let PackageSource::Path { path } = &p.source {
        c.insert(
            "properties".into(),
            json!([{"name": "palisade:source-path", "value": path}]),
        );
    }
    Value::Object(c)
}

fn owner_component(app: &App, set: &DependencySet) -> Value {
    let (kind, ty) = match &set.owner {
        DepOwner::Function(_) => ("function", "application"),
        DepOwner::Layer(_) => ("layer", "library"),
    };
    let mut properties = vec![
        json!({"name": "palisade:kind", "value": kind}),
        json!({"name": "palisade:app", "value": app.path}),
        json!({"name": "palisade:folder", "value": set.folder}),
    ];
    if let DepOwner::Function(id) = &set.owner
        && let Some(runtime) = app.function(id).and_then(|f| f.runtime_name())
    {
        properties.push(json!({"name": "palisade:runtime", "value": runtime}));
    }
    for m in &set.manifests {
        properties.push(json!({"name": "palisade:manifest", "value": m.path}));
    }
    json!({
        "type": ty,
        "bom-ref": owner_ref(app, set),
        "name": set.owner.id(),
        "properties": properties,
    })
}

/// The packages an owner depends on directly: those its manifests declare, or, when nothing
/// says which are direct, every package no other package pulls in.
fn roots(set: &DependencySet) -> Vec<&Package> {
    let direct: Vec<&Package> = set.packages.iter().filter(|p| p.direct).collect();
    if !direct.is_empty() {
        return direct;
    }
    let pulled: BTreeSet<usize> = set
        .packages
        .iter()
        .flat_map(|p| p.dependencies.iter().copied())
        .collect();
    set.packages
        .iter()
        .enumerate()
        .filter(|(i, _)| !pulled.contains(i))
        .map(|(_, p)| p)
        .collect()
}

fn rating(v: &palisade_model::Vulnerability) -> Value {
    let severity = match v.severity {
        palisade_model::Severity::Critical => "critical",
        palisade_model::Severity::High => "high",
        palisade_model::Severity::Medium => "medium",
        palisade_model::Severity::Low => "low",
        palisade_model::Severity::Info => "info",
    };
    let mut r = serde_json::Map::new();
    r.insert("severity".into(), json!(severity));
    if let Some(c) = &v.cvss {
        let method = match c.kind.as_str() {
            "CVSS_V2" => "CVSSv2",
            "CVSS_V4" => "CVSSv4",
            _ if c.vector.starts_with("CVSS:3.0") => "CVSSv3",
            _ => "CVSSv31",
        };
        r.insert("method".into(), json!(method));
        r.insert("vector".into(), json!(c.vector));
        if let Some(score) = c.score {
            r.insert(
                "score".into(),
                json!((f64::from(score) * 10.0).round() / 10.0),
            );
        }
    } else {
        r.insert("method".into(), json!("other"));
    }
    Value::Object(r)
}

/// A serial number that depends only on the content (reproducible), formatted as a UUID.
fn serial(components: &[Value]) -> String {
    let mut a: u64 = 0xcbf2_9ce4_8422_2325;
    let mut b: u64 = 0x8422_2325_cbf2_9ce4;
    for c in components {
        for byte in c.to_string().bytes() {
            a = (a ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3);
            b = (b ^ u64::from(byte))
                .wrapping_mul(0x0000_0100_0000_01b3)
                .rotate_left(7);
        }
    }
    let hex = format!("{a:016x}{b:016x}");
    let part = |r: std::ops::Range<usize>| hex.get(r).unwrap_or("0").to_string();
    format!(
        "urn:uuid:{}-{}-4{}-8{}-{}",
        part(0..8),
        part(8..12),
        part(13..16),
        part(17..20),
        part(20..32)
    )
}

pub fn cyclonedx(apps: &[App], cx: &SbomContext<'_>) -> String {
    let mut packages: BTreeMap<String, Value> = BTreeMap::new();
    let mut owners: Vec<Value> = Vec::new();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    // Vulnerability id → (rating, description, affected refs, fixed, aliases)
    let mut vulns: BTreeMap<String, (Value, String, BTreeSet<String>, Vec<String>)> =
        BTreeMap::new();
    for app in apps {
        for set in &app.deps {
            let me = owner_ref(app, set);
            owners.push(owner_component(app, set));
            let mut deps: BTreeSet<String> = roots(set).into_iter().map(package_ref).collect();
            for layer in &set.layers {
                deps.insert(format!("layer:{}#{layer}", app.path));
            }
            graph.entry(me).or_default().extend(deps);
            for p in &set.packages {
                let r = package_ref(p);
                let entry = packages
                    .entry(r.clone())
                    .or_insert_with(|| package_component(p));
                // A package that is deployed anywhere is not excluded.
                if !p.dev
                    && let Some(obj) = entry.as_object_mut()
                {
                    obj.remove("scope");
                }
                let children = graph.entry(r).or_default();
                for d in &p.dependencies {
                    if let Some(dep) = set.packages.get(*d) {
                        children.insert(package_ref(dep));
                    }
                }
            }
            for v in &set.vulnerabilities {
                let Some(p) = set.packages.get(v.package) else {
                    continue;
                };
                let entry = vulns.entry(v.id.clone()).or_insert_with(|| {
                    (
                        rating(v),
                        v.summary.clone(),
                        BTreeSet::new(),
                        v.aliases.clone(),
                    )
                });
                entry.2.insert(package_ref(p));
            }
        }
    }
    owners.sort_by_key(|o| o.get("bom-ref").map(Value::to_string).unwrap_or_default());
    owners.dedup_by_key(|o| o.get("bom-ref").map(Value::to_string).unwrap_or_default());
    let mut components: Vec<Value> = owners;
    components.extend(packages.into_values());
    let known: BTreeSet<String> = components
        .iter()
        .filter_map(|c| c.get("bom-ref").and_then(Value::as_str).map(str::to_string))
        .collect();
    let dependencies: Vec<Value> = graph
        .into_iter()
        .filter(|(r, _)| known.contains(r))
        .map(|(r, deps)| {
            let deps: Vec<String> = deps.into_iter().filter(|d| known.contains(d)).collect();
            json!({"ref": r, "dependsOn": deps})
        })
        .collect();
    let vulnerabilities: Vec<Value> = vulns
        .into_iter()
        .map(|(id, (rating, description, affects, aliases))| {
            let source = if id.starts_with("GHSA-") {
                json!({"name": "GitHub Advisory Database", "url": format!("https://github.com/advisories/{id}")})
            } else {
                json!({"name": "OSV", "url": format!("https://osv.dev/vulnerability/{id}")})
            };
            let mut v = serde_json::Map::new();
            v.insert("id".into(), json!(id));
            v.insert("source".into(), source);
            if !aliases.is_empty() {
                v.insert(
                    "references".into(),
                    Value::Array(
                        aliases
                            .iter()
                            .map(|a| json!({"id": a, "source": {"name": "OSV", "url": format!("https://osv.dev/vulnerability/{a}")}}))
                            .collect(),
                    ),
                );
            }
            v.insert("ratings".into(), json!([rating]));
            if !description.is_empty() {
                v.insert("description".into(), json!(description));
            }
            v.insert(
                "affects".into(),
                Value::Array(affects.into_iter().map(|r| json!({"ref": r})).collect()),
            );
            Value::Object(v)
        })
        .collect();
    let mut metadata = serde_json::Map::new();
    if let Some(ts) = cx.timestamp {
        metadata.insert("timestamp".into(), json!(ts));
    }
    metadata.insert(
        "tools".into(),
        json!({"components": [{
            "type": "application",
            "name": "palisade",
            "version": cx.tool_version,
        }]}),
    );
    metadata.insert(
        "component".into(),
        json!({"type": "application", "bom-ref": "scan-root", "name": cx.root}),
    );
    let mut bom = serde_json::Map::new();
    bom.insert("bomFormat".into(), json!("CycloneDX"));
    bom.insert("specVersion".into(), json!("1.5"));
    bom.insert("serialNumber".into(), json!(serial(&components)));
    bom.insert("version".into(), json!(1));
    bom.insert("metadata".into(), Value::Object(metadata));
    bom.insert("components".into(), Value::Array(components));
    bom.insert("dependencies".into(), Value::Array(dependencies));
    if !vulnerabilities.is_empty() {
        bom.insert("vulnerabilities".into(), Value::Array(vulnerabilities));
    }
    let mut out = serde_json::to_string_pretty(&Value::Object(bom)).unwrap_or_default();
    out.push('\n');
    out
}

pub fn write_cyclonedx(
    apps: &[App],
    cx: &SbomContext<'_>,
    w: &mut dyn Write,
) -> std::io::Result<()> {
    w.write_all(cyclonedx(apps, cx).as_bytes())
}

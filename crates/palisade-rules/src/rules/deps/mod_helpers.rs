//! What the dependency rules share: attaching a finding to the function or layer that ships a
//! package, with a logical path that names the package and not its line.

use palisade_model::{
    App, DepOwner, DependencySet, FindingPackage, FindingVulnerability, Package, Span,
    Vulnerability,
};

use crate::{Checker, Report};

/// Start a finding about `set`, on its function or layer resource; `None` when the owner is
/// not in the app (it always is for sets the engine built).
pub(crate) fn report<'c, 'a>(
    cx: &'c mut Checker<'a>,
    app: &App,
    set: &DependencySet,
    span: Span,
    message: String,
) -> Option<Report<'c, 'a>> {
    let r = cx.report(span, message);
    let r = match &set.owner {
        DepOwner::Function(id) => r.function(app.function(id)?),
        DepOwner::Layer(id) => r.resource(app.resource(id)?),
    };
    Some(r.at("Dependencies"))
}

/// `lodash 4.17.20` or `lodash` (`^4.17.0`).
pub(crate) fn package_label(p: &Package) -> String {
    match (&p.version, &p.requirement) {
        (Some(v), _) => format!("{} {v}", p.name),
        (None, Some(r)) => format!("{} {r}", p.name),
        (None, None) => p.name.clone(),
    }
}

/// The logical-path segment of a package: ecosystem and name, never the version, so that a
/// finding keeps its fingerprint across an upgrade that does not fix it.
pub(crate) fn package_key(p: &Package) -> String {
    format!(
        "{}:{}",
        p.ecosystem.purl_type(),
        p.ecosystem.normalize_name(&p.name)
    )
}

/// The packages of a set that are deployed (development dependencies are not).
pub(crate) fn deployed(set: &DependencySet) -> impl Iterator<Item = &Package> {
    set.packages.iter().filter(|p| !p.dev)
}

/// The manifest path a package was read from.
pub(crate) fn manifest_of<'s>(set: &'s DependencySet, p: &Package) -> &'s str {
    set.manifests
        .get(p.manifest)
        .map_or("", |m| m.path.as_str())
}

/// What a finding says about its package (and advisory) for machine-readable reports.
pub(crate) fn finding_package(
    set: &DependencySet,
    p: &Package,
    vulnerability: Option<&Vulnerability>,
) -> FindingPackage {
    FindingPackage {
        ecosystem: p.ecosystem.osv_name(),
        name: p.name.clone(),
        version: p.version.clone(),
        purl: p.purl(),
        manifest: manifest_of(set, p).to_string(),
        vulnerability: vulnerability.map(|v| FindingVulnerability {
            id: v.id.clone(),
            aliases: v.aliases.clone(),
            fixed: v.fixed.clone(),
            cvss_vector: v.cvss.as_ref().map(|c| c.vector.clone()),
            cvss_score_tenths: v
                .cvss
                .as_ref()
                .and_then(|c| c.score)
                .map(|s| (s * 10.0).round().clamp(0.0, 100.0) as u8),
        }),
    }
}

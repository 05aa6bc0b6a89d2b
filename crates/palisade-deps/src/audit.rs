//! Matching shipped packages against the advisory store: one finding per vulnerability and
//! package, whatever number of records (GHSA, PYSEC, CVE, …) describe it.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

use palisade_model::{Cvss, Ecosystem, Package, Severity, Vulnerability};
use rayon::prelude::*;

use crate::osv;
use crate::store::{Advisory, AdvisoryDb, DbError};
use crate::version;

type Entries = Arc<Vec<(String, osv::Affected)>>;

/// The store and what has been read from it, shared by the threads of a scan: a corpus of
/// functions ships the same packages again and again.
pub struct Auditor<'a> {
    db: Option<&'a AdvisoryDb>,
    entries: Mutex<HashMap<(Ecosystem, String), Entries>>,
    advisories: Mutex<HashMap<String, Option<Arc<Advisory>>>>,
    /// The first store error, reported once.
    error: Mutex<Option<String>>,
}

impl<'a> Auditor<'a> {
    pub fn new(db: Option<&'a AdvisoryDb>) -> Self {
        Auditor {
            db,
            entries: Mutex::new(HashMap::new()),
            advisories: Mutex::new(HashMap::new()),
            error: Mutex::new(None),
        }
    }

    pub fn has_db(&self) -> bool {
        self.db.is_some()
    }

    /// The first error the store gave, if any (matching went on without the failed reads).
    pub fn error(&self) -> Option<String> {
        lock(&self.error).clone()
    }

    fn failed(&self, e: &DbError) {
        let mut error = lock(&self.error);
        if error.is_none() {
            *error = Some(e.to_string());
        }
    }

    fn entries(&self, ecosystem: Ecosystem, name: &str) -> Entries {
        let Some(db) = self.db else {
            return Arc::default();
        };
        let key = (ecosystem, ecosystem.normalize_name(name));
        if let Some(e) = lock(&self.entries).get(&key) {
            return e.clone();
        }
        let found = match db.affected(ecosystem, name) {
            Ok(v) => Arc::new(v),
            Err(e) => {
                self.failed(&e);
                Arc::default()
            }
        };
        lock(&self.entries).insert(key, found.clone());
        found
    }

    fn advisory(&self, id: &str) -> Option<Arc<Advisory>> {
        let db = self.db?;
        if let Some(a) = lock(&self.advisories).get(id) {
            return a.clone();
        }
        let found = match db.advisory(id) {
            Ok(a) => a.map(Arc::new),
            Err(e) => {
                self.failed(&e);
                None
            }
        };
        lock(&self.advisories).insert(id.to_string(), found.clone());
        found
    }

    /// The vulnerabilities of every package with a known version.
    pub fn vulnerabilities(&self, packages: &[Package]) -> Vec<Vulnerability> {
        if self.db.is_none() {
            return Vec::new();
        }
        // Development packages too: a malicious one runs on the build machines. In parallel:
        // one function can ship thousands of packages, and the store serves concurrent reads.
        packages
            .par_iter()
            .enumerate()
            .flat_map_iter(|(index, p)| match &p.version {
                Some(v) => self.match_package(index, p.ecosystem, &p.name, v),
                None => Vec::new(),
            })
            .collect()
    }

    /// Vulnerabilities of one package version.
    pub fn match_package(
        &self,
        index: usize,
        ecosystem: Ecosystem,
        name: &str,
        version: &str,
    ) -> Vec<Vulnerability> {
        let entries = self.entries(ecosystem, name);
        let parsed = version::Version::parse(ecosystem, version);
        let mut hits: Vec<(&str, &osv::Affected)> = entries
            .iter()
            .filter(|(_, a)| osv::affects_parsed(ecosystem, version, parsed.as_ref(), a))
            .map(|(id, a)| (id.as_str(), a))
            .collect();
        if hits.is_empty() {
            return Vec::new();
        }
        hits.sort_by(|a, b| a.0.cmp(b.0));
        let advisories: Vec<(Arc<Advisory>, &osv::Affected)> = hits
            .iter()
            .filter_map(|(id, a)| self.advisory(id).map(|adv| (adv, *a)))
            .collect();
        merge(index, ecosystem, &advisories)
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    match m.lock() {
        Ok(g) => g,
        Err(poisoned) => poisoned.into_inner(),
    }
}

/// Group records that share an id or alias, and make one vulnerability of each group.
fn merge(
    index: usize,
    ecosystem: Ecosystem,
    hits: &[(Arc<Advisory>, &osv::Affected)],
) -> Vec<Vulnerability> {
    // Union-find over the hits, joined through every id they mention.
    let mut parent: Vec<usize> = (0..hits.len()).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while let Some(&p) = parent.get(i) {
            if p == i {
                break;
            }
            let grand = parent.get(p).copied().unwrap_or(p);
            if let Some(slot) = parent.get_mut(i) {
                *slot = grand;
            }
            i = p;
        }
        i
    }
    let mut owner: HashMap<&str, usize> = HashMap::new();
    for (i, (adv, _)) in hits.iter().enumerate() {
        for id in std::iter::once(adv.id.as_str()).chain(adv.aliases.iter().map(String::as_str)) {
            match owner.get(id) {
                Some(&j) => {
                    let (a, b) = (root(&mut parent, i), root(&mut parent, j));
                    if let Some(slot) = parent.get_mut(a) {
                        *slot = b;
                    }
                }
                None => {
                    owner.insert(id, i);
                }
            }
        }
    }
    let mut groups: HashMap<usize, Vec<usize>> = HashMap::new();
    for i in 0..hits.len() {
        let r = root(&mut parent, i);
        groups.entry(r).or_default().push(i);
    }
    let mut out: Vec<Vulnerability> = groups
        .into_values()
        .map(|members| {
            let group: Vec<&(Arc<Advisory>, &osv::Affected)> =
                members.iter().filter_map(|&i| hits.get(i)).collect();
            one(index, ecosystem, &group)
        })
        .collect();
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

/// The id a finding shows: GHSA ids are the most widely cross-referenced for npm and PyPI.
fn preference(id: &str) -> u8 {
    if id.starts_with("MAL-") {
        0
    } else if id.starts_with("GHSA-") {
        1
    } else if id.starts_with("PYSEC-") {
        2
    } else if id.starts_with("CVE-") {
        3
    } else {
        4
    }
}

fn one(
    index: usize,
    ecosystem: Ecosystem,
    group: &[&(Arc<Advisory>, &osv::Affected)],
) -> Vulnerability {
    let mut ids: BTreeSet<String> = BTreeSet::new();
    for (adv, _) in group {
        ids.insert(adv.id.clone());
        ids.extend(adv.aliases.iter().cloned());
    }
    let primary_record = group
        .iter()
        .min_by(|a, b| (preference(&a.0.id), &a.0.id).cmp(&(preference(&b.0.id), &b.0.id)))
        .map(|(adv, _)| adv.clone())
        .unwrap_or_default();
    let id = ids
        .iter()
        .min_by(|a, b| (preference(a), *a).cmp(&(preference(b), *b)))
        .cloned()
        .unwrap_or_else(|| primary_record.id.clone());
    let malicious = group.iter().any(|(adv, _)| adv.is_malicious());
    let summary = std::iter::once(&primary_record)
        .chain(group.iter().map(|(a, _)| a))
        .map(|a| a.summary.trim())
        .find(|s| !s.is_empty())
        .unwrap_or_default()
        .to_string();
    let cvss = best_cvss(group.iter().map(|(a, _)| a.as_ref()));
    let label = group
        .iter()
        .filter_map(|(a, _)| a.label.as_deref())
        .max_by_key(|l| label_rank(l));
    let severity = if malicious {
        Severity::Critical
    } else if let Some(score) = cvss.as_ref().and_then(|c| c.score) {
        from_score(score)
    } else if let Some(label) = label {
        from_label(label)
    } else {
        Severity::Medium
    };
    let mut fixed: Vec<String> = group
        .iter()
        .flat_map(|(_, a)| osv::fixed_versions(ecosystem, a))
        .collect();
    fixed.sort_by(|a, b| version::compare(ecosystem, a, b).unwrap_or_else(|| a.cmp(b)));
    fixed.dedup();
    let mut affected: Vec<String> = group
        .iter()
        .map(|(_, a)| osv::describe(a))
        .filter(|d| !d.is_empty())
        .collect();
    affected.dedup();
    Vulnerability {
        package: index,
        aliases: ids.into_iter().filter(|i| *i != id).collect(),
        id,
        summary,
        severity,
        cvss,
        fixed,
        malicious,
        affected: affected.join("; "),
        references: primary_record.references.clone(),
    }
}

fn best_cvss<'a>(advisories: impl Iterator<Item = &'a Advisory>) -> Option<Cvss> {
    let mut all: Vec<Cvss> = advisories
        .flat_map(|a| a.severity.iter())
        .filter(|s| s.kind.starts_with("CVSS_"))
        .map(|s| Cvss {
            kind: s.kind.clone(),
            vector: s.score.clone(),
            score: osv::base_score(&s.score),
        })
        .collect();
    // A computed v3 score first, then any scored vector, then the newest version unscored.
    all.sort_by(|a, b| {
        let rank = |c: &Cvss| {
            (
                c.score.is_none(),
                c.kind != "CVSS_V3",
                std::cmp::Reverse(c.kind.clone()),
            )
        };
        rank(a).cmp(&rank(b))
    });
    all.into_iter().next()
}

fn from_score(score: f32) -> Severity {
    if score >= 9.0 {
        Severity::Critical
    } else if score >= 7.0 {
        Severity::High
    } else if score >= 4.0 {
        Severity::Medium
    } else if score > 0.0 {
        Severity::Low
    } else {
        Severity::Info
    }
}

fn label_rank(label: &str) -> u8 {
    match label.to_ascii_uppercase().as_str() {
        "CRITICAL" => 4,
        "HIGH" => 3,
        "MODERATE" | "MEDIUM" => 2,
        "LOW" => 1,
        _ => 0,
    }
}

fn from_label(label: &str) -> Severity {
    match label_rank(label) {
        4 => Severity::Critical,
        3 => Severity::High,
        1 => Severity::Low,
        _ => Severity::Medium,
    }
}

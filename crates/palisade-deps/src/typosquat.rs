//! Names one edit away from popular packages. The lists of popular packages ship in
//! `data/` with their source (see `data/PROVENANCE.md`).
//!
//! Each list is in order of popularity, most popular first. Every name in it is *known*: a
//! known name never fires, however close it is to another (`preact` and `react`, `boto` and
//! `boto3`, `colors` and `color` are all real). Only the first [`TARGETS`] names are *targets*
//! that a lookalike can imitate: an attacker copies names people type, and comparing against
//! the long tail would mostly flag legitimate neighbours of middling packages.
//!
//! A name fires when it is not known and either
//! - is one edit (insertion, deletion, substitution, or a swap of two adjacent characters)
//!   away from a target of at least [`MIN_TARGET_LEN`] characters, or
//! - spells a known name with its separators (`-`, `_`, `.`) moved, added or dropped
//!   (`crossenv` for `cross-env`, `child-process` for `child_process`), whatever its rank.
//!
//! Two edits were tried and left out: on the lists' own neighbours they flagged far more real
//! packages than typosquats. Edits that are a package's ordinary variants are left out too:
//! - a different trailing version number (`parse5` and `parse`, `mkdirp2` and `mkdirp`);
//! - `preact` for `react` (`preact-router`): Preact mirrors React's package names;
//! - for npm, a name in the same scope as its target (`@types/hast` and `@types/has`): only the
//!   scope's owner can publish there, so it is no one's typosquat. A scoped name is compared
//!   only with scoped targets and an unscoped one with unscoped targets, so `@evil/lodash` is
//!   not this check's business (it is a different package, not a misspelling).
//! - no `python-`/`py` prefix rule: `python-multipart` and `multipart`, `pyjwt` and `jwt`,
//!   `python-jose` and `jose` are all distinct real packages.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use palisade_model::Ecosystem;

/// How many of the most popular names a lookalike is compared with by edit distance.
pub const TARGETS: usize = 5000;

/// Shorter targets are left out of the edit-distance check: one edit away from a three- or
/// four-letter name is most of the registry (`six`, `sip`, `jest`, `vest`).
pub const MIN_TARGET_LEN: usize = 5;

static NPM_TEXT: &str = include_str!("../data/npm-popular.txt");
static PYPI_TEXT: &str = include_str!("../data/pypi-popular.txt");

static NPM: LazyLock<Index> = LazyLock::new(|| Index::build(Ecosystem::Npm, NPM_TEXT));
static PYPI: LazyLock<Index> = LazyLock::new(|| Index::build(Ecosystem::PyPI, PYPI_TEXT));

/// The lookup structures for one ecosystem's list, built on first use.
struct Index {
    /// Every listed name, normalised.
    known: HashSet<String>,
    /// Each target (normalised) and every string one deletion away from it, to the ranks of the
    /// targets it came from. Two strings within one edit share one of these keys (the
    /// symmetric-deletion method), so a query looks up a handful of keys instead of comparing
    /// with thousands of names.
    deletions: HashMap<String, Vec<u32>>,
    /// Every known name without its separators, to the rank of the most popular one.
    skeletons: HashMap<String, u32>,
    /// The listed names as shipped, by rank.
    names: Vec<&'static str>,
    /// The normalised names, by rank.
    normalised: Vec<String>,
}

impl Index {
    fn build(ecosystem: Ecosystem, text: &'static str) -> Index {
        let names: Vec<&'static str> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect();
        let normalised: Vec<String> = names.iter().map(|n| ecosystem.normalize_name(n)).collect();
        let mut deletions: HashMap<String, Vec<u32>> = HashMap::new();
        let mut skeletons = HashMap::new();
        for (rank, name) in normalised.iter().enumerate() {
            let rank = rank as u32;
            if (rank as usize) < TARGETS && name.chars().count() >= MIN_TARGET_LEN {
                for key in with_deletions(name) {
                    let ranks = deletions.entry(key).or_default();
                    if !ranks.contains(&rank) {
                        ranks.push(rank);
                    }
                }
            }
            skeletons.entry(skeleton(name)).or_insert(rank);
        }
        Index {
            known: normalised.iter().cloned().collect(),
            deletions,
            skeletons,
            names,
            normalised,
        }
    }

    fn lookalike(&self, name: &str) -> Option<&'static str> {
        if name.is_empty() || self.known.contains(name) {
            return None;
        }
        let mut best: Option<u32> = None;
        for key in with_deletions(name) {
            for &rank in self.deletions.get(&key).into_iter().flatten() {
                if best.is_some_and(|b| b <= rank) {
                    continue;
                }
                let target = &self.normalised[rank as usize];
                if comparable(name, target) && within_one_edit(name, target) {
                    best = Some(rank);
                }
            }
        }
        if best.is_none() {
            let skel = skeleton(name);
            // Four characters at least: `a-b-c` and `abc` say too little to be a mistake.
            if skel.chars().count() >= 4 {
                best = self
                    .skeletons
                    .get(&skel)
                    .copied()
                    .filter(|&rank| comparable(name, &self.normalised[rank as usize]));
            }
        }
        best.map(|rank| self.names[rank as usize])
    }
}

/// The popular package `name` imitates, when it is not itself popular and is one edit, or only
/// its separators, away from one (after the ecosystem's name normalisation). The most popular
/// match wins.
pub fn lookalike(ecosystem: Ecosystem, name: &str) -> Option<&'static str> {
    let name = ecosystem.normalize_name(name);
    match ecosystem {
        Ecosystem::Npm => NPM.lookalike(&name),
        Ecosystem::PyPI => PYPI.lookalike(&name),
    }
}

/// `s` itself and every string one character shorter than it.
fn with_deletions(s: &str) -> Vec<String> {
    let mut out = Vec::with_capacity(s.len() + 1);
    out.push(s.to_string());
    for (i, c) in s.char_indices() {
        let mut d = String::with_capacity(s.len());
        d.push_str(&s[..i]);
        d.push_str(&s[i + c.len_utf8()..]);
        out.push(d);
    }
    out
}

fn skeleton(s: &str) -> String {
    s.chars()
        .filter(|c| !matches!(c, '-' | '_' | '.'))
        .collect()
}

/// False for pairs that are near each other by design rather than by mistake (see the module
/// documentation).
fn comparable(name: &str, target: &str) -> bool {
    if name == target {
        return false;
    }
    match (scope(name), scope(target)) {
        (Some(a), Some(b)) if a == b => return false,
        (Some(_), None) | (None, Some(_)) => return false,
        _ => {}
    }
    let unversioned = |s: &str| s.trim_end_matches(|c: char| c.is_ascii_digit()).to_string();
    if unversioned(name) == unversioned(target) {
        return false;
    }
    name.replace("preact", "react") != target
}

/// The `@scope` of an npm name.
fn scope(name: &str) -> Option<&str> {
    name.strip_prefix('@')
        .and_then(|rest| rest.split_once('/'))
        .map(|(scope, _)| scope)
}

/// Optimal string alignment distance of at most one: one insertion, deletion, substitution or
/// swap of adjacent characters.
fn within_one_edit(a: &str, b: &str) -> bool {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let (short, long) = if a.len() <= b.len() {
        (&a, &b)
    } else {
        (&b, &a)
    };
    match long.len() - short.len() {
        0 => {
            let diffs: Vec<usize> = (0..short.len()).filter(|&i| short[i] != long[i]).collect();
            match diffs.as_slice() {
                [] | [_] => true,
                [i, j] => *j == i + 1 && short[*i] == long[*j] && short[*j] == long[*i],
                _ => false,
            }
        }
        1 => {
            let first = (0..short.len())
                .find(|&i| short[i] != long[i])
                .unwrap_or(short.len());
            short[first..] == long[first + 1..]
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use super::*;

    #[test]
    fn one_edit() {
        assert!(within_one_edit("requests", "reqeusts"));
        assert!(within_one_edit("requests", "requets"));
        assert!(within_one_edit("lodash", "lodashh"));
        assert!(within_one_edit("django", "djanga"));
        assert!(!within_one_edit("abcd", "badc"));
        assert!(!within_one_edit("lodash", "lodaaash"));
        assert!(within_one_edit("ab", "ab"));
        assert!(within_one_edit("", "a"));
    }

    #[test]
    fn deletions_cover_every_position() {
        assert_eq!(with_deletions("abc"), ["abc", "bc", "ac", "ab"]);
        // Multi-byte characters are removed whole.
        assert_eq!(with_deletions("aé"), ["aé", "é", "a"]);
    }

    #[test]
    fn lists_are_loaded_in_rank_order() {
        assert!(NPM.names.len() > TARGETS);
        assert!(PYPI.names.len() > TARGETS);
        assert_eq!(PYPI.names[0], "boto3");
        assert!(NPM.known.contains("lodash"));
        assert!(PYPI.known.contains("requests"));
    }

    /// Typosquats named in advisories and writeups, with the package each imitated.
    #[test]
    fn real_typosquats_fire() {
        let cases = [
            // npm: the 2017 batch removed by npm (crossenv and its siblings), and later ones.
            (Ecosystem::Npm, "crossenv", "cross-env"),
            (Ecosystem::Npm, "babelcli", "babel-cli"),
            (Ecosystem::Npm, "mongose", "mongoose"),
            (Ecosystem::Npm, "jquerry", "jquery"),
            (Ecosystem::Npm, "loadsh", "lodash"),
            (Ecosystem::Npm, "lodashh", "lodash"),
            (Ecosystem::Npm, "expres", "express"),
            (Ecosystem::Npm, "child-process", "child_process"),
            // PyPI: 2017 (SK-CSIRT), 2018-2019 (colourama, jeIlyfish / python3-dateutil), and
            // later campaigns.
            (Ecosystem::PyPI, "urlib3", "urllib3"),
            (Ecosystem::PyPI, "reqeusts", "requests"),
            (Ecosystem::PyPI, "requets", "requests"),
            (Ecosystem::PyPI, "djanga", "django"),
            (Ecosystem::PyPI, "colourama", "colorama"),
            (Ecosystem::PyPI, "python3-dateutil", "python-dateutil"),
            (Ecosystem::PyPI, "jeIlyfish", "jellyfish"),
            (Ecosystem::PyPI, "0requests", "requests"),
            (Ecosystem::PyPI, "pythondateutil", "python-dateutil"),
            (Ecosystem::PyPI, "Reqeusts", "requests"),
            // npm's `request` is popular and never fires; PyPI's is not, and a dependency on it
            // is far more likely a mistyped `requests` than a choice.
            (Ecosystem::PyPI, "request", "requests"),
        ];
        for (eco, name, target) in cases {
            assert_eq!(lookalike(eco, name), Some(target), "{name}");
        }
    }

    /// Real packages near other real packages: none may fire.
    #[test]
    fn legitimate_neighbours_do_not_fire() {
        let cases = [
            (Ecosystem::Npm, "react"),
            (Ecosystem::Npm, "preact"),
            (Ecosystem::Npm, "preact-router"),
            (Ecosystem::Npm, "jest"),
            (Ecosystem::Npm, "vest"),
            (Ecosystem::Npm, "colors"),
            (Ecosystem::Npm, "color"),
            (Ecosystem::Npm, "request"),
            (Ecosystem::Npm, "cross-env"),
            (Ecosystem::Npm, "lodash"),
            (Ecosystem::Npm, "Lodash"),
            (Ecosystem::Npm, "@aws-sdk/client-s3"),
            // Same scope: only the scope's owner publishes there.
            (Ecosystem::Npm, "@aws-sdk/client-sms"),
            (Ecosystem::Npm, "@types/hat"),
            // Another package with a popular package's name in a different scope is not a
            // misspelling of it.
            (Ecosystem::Npm, "@acme/lodash"),
            (Ecosystem::Npm, "parse5"),
            (Ecosystem::Npm, "mkdirp2"),
            (Ecosystem::Npm, "left-pad"),
            (Ecosystem::PyPI, "six"),
            (Ecosystem::PyPI, "sip"),
            (Ecosystem::PyPI, "boto"),
            (Ecosystem::PyPI, "boto3"),
            (Ecosystem::PyPI, "botocore"),
            (Ecosystem::PyPI, "requests"),
            (Ecosystem::PyPI, "Python_Dateutil"),
            (Ecosystem::PyPI, "python-dateutil"),
            (Ecosystem::PyPI, "multipart"),
            (Ecosystem::PyPI, "python-multipart"),
            (Ecosystem::PyPI, "pyjwt"),
            (Ecosystem::PyPI, "jwt"),
            (Ecosystem::PyPI, "colorama"),
            (Ecosystem::PyPI, "urllib3"),
            (Ecosystem::PyPI, "aws-lambda-powertools"),
            (Ecosystem::PyPI, ""),
            (Ecosystem::Npm, ""),
        ];
        for (eco, name) in cases {
            assert_eq!(lookalike(eco, name), None, "{name}");
        }
    }

    /// The malicious packages of the OSV test records (`tests/data/osv/malicious/`) that are
    /// typosquats of popular packages.
    #[test]
    fn osv_malicious_records() {
        let records = [
            (
                include_str!("../tests/data/osv/malicious/npm/jquerry/MAL-2022-4049.json"),
                Some("jquery"),
            ),
            (
                include_str!("../tests/data/osv/malicious/pypi/0requests/MAL-2026-15859.json"),
                Some("requests"),
            ),
            // Not a lookalike of anything popular.
            (
                include_str!("../tests/data/osv/malicious/pypi/1337test/MAL-2024-4720.json"),
                None,
            ),
        ];
        for (text, expected) in records {
            let record: serde_json::Value = serde_json::from_str(text).unwrap();
            let package = &record["affected"][0]["package"];
            let eco = Ecosystem::from_osv(package["ecosystem"].as_str().unwrap()).unwrap();
            let name = package["name"].as_str().unwrap();
            assert_eq!(lookalike(eco, name), expected, "{name}");
        }
    }

    /// The index answers a lock file's worth of names in well under a second, even in a debug
    /// build (it is built once, on first use).
    #[test]
    fn fast() {
        let names: Vec<&str> = NPM.names.iter().take(5000).copied().collect();
        let _ = lookalike(Ecosystem::Npm, "warm-up");
        let start = std::time::Instant::now();
        for n in &names {
            let _ = lookalike(Ecosystem::Npm, &format!("{n}x"));
        }
        assert!(
            start.elapsed() < std::time::Duration::from_secs(2),
            "{:?}",
            start.elapsed()
        );
    }
}

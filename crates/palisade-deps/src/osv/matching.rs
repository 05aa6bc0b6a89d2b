//! Whether a version is affected by an OSV `affected` entry, in its ecosystem's order.
//!
//! Range evaluation follows the OSV schema: events are ordered by version with
//! `introduced: "0"` below every version; a version is affected when the last `introduced` at
//! or below it is not followed by a `fixed` at or below the version, nor by a `last_affected`
//! below it. That is computed without sorting or allocating (the greatest `introduced` at or
//! below the version, then whether a `fixed`/`last_affected` closes it before the version),
//! which gives the same answer as walking the sorted events; when an `introduced` and a
//! closing event carry the same version the closing one counts as after it (an empty range).

use std::cmp::Ordering;

use palisade_model::Ecosystem;

use super::{Affected, Range};
use crate::version::Version;

/// How many explicit versions [`describe`] lists before `(N more)`.
const DESCRIBED_VERSIONS: usize = 2;

/// True when `version` of the package is affected: it is listed in `versions`, or one of the
/// `SEMVER`/`ECOSYSTEM` ranges contains it. `GIT` ranges are not evaluated.
pub fn affects(ecosystem: Ecosystem, version: &str, affected: &Affected) -> bool {
    let parsed = Version::parse(ecosystem, version);
    affects_parsed(ecosystem, version, parsed.as_ref(), affected)
}

/// [`affects`] with the version already parsed (`None` when it does not parse), for callers
/// that match one version against many records.
pub fn affects_parsed(
    ecosystem: Ecosystem,
    raw: &str,
    version: Option<&Version>,
    affected: &Affected,
) -> bool {
    if listed(ecosystem, raw, version, &affected.versions) {
        return true;
    }
    // An unparseable version cannot be placed in a range.
    let Some(version) = version else {
        return false;
    };
    affected
        .ranges
        .iter()
        .filter(|range| is_evaluated(range))
        .any(|range| in_range(ecosystem, version, range).unwrap_or(false))
}

fn is_evaluated(range: &Range) -> bool {
    range.kind == "SEMVER" || range.kind == "ECOSYSTEM"
}

/// Whether the version is one of the explicit `versions`: same text, or equal in the
/// ecosystem's order (PEP 440: `1.0` is `1.0.0`; npm: `v1.2.3` is `1.2.3`, build metadata
/// aside). PyPA records list hundreds of versions and most calls are for versions that are
/// not listed, so parsing each entry would dominate matching: the version's release numbers
/// are read once, each entry is compared with them byte by byte, and an entry is parsed only
/// when its release is the same and both carry a suffix (`rc1`, `-beta`) whose spellings only
/// the parser can equate.
fn listed(ecosystem: Ecosystem, raw: &str, version: Option<&Version>, versions: &[String]) -> bool {
    let raw = raw.trim();
    let key = version.and_then(|_| ReleaseKey::new(ecosystem, raw));
    versions.iter().any(|listed| {
        let listed = listed.trim();
        if listed == raw {
            return true;
        }
        let Some(version) = version else {
            return false;
        };
        match key.as_ref().map(|k| k.same(listed)) {
            Some(Quick::Equal) => true,
            Some(Quick::Different) => false,
            None | Some(Quick::Parse) => Version::parse(ecosystem, listed)
                .and_then(|l| l.compare(version))
                .is_some_and(Ordering::is_eq),
        }
    })
}

/// The release numbers of the version being matched, read once.
struct ReleaseKey<'a> {
    ecosystem: Ecosystem,
    numbers: [u64; MAX_KEY_NUMBERS],
    len: usize,
    /// What follows the release (`rc1`, `-beta.1`), build metadata removed for npm.
    suffix: &'a str,
}

const MAX_KEY_NUMBERS: usize = 8;

enum Quick {
    Equal,
    Different,
    /// Same release, suffixes spelled differently: the parser decides.
    Parse,
}

impl<'a> ReleaseKey<'a> {
    fn new(ecosystem: Ecosystem, raw: &'a str) -> Option<ReleaseKey<'a>> {
        if raw.contains('!') {
            // An epoch: rare enough to always parse.
            return None;
        }
        let (numbers, len, suffix) = release_numbers(ecosystem, raw)?;
        if ecosystem == Ecosystem::Npm && len != 3 {
            return None;
        }
        Some(ReleaseKey {
            ecosystem,
            numbers,
            len,
            suffix,
        })
    }

    fn same(&self, listed: &str) -> Quick {
        if listed.contains('!') {
            return Quick::Parse;
        }
        let Some((numbers, len, suffix)) = release_numbers(self.ecosystem, listed) else {
            return Quick::Parse;
        };
        // PEP 440 pads the shorter release with zeros; npm releases have three numbers.
        let longest = len.max(self.len);
        let at = |n: &[u64; MAX_KEY_NUMBERS], i: usize| n.get(i).copied().unwrap_or(0);
        if (0..longest).any(|i| at(&numbers, i) != at(&self.numbers, i)) {
            return Quick::Different;
        }
        if suffix == self.suffix {
            Quick::Equal
        } else if suffix.is_empty() || self.suffix.is_empty() {
            // A plain release is never a pre-, post-, dev- or local version. For npm a
            // pre-release is never a release, and build metadata is already removed.
            Quick::Different
        } else {
            Quick::Parse
        }
    }
}

/// The release numbers at the start of a version (after a `v`, or npm's loose `v`/`=`
/// prefix) and what follows them; `None` when there are more numbers than the key holds or
/// a number does not fit.
fn release_numbers(
    ecosystem: Ecosystem,
    text: &str,
) -> Option<([u64; MAX_KEY_NUMBERS], usize, &str)> {
    let text = match ecosystem {
        Ecosystem::Npm => {
            let t =
                text.trim_start_matches(|c: char| c == 'v' || c == '=' || c.is_ascii_whitespace());
            t.split_once('+').map_or(t, |(core, _)| core)
        }
        Ecosystem::PyPI => text.strip_prefix(['v', 'V']).unwrap_or(text),
    };
    let bytes = text.as_bytes();
    let mut numbers = [0u64; MAX_KEY_NUMBERS];
    let mut len = 0;
    let mut i = 0;
    loop {
        let start = i;
        let mut n: u64 = 0;
        while let Some(d) = bytes.get(i).filter(|b| b.is_ascii_digit()) {
            n = n.checked_mul(10)?.checked_add(u64::from(d - b'0'))?;
            i += 1;
        }
        if i == start {
            // No number here: the release ended at the separator before (`1.0.post1`), or
            // there is none at all.
            if len == 0 {
                return None;
            }
            return Some((numbers, len, text.get(start.saturating_sub(1)..)?));
        }
        *numbers.get_mut(len)? = n;
        len += 1;
        match bytes.get(i) {
            Some(b'.') => i += 1,
            _ => return Some((numbers, len, text.get(i..)?)),
        }
    }
}

/// A parsed event version: `introduced: "0"` is below every version.
enum Bound {
    Zero,
    At(Version),
}

impl Bound {
    fn parse(ecosystem: Ecosystem, text: &str) -> Option<Bound> {
        if text.trim() == "0" {
            return Some(Bound::Zero);
        }
        Version::parse(ecosystem, text).map(Bound::At)
    }

    /// `self` against `version`.
    fn cmp_version(&self, version: &Version) -> Option<Ordering> {
        match self {
            Bound::Zero => Some(Ordering::Less),
            Bound::At(b) => b.compare(version),
        }
    }

    fn cmp_bound(&self, other: &Bound) -> Option<Ordering> {
        match (self, other) {
            (Bound::Zero, Bound::Zero) => Some(Ordering::Equal),
            (Bound::Zero, Bound::At(_)) => Some(Ordering::Less),
            (Bound::At(_), Bound::Zero) => Some(Ordering::Greater),
            (Bound::At(a), Bound::At(b)) => a.compare(b),
        }
    }
}

/// Whether one range contains the version; `None` when one of its event versions does not
/// parse (the range is then not evaluated rather than evaluated without one of its bounds,
/// which could turn a fixed version into an affected one or the reverse).
fn in_range(ecosystem: Ecosystem, version: &Version, range: &Range) -> Option<bool> {
    // The greatest `introduced` at or below the version.
    let mut start: Option<Bound> = None;
    let mut limits = 0usize;
    let mut below_a_limit = false;
    for event in &range.events {
        if let Some(text) = &event.introduced {
            let bound = Bound::parse(ecosystem, text)?;
            if bound.cmp_version(version)?.is_le()
                && start
                    .as_ref()
                    .is_none_or(|s| s.cmp_bound(&bound).is_some_and(Ordering::is_lt))
            {
                start = Some(bound);
            }
        }
        if let Some(text) = &event.limit {
            limits += 1;
            // `limit: "*"` is no limit at all.
            if text.trim() == "*" || Bound::parse(ecosystem, text)?.cmp_version(version)?.is_gt() {
                below_a_limit = true;
            }
        }
    }
    if limits > 0 && !below_a_limit {
        return Some(false);
    }
    let Some(start) = start else {
        return Some(false);
    };
    for event in &range.events {
        if let Some(text) = &event.fixed {
            // Closed when start <= fixed <= version.
            let fixed = Bound::parse(ecosystem, text)?;
            if start.cmp_bound(&fixed)?.is_le() && fixed.cmp_version(version)?.is_le() {
                return Some(false);
            }
        }
        if let Some(text) = &event.last_affected {
            // Closed when start <= last_affected < version.
            let last = Bound::parse(ecosystem, text)?;
            if start.cmp_bound(&last)?.is_le() && last.cmp_version(version)?.is_lt() {
                return Some(false);
            }
        }
    }
    Some(true)
}

/// The versions that fix it (`fixed` events), in ecosystem order, without duplicates.
/// Versions that do not parse come last, in text order.
pub fn fixed_versions(ecosystem: Ecosystem, affected: &Affected) -> Vec<String> {
    let mut parsed: Vec<(Version, &str)> = Vec::new();
    let mut unparsed: Vec<&str> = Vec::new();
    for range in affected.ranges.iter().filter(|r| is_evaluated(r)) {
        for text in range.events.iter().filter_map(|e| e.fixed.as_deref()) {
            match Version::parse(ecosystem, text) {
                Some(v) => parsed.push((v, text.trim())),
                None => unparsed.push(text.trim()),
            }
        }
    }
    parsed.sort_by(|a, b| a.0.compare(&b.0).unwrap_or(Ordering::Equal));
    parsed.dedup_by(|a, b| a.0.compare(&b.0).is_some_and(Ordering::is_eq));
    unparsed.sort_unstable();
    unparsed.dedup();
    parsed
        .into_iter()
        .map(|(_, text)| text)
        .chain(unparsed)
        .map(str::to_owned)
        .collect()
}

/// The affected ranges in words: `>=1.0.0, <1.2.3; >=2.0.0, <2.0.5`; `>=0, <=1.5.1` for a
/// `last_affected`; only explicit versions: `1.0, 1.1 (3 more)`.
pub fn describe(affected: &Affected) -> String {
    let ecosystem = affected
        .package
        .as_ref()
        .and_then(|p| Ecosystem::from_osv(&p.ecosystem));
    let mut parts: Vec<String> = Vec::new();
    for range in affected.ranges.iter().filter(|r| is_evaluated(r)) {
        describe_range(ecosystem, range, &mut parts);
    }
    if !parts.is_empty() {
        return parts.join("; ");
    }
    let shown: Vec<&str> = affected
        .versions
        .iter()
        .take(DESCRIBED_VERSIONS)
        .map(String::as_str)
        .collect();
    let mut out = shown.join(", ");
    let more = affected.versions.len().saturating_sub(DESCRIBED_VERSIONS);
    if more > 0 {
        out.push_str(&format!(" ({more} more)"));
    }
    out
}

fn describe_range(ecosystem: Option<Ecosystem>, range: &Range, parts: &mut Vec<String>) {
    // Events in version order when the ecosystem is known and every version parses; as
    // written otherwise (OSV sources write them in order anyway).
    let mut events: Vec<(&str, &str)> = range
        .events
        .iter()
        .filter_map(|e| {
            e.introduced
                .as_deref()
                .map(|v| ("introduced", v))
                .or_else(|| e.fixed.as_deref().map(|v| ("fixed", v)))
                .or_else(|| e.last_affected.as_deref().map(|v| ("last_affected", v)))
        })
        .collect();
    if let Some(ecosystem) = ecosystem {
        let bounds: Option<Vec<Bound>> = events
            .iter()
            .map(|(_, v)| Bound::parse(ecosystem, v))
            .collect();
        if let Some(bounds) = bounds {
            let mut keyed: Vec<(Bound, (&str, &str))> = bounds.into_iter().zip(events).collect();
            // Stable: an `introduced` stays before a closing event of the same version.
            keyed.sort_by(|a, b| a.0.cmp_bound(&b.0).unwrap_or(Ordering::Equal));
            events = keyed.into_iter().map(|(_, e)| e).collect();
        }
    }
    let mut open: Option<&str> = None;
    for (kind, version) in events {
        match kind {
            "introduced" => {
                if let Some(start) = open.take() {
                    // Two starts in a row: the first one runs on into the second.
                    parts.push(format!(">={start}"));
                }
                open = Some(version);
            }
            _ => {
                let op = if kind == "fixed" { "<" } else { "<=" };
                match open.take() {
                    Some(start) => parts.push(format!(">={start}, {op}{version}")),
                    None => parts.push(format!("{op}{version}")),
                }
            }
        }
    }
    if let Some(start) = open {
        parts.push(format!(">={start}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::osv::{Event, Package};

    fn ev(kind: &str, v: &str) -> Event {
        let mut e = Event::default();
        let v = Some(v.to_owned());
        match kind {
            "i" => e.introduced = v,
            "f" => e.fixed = v,
            "l" => e.last_affected = v,
            _ => e.limit = v,
        }
        e
    }

    fn affected(eco: &str, kind: &str, events: &[(&str, &str)]) -> Affected {
        Affected {
            package: Some(Package {
                ecosystem: eco.to_owned(),
                name: "p".to_owned(),
                purl: None,
            }),
            ranges: vec![Range {
                kind: kind.to_owned(),
                events: events.iter().map(|(k, v)| ev(k, v)).collect(),
            }],
            ..Affected::default()
        }
    }

    #[test]
    fn release_keys() {
        let same = |eco, a: &str, b: &str| {
            ReleaseKey::new(eco, a).map(|k| match k.same(b) {
                Quick::Equal => "equal",
                Quick::Different => "different",
                Quick::Parse => "parse",
            })
        };
        let e = Ecosystem::Npm;
        assert_eq!(same(e, "v1.2.3", "1.2.3+b"), Some("equal"));
        assert_eq!(same(e, "1.2.3", "1.2.4"), Some("different"));
        assert_eq!(same(e, "01.2.3", "1.2.3"), Some("equal"));
        assert_eq!(same(e, "1.2.3-beta", "1.2.3beta"), Some("parse"));
        assert_eq!(same(e, "1.2.3-beta", "1.2.3"), Some("different"));
        assert_eq!(same(e, "1.2.3-beta", "1.2.30-beta"), Some("different"));
        let p = Ecosystem::PyPI;
        assert_eq!(same(p, "2.30", "2.30.0"), Some("equal"));
        assert_eq!(same(p, "2.30", "2.30.1"), Some("different"));
        assert_eq!(same(p, "2.30", "2.30rc1"), Some("different"));
        assert_eq!(same(p, "2.30", "2.30.post1"), Some("different"));
        assert_eq!(same(p, "2.30", "0!2.30"), Some("parse"));
        assert_eq!(same(p, "2.30rc1", "2.30RC1"), Some("parse"));
        assert_eq!(same(p, "2.30.post1", "2.30-1"), Some("parse"));
        assert_eq!(same(p, "1!2.30", "2.30"), None);
        assert_eq!(same(p, "1.2.3.4.5.6.7.8.9", "1"), None);
        assert_eq!(same(p, "1.0", "0.1-bulbasaur"), Some("different"));
    }

    #[test]
    fn ranges_several_intervals() {
        let a = affected(
            "npm",
            "SEMVER",
            &[
                ("i", "1.0.0"),
                ("f", "1.2.3"),
                ("i", "2.0.0"),
                ("f", "2.0.5"),
            ],
        );
        let e = Ecosystem::Npm;
        assert!(!affects(e, "0.9.9", &a));
        assert!(affects(e, "1.0.0", &a));
        assert!(affects(e, "1.2.2", &a));
        assert!(!affects(e, "1.2.3", &a));
        assert!(!affects(e, "1.9.0", &a));
        assert!(affects(e, "2.0.4", &a));
        assert!(!affects(e, "2.0.5", &a));
        assert!(!affects(e, "3.0.0", &a));
        assert_eq!(describe(&a), ">=1.0.0, <1.2.3; >=2.0.0, <2.0.5");
        assert_eq!(fixed_versions(e, &a), vec!["1.2.3", "2.0.5"]);
    }

    #[test]
    fn unsorted_events_and_limits() {
        let a = affected(
            "npm",
            "SEMVER",
            &[("f", "2.0.5"), ("i", "2.0.0"), ("f", "1.2.3"), ("i", "0")],
        );
        assert!(affects(Ecosystem::Npm, "1.0.0", &a));
        assert!(!affects(Ecosystem::Npm, "1.5.0", &a));
        assert!(affects(Ecosystem::Npm, "2.0.1", &a));
        assert_eq!(describe(&a), ">=0, <1.2.3; >=2.0.0, <2.0.5");
        let limited = affected("npm", "SEMVER", &[("i", "0"), ("x", "1.5.0")]);
        assert!(affects(Ecosystem::Npm, "1.4.9", &limited));
        assert!(!affects(Ecosystem::Npm, "1.5.0", &limited));
        let star = affected("npm", "SEMVER", &[("i", "0"), ("x", "*")]);
        assert!(affects(Ecosystem::Npm, "99.0.0", &star));
    }

    #[test]
    fn equal_introduced_and_fixed_is_empty() {
        let a = affected("npm", "SEMVER", &[("i", "1.0.0"), ("f", "1.0.0")]);
        assert!(!affects(Ecosystem::Npm, "1.0.0", &a));
        let b = affected("npm", "SEMVER", &[("i", "1.0.0"), ("l", "1.0.0")]);
        assert!(affects(Ecosystem::Npm, "1.0.0", &b));
        assert!(!affects(Ecosystem::Npm, "1.0.1", &b));
    }

    #[test]
    fn git_ranges_and_bad_versions() {
        let git = affected("npm", "GIT", &[("i", "0"), ("f", "abcdef")]);
        assert!(!affects(Ecosystem::Npm, "1.0.0", &git));
        let bad = affected("npm", "SEMVER", &[("i", "0"), ("f", "not-a-version")]);
        assert!(!affects(Ecosystem::Npm, "1.0.0", &bad));
        let mut listed = affected("npm", "SEMVER", &[("i", "0")]);
        listed.versions = vec!["garbage".to_owned()];
        assert!(affects(Ecosystem::Npm, "garbage", &listed));
        assert!(!affects(Ecosystem::Npm, "other garbage", &listed));
    }
}

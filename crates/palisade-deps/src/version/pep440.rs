//! PEP 440 versions and specifier sets, plus the poetry forms (`^1.2`, `~1.2`, bare `1.2.3`,
//! `1.2.*`, `||`) that `pyproject.toml` `[tool.poetry]` tables use.
//!
//! Parsing, normalisation, ordering and most specifier rules come from `pep440_rs` (uv's
//! implementation). Three operators are evaluated here instead, where its answers differ from
//! PEP 440 (and pypa/packaging):
//! - prefix matching (`==1.1.*`, `!=1.1.*`) zips the two release tuples, so a candidate
//!   shorter than the prefix matches when it should not (`1` matches `==1.1.*`; PEP 440 pads
//!   the candidate with zeros, so `1` is `1.0` and does not);
//! - `<V` refuses every pre-release of V's release even when V is a pre-release itself
//!   (`2.0rc1` for `<2.0rc2`); `>V` is redone alongside it so that both exclusive rules read
//!   in one place.
//!
//! Pre-releases are not excluded by default here: PEP 440's "exclude pre-releases unless asked
//! for" is an installer's choice among candidates, whereas this answers whether a version
//! already chosen (locked, installed) is inside the requirement. The operator rules that are
//! part of the specifiers themselves (`<V` excludes V's pre-releases, `>V` excludes V's
//! post-releases and local versions) do apply.

use std::str::FromStr;

use pep440_rs::{Operator, Version, VersionSpecifier};

pub(super) fn parse_version(text: &str) -> Option<Version> {
    Version::from_str(text.trim()).ok()
}

/// A requirement: alternatives (`||`) of specifier sets; an empty set allows everything.
#[derive(Clone, Debug)]
pub struct Requirement {
    alternatives: Vec<Vec<VersionSpecifier>>,
}

impl Requirement {
    pub(super) fn parse(text: &str) -> Option<Requirement> {
        let mut alternatives = Vec::new();
        // Poetry writes alternatives with `||` (and accepts a single `|`); PEP 440 has none.
        for alternative in text.split('|') {
            let alternative = alternative.trim();
            if alternative.is_empty() {
                // `a || b` splits into an empty middle part; a requirement that is empty as a
                // whole is handled below.
                continue;
            }
            let mut set = Vec::new();
            for clause in alternative.split(',') {
                for token in clause_tokens(clause)? {
                    push_clause(&token, &mut set)?;
                }
            }
            alternatives.push(set);
        }
        if alternatives.is_empty() {
            // `""`, `*`: anything.
            alternatives.push(Vec::new());
        }
        Some(Requirement { alternatives })
    }

    pub(super) fn contains(&self, version: &Version) -> bool {
        self.alternatives
            .iter()
            .any(|set| set.iter().all(|spec| specifier_contains(spec, version)))
    }

    /// The one version pinned by a lone `==V` / `===V` (or poetry's bare `V`).
    pub(super) fn pinned(text: &str) -> Option<String> {
        let text = text.trim();
        if text.contains([',', '|', '*']) {
            return None;
        }
        let version = text
            .strip_prefix("===")
            .or_else(|| text.strip_prefix("=="))
            .unwrap_or(text)
            .trim();
        parse_version(version)?;
        Some(version.to_owned())
    }
}

/// The constraints of one comma-separated clause. Poetry also accepts blank-separated
/// constraints (`>=1.2 <2.0`), and PEP 440 allows a blank after the operator (`>= 1.2`): an
/// operator-only token is joined with the token after it.
fn clause_tokens(clause: &str) -> Option<Vec<String>> {
    let mut tokens: Vec<String> = Vec::new();
    let mut pending_operator: Option<&str> = None;
    for word in clause.split_ascii_whitespace() {
        if word.chars().all(|c| "<>=!~^".contains(c)) {
            if pending_operator.is_some() {
                return None;
            }
            pending_operator = Some(word);
            continue;
        }
        match pending_operator.take() {
            Some(op) => tokens.push(format!("{op}{word}")),
            None => tokens.push(word.to_owned()),
        }
    }
    if pending_operator.is_some() {
        return None;
    }
    Some(tokens)
}

/// Add the specifiers one constraint stands for.
fn push_clause(token: &str, set: &mut Vec<VersionSpecifier>) -> Option<()> {
    if token == "*" {
        return Some(());
    }
    if let Some(rest) = token.strip_prefix('^') {
        let lower = parse_version(rest)?;
        let upper = caret_upper(&lower)?;
        set.push(spec(&format!(">={rest}"))?);
        set.push(spec(&format!("<{upper}"))?);
        return Some(());
    }
    if let Some(rest) = token.strip_prefix('~').filter(|r| !r.starts_with('=')) {
        let lower = parse_version(rest)?;
        let upper = tilde_upper(&lower)?;
        set.push(spec(&format!(">={rest}"))?);
        set.push(spec(&format!("<{upper}"))?);
        return Some(());
    }
    if token.starts_with(|c: char| c.is_ascii_digit() || c == 'v' || c == 'V') {
        // Poetry: a bare version is an exact one, a bare `1.2.*` a prefix.
        set.push(spec(&format!("=={token}"))?);
        return Some(());
    }
    set.push(spec(token)?);
    Some(())
}

fn spec(text: &str) -> Option<VersionSpecifier> {
    VersionSpecifier::from_str(text).ok()
}

/// Poetry's caret: the first non-zero component of those written goes up by one (`^1.2` <
/// `2`, `^0.2.3` < `0.3`, `^0.0.3` < `0.0.4`); all zero: the last written one (`^0.0` < `0.1`).
fn caret_upper(lower: &Version) -> Option<String> {
    let release = lower.release();
    let index = release
        .iter()
        .position(|&n| n != 0)
        .unwrap_or(release.len().checked_sub(1)?);
    bumped(lower.epoch(), release, index)
}

/// Poetry's tilde: `~1.2.3` < `1.3`, `~1.2` < `1.3`, `~1` < `2`.
fn tilde_upper(lower: &Version) -> Option<String> {
    let release = lower.release();
    let index = if release.len() >= 2 { 1 } else { 0 };
    bumped(lower.epoch(), release, index)
}

/// `release[..=index]` with the last component plus one, as a version string.
fn bumped(epoch: u64, release: &[u64], index: usize) -> Option<String> {
    let head = release.get(..=index)?;
    let mut out = if epoch > 0 {
        format!("{epoch}!")
    } else {
        String::new()
    };
    for (i, n) in head.iter().enumerate() {
        if i > 0 {
            out.push('.');
        }
        let n = if i == index { n.checked_add(1)? } else { *n };
        out.push_str(&n.to_string());
    }
    Some(out)
}

fn specifier_contains(spec: &VersionSpecifier, version: &Version) -> bool {
    let prefix = spec.version();
    let plain_prefix = prefix.pre().is_none() && prefix.post().is_none() && prefix.dev().is_none();
    match spec.operator() {
        Operator::EqualStar if plain_prefix => prefix_matches(prefix, version),
        Operator::NotEqualStar if plain_prefix => !prefix_matches(prefix, version),
        Operator::LessThan => less_than(prefix, version),
        Operator::GreaterThan => greater_than(prefix, version),
        _ => spec.contains(version),
    }
}

/// `<V`: below V, and not a pre-release of V's release unless V is itself a pre-release
/// (PEP 440 "Exclusive ordered comparison"). pep440_rs also refuses `2.0rc1` for `<2.0rc2`,
/// where V is a pre-release and the rule does not apply; pypa/packaging accepts it.
fn less_than(spec: &Version, version: &Version) -> bool {
    version < spec
        && !(!spec.any_prerelease() && version.any_prerelease() && same_release(spec, version))
}

/// `>V`: above V, and neither a post-release nor a local version of V's release unless V is
/// itself a post-release (the local rule has no exception).
fn greater_than(spec: &Version, version: &Version) -> bool {
    if version <= spec {
        return false;
    }
    if same_release(spec, version) {
        if !spec.is_post() && version.is_post() {
            return false;
        }
        if version.is_local() {
            return false;
        }
    }
    true
}

/// Same epoch and release, zero-padded (`1.0` is `1.0.0`): PEP 440's "base version".
fn same_release(a: &Version, b: &Version) -> bool {
    let (ra, rb) = (a.release(), b.release());
    a.epoch() == b.epoch()
        && (0..ra.len().max(rb.len()))
            .all(|i| ra.get(i).copied().unwrap_or(0) == rb.get(i).copied().unwrap_or(0))
}

/// PEP 440 prefix matching: same epoch, and the candidate's release, padded with zeros,
/// starts with the prefix. Pre-, post-, dev- and local parts of the candidate are ignored
/// (`1.1.0rc1` and `1.1.post1` match `==1.1.*`).
fn prefix_matches(prefix: &Version, version: &Version) -> bool {
    prefix.epoch() == version.epoch()
        && prefix
            .release()
            .iter()
            .enumerate()
            .all(|(i, n)| version.release().get(i).copied().unwrap_or(0) == *n)
}

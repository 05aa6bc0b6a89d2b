//! npm versions and ranges, as node-semver defines them.
//!
//! Ordering and range evaluation come from the `nodejs-semver` crate (a port of node-semver:
//! `^`/`~`/x-ranges, hyphen ranges, `||`, and node's rule that a pre-release only satisfies a
//! range when a comparator of the same set has a pre-release on the same `[major, minor,
//! patch]`). Two gaps are closed here, both because the crate is more lenient than node:
//! - `Version::parse` accepts trailing garbage (`1.2.3.4` parses as `1.2.3`, `1.2.3 foo` as
//!   `1.2.3`), where node-semver's loose grammar rejects the whole string. Advisory matching
//!   must not treat a four-part or garbled version as a real one, so versions are checked
//!   against node's loose grammar first (`[v=\s]*` prefix, `M.m.p`, optional `-`-less
//!   pre-release, build metadata).
//! - npm specifiers that are not ranges at all (`npm:other@^1`, `github:u/r`, `file:../x`,
//!   URLs, dist-tags such as `latest`) must never be read as one; anything with characters a
//!   range cannot contain is refused before the crate sees it.

use nodejs_semver::{Range, Version};

/// node-semver's `MAX_LENGTH`.
const MAX_LENGTH: usize = 256;
/// node-semver's `MAX_SAFE_COMPONENT_LENGTH` (digits of `Number.MAX_SAFE_INTEGER`).
const MAX_COMPONENT_DIGITS: usize = 16;
/// `Number.MAX_SAFE_INTEGER`: node refuses larger major/minor/patch numbers.
const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// The version without node's loose prefix (`v1.2.3`, `=1.2.3`, `= v1.2.3`).
pub(super) fn strip_prefix(text: &str) -> &str {
    text.trim()
        .trim_start_matches(|c: char| c == 'v' || c == '=' || c.is_ascii_whitespace())
}

pub(super) fn parse_version(text: &str) -> Option<Version> {
    let text = strip_prefix(text);
    if text.len() > MAX_LENGTH || !is_loose_version(text) {
        return None;
    }
    Version::parse(text).ok()
}

pub(super) fn parse_range(text: &str) -> Option<Range> {
    let text = text.trim();
    if text.len() > MAX_LENGTH * 4 || !text.bytes().all(is_range_byte) {
        return None;
    }
    Range::parse(text).ok()
}

/// Bytes a range can be written with: digits, letters (`x`, `v`, pre-release and build
/// identifiers), `.`, `-`, `+`, `*`, operators, `|` and blanks. `:`, `/`, `@`, `#` and the like
/// only occur in aliases, git, file and URL specifiers.
fn is_range_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'.' | b'-' | b'+' | b'*' | b'^' | b'~' | b'<' | b'>' | b'=' | b'|' | b' ' | b'\t'
        )
}

/// node-semver's `LOOSE` grammar, without the prefix (already stripped):
/// `\d+\.\d+\.\d+(-?ID(\.ID)*)?(\+ID(\.ID)*)?` where ID is `[0-9A-Za-z-]+`.
fn is_loose_version(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut i = 0;
    for part in 0..3 {
        let start = i;
        while bytes.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        let digits = i - start;
        if digits == 0 || digits > MAX_COMPONENT_DIGITS {
            return false;
        }
        let value = text
            .get(start..i)
            .and_then(|d| d.parse::<u64>().ok())
            .unwrap_or(u64::MAX);
        if value > MAX_SAFE_INTEGER {
            return false;
        }
        if part < 2 {
            if bytes.get(i) != Some(&b'.') {
                return false;
            }
            i += 1;
        }
    }
    // Pre-release: `-` is optional in the loose grammar (`1.2.3beta`), and an identifier may
    // itself start with `-`, so one leading `-` is skipped and identifiers follow.
    if bytes
        .get(i)
        .is_some_and(|&b| b == b'-' || b.is_ascii_alphanumeric())
    {
        if bytes.get(i) == Some(&b'-') {
            i += 1;
        }
        match identifiers(bytes, i) {
            Some(next) => i = next,
            None => return false,
        }
    }
    if bytes.get(i) == Some(&b'+') {
        match identifiers(bytes, i + 1) {
            Some(next) => i = next,
            None => return false,
        }
    }
    i == bytes.len()
}

/// Dot-separated non-empty `[0-9A-Za-z-]+` identifiers from `i`; the index after them.
fn identifiers(bytes: &[u8], mut i: usize) -> Option<usize> {
    loop {
        let start = i;
        while bytes
            .get(i)
            .is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'-')
        {
            i += 1;
        }
        if i == start {
            return None;
        }
        if bytes.get(i) == Some(&b'.') {
            i += 1;
        } else {
            return Some(i);
        }
    }
}

/// The exact version a range pins: a single version, loose prefix allowed (`1.2.3`,
/// `=1.2.3`, `v1.2.3`); partial versions (`1.2`) are ranges, not pins.
pub(super) fn pinned(requirement: &str) -> Option<String> {
    let text = strip_prefix(requirement);
    parse_version(text)?;
    Some(text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loose_grammar() {
        for ok in [
            "1.2.3",
            "1.2.3-beta.1",
            "1.2.3beta",
            "1.2.3--x",
            "1.2.3+build.5",
            "1.2.3-rc.1+b",
            "01.2.3",
        ] {
            assert!(is_loose_version(ok), "{ok}");
        }
        for bad in [
            "1.2",
            "1.2.3.4",
            "1.2.3 foo",
            "1.2.3-",
            "1.2.3+",
            "1.2.3-a..b",
            "a.b.c",
            "",
            "99999999999999999.0.0",
            "9007199254740992.0.0",
        ] {
            assert!(!is_loose_version(bad), "{bad}");
        }
        assert!(is_loose_version("9007199254740991.0.0"));
    }

    #[test]
    fn prefix_and_pins() {
        assert_eq!(strip_prefix(" =v1.2.3 "), "1.2.3");
        assert_eq!(pinned("v1.2.3").as_deref(), Some("1.2.3"));
        assert_eq!(pinned("= 1.2.3-beta").as_deref(), Some("1.2.3-beta"));
        assert_eq!(pinned("1.2"), None);
        assert_eq!(pinned("^1.2.3"), None);
        assert_eq!(pinned("1.2.3 || 1.2.3"), None);
    }

    #[test]
    fn non_ranges_refused() {
        for spec in [
            "npm:lodash@^4",
            "github:user/repo",
            "file:../lib",
            "https://x.test/a.tgz",
            "user/repo#v1",
            "latest",
            "workspace:*",
        ] {
            assert!(parse_range(spec).is_none(), "{spec}");
        }
    }
}

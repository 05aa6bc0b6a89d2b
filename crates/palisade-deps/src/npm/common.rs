//! Helpers every npm parser shares: reading JSON with byte ranges, SRI integrity strings,
//! where a `resolved` URL or a dependency spec points, and Node's `node_modules` lookup.

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;

use jsonc_parser::CollectOptions;
use jsonc_parser::ast::{Object, ObjectProp, ObjectPropName, Value as Json};
use jsonc_parser::common::Ranged;
use palisade_model::{PackageHash, PackageSource};

use crate::parse::{MAX_MANIFEST_BYTES, ParseError, ParseProblem};

/// Refuse a file over [`MAX_MANIFEST_BYTES`] before any parsing work.
pub(crate) fn check_size(text: &str) -> Result<(), ParseError> {
    if text.len() > MAX_MANIFEST_BYTES {
        return Err(ParseError::TooLarge {
            limit: MAX_MANIFEST_BYTES,
        });
    }
    Ok(())
}

/// A YAML lock file (pnpm, yarn berry) as a tree with byte offsets, within the size limit and
/// the YAML reader's nesting and alias limits.
pub(crate) fn parse_yaml(text: &str) -> Result<palisade_loaders::yaml::Document, ParseError> {
    check_size(text)?;
    palisade_loaders::yaml::parse(text, palisade_loaders::yaml::Limits::default()).map_err(|e| {
        ParseError::Syntax {
            message: e.to_string(),
            offset: e.offset().unwrap_or(0),
        }
    })
}

/// A UTF-8 byte order mark becomes three spaces so that byte offsets stay those of the file.
pub(crate) fn without_bom(text: &str) -> Cow<'_, str> {
    match text.strip_prefix('\u{feff}') {
        Some(rest) => Cow::Owned(format!("   {rest}")),
        None => Cow::Borrowed(text),
    }
}

/// Strict JSON (npm writes nothing else), parsed into a tree whose nodes keep their byte
/// ranges. jsonc-parser refuses nesting deeper than 512 levels, so a hostile file cannot
/// exhaust the stack here or in the walks over the tree.
pub(crate) fn parse_json(text: &str) -> Result<Option<Json<'_>>, ParseError> {
    let strict = palisade_loaders::strict_json_options();
    jsonc_parser::parse_to_ast(text, &CollectOptions::default(), &strict)
        .map(|p| p.value)
        .map_err(|e| ParseError::Syntax {
            message: format!("invalid JSON: {}", e.kind()),
            offset: e.range().start,
        })
}

/// The root object of a JSON file, or a syntax error saying what was found instead.
pub(crate) fn json_root<'a, 'b>(
    value: &'b Option<Json<'a>>,
    what: &str,
) -> Result<&'b Object<'a>, ParseError> {
    match value {
        Some(Json::Object(o)) => Ok(o),
        Some(other) => Err(ParseError::Syntax {
            message: format!("{what} is not a JSON object"),
            offset: other.range().start,
        }),
        None => Err(ParseError::Syntax {
            message: format!("{what} is empty"),
            offset: 0,
        }),
    }
}

pub(crate) fn prop_name<'b>(prop: &'b ObjectProp<'_>) -> &'b str {
    match &prop.name {
        ObjectPropName::String(s) => s.value.as_ref(),
        ObjectPropName::Word(w) => w.value,
    }
}

pub(crate) fn prop_name_range(prop: &ObjectProp<'_>) -> Range<usize> {
    let r = match &prop.name {
        ObjectPropName::String(s) => s.range,
        ObjectPropName::Word(w) => w.range,
    };
    r.start..r.end
}

pub(crate) fn get_str<'b>(obj: &'b Object<'_>, name: &str) -> Option<&'b str> {
    obj.get_string(name).map(|s| s.value.as_ref())
}

pub(crate) fn get_true(obj: &Object<'_>, name: &str) -> bool {
    obj.get_boolean(name).is_some_and(|b| b.value)
}

/// The names of a `{name: range}` object, skipping values that are not strings.
pub(crate) fn dep_names<'b>(obj: &'b Object<'_>, field: &str) -> Vec<&'b str> {
    obj.get_object(field)
        .map(|deps| deps.properties.iter().map(prop_name).collect())
        .unwrap_or_default()
}

pub(crate) fn problem(offset: usize, message: impl Into<String>) -> ParseProblem {
    ParseProblem {
        offset,
        message: message.into(),
    }
}

/// Decode standard or URL-safe base64, padding optional. `None` on any other character.
pub(crate) fn base64_decode(text: &str) -> Option<Vec<u8>> {
    fn value(c: u8) -> Option<u32> {
        match c {
            b'A'..=b'Z' => Some(u32::from(c - b'A')),
            b'a'..=b'z' => Some(u32::from(c - b'a') + 26),
            b'0'..=b'9' => Some(u32::from(c - b'0') + 52),
            b'+' | b'-' => Some(62),
            b'/' | b'_' => Some(63),
            _ => None,
        }
    }
    let body = text.trim_end_matches('=');
    if body.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(body.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0u32;
    for c in body.bytes() {
        acc = (acc << 6) | value(c)?;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(((acc >> bits) & 0xff) as u8);
        }
    }
    Some(out)
}

pub(crate) fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    out
}

/// The hashes of a Subresource Integrity string (`sha512-<base64> sha1-<base64>`), as npm,
/// yarn and pnpm record them. Unknown algorithms and undecodable digests are left out; the
/// second value names the first of them, for a problem.
pub(crate) fn integrity_hashes(sri: &str) -> (Vec<PackageHash>, Option<String>) {
    let mut hashes = Vec::new();
    let mut bad = None;
    for token in sri.split_ascii_whitespace() {
        // SRI allows `?options` after the digest.
        let token = token.split('?').next().unwrap_or(token);
        let Some((alg, digest)) = token.split_once('-') else {
            bad.get_or_insert_with(|| token.to_string());
            continue;
        };
        let (alg, len) = match alg.to_ascii_lowercase().as_str() {
            "sha1" => ("SHA-1", 20),
            "sha256" => ("SHA-256", 32),
            "sha384" => ("SHA-384", 48),
            "sha512" => ("SHA-512", 64),
            _ => {
                bad.get_or_insert_with(|| token.to_string());
                continue;
            }
        };
        match base64_decode(digest) {
            Some(bytes) if bytes.len() == len => push_hash(&mut hashes, alg, to_hex(&bytes)),
            _ => {
                bad.get_or_insert_with(|| token.to_string());
            }
        }
    }
    (hashes, bad)
}

pub(crate) fn push_hash(hashes: &mut Vec<PackageHash>, alg: &str, hex: String) {
    if !hashes.iter().any(|h| h.alg == alg && h.hex == hex) {
        hashes.push(PackageHash {
            alg: alg.to_string(),
            hex,
        });
    }
}

/// Add a dependency edge once.
pub(crate) fn add_edge(deps: &mut Vec<String>, key: &str) {
    if !deps.iter().any(|d| d == key) {
        deps.push(key.to_string());
    }
}

pub(crate) fn is_hex(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| b.is_ascii_hexdigit())
}

fn is_git(spec: &str) -> bool {
    const PREFIXES: [&str; 8] = [
        "git+",
        "git://",
        "git@",
        "github:",
        "gitlab:",
        "bitbucket:",
        "gist:",
        "ssh://",
    ];
    PREFIXES.iter().any(|p| spec.starts_with(p))
}

/// A tarball URL in a registry's layout (`…/name/-/name-1.2.3.tgz`), which npm, yarn and
/// pnpm write for every registry package, whichever registry or mirror served it.
pub(crate) fn is_registry_tarball(url: &str) -> bool {
    let path = url.split(['#', '?']).next().unwrap_or(url);
    let host = path
        .split_once("://")
        .map(|(_, rest)| rest.split('/').next().unwrap_or(rest))
        .unwrap_or("");
    matches!(
        host,
        "registry.npmjs.org" | "registry.yarnpkg.com" | "registry.npmjs.com"
    ) || (path.contains("/-/") && path.ends_with(".tgz"))
}

/// Where a lock file's `resolved` value says the package came from.
pub(crate) fn source_of_resolved(resolved: &str) -> PackageSource {
    let r = resolved.trim();
    if let Some(path) = r.strip_prefix("file:") {
        return PackageSource::Path {
            path: path.to_string(),
        };
    }
    if is_git(r) {
        return PackageSource::Git { url: r.to_string() };
    }
    if r.starts_with("http://") || r.starts_with("https://") {
        if is_registry_tarball(r) {
            return PackageSource::Registry;
        }
        return PackageSource::Url { url: r.to_string() };
    }
    if r.is_empty() {
        return PackageSource::Registry;
    }
    // npm writes workspace and `link:` targets as bare relative paths.
    PackageSource::Path {
        path: r.to_string(),
    }
}

/// A dependency spec as `package.json` (and yarn keys) write it, read into the package's real
/// name (an `npm:` alias names another package), the semver range when there is one, and the
/// source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Spec {
    pub name: String,
    /// The semver range or tag; `None` for git, URL and path specs.
    pub range: Option<String>,
    pub source: PackageSource,
}

pub(crate) fn read_spec(name: &str, spec: &str) -> Spec {
    let s = spec.trim();
    if let Some(aliased) = s.strip_prefix("npm:") {
        return match split_name_at(aliased) {
            Some((real, range)) => Spec {
                name: real.to_string(),
                range: Some(range.to_string()),
                source: PackageSource::Registry,
            },
            // `npm:other` without a range means its latest version.
            None => Spec {
                name: aliased.to_string(),
                range: Some("*".to_string()),
                source: PackageSource::Registry,
            },
        };
    }
    let source = if is_git(s) {
        Some(PackageSource::Git { url: s.to_string() })
    } else if s.starts_with("http://") || s.starts_with("https://") {
        Some(PackageSource::Url { url: s.to_string() })
    } else if let Some(p) = s.strip_prefix("file:").or_else(|| s.strip_prefix("link:")) {
        Some(PackageSource::Path {
            path: p.to_string(),
        })
    } else if s.starts_with("workspace:")
        || s.starts_with("portal:")
        || s.starts_with("./")
        || s.starts_with("../")
        || s.starts_with('/')
        || s.starts_with("~/")
        || s == "."
        || s == ".."
    {
        Some(PackageSource::Path {
            path: s.to_string(),
        })
    } else if is_github_shorthand(s) {
        Some(PackageSource::Git {
            url: format!("github:{s}"),
        })
    } else {
        None
    };
    match source {
        Some(source) => Spec {
            name: name.to_string(),
            range: None,
            source,
        },
        None => Spec {
            name: name.to_string(),
            range: Some(s.to_string()),
            source: PackageSource::Registry,
        },
    }
}

/// `user/repo` or `user/repo#ref`: npm reads it as a GitHub repository.
fn is_github_shorthand(s: &str) -> bool {
    let repo = s.split('#').next().unwrap_or(s);
    let Some((user, name)) = repo.split_once('/') else {
        return false;
    };
    let ok = |part: &str| {
        !part.is_empty()
            && part
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    };
    !user.starts_with('@') && ok(user) && ok(name)
}

/// Split `name@rest` where the name may be scoped (`@scope/name@rest`).
pub(crate) fn split_name_at(s: &str) -> Option<(&str, &str)> {
    let from = usize::from(s.starts_with('@'));
    let at = s.get(from..)?.find('@')? + from;
    let name = s.get(..at)?;
    let rest = s.get(at + 1..)?;
    if name.is_empty() || name == "@" {
        return None;
    }
    Some((name, rest))
}

/// The exact version a range pins (`1.2.3`, `=1.2.3`, `v1.2.3`), if it pins one.
pub(crate) fn exact_version(range: &str) -> Option<String> {
    let r = range.trim();
    let r = r.strip_prefix('=').unwrap_or(r).trim_start();
    let r = r.strip_prefix('v').unwrap_or(r);
    is_semver(r).then(|| r.to_string())
}

/// `major.minor.patch` with optional `-prerelease` and `+build`, digits only in the core.
pub(crate) fn is_semver(v: &str) -> bool {
    let core = v.split(['-', '+']).next().unwrap_or(v);
    let rest = v.get(core.len()..).unwrap_or("");
    let parts: Vec<&str> = core.split('.').collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        && rest
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'+' | b'.'))
}

/// The package name a lock path ends with (`node_modules/a/node_modules/@s/b` → `@s/b`).
pub(crate) fn name_from_lock_path(key: &str) -> Option<&str> {
    const NM: &str = "node_modules/";
    let at = key.rfind(NM)?;
    let name = key.get(at + NM.len()..)?;
    if name.is_empty() {
        return None;
    }
    Some(name)
}

/// The folder whose `node_modules` is searched next after `key`'s own: the package that
/// contains it (`a/node_modules/b` → `a`), else the project root (`""`).
pub(crate) fn lock_parent(key: &str) -> Option<&str> {
    if key.is_empty() {
        return None;
    }
    if let Some(at) = key.rfind("/node_modules/") {
        return key.get(..at);
    }
    Some("")
}

/// Resolve `dep` from the package at `from` the way Node does: `from/node_modules/dep`, then
/// the same in each enclosing folder, up to the root's `node_modules/dep`.
pub(crate) fn node_resolve<'k, V>(
    keys: &'k HashMap<String, V>,
    from: &str,
    dep: &str,
) -> Option<&'k str> {
    let mut at = Some(from);
    while let Some(dir) = at {
        let candidate = if dir.is_empty() {
            format!("node_modules/{dep}")
        } else {
            format!("{dir}/node_modules/{dep}")
        };
        if let Some((k, _)) = keys.get_key_value(&candidate) {
            return Some(k.as_str());
        }
        at = lock_parent(dir);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trips_known_values() {
        assert_eq!(base64_decode("aGVsbG8="), Some(b"hello".to_vec()));
        assert_eq!(base64_decode("aGVsbG8"), Some(b"hello".to_vec()));
        assert_eq!(base64_decode("aGk="), Some(b"hi".to_vec()));
        assert_eq!(base64_decode(""), Some(Vec::new()));
        assert_eq!(base64_decode("a"), None);
        assert_eq!(base64_decode("a*bc"), None);
        assert_eq!(to_hex(&[0, 15, 255]), "000fff");
    }

    #[test]
    fn integrity_of_several_algorithms() {
        // sha1 of the empty string, base64: 2jmj7l5rSw0yVb/vlWAYkK/YBwk=
        let (h, bad) = integrity_hashes("sha1-2jmj7l5rSw0yVb/vlWAYkK/YBwk= md5-xyz");
        assert_eq!(h.len(), 1);
        assert_eq!(h[0].alg, "SHA-1");
        assert_eq!(h[0].hex, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
        assert_eq!(bad.as_deref(), Some("md5-xyz"));
        let (h, bad) = integrity_hashes("sha256-short");
        assert!(h.is_empty());
        assert!(bad.is_some());
    }

    #[test]
    fn resolved_urls_map_to_sources() {
        assert_eq!(
            source_of_resolved("https://registry.npmjs.org/lodash/-/lodash-4.17.21.tgz"),
            PackageSource::Registry
        );
        assert_eq!(
            source_of_resolved("https://npm.example.com/repo/x/-/x-1.0.0.tgz"),
            PackageSource::Registry
        );
        assert!(matches!(
            source_of_resolved("git+ssh://git@github.com/u/r.git#abc"),
            PackageSource::Git { .. }
        ));
        assert!(matches!(
            source_of_resolved("https://codeload.github.com/u/r/tar.gz/abc"),
            PackageSource::Url { .. }
        ));
        assert_eq!(
            source_of_resolved("file:../lib"),
            PackageSource::Path {
                path: "../lib".into()
            }
        );
    }

    #[test]
    fn specs_read_like_npm() {
        let s = read_spec("x", "npm:@s/real@^1.0.0");
        assert_eq!(
            (s.name.as_str(), s.range.as_deref()),
            ("@s/real", Some("^1.0.0"))
        );
        assert_eq!(
            read_spec("x", "u/r#v1").source,
            PackageSource::Git {
                url: "github:u/r#v1".into()
            }
        );
        assert!(matches!(
            read_spec("x", "link:../y").source,
            PackageSource::Path { .. }
        ));
        assert_eq!(read_spec("x", "^1.2.3").range.as_deref(), Some("^1.2.3"));
        assert_eq!(read_spec("x", "latest").source, PackageSource::Registry);
        assert_eq!(exact_version("=1.2.3").as_deref(), Some("1.2.3"));
        assert_eq!(
            exact_version("1.2.3-beta.1+b2").as_deref(),
            Some("1.2.3-beta.1+b2")
        );
        assert_eq!(exact_version("^1.2.3"), None);
        assert_eq!(exact_version("1.2.x"), None);
        assert_eq!(exact_version("1.2"), None);
    }

    #[test]
    fn lock_paths_give_names_and_parents() {
        assert_eq!(
            name_from_lock_path("node_modules/a/node_modules/@s/b"),
            Some("@s/b")
        );
        assert_eq!(name_from_lock_path("packages/a"), None);
        assert_eq!(
            lock_parent("node_modules/a/node_modules/b"),
            Some("node_modules/a")
        );
        assert_eq!(lock_parent("node_modules/a"), Some(""));
        assert_eq!(lock_parent("packages/a"), Some(""));
        assert_eq!(lock_parent("packages/a/node_modules/x"), Some("packages/a"));
        assert_eq!(lock_parent(""), None);
        let keys: HashMap<String, ()> = [
            "node_modules/a",
            "node_modules/b",
            "node_modules/a/node_modules/b",
            "node_modules/a/node_modules/c",
        ]
        .into_iter()
        .map(|k| (k.to_string(), ()))
        .collect();
        let from = "node_modules/a/node_modules/c";
        assert_eq!(
            node_resolve(&keys, from, "b"),
            Some("node_modules/a/node_modules/b")
        );
        assert_eq!(
            node_resolve(&keys, "node_modules/b", "b"),
            Some("node_modules/b")
        );
        assert_eq!(node_resolve(&keys, "node_modules/b", "zz"), None);
    }
}

//! `yarn.lock` of yarn 1 ("classic"): yarn's own indented format, not YAML.
//!
//! ```text
//! "@babel/code-frame@^7.0.0", "@babel/code-frame@^7.10.4":
//!   version "7.12.13"
//!   resolved "https://registry.yarnpkg.com/@babel/code-frame/-/code-frame-7.12.13.tgz#dcfc…"
//!   integrity sha512-HV1C…
//!   dependencies:
//!     "@babel/highlight" "^7.12.13"
//! ```
//!
//! Each entry is one package, reached by every `name@range` of its header. The lock does not
//! say which packages the project declares, or which are for development only: `direct` and
//! `dev` stay false, and the caller compares with `package.json`.

use std::collections::HashMap;
use std::ops::Range;

use palisade_model::{ManifestKind, PackageSource};

use super::common::{
    add_edge, check_size, integrity_hashes, is_hex, is_registry_tarball, problem, push_hash,
    read_spec, source_of_resolved, split_name_at,
};
use crate::parse::{ParseError, ParsedFile, ParsedPackage};

/// One entry as read, before dependencies are resolved.
struct Entry {
    specs: Vec<String>,
    header: Range<usize>,
    fields: HashMap<String, (String, usize)>,
    /// `(name, range, offset, optional)` of its dependency blocks.
    deps: Vec<(String, String, usize, bool)>,
}

pub(crate) fn parse(text: &str) -> Result<ParsedFile, ParseError> {
    check_size(text)?;
    let mut out = ParsedFile::new(ManifestKind::YarnClassic);
    let entries = read_entries(text, &mut out);

    let mut by_spec: HashMap<String, String> = HashMap::new();
    let mut keys: HashMap<String, usize> = HashMap::new();
    let mut packages = Vec::with_capacity(entries.len());
    for e in &entries {
        let Some(p) = package_of(e, &mut out) else {
            continue;
        };
        // Two entries may lock the same name and version (from different sources); keys
        // must stay unique.
        let mut key = p.key.clone();
        let n = keys.entry(key.clone()).or_insert(0);
        *n += 1;
        if *n > 1 {
            key = format!("{key}#{n}");
        }
        for s in &e.specs {
            by_spec.insert(s.clone(), key.clone());
        }
        packages.push((ParsedPackage { key, ..p }, e));
    }
    for (p, e) in &mut packages {
        for (name, range, offset, optional) in &e.deps {
            match by_spec.get(&format!("{name}@{range}")) {
                Some(k) => add_edge(&mut p.dependencies, k),
                None if !optional => out.problems.push(problem(
                    *offset,
                    format!(
                        "{} depends on {name}@{range}, which the lock does not contain",
                        p.key
                    ),
                )),
                None => {}
            }
        }
    }
    out.packages.extend(packages.into_iter().map(|(p, _)| p));
    Ok(out)
}

fn package_of(e: &Entry, out: &mut ParsedFile) -> Option<ParsedPackage> {
    let first = e.specs.first()?;
    let Some((written_name, range)) = split_name_at(first) else {
        out.problems.push(problem(
            e.header.start,
            format!("entry {first:?} is not name@range; it was skipped"),
        ));
        return None;
    };
    let spec = read_spec(written_name, range);
    let version = e.fields.get("version").map(|(v, _)| v.clone());
    let resolved = e.fields.get("resolved").map(|(v, _)| v.as_str());
    let mut hashes = Vec::new();
    if let Some((sri, at)) = e.fields.get("integrity") {
        let (h, bad) = integrity_hashes(sri);
        hashes = h;
        if let Some(bad) = bad {
            out.problems.push(problem(
                *at,
                format!("integrity value {bad:?} could not be read"),
            ));
        }
    }
    let source = match resolved {
        Some(r) => {
            let source = source_of_resolved(r);
            // A tarball's `#fragment` is its SHA-1 (a git URL's is a commit instead).
            if (is_registry_tarball(r) || matches!(source, PackageSource::Url { .. }))
                && let Some((_, frag)) = r.rsplit_once('#')
                && is_hex(frag, 40)
            {
                push_hash(&mut hashes, "SHA-1", frag.to_ascii_lowercase());
            }
            match source {
                // The URL without its hash fragment: that is where the tarball is.
                PackageSource::Url { url } => PackageSource::Url {
                    url: url.split('#').next().unwrap_or(&url).to_string(),
                },
                s => s,
            }
        }
        // `file:` and `link:` packages have no `resolved`; their spec says where they are.
        None => spec.source.clone(),
    };
    let key = match &version {
        Some(v) => format!("{}@{v}", spec.name),
        None => first.clone(),
    };
    Some(ParsedPackage {
        name: spec.name,
        version,
        requirement: None,
        source,
        dev: false,
        direct: false,
        hashes,
        install_script: false,
        range: e.header.clone(),
        key,
        dependencies: Vec::new(),
    })
}

/// Lines into entries. Whatever cannot be read becomes a problem; reading goes on.
fn read_entries(text: &str, out: &mut ParsedFile) -> Vec<Entry> {
    let mut entries: Vec<Entry> = Vec::new();
    // The dependency block being read, if any, and whether it is optional.
    let mut block: Option<bool> = None;
    let mut offset = 0usize;
    for raw in text.split_inclusive('\n') {
        let start = offset;
        offset += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        let body = line.trim_start();
        if body.is_empty() || body.starts_with('#') {
            continue;
        }
        let indent = line.len() - body.len();
        if indent == 0 {
            block = None;
            let Some(header) = body.strip_suffix(':') else {
                out.problems
                    .push(problem(start, "a line outside any entry was skipped"));
                continue;
            };
            let specs = split_specs(header);
            if specs.is_empty() {
                out.problems
                    .push(problem(start, "an entry without a name was skipped"));
                continue;
            }
            entries.push(Entry {
                specs,
                header: start..start + header.len(),
                fields: HashMap::new(),
                deps: Vec::new(),
            });
            continue;
        }
        let Some(entry) = entries.last_mut() else {
            out.problems.push(problem(
                start,
                "an indented line before any entry was skipped",
            ));
            continue;
        };
        let at = start + indent;
        if indent <= 2 {
            block = None;
            if let Some(name) = body.strip_suffix(':') {
                match name {
                    "dependencies" => block = Some(false),
                    "optionalDependencies" => block = Some(true),
                    // Other blocks (`peerDependencies`, `dependenciesMeta`…) are skipped.
                    _ => {}
                }
                continue;
            }
            match split_pair(body) {
                Some((k, v)) => {
                    entry.fields.entry(k).or_insert((v, at));
                }
                None => out
                    .problems
                    .push(problem(at, format!("unreadable line {body:?} was skipped"))),
            }
            continue;
        }
        let Some(optional) = block else {
            continue;
        };
        match split_pair(body) {
            Some((name, range)) => entry.deps.push((name, range, at, optional)),
            None => out.problems.push(problem(
                at,
                format!("unreadable dependency {body:?} was skipped"),
            )),
        }
    }
    entries
}

/// The comma-separated `name@range` specs of an entry header, unquoted.
fn split_specs(header: &str) -> Vec<String> {
    let mut specs = Vec::new();
    let mut rest = header.trim();
    while !rest.is_empty() {
        let (token, after) = read_token(rest);
        if !token.is_empty() {
            specs.push(token);
        }
        // Every token or separator consumed moves `rest` forward, so this ends.
        rest = after.trim_start();
        rest = rest.strip_prefix(',').unwrap_or(rest).trim_start();
    }
    specs
}

/// A quoted (`"…"` with `\` escapes) or bare token, and what follows it. A bare token ends at
/// whitespace or a comma.
fn read_token(s: &str) -> (String, &str) {
    if let Some(body) = s.strip_prefix('"') {
        let mut token = String::new();
        let mut chars = body.char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => return (token, body.get(i + 1..).unwrap_or("")),
                '\\' => {
                    if let Some((_, n)) = chars.next() {
                        token.push(match n {
                            'n' => '\n',
                            't' => '\t',
                            other => other,
                        });
                    }
                }
                c => token.push(c),
            }
        }
        return (token, "");
    }
    let end = s
        .find(|c: char| c.is_whitespace() || c == ',')
        .unwrap_or(s.len());
    (
        s.get(..end).unwrap_or("").to_string(),
        s.get(end..).unwrap_or(""),
    )
}

/// `key value`, either part quoted.
fn split_pair(body: &str) -> Option<(String, String)> {
    let (key, rest) = read_token(body);
    let rest = rest.trim_start();
    if key.is_empty() || rest.is_empty() {
        return None;
    }
    let (value, tail) = read_token(rest);
    if !tail.trim().is_empty() {
        return None;
    }
    Some((key, value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_split_into_specs() {
        assert_eq!(
            split_specs(r#""@babel/core@^7.0.0", "@babel/core@^7.1.0""#),
            vec!["@babel/core@^7.0.0", "@babel/core@^7.1.0"]
        );
        assert_eq!(
            split_specs("ansi-regex@^2.0.0, ansi-regex@^2.1.1"),
            vec!["ansi-regex@^2.0.0", "ansi-regex@^2.1.1"]
        );
        assert_eq!(split_specs(r#""a\"b@1""#), vec![r#"a"b@1"#]);
    }

    #[test]
    fn pairs_read_quoted_and_bare() {
        assert_eq!(
            split_pair(r#"version "1.2.3""#),
            Some(("version".into(), "1.2.3".into()))
        );
        assert_eq!(
            split_pair(r#""@s/x" "^1.0.0""#),
            Some(("@s/x".into(), "^1.0.0".into()))
        );
        assert_eq!(
            split_pair("integrity sha512-abc=="),
            Some(("integrity".into(), "sha512-abc==".into()))
        );
        assert_eq!(split_pair("lonely"), None);
    }
}

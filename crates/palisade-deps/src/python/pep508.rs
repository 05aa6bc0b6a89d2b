//! The PEP 508 requirement grammar (`name[extra] >=1.0,<2 ; python_version < "3.8"`,
//! `name @ https://…`), split syntactically: version semantics are `crate::version`'s job.

use std::ops::Range;

use palisade_model::PackageSource;

/// One requirement, split into its parts. Ranges are relative to the parsed string.
#[derive(Clone, Debug, PartialEq)]
pub struct Requirement<'a> {
    pub name: &'a str,
    pub name_range: Range<usize>,
    pub extras: Vec<&'a str>,
    /// The version specifier as written, without its optional parentheses; `None` when there
    /// is none (any version) or the requirement is a URL.
    pub specifier: Option<&'a str>,
    /// The direct reference after `@`.
    pub url: Option<&'a str>,
    /// The environment marker after `;`, as written: never evaluated.
    pub marker: Option<&'a str>,
}

/// Length of the PEP 508 name at the start of `s` (letters, digits, `.`, `-`, `_`, starting
/// and ending with a letter or digit); 0 when `s` does not start with one.
pub fn name_len(s: &str) -> usize {
    let bytes = s.as_bytes();
    if !bytes.first().is_some_and(u8::is_ascii_alphanumeric) {
        return 0;
    }
    let mut end = 0;
    for (i, b) in bytes.iter().enumerate() {
        if b.is_ascii_alphanumeric() {
            end = i + 1;
        } else if !matches!(b, b'.' | b'-' | b'_') {
            break;
        }
    }
    end
}

/// Parse one requirement; `Err` says what is wrong with it.
pub fn parse(s: &str) -> Result<Requirement<'_>, String> {
    let lead = s.len() - s.trim_start().len();
    let rest = s.get(lead..).unwrap_or("");
    let len = name_len(rest);
    if len == 0 {
        return Err("a requirement must start with a package name".into());
    }
    let name = rest.get(..len).unwrap_or("");
    let mut pos = lead + len;
    let mut extras = Vec::new();
    let after = s.get(pos..).unwrap_or("");
    let trimmed = after.trim_start();
    if let Some(inner) = trimmed.strip_prefix('[') {
        let Some(close) = inner.find(']') else {
            return Err("unclosed `[` of the extras".into());
        };
        for extra in inner.get(..close).unwrap_or("").split(',') {
            let extra = extra.trim();
            if extra.is_empty() {
                continue;
            }
            if name_len(extra) != extra.len() {
                return Err(format!("`{extra}` is not a valid extra name"));
            }
            extras.push(extra);
        }
        pos += (after.len() - trimmed.len()) + 1 + close + 1;
    }
    let rest = s.get(pos..).unwrap_or("");
    let trimmed = rest.trim_start();
    let (specifier, url, marker) = if let Some(reference) = trimmed.strip_prefix('@') {
        // A URL may hold `;` itself, so only `;` after whitespace starts the marker.
        let reference = reference.trim_start();
        let cut = reference
            .char_indices()
            .find(|&(i, c)| {
                c == ';'
                    && reference
                        .get(..i)
                        .is_some_and(|b| b.ends_with(char::is_whitespace))
            })
            .map(|(i, _)| i);
        let (url, marker) = match cut {
            Some(i) => (
                reference.get(..i).unwrap_or("").trim(),
                reference.get(i + 1..).map(str::trim),
            ),
            None => (reference.trim(), None),
        };
        if url.is_empty() || url.contains(char::is_whitespace) {
            return Err("`@` must be followed by one URL".into());
        }
        (None, Some(url), marker)
    } else {
        let (spec, marker) = match trimmed.split_once(';') {
            Some((spec, marker)) => (spec.trim(), Some(marker.trim())),
            None => (trimmed.trim(), None),
        };
        let spec = match spec.strip_prefix('(') {
            Some(inner) => inner
                .strip_suffix(')')
                .ok_or("unclosed `(` of the version specifier")?
                .trim(),
            None => spec,
        };
        if spec.is_empty() {
            (None, None, marker)
        } else {
            check_specifier(spec)?;
            (Some(spec), None, marker)
        }
    };
    if marker.is_some_and(str::is_empty) {
        return Err("`;` must be followed by an environment marker".into());
    }
    Ok(Requirement {
        name,
        name_range: lead..lead + len,
        extras,
        specifier,
        url,
        marker,
    })
}

const OPERATORS: [&str; 8] = ["===", "~=", "==", "!=", "<=", ">=", "<", ">"];

/// Check that a specifier is a comma-separated list of `<operator><version>` clauses.
fn check_specifier(spec: &str) -> Result<(), String> {
    for clause in spec.split(',') {
        let clause = clause.trim();
        let Some(op) = OPERATORS.iter().find(|op| clause.starts_with(**op)) else {
            return Err(format!(
                "`{clause}` is not a version clause (`>=1.0`, `==2.*`)"
            ));
        };
        let version = clause.get(op.len()..).unwrap_or("").trim();
        let ok = !version.is_empty()
            && version.chars().all(|c| {
                c.is_ascii_alphanumeric() || matches!(c, '.' | '*' | '+' | '!' | '-' | '_')
            });
        if !ok {
            return Err(format!("`{clause}` has no valid version"));
        }
    }
    Ok(())
}

/// The version a specifier pins (`==1.2.3`, `===1.2.3`), when it is one clause naming one
/// exact version (`==1.*` does not).
pub fn pinned(spec: &str) -> Option<String> {
    let spec = spec.trim();
    if spec.contains(',') {
        return None;
    }
    let version = spec
        .strip_prefix("===")
        .or_else(|| spec.strip_prefix("=="))?
        .trim();
    let ok = !version.is_empty()
        && !version.contains('*')
        && !version.contains(char::is_whitespace)
        && version.starts_with(|c: char| c.is_ascii_alphanumeric());
    ok.then(|| version.to_string())
}

/// Where a direct reference points: a VCS (`git+…`, also `hg+`, `svn+`, `bzr+`, which the
/// model files under git: all are a repository at a mutable ref), a local path or `file:`
/// URL, or an archive URL.
pub fn source_of(reference: &str) -> PackageSource {
    let lower = reference.to_ascii_lowercase();
    if ["git+", "hg+", "svn+", "bzr+"]
        .iter()
        .any(|p| lower.starts_with(p))
        || lower.starts_with("git://")
    {
        PackageSource::Git {
            url: reference.to_string(),
        }
    } else if lower.starts_with("file:") || !lower.contains("://") {
        PackageSource::Path {
            path: reference.to_string(),
        }
    } else {
        PackageSource::Url {
            url: reference.to_string(),
        }
    }
}

/// The name and version in an archive's file name (`pkg-1.0-py3-none-any.whl`,
/// `pkg-1.0.tar.gz`) at the end of a URL or path, when it is one.
pub fn archive_name(reference: &str) -> Option<(String, String)> {
    let path = reference.split(['#', '?']).next().unwrap_or("");
    let file = path.rsplit(['/', '\\']).next().unwrap_or("");
    if let Some(stem) = file.strip_suffix(".whl") {
        // Wheel names escape `-` in the name and version as `_`, so the first two
        // dash-separated fields are exactly the name and the version.
        let mut parts = stem.split('-');
        let name = parts.next()?;
        let version = parts.next()?;
        if parts.count() < 3 || name.is_empty() || version.is_empty() {
            return None;
        }
        return Some((name.to_string(), version.to_string()));
    }
    let stem = [".tar.gz", ".zip", ".tar.bz2", ".tgz", ".tar"]
        .iter()
        .find_map(|ext| file.strip_suffix(ext))?;
    // An sdist's name may hold dashes; its version starts at the last dash before a digit.
    let (name, version) = stem.rsplit_once('-')?;
    if name.is_empty() || !version.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    Some((name.to_string(), version.to_string()))
}

/// The value of `#egg=name` (pip's way of naming a bare URL or path), with its range in
/// `reference`.
pub fn egg_name(reference: &str) -> Option<(&str, Range<usize>)> {
    let hash = reference.find('#')?;
    let fragment = reference.get(hash + 1..)?;
    let mut at = hash + 1;
    for part in fragment.split('&') {
        if let Some(value) = part.strip_prefix("egg=") {
            let start = at + 4;
            let len = name_len(value);
            return (len > 0).then(|| (value.get(..len).unwrap_or(""), start..start + len));
        }
        at += part.len() + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_name_extras_specifier_and_marker() {
        let r =
            parse("requests[socks, security] >=2.8.1, ==2.8.* ; python_version < \"2.7\"").unwrap();
        assert_eq!(r.name, "requests");
        assert_eq!(r.name_range, 0..8);
        assert_eq!(r.extras, ["socks", "security"]);
        assert_eq!(r.specifier, Some(">=2.8.1, ==2.8.*"));
        assert_eq!(r.marker, Some("python_version < \"2.7\""));
        assert_eq!(r.url, None);

        let r = parse("  name (>=1.0)").unwrap();
        assert_eq!(r.name_range, 2..6);
        assert_eq!(r.specifier, Some(">=1.0"));

        let r = parse("flask").unwrap();
        assert_eq!((r.specifier, r.marker), (None, None));
    }

    #[test]
    fn direct_references() {
        let r = parse("pip @ https://github.com/pypa/pip/archive/1.3.1.zip#sha1=da9234ee ; python_version >= \"3\"").unwrap();
        assert_eq!(
            r.url,
            Some("https://github.com/pypa/pip/archive/1.3.1.zip#sha1=da9234ee")
        );
        assert_eq!(r.marker, Some("python_version >= \"3\""));
        let r = parse("x @ git+https://h/r.git@v1;x").unwrap();
        assert_eq!(r.url, Some("git+https://h/r.git@v1;x"));
        assert!(parse("x @ ").is_err());
    }

    #[test]
    fn rejects_what_is_not_a_requirement() {
        assert!(parse("").is_err());
        assert!(parse("-foo").is_err());
        assert!(parse("foo >>> 1").is_err());
        assert!(parse("foo[bar").is_err());
        assert!(parse("foo (>=1").is_err());
        assert!(parse("foo ==").is_err());
        assert!(parse("foo ;").is_err());
    }

    #[test]
    fn pins_are_one_exact_version() {
        assert_eq!(pinned("==1.2.3").as_deref(), Some("1.2.3"));
        assert_eq!(pinned("=== 1.0-custom").as_deref(), Some("1.0-custom"));
        assert_eq!(pinned("==1.*"), None);
        assert_eq!(pinned(">=1.0"), None);
        assert_eq!(pinned("==1.0,!=1.1"), None);
    }

    #[test]
    fn names_of_archives_and_eggs() {
        assert_eq!(
            archive_name("https://h/p/Django-4.2.1-py3-none-any.whl"),
            Some(("Django".into(), "4.2.1".into()))
        );
        assert_eq!(
            archive_name("./dist/my-pkg-0.3.tar.gz#egg=my-pkg"),
            Some(("my-pkg".into(), "0.3".into()))
        );
        assert_eq!(archive_name("https://h/repo.git"), None);
        let url = "git+https://h/r.git@v1#egg=my_pkg&subdirectory=x";
        let (name, range) = egg_name(url).unwrap();
        assert_eq!(name, "my_pkg");
        assert_eq!(url.get(range), Some("my_pkg"));
        assert_eq!(egg_name("git+https://h/r.git"), None);
    }

    #[test]
    fn sources_of_references() {
        assert!(matches!(
            source_of("git+ssh://git@h/r@v1"),
            PackageSource::Git { .. }
        ));
        assert!(matches!(
            source_of("file:///tmp/x.whl"),
            PackageSource::Path { .. }
        ));
        assert!(matches!(source_of("./lib"), PackageSource::Path { .. }));
        assert!(matches!(
            source_of("https://h/x.whl"),
            PackageSource::Url { .. }
        ));
    }
}

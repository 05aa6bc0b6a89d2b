//! Python manifests and lock files: `requirements*.txt`, `Pipfile`, `Pipfile.lock`,
//! `poetry.lock`, `uv.lock`, `pyproject.toml`, and installed `*.dist-info` folders.
//!
//! Environment markers (`; python_version < "3.8"`, `extra == "aws"`) are never evaluated:
//! which interpreter and platform a function runs on is not known here, so every package is
//! kept, whatever its marker says.

mod installed;
pub mod pep508;
mod pipfile;
mod poetry;
mod pyproject;
mod requirements;
mod uv;

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::path::Path;

use palisade_model::{Ecosystem, ManifestKind, PackageHash, PackageSource};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::parse::{
    Installed, MAX_MANIFEST_BYTES, ParseError, ParseProblem, ParsedFile, ParsedPackage,
};

/// Lists longer than this in one file are cut (with a problem): no real lock file comes close.
pub(crate) const MAX_ENTRIES: usize = 200_000;

/// The kind of a Python file, from its name.
///
/// Any `*requirements*.txt` is a requirements file (`requirements-dev.txt`,
/// `test-requirements.txt`); a `constraints*.txt` is not, since it only pins packages that
/// another file declares: it is read when a requirements file includes it with `-c`.
pub fn kind_of(file_name: &str, head: &str) -> Option<ManifestKind> {
    let _ = head;
    let name = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
    match name {
        "Pipfile" => return Some(ManifestKind::Pipfile),
        "Pipfile.lock" => return Some(ManifestKind::PipfileLock),
        "poetry.lock" => return Some(ManifestKind::PoetryLock),
        "uv.lock" => return Some(ManifestKind::UvLock),
        "pyproject.toml" => return Some(ManifestKind::Pyproject),
        _ => {}
    }
    let lower = name.to_ascii_lowercase();
    (lower.ends_with(".txt") && lower.contains("requirements"))
        .then_some(ManifestKind::Requirements)
}

/// Parse one Python manifest or lock file.
pub fn parse(kind: ManifestKind, text: &str) -> Result<ParsedFile, ParseError> {
    if text.len() > MAX_MANIFEST_BYTES {
        return Err(ParseError::TooLarge {
            limit: MAX_MANIFEST_BYTES,
        });
    }
    match kind {
        ManifestKind::Requirements => Ok(requirements::parse(text)),
        ManifestKind::PipfileLock => pipfile::parse_lock(text),
        ManifestKind::Pipfile => pipfile::parse_pipfile(text),
        ManifestKind::PoetryLock => poetry::parse(text),
        ManifestKind::UvLock => uv::parse(text),
        ManifestKind::Pyproject => pyproject::parse(text),
        // Installed packages are read with `read_installed`; npm files are not Python's.
        _ => Ok(ParsedFile::new(kind)),
    }
}

/// The packages installed in a folder (`pip install -t`): its `*.dist-info` folders.
pub fn read_installed(dir: &Path) -> Installed {
    installed::read(dir)
}

pub(crate) fn normalize(name: &str) -> String {
    Ecosystem::PyPI.normalize_name(name)
}

/// A package with the fields every parser fills the same way.
pub(crate) fn package(name: &str, range: Range<usize>) -> ParsedPackage {
    ParsedPackage {
        name: name.to_string(),
        version: None,
        requirement: None,
        source: PackageSource::Registry,
        dev: false,
        direct: false,
        hashes: Vec::new(),
        install_script: false,
        range,
        key: normalize(name),
        dependencies: Vec::new(),
    }
}

/// Give every package a key unique in the file: the normalised name, then
/// `name@version`, then a counter.
pub(crate) fn assign_keys(packages: &mut [ParsedPackage]) {
    let mut taken = BTreeSet::new();
    for p in packages.iter_mut() {
        let base = normalize(&p.name);
        let mut key = base.clone();
        if taken.contains(&key)
            && let Some(v) = &p.version
        {
            key = format!("{base}@{v}");
        }
        let mut n = 2;
        while taken.contains(&key) {
            key = format!("{base}#{n}");
            n += 1;
        }
        taken.insert(key.clone());
        p.key = key;
    }
}

/// Keys of the packages per normalised name.
pub(crate) fn keys_by_name(packages: &[ParsedPackage]) -> BTreeMap<String, Vec<usize>> {
    let mut by_name: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, p) in packages.iter().enumerate() {
        by_name.entry(normalize(&p.name)).or_default().push(i);
    }
    by_name
}

/// A hash as lock files write it (`sha256:<hex>`; `sha256=<hex>` in `direct_url.json`), in
/// CycloneDX's terms; `None` for an algorithm CycloneDX does not name or hex that is not.
pub(crate) fn hash(text: &str) -> Option<PackageHash> {
    let (alg, hex) = text.trim().split_once([':', '='])?;
    let (alg, len) = match alg.to_ascii_lowercase().as_str() {
        "sha1" => ("SHA-1", 40),
        "sha256" => ("SHA-256", 64),
        "sha384" => ("SHA-384", 96),
        "sha512" => ("SHA-512", 128),
        _ => return None,
    };
    (hex.len() == len && hex.bytes().all(|b| b.is_ascii_hexdigit())).then(|| PackageHash {
        alg: alg.to_string(),
        hex: hex.to_ascii_lowercase(),
    })
}

/// Add a hash unless the package already has it.
pub(crate) fn push_hash(p: &mut ParsedPackage, h: PackageHash) {
    if !p.hashes.contains(&h) {
        p.hashes.push(h);
    }
}

pub(crate) fn problem(problems: &mut Vec<ParseProblem>, offset: usize, message: String) {
    // Bounded: a hostile file must not grow the list without end.
    if problems.len() < MAX_ENTRIES {
        problems.push(ParseProblem { offset, message });
    }
}

/// Parse a TOML document, with its syntax error placed.
pub(crate) fn toml_document(text: &str) -> Result<Spanned<DeTable<'_>>, ParseError> {
    DeTable::parse(text).map_err(|e| ParseError::Syntax {
        message: format!("invalid TOML: {}", e.message().trim()),
        offset: e.span().map_or(0, |s| s.start),
    })
}

pub(crate) fn get<'a, 'i>(table: &'a DeTable<'i>, key: &str) -> Option<&'a Spanned<DeValue<'i>>> {
    table.get(key)
}

pub(crate) fn get_str<'a>(table: &'a DeTable<'_>, key: &str) -> Option<&'a str> {
    table.get(key).and_then(|v| v.get_ref().as_str())
}

pub(crate) fn get_table<'a, 'i>(table: &'a DeTable<'i>, key: &str) -> Option<&'a DeTable<'i>> {
    table.get(key).and_then(|v| v.get_ref().as_table())
}

/// The span of a key and its value (`name = "requests"`), or of the value alone.
pub(crate) fn entry_range(table: &DeTable<'_>, key: &str) -> Option<Range<usize>> {
    let (k, v) = table.get_key_value(key)?;
    let (ks, vs) = (k.span(), v.span());
    Some(ks.start.min(vs.start)..ks.end.max(vs.end))
}

/// The `[[package]]` tables of a lock file (`poetry.lock`, `uv.lock`), each with its name and
/// the range of its `name = …` line. Entries that are not tables or have no name are problems.
pub(crate) fn lock_packages<'a, 'i>(
    root: &'a DeTable<'i>,
    problems: &mut Vec<ParseProblem>,
) -> Vec<(&'a DeTable<'i>, &'a str, Range<usize>)> {
    let entries = match get(root, "package").map(|v| v.get_ref()) {
        Some(DeValue::Array(a)) => a.iter().collect::<Vec<_>>(),
        Some(_) => {
            problem(problems, 0, "`package` is not a list of tables".into());
            Vec::new()
        }
        None => Vec::new(),
    };
    let mut out = Vec::new();
    for entry in entries.into_iter().take(MAX_ENTRIES) {
        let Some(t) = entry.get_ref().as_table() else {
            problem(
                problems,
                entry.span().start,
                "a package entry is not a table".into(),
            );
            continue;
        };
        let (Some(name), Some(range)) = (get_str(t, "name"), entry_range(t, "name")) else {
            problem(
                problems,
                entry.span().start,
                "a package entry has no name: it was skipped".into(),
            );
            continue;
        };
        out.push((t, name, range));
    }
    out
}

/// The entries of a table in the order of the file (the map is sorted by key).
pub(crate) fn entries_in_order<'a, 'i>(
    table: &'a DeTable<'i>,
) -> Vec<(
    &'a Spanned<std::borrow::Cow<'i, str>>,
    &'a Spanned<DeValue<'i>>,
)> {
    let mut entries: Vec<_> = table.iter().collect();
    entries.sort_by_key(|(k, _)| k.span().start);
    entries
}

/// Where the characters of a TOML string start in the file, when its value is the raw text
/// between its quotes (no escapes), so that ranges can point inside it.
pub(crate) fn string_content_start(text: &str, value: &Spanned<DeValue<'_>>) -> Option<usize> {
    let s = value.get_ref().as_str()?;
    let span = value.span();
    let raw = text.get(span.clone())?;
    for quote in ["\"\"\"", "'''", "\"", "'"] {
        if let Some(inner) = raw.strip_prefix(quote).and_then(|r| r.strip_suffix(quote)) {
            // A multi-line string drops the newline right after its opening quotes.
            let skip = inner.len() - inner.trim_start_matches(['\r', '\n']).len();
            let skip = if quote.len() == 3 { skip.min(2) } else { 0 };
            let inner = inner.get(skip..)?;
            return (inner == s).then_some(span.start + quote.len() + skip);
        }
    }
    None
}

/// Where a `git`/`url`/`path`/`file` table (Pipfile, poetry) says the package comes from.
pub(crate) fn table_source(table: &DeTable<'_>) -> Option<PackageSource> {
    if let Some(git) = get_str(table, "git") {
        let reference = ["ref", "rev", "tag", "branch"]
            .iter()
            .find_map(|k| get_str(table, k));
        let url = match reference {
            Some(r) => format!("{git}@{r}"),
            None => git.to_string(),
        };
        return Some(PackageSource::Git { url });
    }
    if let Some(path) = get_str(table, "path") {
        return Some(PackageSource::Path {
            path: path.to_string(),
        });
    }
    if let Some(url) = get_str(table, "url").or_else(|| get_str(table, "file")) {
        return Some(match pep508::source_of(url) {
            PackageSource::Git { .. } => PackageSource::Url {
                url: url.to_string(),
            },
            other => other,
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_from_file_names() {
        assert_eq!(
            kind_of("requirements.txt", ""),
            Some(ManifestKind::Requirements)
        );
        assert_eq!(
            kind_of("requirements-dev.txt", ""),
            Some(ManifestKind::Requirements)
        );
        assert_eq!(
            kind_of("dev-requirements.txt", ""),
            Some(ManifestKind::Requirements)
        );
        assert_eq!(kind_of("constraints.txt", ""), None);
        assert_eq!(kind_of("Pipfile", ""), Some(ManifestKind::Pipfile));
        assert_eq!(kind_of("Pipfile.lock", ""), Some(ManifestKind::PipfileLock));
        assert_eq!(kind_of("poetry.lock", ""), Some(ManifestKind::PoetryLock));
        assert_eq!(kind_of("uv.lock", ""), Some(ManifestKind::UvLock));
        assert_eq!(kind_of("pyproject.toml", ""), Some(ManifestKind::Pyproject));
        assert_eq!(kind_of("notes.txt", ""), None);
        assert_eq!(kind_of("package.json", ""), None);
    }

    #[test]
    fn hashes_in_cyclonedx_terms() {
        let hex = "a".repeat(64);
        assert_eq!(
            hash(&format!("sha256:{hex}")),
            Some(PackageHash {
                alg: "SHA-256".into(),
                hex: hex.clone()
            })
        );
        assert_eq!(
            hash(&format!("sha256={}", hex.to_uppercase())).unwrap().hex,
            hex
        );
        assert_eq!(hash("md5:abc"), None);
        assert_eq!(hash("sha256:xyz"), None);
    }

    #[test]
    fn keys_are_unique() {
        let mut ps = vec![
            package("Foo", 0..0),
            package("foo", 0..0),
            package("foo", 0..0),
        ];
        ps[1].version = Some("1.0".into());
        assign_keys(&mut ps);
        let keys: Vec<_> = ps.iter().map(|p| p.key.as_str()).collect();
        assert_eq!(keys, ["foo", "foo@1.0", "foo#2"]);
    }

    #[test]
    fn string_contents_are_located() {
        let text = "a = \"x>=1\"\nb = 'y'\nc = \"e\\u0041\"\n";
        let doc = toml_document(text).unwrap();
        let at = string_content_start(text, doc.get_ref().get("a").unwrap()).unwrap();
        assert_eq!(text.get(at..at + 4), Some("x>=1"));
        let at = string_content_start(text, doc.get_ref().get("b").unwrap()).unwrap();
        assert_eq!(text.get(at..at + 1), Some("y"));
        assert_eq!(
            string_content_start(text, doc.get_ref().get("c").unwrap()),
            None
        );
    }
}

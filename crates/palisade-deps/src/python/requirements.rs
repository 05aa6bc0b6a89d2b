//! `requirements.txt` as pip reads it: one requirement or option per logical line (lines
//! ending in `\` continue on the next), `#` comments, `-r`/`-c` includes, `-e` editables,
//! `--hash` options, direct references and bare URLs named with `#egg=`.

use std::ops::Range;

use palisade_model::{ManifestKind, PackageSource};

use super::{MAX_ENTRIES, assign_keys, hash, package, pep508, problem, push_hash};
use crate::parse::{Include, ParsedFile, ParsedPackage};

/// A line as pip sees it after joining continuations, with where each piece came from.
struct Logical {
    text: String,
    /// `(offset in text, offset in the file)` of each joined piece, in order.
    pieces: Vec<(usize, usize)>,
}

impl Logical {
    /// The file offset of an offset in the logical line.
    fn at(&self, offset: usize) -> usize {
        let (logical, file) = self
            .pieces
            .iter()
            .rev()
            .find(|(l, _)| *l <= offset)
            .copied()
            .unwrap_or((0, 0));
        file + (offset - logical)
    }

    fn range(&self, r: Range<usize>) -> Range<usize> {
        let start = self.at(r.start);
        // A name never spans a continuation, so its end is on the same piece.
        start..start + (r.end - r.start)
    }
}

/// Whether a physical line is a comment (pip: `#` at the start or after whitespace).
fn is_comment(line: &str) -> bool {
    line.trim_start().starts_with('#')
}

/// Logical lines, as pip's `join_lines`: a line ending in `\` continues on the next one,
/// unless it is a comment.
fn logical_lines(text: &str) -> Vec<Logical> {
    let mut out = Vec::new();
    let mut current: Option<Logical> = None;
    let mut offset = 0;
    for raw in text.split_inclusive('\n') {
        let start = offset;
        offset += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        let continues = line.ends_with('\\') && !is_comment(line);
        let piece = if continues {
            line.get(..line.len() - 1).unwrap_or("")
        } else {
            line
        };
        let logical = current.get_or_insert_with(|| Logical {
            text: String::new(),
            pieces: Vec::new(),
        });
        if is_comment(piece) && !logical.text.is_empty() {
            // A comment line inside a continuation ends it (pip drops the comment).
            if let Some(done) = current.take() {
                out.push(done);
            }
            continue;
        }
        logical.pieces.push((logical.text.len(), start));
        logical.text.push_str(piece);
        if !continues && let Some(done) = current.take() {
            out.push(done);
        }
    }
    if let Some(done) = current.take() {
        out.push(done);
    }
    out
}

/// The text before a comment: `#` at the start or after whitespace.
fn strip_comment(line: &str) -> &str {
    let bytes = line.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        if *b == b'#' && (i == 0 || bytes.get(i - 1).is_some_and(u8::is_ascii_whitespace)) {
            return line.get(..i).unwrap_or("");
        }
    }
    line
}

/// Whitespace-separated tokens with their offsets.
fn tokens(s: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in s.char_indices() {
        match (c.is_whitespace(), start) {
            (true, Some(st)) => {
                out.push((st, s.get(st..i).unwrap_or("")));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(st) = start {
        out.push((st, s.get(st..).unwrap_or("")));
    }
    out
}

/// Options that take a value and change only where or how pip downloads: skipped.
const IGNORED_WITH_VALUE: [&str; 14] = [
    "-i",
    "--index-url",
    "--extra-index-url",
    "-f",
    "--find-links",
    "--trusted-host",
    "--no-binary",
    "--only-binary",
    "--use-feature",
    "--config-settings",
    "--global-option",
    "--install-option",
    "--progress-bar",
    "--platform",
];
const IGNORED_FLAGS: [&str; 5] = [
    "--pre",
    "--no-index",
    "--prefer-binary",
    "--require-hashes",
    "--no-deps",
];

pub fn parse(text: &str) -> ParsedFile {
    let mut file = ParsedFile::new(ManifestKind::Requirements);
    for line in logical_lines(text) {
        if file.packages.len() >= MAX_ENTRIES {
            problem(
                &mut file.problems,
                line.at(0),
                format!("more than {MAX_ENTRIES} requirements: the rest was not read"),
            );
            break;
        }
        let content = strip_comment(&line.text);
        let toks = tokens(content);
        let Some(&(first_at, first)) = toks.first() else {
            continue;
        };
        if first.starts_with('-') {
            option_line(&mut file, &line, content, &toks);
        } else {
            // pip splits a requirement from its options at the first token that starts
            // with `-`.
            let end = toks
                .iter()
                .find(|(_, t)| t.starts_with('-'))
                .map_or(content.len(), |(at, _)| *at);
            let req = content.get(first_at..end).unwrap_or("").trim_end();
            let options: Vec<_> = toks.iter().filter(|(at, _)| *at >= end).copied().collect();
            if let Some(mut p) = requirement(&mut file, &line, req, first_at, false) {
                per_requirement_options(&mut file, &line, &mut p, &options);
                file.packages.push(p);
            }
        }
    }
    assign_keys(&mut file.packages);
    file
}

/// The value of an option: `--opt=value`, `--opt value`, or `-rvalue` for short options.
fn option_value<'a>(
    toks: &[(usize, &'a str)],
    i: usize,
    name: &str,
) -> Option<(usize, &'a str, usize)> {
    let &(at, tok) = toks.get(i)?;
    if let Some(v) = tok.strip_prefix(name) {
        if let Some(v) = v.strip_prefix('=') {
            return Some((at + name.len() + 1, v, 1));
        }
        if !v.is_empty() && !name.starts_with("--") {
            return Some((at + name.len(), v, 1));
        }
        if v.is_empty() {
            let &(vat, v) = toks.get(i + 1)?;
            return Some((vat, v, 2));
        }
    }
    None
}

fn matches_option(tok: &str, name: &str) -> bool {
    match tok.strip_prefix(name) {
        Some("") => true,
        Some(rest) => rest.starts_with('=') || !name.starts_with("--"),
        None => false,
    }
}

/// A line that starts with an option.
fn option_line(file: &mut ParsedFile, line: &Logical, content: &str, toks: &[(usize, &str)]) {
    let Some(&(at, first)) = toks.first() else {
        return;
    };
    for (name, constraints) in [
        ("--requirement", false),
        ("-r", false),
        ("--constraint", true),
        ("-c", true),
    ] {
        if matches_option(first, name) {
            match option_value(toks, 0, name) {
                Some((vat, path, _)) => file.includes.push(Include {
                    path: path.to_string(),
                    constraints,
                    range: line.range(vat..vat + path.len()),
                }),
                None => problem(
                    &mut file.problems,
                    line.at(at),
                    format!("{name} needs a file"),
                ),
            }
            return;
        }
    }
    for name in ["--editable", "-e"] {
        if matches_option(first, name) {
            match option_value(toks, 0, name) {
                Some((vat, _, used)) => {
                    // The rest of the line after the editable's value may carry options.
                    let value = content.get(vat..).unwrap_or("");
                    let end = toks
                        .iter()
                        .skip(used)
                        .find(|(_, t)| t.starts_with('-'))
                        .map_or(content.len(), |(a, _)| *a);
                    let reference = content.get(vat..end.max(vat)).unwrap_or(value).trim_end();
                    if let Some(mut p) = requirement(file, line, reference, vat, true) {
                        let options: Vec<_> =
                            toks.iter().filter(|(a, _)| *a >= end).copied().collect();
                        per_requirement_options(file, line, &mut p, &options);
                        file.packages.push(p);
                    }
                }
                None => problem(
                    &mut file.problems,
                    line.at(at),
                    format!("{name} needs a path or URL"),
                ),
            }
            return;
        }
    }
    let known = IGNORED_FLAGS.contains(&first)
        || IGNORED_WITH_VALUE.iter().any(|o| matches_option(first, o));
    if !known {
        problem(
            &mut file.problems,
            line.at(at),
            format!("unknown option {first}: the line was skipped"),
        );
    }
}

/// Options after a requirement: `--hash` is kept, install options are skipped.
fn per_requirement_options(
    file: &mut ParsedFile,
    line: &Logical,
    p: &mut ParsedPackage,
    toks: &[(usize, &str)],
) {
    let mut i = 0;
    while let Some(&(at, tok)) = toks.get(i) {
        if matches_option(tok, "--hash") {
            let Some((vat, value, used)) = option_value(toks, i, "--hash") else {
                problem(
                    &mut file.problems,
                    line.at(at),
                    "--hash needs a value".into(),
                );
                return;
            };
            match hash(value) {
                Some(h) => push_hash(p, h),
                None => problem(
                    &mut file.problems,
                    line.at(vat),
                    format!("`{value}` is not a sha256, sha384 or sha512 hash in hex"),
                ),
            }
            i += used;
        } else if let Some(name) = [
            "--config-settings",
            "--global-option",
            "--install-option",
            "-C",
        ]
        .iter()
        .find(|n| matches_option(tok, n))
        {
            i += option_value(toks, i, name).map_or(1, |(_, _, used)| used);
        } else {
            problem(
                &mut file.problems,
                line.at(at),
                format!("unknown option {tok} after a requirement: it was ignored"),
            );
            i += 1;
        }
    }
}

/// Whether a requirement that is not PEP 508 is a bare URL or path (`./pkg`,
/// `https://…/x.whl`, `git+https://…#egg=x`).
fn is_reference(s: &str) -> bool {
    s.contains("://")
        || s.contains('/')
        || s.contains('\\')
        || s.starts_with('.')
        || s.starts_with('~')
        || s.starts_with("file:")
}

/// A requirement (`at` is its offset in the logical line); problems are recorded.
fn requirement(
    file: &mut ParsedFile,
    line: &Logical,
    req: &str,
    at: usize,
    editable: bool,
) -> Option<ParsedPackage> {
    let parsed = pep508::parse(req);
    // `pkg-1.0-py3-none-any.whl` alone parses as a name: pip reads it as a file.
    let bare_archive = parsed
        .as_ref()
        .is_ok_and(|r| r.url.is_none() && r.specifier.is_none() && r.marker.is_none())
        && pep508::archive_name(req).is_some();
    match parsed {
        Ok(r) if !bare_archive => {
            let range = at + r.name_range.start..at + r.name_range.end;
            let mut p = package(r.name, line.range(range));
            p.direct = true;
            if let Some(url) = r.url {
                p.source = pep508::source_of(url);
                if !matches!(p.source, PackageSource::Git { .. }) {
                    p.version = pep508::archive_name(url).map(|(_, v)| v);
                }
            }
            if let Some(spec) = r.specifier {
                p.requirement = Some(spec.to_string());
                p.version = pep508::pinned(spec);
            }
            Some(p)
        }
        Err(why) if !is_reference(req) => {
            problem(
                &mut file.problems,
                line.at(at),
                format!("`{req}` is not a requirement: {why}"),
            );
            None
        }
        _ => reference(file, line, req, at, editable),
    }
}

/// A bare URL or path, named by its `#egg=` fragment or its archive's file name.
fn reference(
    file: &mut ParsedFile,
    line: &Logical,
    req: &str,
    at: usize,
    editable: bool,
) -> Option<ParsedPackage> {
    let source = pep508::source_of(req);
    let archive = pep508::archive_name(req);
    let (name, range, version) = if let Some((name, range)) = pep508::egg_name(req) {
        let version = archive.map(|(_, v)| v);
        (name.to_string(), at + range.start..at + range.end, version)
    } else if let Some((name, version)) = archive {
        (name, at..at + req.len(), Some(version))
    } else {
        problem(
            &mut file.problems,
            line.at(at),
            format!(
                "{}`{req}` does not name its package (no `#egg=`, not an archive): it was \
                 skipped",
                if editable {
                    "the editable install "
                } else {
                    ""
                }
            ),
        );
        return None;
    };
    let mut p = package(&name, line.range(range));
    // A repository's ref is not a version; an archive's file name states one.
    if !matches!(source, PackageSource::Git { .. }) {
        p.version = version;
    }
    p.source = source;
    p.direct = true;
    Some(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continuations_map_back_to_the_file() {
        let text = "a==1 \\\n  --hash=sha256:x\n# c \\\nb\n";
        let lines = logical_lines(text);
        assert_eq!(lines.len(), 3);
        let first = lines.first().unwrap();
        assert_eq!(first.text, "a==1   --hash=sha256:x");
        let at = first.text.find("--hash").unwrap();
        assert_eq!(text.get(first.at(at)..first.at(at) + 6), Some("--hash"));
    }

    #[test]
    fn comments_need_whitespace_before_them() {
        assert_eq!(strip_comment("a==1 # pinned"), "a==1 ");
        assert_eq!(
            strip_comment("git+https://h/r#egg=x"),
            "git+https://h/r#egg=x"
        );
        assert_eq!(strip_comment("# all"), "");
    }

    #[test]
    fn options_and_their_values() {
        let toks = tokens("-rbase.txt --hash sha256:a --requirement=x.txt");
        assert_eq!(option_value(&toks, 0, "-r").map(|v| v.1), Some("base.txt"));
        assert_eq!(
            option_value(&toks, 1, "--hash").map(|v| (v.1, v.2)),
            Some(("sha256:a", 2))
        );
        assert_eq!(
            option_value(&toks, 3, "--requirement").map(|v| v.1),
            Some("x.txt")
        );
        assert!(!matches_option("--hashes", "--hash"));
        assert!(matches_option("-rfile", "-r"));
    }
}

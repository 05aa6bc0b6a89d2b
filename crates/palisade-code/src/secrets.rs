//! Hard-coded secrets in handler source: a text scan, the same for Python, JavaScript and
//! TypeScript, that needs no parse.
//!
//! Two passes over the text, each one regex:
//!
//! 1. **Known formats** (high confidence): AWS access key ids, private key blocks, GitHub, Slack,
//!    Stripe and Google keys, Slack webhooks, JSON Web Tokens. All are joined into one regex
//!    whose literal prefixes (`AKIA`, `ghp_`, `eyJ`, ...) let the regex crate skip ahead with a
//!    SIMD prefilter; the few checks a regex cannot make (exact lengths, a key body after a
//!    `BEGIN` line, placeholders) run on each match.
//! 2. **Assignments** of string literals to secret-sounding names (`password = "..."`,
//!    `apiKey: '...'`, `"client_secret": "..."`). A 40-character base64 value assigned to a
//!    `secret` name within [`AWS_PAIR_LINES`] lines of an AWS access key id is an AWS secret
//!    access key; any other value is a `generic-secret` (lower confidence) when it is
//!    [`GENERIC_MIN_LEN`]..=[`GENERIC_MAX_LEN`] characters long, has no whitespace, is not a
//!    placeholder or a word-like identifier, and has at least [`GENERIC_MIN_ENTROPY`] bits of
//!    Shannon entropy per character.
//!
//! Kinds: `aws-access-key-id`, `aws-secret-access-key`, `private-key`, `github-token`,
//! `slack-token`, `slack-webhook`, `stripe-live-key`, `google-api-key`, `jwt`, and
//! [`GENERIC_KIND`]. Placeholders (`changeme`, `xxx…`, `<...>`, `${...}`, `{{...}}`, environment
//! lookups, `example`, `dummy`, `test`, one repeated character) and values published in vendor
//! documentation (`AKIAIOSFODNN7EXAMPLE`) are never reported.
//!
//! A hit's message never shows the secret: at most its first four characters, then `…`.

use std::sync::LazyLock;

use regex::{Match, Regex};

use crate::ir::Range;

/// At most this many hits per file: past that, the file is full of keys (a fixture, a dump) and
/// more findings add nothing.
pub const MAX_HITS: usize = 100;

/// The generic rule skips lines longer than this many characters: minified bundles are dense
/// with short high-entropy strings under names like `token`, and nobody reviews them line by line.
/// The known formats are still looked for there.
pub const MAX_GENERIC_LINE_CHARS: usize = 10_000;

/// The generic rule's entropy threshold, in bits per character. A string of `n` distinct
/// characters has `log2(n)` bits per character, so at the minimum length of 8 only strings with
/// no repeated character pass (`password` has 2.75, `P@ssw0rd` 3.0, a random base64 key about
/// 4.5 to 5.5).
pub const GENERIC_MIN_ENTROPY: f64 = 3.0;

/// Shortest value (in characters) the generic rule reports.
pub const GENERIC_MIN_LEN: usize = 8;

/// Longest value (in characters) the generic rule reports: longer strings under a secret's name
/// are certificates, key blobs or prose, and the format rules cover the keys among them.
pub const GENERIC_MAX_LEN: usize = 200;

/// An AWS secret access key is reported as such when an access key id is at most this many
/// lines away from it (the two are written together: `aws_access_key_id=..., aws_secret_...`).
pub const AWS_PAIR_LINES: usize = 10;

/// The kind of a hit from the name-and-entropy heuristic.
pub const GENERIC_KIND: &str = "generic-secret";

/// A secret found in source text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecretHit {
    /// The secret's bytes in the text (inside the quotes for a string literal).
    pub range: Range,
    /// A short stable id: `aws-access-key-id`, `github-token`, `generic-secret`, ...
    pub kind: &'static str,
    /// What was found, showing at most the first four characters of the secret.
    pub message: String,
}

impl SecretHit {
    /// Whether the hit comes from the name-and-entropy heuristic rather than a known key
    /// format: such hits deserve a lower confidence.
    pub fn is_generic(&self) -> bool {
        self.kind == GENERIC_KIND
    }
}

/// Finds hard-coded secrets in `text`, in the order they appear, at most [`MAX_HITS`].
///
/// Each pass stops at its own [`MAX_HITS`]; the first [`MAX_HITS`] of all are among those. (An
/// assignment is checked against the format hits found so far, which is enough: a format hit
/// past the cap lies past every hit kept. The one approximation: a secret just before the cap
/// whose access key id lies past it is reported as generic rather than as an AWS secret.)
pub fn find_secrets(text: &str) -> Vec<SecretHit> {
    let mut hits = format_hits(text);
    let aws_ids: Vec<usize> = hits
        .iter()
        .filter(|h| h.kind == AWS_ID_KIND)
        .map(|h| h.range.start as usize)
        .collect();
    let assigned = assignment_hits(text, &hits, &aws_ids);
    hits.extend(assigned);
    hits.sort_by(|a, b| {
        (a.range.start, a.range.end, a.kind).cmp(&(b.range.start, b.range.end, b.kind))
    });
    hits.truncate(MAX_HITS);
    hits
}

/// Shannon entropy of `s`, in bits per character (0 for the empty string).
pub fn entropy(s: &str) -> f64 {
    let mut ascii = [0usize; 128];
    let mut other: Vec<(char, usize)> = Vec::new();
    let mut total = 0usize;
    for c in s.chars() {
        total += 1;
        if let Some(n) = ascii.get_mut(c as usize) {
            *n += 1;
        } else if let Some((_, n)) = other.iter_mut().find(|(o, _)| *o == c) {
            *n += 1;
        } else {
            other.push((c, 1));
        }
    }
    if total == 0 {
        return 0.0;
    }
    let total = total as f64;
    ascii
        .iter()
        .copied()
        .chain(other.iter().map(|(_, n)| *n))
        .filter(|&n| n > 0)
        .map(|n| {
            let p = n as f64 / total;
            -p * p.log2()
        })
        .sum()
}

// ---------------------------------------------------------------------------------------------
// Pass 1: known formats.

const AWS_ID_KIND: &str = "aws-access-key-id";

/// A known key format. The patterns have no capturing groups: they are joined into one regex in
/// which group `i + 1` is format `i`.
struct Format {
    kind: &'static str,
    pattern: &'static str,
    /// Checks what the regex cannot, and returns the end of the secret (a match may grow, as a
    /// private key's `BEGIN` line grows to its `END` line) and the message.
    check: fn(&str, Match<'_>) -> Option<(usize, String)>,
}

// Shapes from the issuers' documentation (AWS IAM "unique identifiers", GitHub "About
// authentication" token prefixes, Slack "token types", Stripe "API keys", Google Cloud "API
// keys", RFC 7519) as commonly encoded by scanners such as gitleaks; the patterns are our own.
// `(?-u:\b)` is an ASCII word boundary, which the lazy DFA handles; a Unicode one would push
// the regex crate onto a much slower engine.
const FORMATS: &[Format] = &[
    Format {
        kind: AWS_ID_KIND,
        pattern: r"(?-u:\b)(?:AKIA|ASIA)[A-Z0-9]{16}(?-u:\b)",
        check: check_aws_id,
    },
    Format {
        kind: "private-key",
        pattern: r"-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----",
        check: check_private_key,
    },
    Format {
        kind: "github-token",
        pattern: r"(?-u:\b)(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,})(?-u:\b)",
        check: check_github,
    },
    Format {
        kind: "slack-token",
        pattern: r"(?-u:\b)xox[abprs]-[0-9]+-[A-Za-z0-9-]+",
        check: check_slack_token,
    },
    Format {
        kind: "slack-webhook",
        pattern: r"https://hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9_/+-]+",
        check: check_slack_webhook,
    },
    Format {
        kind: "stripe-live-key",
        pattern: r"(?-u:\b)[rs]k_live_[A-Za-z0-9]{20,}(?-u:\b)",
        check: check_stripe,
    },
    Format {
        kind: "google-api-key",
        // The key's alphabet has `-`, so `\b` cannot end it: the check looks at the next byte.
        pattern: r"(?-u:\b)AIza[A-Za-z0-9_-]{35}",
        check: check_google,
    },
    Format {
        kind: "jwt",
        pattern: r"(?-u:\b)eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}",
        check: check_jwt,
    },
];

/// Values published in documentation, which code copies into samples and tests: never reported.
const DOC_EXAMPLES: &[&str] = &[
    // AWS IAM user guide, "Managing access keys".
    "AKIAIOSFODNN7EXAMPLE",
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    // The signature of the token jwt.io shows by default.
    "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
    // Slack's incoming-webhook documentation.
    "T00000000/B00000000/",
];

static FORMATS_RE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    let joined: Vec<String> = FORMATS.iter().map(|f| format!("({})", f.pattern)).collect();
    Regex::new(&joined.join("|")).ok()
});

fn format_hits(text: &str) -> Vec<SecretHit> {
    let mut hits: Vec<SecretHit> = Vec::new();
    let Some(re) = FORMATS_RE.as_ref() else {
        return hits;
    };
    let mut covered_to = 0;
    for caps in re.captures_iter(text) {
        let Some((i, m)) = caps
            .iter()
            .skip(1)
            .enumerate()
            .find_map(|(i, g)| g.map(|m| (i, m)))
        else {
            continue;
        };
        // Matches come in order; a private key block may have grown over later ones.
        if m.start() < covered_to {
            continue;
        }
        let Some(format) = FORMATS.get(i) else {
            continue;
        };
        let Some((end, message)) = (format.check)(text, m) else {
            continue;
        };
        covered_to = end;
        hits.push(SecretHit {
            range: Range::new(m.start(), end),
            kind: format.kind,
            message,
        });
        if hits.len() == MAX_HITS {
            break;
        }
    }
    hits
}

fn check_aws_id(_: &str, m: Match<'_>) -> Option<(usize, String)> {
    let id = m.as_str();
    if is_placeholder(id) {
        return None;
    }
    let what = if id.starts_with("ASIA") {
        "temporary AWS access key id (STS)"
    } else {
        "AWS access key id"
    };
    Some((m.end(), format!("{what} `{}`", preview(id))))
}

/// A `BEGIN ... PRIVATE KEY` line is a key only when key material follows it; the hit then
/// spans to the `END` line when there is one nearby.
fn check_private_key(text: &str, m: Match<'_>) -> Option<(usize, String)> {
    const BODY_WINDOW: usize = 512;
    const END_WINDOW: usize = 16 * 1024;
    let bytes = text.as_bytes();
    let body = bytes.get(m.end()..bytes.len().min(m.end() + BODY_WINDOW))?;
    let longest_run = body
        .split(|b| !(b.is_ascii_alphanumeric() || *b == b'+' || *b == b'/'))
        .filter_map(|run| std::str::from_utf8(run).ok())
        .max_by_key(|run| run.len())?;
    if longest_run.len() < 40 || is_placeholder(longest_run) {
        return None;
    }
    let after = bytes.get(m.end()..bytes.len().min(m.end() + END_WINDOW))?;
    let end = after
        .windows(8)
        .position(|w| w == b"-----END")
        .and_then(|at| {
            let tail_from = at + 8;
            let tail = after.get(tail_from..after.len().min(tail_from + 64))?;
            let close = tail.windows(5).position(|w| w == b"-----")?;
            Some(m.end() + tail_from + close + 5)
        })
        .unwrap_or(m.end());
    let label = m
        .as_str()
        .trim_start_matches("-----BEGIN ")
        .trim_end_matches('-');
    Some((end, format!("private key block ({label})")))
}

fn check_github(_: &str, m: Match<'_>) -> Option<(usize, String)> {
    let token = m.as_str();
    if token.len() > 255 || is_placeholder(token) {
        return None;
    }
    let what = match token.get(..4) {
        Some("ghp_") => "GitHub personal access token",
        Some("gho_") => "GitHub OAuth access token",
        Some("ghu_") => "GitHub App user-to-server token",
        Some("ghs_") => "GitHub App installation token",
        Some("ghr_") => "GitHub refresh token",
        _ => "GitHub fine-grained personal access token",
    };
    Some((m.end(), format!("{what} `{}`", preview(token))))
}

fn check_slack_token(_: &str, m: Match<'_>) -> Option<(usize, String)> {
    let token = m.as_str();
    if !(24..=255).contains(&token.len()) || is_placeholder(token) {
        return None;
    }
    Some((m.end(), format!("Slack token `{}`", preview(token))))
}

fn check_slack_webhook(_: &str, m: Match<'_>) -> Option<(usize, String)> {
    let url = m.as_str();
    let path = url.splitn(5, '/').nth(4).unwrap_or_default();
    if path.len() < 20 || is_placeholder(path) {
        return None;
    }
    Some((m.end(), format!("Slack webhook URL `{}`", preview(url))))
}

fn check_stripe(_: &str, m: Match<'_>) -> Option<(usize, String)> {
    let key = m.as_str();
    if key.len() > 255 || is_placeholder(key) {
        return None;
    }
    let what = if key.starts_with('r') {
        "Stripe live restricted key"
    } else {
        "Stripe live secret key"
    };
    Some((m.end(), format!("{what} `{}`", preview(key))))
}

fn check_google(text: &str, m: Match<'_>) -> Option<(usize, String)> {
    let longer = text
        .as_bytes()
        .get(m.end())
        .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_' || *b == b'-');
    if longer || is_placeholder(m.as_str()) {
        return None;
    }
    Some((m.end(), format!("Google API key `{}`", preview(m.as_str()))))
}

fn check_jwt(_: &str, m: Match<'_>) -> Option<(usize, String)> {
    if is_placeholder(m.as_str()) {
        return None;
    }
    Some((m.end(), format!("JSON Web Token `{}`", preview(m.as_str()))))
}

// ---------------------------------------------------------------------------------------------
// Pass 2: string literals assigned to secret-sounding names.

/// Name, optional closing quote or bracket of a key (`"name":`, `["name"] =`), optional type
/// annotation (`password: str =`), the operator, an optional Python string prefix, the literal.
/// Only the name's keyword is case-insensitive, and only for ASCII: the workspace's regex has no
/// Unicode case tables, and the lazy DFA stays fast with ASCII classes.
///
/// No capturing groups: resolving them costs microseconds a match, and code has many string
/// assignments to names like `token_type`. [`split_assignment`] takes a match apart instead.
const ASSIGNMENT: &str = concat!(
    r"[A-Za-z0-9_$.\-]*",
    r"(?i-u:secret|passw(?:or)?d|pwd|token|api[_\-]?key|private[_\-]?key)",
    r"[A-Za-z0-9_$.\-]*",
    r#"["']?\]?"#,
    r"(?:[ \t]*:[ \t]*[A-Za-z_][A-Za-z0-9_.<>\[\]|]*)?",
    r"[ \t]*(?::=|=|:)[ \t]*",
    r"[rRbBuU]{0,2}",
    r#"(?:"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`(?:[^`\\\n]|\\.)*`)"#,
);

static ASSIGNMENT_RE: LazyLock<Option<Regex>> = LazyLock::new(|| Regex::new(ASSIGNMENT).ok());

/// Words that make a name a secret's name, lowercase. `jwt_secret` and `client_secret` are
/// covered by `secret`. `secret` comes first: [`secret_keyword`] returns the first that fits, and
/// the AWS pairing asks for it.
const KEYWORDS: &[&str] = &[
    "secret",
    "password",
    "passwd",
    "pwd",
    "token",
    "apikey",
    "api_key",
    "api-key",
    "privatekey",
    "private_key",
    "private-key",
];

/// Words that, after the keyword, make the name the name of something about the secret rather
/// than the secret: `secret_name`, `tokenUrl`, `password_field`, `api_key_id`, `token_sha256`.
const POINTER_WORDS: &[&str] = &[
    "alg",
    "algorithm",
    "arn",
    "bucket",
    "checksum",
    "count",
    "digest",
    "endpoint",
    "env",
    "expires",
    "expiry",
    "expiration",
    "field",
    "file",
    "format",
    "hash",
    "header",
    "hint",
    "host",
    "id",
    "ids",
    "issuer",
    "label",
    "len",
    "length",
    "location",
    "md5",
    "name",
    "names",
    "param",
    "parameter",
    "path",
    "pattern",
    "placeholder",
    "policy",
    "prefix",
    "ref",
    "regex",
    "region",
    "sha1",
    "sha256",
    "sha512",
    "size",
    "ssm",
    "table",
    "ttl",
    "type",
    "uri",
    "url",
    "var",
    "version",
];

fn assignment_hits(text: &str, formats: &[SecretHit], aws_ids: &[usize]) -> Vec<SecretHit> {
    let mut hits = Vec::new();
    let Some(re) = ASSIGNMENT_RE.as_ref() else {
        return hits;
    };
    let mut line = LineCache::default();
    for m in re.find_iter(text) {
        let Some((name, (start, end))) = split_assignment(m.as_str()) else {
            continue;
        };
        let Some(keyword) = secret_keyword(name) else {
            continue;
        };
        let (start, end) = (m.start() + start, m.start() + end);
        if overlaps(formats, start, end) {
            continue;
        }
        let Some(v) = text.get(start..end) else {
            continue;
        };
        let hit = if keyword == "secret"
            && is_aws_secret_shape(v)
            && !is_placeholder(v)
            && near_any(text, aws_ids, start)
        {
            SecretHit {
                range: Range::new(start, end),
                kind: "aws-secret-access-key",
                message: format!(
                    "AWS secret access key `{}` next to an access key id",
                    preview(v)
                ),
            }
        } else {
            let Some(bits) = generic_value(v) else {
                continue;
            };
            if line.is_long(text, start) {
                continue;
            }
            SecretHit {
                range: Range::new(start, end),
                kind: GENERIC_KIND,
                message: format!(
                    "`{}` is assigned what looks like a hard-coded secret `{}` \
                     ({bits:.1} bits of entropy per character)",
                    name,
                    preview(v)
                ),
            }
        };
        hits.push(hit);
        if hits.len() == MAX_HITS {
            break;
        }
    }
    hits
}

/// The name and the literal's content (without its quotes, relative to the match) of a match of
/// [`ASSIGNMENT`].
///
/// The name is the match's leading run of name characters: nothing that may follow the name in
/// the pattern is one. The literal is the match's tail, from its closing quote back to the
/// nearest same quote not escaped: in the literal, a quote is always preceded by an odd run of
/// backslashes (the last of them escapes it, the others pair up), and what precedes the opening
/// quote (an operator, a blank, a string prefix) is never a backslash.
fn split_assignment(m: &str) -> Option<(&str, (usize, usize))> {
    let name_len = m
        .bytes()
        .position(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'_' | b'$' | b'.' | b'-')))
        .unwrap_or(m.len());
    let bytes = m.as_bytes();
    let close = m.len().checked_sub(1)?;
    let quote = *bytes.get(close)?;
    let open = (name_len..close).rev().find(|&i| {
        bytes.get(i) == Some(&quote)
            && bytes
                .get(..i)
                .unwrap_or_default()
                .iter()
                .rev()
                .take_while(|&&b| b == b'\\')
                .count()
                % 2
                == 0
    })?;
    Some((m.get(..name_len)?, (open + 1, close)))
}

/// The keyword that makes `name` a secret's name, if any. Only the last dotted segment counts
/// (`self.api_key`, not `secrets.db_host`); the keyword must end a word (`token`, `apiToken`,
/// `TOKEN_2`, not `tokenizer` or `TOKENIZER`) and must not be followed by a pointer word.
fn secret_keyword(name: &str) -> Option<&'static str> {
    // Name characters are ASCII: byte windows are characters.
    let segment = name.rsplit('.').next().unwrap_or(name).as_bytes();
    KEYWORDS.iter().copied().find(|kw| {
        segment
            .windows(kw.len())
            .enumerate()
            .filter(|(_, found)| found.eq_ignore_ascii_case(kw.as_bytes()))
            .any(|(at, found)| {
                let end = at + kw.len();
                let ends_word = match segment.get(end) {
                    None => true,
                    Some(c) if c.is_ascii_lowercase() => false,
                    // `apiTokenId` starts a word at `I`; `TOKENIZER` does not.
                    Some(c) if c.is_ascii_uppercase() => found.iter().any(u8::is_ascii_lowercase),
                    Some(_) => true,
                };
                ends_word && !has_pointer_word(segment.get(end..).unwrap_or_default())
            })
    })
}

/// Whether any word of `rest` (split at anything but ASCII letters and digits, and where a
/// capital follows a small letter or a digit) is a pointer word.
fn has_pointer_word(rest: &[u8]) -> bool {
    let is_pointer = |word: &[u8]| {
        POINTER_WORDS
            .iter()
            .any(|p| word.eq_ignore_ascii_case(p.as_bytes()))
    };
    rest.split(|c| !c.is_ascii_alphanumeric()).any(|piece| {
        let mut start = 0;
        for at in 1..=piece.len() {
            let split = match (piece.get(at - 1), piece.get(at)) {
                (_, None) => true,
                (Some(p), Some(c)) => {
                    c.is_ascii_uppercase() && (p.is_ascii_lowercase() || p.is_ascii_digit())
                }
                (None, Some(_)) => false,
            };
            if split {
                if is_pointer(piece.get(start..at).unwrap_or_default()) {
                    return true;
                }
                start = at;
            }
        }
        false
    })
}

/// The generic rule's test of a value: its entropy when it is reportable.
fn generic_value(v: &str) -> Option<f64> {
    let chars = v.chars().count();
    if !(GENERIC_MIN_LEN..=GENERIC_MAX_LEN).contains(&chars)
        || v.chars().any(char::is_whitespace)
        || is_placeholder(v)
        || looks_like_identifier(v)
        || looks_like_location(v)
    {
        return None;
    }
    let bits = entropy(v);
    (bits >= GENERIC_MIN_ENTROPY).then_some(bits)
}

/// Letters only (with `_`, `-`, `.` between words) and at most four changes of case: a word or
/// an identifier (`passwordInput`, `ACCESS_TOKEN`, `Contraseña`), not a key. Random keys of
/// letters alone are rare (API keys nearly always have digits), so missing them costs little.
fn looks_like_identifier(v: &str) -> bool {
    if !v
        .chars()
        .all(|c| c.is_alphabetic() || matches!(c, '_' | '-' | '.'))
    {
        return false;
    }
    if v.contains(['_', '-', '.']) {
        return true;
    }
    let changes = v
        .chars()
        .zip(v.chars().skip(1))
        .filter(|(a, b)| a.is_uppercase() != b.is_uppercase())
        .count();
    changes <= 4
}

/// A URL without credentials, or a file path: where a secret is, not what it is.
fn looks_like_location(v: &str) -> bool {
    (v.contains("://") && !v.contains('@'))
        || ((v.starts_with('/') || v.starts_with("./") || v.starts_with("../"))
            && v.matches('/').count() >= 2)
}

/// 40 characters of base64: the shape of an AWS secret access key.
fn is_aws_secret_shape(v: &str) -> bool {
    v.len() == 40
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'/' || b == b'+')
}

/// Whether an AWS access key id (sorted positions) is within [`AWS_PAIR_LINES`] lines of `at`.
fn near_any(text: &str, ids: &[usize], at: usize) -> bool {
    let next = ids.partition_point(|&id| id < at);
    let lines_between = |from: usize, to: usize| {
        text.as_bytes().get(from..to).is_some_and(|span| {
            span.iter()
                .filter(|&&b| b == b'\n')
                .nth(AWS_PAIR_LINES)
                .is_none()
        })
    };
    let before = next
        .checked_sub(1)
        .and_then(|i| ids.get(i))
        .is_some_and(|&id| lines_between(id, at));
    before || ids.get(next).is_some_and(|&id| lines_between(at, id))
}

/// Whether `[start, end)` overlaps one of `hits` (sorted, not overlapping each other).
fn overlaps(hits: &[SecretHit], start: usize, end: usize) -> bool {
    let after = hits.partition_point(|h| (h.range.start as usize) < end);
    after
        .checked_sub(1)
        .and_then(|i| hits.get(i))
        .is_some_and(|h| h.range.end as usize > start)
}

/// The bounds and length verdict of the last line asked about: hits cluster, and a minified
/// line may hold many of them.
#[derive(Default)]
struct LineCache {
    start: usize,
    end: usize,
    long: bool,
}

impl LineCache {
    fn is_long(&mut self, text: &str, at: usize) -> bool {
        if !(self.start <= at && at < self.end) {
            let start = text
                .get(..at)
                .and_then(|head| head.rfind('\n'))
                .map_or(0, |i| i + 1);
            let end = text
                .get(at..)
                .and_then(|tail| tail.find('\n'))
                .map_or(text.len(), |i| at + i);
            let line = text.get(start..end).unwrap_or_default();
            *self = LineCache {
                start,
                end,
                long: line.len() > MAX_GENERIC_LINE_CHARS
                    && line.chars().count() > MAX_GENERIC_LINE_CHARS,
            };
        }
        self.long
    }
}

// ---------------------------------------------------------------------------------------------
// Shared.

/// Text that stands for a secret rather than being one.
fn is_placeholder(v: &str) -> bool {
    const MARKERS: &[&str] = &[
        "changeme",
        "change_me",
        "change-me",
        "example",
        "dummy",
        "test",
        "sample",
        "placeholder",
        "your_",
        "your-",
        "fake",
        "mock",
        "redacted",
        "xxx",
        "***",
        "...",
        "todo",
        "fixme",
        "replace",
        "os.environ",
        "process.env",
        "getenv",
        "${",
        "{{",
        "%(",
    ];
    let lower = v.to_ascii_lowercase();
    if MARKERS.iter().any(|m| lower.contains(m)) || DOC_EXAMPLES.iter().any(|e| v.contains(e)) {
        return true;
    }
    let mut chars = v.chars();
    let all_same = chars.next().is_some_and(|first| chars.all(|c| c == first));
    let angle = v
        .find('<')
        .and_then(|open| v.get(open..))
        .is_some_and(|rest| rest.contains('>'));
    let env_ref = v.strip_prefix('$').is_some_and(|rest| {
        !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
    });
    all_same || angle || env_ref
}

/// The first characters of a secret, never more than four nor more than half of it, then `…`.
fn preview(secret: &str) -> String {
    let n = (secret.chars().count() / 2).min(4);
    let mut shown: String = secret.chars().take(n).collect();
    shown.push('…');
    shown
}

#[cfg(test)]
mod tests {
    #![allow(clippy::panic, clippy::expect_used, reason = "tests fail loudly")]

    use super::*;

    // The fixture secrets are random and were never issued. Each is split in two so that secret
    // scanners run over this repository (push protection, gitleaks) see no key in this file.
    fn aws_id() -> String {
        ["AKIA", "UJZDE8GXD6NCF10E"].concat()
    }
    fn aws_secret() -> String {
        ["El2hpChYgCfrL1spNxny", "VmihA+2O76UMFxFkM+R5"].concat()
    }
    fn github(prefix: &str) -> String {
        [prefix, "_sMehGAkWvj7FAc9QeWJKY40uvSwMFLZDe1f8"].concat()
    }
    fn github_pat() -> String {
        [
            "github_pat_",
            "z63FfkCzJr4i0B3JrTAwR4_y9ojfljoQoaF1LlqsajAIxNKu8iS2G8NPRVdD53X83RZJzzzzgEOzdmenCk",
        ]
        .concat()
    }
    fn slack(kind: char) -> String {
        format!(
            "xox{kind}-{}",
            "2718281828-3141592653-hvMdgaKjIg8xNbe3nNyjOq9w"
        )
    }
    fn slack_hook() -> String {
        [
            "https://hooks.slack",
            ".com/services/T04QZ7R2K/B05MX3P9L/MxEhh2FDEEtfjgVvVqE1SkHb",
        ]
        .concat()
    }
    fn stripe(prefix: char) -> String {
        format!("{prefix}k_live_{}", "n88HxjSI6bWHtP3fS2qHx6kw")
    }
    fn google() -> String {
        ["AI", "za7s8Stqcbnr3yBdGBLEPH1qhT61qtc4xatws"].concat()
    }
    fn jwt() -> String {
        [
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.",
            "eyJzdWIiOiI0MiIsInJvbGUiOiJhZG1pbiJ9.8phP9nhFyJfm5di4PzJ59FHz5r1pY4OjE2jBMptUsGr",
        ]
        .concat()
    }
    const PEM_LINES: [&str; 2] = [
        "7CmY+uCu3ZR1zTOlUcR64cXQLioDnkHIfxIq2HZt/PlJhx2jIclHkCiHp6bR1Iqf",
        "EouHgxzNNAL5wIScGebcy8F5n3/YNBDRzrZSgqbjG3uhkWKFLf6xuI5aHUQPFeNB",
    ];
    fn begin(label: &str) -> String {
        ["-----BEGIN ", label, "-----"].concat()
    }
    fn end(label: &str) -> String {
        ["-----END ", label, "-----"].concat()
    }

    /// Each hit as its kind and the text its range covers.
    fn found(text: &str) -> Vec<(&'static str, &str)> {
        find_secrets(text)
            .iter()
            .map(|h| {
                let slice = text
                    .get(h.range.start as usize..h.range.end as usize)
                    .expect("a hit's range is a slice of the text");
                (h.kind, slice)
            })
            .collect()
    }

    fn assert_one(text: &str, kind: &str, secret: &str) {
        assert_eq!(found(text), vec![(kind, secret)], "in:\n{text}");
    }

    fn assert_none(text: &str) {
        assert_eq!(found(text), vec![], "in:\n{text}");
    }

    #[test]
    fn both_regexes_compile() {
        assert!(FORMATS_RE.is_some());
        assert!(ASSIGNMENT_RE.is_some());
    }

    #[test]
    fn aws_access_key_id_alone() {
        let id = aws_id();
        assert_one(
            &format!("client = boto3.client('s3', aws_access_key_id='{id}')\n"),
            "aws-access-key-id",
            &id,
        );
        assert_one(
            &format!("const accessKeyId = \"{id}\";\n"),
            "aws-access-key-id",
            &id,
        );
        let temporary = ["ASIA", "UJZDE8GXD6NCF10E"].concat();
        assert_one(
            &format!("KEY = \"{temporary}\"\n"),
            "aws-access-key-id",
            &temporary,
        );
    }

    #[test]
    fn aws_secret_access_key_next_to_its_id_python() {
        let (id, secret) = (aws_id(), aws_secret());
        let text = format!(
            "import boto3\n\nAWS_ACCESS_KEY_ID = \"{id}\"\n# the pair\nAWS_SECRET_ACCESS_KEY = \"{secret}\"\n"
        );
        assert_eq!(
            found(&text),
            vec![
                ("aws-access-key-id", id.as_str()),
                ("aws-secret-access-key", secret.as_str())
            ]
        );
        let call = format!(
            "s3 = boto3.client(\n    \"s3\",\n    aws_secret_access_key='{secret}',\n    aws_access_key_id='{id}',\n)\n"
        );
        assert_eq!(
            found(&call),
            vec![
                ("aws-secret-access-key", secret.as_str()),
                ("aws-access-key-id", id.as_str())
            ]
        );
    }

    #[test]
    fn aws_secret_access_key_next_to_its_id_javascript() {
        let (id, secret) = (aws_id(), aws_secret());
        let text = format!(
            "const s3 = new S3Client({{\n  credentials: {{ accessKeyId: '{id}', secretAccessKey: '{secret}' }},\n}});\n"
        );
        assert_eq!(
            found(&text),
            vec![
                ("aws-access-key-id", id.as_str()),
                ("aws-secret-access-key", secret.as_str())
            ]
        );
    }

    #[test]
    fn aws_secret_far_from_any_id_is_generic() {
        let (id, secret) = (aws_id(), aws_secret());
        let filler = "x = 1\n".repeat(AWS_PAIR_LINES + 1);
        let text = format!("KEY_ID = \"{id}\"\n{filler}SECRET = \"{secret}\"\n");
        assert_eq!(
            found(&text),
            vec![
                ("aws-access-key-id", id.as_str()),
                (GENERIC_KIND, secret.as_str())
            ]
        );
    }

    #[test]
    fn private_key_blocks() {
        let label = "RSA PRIVATE KEY";
        let block = format!(
            "{}\n{}\n{}\n{}",
            begin(label),
            PEM_LINES[0],
            PEM_LINES[1],
            end(label)
        );
        assert_one(
            &format!("KEY = \"\"\"{block}\"\"\"\n"),
            "private-key",
            &block,
        );
        assert_one(&format!("const key = `{block}`;\n"), "private-key", &block);

        let escaped = format!(
            "{}\\n{}\\n{}",
            begin("PRIVATE KEY"),
            PEM_LINES[0],
            end("PRIVATE KEY")
        );
        assert_one(
            &format!("const key = \"{escaped}\";\n"),
            "private-key",
            &escaped,
        );

        // No `END` line within reach: the hit is the `BEGIN` line.
        let open = begin("OPENSSH PRIVATE KEY");
        let text = format!(
            "KEY = (\n    \"{open}\\n\"\n    \"{}\\n\"\n)\n",
            PEM_LINES[0]
        );
        assert_one(&text, "private-key", &open);
        let hit = find_secrets(&text);
        assert_eq!(hit[0].message, "private key block (OPENSSH PRIVATE KEY)");
    }

    #[test]
    fn github_tokens() {
        for prefix in ["ghp", "gho", "ghu", "ghs", "ghr"] {
            let token = github(prefix);
            assert_one(&format!("GITHUB = \"{token}\"\n"), "github-token", &token);
            assert_one(
                &format!("fetch(url, {{ headers: {{ Authorization: `token {token}` }} }});\n"),
                "github-token",
                &token,
            );
        }
        let pat = github_pat();
        assert_one(&format!("gh = Github('{pat}')\n"), "github-token", &pat);
        assert_one(
            &format!("const octokit = new Octokit({{ auth: \"{pat}\" }});\n"),
            "github-token",
            &pat,
        );
    }

    #[test]
    fn slack_tokens_and_webhooks() {
        for kind in ['a', 'b', 'p', 'r', 's'] {
            let token = slack(kind);
            assert_one(
                &format!("client = WebClient(token=\"{token}\")\n"),
                "slack-token",
                &token,
            );
            assert_one(
                &format!("const web = new WebClient('{token}');\n"),
                "slack-token",
                &token,
            );
        }
        let hook = slack_hook();
        assert_one(
            &format!("requests.post(\"{hook}\", json=body)\n"),
            "slack-webhook",
            &hook,
        );
        assert_one(
            &format!("await fetch('{hook}', {{ method: 'POST' }});\n"),
            "slack-webhook",
            &hook,
        );
    }

    #[test]
    fn stripe_live_keys() {
        for prefix in ['s', 'r'] {
            let key = stripe(prefix);
            assert_one(
                &format!("stripe.api_key = \"{key}\"\n"),
                "stripe-live-key",
                &key,
            );
            assert_one(
                &format!("const stripe = require('stripe')('{key}');\n"),
                "stripe-live-key",
                &key,
            );
        }
    }

    #[test]
    fn google_api_keys() {
        let key = google();
        assert_one(
            &format!("URL = f\"https://maps.googleapis.com/maps/api?key={key}\"\n"),
            "google-api-key",
            &key,
        );
        assert_one(
            &format!("const firebaseConfig = {{ apiKey: \"{key}\" }};\n"),
            "google-api-key",
            &key,
        );
    }

    #[test]
    fn json_web_tokens() {
        let token = jwt();
        assert_one(
            &format!("headers = {{\"Authorization\": \"Bearer {token}\"}}\n"),
            "jwt",
            &token,
        );
        assert_one(&format!("const token = '{token}';\n"), "jwt", &token);
    }

    #[test]
    fn generic_assignments_python() {
        let cases = [
            ("DB_PASSWORD = \"Zk4#pQ9!wR2v\"\n", "Zk4#pQ9!wR2v"),
            (
                "conn = connect(host=h, password='HlsZfYcMMDkt42')\n",
                "HlsZfYcMMDkt42",
            ),
            (
                "config = {\"client_secret\": \"wlavyfErGPmpGXaf9\"}\n",
                "wlavyfErGPmpGXaf9",
            ),
            ("SECRET_KEY = b'q7Hk2Lm9Pz4Xw8Rt'\n", "q7Hk2Lm9Pz4Xw8Rt"),
            ("api_key: str = \"9f2Kx7Lq0Zp3Vw8N\"\n", "9f2Kx7Lq0Zp3Vw8N"),
            ("self.jwt_secret = \"r4T8-mQ2z!Lk9pW\"\n", "r4T8-mQ2z!Lk9pW"),
            (
                "os.environ[\"API_TOKEN\"] = \"Tq3Vz8Wn1Xc5Yb7M\"\n",
                "Tq3Vz8Wn1Xc5Yb7M",
            ),
            ("PWD=\"Gh7&Jk2*Lp9\"\n", "Gh7&Jk2*Lp9"),
        ];
        for (text, secret) in cases {
            assert_one(text, GENERIC_KIND, secret);
        }
    }

    #[test]
    fn generic_assignments_javascript() {
        let cases = [
            ("const apiKey = 'q7Hk2Lm9Pz4Xw8Rt';\n", "q7Hk2Lm9Pz4Xw8Rt"),
            ("const DB_PASSWORD = \"Zk4#pQ9!wR2v\";\n", "Zk4#pQ9!wR2v"),
            (
                "const db = new Client({ user: 'app', password: 'HlsZfYcMMDkt42' });\n",
                "HlsZfYcMMDkt42",
            ),
            (
                "module.exports = { \"client_secret\": \"wlavyfErGPmpGXaf9\" };\n",
                "wlavyfErGPmpGXaf9",
            ),
            (
                "headers['x-api-key'] = `9f2Kx7Lq0Zp3Vw8N`;\n",
                "9f2Kx7Lq0Zp3Vw8N",
            ),
            (
                "  private readonly privateKey: string = \"r4T8-mQ2z!Lk9pW\";\n",
                "r4T8-mQ2z!Lk9pW",
            ),
            ("let authToken = \"Tq3Vz8Wn1Xc5Yb7M\"\n", "Tq3Vz8Wn1Xc5Yb7M"),
        ];
        for (text, secret) in cases {
            assert_one(text, GENERIC_KIND, secret);
        }
    }

    #[test]
    fn placeholders_are_not_secrets() {
        for value in [
            "changeme",
            "xxxxxxxxxxxxxxxx",
            "<your-token-here>",
            "${SECRET_VALUE}",
            "{{ db_password }}",
            "your_api_key_here",
            "dummy-key-1234",
            "test-token-9f8e7d",
            "aaaaaaaaaaaa",
            "$DB_PASSWORD",
            "%(password)s",
            "********",
            "sk-...9f8e",
            "REPLACE_WITH_KEY_42",
        ] {
            assert_none(&format!("password = \"{value}\"\n"));
            assert_none(&format!("const apiToken = '{value}';\n"));
        }
        let github_placeholder = ["ghp_", &"x".repeat(36)].concat();
        assert_none(&format!("TOKEN = \"{github_placeholder}\"\n"));
        let hook = [
            "https://hooks.slack",
            ".com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
        ]
        .concat();
        assert_none(&format!("WEBHOOK = \"{hook}\"\n"));
    }

    #[test]
    fn environment_lookups_are_not_secrets() {
        assert_none("password = os.environ[\"DB_PASSWORD\"]\n");
        assert_none("password = os.environ.get(\"DB_PASSWORD\", \"\")\n");
        assert_none("api_key = os.getenv('API_KEY')\n");
        assert_none("const token = process.env.SLACK_TOKEN;\n");
        assert_none("const { apiKey } = process.env;\n");
        assert_none("password = f\"{prefix}-{suffix}-9k2L\"\n");
        assert_none(
            "password = ssm.get_parameter(Name=\"/prod/db/password\", WithDecryption=True)\n",
        );
        assert_none("const secret = \"process.env.SECRET_KEY_2024\";\n");
    }

    #[test]
    fn low_entropy_and_word_like_values_are_not_secrets() {
        assert_none("password = \"password\"\n");
        assert_none("PASSWORD = 'Password'\n");
        assert_none("const password = \"12121212\";\n");
        assert_none("token_type = \"Bearer\"\n");
        assert_none("password = \"hunter2\"\n");
        assert_none("const passwordField = \"passwordInput\";\n");
        assert_none("label = { \"password\": \"Enter your password\" }\n");
        assert_none("const password = 'Contraseña';\n");
        assert_none("SECRET = 'ACCESS_TOKEN_KEY'\n");
    }

    #[test]
    fn names_that_point_at_secrets_are_not_secrets() {
        assert_none("secret_name = \"prod/db/Xk29vLq7\"\n");
        assert_none(
            "SECRET_ARN = \"arn:aws:secretsmanager:us-east-1:123456789012:secret:db-Xk29vL\"\n",
        );
        assert_none("const tokenUrl = \"https://auth.example.org/oauth2/token\";\n");
        assert_none("api_key_id = \"k7Lq2Zx9Vw4Np8Rt\"\n");
        assert_none(
            "token_sha256 = \"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\"\n",
        );
        assert_none("tokenizer = \"bert-base-uncased-v2\"\n");
        assert_none("TOKENIZER_REPO = 'hf/Xk29vLq7-base'\n");
        assert_none("secrets.db_host = \"db-7.k2x9.internal\"\n");
    }

    #[test]
    fn ids_and_hashes_under_other_names_are_not_secrets() {
        assert_none("request_id = \"3f2b8c1e-9a4d-4e7b-b6c2-1d0f5e8a7c93\"\n");
        assert_none("const requestId = '3f2b8c1e-9a4d-4e7b-b6c2-1d0f5e8a7c93';\n");
        assert_none(
            "sha256 = \"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\"\n",
        );
        assert_none(
            "const digest = { sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' };\n",
        );
    }

    #[test]
    fn documentation_examples_are_not_secrets() {
        let id = ["AKIA", "IOSFODNN7EXAMPLE"].concat();
        let secret = ["wJalrXUtnFEMI/K7MDENG", "/bPxRfiCYEXAMPLEKEY"].concat();
        assert_none(&format!(
            "aws_access_key_id = \"{id}\"\naws_secret_access_key = \"{secret}\"\n"
        ));
        assert_none(&format!(
            "const creds = {{ accessKeyId: '{id}', secretAccessKey: '{secret}' }};\n"
        ));
        let jwt_io = [
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.",
            "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.",
            "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
        ]
        .concat();
        assert_none(&format!("TOKEN = \"{jwt_io}\"\n"));
    }

    #[test]
    fn look_alikes_of_known_formats_are_not_secrets() {
        // Inside a longer word, one character short, a test-mode key, an empty key block.
        assert_none(&format!("x = \"Z{}\"\n", aws_id()));
        assert_none(&format!("x = \"{}\"\n", &aws_id()[..19]));
        assert_none(&format!(
            "stripe.api_key = \"{}\"\n",
            ["sk_", "test_n88HxjSI6bWHtP3fS2qHx6kw"].concat()
        ));
        assert_none(&format!("x = \"{}9\"\n", google()));
        assert_none(&format!(
            "if pem.startswith(\"{}\"):\n    kind = 'rsa'\n",
            begin("RSA PRIVATE KEY")
        ));
        assert_none(&format!(
            "KEY = \"{}\\n...\\n{}\"\n",
            begin("PRIVATE KEY"),
            end("PRIVATE KEY")
        ));
        assert_none("const slack = 'xoxb-your-bot-token';\n");
    }

    #[test]
    fn a_format_hit_is_not_reported_again_as_generic() {
        let token = jwt();
        assert_one(&format!("jwt_token = \"{token}\"\n"), "jwt", &token);
        let key = stripe('s');
        assert_one(
            &format!("STRIPE_SECRET_KEY = '{key}'\n"),
            "stripe-live-key",
            &key,
        );
    }

    #[test]
    fn messages_show_at_most_four_characters() {
        let text = format!(
            "a = \"{}\"\nb = \"{}\"\npassword = \"Zk4#pQ9!wR2v\"\n",
            github("ghp"),
            jwt()
        );
        let hits = find_secrets(&text);
        assert_eq!(hits.len(), 3);
        assert_eq!(hits[0].message, "GitHub personal access token `ghp_…`");
        assert_eq!(hits[1].message, "JSON Web Token `eyJh…`");
        assert_eq!(
            hits[2].message,
            "`password` is assigned what looks like a hard-coded secret `Zk4#…` \
             (3.6 bits of entropy per character)"
        );
        assert!(hits[2].is_generic() && !hits[0].is_generic());
        assert_eq!(preview("abcdef"), "abc…");
    }

    #[test]
    fn long_lines_are_skipped_by_the_generic_rule_only() {
        let token = github("ghs");
        let line = format!(
            "var a=\"{}\";var password=\"Zk4#pQ9!wR2v\";var t=\"{token}\";\n",
            "q".repeat(MAX_GENERIC_LINE_CHARS)
        );
        assert_one(&line, "github-token", &token);
        let short = "var a=1;var password=\"Zk4#pQ9!wR2v\";\n";
        assert_one(short, GENERIC_KIND, "Zk4#pQ9!wR2v");
    }

    #[test]
    fn hits_are_capped_per_file() {
        let text = format!("{}\n", github("ghp")).repeat(MAX_HITS + 50);
        let hits = find_secrets(&text);
        assert_eq!(hits.len(), MAX_HITS);
        assert!(hits.windows(2).all(|w| w[0].range.start < w[1].range.start));
    }

    #[test]
    fn non_ascii_text_around_secrets() {
        let token = github("ghp");
        let text = format!(
            "# clé secrète — ne pas publier\nMOT_DE_PASSE = \"é{token}\"\napi_key = \"ñ7Hk2Lm9Pz4Xw8Rt\"\n"
        );
        assert_eq!(
            found(&text),
            vec![
                ("github-token", token.as_str()),
                (GENERIC_KIND, "ñ7Hk2Lm9Pz4Xw8Rt")
            ]
        );
    }

    #[test]
    fn entropy_in_bits_per_character() {
        assert_eq!(entropy(""), 0.0);
        assert_eq!(entropy("aaaa"), 0.0);
        assert!((entropy("ab") - 1.0).abs() < 1e-12);
        assert!((entropy("abcdefgh") - 3.0).abs() < 1e-12);
        assert!((entropy("éèéè") - 1.0).abs() < 1e-12);
        assert!(entropy("password") < GENERIC_MIN_ENTROPY);
    }

    /// `cargo test --release -p palisade-code secrets::tests::speed -- --ignored --nocapture`
    #[test]
    #[ignore = "a timing, not a check; run in release"]
    fn speed() {
        let snippet = concat!(
            "import json, os, boto3\n",
            "TABLE = os.environ[\"TABLE_NAME\"]\n",
            "password = os.environ.get(\"DB_PASSWORD\")\n",
            "def handler(event, context):\n",
            "    body = json.loads(event[\"body\"])\n",
            "    token = event[\"headers\"].get(\"authorization\", \"\")\n",
            "    item = {\"id\": body[\"id\"], \"name\": body.get(\"name\", \"anonymous\")}\n",
            "    boto3.resource(\"dynamodb\").Table(TABLE).put_item(Item=item)\n",
            "    const apiKey = process.env.API_KEY; // a JavaScript line\n",
            "    return {\"statusCode\": 200, \"body\": json.dumps({\"ok\": True, \"token_type\": \"Bearer\"})}\n",
        );
        let lines = 1_000_000;
        let text = snippet.repeat(lines / snippet.lines().count());
        let started = std::time::Instant::now();
        let hits = find_secrets(&text);
        let took = started.elapsed();
        println!(
            "{} lines, {} MB, {} hits: {took:?}",
            text.lines().count(),
            text.len() / 1_000_000,
            hits.len()
        );
    }
}

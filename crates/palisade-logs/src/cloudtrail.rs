//! CloudTrail files, streamed record by record.

use std::cell::Cell;
use std::fmt;
use std::io::BufRead;
use std::path::Path;
use std::rc::Rc;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

/// Malformed records named in a report; beyond this, only counted.
const MAX_NAMED: usize = 20;

/// One event, as raw JSON, and where it came from.
#[derive(Debug)]
pub struct Record {
    /// 1-based: the record's index in a `Records` array, or its line in a JSON Lines file.
    pub position: usize,
    /// True when `position` is a line number (JSON Lines).
    pub is_line: bool,
    pub json: Box<RawValue>,
}

impl Record {
    /// `line 4` or `records[17]`.
    pub fn at(&self) -> String {
        if self.is_line {
            format!("line {}", self.position)
        } else {
            format!("records[{}]", self.position)
        }
    }
}

/// A record larger than this is malformed and skipped (CloudTrail caps an event at 256 KB);
/// without a cap, a small gzip bomb would be held in memory whole.
pub const MAX_RECORD: usize = 16 * 1024 * 1024;

/// A record or a part of a file that could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Malformed {
    /// `records[17]`, `line 4`, or `file` when the file itself is unreadable (corrupt gzip,
    /// truncated JSON) from that point on.
    pub at: String,
    pub message: String,
}

/// What reading one file gave.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FileReport {
    pub records: usize,
    pub malformed: usize,
    /// The first malformed records, named.
    pub named: Vec<Malformed>,
}

impl FileReport {
    fn malformed(&mut self, at: String, message: String) {
        self.malformed += 1;
        if self.named.len() < MAX_NAMED {
            self.named.push(Malformed { at, message });
        }
    }
}

/// Read every CloudTrail event of a file, calling `on_record` for each in order.
pub fn read_cloudtrail(path: &Path, on_record: &mut dyn FnMut(Record)) -> FileReport {
    let mut report = FileReport::default();
    let reader = match crate::open(path) {
        Ok(r) => r,
        Err(e) => {
            report.malformed("file".into(), e.to_string());
            return report;
        }
    };
    read_stream(path, reader, on_record, &mut report);
    report
}

/// What a file looks like from its first bytes.
enum Shape {
    /// `{"Records": [...]}`: S3 delivery.
    Records,
    /// One JSON value per line.
    Lines,
    /// Anything else: JSON values one after another (a pretty-printed single event).
    Values,
}

fn shape(head: &[u8]) -> Shape {
    let text = String::from_utf8_lossy(head);
    let trimmed = text.trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n']);
    if let Some(rest) = trimmed.strip_prefix('{')
        && rest.trim_start().starts_with("\"Records\"")
    {
        return Shape::Records;
    }
    // JSON Lines: a first line that is a whole value, or that is cut by the head (a long
    // event), or that looks like one record (`{...}`) even when broken. A pretty-printed
    // document opens with a line that is not a whole value.
    match trimmed.split_once('\n') {
        Some((first, _)) => {
            let first = first.trim_end();
            if serde_json::from_str::<IgnoredAny>(first).is_ok()
                || (first.starts_with('{') && first.ends_with('}'))
            {
                Shape::Lines
            } else {
                Shape::Values
            }
        }
        None => Shape::Lines,
    }
}

fn read_stream(
    path: &Path,
    mut reader: Box<dyn BufRead>,
    on_record: &mut dyn FnMut(Record),
    report: &mut FileReport,
) {
    let head = match reader.fill_buf() {
        Ok(h) => h.to_vec(),
        Err(e) => {
            report.malformed("file".into(), format!("unreadable: {e}"));
            return;
        }
    };
    if head.starts_with("\u{feff}".as_bytes()) {
        reader.consume(3);
    }
    match shape(&head) {
        Shape::Records => records(reader, on_record, report),
        Shape::Lines => lines(reader, on_record, report),
        Shape::Values => {
            // Not a value from the start: read it again line by line, so that one broken
            // line costs one record, not the file.
            let mut first = FileReport::default();
            values(reader, on_record, &mut first);
            if first.records == 0 && first.malformed > 0 {
                match crate::open(path) {
                    Ok(again) => lines(again, on_record, report),
                    Err(e) => report.malformed("file".into(), e.to_string()),
                }
            } else {
                report.records += first.records;
                report.malformed += first.malformed;
                report.named.extend(first.named);
            }
        }
    }
}

/// An EventBridge event that carries a CloudTrail event in `detail`.
#[derive(serde::Deserialize)]
struct Envelope {
    #[serde(rename = "detail-type")]
    detail_type: Option<String>,
    detail: Option<Box<RawValue>>,
}

/// The CloudTrail event of a value: itself, or the `detail` of an EventBridge event.
fn unwrap(json: Box<RawValue>) -> Box<RawValue> {
    if !json.get().contains("\"detail-type\"") {
        return json;
    }
    match serde_json::from_str::<Envelope>(json.get()) {
        Ok(Envelope {
            detail_type: Some(t),
            detail: Some(detail),
        }) if t == "AWS API Call via CloudTrail" || t.ends_with("via CloudTrail") => detail,
        _ => json,
    }
}

fn lines(reader: Box<dyn BufRead>, on_record: &mut dyn FnMut(Record), report: &mut FileReport) {
    let result = crate::each_line(reader, &mut |number, line| {
        let Some(line) = line else {
            report.malformed(
                format!("line {number}"),
                format!("longer than {} bytes", crate::MAX_LINE),
            );
            return;
        };
        if line.iter().all(u8::is_ascii_whitespace) {
            return;
        }
        match serde_json::from_slice::<Box<RawValue>>(line) {
            Ok(json) => {
                report.records += 1;
                on_record(Record {
                    position: number,
                    is_line: true,
                    json: unwrap(json),
                });
            }
            Err(e) => report.malformed(format!("line {number}"), e.to_string()),
        }
    });
    if let Err(message) = result {
        report.malformed("file".into(), message);
    }
}

fn values(reader: Box<dyn BufRead>, on_record: &mut dyn FnMut(Record), report: &mut FileReport) {
    let mut position = 0;
    for value in serde_json::Deserializer::from_reader(reader).into_iter::<Box<RawValue>>() {
        match value {
            Ok(json) => {
                position += 1;
                report.records += 1;
                on_record(Record {
                    position,
                    is_line: false,
                    json: unwrap(json),
                });
            }
            Err(e) => {
                report.malformed("file".into(), format!("not JSON from here on: {e}"));
                return;
            }
        }
    }
}

/// A `Records` file up to this size (uncompressed) is parsed from memory, several times faster
/// than from a reader; CloudTrail's own files are a few megabytes. Larger ones are streamed,
/// so memory stays bounded by this per file read at once.
const IN_MEMORY: u64 = 64 * 1024 * 1024;

/// A reader that fails once one record has taken more than [`MAX_RECORD`] bytes: the count is
/// reset by the records visitor after each record.
struct Capped<R> {
    inner: R,
    since: Rc<Cell<u64>>,
}

impl<R: std::io::Read> std::io::Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let since = self.since.get() + n as u64;
        self.since.set(since);
        if since > MAX_RECORD as u64 {
            return Err(std::io::Error::other(format!(
                "a record larger than {MAX_RECORD} bytes"
            )));
        }
        Ok(n)
    }
}

/// `{"Records": [...]}`, one record at a time.
fn records(
    mut reader: Box<dyn BufRead>,
    on_record: &mut dyn FnMut(Record),
    report: &mut FileReport,
) {
    use std::io::Read;
    let mut bytes = Vec::new();
    let read = (&mut reader).take(IN_MEMORY + 1).read_to_end(&mut bytes);
    // Invalid UTF-8 would stop the parser at the first bad byte and lose every later record:
    // the bytes are replaced (U+FFFD) and the file named.
    if std::str::from_utf8(&bytes).is_err() {
        bytes = String::from_utf8_lossy(&bytes).into_owned().into_bytes();
        report.malformed(
            "file".into(),
            "invalid UTF-8 bytes, replaced with U+FFFD".into(),
        );
    }
    let mut st = State::default();
    let whole = match read {
        Ok(n) => n as u64 <= IN_MEMORY,
        Err(e) => {
            // What was read before the error (a truncated gzip) is still read, then named.
            let mut de = serde_json::Deserializer::from_slice(&bytes);
            let _ = (&mut de).deserialize_map(Document {
                on_record: &mut *on_record,
                st: &mut st,
            });
            st.report(report);
            report.malformed(
                format!("records[{}]", st.seen + 1),
                format!("the file cannot be read from here on: {e}"),
            );
            return;
        }
    };
    let result = if whole {
        let mut de = serde_json::Deserializer::from_slice(&bytes);
        (&mut de)
            .deserialize_map(Document {
                on_record: &mut *on_record,
                st: &mut st,
            })
            .and_then(|()| de.end())
    } else {
        let since = Rc::new(Cell::new(0));
        st.since = Some(since.clone());
        let capped = Capped {
            inner: std::io::Cursor::new(bytes).chain(reader),
            since,
        };
        let mut de = serde_json::Deserializer::from_reader(capped);
        (&mut de)
            .deserialize_map(Document {
                on_record: &mut *on_record,
                st: &mut st,
            })
            .and_then(|()| de.end())
    };
    st.report(report);
    if let Err(e) = result {
        report.malformed(
            format!("records[{}]", st.seen + 1),
            format!("the file is not valid JSON from here on: {e}"),
        );
    }
}

/// What the records visitor counts.
#[derive(Default)]
struct State {
    seen: usize,
    /// Records over [`MAX_RECORD`], by position.
    oversize: Vec<usize>,
    /// The streaming reader's count of bytes since the last record.
    since: Option<Rc<Cell<u64>>>,
}

impl State {
    fn report(&self, report: &mut FileReport) {
        report.records += self.seen - self.oversize.len();
        for position in &self.oversize {
            report.malformed(
                format!("records[{position}]"),
                format!("a record larger than {MAX_RECORD} bytes"),
            );
        }
    }
}

struct Document<'a> {
    on_record: &'a mut dyn FnMut(Record),
    st: &'a mut State,
}

impl<'de> Visitor<'de> for Document<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a CloudTrail document {\"Records\": [...]}")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            if key == "Records" {
                map.next_value_seed(RecordsSeed {
                    on_record: &mut *self.on_record,
                    st: &mut *self.st,
                })?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

struct RecordsSeed<'a> {
    on_record: &'a mut dyn FnMut(Record),
    st: &'a mut State,
}

impl<'de> DeserializeSeed<'de> for RecordsSeed<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for RecordsSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of CloudTrail events")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        if let Some(since) = &self.st.since {
            since.set(0);
        }
        while let Some(json) = seq.next_element::<Box<RawValue>>()? {
            self.st.seen += 1;
            if let Some(since) = &self.st.since {
                since.set(0);
            }
            if json.get().len() > MAX_RECORD {
                self.st.oversize.push(self.st.seen);
                continue;
            }
            (self.on_record)(Record {
                position: self.st.seen,
                is_line: false,
                json,
            });
        }
        Ok(())
    }
}

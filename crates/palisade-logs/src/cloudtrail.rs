//! CloudTrail files, streamed record by record.

use std::fmt;
use std::io::BufRead;
use std::path::Path;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

/// Malformed records named in a report; beyond this, only counted.
const MAX_NAMED: usize = 20;

/// One event, as raw JSON, and where it came from.
#[derive(Debug)]
pub struct Record {
    /// 1-based: the record's index in a `Records` array, or its line in a JSON Lines file.
    pub position: usize,
    pub json: Box<RawValue>,
}

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
    read_stream(reader, on_record, &mut report);
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
    let trimmed = text.trim_start();
    if let Some(rest) = trimmed.strip_prefix('{')
        && rest.trim_start().starts_with("\"Records\"")
    {
        return Shape::Records;
    }
    // A first line that is a whole JSON value on its own: JSON Lines.
    match trimmed.split_once('\n') {
        Some((first, _)) if serde_json::from_str::<IgnoredAny>(first).is_ok() => Shape::Lines,
        None if serde_json::from_str::<IgnoredAny>(trimmed).is_ok() => Shape::Lines,
        _ => Shape::Values,
    }
}

fn read_stream(
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
    match shape(&head) {
        Shape::Records => records(reader, on_record, report),
        Shape::Lines => lines(reader, on_record, report),
        Shape::Values => values(reader, on_record, report),
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
/// than from a reader; CloudTrail's own files are a few megabytes. Larger ones are streamed.
const IN_MEMORY: u64 = 256 * 1024 * 1024;

/// `{"Records": [...]}`, one record at a time.
fn records(
    mut reader: Box<dyn BufRead>,
    on_record: &mut dyn FnMut(Record),
    report: &mut FileReport,
) {
    use std::io::Read;
    let mut bytes = Vec::new();
    let whole = match (&mut reader).take(IN_MEMORY + 1).read_to_end(&mut bytes) {
        Ok(n) => n as u64 <= IN_MEMORY,
        Err(e) => {
            // What was read before the error (a truncated gzip) is still read, then named.
            let mut seen = 0usize;
            let mut de = serde_json::Deserializer::from_slice(&bytes);
            let _ = (&mut de).deserialize_map(Document {
                on_record: &mut *on_record,
                seen: &mut seen,
            });
            report.records += seen;
            report.malformed(
                format!("records[{}]", seen + 1),
                format!("the file cannot be read from here on: {e}"),
            );
            return;
        }
    };
    let mut seen = 0usize;
    let result = if whole {
        let mut de = serde_json::Deserializer::from_slice(&bytes);
        (&mut de)
            .deserialize_map(Document {
                on_record: &mut *on_record,
                seen: &mut seen,
            })
            .and_then(|()| de.end())
    } else {
        let mut de =
            serde_json::Deserializer::from_reader(std::io::Cursor::new(bytes).chain(reader));
        (&mut de)
            .deserialize_map(Document {
                on_record: &mut *on_record,
                seen: &mut seen,
            })
            .and_then(|()| de.end())
    };
    report.records += seen;
    if let Err(e) = result {
        report.malformed(
            format!("records[{}]", seen + 1),
            format!("the file is not valid JSON from here on: {e}"),
        );
    }
}

struct Document<'a> {
    on_record: &'a mut dyn FnMut(Record),
    seen: &'a mut usize,
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
                    seen: &mut *self.seen,
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
    seen: &'a mut usize,
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
        while let Some(json) = seq.next_element::<Box<RawValue>>()? {
            *self.seen += 1;
            (self.on_record)(Record {
                position: *self.seen,
                json,
            });
        }
        Ok(())
    }
}

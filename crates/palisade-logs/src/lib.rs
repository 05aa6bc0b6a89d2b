//! Log readers for runtime detection and `palisade timeouts`: CloudTrail as AWS
//! delivers it to S3 (`{"Records": [...]}`, gzipped or not), JSON Lines exports (CloudTrail
//! Lake, Athena, EventBridge `AWS API Call via CloudTrail` events, which are unwrapped), and
//! files of one event; and Lambda's CloudWatch Logs (subscription payloads, `filter-log-events`
//! output, text exports, Lambda's JSON log format) for per-function durations and runtime
//! detection; and API Gateway access logs in JSON; and [`sniff`] to tell them apart.
//!
//! Every file is streamed: memory stays bounded by the largest single record, whatever the
//! file's size. A record that cannot be read is counted and named with its file and line,
//! never dropped silently, and never the end of the other files. Depends on `palisade-model` only (for dates).

mod access_logs;
mod cloudtrail;
mod cwl;
mod function_logs;
mod lambda;
mod sniff;
mod timeouts;

pub use access_logs::{AccessLogEntry, read_access_logs};
pub use cloudtrail::{FileReport, MAX_RECORD, Malformed, Record, read_cloudtrail};
pub use cwl::days_from_civil;
pub use function_logs::{FunctionLogEntry, read_function_logs};
pub use lambda::{Durations, PlatformLine, Report, platform_line};
pub use sniff::{LogKind, sniff};
pub use timeouts::{FunctionStats, LambdaLogs, MAX_TIMEOUT_SECS, function_of_group};

/// A log file as a buffered reader, decompressed when it is gzip (by its magic bytes, whatever
/// its name).
pub(crate) fn open(path: &std::path::Path) -> std::io::Result<Box<dyn std::io::BufRead>> {
    use std::io::BufRead;
    let mut raw = std::io::BufReader::new(std::fs::File::open(path)?);
    let gzipped = matches!(raw.fill_buf(), Ok([0x1f, 0x8b, ..]));
    Ok(if gzipped {
        Box::new(std::io::BufReader::new(
            flate2::bufread::MultiGzDecoder::new(raw),
        ))
    } else {
        Box::new(raw)
    })
}

/// A line longer than this is malformed (CloudTrail caps an event at 256 KB).
pub(crate) const MAX_LINE: usize = 16 * 1024 * 1024;

/// Call `each(number, line)` for every line of a stream, numbered from 1: `Some(line)`, or
/// `None` for a line longer than [`MAX_LINE`], which is skipped without being held in memory.
/// A read error ends the stream; it is returned with the number of the last line read.
pub(crate) fn each_line(
    mut reader: Box<dyn std::io::BufRead>,
    each: &mut dyn FnMut(usize, Option<&[u8]>),
) -> Result<(), String> {
    use std::io::{BufRead, Read};
    let mut line = Vec::new();
    let mut number = 0;
    loop {
        line.clear();
        number += 1;
        let read = (&mut reader)
            .take(MAX_LINE as u64 + 1)
            .read_until(b'\n', &mut line)
            .map_err(|e| format!("unreadable after line {}: {e}", number - 1))?;
        if read == 0 {
            return Ok(());
        }
        if line.len() > MAX_LINE && !line.ends_with(b"\n") {
            each(number, None);
            // The rest of the long line, read and dropped a buffer at a time.
            loop {
                let (done, used) = {
                    let buf = reader
                        .fill_buf()
                        .map_err(|e| format!("unreadable after line {number}: {e}"))?;
                    match buf.iter().position(|&b| b == b'\n') {
                        Some(i) => (true, i + 1),
                        None => (buf.is_empty(), buf.len()),
                    }
                };
                reader.consume(used);
                if done {
                    break;
                }
            }
            continue;
        }
        each(number, Some(&line));
    }
}

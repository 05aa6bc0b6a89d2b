//! Log readers for runtime detection and `palisade timeouts`: CloudTrail as AWS
//! delivers it to S3 (`{"Records": [...]}`, gzipped or not), JSON Lines exports (CloudTrail
//! Lake, Athena, EventBridge `AWS API Call via CloudTrail` events, which are unwrapped), and
//! files of one event; and Lambda's CloudWatch Logs (subscription payloads, `filter-log-events`
//! output, text exports) for per-function durations.
//!
//! Every file is streamed: memory stays bounded by the largest single record, whatever the
//! file's size. A record that cannot be read is counted and named with its file and line,
//! never dropped silently, and never the end of the other files. Depends on nothing else of
//! Palisade.

mod cloudtrail;
mod lambda;
mod timeouts;

pub use cloudtrail::{FileReport, Malformed, Record, read_cloudtrail};
pub use lambda::{Durations, PlatformLine, Report, platform_line};
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

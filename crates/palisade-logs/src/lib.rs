//! Log readers for runtime detection (groundwork of the detection engine): CloudTrail as AWS
//! delivers it to S3 (`{"Records": [...]}`, gzipped or not), JSON Lines exports (CloudTrail
//! Lake, Athena, EventBridge `AWS API Call via CloudTrail` events, which are unwrapped), and
//! files of one event.
//!
//! Every file is streamed: memory stays bounded by the largest single record, whatever the
//! file's size. A record that cannot be read is counted and named with its file and line,
//! never dropped silently, and never the end of the other files. Depends on nothing else of
//! Palisade.

mod cloudtrail;
mod lambda;

pub use cloudtrail::{FileReport, Malformed, Record, read_cloudtrail};
pub use lambda::{Durations, PlatformLine, Report, platform_line};

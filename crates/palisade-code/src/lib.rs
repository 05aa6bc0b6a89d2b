//! Handler code analysis: resolve each function's handler to its source, parse it with
//! tree-sitter, lower it to a small IR, and follow untrusted event data to dangerous sinks.
//! Also finds secrets in code and the AWS SDK calls the code makes.
//!
//! Nothing here runs the code it reads.

pub mod ir;
pub mod lower;

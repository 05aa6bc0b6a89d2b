//! Palisade's dependency audit: which third-party packages each function and layer ships
//! (lock files, manifests, installed packages), what the offline OSV advisory store knows
//! about them, and the supply-chain signals in how they are declared.
//!
//! Parsers are pure: text in, [`parse::ParsedFile`] out, with byte ranges; the caller
//! registers files in the scan's source map. This crate reads the model and never executes
//! or fetches anything: package scripts are read as text, never run.

mod analyze;
mod audit;
mod collect;
pub mod import;
pub mod npm;
pub mod osv;
pub mod parse;
pub mod python;
pub mod runtime_sdk;
pub mod store;
pub mod sync;
pub mod typosquat;
pub mod version;

pub use analyze::analyze_app;
pub use audit::Auditor;
pub use store::{AdvisoryDb, DbError, DbInfo, default_path};

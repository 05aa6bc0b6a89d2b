//! The tool's own diagnostics (PAL9xx), emitted by the scan rather than by a model check.

pub(crate) mod suppression_without_reason;
pub(crate) mod unused_suppression;

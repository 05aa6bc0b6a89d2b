//! Every rule, one file each, by area.

pub(crate) mod code;
pub(crate) mod config;
pub(crate) mod deps;
pub(crate) mod iam;
pub(crate) mod iam_names;
pub(crate) mod tool;

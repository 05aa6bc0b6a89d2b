//! Palisade's rules over the application model: configuration (PAL1xx) and IAM (PAL2xx).
//!
//! A rule is one file under `rules/<area>/`, named after the risk it finds; its doc comment is
//! its documentation (What it does / Why is this bad? / Example / Fix / References), and it is
//! registered with one line in `registry.rs`. Rules see the model only (`Function`, never
//! `AWS::Serverless::Function`), so one rule serves every format. Depends on `palisade-model`
//! and `palisade-iam`; never on a loader.

#[macro_use]
mod macros;
mod checker;
mod footprints;
mod helpers;
mod iam_view;
mod least_privilege;
mod registry;
mod rules;

pub use checker::{Checker, Report, Settings, check_app, check_app_with_footprints};
pub use footprints::{explain, footprints};
pub use iam_view::{IamView, RISK_CATEGORIES, RoleView, risk_category};
pub use least_privilege::least_privilege;
pub use palisade_model::Date;
pub use registry::{TOOL_RULES, all_meta, meta, rules};

use palisade_model::{App, RuleMeta};

/// A rule's identity; implemented by `declare_rule!`.
pub trait Described {
    fn meta(&self) -> &'static RuleMeta;
}

/// A check over one app.
pub trait Rule: Described + Sync {
    fn check(&self, app: &App, cx: &mut Checker<'_>);
}

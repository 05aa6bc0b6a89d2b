//! Terraform resources into a CloudFormation document for the shared loader.

use palisade_model::Diagnostic;

use super::TfResource;
use crate::yaml::Node;

/// The CloudFormation document standing for `resources`, or `None` when none of them is
/// something Palisade models. Problems go to `diagnostics`.
pub(crate) fn to_template(
    _resources: &[TfResource],
    _diagnostics: &mut Vec<Diagnostic>,
) -> Option<Node> {
    None
}

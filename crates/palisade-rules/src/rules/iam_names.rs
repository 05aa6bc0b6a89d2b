//! Names of AWS managed policies as templates write them.

use palisade_model::ManagedPolicyRef;

/// The name of an AWS managed policy, also when its ARN is built with the partition
/// (`!Sub arn:${AWS::Partition}:iam::aws:policy/AdministratorAccess`).
pub(crate) fn aws_managed_name(m: &ManagedPolicyRef) -> Option<String> {
    if let Some(name) = m.aws_managed_name() {
        return Some(name.to_string());
    }
    let rendered = m.arn.get()?.render();
    let rest = rendered.strip_prefix("arn:${AWS::Partition}:iam::aws:policy/")?;
    rest.rsplit('/').next().map(str::to_string)
}

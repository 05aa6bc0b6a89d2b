//! Names of AWS managed policies as templates write them, and the documents behind them.

use palisade_model::{App, ManagedPolicyRef, PolicyDocument, Text};

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

/// The document of a managed policy a principal attaches: the copy the input carries (an
/// account's authorization details hold every policy in use), else the embedded copy of an AWS
/// managed policy.
pub(crate) fn managed_document<'a>(
    app: &'a App,
    m: &ManagedPolicyRef,
) -> Option<&'a PolicyDocument> {
    if let Some(arn) = m.arn.get().and_then(Text::literal)
        && let Some(doc) = app.managed_documents.get(arn)
    {
        return Some(doc);
    }
    aws_managed_name(m).and_then(|n| palisade_iam::managed_policy_document(&n))
}

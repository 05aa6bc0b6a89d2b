//! Suppressions declared next to what they suppress (template metadata today; config files and
//! comments are turned into the same shape).

use crate::source::Span;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SuppressionOrigin {
    /// `Metadata: { palisade: { ignore: [...] } }` on a resource or the template.
    TemplateMetadata,
    /// A `# palisade:ignore` comment.
    Comment,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suppression {
    /// A rule code (`PAL104`) or name (`internet-function-without-reserved-concurrency`).
    pub rule: String,
    pub reason: Option<String>,
    /// The logical id it is attached to; `None` for the whole app.
    pub target: Option<String>,
    pub origin: SuppressionOrigin,
    pub span: Span,
}

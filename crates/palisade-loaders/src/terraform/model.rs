//! The meeting point of the two Terraform readers (HCL and plan JSON) and the translation to
//! CloudFormation.
//!
//! Attribute values are [`Node`]s whose offsets are global offsets of the app's
//! [`crate::cfn::FileMap`] (each file shifted by its base), so that a translated element's span
//! lands in the `.tf` (or plan) file and line it came from. Values use plain node kinds for
//! what is known, and these tags for what is not:
//!
//! - `TfRef`: `Str("aws_iam_role.x.arn")` — an attribute of another resource of the app, by its
//!   full address (with `module.NAME.` prefixes and `[index]` / `["key"]` instance keys), or
//!   `data.aws_iam_policy_document.NAME.json`.
//! - `TfUnknown`: `Str("var.x")` — something not known before apply or not in the input (a
//!   variable without a value, a remote module's output, a data source, `each.value` over an
//!   unknown collection). The string is the expression as written.
//! - `TfJoin`: `Seq([parts])` — a string built by interpolation from literal `Str` parts and
//!   `TfRef` / `TfUnknown` parts.
//! - `TfChoice`: `Seq([condition, then, else])` — a conditional expression whose condition is
//!   not known; the condition is a `Str` with the expression as written.
//! - `TfJson`: a `Map`/`Seq` produced by `jsonencode(...)` of an object: the structure is kept
//!   (with the spans of its parts) rather than turned into a string.
//!
//! A string that holds JSON text (a heredoc policy, `file("policy.json")`) stays a `Str`; the
//! translation parses it. Nested blocks (`environment { ... }`, `statement { ... }`) are a
//! `Seq` of `Map`s under the block type's name, even when there is one.

use crate::yaml::Node;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    /// `resource "type" "name"`.
    Managed,
    /// `data "type" "name"`.
    Data,
    /// A call of a module that is not read (a registry or remote module): `type_name` is its
    /// `source` and `body` its inputs. Local modules are read, never passed as `Module`.
    Module,
}

/// A `# palisade:ignore PAL104 reason` comment on a block.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct TfIgnore {
    pub rule: String,
    pub reason: Option<String>,
    /// Global offsets of the comment.
    pub start: usize,
    pub end: usize,
}

/// One instance of a resource, data source or remote module call.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct TfResource {
    pub mode: Mode,
    /// `aws_lambda_function`; for [`Mode::Module`] the module's `source`.
    pub type_name: String,
    /// Full address: `aws_lambda_function.api`, `module.svc.aws_iam_role.exec`,
    /// `aws_s3_bucket.logs[0]`, `data.aws_iam_policy_document.assume`, `module.lambda`.
    pub address: String,
    /// Global offsets of the block (from its type keyword to its closing brace).
    pub start: usize,
    pub end: usize,
    /// A `Map` of the block's attributes and nested blocks.
    pub body: Node,
    pub ignores: Vec<TfIgnore>,
    /// Folder of the module that declares it, relative to the root module's folder, `/`
    /// separated, empty for the root module: local paths in attributes (`filename`,
    /// `source_dir`) are relative to it.
    pub module_dir: String,
}

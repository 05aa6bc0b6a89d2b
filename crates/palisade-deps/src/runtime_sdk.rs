//! Which AWS SDK each Lambda runtime provides, and at which version (see
//! `data/PROVENANCE.md` for the source of the table).

/// An AWS SDK a function's code can import.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Sdk {
    /// boto3 (and botocore) for Python.
    Boto3,
    /// `aws-sdk`, the JavaScript SDK v2.
    JsV2,
    /// `@aws-sdk/*`, the JavaScript SDK v3.
    JsV3,
}

/// What a runtime provides of an SDK.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Provision {
    /// Included, at this version.
    Provided { version: &'static str },
    /// Not included: an import of it fails unless the function ships it.
    NotProvided,
    /// The runtime is not in the table.
    Unknown,
}

pub fn provided(runtime: &str, sdk: Sdk) -> Provision {
    let _ = (runtime, sdk);
    Provision::Unknown
}

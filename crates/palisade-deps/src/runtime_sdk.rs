//! Which AWS SDK each Lambda runtime provides, and at which version (see
//! `data/PROVENANCE.md` for the source of the table).
//!
//! The table is `data/runtime-sdks.tsv`, read on first use. A version that ends in `.x` is the
//! SDK's major line only: AWS no longer publishes the exact version a current runtime carries
//! (it differs by Region and changes with runtime updates), and a guessed number would be
//! worse than none.

use std::collections::HashMap;
use std::sync::LazyLock;

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

static TABLE_TEXT: &str = include_str!("../data/runtime-sdks.tsv");

/// Runtime identifier to its boto3, JS v2 and JS v3 cells (`None`: not included).
type Row = [Option<&'static str>; 3];

static TABLE: LazyLock<HashMap<&'static str, Row>> = LazyLock::new(|| parse(TABLE_TEXT));

fn parse(text: &'static str) -> HashMap<&'static str, Row> {
    let mut table = HashMap::new();
    for line in text.lines() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let mut fields = line.split('\t').map(str::trim);
        let (Some(runtime), Some(boto3), Some(v2), Some(v3)) =
            (fields.next(), fields.next(), fields.next(), fields.next())
        else {
            // A malformed row is skipped, and the runtime reads as unknown rather than as
            // providing nothing: the table's own test checks every row parses.
            continue;
        };
        let cell = |s: &'static str| (s != "-" && !s.is_empty()).then_some(s);
        table.insert(runtime, [cell(boto3), cell(v2), cell(v3)]);
    }
    table
}

pub fn provided(runtime: &str, sdk: Sdk) -> Provision {
    let Some(row) = TABLE.get(runtime.trim()) else {
        return Provision::Unknown;
    };
    let cell = match sdk {
        Sdk::Boto3 => row[0],
        Sdk::JsV2 => row[1],
        Sdk::JsV3 => row[2],
    };
    match cell {
        Some(version) => Provision::Provided { version },
        None => Provision::NotProvided,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_has_five_fields() {
        let rows = TABLE_TEXT
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'));
        let mut count = 0;
        for line in rows {
            assert_eq!(line.split('\t').count(), 5, "{line}");
            count += 1;
        }
        assert_eq!(count, TABLE.len(), "a runtime is listed twice");
    }

    #[test]
    fn python_runtimes_provide_boto3_only() {
        assert_eq!(
            provided("python3.9", Sdk::Boto3),
            Provision::Provided { version: "1.20.32" }
        );
        assert_eq!(
            provided("python2.7", Sdk::Boto3),
            Provision::Provided {
                version: "1.17.100"
            }
        );
        for runtime in ["python3.10", "python3.12", "python3.13", "python3.14"] {
            assert_eq!(
                provided(runtime, Sdk::Boto3),
                Provision::Provided { version: "1.x" },
                "{runtime}"
            );
            assert_eq!(provided(runtime, Sdk::JsV2), Provision::NotProvided);
            assert_eq!(provided(runtime, Sdk::JsV3), Provision::NotProvided);
        }
    }

    #[test]
    fn node_runtimes_switch_from_v2_to_v3_at_18() {
        assert_eq!(
            provided("nodejs16.x", Sdk::JsV2),
            Provision::Provided {
                version: "2.1083.0"
            }
        );
        assert_eq!(
            provided("nodejs14.x", Sdk::JsV2),
            Provision::Provided {
                version: "2.1055.0"
            }
        );
        assert_eq!(
            provided("nodejs10.x", Sdk::JsV2),
            Provision::Provided { version: "2.880.0" }
        );
        assert_eq!(
            provided("nodejs8.10", Sdk::JsV2),
            Provision::Provided { version: "2.x" }
        );
        for old in ["nodejs8.10", "nodejs12.x", "nodejs16.x"] {
            assert_eq!(provided(old, Sdk::JsV3), Provision::NotProvided, "{old}");
            assert_eq!(provided(old, Sdk::Boto3), Provision::NotProvided, "{old}");
        }
        for new in ["nodejs18.x", "nodejs20.x", "nodejs22.x", "nodejs24.x"] {
            assert_eq!(provided(new, Sdk::JsV2), Provision::NotProvided, "{new}");
            assert_eq!(
                provided(new, Sdk::JsV3),
                Provision::Provided { version: "3.x" },
                "{new}"
            );
            assert_eq!(provided(new, Sdk::Boto3), Provision::NotProvided, "{new}");
        }
    }

    #[test]
    fn other_runtimes_provide_none_of_them() {
        for runtime in [
            "java21",
            "dotnet8",
            "ruby3.3",
            "go1.x",
            "provided.al2023",
            "provided",
        ] {
            for sdk in [Sdk::Boto3, Sdk::JsV2, Sdk::JsV3] {
                assert_eq!(provided(runtime, sdk), Provision::NotProvided, "{runtime}");
            }
        }
    }

    #[test]
    fn unknown_runtimes() {
        for runtime in ["", "python4.0", "nodejs99.x", "Python3.12", "#", "deno"] {
            assert_eq!(
                provided(runtime, Sdk::Boto3),
                Provision::Unknown,
                "{runtime}"
            );
            assert_eq!(
                provided(runtime, Sdk::JsV3),
                Provision::Unknown,
                "{runtime}"
            );
        }
        // Surrounding blanks, as a template may leave them, do not hide a runtime.
        assert_eq!(
            provided(" python3.11 ", Sdk::Boto3),
            Provision::Provided { version: "1.x" }
        );
    }
}

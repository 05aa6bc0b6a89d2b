//! The SigmaHQ CloudTrail rules shipped in `rules/sigmahq`: what loads, what is said about what
//! does not, and matches with their authors.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

use std::path::Path;

use palisade_detect::RuleSet;
use serde_json::json;

fn rules(sub: &str) -> RuleSet {
    RuleSet::load_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("rules/sigmahq")
            .join(sub),
    )
}

#[test]
fn every_supported_rule_loads() {
    let set = rules("rules");
    assert_eq!(set.files, 57);
    assert_eq!(set.len(), 57);
    assert!(set.problems.is_empty(), "{:?}", set.problems);
    let placeholder = rules("rules-placeholder");
    assert_eq!((placeholder.len(), placeholder.problems.len()), (1, 0));
}

#[test]
fn legacy_aggregation_rules_are_named_with_their_problem() {
    let set = rules("unsupported");
    assert_eq!(set.files, 8);
    // `| count() by X > N` and `| near` are not Sigma 2 conditions.
    assert_eq!(set.problems.len(), 7, "{:?}", set.problems);
    assert!(
        set.problems
            .iter()
            .all(|p| p.file.starts_with("cloud/aws_") && p.file.ends_with(".yml"))
    );
}

#[test]
fn a_match_names_its_rule_and_author() {
    let set = rules("rules");
    let event = json!({
        "eventVersion": "1.08",
        "eventSource": "cloudtrail.amazonaws.com",
        "eventName": "StopLogging",
        "awsRegion": "us-east-1",
        "userIdentity": {"type": "AssumedRole", "arn": "arn:aws:sts::111122223333:assumed-role/dev/alice"},
        "requestParameters": {"name": "management-events"}
    });
    let matches = set.matches(&event);
    let m = matches
        .iter()
        .find(|m| m.rule.title == "AWS CloudTrail Important Change")
        .unwrap_or_else(|| panic!("{matches:?}"));
    assert_eq!(m.rule.author.as_deref(), Some("vitaliy0x1"));
    assert_eq!(m.rule.level.as_deref(), Some("medium"));
    assert_eq!(
        m.rule.file,
        "cloud/aws/cloudtrail/aws_cloudtrail_disable_logging.yml"
    );
    let benign = json!({"eventSource": "cloudtrail.amazonaws.com", "eventName": "DescribeTrails"});
    assert!(
        set.matches(&benign)
            .iter()
            .all(|m| m.rule.title != "AWS CloudTrail Important Change")
    );
}

#[test]
fn a_modifier_on_a_whole_sub_object_matches_its_json_text() {
    let set = rules("rules");
    let suspended = json!({
        "eventSource": "s3.amazonaws.com",
        "eventName": "PutBucketVersioning",
        "requestParameters": {"bucketName": "logs", "VersioningConfiguration": {"Status": "Suspended"}}
    });
    let titles: Vec<String> = set
        .matches(&suspended)
        .into_iter()
        .map(|m| m.rule.title)
        .collect();
    assert!(
        titles.iter().any(|t| t.contains("Versioning")),
        "{titles:?}"
    );
    let enabled = json!({
        "eventSource": "s3.amazonaws.com",
        "eventName": "PutBucketVersioning",
        "requestParameters": {"bucketName": "logs", "VersioningConfiguration": {"Status": "Enabled"}}
    });
    assert!(
        set.matches(&enabled)
            .iter()
            .all(|m| !m.rule.title.contains("Versioning"))
    );
}

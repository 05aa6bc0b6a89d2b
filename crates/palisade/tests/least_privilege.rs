//! `palisade iam least-privilege` end to end, over a small SAM project whose handlers the code
//! engine reads: one over-permissioned function that also calls what its role lacks, one tight
//! function, one without local code.

#![allow(
    clippy::panic,
    clippy::expect_used,
    reason = "a test harness reports failures by panicking"
)]

mod common;

use common::{expect_code, json, palisade, repo, stdout};

const PROJECT: &str = "crates/palisade/tests/projects/least-privilege";

fn function<'v>(v: &'v serde_json::Value, id: &str) -> &'v serde_json::Value {
    v["functions"]
        .as_array()
        .and_then(|a| a.iter().find(|f| f["function"] == id))
        .unwrap_or_else(|| panic!("no function {id} in {v:#}"))
}

fn strings(v: &serde_json::Value) -> Vec<&str> {
    v.as_array()
        .map(|a| a.iter().filter_map(|x| x.as_str()).collect())
        .unwrap_or_default()
}

#[test]
fn granted_against_needed_with_policies_in_the_template_format() {
    let out = palisade(
        &[
            "iam",
            "least-privilege",
            PROJECT,
            "-f",
            "json",
            "--no-progress",
        ],
        &repo(),
    );
    expect_code(&out, 0);
    let v = json(&out);
    assert_eq!(v["schema_version"], 1);

    let orders = function(&v, "Orders");
    assert_eq!(orders["code_analysed"], true);
    assert_eq!(orders["needed"], 6);
    assert!(
        orders["granted"].as_u64().is_some_and(|g| g > 300),
        "{orders:#}"
    );
    assert!(orders["ratio"].as_f64().is_some_and(|r| r > 50.0));
    // The role grants what the code needs from DynamoDB and S3, not the queue.
    assert_eq!(strings(&orders["not_granted"]), ["sqs:SendMessage"]);
    let put = &orders["needed_actions"][0];
    assert_eq!(put["action"], "dynamodb:PutItem");
    assert_eq!(
        strings(&put["resources"]),
        ["arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${OrdersTable}"]
    );
    assert_eq!(strings(&put["calls"]), ["src/orders/app.py:13:5"]);
    // The call whose operation is chosen at run time is listed with its service, and all of
    // S3's granted actions count as possibly needed.
    let unresolved = &orders["unresolved_calls"];
    assert_eq!(unresolved[0]["service"], "s3");
    assert_eq!(unresolved[0]["location"], "src/orders/app.py:17:13");
    assert!(orders["over_granted"].as_u64() < orders["granted"].as_u64().map(|g| g - 6));
    let sids: Vec<&str> = orders["policy"]["Statement"]
        .as_array()
        .map(|s| s.iter().filter_map(|x| x["Sid"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(sids, ["Dynamodb", "S3", "Sqs", "LambdaLogs"]);
    let snippet = &orders["snippet"];
    assert_eq!(snippet["format"], "SAM");
    let text = snippet["text"].as_str().unwrap_or_default();
    for expected in [
        "- !GetAtt OrdersTable.Arn",
        "- !Sub \"${Uploads.Arn}/*\"",
        "- !GetAtt Jobs.Arn",
        "# not in this policy: a call on s3",
    ] {
        assert!(text.contains(expected), "{expected} not in\n{text}");
    }

    let notify = function(&v, "Notify");
    assert_eq!(notify["over_granted"], 0);
    assert!(strings(&notify["not_granted"]).is_empty());
    assert!(
        notify["snippet"]["text"]
            .as_str()
            .is_some_and(|t| t.contains("- !Ref Events"))
    );

    let archive = function(&v, "Archive");
    assert_eq!(archive["code_analysed"], false);
    assert!(archive["needed"].is_null() && archive["policy"].is_null());
}

#[test]
fn pretty_output_and_one_function() {
    let out = palisade(
        &[
            "iam",
            "least-privilege",
            PROJECT,
            "--function",
            "Notify",
            "--no-progress",
        ],
        &repo(),
    );
    expect_code(&out, 0);
    insta::assert_snapshot!(stdout(&out));

    let archive = palisade(
        &[
            "iam",
            "least-privilege",
            PROJECT,
            "--function",
            "Archive",
            "--no-progress",
        ],
        &repo(),
    );
    assert!(
        stdout(&archive).contains("code not analysed"),
        "{}",
        stdout(&archive)
    );

    let missing = palisade(
        &[
            "iam",
            "least-privilege",
            PROJECT,
            "--function",
            "Nope",
            "--no-progress",
        ],
        &repo(),
    );
    expect_code(&missing, 2);
}

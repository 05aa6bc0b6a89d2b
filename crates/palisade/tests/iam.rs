//! The IAM commands end to end: `iam scan --auth-details` on an account's authorization details,
//! `iam explain` on one policy, and the permission footprints of `scan --format json`.

#![allow(
    clippy::panic,
    clippy::expect_used,
    reason = "a test harness reports failures by panicking"
)]

mod common;

use common::{expect_code, json, palisade, repo, stdout};

const ACCOUNT: &str = "examples/iam/account-authorization-details.json";

fn findings(v: &serde_json::Value) -> Vec<serde_json::Value> {
    v["findings"].as_array().cloned().unwrap_or_default()
}

/// The findings of one rule on one principal.
fn on<'v>(all: &'v [serde_json::Value], code: &str, resource: &str) -> Vec<&'v serde_json::Value> {
    all.iter()
        .filter(|f| f["code"] == code && f["resource"] == resource)
        .collect()
}

#[test]
fn auth_details_risks_per_role_user_group_and_policy() {
    let out = palisade(
        &["iam", "scan", "--auth-details", ACCOUNT, "-f", "json"],
        &repo(),
    );
    expect_code(&out, 1);
    let v = json(&out);
    let all = findings(&v);
    assert!(
        v["diagnostics"].as_array().is_some_and(Vec::is_empty),
        "{v}"
    );

    // An escalation split between an inline policy and a customer managed policy of one role:
    // each half is a related location.
    let deployer = on(&all, "PAL208", "deployer");
    assert_eq!(deployer.len(), 1, "{all:#?}");
    assert_eq!(deployer[0]["resource_type"], "AWS::IAM::Role");
    let related: Vec<&str> = deployer[0]["related"]
        .as_array()
        .map(|r| r.iter().filter_map(|x| x["message"].as_str()).collect())
        .unwrap_or_default();
    assert!(
        related
            .iter()
            .any(|m| m.contains("iam:PassRole via inline policy pass-roles"))
            && related
                .iter()
                .any(|m| m.contains("lambda:CreateFunction via managed policy LambdaManagement")),
        "{related:#?}"
    );
    // A user completes an escalation with its group's policy.
    let user = on(&all, "PAL208", "ci-deployer");
    assert_eq!(user.len(), 1);
    assert_eq!(user[0]["resource_type"], "AWS::IAM::User");
    assert!(
        user[0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("PassExistingRoleToCloudFormation"))
    );
    // A permissions boundary caps the role: no escalation, no write finding.
    assert!(on(&all, "PAL208", "bounded-builder").is_empty());
    assert!(
        on(&all, "PAL203", "bounded-builder")
            .iter()
            .all(|f| !f["message"].as_str().unwrap_or("").contains("iam:"))
    );
    // Only the default version of a managed policy is read (v1 of LambdaManagement is `*`).
    assert!(on(&all, "PAL201", "LambdaManagement").is_empty());
    assert_eq!(on(&all, "PAL203", "LambdaManagement").len(), 1);
    assert_eq!(
        on(&all, "PAL203", "LambdaManagement")[0]["resource_type"],
        "AWS::IAM::ManagedPolicy"
    );
    // Trust: another account without an external id; EC2 holding a data-reading role.
    assert_eq!(on(&all, "PAL213", "vendor-audit").len(), 1);
    assert_eq!(on(&all, "PAL214", "reporting").len(), 1);
    assert_eq!(on(&all, "PAL210", "reporting").len(), 1);
    // The account's own root is not another account.
    assert!(on(&all, "PAL213", "ops-admin").is_empty());
    assert_eq!(on(&all, "PAL205", "ops-admin").len(), 1);
    // Lint: a misspelt action, at its position in the file.
    let typo = on(&all, "PAL220", "vendor-audit");
    assert_eq!(typo.len(), 1);
    assert!(
        typo[0]["location"]["start"]["line"]
            .as_u64()
            .is_some_and(|l| l > 1)
    );
    // A role that only logs and reads its own table has nothing to report.
    assert!(
        all.iter().all(|f| f["resource"] != "orders-api"),
        "{all:#?}"
    );
}

#[test]
fn auth_details_in_every_format() {
    for format in ["pretty", "sarif", "junit"] {
        let out = palisade(
            &["iam", "scan", "--auth-details", ACCOUNT, "-f", format],
            &repo(),
        );
        assert_eq!(out.status.code(), Some(1), "{format}");
        let text = stdout(&out);
        assert!(text.contains("PAL208"), "{format}: {text}");
        if format == "sarif" {
            let v: serde_json::Value = serde_json::from_str(&text).expect("SARIF is JSON");
            assert_eq!(v["version"], "2.1.0");
        }
    }
}

#[test]
fn auth_details_that_cannot_be_read_exit_2_with_a_position() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path();
    let cases = [
        (
            "broken.json",
            "{\"RoleDetailList\": [\n  {\"RoleName\": \"a\",}\n]}",
            "2:",
        ),
        (
            "template.json",
            "{\"Resources\": {}}",
            "get-account-authorization-details",
        ),
        ("list.json", "[1, 2]", "not a JSON object"),
    ];
    for (name, text, expected) in cases {
        std::fs::write(root.join(name), text).expect("write");
        let out = palisade(&["iam", "scan", "--auth-details", name, "-f", "json"], root);
        assert_eq!(out.status.code(), Some(2), "{name}");
        let v = json(&out);
        let diags = v["diagnostics"].as_array().cloned().unwrap_or_default();
        let shown = diags
            .iter()
            .map(|d| format!("{}:{}: {}", d["line"], d["column"], d["message"]))
            .collect::<Vec<_>>()
            .join("\n");
        assert!(shown.contains(expected), "{name}: {shown}");
    }
    // Entries that cannot be read, and references the file does not hold, are reported; the
    // rest is scanned.
    std::fs::write(
        root.join("partial.json"),
        r#"{"RoleDetailList": [
  {"RoleName": "app", "Arn": "arn:aws:iam::111122223333:role/app",
   "RolePolicyList": [42, {"PolicyName": "p", "PolicyDocument": 7}],
   "AttachedManagedPolicies": [{"PolicyName": "gone", "PolicyArn": "arn:aws:iam::111122223333:policy/gone"}, {}],
   "PermissionsBoundary": {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": "arn:aws:iam::111122223333:policy/fence"}},
  "not a role"],
 "UserDetailList": [{"UserName": "bob", "GroupList": ["ghosts", 3], "UserPolicyList": [
   {"PolicyName": "all", "PolicyDocument": {"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}}]}],
 "GroupDetailList": {},
 "Policies": [{"PolicyName": "v", "Arn": "arn:aws:iam::111122223333:policy/v", "DefaultVersionId": "v2",
   "PolicyVersionList": [{"VersionId": "v1", "IsDefaultVersion": true}]}]}"#,
    )
    .expect("write");
    let out = palisade(
        &[
            "iam",
            "scan",
            "--auth-details",
            "partial.json",
            "-f",
            "json",
        ],
        root,
    );
    let v = json(&out);
    assert_eq!(out.status.code(), Some(1), "{v}");
    assert!(
        findings(&v)
            .iter()
            .any(|f| f["code"] == "PAL201" && f["resource"] == "bob")
    );
    let messages: Vec<String> = v["diagnostics"]
        .as_array()
        .map(|d| {
            d.iter()
                .map(|x| format!("{}: {}", x["line"], x["message"]))
                .collect()
        })
        .unwrap_or_default();
    for expected in [
        "an entry of RolePolicyList of app is not an object",
        "inline policy p is not read completely",
        "managed policy arn:aws:iam::111122223333:policy/gone of role app is not among the file's Policies",
        "an attached policy of app has no PolicyArn",
        "permissions boundary arn:aws:iam::111122223333:policy/fence of role app",
        "an entry of RoleDetailList is not an object",
        "user bob is in group ghosts, which is not in GroupDetailList",
        "an entry of the GroupList of bob is not a string",
        "GroupDetailList is not a list",
        "DefaultVersionId and IsDefaultVersion disagree",
        "the default version of policy v has no Document",
    ] {
        assert!(
            messages.iter().any(|m| m.contains(expected)),
            "{expected}: {messages:#?}"
        );
    }
    // One page of a paginated listing: read, with a warning that principals are missing.
    std::fs::write(
        root.join("page.json"),
        r#"{"RoleDetailList": [], "IsTruncated": true, "Marker": "abc"}"#,
    )
    .expect("write");
    let out = palisade(
        &["iam", "scan", "--auth-details", "page.json", "-f", "json"],
        root,
    );
    assert_eq!(out.status.code(), Some(0));
    assert!(
        json(&out)["diagnostics"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("truncated"))
    );
}

#[test]
fn explain_groups_actions_by_service_and_level_with_risks() {
    let out = palisade(
        &["iam", "explain", "examples/iam/deployer-policy.json"],
        &repo(),
    );
    assert_eq!(out.status.code(), Some(0));
    insta::assert_snapshot!("explain_pretty", stdout(&out));

    let out = palisade(
        &[
            "iam",
            "explain",
            "examples/iam/deployer-policy.json",
            "-f",
            "json",
        ],
        &repo(),
    );
    let v = json(&out);
    let lambda = v["services"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["prefix"] == "lambda"))
        .cloned()
        .expect("lambda is listed");
    let write: Vec<&str> = lambda["by_access_level"]["Write"]
        .as_array()
        .map(|a| a.iter().filter_map(|x| x["action"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(
        write,
        [
            "lambda:CreateFunction",
            "lambda:InvokeFunction",
            "lambda:UpdateFunctionCode"
        ]
    );
    assert_eq!(v["denied"], 1);
    let sqs = v["services"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["prefix"] == "sqs"))
        .cloned()
        .expect("sqs is listed");
    assert_eq!(sqs["by_access_level"]["Write"][0]["reach"], "conditional");
    let risks: Vec<&str> = v["risks"]
        .as_array()
        .map(|r| r.iter().filter_map(|x| x["code"].as_str()).collect())
        .unwrap_or_default();
    assert!(
        risks.contains(&"PAL208") && risks.contains(&"PAL204"),
        "{risks:?}"
    );
}

#[test]
fn explain_reads_yaml_and_get_policy_version_output_and_rejects_the_rest() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path();
    std::fs::write(
        root.join("p.yaml"),
        "Version: '2012-10-17'\nStatement:\n  - Effect: Allow\n    Action: [s3:GetObject]\n    Resource: arn:aws:s3:::b/*\n",
    )
    .expect("write");
    std::fs::write(
        root.join("version.json"),
        r#"{"PolicyVersion": {"Document": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sqs:*", "Resource": "*"}]}, "VersionId": "v3", "IsDefaultVersion": true}}"#,
    )
    .expect("write");
    std::fs::write(root.join("template.yaml"), "Resources: {}\n").expect("write");
    std::fs::write(root.join("broken.json"), "{\"Statement\": [\n").expect("write");

    let out = palisade(&["iam", "explain", "p.yaml", "-f", "json"], root);
    assert_eq!(json(&out)["actions"], 1);
    let out = palisade(&["iam", "explain", "version.json", "-f", "json"], root);
    let v = json(&out);
    assert_eq!(v["services"][0]["prefix"], "sqs");
    assert_eq!(v["services"][0]["granted"], v["services"][0]["total"]);

    for (file, expected) in [
        ("template.yaml", "not an IAM policy document"),
        ("broken.json", "broken.json:"),
        ("missing.json", "no such file"),
    ] {
        let out = palisade(&["iam", "explain", file], root);
        assert_eq!(out.status.code(), Some(2), "{file}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(expected), "{file}: {err}");
    }
}

#[test]
fn scan_json_has_each_function_permission_footprint() {
    let out = palisade(
        &[
            "scan",
            "examples/vulnerable-sam",
            "--date=2026-11-22",
            "-f",
            "json",
        ],
        &repo(),
    );
    let v = json(&out);
    let fps = v["permission_footprints"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(fps.len(), 6, "{fps:#?}");
    let of = |name: &str| {
        fps.iter()
            .find(|f| f["function"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("no footprint for {name}"))
    };
    let nightly = of("NightlyReport");
    assert_eq!(nightly["administrator"], true);
    let worker = of("Worker");
    assert_eq!(worker["role"], "SharedRole");
    assert!(worker["services"]["s3"].as_u64().is_some_and(|n| n > 100));
    assert!(
        worker["risky"]
            .as_array()
            .is_some_and(|r| r.iter().any(|c| c["category"] == "data-exfiltration"))
    );
    let orders = of("CreateOrder");
    assert!(orders["actions"].as_u64().is_some_and(|n| n > 0));
    assert_eq!(orders["administrator"], false);
}

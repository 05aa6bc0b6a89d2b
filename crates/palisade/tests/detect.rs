//! `palisade detect` end to end: every kind of log in one run, findings placed in the template,
//! malformed input named, every output format, Sigma rule folders, correlations, baselines.

#![allow(
    clippy::panic,
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "a test harness reports failures by panicking"
)]

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use common::{expect_code, json, palisade, repo, stdout};

fn project() -> PathBuf {
    repo().join("crates/palisade/tests/projects/detect")
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// (code, resource, line) of every finding.
fn placed(v: &serde_json::Value) -> BTreeSet<(String, String, u64)> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["resource"].as_str().unwrap_or("-").to_string(),
                f["location"]["start"]["line"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn detect_reads_every_kind_of_log_and_places_findings_in_the_template() {
    let out = palisade(
        &["detect", "logs", "--app", ".", "--format", "json"],
        &project(),
    );
    // A corrupt gzip and a broken JSON line: exit 2, both named, the rest still analysed.
    expect_code(&out, 2);
    let err = stderr(&out);
    assert!(
        err.contains("6 files, 44 records read, 42 analysed (7 CloudTrail events, 33 function log messages, 2 access log entries), 2 malformed"),
        "{err}"
    );
    let v = json(&out);
    let got = placed(&v);
    let want: BTreeSet<(String, String, u64)> = [
        // CloudTrail: the function changed by someone who is not a deployer, its concurrency
        // set to 0, its policy opened to everyone; logging stopped (Palisade's and SigmaHQ's
        // rule); SigmaHQ's broad AssumeRole rule on the roles' calls.
        ("PAL501", "OrdersApi", 4),
        ("PAL507", "OrdersApi", 4),
        ("PAL501", "Webhook", 12),
        ("PAL505", "Webhook", 12),
        ("PAL511", "-", 0),
        ("4db60cc0-36fb-42b7-9b58-a5b53019fb74", "-", 0),
        ("905d389b-b853-46d0-9d3d-dea0d3a3cd49", "OrdersApi", 4),
        // Function logs: payloads in a logged event, a burst of timeouts.
        ("PAL520", "OrdersApi", 4),
        ("PAL521", "OrdersApi", 4),
        // API Gateway access logs: a traversal in the path.
        ("PAL524", "-", 2),
    ]
    .into_iter()
    .map(|(c, r, l)| (c.to_string(), r.to_string(), l))
    .collect();
    assert_eq!(got, want);

    // Every detection carries its event; a SigmaHQ match names the rule's author.
    let findings = v["findings"].as_array().unwrap();
    let sigma = findings
        .iter()
        .find(|f| f["code"] == "4db60cc0-36fb-42b7-9b58-a5b53019fb74")
        .unwrap();
    assert_eq!(sigma["event"]["sigma"]["author"], "vitaliy0x1");
    assert!(sigma["message"].as_str().unwrap().contains("by vitaliy0x1"));
    assert_eq!(sigma["event"]["raw"]["eventName"], "StopLogging");
    assert_eq!(sigma["event"]["log"]["at"], "records[5]");
    let pal501 = findings
        .iter()
        .find(|f| f["code"] == "PAL501" && f["resource"] == "Webhook")
        .unwrap();
    assert_eq!(pal501["event"]["function_name"], "orders-webhook");
    assert_eq!(
        pal501["event"]["principal"],
        "arn:aws:iam::111122223333:user/mallory"
    );
    assert_eq!(
        pal501["related"][0]["location"]["path"]
            .as_str()
            .unwrap()
            .rsplit('/')
            .next(),
        Some("111122223333_CloudTrail_eu-west-1_20240501T1205Z_a1.json.gz")
    );
    // The same role calling the same API twice is one finding, counted.
    let assume: Vec<&serde_json::Value> = findings
        .iter()
        .filter(|f| f["code"] == "905d389b-b853-46d0-9d3d-dea0d3a3cd49")
        .collect();
    assert_eq!(assume.len(), 3);

    let problems: Vec<String> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            format!(
                "{} {}",
                d["path"].as_str().unwrap(),
                d["message"].as_str().unwrap()
            )
        })
        .collect();
    assert!(problems.iter().any(|p| p.ends_with("_b2.json.gz records[1]: the file cannot be read from here on: incomplete deflate stream")), "{problems:?}");
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with("logs/cloudtrail/lake-export.jsonl line 2:")),
        "{problems:?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with("logs/README.txt skipped: not a log")),
        "{problems:?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.contains("placeholder %Legitimate_Countries%")),
        "{problems:?}"
    );
}

#[test]
fn jsonl_streams_the_same_findings_and_asff_and_sarif_carry_them() {
    let json_out = palisade(
        &["detect", "logs", "--app", ".", "--format", "json"],
        &project(),
    );
    let report = json(&json_out);
    let out = palisade(
        &["detect", "logs", "--app", ".", "--format", "jsonl"],
        &project(),
    );
    expect_code(&out, 2);
    let lines: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let codes = |items: &[serde_json::Value]| -> BTreeSet<String> {
        items
            .iter()
            .map(|f| format!("{} {}", f["code"], f["fingerprint"]))
            .collect()
    };
    assert_eq!(codes(&lines), codes(report["findings"].as_array().unwrap()));

    let out = palisade(
        &[
            "detect",
            "logs",
            "--app",
            ".",
            "--format",
            "asff",
            "--aws-region",
            "eu-west-1",
        ],
        &project(),
    );
    let asff = json(&out);
    let findings = asff["Findings"].as_array().unwrap();
    assert_eq!(findings.len(), lines.len());
    let stop = findings
        .iter()
        .find(|f| f["GeneratorId"] == "palisade/PAL511")
        .unwrap();
    assert_eq!(stop["AwsAccountId"], "111122223333");
    assert_eq!(stop["Types"][0], "Unusual Behaviors/Serverless");
    assert_eq!(stop["Severity"]["Label"], "HIGH");
    assert_eq!(stop["CreatedAt"], "2024-05-01T12:02:00Z");
    let webhook = findings
        .iter()
        .find(|f| f["GeneratorId"] == "palisade/PAL505")
        .unwrap();
    assert_eq!(
        webhook["Resources"][0]["Id"],
        "arn:aws:lambda:eu-west-1:111122223333:function:orders-webhook"
    );

    let out = palisade(
        &["detect", "logs", "--app", ".", "--format", "sarif"],
        &project(),
    );
    let sarif = json(&out);
    let rules: BTreeSet<String> = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    assert!(rules.contains("PAL511") && rules.contains("4db60cc0-36fb-42b7-9b58-a5b53019fb74"));
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), lines.len());
    assert!(results.iter().all(|r| r["properties"]["event"].is_object()));
}

fn write_events(dir: &Path, name: &str, events: &[serde_json::Value]) -> PathBuf {
    let path = dir.join(name);
    let text: String = events.iter().map(|e| format!("{e}\n")).collect();
    std::fs::write(&path, text).unwrap();
    path
}

fn role_call(time: &str, source: &str, name: &str, params: serde_json::Value) -> serde_json::Value {
    serde_json::json!({
        "eventVersion": "1.09",
        "eventTime": time,
        "eventSource": source,
        "eventName": name,
        "awsRegion": "eu-west-1",
        "sourceIPAddress": "3.250.1.2",
        "userAgent": "Boto3/1.34.0 exec-env/AWS_Lambda_python3.12",
        "userIdentity": {
            "type": "AssumedRole",
            "arn": "arn:aws:sts::111122223333:assumed-role/orders-api-role/orders-api",
            "accountId": "111122223333",
            "accessKeyId": "ASIAEXAMPLE",
            "sessionContext": {"sessionIssuer": {"type": "Role", "arn": "arn:aws:iam::111122223333:role/orders-api-role"}}
        },
        "requestParameters": params,
        "eventID": format!("{time}-{name}"),
        "recipientAccountId": "111122223333"
    })
}

#[test]
fn learn_a_baseline_then_report_what_is_new() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("baseline.redb");
    let store_arg = store.display().to_string();
    // A week of a function role reading its table, every hour.
    let mut week = Vec::new();
    for day in 1..=7 {
        for hour in 0..24 {
            for n in 0..3 {
                week.push(role_call(
                    &format!("2024-05-{day:02}T{hour:02}:{:02}:00Z", n * 10),
                    "dynamodb.amazonaws.com",
                    "GetItem",
                    serde_json::json!({"tableName": "orders"}),
                ));
            }
        }
    }
    let training = write_events(dir.path(), "week.jsonl", &week);
    let out = palisade(
        &[
            "detect",
            training.to_str().unwrap(),
            "--learn",
            "--baseline-store",
            &store_arg,
        ],
        dir.path(),
    );
    expect_code(&out, 0);
    assert!(
        stderr(&out).contains("learnt 504 events of 1 principals"),
        "{}",
        stderr(&out)
    );
    let info = palisade(
        &["detect", "--baseline-info", "--baseline-store", &store_arg],
        dir.path(),
    );
    expect_code(&info, 0);
    assert!(
        stdout(&info).contains("orders-api-role") || stdout(&info).contains("1 principal"),
        "{}",
        stdout(&info)
    );

    // The next day: the same calls, and a secret it never read.
    let day = vec![
        role_call(
            "2024-05-08T09:00:00Z",
            "dynamodb.amazonaws.com",
            "GetItem",
            serde_json::json!({"tableName": "orders"}),
        ),
        role_call(
            "2024-05-08T09:05:00Z",
            "secretsmanager.amazonaws.com",
            "GetSecretValue",
            serde_json::json!({"secretId": "arn:aws:secretsmanager:eu-west-1:111122223333:secret:billing-db-AbCdEf"}),
        ),
    ];
    let next = write_events(dir.path(), "day.jsonl", &day);
    let out = palisade(
        &[
            "detect",
            next.to_str().unwrap(),
            "--baseline-store",
            &store_arg,
            "--format",
            "json",
            "--select",
            "PAL530,PAL534",
        ],
        dir.path(),
    );
    let v = json(&out);
    let codes: BTreeSet<String> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        codes,
        BTreeSet::from(["PAL530".to_string(), "PAL534".to_string()])
    );
    let secret = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "PAL534")
        .unwrap();
    assert!(
        secret["message"].as_str().unwrap().contains("billing-db"),
        "{secret}"
    );
}

#[test]
fn rules_folders_and_correlations() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules");
    std::fs::create_dir(&rules).unwrap();
    std::fs::write(
        rules.join("secret_read.yml"),
        "title: Secret read by a function role\nid: 0c7f3f0e-8a3e-4c62-9a4a-3b1a4c8d2e11\nauthor: Example Team\nlogsource:\n  product: aws\n  service: cloudtrail\ndetection:\n  selection:\n    eventName: GetSecretValue\n    userAgent|contains: exec-env/AWS_Lambda\n  condition: selection\nlevel: high\n",
    )
    .unwrap();
    std::fs::write(rules.join("broken.yml"), "title: [unclosed\n").unwrap();
    let events = vec![role_call(
        "2024-05-08T09:05:00Z",
        "secretsmanager.amazonaws.com",
        "GetSecretValue",
        serde_json::json!({"secretId": "db"}),
    )];
    let log = write_events(dir.path(), "day.jsonl", &events);
    let out = palisade(
        &[
            "detect",
            log.to_str().unwrap(),
            "--no-bundled-rules",
            "--rules",
            rules.to_str().unwrap(),
            "--format",
            "json",
            "--no-baseline",
        ],
        dir.path(),
    );
    let v = json(&out);
    let codes: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["0c7f3f0e-8a3e-4c62-9a4a-3b1a4c8d2e11"]);
    assert_eq!(v["findings"][0]["event"]["sigma"]["author"], "Example Team");
    // The broken rule is named, the good one still ran.
    assert!(
        v["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["path"] == "broken.yml"),
        "{}",
        v["diagnostics"]
    );

    // A correlation (SigmaHQ's backup enumeration, rewritten as event_count > 5 in 10 min).
    let mut listing = Vec::new();
    for n in 0..7 {
        let mut e = role_call(
            &format!("2024-05-08T10:0{n}:00Z"),
            "ec2.amazonaws.com",
            "DescribeVolumes",
            serde_json::json!({}),
        );
        e["eventID"] = serde_json::json!(format!("enum-{n}"));
        listing.push(e);
    }
    let log = write_events(dir.path(), "enum.jsonl", &listing);
    let out = palisade(
        &[
            "detect",
            log.to_str().unwrap(),
            "--format",
            "json",
            "--no-baseline",
            "--select",
            "76255e09-755e-4675-8b6b-dbce9842cd2a",
        ],
        dir.path(),
    );
    let v = json(&out);
    let findings = v["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{v}");
    assert!(
        findings[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("Potential Backup Enumeration on AWS: 6 events in 600 s"),
        "{}",
        findings[0]["message"]
    );
    assert_eq!(
        findings[0]["event"]["sigma"]["author"],
        "Janantha Marasinghe"
    );
}

#[test]
fn hostile_inputs_are_counted_and_named_and_the_rest_is_read() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    // A function's log export cut before gzip's trailer: its lines are still read.
    let log = std::fs::read(project().join("logs/lambda/orders-api/2024-05-01.log")).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&log).unwrap();
    let gz = gz.finish().unwrap();
    let fn_dir = dir.path().join("orders-api");
    std::fs::create_dir(&fn_dir).unwrap();
    std::fs::write(fn_dir.join("cut.log.gz"), &gz[..gz.len() - 12]).unwrap();
    // Records that are no CloudTrail events: read, not analysed, each named.
    std::fs::write(
        dir.path().join("odd.json"),
        r#"{"Records": [1, "x", null, {}]}"#,
    )
    .unwrap();
    // A link is not followed, and said so.
    #[cfg(unix)]
    std::os::unix::fs::symlink(dir.path().join("odd.json"), dir.path().join("link.json")).unwrap();
    let out = palisade(
        &[
            "detect",
            dir.path().to_str().unwrap(),
            "--no-baseline",
            "--format",
            "json",
        ],
        dir.path(),
    );
    expect_code(&out, 2);
    let err = stderr(&out);
    assert!(
        err.contains("2 files, 37 records read, 32 analysed (0 CloudTrail events, 32 function log messages, 0 access log entries), 5 malformed"),
        "{err}"
    );
    let v = json(&out);
    let codes: BTreeSet<String> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect();
    assert!(
        codes.contains("PAL520") && codes.contains("PAL521"),
        "{codes:?}"
    );
    let problems: Vec<String> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            format!(
                "{} {}",
                d["path"].as_str().unwrap(),
                d["message"].as_str().unwrap()
            )
        })
        .collect();
    assert!(
        problems
            .iter()
            .any(|p| p
                .ends_with("cut.log.gz file: unreadable after line 32: incomplete deflate stream")),
        "{problems:?}"
    );
    assert!(problems.iter().any(|p| p.ends_with("odd.json records[1]: not a CloudTrail event: invalid type: integer `1`, expected struct CloudTrailEvent at line 1 column 1")), "{problems:?}");
    #[cfg(unix)]
    assert!(
        problems.iter().any(|p| p.ends_with(
            "link.json skipped: a symbolic link, not followed (give its target instead)"
        )),
        "{problems:?}"
    );
}

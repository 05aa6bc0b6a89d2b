//! Speed of Sigma matching on synthetic CloudTrail records, against merely parsing them.
//! Run: `cargo test --release -p palisade-detect --test sigma_bench -- --ignored --nocapture`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    reason = "bench"
)]

use std::time::Instant;

use palisade_detect::RuleSet;

/// About 1.2 KB each, with the services and calls of a busy account (mostly reads).
fn records(n: usize) -> Vec<String> {
    let calls = [
        ("s3.amazonaws.com", "GetObject"),
        ("s3.amazonaws.com", "PutObject"),
        ("sts.amazonaws.com", "AssumeRole"),
        ("ec2.amazonaws.com", "DescribeInstances"),
        ("lambda.amazonaws.com", "Invoke"),
        ("dynamodb.amazonaws.com", "GetItem"),
        ("kms.amazonaws.com", "Decrypt"),
        ("iam.amazonaws.com", "ListRoles"),
        ("s3.amazonaws.com", "PutBucketVersioning"),
        ("cloudtrail.amazonaws.com", "DescribeTrails"),
    ];
    (0..n)
        .map(|i| {
            let (source, name) = calls[i % calls.len()];
            serde_json::json!({
                "eventVersion": "1.08",
                "userIdentity": {
                    "type": if i % 3 == 0 { "IAMUser" } else { "AssumedRole" },
                    "principalId": format!("AROAEXAMPLE{i}:session"),
                    "arn": format!("arn:aws:sts::111122223333:assumed-role/app-{}/session-{i}", i % 17),
                    "accountId": "111122223333",
                    "accessKeyId": "ASIAEXAMPLEEXAMPLE",
                    "sessionContext": {
                        "sessionIssuer": {"type": "Role", "principalId": "AROAEXAMPLE", "arn": "arn:aws:iam::111122223333:role/app", "accountId": "111122223333", "userName": "app"},
                        "attributes": {"creationDate": "2024-05-01T11:00:00Z", "mfaAuthenticated": "false"}
                    }
                },
                "eventTime": format!("2024-05-01T12:{:02}:{:02}Z", (i / 60) % 60, i % 60),
                "eventSource": source,
                "eventName": name,
                "awsRegion": "eu-west-1",
                "sourceIPAddress": format!("198.51.100.{}", i % 250),
                "userAgent": "aws-sdk-java/2.25.11 Linux/5.10.216 OpenJDK_64-Bit_Server_VM/17.0.11+9-LTS Java/17.0.11 vendor/Amazon.com_Inc. exec-env/AWS_Lambda_java17",
                "requestParameters": {"bucketName": format!("bucket-{}", i % 40), "key": format!("data/2024/05/01/object-{i}.json"), "Host": "bucket.s3.eu-west-1.amazonaws.com", "VersioningConfiguration": {"Status": "Enabled"}},
                "responseElements": null,
                "additionalEventData": {"SignatureVersion": "SigV4", "CipherSuite": "TLS_AES_128_GCM_SHA256", "bytesTransferredIn": 0, "AuthenticationMethod": "AuthHeader", "x-amz-id-2": "EXAMPLEexampleEXAMPLEexample=", "bytesTransferredOut": 1234},
                "requestID": format!("REQ{i:012}"),
                "eventID": format!("0e3c5b1a-0000-4000-8000-{i:012}"),
                "readOnly": i % 4 != 1,
                "resources": [{"type": "AWS::S3::Object", "ARN": format!("arn:aws:s3:::bucket-{}/data/object-{i}.json", i % 40)}],
                "eventType": "AwsApiCall",
                "managementEvent": false,
                "recipientAccountId": "111122223333",
                "eventCategory": "Data",
                "tlsDetails": {"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256", "clientProvidedHostHeader": "bucket.s3.eu-west-1.amazonaws.com"}
            })
            .to_string()
        })
        .collect()
}

fn rate(label: &str, bytes: usize, n: usize, run: impl Fn() -> usize) {
    let mut best = f64::MAX;
    let mut found = 0;
    for _ in 0..5 {
        let start = Instant::now();
        found = run();
        best = best.min(start.elapsed().as_secs_f64());
    }
    println!(
        "{label:<34} {:>9.0} events/s {:>7.0} MB/s  ({found} matches)",
        n as f64 / best,
        bytes as f64 / best / 1e6
    );
}

#[test]
#[ignore = "a measurement, run in release"]
fn sigma_matching_speed() {
    let set = RuleSet::bundled();
    let lines = records(50_000);
    let bytes: usize = lines.iter().map(String::len).sum();
    println!(
        "{} records, {} bytes each on average, {} rules",
        lines.len(),
        bytes / lines.len(),
        set.len()
    );
    rate("parse into Value", bytes, lines.len(), || {
        lines
            .iter()
            .map(|l| {
                serde_json::from_str::<serde_json::Value>(l)
                    .map_or(0, |v| usize::from(v.is_object()))
            })
            .sum()
    });
    rate("parse into Value + matches", bytes, lines.len(), || {
        lines
            .iter()
            .map(|l| set.matches(&serde_json::from_str(l).unwrap()).len())
            .sum()
    });
    rate("matches_json (raw text)", bytes, lines.len(), || {
        lines
            .iter()
            .map(|l| set.matches_json(l).unwrap().len())
            .sum()
    });
}

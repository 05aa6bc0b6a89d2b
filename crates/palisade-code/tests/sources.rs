//! Event sources typed by trigger, in both languages: the attacker-shaped field of each trigger
//! reaches a sink and is reported with its trigger; a field the platform fills does not.

#![allow(
    clippy::panic,
    clippy::expect_used,
    reason = "a test harness reports failures by panicking"
)]

mod support;

use palisade_model::{SinkKind, SourceMap, TriggerKind};
use support::app_with;

/// (trigger, attacker-shaped access, platform-filled access), as Python expressions on `event`.
const CASES: &[(TriggerKind, &str, &str)] = &[
    (
        TriggerKind::RestApi,
        "event['body']",
        "event['requestContext']['stage']",
    ),
    (
        TriggerKind::HttpApi,
        "event['queryStringParameters']['q']",
        "event['routeKey']",
    ),
    (
        TriggerKind::FunctionUrl,
        "event['headers']['x-name']",
        "event['requestContext']['accountId']",
    ),
    (
        TriggerKind::Alb,
        "event['path']",
        "event['requestContext']['elb']['targetGroupArn']",
    ),
    (
        TriggerKind::S3,
        "event['Records'][0]['s3']['object']['key']",
        "event['Records'][0]['eventTime']",
    ),
    (
        TriggerKind::Sqs,
        "event['Records'][0]['body']",
        "event['Records'][0]['eventSourceARN']",
    ),
    (
        TriggerKind::Sns,
        "event['Records'][0]['Sns']['Message']",
        "event['Records'][0]['Sns']['TopicArn']",
    ),
    (
        TriggerKind::DynamoDbStream,
        "event['Records'][0]['dynamodb']['NewImage']['name']['S']",
        "event['Records'][0]['eventName']",
    ),
    (
        TriggerKind::Kinesis,
        "event['Records'][0]['kinesis']['data']",
        "event['Records'][0]['eventID']",
    ),
    (
        TriggerKind::EventBridgeRule,
        "event['detail']['name']",
        "event['account']",
    ),
    (
        TriggerKind::Cognito,
        "event['request']['userAttributes']['email']",
        "event['userPoolId']",
    ),
    (
        TriggerKind::Ses,
        "event['Records'][0]['ses']['mail']['commonHeaders']['subject']",
        "event['Records'][0]['eventVersion']",
    ),
    (TriggerKind::Iot, "event['payload']", "event['payload']"),
];

/// The same access in JavaScript: `['a'][0]` → `.a[0]`.
fn to_js(py: &str) -> String {
    py.replace("['", ".").replace("']", "")
}

fn flows(kind: &TriggerKind, python: bool, access: &str) -> Vec<palisade_model::TaintFlow> {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    std::fs::create_dir(dir.join("src")).expect("mkdir");
    let (runtime, handler) = if python {
        let code = format!(
            "import os\n\ndef handler(event, context):\n    value = {access}\n    os.system('echo ' + value)\n"
        );
        std::fs::write(dir.join("src/app.py"), code).expect("write");
        ("python3.12", "app.handler")
    } else {
        let code = format!(
            "const {{ execSync }} = require('child_process');\nexports.handler = async (event) => {{\n  const value = {};\n  execSync(`echo ${{value}}`);\n}};\n",
            to_js(access)
        );
        std::fs::write(dir.join("src/index.js"), code).expect("write");
        ("nodejs20.x", "index.handler")
    };
    let sources = SourceMap::new();
    let app = app_with(dir, &sources, kind, runtime, handler);
    let (code, diagnostics) = palisade_code::analyze_app(&app, &sources);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    code.into_iter().flat_map(|c| c.flows).collect()
}

#[test]
fn every_trigger_types_its_event() {
    for (kind, attacker, platform) in CASES {
        for python in [true, false] {
            let lang = if python { "Python" } else { "JavaScript" };
            let found = flows(kind, python, attacker);
            assert_eq!(
                found.len(),
                1,
                "{kind:?} {lang}: {attacker} must reach the sink"
            );
            assert_eq!(found[0].sink, SinkKind::Command);
            assert!(
                found[0].trigger.starts_with(kind.label()),
                "{kind:?} {lang}: trigger named {}",
                found[0].trigger
            );
            if attacker != platform {
                let none = flows(kind, python, platform);
                assert!(
                    none.is_empty(),
                    "{kind:?} {lang}: {platform} is not attacker data: {none:?}"
                );
            }
        }
    }
}

#[test]
fn a_schedule_carries_no_attacker_data_and_no_trigger_means_the_whole_event() {
    assert!(flows(&TriggerKind::Schedule, true, "event['detail']['x']").is_empty());
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    std::fs::create_dir(dir.join("src")).expect("mkdir");
    std::fs::write(
        dir.join("src/app.py"),
        "import os\n\ndef handler(event, context):\n    os.system(event['anything'])\n",
    )
    .expect("write");
    let sources = SourceMap::new();
    let mut app = app_with(
        dir,
        &sources,
        &TriggerKind::Sqs,
        "python3.12",
        "app.handler",
    );
    if let Some(f) = app.functions.first_mut() {
        f.triggers.clear();
    }
    let (code, _) = palisade_code::analyze_app(&app, &sources);
    let flows: Vec<_> = code.into_iter().flat_map(|c| c.flows).collect();
    assert_eq!(flows.len(), 1);
    assert!(
        flows[0].trigger.contains("no known trigger"),
        "{}",
        flows[0].trigger
    );
}

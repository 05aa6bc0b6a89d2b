#![allow(clippy::unwrap_used, reason = "tests")]
use std::path::Path;
use palisade_detect::RuleSet;
use serde_json::json;

#[test]
fn probe() {
    let set = RuleSet::load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/palisade"));
    println!("problems {:?} len {}", set.problems, set.len());
    let evs = vec![
        ("conc0", json!({"eventSource":"lambda.amazonaws.com","eventName":"PutFunctionConcurrency20171031","requestParameters":{"functionName":"f","reservedConcurrentExecutions":0},"errorCode":null})),
        ("conc5", json!({"eventSource":"lambda.amazonaws.com","eventName":"PutFunctionConcurrency20171031","requestParameters":{"functionName":"f","reservedConcurrentExecutions":5}})),
        ("conc0err", json!({"eventSource":"lambda.amazonaws.com","eventName":"PutFunctionConcurrency20171031","requestParameters":{"functionName":"f","reservedConcurrentExecutions":0},"errorCode":"AccessDenied"})),
        ("layers", json!({"eventSource":"lambda.amazonaws.com","eventName":"UpdateFunctionConfiguration20150331v2","requestParameters":{"functionName":"f","layers":["arn:aws:lambda:us-east-1:1:layer:x:1"]}})),
        ("layers-empty", json!({"eventSource":"lambda.amazonaws.com","eventName":"UpdateFunctionConfiguration20150331v2","requestParameters":{"functionName":"f","layers":[]}})),
        ("layers-resp", json!({"eventSource":"lambda.amazonaws.com","eventName":"UpdateFunctionConfiguration20150331v2","requestParameters":{"functionName":"f"},"responseElements":{"layers":[{"arn":"arn:aws:lambda:us-east-1:1:layer:x:1"}]}})),
        ("url-create-fn", json!({"eventSource":"lambda.amazonaws.com","eventName":"CreateFunctionUrlConfig20211031","requestParameters":{"functionName":"f","authType":"NONE"}})),
        ("trail-false", json!({"eventSource":"cloudtrail.amazonaws.com","eventName":"UpdateTrail","requestParameters":{"name":"t","isMultiRegionTrail":false}})),
        ("trail-true", json!({"eventSource":"cloudtrail.amazonaws.com","eventName":"UpdateTrail","requestParameters":{"name":"t","isMultiRegionTrail":true}})),
        ("sel-false", json!({"eventSource":"cloudtrail.amazonaws.com","eventName":"PutEventSelectors","requestParameters":{"eventSelectors":[{"includeManagementEvents":true,"readWriteType":"All"},{"includeManagementEvents":false,"readWriteType":"All"}]}})),
        ("sel-ok", json!({"eventSource":"cloudtrail.amazonaws.com","eventName":"PutEventSelectors","requestParameters":{"eventSelectors":[{"includeManagementEvents":true,"readWriteType":"All"}]}})),
        ("stop-nullerr", json!({"eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging","errorCode":null})),
    ];
    for (name, e) in evs {
        let m: Vec<String> = set.matches(&e).into_iter().map(|m| m.rule.title).collect();
        println!("{name}: {m:?}");
    }
}

//! AWS SDK calls as the code writes them: boto3 clients, resources and paginators, the
//! JavaScript SDK v2 and v3, and operations chosen at run time.

#![allow(
    clippy::panic,
    clippy::expect_used,
    reason = "a test harness reports failures by panicking"
)]

mod support;

use palisade_model::{ResourceName, SdkCall};
use support::analyse;

/// `client resource_type operation [param=name ...]`, one line per call, in code order.
fn render(calls: &[SdkCall]) -> Vec<String> {
    calls
        .iter()
        .map(|c| {
            let mut s = format!(
                "{} {} {}",
                c.client,
                c.resource_type.as_deref().unwrap_or("-"),
                c.operation.as_deref().unwrap_or("?")
            );
            for (k, v) in &c.resources {
                let v = match v {
                    ResourceName::Literal(l) => format!("'{l}'"),
                    ResourceName::Env(e) => format!("${e}"),
                    ResourceName::Unknown => "?".to_string(),
                };
                s.push_str(&format!(" {k}={v}"));
            }
            s
        })
        .collect()
}

#[test]
fn boto3_clients_resources_paginators_and_dynamic_calls() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let app = r#"
import os
import boto3
from store import save

s3 = boto3.client("s3")
table = boto3.resource("dynamodb").Table(os.environ["TABLE"])
BUCKET = os.getenv("BUCKET")


def handler(event, context):
    s3.put_object(Bucket=BUCKET, Key="a.txt", Body=b"x")
    table.put_item(Item={"id": "1"})
    boto3.resource("s3").Bucket("reports").upload_file("/tmp/r", "r")
    pages = s3.get_paginator("list_objects_v2")
    for page in pages.paginate(Bucket=BUCKET):
        print(page)
    op = event["op"]
    getattr(s3, op)(Bucket=BUCKET)
    save(event)
"#;
    let store = r#"
import boto3

sqs = boto3.client("sqs")


def save(item):
    sqs.send_message(QueueUrl="https://sqs.eu-west-1.amazonaws.com/111122223333/jobs", MessageBody="x")
"#;
    let (code, _) = analyse(
        tmp.path(),
        &[("app.py", app), ("store.py", store)],
        "python3.12",
        "app.handler",
    );
    assert_eq!(
        render(&code.sdk_calls),
        [
            "s3 - put_object Bucket=$BUCKET Key='a.txt' Body='x'",
            "dynamodb Table put_item Table=$TABLE Item=?",
            "s3 Bucket upload_file Bucket='reports'",
            "s3 - list_objects_v2 Bucket=$BUCKET",
            "s3 - ? Bucket=$BUCKET",
            "sqs - send_message QueueUrl='https://sqs.eu-west-1.amazonaws.com/111122223333/jobs' MessageBody='x'",
        ]
    );
}

#[test]
fn javascript_sdk_v2_and_v3() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let v2 = r#"
const AWS = require("aws-sdk");
const s3 = new AWS.S3();
const docs = new AWS.DynamoDB.DocumentClient();

exports.handler = async (event) => {
  await s3.putObject({ Bucket: process.env.BUCKET, Key: "k", Body: "x" }).promise();
  await docs.put({ TableName: process.env.TABLE, Item: {} }).promise();
  await s3[event.op]({ Bucket: "logs" }).promise();
};
"#;
    let (code, _) = analyse(
        tmp.path(),
        &[("index.js", v2)],
        "nodejs20.x",
        "index.handler",
    );
    assert_eq!(
        render(&code.sdk_calls),
        [
            "S3 - putObject Body='x' Bucket=$BUCKET Key='k'",
            "DynamoDB.DocumentClient - put TableName=$TABLE",
            "S3 - ? Bucket='logs'",
        ]
    );

    let tmp = tempfile::tempdir().expect("tempdir");
    let v3 = r#"
import { S3Client, PutObjectCommand } from "@aws-sdk/client-s3";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";
import { Upload } from "@aws-sdk/lib-storage";

const s3 = new S3Client({});
const docs = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const { TABLE } = process.env;

export const handler = async (event) => {
  await s3.send(new PutObjectCommand({ Bucket: process.env.BUCKET, Key: event.key }));
  await docs.send(new PutCommand({ TableName: TABLE, Item: {} }));
  await new Upload({ client: s3, params: { Bucket: "uploads", Key: "k", Body: "x" } }).done();
};
"#;
    let (code, _) = analyse(
        tmp.path(),
        &[("index.mjs", v3)],
        "nodejs20.x",
        "index.handler",
    );
    assert_eq!(
        render(&code.sdk_calls),
        [
            "@aws-sdk/client-s3 - PutObjectCommand Bucket=$BUCKET Key=?",
            "@aws-sdk/lib-dynamodb - PutCommand TableName=$TABLE",
            "@aws-sdk/lib-storage - Upload Body='x' Bucket='uploads' Key='k'",
        ]
    );
}

"""Stores an order, keeps a copy in S3 and queues a job."""
import os

import boto3

TABLE = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])
S3 = boto3.client("s3")
SQS = boto3.client("sqs")


def handler(event, context):
    order_id = str(event["id"])
    TABLE.put_item(Item={"id": order_id})
    S3.put_object(Bucket=os.environ["UPLOADS"], Key="orders/" + order_id, Body=b"{}")
    SQS.send_message(QueueUrl=os.environ["JOBS_URL"], MessageBody=order_id)
    # Which listing runs is chosen by the caller: the operation is only known at run time.
    pages = S3.get_paginator(event["listing"]).paginate(Bucket=os.environ["UPLOADS"])
    return {"pages": sum(1 for _ in pages)}

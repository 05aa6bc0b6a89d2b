"""Orders API handlers."""
import json
import os

import boto3
from boto3.dynamodb.conditions import Key

TABLE = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])


def list_orders(event, context):
    claims = event["requestContext"]["authorizer"]["claims"]
    result = TABLE.query(KeyConditionExpression=Key("customer").eq(claims["sub"]))
    return {"statusCode": 200, "body": json.dumps(result["Items"], default=str)}


def create_order(event, context):
    order = json.loads(event["body"])
    if not isinstance(order.get("items"), list) or not order["items"]:
        return {"statusCode": 400, "body": json.dumps({"error": "items required"})}
    TABLE.put_item(Item={"id": context.aws_request_id, "items": order["items"]})
    return {"statusCode": 201, "body": json.dumps({"id": context.aws_request_id})}

"""Orders API handlers (deliberately vulnerable example code)."""
import json
import os
import sqlite3

import boto3

TABLE = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])


def list_orders(event, context):
    params = event.get("queryStringParameters") or {}
    customer = params.get("customer", "")
    # Building SQL from the query string: injectable.
    db = sqlite3.connect("/tmp/cache.db")
    rows = db.execute(f"SELECT * FROM orders WHERE customer = '{customer}'").fetchall()
    return {"statusCode": 200, "body": json.dumps(rows)}


def create_order(event, context):
    order = json.loads(event["body"])
    print("creating order", event)  # logs the whole event, headers included
    TABLE.put_item(Item=order)
    return {"statusCode": 201, "body": json.dumps({"id": order.get("id")})}

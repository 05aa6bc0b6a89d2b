import os

import pymysql


def handler(event, context):
    params = event.get("queryStringParameters") or {}
    customer = params.get("customer", "")
    conn = pymysql.connect(host=os.environ["DB_HOST"], password=os.environ["DB_PASSWORD"])
    with conn.cursor() as cur:
        cur.execute("SELECT id, total FROM orders WHERE customer = '" + customer + "'")
        rows = cur.fetchall()
    return {"statusCode": 200, "body": str(rows)}

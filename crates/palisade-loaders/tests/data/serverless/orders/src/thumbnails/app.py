"""Makes thumbnails of uploaded receipts (deliberately vulnerable example code)."""
import os
import subprocess
import urllib.parse


def handler(event, context):
    for record in event["Records"]:
        key = urllib.parse.unquote_plus(record["s3"]["object"]["key"])
        # The object key comes from whoever uploaded the file: shell injection.
        subprocess.run(f"convert /tmp/{key} -resize 200x200 /tmp/thumb-{key}", shell=True, check=False)
    return {"done": len(event["Records"])}

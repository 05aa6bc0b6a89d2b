import os
import subprocess


def handler(event, context):
    params = event.get("queryStringParameters") or {}
    report = params.get("report", "daily")
    out = subprocess.run("generate-report " + report, shell=True, capture_output=True)
    return {"statusCode": 200, "body": out.stdout.decode()}

import boto3
import requests

s3 = boto3.client("s3")


def handler(event, context):
    body = requests.get("https://example.com/feed", timeout=5).text
    s3.put_object(Bucket="imports", Key="feed.json", Body=body)
    return {"statusCode": 200}

"""Nightly report: counts buckets."""
import boto3


def handler(event, context):
    return {"buckets": len(boto3.client("s3").list_buckets()["Buckets"])}

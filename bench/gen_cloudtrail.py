#!/usr/bin/env python3
"""Generate CloudTrail as AWS delivers it to S3, for `bench/detect_bench.py`.

Writes `OUT/AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/<account>_CloudTrail_<region>_<time>_<id>.json.gz`
files of `{"Records": [...]}` until the uncompressed JSON reaches `--size` (e.g. `1G`, `10G`).
The mix is a serverless account's: function roles (Lambda user agents, session named after the
function) calling DynamoDB, S3, SQS, Secrets Manager and KMS; CI deploying functions; people
in the console; AWS services; a few AccessDenied errors, and a handful of attack events
(StopLogging, AddPermission to `*`, a function URL made public) so detections have work.
Deterministic for a given `--seed`.

    python3 bench/gen_cloudtrail.py --size 1G --out cloudtrail-1g
"""

import argparse
import gzip
import json
import os
import random
import sys
import zlib
from multiprocessing import Pool

ACCOUNT = "111122223333"
REGIONS = ["eu-west-1", "us-east-1"]
FUNCTIONS = [f"orders-{n}" for n in ("api", "worker", "report", "ingest", "notify", "billing")]
RECORDS_PER_FILE = 2000


def parse_size(text):
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    text = text.strip().upper()
    if text[-1] in units:
        return int(float(text[:-1]) * units[text[-1]])
    return int(text)


def iso(t):
    # t: seconds since 2024-05-01T00:00:00Z
    day, rem = divmod(int(t), 86400)
    h, rem = divmod(rem, 3600)
    m, s = divmod(rem, 60)
    return f"2024-05-{1 + day % 28:02d}T{h:02d}:{m:02d}:{s:02d}Z"


def function_call(rng, t, region):
    fn = rng.choice(FUNCTIONS)
    api = rng.choices(
        [
            ("dynamodb", "GetItem", {"tableName": "orders", "key": {"pk": {"S": f"order#{rng.randrange(10**6)}"}}}),
            ("dynamodb", "PutItem", {"tableName": "orders", "item": {"pk": {"S": f"order#{rng.randrange(10**6)}"}}}),
            ("s3", "GetObject", {"bucketName": "orders-archive", "key": f"2024/05/{rng.randrange(10**6)}.json", "Host": "orders-archive.s3.amazonaws.com"}),
            ("sqs", "SendMessage", {"queueUrl": f"https://sqs.{region}.amazonaws.com/{ACCOUNT}/orders"}),
            ("secretsmanager", "GetSecretValue", {"secretId": f"arn:aws:secretsmanager:{region}:{ACCOUNT}:secret:{fn}-db"}),
            ("kms", "Decrypt", {"encryptionAlgorithm": "SYMMETRIC_DEFAULT", "encryptionContext": {"aws:lambda:FunctionArn": f"arn:aws:lambda:{region}:{ACCOUNT}:function:{fn}"}}),
        ],
        weights=[30, 20, 25, 15, 5, 5],
    )[0]
    service, name, params = api
    error = rng.random() < 0.004
    record = {
        "eventVersion": "1.09",
        "userIdentity": {
            "type": "AssumedRole",
            "principalId": f"AROA{fn.upper().replace('-', '')[:12]}:{fn}",
            "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/{fn}-role/{fn}",
            "accountId": ACCOUNT,
            # One session per function, execution environment and hour, as Lambda reuses an
            # environment's credentials.
            "accessKeyId": f"ASIA{zlib.crc32(f'{fn}/{int(t // 3600)}/{rng.randrange(4)}'.encode()):012X}",
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": f"AROA{fn.upper().replace('-', '')[:12]}",
                    "arn": f"arn:aws:iam::{ACCOUNT}:role/{fn}-role",
                    "accountId": ACCOUNT,
                    "userName": f"{fn}-role",
                },
                "attributes": {"creationDate": iso(t - 300), "mfaAuthenticated": "false"},
            },
        },
        "eventTime": iso(t),
        "eventSource": f"{service}.amazonaws.com",
        "eventName": name,
        "awsRegion": region,
        "sourceIPAddress": f"3.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(256)}",
        "userAgent": f"Boto3/1.34.{rng.randrange(100)} md/Botocore#1.34.{rng.randrange(100)} ua/2.0 os/linux#5.10.219 md/arch#x86_64 lang/python#3.12.3 md/pyimpl#CPython exec-env/AWS_Lambda_python3.12 cfg/retry-mode#legacy Botocore/1.34.{rng.randrange(100)}",
        "requestParameters": params,
        "responseElements": None,
        "requestID": f"{rng.getrandbits(128):032x}",
        "eventID": f"{rng.getrandbits(128):032x}",
        "readOnly": name.startswith("Get") or name == "Decrypt",
        "eventType": "AwsApiCall",
        "managementEvent": service in ("kms", "secretsmanager"),
        "recipientAccountId": ACCOUNT,
        "eventCategory": "Data" if service in ("s3", "dynamodb") else "Management",
        "tlsDetails": {"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256", "clientProvidedHostHeader": f"{service}.{region}.amazonaws.com"},
    }
    if error:
        record["errorCode"] = "AccessDenied"
        record["errorMessage"] = f"User: arn:aws:sts::{ACCOUNT}:assumed-role/{fn}-role/{fn} is not authorized to perform: {service}:{name}"
    return record


def person_call(rng, t, region):
    user = rng.choice(["alice", "bob", "carol"])
    service, name = rng.choice(
        [("lambda", "ListFunctions20150331"), ("cloudwatch", "GetMetricData"), ("logs", "FilterLogEvents"),
         ("ec2", "DescribeInstances"), ("iam", "ListRoles"), ("signin", "ConsoleLogin")]
    )
    record = {
        "eventVersion": "1.09",
        "userIdentity": {
            "type": "IAMUser",
            "principalId": f"AIDA{user.upper()}EXAMPLE",
            "arn": f"arn:aws:iam::{ACCOUNT}:user/{user}",
            "accountId": ACCOUNT,
            "accessKeyId": f"ASIA{rng.randrange(16**12):012X}",
            "userName": user,
            "sessionContext": {"attributes": {"creationDate": iso(t - 900), "mfaAuthenticated": "true"}},
        },
        "eventTime": iso(t),
        "eventSource": f"{service}.amazonaws.com",
        "eventName": name,
        "awsRegion": region,
        "sourceIPAddress": f"198.51.100.{rng.randrange(1, 255)}",
        "userAgent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36",
        "requestParameters": {"maxItems": 50} if service != "signin" else None,
        "responseElements": {"ConsoleLogin": "Success"} if service == "signin" else None,
        "additionalEventData": {"MFAUsed": "Yes", "LoginTo": "https://console.aws.amazon.com/"} if service == "signin" else None,
        "requestID": f"{rng.getrandbits(128):032x}",
        "eventID": f"{rng.getrandbits(128):032x}",
        "readOnly": True,
        "eventType": "AwsConsoleSignIn" if service == "signin" else "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": ACCOUNT,
        "eventCategory": "Management",
    }
    return record


def deploy_call(rng, t, region):
    fn = rng.choice(FUNCTIONS)
    name = rng.choice(["UpdateFunctionCode20150331v2", "UpdateFunctionConfiguration20150331v2", "PublishVersion20150331"])
    return {
        "eventVersion": "1.09",
        "userIdentity": {
            "type": "AssumedRole",
            "principalId": "AROADEPLOYEXAMPLE:ci",
            "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/deploy-ci/ci",
            "accountId": ACCOUNT,
            "sessionContext": {"sessionIssuer": {"type": "Role", "arn": f"arn:aws:iam::{ACCOUNT}:role/deploy-ci", "accountId": ACCOUNT, "userName": "deploy-ci"}},
        },
        "eventTime": iso(t),
        "eventSource": "lambda.amazonaws.com",
        "eventName": name,
        "awsRegion": region,
        "sourceIPAddress": "cloudformation.amazonaws.com",
        "userAgent": "cloudformation.amazonaws.com",
        "requestParameters": {"functionName": fn, "publish": False},
        "responseElements": {"functionName": fn, "functionArn": f"arn:aws:lambda:{region}:{ACCOUNT}:function:{fn}", "runtime": "python3.12", "codeSize": 52311},
        "requestID": f"{rng.getrandbits(128):032x}",
        "eventID": f"{rng.getrandbits(128):032x}",
        "readOnly": False,
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": ACCOUNT,
        "eventCategory": "Management",
    }


def attack(rng, t, region, kind):
    base = person_call(rng, t, region)
    base["userIdentity"]["arn"] = f"arn:aws:iam::{ACCOUNT}:user/mallory"
    base["userIdentity"]["userName"] = "mallory"
    base["sourceIPAddress"] = "203.0.113.66"
    base["userAgent"] = "aws-cli/2.15.0 Python/3.11.6 Linux/6.5"
    base["eventType"] = "AwsApiCall"
    base["responseElements"] = None
    base.pop("additionalEventData", None)
    if kind == 0:
        base.update(eventSource="cloudtrail.amazonaws.com", eventName="StopLogging", requestParameters={"name": f"arn:aws:cloudtrail:{region}:{ACCOUNT}:trail/main"})
    elif kind == 1:
        base.update(eventSource="lambda.amazonaws.com", eventName="AddPermission20150331v2",
                    requestParameters={"functionName": "orders-api", "statementId": "x", "action": "lambda:InvokeFunction", "principal": "*"})
    else:
        base.update(eventSource="lambda.amazonaws.com", eventName="CreateFunctionUrlConfig20211031",
                    requestParameters={"functionName": "orders-report", "authType": "NONE"})
    return base


def write_files(job):
    out, index, count, seed = job
    rng = random.Random(seed * 1_000_003 + index)
    written = 0
    region = REGIONS[index % len(REGIONS)]
    t0 = index * 300.0
    records = []
    for i in range(count):
        t = t0 + i * 300.0 / count
        r = rng.random()
        if r < 0.85:
            rec = function_call(rng, t, region)
        elif r < 0.97:
            rec = person_call(rng, t, region)
        else:
            rec = deploy_call(rng, t, region)
        records.append(rec)
    if index % 97 == 3:
        records.append(attack(rng, t0 + 150, region, index % 3))
    text = json.dumps({"Records": records}, separators=(",", ":"))
    day = int(t0 // 86400)
    folder = os.path.join(out, "AWSLogs", ACCOUNT, "CloudTrail", region, "2024", "05", f"{1 + day % 28:02d}")
    os.makedirs(folder, exist_ok=True)
    stamp = iso(t0).replace("-", "").replace(":", "")
    name = f"{ACCOUNT}_CloudTrail_{region}_{stamp[:13]}Z_{index:08x}.json.gz"
    with gzip.open(os.path.join(folder, name), "wb", compresslevel=6) as f:
        f.write(text.encode())
    written += len(text)
    return written


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--size", default="1G", help="uncompressed JSON to write: 500M, 1G, 10G")
    p.add_argument("--out", required=True)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    a = p.parse_args()
    target = parse_size(a.size)
    # One file's size, measured on a first file, sets how many files reach the target.
    first = write_files((a.out, 0, RECORDS_PER_FILE, a.seed))
    files = max(1, -(-target // first))
    total = first
    with Pool(a.jobs) as pool:
        for n in pool.imap_unordered(write_files, [(a.out, i, RECORDS_PER_FILE, a.seed) for i in range(1, files)], chunksize=4):
            total += n
    print(json.dumps({"files": files, "records": files * RECORDS_PER_FILE, "json_bytes": total}))


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Generate a corpus of synthetic SAM projects for benchmarking `palisade scan`.

Usage: bench/gen_sam.py --templates 1000 --functions 10 --out /tmp/corpus [--seed 1]

Each project is a folder with a template.yaml of FUNCTIONS functions and the resources around
them (an API with stage settings, a queue, a bucket, a table, a topic, a shared role), varied
by a seeded random generator: about half of the functions carry a misconfiguration that some
rule reports (open routes, function URLs, wildcard policies, secrets in the environment,
long timeouts, deprecated runtimes), so both Palisade and a peer tool have work to do.
The output is deterministic for a given seed.
"""

import argparse
import os
import random

RUNTIMES = ["python3.13", "python3.12", "nodejs22.x", "nodejs24.x", "python3.8", "nodejs18.x", "java21"]


def function(rng, i, app):
    name = f"Fn{i:03d}"
    lines = [
        f"  {name}:",
        "    Type: AWS::Serverless::Function",
        "    Properties:",
        f"      CodeUri: src/{name.lower()}/",
        "      Handler: app.handler",
        f"      Runtime: {rng.choice(RUNTIMES)}",
        f"      Timeout: {rng.choice([3, 10, 29, 60, 300, 900])}",
        f"      MemorySize: {rng.choice([128, 256, 512, 1024])}",
    ]
    if rng.random() < 0.5:
        lines.append("      Tracing: Active")
    if rng.random() < 0.3:
        lines.append(f"      ReservedConcurrentExecutions: {rng.randint(1, 50)}")
    env = {"TABLE_NAME": "!Ref Table", "STAGE": "!Ref Stage"}
    if rng.random() < 0.15:
        env["DB_PASSWORD"] = f"p4ss-{rng.randint(10**7, 10**8)}-Prod"
    if rng.random() < 0.05:
        env["AWS_ACCESS_KEY"] = "AKIA" + "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(16))
    lines.append("      Environment:")
    lines.append("        Variables:")
    for k, v in env.items():
        lines.append(f"          {k}: {v}")
    kind = rng.random()
    if kind < 0.1:
        lines += ["      Role: !GetAtt SharedRole.Arn"]
    else:
        lines.append("      Policies:")
        lines.append("        - DynamoDBCrudPolicy: {TableName: !Ref Table}")
        if rng.random() < 0.2:
            lines += [
                "        - Statement:",
                "            - Effect: Allow",
                f"              Action: {rng.choice(['s3:*', 'dynamodb:*', '[s3:PutObject, sqs:SendMessage]', 'iam:PassRole'])}",
                "              Resource: '*'",
            ]
        elif rng.random() < 0.3:
            lines.append("        - S3ReadPolicy: {BucketName: !Ref Bucket}")
    trig = rng.random()
    lines.append("      Events:")
    if trig < 0.4:
        auth = "" if rng.random() < 0.5 else "\n            Auth: {Authorizer: AWS_IAM}"
        lines.append(
            f"        Api:\n          Type: Api\n          Properties:\n            RestApiId: !Ref Api\n"
            f"            Path: /{app}/{name.lower()}\n            Method: {rng.choice(['get', 'post', 'delete'])}{auth}"
        )
    elif trig < 0.6:
        lines.append("        Queue:\n          Type: SQS\n          Properties:\n            Queue: !GetAtt Queue.Arn")
    elif trig < 0.75:
        lines.append("        Upload:\n          Type: S3\n          Properties:\n            Bucket: !Ref Bucket\n            Events: s3:ObjectCreated:*")
    elif trig < 0.9:
        lines.append("        Nightly:\n          Type: Schedule\n          Properties:\n            Schedule: rate(1 day)")
    else:
        lines.append("        Topic:\n          Type: SNS\n          Properties:\n            Topic: !Ref Topic")
    if rng.random() < 0.08:
        lines += ["      FunctionUrlConfig:", "        AuthType: NONE"]
    return lines


def template(rng, index, functions):
    app = f"app{index:05d}"
    out = [
        "AWSTemplateFormatVersion: '2010-09-09'",
        "Transform: AWS::Serverless-2016-10-31",
        f"Description: synthetic application {app}",
        "Parameters:",
        "  Stage: {Type: String, Default: dev}",
        "Globals:",
        "  Function:",
        "    Architectures: [arm64]",
        "Resources:",
        "  Api:",
        "    Type: AWS::Serverless::Api",
        "    Properties:",
        "      StageName: !Ref Stage",
        "      MethodSettings:",
        "        - {ResourcePath: '/*', HttpMethod: '*', LoggingLevel: ERROR}",
    ]
    if rng.random() < 0.5:
        out += [
            "      Auth:",
            "        DefaultAuthorizer: Cognito",
            "        Authorizers:",
            "          Cognito: {UserPoolArn: !GetAtt Users.Arn}",
            "  Users:",
            "    Type: AWS::Cognito::UserPool",
        ]
    for i in range(functions):
        out += function(rng, i, app)
    out += [
        "  Queue:",
        "    Type: AWS::SQS::Queue",
        f"    Properties: {{VisibilityTimeout: {rng.choice([30, 300, 5400])}}}",
        "  Bucket:",
        "    Type: AWS::S3::Bucket",
        "  Table:",
        "    Type: AWS::DynamoDB::Table",
        "    Properties:",
        "      BillingMode: PAY_PER_REQUEST",
        "      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]",
        "      KeySchema: [{AttributeName: id, KeyType: HASH}]",
        "  Topic:",
        "    Type: AWS::SNS::Topic",
        "  SharedRole:",
        "    Type: AWS::IAM::Role",
        "    Properties:",
        "      AssumeRolePolicyDocument:",
        "        Statement: [{Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}]",
        "      ManagedPolicyArns: [arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
    ]
    return app, "\n".join(out) + "\n"


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--templates", type=int, default=1000)
    p.add_argument("--functions", type=int, default=10, help="functions per template")
    p.add_argument("--out", required=True)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    rng = random.Random(a.seed)
    os.makedirs(a.out, exist_ok=True)
    total = 0
    for i in range(a.templates):
        app, text = template(rng, i, a.functions)
        d = os.path.join(a.out, app)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "template.yaml"), "w", encoding="utf-8") as f:
            f.write(text)
        total += len(text)
    print(f"{a.templates} templates, {a.templates * a.functions} functions, {total / 1e6:.1f} MB in {a.out}")


if __name__ == "__main__":
    main()

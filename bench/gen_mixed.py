#!/usr/bin/env python3
"""Generate a mixed corpus of SAM, Serverless Framework and Terraform projects.

Usage: bench/gen_mixed.py --projects 1000 --functions 10 --out /tmp/mixed [--seed 1]

Projects rotate through the three formats: a third are SAM templates exactly as
bench/gen_sam.py writes them, a third serverless.yml services, a third Terraform root modules
(variables with defaults, locals, for_each over a map, jsonencode policies, a policy document
data source). Each describes FUNCTIONS functions with the same spread of settings and
misconfigurations as the SAM generator, so the three thirds give the scanner comparable work.
The output is deterministic for a given seed.
"""

import argparse
import os
import random

import gen_sam

RUNTIMES = gen_sam.RUNTIMES
ACTIONS = ['"dynamodb:*"', '["dynamodb:GetItem", "dynamodb:PutItem"]', '"s3:*"']


def serverless(rng, index, functions):
    app = f"svc{index:05d}"
    out = [
        f"service: {app}",
        "frameworkVersion: '3'",
        "custom:",
        "  tableName: ${self:service}-${sls:stage}-orders",
        "provider:",
        "  name: aws",
        "  runtime: python3.12",
        "  stage: ${opt:stage, 'dev'}",
        "  region: eu-west-1",
        "  environment:",
        "    TABLE_NAME: ${self:custom.tableName}",
        "    STAGE: ${sls:stage}",
        "  iam:",
        "    role:",
        "      statements:",
        "        - Effect: Allow",
        "          Action: [dynamodb:GetItem, dynamodb:PutItem, dynamodb:Query]",
        "          Resource: !GetAtt Table.Arn",
    ]
    if rng.random() < 0.3:
        out += [
            "        - Effect: Allow",
            f"          Action: {rng.choice(['s3:*', 'dynamodb:*', 'iam:PassRole'])}",
            "          Resource: '*'",
        ]
    out.append("functions:")
    for i in range(functions):
        name = f"fn{i:03d}"
        out += [
            f"  {name}:",
            f"    handler: src/{name}/app.handler",
            f"    runtime: {rng.choice(RUNTIMES)}",
            f"    timeout: {rng.choice([3, 10, 29, 60, 300, 900])}",
            f"    memorySize: {rng.choice([128, 256, 512, 1024])}",
        ]
        if rng.random() < 0.5:
            out.append("    tracing: Active")
        if rng.random() < 0.3:
            out.append(f"    reservedConcurrency: {rng.randint(1, 50)}")
        if rng.random() < 0.15:
            out += ["    environment:", f"      DB_PASSWORD: p4ss-{rng.randint(10**7, 10**8)}-Prod"]
        trig = rng.random()
        out.append("    events:")
        if trig < 0.4:
            method = rng.choice(["get", "post", "delete"])
            out.append(f"      - http:\n          path: /{app}/{name}\n          method: {method}")
            if rng.random() < 0.5:
                out.append("          authorizer: aws_iam")
        elif trig < 0.6:
            out.append("      - sqs:\n          arn: !GetAtt Queue.Arn")
        elif trig < 0.75:
            out.append(f"      - s3:\n          bucket: {app}-uploads-{i}\n          event: s3:ObjectCreated:*")
        elif trig < 0.9:
            out.append("      - schedule: rate(1 day)")
        else:
            out.append("      - sns: alerts")
        if rng.random() < 0.08:
            out.append("    url: true")
    out += [
        "resources:",
        "  Resources:",
        "    Queue:",
        "      Type: AWS::SQS::Queue",
        f"      Properties: {{VisibilityTimeout: {rng.choice([30, 300, 5400])}}}",
        "    Table:",
        "      Type: AWS::DynamoDB::Table",
        "      Properties:",
        "        TableName: ${self:custom.tableName}",
        "        BillingMode: PAY_PER_REQUEST",
        "        AttributeDefinitions: [{AttributeName: id, AttributeType: S}]",
        "        KeySchema: [{AttributeName: id, KeyType: HASH}]",
    ]
    return app, "serverless.yml", "\n".join(out) + "\n"


def terraform(rng, index, functions):
    app = f"tf{index:05d}"
    fns = []
    for i in range(functions):
        fns.append({
            "name": f"fn{i:03d}",
            "runtime": rng.choice(RUNTIMES),
            "timeout": rng.choice([3, 10, 29, 60, 300, 900]),
            "memory": rng.choice([128, 256, 512, 1024]),
            "tracing": rng.random() < 0.5,
            "reserved": rng.randint(1, 50) if rng.random() < 0.3 else -1,
            "secret": f"p4ss-{rng.randint(10**7, 10**8)}-Prod" if rng.random() < 0.15 else "",
            "trigger": rng.random(),
            "url": rng.random() < 0.08,
        })
    out = [
        'variable "stage" {',
        '  type    = string',
        '  default = "dev"',
        '}',
        "",
        "locals {",
        f'  prefix = "{app}-${{var.stage}}"',
        "  functions = {",
    ]
    for f in fns:
        out.append(
            f'    {f["name"]} = {{ runtime = "{f["runtime"]}", timeout = {f["timeout"]}, memory = {f["memory"]}, '
            f'tracing = {"true" if f["tracing"] else "false"}, reserved = {f["reserved"]}, '
            f'secret = "{f["secret"]}" }}'
        )
    out += [
        "  }",
        "}",
        "",
        'data "aws_iam_policy_document" "assume" {',
        "  statement {",
        '    actions = ["sts:AssumeRole"]',
        "    principals {",
        '      type        = "Service"',
        '      identifiers = ["lambda.amazonaws.com"]',
        "    }",
        "  }",
        "}",
        "",
        'resource "aws_iam_role" "exec" {',
        '  name               = "${local.prefix}-exec"',
        "  assume_role_policy = data.aws_iam_policy_document.assume.json",
        "}",
        "",
        'resource "aws_iam_role_policy" "exec" {',
        "  role = aws_iam_role.exec.id",
        "  policy = jsonencode({",
        '    Version = "2012-10-17"',
        "    Statement = [{",
        '      Effect   = "Allow"',
        "      Action   = " + rng.choice(ACTIONS),
        "      Resource = aws_dynamodb_table.orders.arn",
        "    }]",
        "  })",
        "}",
        "",
        'resource "aws_lambda_function" "fn" {',
        "  for_each      = local.functions",
        '  function_name = "${local.prefix}-${each.key}"',
        '  filename      = "build/${each.key}.zip"',
        '  handler       = "app.handler"',
        "  runtime       = each.value.runtime",
        "  timeout       = each.value.timeout",
        "  memory_size   = each.value.memory",
        "  role          = aws_iam_role.exec.arn",
        "  reserved_concurrent_executions = each.value.reserved",
        "  tracing_config {",
        '    mode = each.value.tracing ? "Active" : "PassThrough"',
        "  }",
        "  environment {",
        "    variables = merge(",
        "      { TABLE_NAME = aws_dynamodb_table.orders.name, STAGE = var.stage },",
        '      each.value.secret != "" ? { DB_PASSWORD = each.value.secret } : {},',
        "    )",
        "  }",
        "}",
        "",
        'resource "aws_dynamodb_table" "orders" {',
        '  name         = "${local.prefix}-orders"',
        '  billing_mode = "PAY_PER_REQUEST"',
        '  hash_key     = "id"',
        "  attribute {",
        '    name = "id"',
        '    type = "S"',
        "  }",
        "}",
        "",
        'resource "aws_sqs_queue" "work" {',
        f'  name                       = "${{local.prefix}}-work"',
        f"  visibility_timeout_seconds = {rng.choice([30, 300, 5400])}",
        "}",
        "",
        'resource "aws_apigatewayv2_api" "http" {',
        '  name          = local.prefix',
        '  protocol_type = "HTTP"',
        "}",
    ]
    for f in fns:
        n = f["name"]
        t = f["trigger"]
        if t < 0.4:
            auth = "AWS_IAM" if rng.random() < 0.5 else "NONE"
            out += [
                f'resource "aws_apigatewayv2_integration" "{n}" {{',
                "  api_id           = aws_apigatewayv2_api.http.id",
                '  integration_type = "AWS_PROXY"',
                f'  integration_uri  = aws_lambda_function.fn["{n}"].invoke_arn',
                "}",
                f'resource "aws_apigatewayv2_route" "{n}" {{',
                "  api_id             = aws_apigatewayv2_api.http.id",
                f'  route_key          = "GET /{n}"',
                f'  authorization_type = "{auth}"',
                f'  target             = "integrations/${{aws_apigatewayv2_integration.{n}.id}}"',
                "}",
            ]
        elif t < 0.6:
            out += [
                f'resource "aws_lambda_event_source_mapping" "{n}" {{',
                "  event_source_arn = aws_sqs_queue.work.arn",
                f'  function_name    = aws_lambda_function.fn["{n}"].arn',
                "}",
            ]
        elif t < 0.9:
            out += [
                f'resource "aws_cloudwatch_event_rule" "{n}" {{',
                '  schedule_expression = "rate(1 day)"',
                "}",
                f'resource "aws_cloudwatch_event_target" "{n}" {{',
                f"  rule = aws_cloudwatch_event_rule.{n}.name",
                f'  arn  = aws_lambda_function.fn["{n}"].arn',
                "}",
            ]
        if f["url"]:
            out += [
                f'resource "aws_lambda_function_url" "{n}" {{',
                f'  function_name      = aws_lambda_function.fn["{n}"].function_name',
                '  authorization_type = "NONE"',
                "}",
            ]
    return app, "main.tf", "\n".join(out) + "\n"


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--projects", type=int, default=1000)
    p.add_argument("--functions", type=int, default=10, help="functions per project")
    p.add_argument("--out", required=True)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    rng = random.Random(a.seed)
    os.makedirs(a.out, exist_ok=True)
    total = 0
    for i in range(a.projects):
        kind = i % 3
        if kind == 0:
            app, text = gen_sam.template(rng, i, a.functions)
            name = "template.yaml"
        elif kind == 1:
            app, name, text = serverless(rng, i, a.functions)
        else:
            app, name, text = terraform(rng, i, a.functions)
        d = os.path.join(a.out, app)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, name), "w", encoding="utf-8") as f:
            f.write(text)
        total += len(text)
    print(f"{a.projects} projects, {a.projects * a.functions} functions, {total / 1e6:.1f} MB in {a.out}")


if __name__ == "__main__":
    main()

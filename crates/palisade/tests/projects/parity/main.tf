# Orders (parity fixture, Terraform).

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "shared" {
  name               = "orders-shared"
  assume_role_policy = data.aws_iam_policy_document.assume.json
}

resource "aws_iam_role_policy" "orders" {
  name = "orders"
  role = aws_iam_role.shared.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = "arn:aws:logs:*:*:log-group:/aws/lambda/orders-*:*"
      },
      {
        Effect   = "Allow"
        Action   = "dynamodb:*"
        Resource = "*"
      },
    ]
  })
}

locals {
  functions = {
    api    = { timeout = 10 }
    worker = { timeout = 30 }
    public = { timeout = 10 }
  }
}

data "archive_file" "code" {
  for_each    = local.functions
  type        = "zip"
  source_dir  = "${path.module}/src/${each.key}"
  output_path = "${path.module}/build/${each.key}.zip"
}

resource "aws_lambda_function" "api" {
  function_name = "orders-api"
  filename      = data.archive_file.code["api"].output_path
  handler       = "app.handler"
  runtime       = "python3.12"
  timeout       = local.functions.api.timeout
  role          = aws_iam_role.shared.arn
  environment {
    variables = {
      DB_HOST     = "db.internal.example.com"
      DB_PASSWORD = "Sup3rS3cret-prod-2024"
    }
  }
}

resource "aws_lambda_function" "worker" {
  function_name = "orders-worker"
  filename      = data.archive_file.code["worker"].output_path
  handler       = "app.handler"
  runtime       = "python3.12"
  timeout       = local.functions.worker.timeout
  role          = aws_iam_role.shared.arn
  environment {
    variables = {
      TABLE_NAME = "orders"
    }
  }
}

resource "aws_lambda_function" "public" {
  function_name = "orders-public"
  filename      = data.archive_file.code["public"].output_path
  handler       = "app.handler"
  runtime       = "python3.12"
  timeout       = local.functions.public.timeout
  role          = aws_iam_role.shared.arn
}

resource "aws_lambda_function_url" "public" {
  function_name      = aws_lambda_function.public.function_name
  authorization_type = "NONE"
}

resource "aws_sqs_queue" "orders" {
  name                       = "orders"
  visibility_timeout_seconds = 30
}

resource "aws_lambda_event_source_mapping" "worker" {
  event_source_arn = aws_sqs_queue.orders.arn
  function_name    = aws_lambda_function.worker.arn
}

resource "aws_apigatewayv2_api" "http" {
  name          = "orders"
  protocol_type = "HTTP"
}

resource "aws_apigatewayv2_integration" "api" {
  api_id                 = aws_apigatewayv2_api.http.id
  integration_type       = "AWS_PROXY"
  integration_uri        = aws_lambda_function.api.invoke_arn
  payload_format_version = "2.0"
}

resource "aws_apigatewayv2_route" "list" {
  api_id    = aws_apigatewayv2_api.http.id
  route_key = "GET /orders"
  target    = "integrations/${aws_apigatewayv2_integration.api.id}"
}

resource "aws_apigatewayv2_stage" "default" {
  api_id      = aws_apigatewayv2_api.http.id
  name        = "$default"
  auto_deploy = true
}

resource "aws_lambda_permission" "api" {
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.api.function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_apigatewayv2_api.http.execution_arn}/*/*"
}

resource "aws_cloudwatch_log_group" "api" {
  name = "/aws/lambda/orders-api"
}

resource "aws_cloudwatch_log_group" "worker" {
  name = "/aws/lambda/orders-worker"
}

resource "aws_cloudwatch_log_group" "public" {
  name = "/aws/lambda/orders-public"
}

variable "name" {}

resource "aws_iam_role" "exec" {
  name = "${var.name}-exec"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "lambda.amazonaws.com" }
    }]
  })
}

resource "aws_lambda_function" "fn" {
  function_name = var.name
  role          = aws_iam_role.exec.arn
  handler       = "app.handler"
  runtime       = "python3.12"
  filename      = "${path.module}/build.zip"
}

output "function_name" {
  value = aws_lambda_function.fn.function_name
}

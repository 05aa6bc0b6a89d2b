# A root module calling a local module, with a variable file and a malformed file beside it.

variable "env" {
  default = "dev"
}

module "orders" {
  source = "./modules/fn"
  name   = "orders-${var.env}"
}

# palisade:ignore PAL104 internal tool
resource "aws_lambda_function_url" "orders" {
  function_name      = module.orders.function_name
  authorization_type = "NONE"
}

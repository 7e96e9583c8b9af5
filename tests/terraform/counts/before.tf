# Every kind of change Terraform counts, with the built-in terraform_data (no provider download).
resource "terraform_data" "keep" { input = "a" }
resource "terraform_data" "change" { input = "v1" }
resource "terraform_data" "gone1" { input = "x" }
resource "terraform_data" "gone2" { input = "y" }
resource "terraform_data" "swap1" {
  input            = "s"
  triggers_replace = ["one"]
}
resource "terraform_data" "swap2" {
  input            = "t"
  triggers_replace = ["one"]
  lifecycle { create_before_destroy = true }
}
resource "terraform_data" "forgotten" { input = "f" }
resource "terraform_data" "old_name" { input = "m" }

# The same, changed: 2 creates, 1 update, 2 deletes, 2 replaces (either order), a forget, a move and an import.
resource "terraform_data" "keep" { input = "a" }
resource "terraform_data" "change" { input = "v2" }
resource "terraform_data" "new1" { input = "n1" }
resource "terraform_data" "new2" { input = "n2" }
resource "terraform_data" "swap1" {
  input            = "s"
  triggers_replace = ["two"]
}
resource "terraform_data" "swap2" {
  input            = "t"
  triggers_replace = ["two"]
  lifecycle { create_before_destroy = true }
}
removed {
  from = terraform_data.forgotten
  lifecycle { destroy = false }
}
moved {
  from = terraform_data.old_name
  to   = terraform_data.new_name
}
resource "terraform_data" "new_name" { input = "m" }
import {
  to = terraform_data.imported
  id = "11111111-2222-3333-4444-555555555555"
}
resource "terraform_data" "imported" { input = "i" }

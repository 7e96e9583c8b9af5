# Secrets Terraform marks in one place and shows unmarked in another, and credentials inside
# ordinary values. Everything here is fake.
variable "db_password" {
  type      = string
  sensitive = true
  default   = "tr0ub4dor-and-3-more"
}

resource "terraform_data" "secret_copy" {
  input = var.db_password
}

resource "terraform_data" "conn" {
  input = "postgres://admin:${nonsensitive(var.db_password)}@db.internal/app"
}

resource "terraform_data" "env" {
  input = "export AWS_ACCESS_KEY_ID=AKIAQX4MWB2LRT7NYE5K"
}

resource "terraform_data" "headers" {
  input = {
    slack = "token=xoxb-1111111111-2222222222-ZyXwVuTsRqPoNmLkJiHgFeDc"
    api   = "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJiYW50by10ZXN0In0.c2lnbmF0dXJlLW5vdC1yZWFsLWF0LWFsbA"
  }
}

resource "terraform_data" "user_data" {
  input = "#cloud-config\nwrite_files:\n  - path: /etc/app/key.pem\n    content: |\n      -----BEGIN RSA PRIVATE KEY-----\n      MIIEpAIBAAKCAQEA3Tz2mr7SZiAMfQyuvBjM9Oi8Q3BTmFlIhBGUFfWCmsc0BURYoLDd\n      Qm8erq7Zb9KntOe1Xw8V0Z3mYfPsDjA2xLwRoHkUb6CcNtGvEyMzq4JiSlp3\n      -----END RSA PRIVATE KEY-----\nruncmd: [systemctl restart app]\n"
}

output "pw" {
  value     = terraform_data.secret_copy.output
  sensitive = true
}

output "db_url" {
  value = terraform_data.conn.output
}

# The AWS side of banto's Terraform-by-approval flow. Apply once per account:
#   terraform init && terraform apply -var banto_url=https://banto.example.com \
#     -var repo_url=https://github.com/acme/infra.git -var events_secret=...
# Engineers get neither role: only CodeBuild assumes them, and only banto starts builds.

terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = ">= 5.0" }
  }
}

variable "banto_url" {
  description = "banto's public URL (server.public_url)"
  type        = string
}

variable "repo_url" {
  description = "The Terraform repository CodeBuild checks out"
  type        = string
}

variable "events_secret" {
  description = "AWS_EVENTS_SECRET: sent as `Authorization: Bearer <secret>` to /aws/events"
  type        = string
  sensitive   = true
}

variable "name" {
  type    = string
  default = "banto-tf"
}

data "aws_caller_identity" "me" {}

# ---- artifact bucket: encrypted, private, short-lived --------------------------------------
resource "aws_kms_key" "plans" {
  description         = "${var.name} plan artifacts"
  enable_key_rotation = true
}

resource "aws_s3_bucket" "plans" {
  bucket_prefix = "${var.name}-plans-"
}

resource "aws_s3_bucket_public_access_block" "plans" {
  bucket                  = aws_s3_bucket.plans.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_server_side_encryption_configuration" "plans" {
  bucket = aws_s3_bucket.plans.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.plans.arn
    }
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "plans" {
  bucket = aws_s3_bucket.plans.id
  rule {
    id     = "expire-plans"
    status = "Enabled"
    filter {}
    expiration { days = 30 }
  }
}

# ---- roles -----------------------------------------------------------------------------
data "aws_iam_policy_document" "codebuild_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["codebuild.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "artifacts" {
  statement {
    actions   = ["s3:GetObject", "s3:PutObject"]
    resources = ["${aws_s3_bucket.plans.arn}/*"]
  }
  statement {
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [aws_kms_key.plans.arn]
  }
  statement {
    actions   = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["arn:aws:logs:*:${data.aws_caller_identity.me.account_id}:log-group:/aws/codebuild/${var.name}-*"]
  }
}

# Plan: read everything, change nothing (state locking needs its DynamoDB/S3 writes only).
resource "aws_iam_role" "plan" {
  name               = "${var.name}-plan"
  assume_role_policy = data.aws_iam_policy_document.codebuild_assume.json
}

resource "aws_iam_role_policy_attachment" "plan_read_only" {
  role       = aws_iam_role.plan.name
  policy_arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
}

resource "aws_iam_role_policy" "plan_artifacts" {
  role   = aws_iam_role.plan.id
  policy = data.aws_iam_policy_document.artifacts.json
}

# Apply: the only admin role, assumable only by the apply project.
resource "aws_iam_role" "apply" {
  name               = "${var.name}-apply"
  assume_role_policy = data.aws_iam_policy_document.codebuild_assume.json
}

resource "aws_iam_role_policy_attachment" "apply_admin" {
  role       = aws_iam_role.apply.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}

resource "aws_iam_role_policy" "apply_artifacts" {
  role   = aws_iam_role.apply.id
  policy = data.aws_iam_policy_document.artifacts.json
}

# ---- the two CodeBuild projects -------------------------------------------------------------
locals {
  projects = {
    plan  = { role = aws_iam_role.plan.arn, buildspec = "buildspec-plan.yml" }
    apply = { role = aws_iam_role.apply.arn, buildspec = "buildspec-apply.yml" }
  }
}

resource "aws_codebuild_project" "tf" {
  for_each       = local.projects
  name           = "${var.name}-${each.key}"
  service_role   = each.value.role
  build_timeout  = 60
  encryption_key = aws_kms_key.plans.arn

  source {
    type      = "GITHUB"
    location  = var.repo_url
    buildspec = file("${path.module}/${each.value.buildspec}")
  }

  artifacts {
    type = "NO_ARTIFACTS"
  }

  environment {
    type         = "LINUX_CONTAINER"
    compute_type = "BUILD_GENERAL1_SMALL"
    image        = "aws/codebuild/standard:7.0"
  }
}

# ---- build state changes → banto (EventBridge API destination) ------------------------------
resource "aws_cloudwatch_event_connection" "banto" {
  name               = var.name
  authorization_type = "API_KEY"
  auth_parameters {
    api_key {
      key   = "Authorization"
      value = "Bearer ${var.events_secret}"
    }
  }
}

resource "aws_cloudwatch_event_api_destination" "banto" {
  name                             = var.name
  invocation_endpoint              = "${var.banto_url}/aws/events"
  http_method                      = "POST"
  invocation_rate_limit_per_second = 20
  connection_arn                   = aws_cloudwatch_event_connection.banto.arn
}

resource "aws_cloudwatch_event_rule" "builds" {
  name = "${var.name}-builds"
  event_pattern = jsonencode({
    source        = ["aws.codebuild"]
    "detail-type" = ["CodeBuild Build State Change"]
    detail = {
      "project-name" = [for p in aws_codebuild_project.tf : p.name]
      "build-status" = ["SUCCEEDED", "FAILED", "FAULT", "TIMED_OUT", "STOPPED"]
    }
  })
}

# CloudWatch alarms going into ALARM and back to OK: a card in banto's alerts channel.
resource "aws_cloudwatch_event_rule" "alarms" {
  name = "${var.name}-alarms"
  event_pattern = jsonencode({
    source        = ["aws.cloudwatch"]
    "detail-type" = ["CloudWatch Alarm State Change"]
    detail        = { state = { value = ["ALARM", "OK"] } }
  })
}

resource "aws_cloudwatch_event_target" "alarms" {
  rule     = aws_cloudwatch_event_rule.alarms.name
  arn      = aws_cloudwatch_event_api_destination.banto.arn
  role_arn = aws_iam_role.events.arn
  retry_policy {
    maximum_event_age_in_seconds = 86400
    maximum_retry_attempts       = 185
  }
}

data "aws_iam_policy_document" "events_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "events" {
  name               = "${var.name}-events"
  assume_role_policy = data.aws_iam_policy_document.events_assume.json
}

resource "aws_iam_role_policy" "events" {
  role = aws_iam_role.events.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "events:InvokeApiDestination"
      Resource = aws_cloudwatch_event_api_destination.banto.arn
    }]
  })
}

resource "aws_cloudwatch_event_target" "banto" {
  rule     = aws_cloudwatch_event_rule.builds.name
  arn      = aws_cloudwatch_event_api_destination.banto.arn
  role_arn = aws_iam_role.events.arn
  retry_policy {
    maximum_event_age_in_seconds = 86400
    maximum_retry_attempts       = 185
  }
}

# ---- who may start builds: banto's own identity only ------------------------------------------
output "banto_policy" {
  description = "Attach to banto's IAM identity: start/stop/read the two projects, read plans (ListBucket lets a missing plan be told from a refused one; BatchGetProjects is what `banto doctor` asks)."
  value = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["codebuild:StartBuild", "codebuild:StopBuild", "codebuild:BatchGetBuilds", "codebuild:BatchGetProjects"]
        Resource = [for p in aws_codebuild_project.tf : p.arn]
      },
      { Effect = "Allow", Action = ["s3:GetObject"], Resource = ["${aws_s3_bucket.plans.arn}/*"] },
      { Effect = "Allow", Action = ["s3:ListBucket"], Resource = [aws_s3_bucket.plans.arn] },
      { Effect = "Allow", Action = ["kms:Decrypt"], Resource = [aws_kms_key.plans.arn] },
    ]
  })
}

output "artifact_bucket" {
  value = aws_s3_bucket.plans.id
}

//! `[terraform]` and `[[terraform.projects]]`: root modules, CodeBuild, approvers, risk rules.

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AwsConfig {
    #[serde(default = "default_aws_region")]
    pub region: String,
    /// A VPC endpoint or an emulator; unset is AWS itself.
    #[serde(default)]
    pub endpoint_url: Option<String>,
    /// Plan JSON larger than this is refused rather than read into memory.
    #[serde(default = "default_max_plan_bytes")]
    pub max_plan_bytes: u64,
}

fn default_aws_region() -> String {
    "us-east-1".into()
}
fn default_max_plan_bytes() -> u64 {
    512 * 1024 * 1024
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TerraformConfig {
    #[serde(default)]
    pub projects: Vec<TfProject>,
    /// How often a running build is checked with BatchGetBuilds, in case its EventBridge event
    /// never arrives.
    #[serde(default = "default_poll_seconds")]
    pub poll_seconds: u64,
}

impl Default for TerraformConfig {
    fn default() -> Self {
        Self {
            projects: vec![],
            poll_seconds: default_poll_seconds(),
        }
    }
}

fn default_poll_seconds() -> u64 {
    60
}

impl TerraformConfig {
    pub fn project(&self, name: &str) -> Option<&TfProject> {
        self.projects.iter().find(|p| p.name == name)
    }
}

/// One Terraform root module: where it lives, how CodeBuild runs it, who approves it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TfProject {
    pub name: String,
    /// `owner/repo` on GitHub.
    pub repo: crate::ids::RepoName,
    pub dir: String,
    #[serde(default = "default_workspace")]
    pub workspace: String,
    /// Globs of paths whose change plans this project (module paths included). Default: `<dir>/**`.
    #[serde(default)]
    pub when_modified: crate::domain::glob::Globs,
    /// Plan on pushes to the default branch as well as on pull requests.
    #[serde(default)]
    pub plan_on_push: bool,
    pub codebuild_plan_project: String,
    pub codebuild_apply_project: String,
    pub artifact_bucket: String,
    #[serde(default = "default_artifact_prefix")]
    pub artifact_prefix: String,
    /// Slack channel id where plan cards are posted.
    pub channel: String,
    #[serde(default)]
    pub approvers: Approvers,
    #[serde(default = "default_min_approvals")]
    pub min_approvals: u32,
    #[serde(default)]
    pub allow_self_approval: bool,
    /// Changes that need more approvals (destroying a database, touching IAM, …).
    #[serde(default)]
    pub risk: Vec<RiskRule>,
    /// An approved plan older than this is void.
    #[serde(default = "default_plan_ttl_minutes")]
    pub plan_ttl_minutes: u32,
    /// How long a project lock lasts without renewal.
    #[serde(default = "default_lock_minutes")]
    pub lock_minutes: u32,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Approvers {
    /// Slack user ids.
    #[serde(default)]
    pub users: Vec<crate::ids::UserId>,
    /// Slack user group ids (`S…`), expanded when someone approves.
    #[serde(default)]
    pub groups: Vec<crate::ids::UserGroupId>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RiskRule {
    /// Resource type globs, e.g. `aws_iam_*`, `aws_db_instance`.
    pub resource_types: crate::domain::glob::Globs,
    /// Which actions make it risky: any of `create`, `update`, `delete`, `replace`, `forget`.
    #[serde(default = "default_risk_actions")]
    pub actions: Vec<String>,
    pub min_approvals: u32,
}

fn default_workspace() -> String {
    "default".into()
}
fn default_artifact_prefix() -> String {
    "banto/plans".into()
}
pub(super) fn default_min_approvals() -> u32 {
    1
}
fn default_plan_ttl_minutes() -> u32 {
    240
}
fn default_lock_minutes() -> u32 {
    120
}
fn default_risk_actions() -> Vec<String> {
    vec!["delete".into(), "replace".into()]
}

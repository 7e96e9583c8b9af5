//! `[terraform]` and `[[terraform.projects]]`: root modules, CodeBuild, approvers, risk rules.

use super::approval::{ApprovalRules, People};
pub use crate::domain::tf_run::RiskRule;
use crate::domain::tf_run::touches;
use crate::ids::RepoName;
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TerraformConfig {
    #[serde(default)]
    pub projects: Vec<TfProject>,
    /// How often a running build is checked with BatchGetBuilds, in case its EventBridge event
    /// never arrives.
    #[serde(default = "default_poll_seconds")]
    pub poll_seconds: u64,
    /// Policy sets (Rego) every plan of the projects they name is checked against.
    #[serde(default)]
    pub policies: Vec<super::PolicySet>,
}

impl Default for TerraformConfig {
    fn default() -> Self {
        Self {
            projects: vec![],
            poll_seconds: default_poll_seconds(),
            policies: vec![],
        }
    }
}

fn default_poll_seconds() -> u64 {
    60
}

impl TfProject {
    pub fn approval(&self) -> ApprovalRules<'_> {
        ApprovalRules {
            approvers: &self.approvers,
            min_approvals: self.min_approvals,
            allow_self_approval: self.allow_self_approval,
        }
    }
}

impl TerraformConfig {
    pub fn project(&self, name: &str) -> Option<&TfProject> {
        self.projects.iter().find(|p| p.name == name)
    }

    /// The projects of `repo` a change to `paths` must plan (`when_modified`, default
    /// `<dir>/**`).
    pub fn affected(&self, repo: &RepoName, paths: &[String]) -> Vec<&TfProject> {
        self.projects
            .iter()
            .filter(|p| p.repo.is(repo) && touches(&p.dir, &p.when_modified, paths))
            .collect()
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
    pub channel: crate::ids::ChannelId,
    #[serde(default)]
    pub approvers: People,
    #[serde(default = "super::approval::default_min_approvals")]
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
    /// `approval` (apply at the last approval) or `merge` (after the pull request's merge).
    #[serde(default)]
    pub apply_on: crate::domain::tf_run::ApplyOn,
}

fn default_workspace() -> String {
    "default".into()
}
fn default_artifact_prefix() -> String {
    "banto/plans".into()
}
fn default_plan_ttl_minutes() -> u32 {
    240
}
fn default_lock_minutes() -> u32 {
    120
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::config::Config;

    /// `network` in `acme/infra`, approved by UALICE, UBOB and UCAROL, plus `extra` keys.
    pub(crate) fn project(extra: &str) -> TfProject {
        let text = format!(
            "[[terraform.projects]]\nname = \"network\"\nrepo = \"acme/infra\"\ndir = \"envs/prod/network\"\n\
             codebuild_plan_project = \"tf-plan\"\ncodebuild_apply_project = \"tf-apply\"\nartifact_bucket = \"b\"\n\
             channel = \"C1\"\napprovers = {{ users = [\"UALICE\", \"UBOB\", \"UCAROL\"] }}\n{extra}"
        );
        Config::parse(&text, std::path::Path::new("t.toml"))
            .unwrap()
            .terraform
            .projects
            .remove(0)
    }

    #[test]
    fn changed_files_pick_projects() {
        let net = project("when_modified = [\"envs/prod/network/**\", \"modules/vpc/**\"]\n");
        let mut dns = project("");
        dns.name = "dns".into();
        dns.dir = "envs/prod/dns".into();
        let config = TerraformConfig {
            projects: vec![net, dns],
            poll_seconds: 30,
            policies: vec![],
        };
        let paths = |p: &[&str]| p.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let names = |v: Vec<&TfProject>| v.into_iter().map(|p| p.name.clone()).collect::<Vec<_>>();
        assert_eq!(
            names(config.affected(
                &"acme/infra".parse().unwrap(),
                &paths(&["modules/vpc/main.tf"])
            )),
            ["network"]
        );
        assert_eq!(
            names(config.affected(
                &"ACME/infra".parse().unwrap(),
                &paths(&["envs/prod/dns/zone.tf", "README.md"])
            )),
            ["dns"]
        );
        assert!(
            config
                .affected(
                    &"acme/other".parse().unwrap(),
                    &paths(&["envs/prod/dns/zone.tf"])
                )
                .is_empty()
        );
        assert!(
            config
                .affected(&"acme/infra".parse().unwrap(), &paths(&["docs/x.md"]))
                .is_empty()
        );
    }
}

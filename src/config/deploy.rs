//! `[[deploy.apps]]`: GitOps apps, their environments, triggers and tag policies.

use super::approval::{ApprovalRules, People, default_min_approvals};
use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeployConfig {
    #[serde(default)]
    pub apps: Vec<DeployApp>,
}

/// One application deployed by bumping its image tag in a GitOps repository.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeployApp {
    pub name: String,
    /// The image repository, e.g. `ghcr.io/acme/web`.
    pub image: String,
    /// The GitOps repository, `owner/name`.
    pub repo: crate::ids::RepoName,
    #[serde(default = "default_branch")]
    pub branch: String,
    /// Slack channel id for deploy cards.
    pub channel: crate::ids::ChannelId,
    #[serde(default)]
    pub approvers: People,
    #[serde(default = "default_min_approvals")]
    pub min_approvals: u32,
    #[serde(default)]
    pub allow_self_approval: bool,
    /// Which tags automatic bumps may deploy: `{ semver = ">=1.4, <2" }` or `{ regex = "^v\\d+" }`.
    #[serde(default)]
    pub tag_policy: Option<TagPolicyConfig>,
    pub envs: Vec<DeployEnv>,
    /// Deploy the image a successful GitHub Actions run built (`workflow_run` completed).
    #[serde(default)]
    pub workflow: Option<WorkflowTrigger>,
}

/// Which workflow builds an app's image and the tag it pushes: `tag` may use `{sha}`,
/// `{short_sha}`, `{branch}` and `{run_number}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkflowTrigger {
    /// The repository whose workflow runs, `owner/name`.
    pub repo: crate::ids::RepoName,
    /// The workflow's name, as in its `name:`.
    pub name: String,
    #[serde(default = "default_branch")]
    pub branch: String,
    pub tag: String,
}

impl WorkflowTrigger {
    pub fn tag_for(&self, sha: &str, branch: &str, run_number: u64) -> String {
        self.tag
            .replace("{sha}", sha)
            .replace("{short_sha}", &sha.chars().take(7).collect::<String>())
            .replace("{branch}", branch)
            .replace("{run_number}", &run_number.to_string())
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TagPolicyConfig {
    pub semver: Option<String>,
    pub regex: Option<String>,
}

/// One environment of an app: the file holding its tag and how to find the tag there.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeployEnv {
    pub name: String,
    pub file: String,
    /// Helm values key path (`image.tag`); its sibling `repository` must be the app's image.
    #[serde(default)]
    pub key: Option<String>,
    /// The `images:` entry name in a kustomization.
    #[serde(default)]
    pub kustomize: Option<String>,
    /// A Flux setter policy (`flux-system:web`).
    #[serde(default)]
    pub setter: Option<String>,
    /// Merge without approval (staging).
    #[serde(default)]
    pub auto_merge: bool,
    /// Local-time windows when deploys are refused without break-glass.
    #[serde(default)]
    pub freeze: Vec<String>,
    /// New images (registry, workflow, ECR events) are deployed here automatically.
    #[serde(default)]
    pub auto_deploy: bool,
    /// The Argo CD Application that syncs this env (default `<app>-<env>`).
    #[serde(default)]
    pub argocd_app: Option<String>,
}

impl DeployEnv {
    /// How the edit engine finds this environment's tag (default: every `image:` of the app).
    pub fn locator(&self, app: &DeployApp) -> crate::domain::yaml_edit::Locator {
        use crate::domain::yaml_edit::Locator;
        match (&self.key, &self.kustomize, &self.setter) {
            (Some(path), ..) => Locator::Key {
                path: path.clone(),
                repository: Some(app.image.clone()),
            },
            (_, Some(name), _) => Locator::Kustomize { name: name.clone() },
            (_, _, Some(policy)) => Locator::Setter {
                policy: policy.clone(),
            },
            _ => Locator::Image {
                repository: app.image.clone(),
            },
        }
    }

    pub fn argocd_app(&self, app: &DeployApp) -> String {
        self.argocd_app
            .clone()
            .unwrap_or_else(|| format!("{}-{}", app.name, self.name))
    }

    pub fn freeze_windows(&self) -> Vec<crate::domain::freeze::FreezeWindow> {
        self.freeze.iter().filter_map(|w| w.parse().ok()).collect()
    }
}

impl DeployApp {
    pub fn approval(&self) -> ApprovalRules<'_> {
        ApprovalRules {
            approvers: &self.approvers,
            min_approvals: self.min_approvals,
            allow_self_approval: self.allow_self_approval,
        }
    }

    pub fn env(&self, name: &str) -> Option<&DeployEnv> {
        self.envs.iter().find(|e| e.name == name)
    }

    pub fn tag_policy(&self) -> Option<crate::domain::tag_policy::TagPolicy> {
        use crate::domain::tag_policy::TagPolicy;
        let p = self.tag_policy.as_ref()?;
        match (&p.semver, &p.regex) {
            (Some(r), _) => TagPolicy::semver(r).ok(),
            (_, Some(r)) => TagPolicy::regex(r).ok(),
            _ => None,
        }
    }
}

fn default_branch() -> String {
    "main".into()
}

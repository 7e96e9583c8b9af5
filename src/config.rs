//! `config.toml`: typed, strict (unknown keys are errors with line and column), no secrets.
//! Secrets come only from the environment, read once in `main` by [`Secrets::from_env`].

use crate::locale::Locale;
use chrono_tz::Tz;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub server: ServerConfig,
    #[serde(default)]
    pub database: DatabaseConfig,
    #[serde(default)]
    pub workers: WorkersConfig,
    #[serde(default)]
    pub slack: SlackConfig,
    #[serde(default)]
    pub github: GithubConfig,
    #[serde(default)]
    pub terraform: TerraformConfig,
    #[serde(default)]
    pub aws: AwsConfig,
    #[serde(default)]
    pub deploy: DeployConfig,
}

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
    pub repo: String,
    #[serde(default = "default_branch")]
    pub branch: String,
    /// Slack channel id for deploy cards.
    pub channel: String,
    #[serde(default)]
    pub approvers: Approvers,
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
    pub repo: String,
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

/// Where CodeBuild and S3 are. Credentials come from the AWS SDK's usual chain, never from here.
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
    pub repo: String,
    pub dir: String,
    #[serde(default = "default_workspace")]
    pub workspace: String,
    /// Globs of paths whose change plans this project (module paths included). Default: `<dir>/**`.
    #[serde(default)]
    pub when_modified: Vec<String>,
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
    pub users: Vec<String>,
    /// Slack user group ids (`S…`), expanded when someone approves.
    #[serde(default)]
    pub groups: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RiskRule {
    /// Resource type globs, e.g. `aws_iam_*`, `aws_db_instance`.
    pub resource_types: Vec<String>,
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
fn default_min_approvals() -> u32 {
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

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerConfig {
    #[serde(default = "default_listen")]
    pub listen: SocketAddr,
    /// The URL Slack and GitHub reach banto at; used in the app manifest.
    #[serde(default = "default_public_url")]
    pub public_url: String,
    #[serde(default = "default_max_body_bytes")]
    pub max_body_bytes: usize,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseConfig {
    /// `sqlite://banto.db` (embedded default) or `postgres://user@host/db` for several replicas.
    #[serde(default = "default_database_url")]
    pub url: String,
    #[serde(default = "default_max_connections")]
    pub max_connections: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkersConfig {
    #[serde(default = "default_worker_count")]
    pub count: usize,
    /// How long a claimed event is reserved for one worker before another may take it.
    #[serde(default = "default_lease_seconds")]
    pub lease_seconds: u64,
    /// A failing event is retried with backoff this many times, then parked.
    #[serde(default = "default_max_attempts")]
    pub max_attempts: u32,
    #[serde(default = "default_poll_interval_ms")]
    pub poll_interval_ms: u64,
    /// Handled events are kept this long so that late retries are still recognised.
    #[serde(default = "default_retention_hours")]
    pub retention_hours: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlackConfig {
    #[serde(default = "default_slack_api_url")]
    pub api_url: String,
    /// Language used when neither the user's Slack locale nor the channel says otherwise.
    #[serde(default)]
    pub default_locale: Locale,
    /// Per-channel language, by channel id.
    #[serde(default)]
    pub channel_locales: BTreeMap<String, Locale>,
    /// Team time zone, used when a user's own zone is unknown.
    #[serde(default = "default_time_zone")]
    pub time_zone: Tz,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GithubConfig {
    #[serde(default = "default_github_api_url")]
    pub api_url: String,
    /// GitHub login → Slack user id, so a PR author is recognised in Slack (no self-approval).
    #[serde(default)]
    pub slack_users: BTreeMap<String, String>,
}

fn default_listen() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 3000))
}
fn default_public_url() -> String {
    "https://banto.example.com".into()
}
fn default_max_body_bytes() -> usize {
    1024 * 1024
}
fn default_database_url() -> String {
    "sqlite://banto.db".into()
}
fn default_max_connections() -> u32 {
    8
}
fn default_worker_count() -> usize {
    4
}
fn default_lease_seconds() -> u64 {
    60
}
fn default_max_attempts() -> u32 {
    6
}
fn default_poll_interval_ms() -> u64 {
    200
}
fn default_retention_hours() -> u64 {
    72
}
fn default_slack_api_url() -> String {
    "https://slack.com/api".into()
}
fn default_time_zone() -> Tz {
    chrono_tz::UTC
}
fn default_github_api_url() -> String {
    "https://api.github.com".into()
}

macro_rules! default_from_serde {
    ($($t:ty),*) => {$(
        impl Default for $t {
            fn default() -> Self {
                toml::from_str("").expect("every field has a default")
            }
        }
    )*};
}
default_from_serde!(
    ServerConfig,
    DatabaseConfig,
    WorkersConfig,
    SlackConfig,
    GithubConfig,
    AwsConfig
);

impl Default for Config {
    fn default() -> Self {
        Self::parse("", Path::new("<defaults>")).expect("empty config is valid")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}:{line}:{column}: {message}")]
    Invalid {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
}

impl Config {
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        Self::parse(&text, path)
    }

    pub fn parse(text: &str, path: &Path) -> Result<Self, ConfigError> {
        let config: Config = toml::from_str(text).map_err(|e| {
            let (line, column) = e
                .span()
                .map(|span| line_column(text, span.start))
                .unwrap_or((1, 1));
            ConfigError::Invalid {
                path: path.to_owned(),
                line,
                column,
                message: e.message().trim().to_owned(),
            }
        })?;
        config.validate(path, text)?;
        Ok(config)
    }

    fn validate(&self, path: &Path, text: &str) -> Result<(), ConfigError> {
        let invalid = |message: String| ConfigError::Invalid {
            path: path.to_owned(),
            line: 1,
            column: 1,
            message,
        };
        let url = &self.database.url;
        if !(url.starts_with("sqlite:")
            || url.starts_with("postgres:")
            || url.starts_with("postgresql:"))
        {
            return Err(invalid(format!(
                "database.url must start with sqlite: or postgres:, got {:?}",
                crate::redact::url(url)
            )));
        }
        if self.workers.max_attempts == 0 {
            return Err(invalid("workers.max_attempts must be at least 1".into()));
        }
        let mut names = std::collections::BTreeSet::new();
        for p in &self.terraform.projects {
            let at = |what: &str| format!("terraform project {:?}: {what}", p.name);
            let here = |message: String| ConfigError::Invalid {
                path: path.to_owned(),
                line: entry_line(text, "[[terraform.projects]]", &p.name),
                column: 1,
                message,
            };
            if !names.insert(p.name.as_str()) {
                return Err(here(at("the name is used twice")));
            }
            if p.name.is_empty() || p.name.contains(char::is_whitespace) {
                return Err(here(at("the name must be one word")));
            }
            if p.repo.split('/').filter(|s| !s.is_empty()).count() != 2 {
                return Err(here(at("repo must be owner/name")));
            }
            if p.min_approvals == 0 || p.risk.iter().any(|r| r.min_approvals == 0) {
                return Err(here(at("min_approvals must be at least 1")));
            }
            if p.approvers.users.is_empty() && p.approvers.groups.is_empty() {
                return Err(here(at("no approvers: nobody could ever apply it")));
            }
            for r in &p.risk {
                if let Some(a) = r.actions.iter().find(|a| {
                    !["create", "update", "delete", "replace", "forget"].contains(&a.as_str())
                }) {
                    return Err(here(at(&format!("unknown risk action {a:?}"))));
                }
            }
        }
        let mut apps = std::collections::BTreeSet::new();
        for a in &self.deploy.apps {
            let at = |what: &str| format!("deploy app {:?}: {what}", a.name);
            let here = |message: String| ConfigError::Invalid {
                path: path.to_owned(),
                line: entry_line(text, "[[deploy.apps]]", &a.name),
                column: 1,
                message,
            };
            if !apps.insert(a.name.as_str()) {
                return Err(here(at("the name is used twice")));
            }
            if a.name.is_empty() || a.name.contains(char::is_whitespace) {
                return Err(here(at("the name must be one word")));
            }
            if a.repo.split('/').filter(|s| !s.is_empty()).count() != 2 {
                return Err(here(at("repo must be owner/name")));
            }
            if a.min_approvals == 0 {
                return Err(here(at("min_approvals must be at least 1")));
            }
            if a.envs.is_empty() {
                return Err(here(at("no envs")));
            }
            let needs_approval = a.envs.iter().any(|e| !e.auto_merge);
            if needs_approval && a.approvers.users.is_empty() && a.approvers.groups.is_empty() {
                return Err(here(at("no approvers, and not every env auto-merges")));
            }
            if let Some(p) = &a.tag_policy {
                match (&p.semver, &p.regex) {
                    (Some(r), None) => crate::domain::tag_policy::TagPolicy::semver(r).map(|_| ()),
                    (None, Some(r)) => crate::domain::tag_policy::TagPolicy::regex(r).map(|_| ()),
                    _ => Err("tag_policy needs exactly one of semver or regex".to_owned()),
                }
                .map_err(|e| here(at(&e)))?;
            }
            let mut envs = std::collections::BTreeSet::new();
            for e in &a.envs {
                if !envs.insert(e.name.as_str()) {
                    return Err(here(at(&format!("env {:?} is listed twice", e.name))));
                }
                let locators = [e.key.is_some(), e.kustomize.is_some(), e.setter.is_some()];
                if locators.iter().filter(|x| **x).count() > 1 {
                    return Err(here(at(&format!(
                        "env {:?}: set at most one of key, kustomize, setter",
                        e.name
                    ))));
                }
                for w in &e.freeze {
                    w.parse::<crate::domain::freeze::FreezeWindow>()
                        .map_err(|m| here(at(&format!("env {:?}: {m}", e.name))))?;
                }
            }
            if a.tag_policy.is_none()
                && let Some(e) = a.envs.iter().find(|e| e.auto_deploy)
            {
                return Err(here(at(&format!(
                    "env {:?} has auto_deploy but the app has no tag_policy: automation only deploys tags a policy allows",
                    e.name
                ))));
            }
            if let Some(w) = &a.workflow
                && w.repo.split('/').filter(|s| !s.is_empty()).count() != 2
            {
                return Err(here(at("workflow.repo must be owner/name")));
            }
        }
        Ok(())
    }

    pub fn locale_for_channel(&self, channel: &str) -> Locale {
        self.slack
            .channel_locales
            .get(channel)
            .copied()
            .unwrap_or(self.slack.default_locale)
    }
}

/// The line of the `name = "…"` of the `header` entry called `name` (1 if not found), so a
/// check beyond TOML points at the entry it is about.
fn entry_line(text: &str, header: &str, name: &str) -> usize {
    let mut inside = false;
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if t.starts_with('[') {
            inside = t == header;
        } else if inside
            && let Some((key, value)) = t.split_once('=')
            && key.trim() == "name"
            && value.trim().trim_matches(['"', '\'']) == name
        {
            return i + 1;
        }
    }
    1
}

fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// A value that never prints: `Debug` and `Display` show `***`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// Every credential banto can use, each from one environment variable.
#[derive(Clone, Debug, Default)]
pub struct Secrets {
    pub slack_bot_token: Option<Secret>,
    pub slack_signing_secret: Option<Secret>,
    pub slack_app_token: Option<Secret>,
    pub github_token: Option<Secret>,
    pub github_app_id: Option<u64>,
    pub github_app_private_key: Option<Secret>,
    pub github_webhook_secret: Option<Secret>,
    /// Shared secret EventBridge API destinations send as `Authorization: Bearer …`.
    pub aws_events_secret: Option<Secret>,
    /// Shared secret Argo CD notifications send as `Authorization: Bearer …`.
    pub argocd_webhook_secret: Option<Secret>,
}

pub const SECRET_VARS: &[&str] = &[
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "GITHUB_TOKEN",
    "GITHUB_APP_ID",
    "GITHUB_APP_PRIVATE_KEY",
    "GITHUB_WEBHOOK_SECRET",
    "AWS_EVENTS_SECRET",
    "ARGOCD_WEBHOOK_SECRET",
];

impl Secrets {
    pub fn from_env() -> anyhow::Result<Self> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> anyhow::Result<Self> {
        let secret = |k: &str| get(k).filter(|v| !v.is_empty()).map(Secret::new);
        let github_app_id = match get("GITHUB_APP_ID").filter(|v| !v.is_empty()) {
            Some(v) => Some(
                v.parse()
                    .map_err(|_| anyhow::anyhow!("GITHUB_APP_ID must be a number"))?,
            ),
            None => None,
        };
        Ok(Self {
            slack_bot_token: secret("SLACK_BOT_TOKEN"),
            slack_signing_secret: secret("SLACK_SIGNING_SECRET"),
            slack_app_token: secret("SLACK_APP_TOKEN"),
            github_token: secret("GITHUB_TOKEN"),
            github_app_id,
            github_app_private_key: secret("GITHUB_APP_PRIVATE_KEY"),
            github_webhook_secret: secret("GITHUB_WEBHOOK_SECRET"),
            aws_events_secret: secret("AWS_EVENTS_SECRET"),
            argocd_webhook_secret: secret("ARGOCD_WEBHOOK_SECRET"),
        })
    }

    /// `(variable, is set)` for each credential, for `check-config`; never the values.
    pub fn presence(&self) -> Vec<(&'static str, bool)> {
        let set = [
            self.slack_bot_token.is_some(),
            self.slack_signing_secret.is_some(),
            self.slack_app_token.is_some(),
            self.github_token.is_some(),
            self.github_app_id.is_some(),
            self.github_app_private_key.is_some(),
            self.github_webhook_secret.is_some(),
            self.aws_events_secret.is_some(),
            self.argocd_webhook_secret.is_some(),
        ];
        SECRET_VARS.iter().copied().zip(set).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_key_is_an_error_with_line_and_column() {
        let text =
            "[server]\nlisten = \"127.0.0.1:3000\"\n\n[workers]\ncount = 2\nleese_seconds = 5\n";
        let err = Config::parse(text, Path::new("banto.toml"))
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("banto.toml:6:1: unknown field `leese_seconds`"),
            "{err}"
        );
        assert!(
            err.contains("lease_seconds"),
            "the message lists the expected keys: {err}"
        );
    }

    #[test]
    fn wrong_type_names_what_was_expected() {
        let err = Config::parse("[workers]\ncount = \"four\"\n", Path::new("c.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("c.toml:2:9:"), "{err}");
        assert!(
            err.contains("invalid type: string \"four\", expected"),
            "{err}"
        );
    }

    #[test]
    fn bad_time_zone_and_database_are_refused() {
        let err = Config::parse("[slack]\ntime_zone = \"Asia/Tokio\"\n", Path::new("c.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("c.toml:2:"), "{err}");
        let err = Config::parse(
            "[database]\nurl = \"mysql://root:hunter2@db/banto\"\n",
            Path::new("c.toml"),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("sqlite: or postgres:"), "{err}");
        assert!(
            !err.contains("hunter2"),
            "a password in the URL is not echoed: {err}"
        );
    }

    #[test]
    fn shipped_config_is_valid() {
        let config = Config::load(Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/config.toml"
        )))
        .expect("config.toml parses");
        assert!(config.database.url.starts_with("sqlite:"));
    }

    #[test]
    fn deploy_apps_are_checked() {
        let app = |env: &str| {
            format!(
                "[[deploy.apps]]\nname = \"web\"\nimage = \"ghcr.io/acme/web\"\nrepo = \"acme/gitops\"\n\
                 channel = \"C1\"\napprovers = {{ users = [\"U1\"] }}\n\
                 tag_policy = {{ semver = \">=1.0.0\" }}\n[[deploy.apps.envs]]\n{env}"
            )
        };
        let ok = Config::parse(
            &app("name = \"production\"\nfile = \"apps/web/prod/values.yaml\"\nkey = \"image.tag\"\nfreeze = [\"Fri 18:00 - Mon 09:00 Asia/Tokyo\"]\n"),
            Path::new("c.toml"),
        )
        .unwrap();
        let a = &ok.deploy.apps[0];
        assert_eq!(
            a.envs[0].locator(a),
            crate::domain::yaml_edit::Locator::Key {
                path: "image.tag".into(),
                repository: Some("ghcr.io/acme/web".into())
            }
        );
        assert_eq!(a.envs[0].freeze_windows().len(), 1);
        assert!(a.tag_policy().unwrap().allows("v1.2.0"));
        let err = Config::parse(
            &app("name = \"prod\"\nfile = \"f\"\nfreeze = [\"Fri 18:00 - Mon 09:00 Tokio\"]\n"),
            Path::new("c.toml"),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("unknown time zone \"Tokio\""), "{err}");
        let err = Config::parse(
            &app("name = \"prod\"\nfile = \"f\"\nkey = \"image.tag\"\nkustomize = \"web\"\n"),
            Path::new("c.toml"),
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("at most one of key, kustomize, setter"),
            "{err}"
        );
        let err = Config::parse(
            &app("name = \"prod\"\nfile = \"f\"\nauto_merj = true\n"),
            Path::new("c.toml"),
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("c.toml:11:1:") && err.contains("auto_merj"),
            "unknown keys name their line: {err}"
        );
        let err = Config::parse(
            &app("name = \"dev\"\nfile = \"f\"\nauto_deploy = true\n")
                .replace("tag_policy = { semver = \">=1.0.0\" }\n", ""),
            Path::new("c.toml"),
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("auto_deploy but the app has no tag_policy"),
            "{err}"
        );
        assert!(
            err.starts_with("c.toml:2:1:"),
            "it points at the app's entry: {err}"
        );
    }

    #[test]
    fn terraform_projects_are_checked() {
        let base = "[[terraform.projects]]\nname = \"network\"\nrepo = \"acme/infra\"\ndir = \"net\"\n\
                    codebuild_plan_project = \"p\"\ncodebuild_apply_project = \"a\"\nartifact_bucket = \"b\"\n\
                    channel = \"C1\"\n";
        let err = Config::parse(base, Path::new("c.toml"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("terraform project \"network\": no approvers"),
            "{err}"
        );
        let ok = format!("{base}approvers = {{ users = [\"U1\"] }}\n");
        let p = &Config::parse(&ok, Path::new("c.toml"))
            .unwrap()
            .terraform
            .projects[0];
        assert_eq!(
            (p.min_approvals, p.plan_ttl_minutes, p.allow_self_approval),
            (1, 240, false)
        );
        let typo = format!("{ok}min_aprovals = 2\n");
        let err = Config::parse(&typo, Path::new("c.toml"))
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("c.toml:10:1: unknown field `min_aprovals`"),
            "{err}"
        );
        let twice = format!("{ok}{ok}");
        let err = Config::parse(&twice, Path::new("c.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("the name is used twice"), "{err}");
    }

    #[test]
    fn secrets_never_print() {
        let secrets =
            Secrets::from_lookup(|k| (k == "SLACK_BOT_TOKEN").then(|| "xoxb-123-abc".into()))
                .unwrap();
        let shown = format!("{secrets:?}");
        assert!(!shown.contains("xoxb-123-abc"), "{shown}");
        assert!(secrets.presence().contains(&("SLACK_BOT_TOKEN", true)));
        assert!(
            secrets
                .presence()
                .contains(&("SLACK_SIGNING_SECRET", false))
        );
    }
}

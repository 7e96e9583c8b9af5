//! `config.toml`: typed, strict (unknown keys are errors with line and column), no secrets.
//! Secrets come only from the environment, read once in `main` by [`Secrets::from_env`].
//! `terraform.rs`, `deploy.rs` and `incidents.rs` (with the playbooks) hold their capability's
//! tables; `aws.rs` the AWS endpoints; `check.rs` the checks beyond TOML; `secrets.rs` the
//! credentials.

mod approval;
mod aws;
mod check;
use check::line_column;
mod deploy;
mod incidents;
mod policies;
mod postmortem;
mod secrets;
mod summary;
pub(crate) mod terraform;
mod translate;

pub use approval::{ApprovalRules, People};
pub use aws::AwsConfig;
pub use deploy::*;
pub use incidents::{IncidentsConfig, Playbook};
pub use policies::PolicySet;
pub use postmortem::PostmortemConfig;
pub use secrets::{SECRET_VARS, Secret, Secrets};
pub use summary::summary;
pub use terraform::*;
pub use translate::{AmazonConfig, LlmConfig, TranslateConfig};

use crate::locale::Locale;
use chrono_tz::Tz;
use serde::Deserialize;
use std::collections::BTreeMap;
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
    #[serde(default)]
    pub incidents: IncidentsConfig,
    #[serde(default)]
    pub postmortem: PostmortemConfig,
    #[serde(default)]
    pub translate: TranslateConfig,
}

/// Where CodeBuild and S3 are. Credentials come from the AWS SDK's usual chain, never from here.
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
    /// Events handled at once per process (each mostly waits on Slack, GitHub or AWS).
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
    pub channel_locales: BTreeMap<crate::ids::ChannelId, Locale>,
    /// Team time zone, used when a user's own zone is unknown.
    #[serde(default = "default_time_zone")]
    pub time_zone: Tz,
    /// Where webhooks and timers that failed every retry are reported (channel id).
    #[serde(default)]
    pub ops_channel: Option<crate::ids::ChannelId>,
    /// Pace calls to Slack's rate limits (each method's tier, about one message a second per
    /// channel) instead of waiting for 429s.
    #[serde(default = "default_true")]
    pub pacing: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GithubConfig {
    #[serde(default = "default_github_api_url")]
    pub api_url: String,
    /// GitHub login → Slack user id, so a PR author is recognised in Slack (no self-approval).
    #[serde(default)]
    pub slack_users: BTreeMap<String, String>,
    /// The language banto writes in on a repository (PR titles, bodies, comments); English
    /// where not set.
    #[serde(default)]
    pub languages: BTreeMap<crate::ids::RepoName, Locale>,
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
    64
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
fn default_true() -> bool {
    true
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
    /// The cause is in the message, not chained as a source: printed with `{:#}`, it would
    /// be said twice.
    #[error("cannot read {path}: {cause}")]
    Read {
        path: PathBuf,
        cause: std::io::Error,
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
    /// A configuration file for a real workspace: on top of [`Config::parse`], Slack channels,
    /// users and groups must be ids and endpoints must be URLs.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|cause| ConfigError::Read {
            path: path.to_owned(),
            cause,
        })?;
        let config = Self::parse(&text, path)?;
        config.check_for_workspace(path, &text)?;
        Ok(config)
    }

    /// Types and the checks of `check.rs`. Slack names (`#infra`, `@alice`) pass here: the fake
    /// world and the console resolve them; [`Config::load`] refuses them.
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
        let mut config = config;
        config.validate(path, text)?;
        let dir = path.parent().unwrap_or(Path::new(""));
        config.incidents.load_playbooks(dir)?;
        config.terraform.load_policies(dir)?;
        config.incidents.check_default(path, text)?;
        config.postmortem.load_templates(dir)?;
        Ok(config)
    }
    pub fn locale_for_channel(&self, channel: &crate::ids::ChannelId) -> Locale {
        self.slack
            .channel_locales
            .get(channel)
            .copied()
            .unwrap_or(self.slack.default_locale)
    }

    pub fn locale_for_repo(&self, repo: &crate::ids::RepoName) -> Locale {
        self.github
            .languages
            .iter()
            .find(|(r, _)| r.is(repo))
            .map_or(Locale::En, |(_, l)| *l)
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
            err.starts_with("c.toml:1:1:"),
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
        let second = format!("c.toml:{}:1:", ok.lines().count() + 1);
        assert!(err.starts_with(&second), "at the second entry: {err}");
        let bad_repo = ok.replace("acme/infra", "acme/infra/live");
        let err = Config::parse(&bad_repo, Path::new("c.toml"))
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("c.toml:3:8: \"acme/infra/live\" is not a GitHub repository"),
            "{err}"
        );
    }
}

//! The scenario harness: banto's real router and workers on a fake Slack, driven by named users.
//! It signs every request it sends, waits on banto's progress signal instead of sleeping, and
//! (in tests) fails when a bot message was never looked at.

use super::aws_side::AwsSide;
use super::codebuild::{FakeBuild, FakeCodeBuild, Outcome};
use super::github::FakeGithub;
use super::s3::FakeS3;
use super::slack::{FakeMessage, FakeSlack};
use crate::app::App;
use crate::clients::aws::{AwsTarget, AwsTargets};
use crate::config::{Config, Secret, Secrets};
use crate::server::verify::{github_sign, slack_sign};
use crate::store::Queue;
use anyhow::{Context, bail};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::sync::watch;

/// A Terraform project for scenarios: `network` in `acme/infra`, cards in `#infra`, approved
/// by alice.
pub const NETWORK_PROJECT: &str = r##"
[[terraform.projects]]
name = "network"
repo = "acme/infra"
dir = "envs/prod/network"
when_modified = ["envs/prod/network/**"]
codebuild_plan_project = "banto-tf-plan"
codebuild_apply_project = "banto-tf-apply"
artifact_bucket = "acme-banto-plans"
channel = "#infra"
approvers = { users = ["@alice"] }
"##;

pub const BOT_TOKEN: &str = "xoxb-fake-0000-banto";
pub const GITHUB_TOKEN: &str = "ghp_fake_world_token";
const WAIT: Duration = Duration::from_secs(10);

mod aws_github;
mod slack_side;
mod waits;

pub use super::database::TestDatabase;

pub struct WorldOptions {
    pub config: Config,
    /// Connect over Socket Mode (with an app-level token) as well as over HTTP.
    pub socket_mode: bool,
    /// Fail (panic on drop) if a bot message was never looked at: on in tests, off in the console.
    pub check_unseen: bool,
    pub workers: usize,
    /// Slack's rate limits for real: the fake answers 429 beyond them and banto paces itself
    /// (off by default, so scenarios run at full speed).
    pub slack_limits: bool,
}

impl WorldOptions {
    /// The harness's options with a test's `config.toml` text (Slack names such as `#infra` and
    /// `@alice` allowed), keeping the harness's worker settings.
    pub fn with_config(text: &str) -> Self {
        let mut opts = Self::default();
        let config = Config::parse(text, std::path::Path::new("test.toml")).expect("test config");
        opts.config = Config {
            workers: opts.config.workers.clone(),
            ..config
        };
        opts
    }
}

impl Default for WorldOptions {
    fn default() -> Self {
        let mut config = Config::default();
        config.workers.poll_interval_ms = 50;
        Self {
            config,
            socket_mode: false,
            check_unseen: true,
            workers: 2,
            slack_limits: false,
        }
    }
}

pub struct World {
    pub slack: FakeSlack,
    pub github: FakeGithub,
    pub codebuild: FakeCodeBuild,
    pub s3: FakeS3,
    pub deepl: crate::fake::translate::deepl::FakeDeepl,
    pub amazon: crate::fake::translate::amazon::FakeAmazonTranslate,
    pub llm: crate::fake::translate::llm::FakeLlm,
    /// Arm it to make banto die just before one of its calls to Slack, GitHub or CodeBuild.
    pub crash: crate::fake::crash::CrashPoint,
    pub app: Arc<App>,
    /// banto's own base URL (its real router on a loopback port).
    pub url: String,
    pub signing_secret: String,
    pub github_secret: String,
    pub aws_events_secret: String,
    pub argocd_secret: String,
    pub alertmanager_secret: String,
    pub users: BTreeMap<String, String>,
    http: reqwest::Client,
    check_unseen: bool,
    stop: watch::Sender<bool>,
    seq: AtomicU64,
    boot: Boot,
    worker_task: Option<tokio::task::JoinHandle<()>>,
    _db: TestDatabase,
}

/// What it takes to start banto again on the same database and fakes.
struct Boot {
    config: Config,
    secrets: Secrets,
    aws: AwsTargets,
    workers: usize,
}

/// banto's router on a loopback port and its workers; returns the URL and the workers' task.
async fn serve(
    app: &Arc<App>,
    workers: usize,
    stop: watch::Receiver<bool>,
) -> anyhow::Result<(String, tokio::task::JoinHandle<()>)> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}", listener.local_addr()?);
    let router = crate::server::router(app.clone());
    let mut until = stop.clone();
    // Stopped with the workers, so a dropped world lets go of its App and database connections.
    tokio::spawn(async move {
        let _ = axum::serve(listener, router)
            .with_graceful_shutdown(async move {
                let _ = until.wait_for(|stop| *stop).await;
            })
            .await;
    });
    Ok((
        url,
        tokio::spawn(crate::worker::run(app.clone(), workers, stop)),
    ))
}

impl World {
    /// alice (en, Tokyo), bob (en, San Francisco), kenji (ja, Tokyo) and an `#ops` channel.
    pub async fn start() -> anyhow::Result<Self> {
        Self::start_with(WorldOptions::default()).await
    }

    pub async fn start_with(mut opts: WorldOptions) -> anyhow::Result<Self> {
        crate::install_crypto_provider();
        crate::metrics::install();
        let db = TestDatabase::new().await?;
        let slack = FakeSlack::start(BOT_TOKEN).await?;
        let github = FakeGithub::start().await?;
        github.state().tokens.push(GITHUB_TOKEN.into());
        let mut users = BTreeMap::new();
        for (name, locale, tz) in [
            ("alice", "en-US", "Asia/Tokyo"),
            ("bob", "en-US", "America/Los_Angeles"),
            ("kenji", "ja-JP", "Asia/Tokyo"),
        ] {
            users.insert(name.to_owned(), slack.add_user(name, locale, tz));
        }
        let members: Vec<&str> = users.values().map(String::as_str).collect();
        slack.add_channel("ops", false, &members);
        slack.add_channel("infra", false, &members);
        slack.add_channel("deploys", false, &members);
        slack.add_channel("incidents", false, &members);
        slack.add_channel("alerts", false, &members);
        let mut groups = BTreeMap::new();
        groups.insert(
            "sre-leads".to_owned(),
            slack.add_usergroup("sre-leads", &[&users["kenji"]]),
        );
        resolve_names(&mut opts.config, &slack, &users, &groups);
        let cb_projects: Vec<&str> = opts
            .config
            .terraform
            .projects
            .iter()
            .flat_map(|p| {
                [
                    p.codebuild_plan_project.as_str(),
                    p.codebuild_apply_project.as_str(),
                ]
            })
            .collect();
        let codebuild = FakeCodeBuild::start(&cb_projects).await?;
        let s3 = FakeS3::start().await?;
        let crash = crate::fake::crash::CrashPoint::default();
        slack.mutate(|s| s.crash = crash.clone());
        github.state().crash = crash.clone();
        codebuild.state().crash = crash.clone();
        for p in &opts.config.terraform.projects {
            s3.create_bucket(&p.artifact_bucket);
        }
        let deepl_key = format!("{:032x}:fx", rand::random::<u128>());
        let deepl = crate::fake::translate::deepl::FakeDeepl::start(&deepl_key).await?;
        let amazon = crate::fake::translate::amazon::FakeAmazonTranslate::start().await?;
        let llm = crate::fake::translate::llm::FakeLlm::start(Some(LLM_KEY)).await?;
        use_fake_translators(&mut opts.config.translate, &deepl, &llm);

        opts.config.slack.api_url = slack.api_url();
        opts.config.slack.pacing = opts.slack_limits;
        slack.mutate(|s| s.enforce_limits = opts.slack_limits);
        opts.config.github.api_url = github.base_url.clone();
        opts.config.database.url = db.url.clone();
        let signing_secret = format!("{:032x}", rand::random::<u128>());
        let github_secret = format!("{:032x}", rand::random::<u128>());
        let aws_events_secret = format!("{:032x}", rand::random::<u128>());
        let argocd_secret = format!("{:032x}", rand::random::<u128>());
        let alertmanager_secret = format!("{:032x}", rand::random::<u128>());
        let secrets = Secrets {
            slack_bot_token: Some(Secret::new(BOT_TOKEN)),
            slack_signing_secret: Some(Secret::new(signing_secret.clone())),
            github_webhook_secret: Some(Secret::new(github_secret.clone())),
            aws_events_secret: Some(Secret::new(aws_events_secret.clone())),
            argocd_webhook_secret: Some(Secret::new(argocd_secret.clone())),
            alertmanager_secret: Some(Secret::new(alertmanager_secret.clone())),
            deepl_api_key: Some(Secret::new(deepl_key)),
            translate_llm_api_key: Some(Secret::new(LLM_KEY)),
            github_token: Some(Secret::new(GITHUB_TOKEN)),
            ..Default::default()
        };
        let aws = |url: &str| AwsTarget {
            region: "us-east-1".into(),
            endpoint_url: Some(url.to_owned()),
            static_credentials: Some(("AKIAFAKEWORLD".into(), "fake-world-secret".into())),
            force_path_style: true,
        };
        let aws = AwsTargets {
            codebuild: aws(&codebuild.base_url),
            s3: aws(&s3.base_url),
            translate: aws(&amazon.base_url),
        };
        let app = App::with_aws(opts.config.clone(), &secrets, &aws).await?;
        let (stop, stop_rx) = watch::channel(false);
        if opts.socket_mode {
            let app_token = format!("xapp-1-fake-{:016x}", rand::random::<u64>());
            slack.mutate(|s| s.app_token = app_token.clone());
            tokio::spawn(crate::socket_mode::run(
                app.clone(),
                Secret::new(app_token),
                stop_rx.clone(),
            ));
        }
        let (url, workers) = serve(&app, opts.workers, stop_rx).await?;
        Ok(Self {
            slack,
            github,
            codebuild,
            s3,
            deepl,
            amazon,
            llm,
            crash,
            app,
            url,
            signing_secret,
            github_secret,
            aws_events_secret,
            argocd_secret,
            alertmanager_secret,
            users,
            http: reqwest::Client::new(),
            check_unseen: opts.check_unseen,
            stop,
            seq: AtomicU64::new(1),
            boot: Boot {
                config: opts.config,
                secrets,
                aws,
                workers: opts.workers,
            },
            worker_task: Some(workers),
            _db: db,
        })
    }

    /// `banto doctor` on this world's configuration, secrets and AWS endpoints.
    pub async fn doctor(&self) -> crate::doctor::Report {
        self.doctor_with(|_, _| {}).await
    }

    /// `banto doctor` after `change` to a copy of the configuration and secrets.
    pub async fn doctor_with(
        &self,
        change: impl FnOnce(&mut Config, &mut Secrets),
    ) -> crate::doctor::Report {
        let (mut config, mut secrets) = (self.boot.config.clone(), self.boot.secrets.clone());
        change(&mut config, &mut secrets);
        crate::doctor::run(&config, &secrets, &self.boot.aws).await
    }

    pub fn user(&self, name: &str) -> String {
        self.users
            .get(name)
            .cloned()
            .unwrap_or_else(|| panic!("no user named {name}; known: {:?}", self.users.keys()))
    }

    /// A user's name from their id, for display.
    pub fn user_name(&self, id: &str) -> String {
        self.slack
            .state()
            .users
            .get(id)
            .map_or_else(|| id.to_owned(), |u| u.name.clone())
    }

    pub fn channel(&self, name: &str) -> String {
        self.slack
            .state()
            .channel_by_name(name)
            .map(|c| c.id.clone())
            .unwrap_or_else(|| panic!("no channel named {name}"))
    }

    fn next(&self) -> u64 {
        self.seq.fetch_add(1, Ordering::SeqCst)
    }

    /// Stop this process's workers (they finish what they hold): another banto, pointed at by
    /// `url`, handles the inbox from now on (benchmarks of `banto serve` as its own process).
    pub async fn stop_workers(&mut self) -> anyhow::Result<()> {
        let _ = self.stop.send(true);
        if let Some(t) = self.worker_task.take() {
            t.await?;
        }
        Ok(())
    }

    /// Stop banto (its workers finish what they hold) and start a fresh process-equivalent on
    /// the same database and fakes: nothing in memory survives.
    pub async fn restart(&mut self) -> anyhow::Result<()> {
        let _ = self.stop.send(true);
        if let Some(t) = self.worker_task.take() {
            t.await?;
        }
        let b = &self.boot;
        let app = App::with_aws(b.config.clone(), &b.secrets, &b.aws).await?;
        let (stop, stop_rx) = watch::channel(false);
        let (url, workers) = serve(&app, b.workers, stop_rx).await?;
        (self.app, self.url, self.stop, self.worker_task) = (app, url, stop, Some(workers));
        Ok(())
    }

    /// As [`World::restart`], with the config changed first (a new release of the config).
    pub async fn restart_with(&mut self, change: impl FnOnce(&mut Config)) -> anyhow::Result<()> {
        change(&mut self.boot.config);
        self.restart().await
    }

    pub async fn shutdown(&self) {
        let _ = self.stop.send(true);
    }
}

/// Config written for the world names people and places: `@alice` is alice's user id, `#infra`
/// a channel's id, `&sre-leads` a user group's id.
fn resolve_names(
    config: &mut Config,
    slack: &FakeSlack,
    users: &BTreeMap<String, String>,
    groups: &BTreeMap<String, String>,
) {
    let user = |s: &mut String| {
        if let Some(id) = s.strip_prefix('@').and_then(|n| users.get(n)) {
            *s = id.clone();
        }
    };
    let user_id = |u: &mut crate::ids::UserId| user(&mut u.0);
    let group = |g: &mut crate::ids::UserGroupId| {
        if let Some(id) = g.0.strip_prefix('&').and_then(|n| groups.get(n)) {
            g.0 = id.clone();
        }
    };
    let channel = |c: &mut crate::ids::ChannelId| {
        if let Some(id) =
            c.0.strip_prefix('#')
                .and_then(|n| slack.state().channel_by_name(n).map(|c| c.id.clone()))
        {
            c.0 = id;
        }
    };
    for p in &mut config.terraform.projects {
        p.approvers.users.iter_mut().for_each(user_id);
        p.approvers.groups.iter_mut().for_each(group);
        channel(&mut p.channel);
    }
    for s in &mut config.terraform.policies {
        s.owners.users.iter_mut().for_each(user_id);
        s.owners.groups.iter_mut().for_each(group);
    }
    for a in &mut config.deploy.apps {
        a.approvers.users.iter_mut().for_each(user_id);
        a.approvers.groups.iter_mut().for_each(group);
        channel(&mut a.channel);
    }
    config.github.slack_users.values_mut().for_each(user);
    config.slack.ops_channel.iter_mut().for_each(channel);
    config
        .incidents
        .broadcast_channel
        .iter_mut()
        .for_each(channel);
    config.incidents.alerts.channel.iter_mut().for_each(channel);
    config.translate.auto_channels.iter_mut().for_each(channel);
    config.translate.channels = std::mem::take(&mut config.translate.channels)
        .into_iter()
        .map(|(mut c, p)| {
            channel(&mut c);
            (c, p)
        })
        .collect();
    for p in config.incidents.playbooks.values_mut() {
        p.responders.users.iter_mut().for_each(user_id);
        p.responders.groups.iter_mut().for_each(group);
    }
}

const LLM_KEY: &str = "sk-fake-world-gateway";

/// Every translator on, at the fakes: DeepL by default, Amazon Translate and the self-hosted
/// model where a config chooses them (and keeps its own choices of budgets and `private_ok`).
fn use_fake_translators(
    t: &mut crate::config::TranslateConfig,
    deepl: &crate::fake::translate::deepl::FakeDeepl,
    llm: &crate::fake::translate::llm::FakeLlm,
) {
    t.deepl.url = deepl.base_url.clone();
    t.amazon.get_or_insert(crate::config::AmazonConfig {
        region: None,
        private_ok: false,
        monthly_characters: 0,
    });
    t.llm
        .get_or_insert_with(|| crate::config::LlmConfig {
            url: String::new(),
            model: "qwen2.5-14b-instruct".into(),
            private_ok: true,
            monthly_characters: 0,
        })
        .url = llm.base_url.clone();
}

/// Wait for `signal` until `deadline`: true once the deadline has passed, even while signals
/// keep coming (a timeout whose future is always ready would never fire).
async fn expired(deadline: tokio::time::Instant, signal: impl std::future::Future) -> bool {
    tokio::time::Instant::now() >= deadline
        || tokio::time::timeout_at(deadline, signal).await.is_err()
}

impl Drop for World {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        if self.check_unseen && !std::thread::panicking() {
            let unseen = self.slack.unseen();
            if !unseen.is_empty() {
                let list: Vec<String> = unseen
                    .iter()
                    .map(|m| format!("  [{}] {}: {}", m.ts, m.channel, m.text))
                    .collect();
                panic!("the test left bot messages unread:\n{}", list.join("\n"));
            }
        }
    }
}

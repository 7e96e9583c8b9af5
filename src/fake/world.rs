//! The scenario harness: banto's real router and workers on a fake Slack, driven by named users.
//! It signs every request it sends, waits on banto's progress signal instead of sleeping, and
//! (in tests) fails when a bot message was never looked at.

use super::aws_side::AwsSide;
use super::codebuild::{FakeBuild, FakeCodeBuild, Outcome};
use super::github::FakeGithub;
use super::s3::FakeS3;
use super::slack::{FakeMessage, FakeSlack};
use crate::app::App;
use crate::clients::aws::AwsTarget;
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

pub const BOT_TOKEN: &str = "xoxb-fake-0000-banto";
pub const GITHUB_TOKEN: &str = "ghp_fake_world_token";
const WAIT: Duration = Duration::from_secs(10);

/// A database for one test: a SQLite file, or a fresh schema in the PostgreSQL named by
/// `BANTO_TEST_DATABASE_URL`. Removed on drop.
pub struct TestDatabase {
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    File(std::path::PathBuf),
    Schema { admin_url: String, schema: String },
}

impl TestDatabase {
    pub async fn new() -> anyhow::Result<Self> {
        let tag = format!("{}_{:016x}", std::process::id(), rand::random::<u64>());
        match std::env::var("BANTO_TEST_DATABASE_URL") {
            Ok(url) if url.starts_with("postgres") => {
                let schema = format!("t_{tag}");
                sqlx::any::install_default_drivers();
                let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&url).await?;
                sqlx::Executor::execute(
                    &mut conn,
                    sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")),
                )
                .await?;
                let sep = if url.contains('?') { '&' } else { '?' };
                Ok(Self {
                    url: format!("{url}{sep}options=-c%20search_path%3D{schema}"),
                    cleanup: Cleanup::Schema {
                        admin_url: url,
                        schema,
                    },
                })
            }
            Ok(url) if url.starts_with("sqlite") => Ok(Self {
                url: url.clone(),
                cleanup: Cleanup::File(std::path::PathBuf::new()),
            }),
            Ok(other) => {
                bail!("BANTO_TEST_DATABASE_URL must be sqlite: or postgres:, got {other:?}")
            }
            Err(_) => {
                let path = std::env::temp_dir().join(format!("banto-test-{tag}.db"));
                Ok(Self {
                    url: format!("sqlite://{}", path.display()),
                    cleanup: Cleanup::File(path),
                })
            }
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::File(path) if !path.as_os_str().is_empty() => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            Cleanup::File(_) => {}
            Cleanup::Schema { admin_url, schema } => {
                let (url, sql) = (
                    admin_url.clone(),
                    format!("DROP SCHEMA IF EXISTS {schema} CASCADE"),
                );
                let _ = std::thread::spawn(move || {
                    let rt = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()?;
                    rt.block_on(async {
                        let mut conn =
                            <sqlx::AnyConnection as sqlx::Connection>::connect(&url).await?;
                        sqlx::Executor::execute(&mut conn, sqlx::AssertSqlSafe(sql)).await?;
                        anyhow::Ok(())
                    })
                })
                .join();
            }
        }
    }
}

pub struct WorldOptions {
    pub config: Config,
    /// Connect over Socket Mode (with an app-level token) as well as over HTTP.
    pub socket_mode: bool,
    /// Fail (panic on drop) if a bot message was never looked at: on in tests, off in the console.
    pub check_unseen: bool,
    pub workers: usize,
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
        }
    }
}

pub struct World {
    pub slack: FakeSlack,
    pub github: FakeGithub,
    pub codebuild: FakeCodeBuild,
    pub s3: FakeS3,
    pub app: Arc<App>,
    /// banto's own base URL (its real router on a loopback port).
    pub url: String,
    pub signing_secret: String,
    pub github_secret: String,
    pub aws_events_secret: String,
    pub argocd_secret: String,
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
    aws: (AwsTarget, AwsTarget),
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
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
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

        opts.config.slack.api_url = slack.api_url();
        opts.config.github.api_url = github.base_url.clone();
        opts.config.database.url = db.url.clone();
        let signing_secret = format!("{:032x}", rand::random::<u128>());
        let github_secret = format!("{:032x}", rand::random::<u128>());
        let aws_events_secret = format!("{:032x}", rand::random::<u128>());
        let argocd_secret = format!("{:032x}", rand::random::<u128>());
        let secrets = Secrets {
            slack_bot_token: Some(Secret::new(BOT_TOKEN)),
            slack_signing_secret: Some(Secret::new(signing_secret.clone())),
            github_webhook_secret: Some(Secret::new(github_secret.clone())),
            aws_events_secret: Some(Secret::new(aws_events_secret.clone())),
            argocd_webhook_secret: Some(Secret::new(argocd_secret.clone())),
            github_token: Some(Secret::new(GITHUB_TOKEN)),
            ..Default::default()
        };
        let aws = |url: &str| AwsTarget {
            region: "us-east-1".into(),
            endpoint_url: Some(url.to_owned()),
            static_credentials: Some(("AKIAFAKEWORLD".into(), "fake-world-secret".into())),
        };
        let aws = (aws(&codebuild.base_url), aws(&s3.base_url));
        let app = App::with_aws(opts.config.clone(), &secrets, &aws.0, &aws.1).await?;
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
            app,
            url,
            signing_secret,
            github_secret,
            aws_events_secret,
            argocd_secret,
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

    /// POST `body` to banto's `path`, signed as Slack signs it.
    pub async fn post_slack(
        &self,
        path: &str,
        content_type: &str,
        body: String,
    ) -> anyhow::Result<reqwest::Response> {
        let ts = chrono::Utc::now().timestamp();
        Ok(self
            .http
            .post(format!("{}{path}", self.url))
            .header("content-type", content_type)
            .header("x-slack-request-timestamp", ts.to_string())
            .header(
                "x-slack-signature",
                slack_sign(&self.signing_secret, ts, body.as_bytes()),
            )
            .body(body)
            .send()
            .await?)
    }

    /// POST a GitHub webhook, signed with the webhook secret.
    pub async fn post_github(
        &self,
        kind: &str,
        delivery: &str,
        body: &[u8],
    ) -> anyhow::Result<reqwest::Response> {
        Ok(self
            .http
            .post(format!("{}/github/webhook", self.url))
            .header("content-type", "application/json")
            .header("x-github-event", kind)
            .header("x-github-delivery", delivery)
            .header(
                "x-hub-signature-256",
                github_sign(&self.github_secret, body),
            )
            .body(body.to_vec())
            .send()
            .await?)
    }

    /// POST an EventBridge event as an API destination sends it.
    pub async fn post_aws_event(
        &self,
        body: &serde_json::Value,
    ) -> anyhow::Result<reqwest::Response> {
        Ok(self
            .http
            .post(format!("{}/aws/events", self.url))
            .header("content-type", "application/json")
            .bearer_auth(&self.aws_events_secret)
            .body(body.to_string())
            .send()
            .await?)
    }

    /// POST an Argo CD notification as its webhook service sends it.
    pub async fn post_argocd(&self, body: &serde_json::Value) -> anyhow::Result<reqwest::Response> {
        Ok(self
            .http
            .post(format!("{}/argocd/events", self.url))
            .header("content-type", "application/json")
            .bearer_auth(&self.argocd_secret)
            .body(body.to_string())
            .send()
            .await?)
    }

    /// `user` types `line` (e.g. `/banto ping`) in `channel` (`#ops`).
    pub async fn slash(&self, user: &str, channel: &str, line: &str) -> anyhow::Result<()> {
        let (command, text) = line.split_once(' ').unwrap_or((line, ""));
        let user_id = self.user(user);
        let channel_id = self.channel(channel);
        let body = serde_urlencoded::to_string([
            ("token", "unused-verification-token"),
            ("team_id", "T0BANTO01"),
            ("team_domain", "banto-demo"),
            ("channel_id", &channel_id),
            ("channel_name", channel.trim_start_matches('#')),
            ("user_id", &user_id),
            ("user_name", user),
            ("command", command),
            ("text", text),
            ("api_app_id", "A0BANTO01"),
            (
                "response_url",
                &self.slack.new_response_url(&channel_id, &user_id),
            ),
            (
                "trigger_id",
                &format!("{}.{}.fake", self.next(), self.next()),
            ),
        ])?;
        let r = self
            .post_slack("/slack/commands", "application/x-www-form-urlencoded", body)
            .await?;
        if !r.status().is_success() {
            bail!("banto refused {line}: {} {}", r.status(), r.text().await?);
        }
        Ok(())
    }

    /// Like `slash`, but delivered over Socket Mode; returns the acknowledgement Slack received.
    pub async fn socket_slash(
        &self,
        user: &str,
        channel: &str,
        line: &str,
    ) -> anyhow::Result<Value> {
        let (command, text) = line.split_once(' ').unwrap_or((line, ""));
        let (user_id, channel_id) = (self.user(user), self.channel(channel));
        let envelope_id = format!("env-{}", self.next());
        let envelope = json!({
            "envelope_id": envelope_id, "type": "slash_commands", "accepts_response_payload": true,
            "payload": {
                "token": "unused", "team_id": "T0BANTO01", "team_domain": "banto-demo",
                "channel_id": channel_id, "channel_name": channel.trim_start_matches('#'),
                "user_id": user_id, "user_name": user, "command": command, "text": text,
                "api_app_id": "A0BANTO01", "response_url": self.slack.new_response_url(&channel_id, &user_id),
                "trigger_id": format!("{}.{}.socket", self.next(), self.next()),
            },
        });
        let mut changed = self.slack.subscribe();
        let deadline = tokio::time::Instant::now() + WAIT;
        while !self.slack.socket_connected() {
            if expired(deadline, changed.changed()).await {
                bail!("banto did not connect over Socket Mode");
            }
        }
        // The fake records the connection before it subscribes to outgoing frames: retry until
        // the envelope is delivered to a listening socket.
        loop {
            changed.borrow_and_update();
            if let Some(ack) = self
                .slack
                .state()
                .socket_acks
                .iter()
                .find(|a| a["envelope_id"] == envelope_id.as_str())
            {
                return Ok(ack.clone());
            }
            self.slack.socket_send(&envelope);
            if expired(deadline, changed.changed()).await {
                bail!("no acknowledgement for {envelope_id}");
            }
        }
    }

    /// `user` posts `text` in `channel`; banto receives the `message` event. Returns its ts.
    pub async fn say(
        &self,
        user: &str,
        channel: &str,
        text: &str,
        thread: Option<&str>,
    ) -> anyhow::Result<String> {
        let user_id = self.user(user);
        let channel_id = self.channel(channel);
        let ts = self.slack.mutate(|s| {
            s.add_message(FakeMessage {
                channel: channel_id.clone(),
                ts: String::new(),
                thread_ts: thread.map(str::to_owned),
                user: user_id.clone(),
                text: text.to_owned(),
                blocks: None,
                ephemeral_to: None,
                reactions: Default::default(),
                edited: false,
                from_bot: false,
                seen: true,
                metadata: None,
            })
        });
        let mut event = json!({
            "type": "message", "channel": channel_id, "user": user_id, "text": text,
            "ts": ts, "event_ts": ts, "channel_type": "channel",
        });
        if let Some(t) = thread {
            event["thread_ts"] = json!(t);
        }
        self.send_event(event).await?;
        Ok(ts)
    }

    /// `user` adds `:emoji:` to the message at `ts` in `channel`.
    pub async fn react(
        &self,
        user: &str,
        channel: &str,
        ts: &str,
        emoji: &str,
    ) -> anyhow::Result<()> {
        let user_id = self.user(user);
        let channel_id = self.channel(channel);
        let emoji = emoji.trim_matches(':').to_owned();
        self.slack.mutate(|s| {
            if let Some(m) = s
                .messages
                .iter_mut()
                .find(|m| m.channel == channel_id && m.ts == ts)
            {
                m.reactions
                    .entry(emoji.clone())
                    .or_default()
                    .push(user_id.clone());
            }
        });
        self.send_event(json!({
            "type": "reaction_added", "user": user_id, "reaction": emoji,
            "item": { "type": "message", "channel": channel_id, "ts": ts }, "event_ts": format!("{}.000000", chrono::Utc::now().timestamp()),
        }))
        .await
    }

    pub async fn send_event(&self, event: Value) -> anyhow::Result<()> {
        let body = json!({
            "token": "unused", "team_id": "T0BANTO01", "api_app_id": "A0BANTO01",
            "event": event, "type": "event_callback",
            "event_id": format!("Ev{:010}", self.next()), "event_time": chrono::Utc::now().timestamp(),
        });
        let r = self
            .post_slack("/slack/events", "application/json", body.to_string())
            .await?;
        if !r.status().is_success() {
            bail!(
                "banto refused the event: {} {}",
                r.status(),
                r.text().await?
            );
        }
        Ok(())
    }

    /// `user` clicks the button whose action id or label is `button` on `message`.
    pub async fn click(
        &self,
        user: &str,
        message: &FakeMessage,
        button: &str,
    ) -> anyhow::Result<()> {
        let (block_id, element) = find_button(message, button)
            .with_context(|| format!("no button {button:?} on message: {}", message.text))?;
        let user_id = self.user(user);
        let payload = json!({
            "type": "block_actions",
            "user": { "id": user_id, "username": user, "name": user, "team_id": "T0BANTO01" },
            "api_app_id": "A0BANTO01", "token": "unused",
            "container": { "type": "message", "message_ts": message.ts, "channel_id": message.channel, "is_ephemeral": message.ephemeral_to.is_some() },
            "trigger_id": format!("{}.{}.fake", self.next(), self.next()),
            "team": { "id": "T0BANTO01", "domain": "banto-demo" },
            "channel": { "id": message.channel },
            "message": { "type": "message", "ts": message.ts, "text": message.text },
            "response_url": self.slack.new_response_url(&message.channel, &user_id),
            "actions": [{
                "type": "button", "block_id": block_id, "action_id": element["action_id"],
                "value": element.get("value").cloned().unwrap_or(Value::Null),
                "text": element["text"], "action_ts": format!("{}.{:06}", chrono::Utc::now().timestamp(), self.next() % 1_000_000),
            }],
        });
        self.post_interaction(&payload).await
    }

    /// `user` submits a modal with `callback_id`, `private_metadata` and input `values`
    /// (`block_id → action_id → value`).
    pub async fn submit_view(
        &self,
        user: &str,
        callback_id: &str,
        private_metadata: &str,
        values: Value,
    ) -> anyhow::Result<()> {
        let mut state = serde_json::Map::new();
        for (block, actions) in values.as_object().into_iter().flatten() {
            let mut inner = serde_json::Map::new();
            for (action, value) in actions.as_object().into_iter().flatten() {
                inner.insert(
                    action.clone(),
                    json!({ "type": "plain_text_input", "value": value }),
                );
            }
            state.insert(block.clone(), Value::Object(inner));
        }
        let payload = json!({
            "type": "view_submission", "team": { "id": "T0BANTO01", "domain": "banto-demo" },
            "user": { "id": self.user(user), "username": user, "name": user, "team_id": "T0BANTO01" },
            "api_app_id": "A0BANTO01", "token": "unused", "trigger_id": format!("{}.{}.fake", self.next(), self.next()),
            "view": { "id": format!("V{:08}", self.next()), "type": "modal", "callback_id": callback_id,
                "private_metadata": private_metadata, "state": { "values": state }, "blocks": [] },
            "response_urls": [],
        });
        self.post_interaction(&payload).await
    }

    async fn post_interaction(&self, payload: &Value) -> anyhow::Result<()> {
        let body = serde_urlencoded::to_string([("payload", payload.to_string())])?;
        let r = self
            .post_slack(
                "/slack/interactions",
                "application/x-www-form-urlencoded",
                body,
            )
            .await?;
        if !r.status().is_success() {
            bail!(
                "banto refused the {}: {} {}",
                payload["type"],
                r.status(),
                r.text().await?
            );
        }
        Ok(())
    }

    /// Wait until banto has handled everything it accepted. A handler error fails the wait.
    pub async fn settle(&self) -> anyhow::Result<()> {
        self.drain().await?;
        let failures = self.app.store.failures(Queue::Inbox).await?;
        if !failures.is_empty() {
            let list: Vec<String> = failures
                .iter()
                .map(|f| {
                    format!(
                        "#{} {} ({}): {}",
                        f.id,
                        f.kind,
                        f.state,
                        f.last_error.as_deref().unwrap_or("")
                    )
                })
                .collect();
            bail!("handlers failed:\n{}", list.join("\n"));
        }
        Ok(())
    }

    /// Wait until no accepted event is ready or running, whatever the outcome.
    pub async fn drain(&self) -> anyhow::Result<()> {
        let mut progress = self.app.progress.subscribe();
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            progress.borrow_and_update();
            if self.app.store.busy(Queue::Inbox).await? + self.app.store.busy(Queue::Jobs).await?
                == 0
            {
                return Ok(());
            }
            if expired(deadline, progress.changed()).await {
                bail!("banto did not finish its inbox within {WAIT:?}");
            }
        }
    }

    /// The next bot message in `channel` nobody has looked at (waits for it).
    pub async fn next_message(&self, channel: &str) -> anyhow::Result<FakeMessage> {
        let channel_id = self.channel(channel);
        self.next_matching(
            &format!("a message in {channel}"),
            |m| m.channel == channel_id && m.ephemeral_to.is_none(),
            &channel_id,
        )
        .await
    }

    /// The next reply only `user` can see (ephemeral or `response_url`).
    pub async fn next_reply(&self, user: &str) -> anyhow::Result<FakeMessage> {
        let user_id = self.user(user);
        self.next_matching(
            &format!("a reply to {user}"),
            |m| m.ephemeral_to.as_deref() == Some(&user_id),
            "",
        )
        .await
    }

    async fn next_matching(
        &self,
        what: &str,
        pred: impl Fn(&FakeMessage) -> bool,
        channel_id: &str,
    ) -> anyhow::Result<FakeMessage> {
        let mut changed = self.slack.subscribe();
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            changed.borrow_and_update();
            // Marking a message seen wakes nobody: `mutate` would signal this very loop.
            let found = self
                .slack
                .state()
                .messages
                .iter_mut()
                .find(|m| m.from_bot && !m.seen && pred(m))
                .map(|m| {
                    m.seen = true;
                    m.clone()
                });
            if let Some(m) = found {
                return Ok(m);
            }
            if expired(deadline, changed.changed()).await {
                bail!(
                    "timed out after {WAIT:?} waiting for {what}.\n{}",
                    self.history(channel_id)
                );
            }
        }
    }

    /// Every message of a channel (or of all channels), for failure output.
    pub fn history(&self, channel_id: &str) -> String {
        let st = self.slack.state();
        let mut out = String::from("history:\n");
        for m in st
            .messages
            .iter()
            .filter(|m| channel_id.is_empty() || m.channel == channel_id)
        {
            let who = st
                .users
                .get(&m.user)
                .map_or(m.user.as_str(), |u| u.name.as_str());
            let to = m
                .ephemeral_to
                .as_deref()
                .map(|u| format!(" (only to {u})"))
                .unwrap_or_default();
            out.push_str(&format!("  [{}] {who}{to}: {}\n", m.ts, m.text));
        }
        out
    }

    /// The first `n`-th build started in CodeBuild `project` (waits for it).
    pub async fn build(&self, project: &str, n: usize) -> anyhow::Result<FakeBuild> {
        let mut changed = self.codebuild.subscribe();
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            changed.borrow_and_update();
            if let Some(b) = self.codebuild.started(project).into_iter().nth(n) {
                return Ok(b);
            }
            if expired(deadline, changed.changed()).await {
                bail!(
                    "no build #{n} of {project} within {WAIT:?}; started: {:?}",
                    self.codebuild
                        .state()
                        .builds
                        .iter()
                        .map(|b| &b.id)
                        .collect::<Vec<_>>()
                );
            }
        }
    }

    /// The AWS side of the world (CodeBuild finishing builds, EventBridge calling banto).
    pub fn aws_side(&self) -> AwsSide {
        AwsSide {
            codebuild: self.codebuild.clone(),
            s3: self.s3.clone(),
            http: self.http.clone(),
            events_url: format!("{}/aws/events", self.url),
            secret: self.aws_events_secret.clone(),
        }
    }

    /// See [`AwsSide::finish_plan`].
    pub async fn finish_plan(&self, build: &FakeBuild, plan_json: &str) -> anyhow::Result<String> {
        self.aws_side().finish_plan(build, plan_json).await
    }

    /// See [`AwsSide::finish_build`].
    pub async fn finish_build(&self, build: &FakeBuild, outcome: Outcome) -> anyhow::Result<()> {
        self.aws_side().finish_build(build, outcome).await
    }

    /// A pull request is opened (or pushed to: `action` = `synchronize`) with `files` changed.
    pub async fn pull_request(
        &self,
        action: &str,
        repo: &str,
        number: u64,
        head: &str,
        author: &str,
        files: &[&str],
    ) -> anyhow::Result<()> {
        let files: Vec<(&str, &str)> = files.iter().map(|f| (*f, "modified")).collect();
        self.github.add_pull(repo, number, &files);
        self.github.set_head(repo, number, head);
        if action == "closed" {
            self.github.state().closed.insert((repo.to_owned(), number));
        }
        let body = json!({
            "action": action, "number": number,
            "pull_request": { "number": number, "state": if action == "closed" { "closed" } else { "open" },
                "head": { "sha": head, "ref": format!("pr-{number}") }, "base": { "ref": "main" },
                "user": { "login": author }, "merged": false },
            "repository": { "full_name": repo, "name": repo.split('/').nth(1), "default_branch": "main" },
            "sender": { "login": author },
        });
        let r = self
            .post_github(
                "pull_request",
                &format!("pr-{number}-{action}-{}", self.next()),
                body.to_string().as_bytes(),
            )
            .await?;
        anyhow::ensure!(
            r.status().is_success(),
            "banto refused the pull_request: {}",
            r.status()
        );
        Ok(())
    }

    /// The message at `m` as it is now (edits included).
    pub fn current(&self, m: &FakeMessage) -> Option<FakeMessage> {
        self.slack
            .state()
            .messages
            .iter()
            .find(|x| x.channel == m.channel && x.ts == m.ts)
            .cloned()
    }

    /// Wait until the message at `m` (edited in place) satisfies `pred`; returns it as it is then.
    pub async fn wait_edit(
        &self,
        m: &FakeMessage,
        what: &str,
        pred: impl Fn(&FakeMessage) -> bool,
    ) -> anyhow::Result<FakeMessage> {
        let mut changed = self.slack.subscribe();
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            changed.borrow_and_update();
            let now = self.current(m).context("the message was deleted")?;
            if pred(&now) {
                return Ok(now);
            }
            if expired(deadline, changed.changed()).await {
                bail!("the message never became {what}; it says:\n{}", now.text);
            }
        }
    }

    /// Stop banto (its workers finish what they hold) and start a fresh process-equivalent on
    /// the same database and fakes: nothing in memory survives.
    pub async fn restart(&mut self) -> anyhow::Result<()> {
        let _ = self.stop.send(true);
        if let Some(t) = self.worker_task.take() {
            t.await?;
        }
        let b = &self.boot;
        let app = App::with_aws(b.config.clone(), &b.secrets, &b.aws.0, &b.aws.1).await?;
        let (stop, stop_rx) = watch::channel(false);
        let (url, workers) = serve(&app, b.workers, stop_rx).await?;
        (self.app, self.url, self.stop, self.worker_task) = (app, url, stop, Some(workers));
        Ok(())
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
    let channel = |c: &mut String| {
        if let Some(id) = c
            .strip_prefix('#')
            .and_then(|n| slack.state().channel_by_name(n).map(|c| c.id.clone()))
        {
            *c = id;
        }
    };
    for p in &mut config.terraform.projects {
        p.approvers.users.iter_mut().for_each(user_id);
        p.approvers.groups.iter_mut().for_each(group);
        channel(&mut p.channel);
    }
    for a in &mut config.deploy.apps {
        a.approvers.users.iter_mut().for_each(user_id);
        a.approvers.groups.iter_mut().for_each(group);
        channel(&mut a.channel);
    }
    config.github.slack_users.values_mut().for_each(user);
    config.slack.ops_channel.iter_mut().for_each(channel);
}

fn find_button<'a>(m: &'a FakeMessage, button: &str) -> Option<(Value, &'a Value)> {
    for block in m.blocks.as_ref()?.as_array()? {
        for e in block
            .get("elements")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let is_match = e["type"] == "button"
                && (e["action_id"] == button
                    || e["text"]["text"]
                        .as_str()
                        .is_some_and(|t| t.eq_ignore_ascii_case(button)));
            if is_match {
                return Some((block.get("block_id").cloned().unwrap_or(Value::Null), e));
            }
        }
    }
    None
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

//! An in-process fake of Slack's Web API with state, speaking Slack's wire format (checked
//! against the real responses in `shared/corpus/slack`). Tests and `banto console` both use it.

mod files;
mod http;
mod limits;
mod messages;
mod methods;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, post};
use http::*;
use messages::*;
use methods::*;
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::watch;

#[derive(Clone, Debug)]
pub struct FakeUser {
    pub id: String,
    pub name: String,
    pub locale: String,
    pub tz: String,
    pub is_bot: bool,
}

#[derive(Clone, Debug)]
pub struct FakeChannel {
    pub id: String,
    pub name: String,
    pub is_private: bool,
    pub is_archived: bool,
    pub members: BTreeSet<String>,
    pub topic: String,
    pub purpose: String,
    pub created: i64,
    pub creator: String,
    pub pins: Vec<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct FakeMessage {
    pub channel: String,
    pub ts: String,
    pub thread_ts: Option<String>,
    pub user: String,
    pub text: String,
    pub blocks: Option<Value>,
    /// Set for an ephemeral message: only this user sees it.
    pub ephemeral_to: Option<String>,
    pub reactions: BTreeMap<String, Vec<String>>,
    pub edited: bool,
    pub from_bot: bool,
    /// Message metadata (`event_type`, `event_payload`) as posted.
    pub metadata: Option<Value>,
    /// Whether a test (or the console) has looked at this message.
    pub seen: bool,
}

#[derive(Clone, Debug)]
pub struct FakeView {
    pub id: String,
    pub user: String,
    pub view: Value,
    /// The interaction it was opened for (empty for `views.update`), and when.
    pub trigger_id: String,
    pub opened: std::time::Instant,
}

impl FakeView {
    /// The value a select in block `block_id` starts with (`initial_option`), if any.
    pub fn initial_option(&self, block_id: &str) -> Option<Value> {
        self.view["blocks"]
            .as_array()?
            .iter()
            .find(|b| b["block_id"] == block_id)
            .map(|b| b["element"]["initial_option"]["value"].clone())
    }
}

#[derive(Clone, Debug)]
pub struct FakeFile {
    pub id: String,
    pub channel: Option<String>,
    pub filename: String,
    pub title: Option<String>,
    pub content: String,
}

/// A failure to inject into the next call(s) of one method.
#[derive(Clone, Debug)]
pub enum Fault {
    /// `{"ok": false, "error": code}` with HTTP 200, as Slack does.
    Error(String),
    /// HTTP 429 with `Retry-After` seconds and `{"ok": false, "error": "ratelimited"}`.
    RateLimited { retry_after_secs: u64 },
    /// A bare HTTP status (e.g. 500, 503).
    Http(u16),
    /// The call takes effect, then the answer is lost: a bare HTTP status instead.
    HttpAfter(u16),
}

#[derive(Default)]
pub struct SlackState {
    pub team_id: String,
    pub team_name: String,
    /// `127.0.0.1:PORT` of the fake itself.
    pub host: String,
    pub bot_user: String,
    pub bot_id: String,
    pub bot_token: String,
    pub users: BTreeMap<String, FakeUser>,
    pub channels: BTreeMap<String, FakeChannel>,
    pub messages: Vec<FakeMessage>,
    pub views: Vec<FakeView>,
    /// Trigger ids the world handed out, and whose interaction each was.
    pub triggers: BTreeMap<String, String>,
    pub usergroups: BTreeMap<String, (String, Vec<String>)>,
    pub files: Vec<FakeFile>,
    /// Upload URLs handed out and not completed, by file id.
    pub uploads: BTreeMap<String, files::PendingUpload>,
    pub faults: HashMap<String, VecDeque<Fault>>,
    /// Every method called, in order.
    pub calls: Vec<String>,
    /// `response_url` id → (channel, user) of the command or action it answers.
    pub response_urls: HashMap<String, (String, String)>,
    /// Socket Mode: the app-level token `apps.connections.open` accepts, envelopes waiting to be
    /// sent to a connected client, and the acknowledgements it sent back.
    pub app_token: String,
    pub socket_acks: Vec<Value>,
    /// How many times each `response_url` was answered.
    pub response_url_hits: HashMap<String, usize>,
    /// The bot token's scopes, sent in `x-oauth-scopes` (the manifest's, unless a test takes
    /// some away).
    pub scopes: Vec<String>,
    /// Answer calls beyond Slack's rate limits with 429 and `Retry-After`, as Slack does
    /// (`domain::slack_limits`, with Slack's "+" of tolerance); how many it answered so.
    pub enforce_limits: bool,
    pub rate_limited: usize,
    limit_cells: HashMap<String, crate::domain::slack_limits::Cell>,
    /// How long every Web API call and `response_url` answer takes (after its effect).
    pub latency: std::time::Duration,
    /// Shared with the other fakes: a crash point armed by the test refuses calls.
    pub crash: crate::fake::crash::CrashPoint,
    clock: i64,
    seq: u64,
}

impl SlackState {
    fn next_ts(&mut self) -> String {
        self.seq += 1;
        format!("{}.{:06}", self.clock, self.seq)
    }

    fn next_id(&mut self, prefix: char) -> String {
        self.seq += 1;
        format!("{prefix}{:08X}", 0x0100_0000 + self.seq)
    }

    pub fn channel_by_name(&self, name: &str) -> Option<&FakeChannel> {
        let name = name.trim_start_matches('#');
        self.channels.values().find(|c| c.name == name)
    }

    /// Resolve `C…` ids and `#names` (chat.postMessage accepts both).
    fn resolve_channel(&self, channel: &str) -> Result<String, SlackErr> {
        if self.channels.contains_key(channel) {
            return Ok(channel.to_owned());
        }
        self.channel_by_name(channel)
            .map(|c| c.id.clone())
            .ok_or_else(|| SlackErr::code("channel_not_found"))
    }

    pub fn user_by_name(&self, name: &str) -> Option<&FakeUser> {
        let name = name.trim_start_matches('@');
        self.users.values().find(|u| u.name == name || u.id == name)
    }

    fn message_mut(&mut self, channel: &str, ts: &str) -> Result<&mut FakeMessage, SlackErr> {
        self.messages
            .iter_mut()
            .find(|m| m.channel == channel && m.ts == ts && m.ephemeral_to.is_none())
            .ok_or_else(|| SlackErr::code("message_not_found"))
    }

    /// Message timestamps from now on are at least `unix_secs` (the app's clock, which tests
    /// move forward).
    pub fn keep_up_with(&mut self, unix_secs: i64) {
        self.clock = self.clock.max(unix_secs);
    }

    pub fn add_message(&mut self, mut m: FakeMessage) -> String {
        if m.ts.is_empty() {
            m.ts = self.next_ts();
        }
        let ts = m.ts.clone();
        self.messages.push(m);
        ts
    }
}

/// Handle to the fake: start it, seed it, inspect it.
#[derive(Clone)]
pub struct FakeSlack {
    state: Arc<Mutex<SlackState>>,
    changed: watch::Sender<u64>,
    socket: tokio::sync::broadcast::Sender<String>,
    pub base_url: String,
}

pub struct SlackErr {
    status: StatusCode,
    code: String,
    retry_after: Option<u64>,
}

impl SlackErr {
    fn http(status: u16) -> Self {
        Self {
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            code: "fatal_error".into(),
            retry_after: None,
        }
    }

    fn code(code: &str) -> Self {
        Self {
            status: StatusCode::OK,
            code: code.to_owned(),
            retry_after: None,
        }
    }
}

type ApiResult = Result<Value, SlackErr>;

impl FakeSlack {
    /// Start on a free loopback port with a workspace, a bot user and a `#general` channel.
    pub async fn start(bot_token: &str) -> anyhow::Result<Self> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let mut state = SlackState {
            team_id: "T0BANTO01".into(),
            team_name: "banto demo".into(),
            bot_user: "U0BANTOBOT".into(),
            bot_id: "B0BANTOBOT".into(),
            bot_token: bot_token.to_owned(),
            host: addr.to_string(),
            clock: chrono::Utc::now().timestamp(),
            scopes: crate::clients::slack::manifest_scopes(),
            ..Default::default()
        };
        state.users.insert(
            "U0BANTOBOT".into(),
            FakeUser {
                id: "U0BANTOBOT".into(),
                name: "banto".into(),
                locale: "en-US".into(),
                tz: "UTC".into(),
                is_bot: true,
            },
        );
        let fake = Self {
            state: Arc::new(Mutex::new(state)),
            changed: watch::channel(0).0,
            socket: tokio::sync::broadcast::channel(1024).0,
            base_url: format!("http://{addr}"),
        };
        fake.add_channel("general", false, &[]);
        let app = Router::new()
            .route("/api/{method}", any(api))
            .route("/response/{id}", post(response_url))
            .route("/upload/{id}", post(files::upload))
            .route("/socket", axum::routing::get(socket))
            .with_state(fake.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(fake)
    }

    pub fn api_url(&self) -> String {
        format!("{}/api", self.base_url)
    }

    pub fn state(&self) -> MutexGuard<'_, SlackState> {
        self.state.lock().expect("fake Slack state")
    }

    /// Run `f` on the state and wake everyone waiting for a change.
    pub fn mutate<T>(&self, f: impl FnOnce(&mut SlackState) -> T) -> T {
        let out = f(&mut self.state());
        self.changed.send_modify(|n| *n += 1);
        out
    }

    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.changed.subscribe()
    }

    pub fn add_user(&self, name: &str, locale: &str, tz: &str) -> String {
        self.mutate(|s| {
            let id = s.next_id('U');
            s.users.insert(
                id.clone(),
                FakeUser {
                    id: id.clone(),
                    name: name.to_owned(),
                    locale: locale.to_owned(),
                    tz: tz.to_owned(),
                    is_bot: false,
                },
            );
            for c in s.channels.values_mut().filter(|c| c.name == "general") {
                c.members.insert(id.clone());
            }
            id
        })
    }

    pub fn add_channel(&self, name: &str, is_private: bool, members: &[&str]) -> String {
        let id = self.mutate(|s| s.next_id(if is_private { 'G' } else { 'C' }));
        self.add_channel_with_id(&id, name, is_private, members)
    }

    /// A channel with a known id (config refers to channels by id).
    pub fn add_channel_with_id(
        &self,
        id: &str,
        name: &str,
        is_private: bool,
        members: &[&str],
    ) -> String {
        self.mutate(|s| {
            let id = id.to_owned();
            let mut m: BTreeSet<String> = members.iter().map(|m| m.to_string()).collect();
            m.insert(s.bot_user.clone());
            if name == "general" {
                m.extend(s.users.keys().cloned());
            }
            let created = s.clock;
            let creator = s.bot_user.clone();
            s.channels.insert(
                id.clone(),
                FakeChannel {
                    id: id.clone(),
                    name: name.to_owned(),
                    is_private,
                    is_archived: false,
                    members: m,
                    topic: String::new(),
                    purpose: String::new(),
                    created,
                    creator,
                    pins: vec![],
                },
            );
            id
        })
    }

    pub fn add_usergroup(&self, handle: &str, users: &[&str]) -> String {
        self.mutate(|s| {
            let id = s.next_id('S');
            s.usergroups.insert(
                id.clone(),
                (
                    handle.to_owned(),
                    users.iter().map(|u| u.to_string()).collect(),
                ),
            );
            id
        })
    }

    /// Make the next `times` calls of `method` fail with `fault`.
    pub fn fail_next(&self, method: &str, fault: Fault, times: usize) {
        self.mutate(|s| {
            let q = s.faults.entry(method.to_owned()).or_default();
            q.extend(std::iter::repeat_n(fault, times));
        });
    }

    /// Register a `response_url` for a command or action by `user` in `channel`.
    pub fn new_response_url(&self, channel: &str, user: &str) -> String {
        let id = self.mutate(|s| {
            let id = s.next_id('R');
            s.response_urls
                .insert(id.clone(), (channel.to_owned(), user.to_owned()));
            id
        });
        format!("{}/response/{id}", self.base_url)
    }

    /// Deliver a Socket Mode envelope to every connected client.
    pub fn socket_send(&self, envelope: &Value) -> bool {
        self.socket.send(envelope.to_string()).is_ok()
    }

    /// Whether a Socket Mode client is connected.
    pub fn socket_connected(&self) -> bool {
        self.socket.receiver_count() > 0
    }

    pub fn calls(&self, method: &str) -> usize {
        self.state().calls.iter().filter(|c| *c == method).count()
    }

    /// Bot messages nobody looked at.
    pub fn unseen(&self) -> Vec<FakeMessage> {
        self.state()
            .messages
            .iter()
            .filter(|m| m.from_bot && !m.seen)
            .cloned()
            .collect()
    }
}

fn params(query: &HashMap<String, String>, headers: &HeaderMap, body: &[u8]) -> Map<String, Value> {
    let mut p: Map<String, Value> = query
        .iter()
        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
        .collect();
    let is_json = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if is_json {
        if let Ok(Value::Object(m)) = serde_json::from_slice(body) {
            p.extend(m);
        }
    } else if let Ok(form) = serde_urlencoded::from_bytes::<Vec<(String, String)>>(body) {
        p.extend(form.into_iter().map(|(k, v)| (k, Value::String(v))));
    }
    p
}

fn s<'a>(p: &'a Map<String, Value>, k: &str) -> Option<&'a str> {
    p.get(k).and_then(Value::as_str).filter(|v| !v.is_empty())
}

fn req<'a>(p: &'a Map<String, Value>, k: &str) -> Result<&'a str, SlackErr> {
    s(p, k).ok_or_else(|| SlackErr::code("invalid_arguments"))
}

/// Blocks arrive as a JSON array or, in form posts, as a JSON string.
fn blocks(p: &Map<String, Value>) -> Result<Option<Value>, SlackErr> {
    match p.get("blocks") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(raw)) => serde_json::from_str(raw)
            .map(Some)
            .map_err(|_| SlackErr::code("invalid_blocks")),
        Some(v @ Value::Array(a)) if a.len() <= 50 => Ok(Some(v.clone())),
        Some(_) => Err(SlackErr::code("invalid_blocks")),
    }
}

/// `users` for conversations.invite: Slack documents a comma-separated string; accept arrays too.
fn user_list(p: &Map<String, Value>) -> Vec<String> {
    match p.get("users") {
        Some(Value::String(s)) => s.split(',').map(|u| u.trim().to_owned()).collect(),
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        _ => vec![],
    }
}

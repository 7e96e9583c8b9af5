//! The closed set of events banto handles. Ingress turns a verified request into one `Event`,
//! the inbox stores it as JSON, and `dispatch` matches on it exhaustively. The parsers from
//! each source's bodies are beside it (`slack.rs`, `github.rs`, `aws.rs`).

mod actions;
mod alerts;
mod aws;
mod github;
mod order;
mod slack;

pub use actions::{Action, Form};
pub use alerts::{AlertNotice, AlertSignal, AlertSource, parse_alertmanager};
pub use aws::{parse_argocd, parse_aws_event};
pub use github::{Merged, PackagePublished, PullRequest, Push, Webhook, WorkflowRun, parse_github};
pub use order::Lane;
pub use slack::{parse_interaction, parse_slack_events, parse_slash_command};

use crate::ids::{ChannelId, DeliveryId, MessageTs, TeamId, UserId};
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    SlashCommand(SlashCommand),
    BlockAction(BlockAction),
    ViewSubmission(ViewSubmission),
    /// A message shortcut ("Declare incident from this message").
    MessageShortcut(MessageShortcut),
    Message(MessagePosted),
    ReactionAdded(ReactionAdded),
    MessageChanged(MessageChanged),
    MessageDeleted(MessageDeleted),
    /// slack-morphism has no typed `pin_added`: parsed from the raw event.
    PinAdded(PinAdded),
    Github(Box<GithubEvent>),
    CodeBuild(BuildStateChange),
    /// A new image in a registry that sends EventBridge events (ECR); GitHub's package events
    /// arrive as `Github`.
    ImagePushed(ImagePushed),
    ArgoCd(ArgoCdNotification),
    /// Alertmanager notifications and CloudWatch alarm state changes.
    Alert(AlertNotice),
    Timer(Timer),
    /// Verified and acknowledged, but nothing in banto acts on it (yet), or it is unreadable:
    /// recorded as ignored with `why` (`banto inbox --state ignored`), never handled or retried.
    Ignored {
        source: String,
        kind: String,
        /// What made it unusable; `None`: nothing in banto acts on this kind.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        why: Option<String>,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SlashCommand {
    pub team: TeamId,
    pub channel: ChannelId,
    pub user: UserId,
    pub command: String,
    pub text: String,
    pub response_url: String,
    pub trigger_id: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BlockAction {
    pub user: UserId,
    pub channel: Option<ChannelId>,
    pub message_ts: Option<MessageTs>,
    pub action: Action,
    pub response_url: Option<String>,
    pub trigger_id: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ViewSubmission {
    pub user: UserId,
    /// Slack's id of the submitted view (`V…`): one declaration per form.
    #[serde(default)]
    pub view_id: String,
    pub form: Form,
    /// `"block_id.action_id" → value`, flattened from `view.state.values`.
    pub values: Value,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MessageShortcut {
    pub callback_id: String,
    pub user: UserId,
    pub channel: ChannelId,
    pub message_ts: MessageTs,
    pub text: String,
    pub trigger_id: String,
}

/// The shortcut's `callback_id` in the app manifest.
pub const DECLARE_FROM_MESSAGE: &str = "declare_incident_from_message";
/// The "Translate" message shortcut's `callback_id`.
pub const TRANSLATE_MESSAGE: &str = "translate_message";

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MessagePosted {
    pub channel: ChannelId,
    pub user: Option<UserId>,
    pub ts: MessageTs,
    pub thread_ts: Option<MessageTs>,
    pub text: String,
    pub from_bot: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReactionAdded {
    pub user: UserId,
    pub reaction: String,
    pub channel: ChannelId,
    pub ts: MessageTs,
}

/// `message` with subtype `message_changed`: the message as it is now.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MessageChanged {
    pub channel: ChannelId,
    pub ts: MessageTs,
    pub text: String,
}

/// `message` with subtype `message_deleted`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MessageDeleted {
    pub channel: ChannelId,
    pub ts: MessageTs,
}

/// A message pinned: who pinned it, and the message as the event carries it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PinAdded {
    pub user: UserId,
    pub channel: ChannelId,
    pub ts: MessageTs,
    pub thread_ts: Option<MessageTs>,
    pub author: Option<UserId>,
    pub text: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GithubEvent {
    pub delivery: DeliveryId,
    /// `X-GitHub-Event`, e.g. `pull_request`.
    pub kind: String,
    pub action: Option<String>,
    pub repository: Option<String>,
    pub payload: Webhook,
}

/// EventBridge "CodeBuild Build State Change".
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BuildStateChange {
    /// `project:uuid`, as BatchGetBuilds takes it.
    pub build_id: String,
    pub project: String,
    /// `IN_PROGRESS`, `SUCCEEDED`, `FAILED`, `FAULT`, `TIMED_OUT`, `STOPPED`.
    pub status: String,
}

/// EventBridge "ECR Image Action" (a successful PUSH with a tag).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ImagePushed {
    /// The EventBridge event id: each push is its own event, even of a tag pushed before.
    pub event_id: String,
    /// `account.dkr.ecr.region.amazonaws.com/name`.
    pub image: String,
    pub tag: String,
    pub digest: Option<String>,
}

/// What the Argo CD notifications webhook template in `examples/argocd/` sends.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ArgoCdNotification {
    /// The Argo CD Application's name.
    pub app: String,
    /// The GitOps commit the sync is at.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub revision: String,
    /// `Synced`, `OutOfSync`, `Unknown`.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub sync_status: String,
    /// `Healthy`, `Progressing`, `Degraded`, `Missing`, `Suspended`, `Unknown`.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub health_status: String,
    /// The operation's or health check's message.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub message: String,
}

/// Argo CD templates render a missing field as `null`.
fn null_as_empty<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(Option::<String>::deserialize(d)?.unwrap_or_default())
}

/// Timers live in the jobs table; each fires once at its `run_at`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "timer", rename_all = "snake_case")]
pub enum Timer {
    /// Delete handled inbox rows and finished jobs older than the retention period.
    PurgeHandled,
    /// Ask CodeBuild how a build is doing, in case its EventBridge event never comes.
    PollBuild { build_id: String },
    /// Stop runs of pull requests closed while their webhook was lost, freeing their locks.
    ReconcileTerraform,
    /// Finish merges of deploys whose approvals completed but whose handler stopped before merging.
    ResumeDeploys,
    /// The same for one deploy, a little after its last approval.
    MergeDeploy { id: crate::ids::DeployId },
    /// A change (deploy, apply) was recorded: open incidents it touches hear of it.
    ChangeRecorded { id: crate::ids::ChangeId },
    /// Write an incident's postmortem draft (on resolve, or asked again).
    PostmortemDraft {
        id: crate::ids::IncidentId,
        regenerated: bool,
    },
    /// The postmortem pull request may still be open: remind the commander (`round` ≥ 1).
    PostmortemReview {
        id: crate::ids::IncidentId,
        round: u32,
    },
    /// Ask an incident's channel who commands it, if still nobody does.
    AskForCommander { id: crate::ids::IncidentId },
    /// Nudge an incident's commander if no status update came in time.
    IncidentReminder {
        id: crate::ids::IncidentId,
        at_ms: i64,
    },
}

/// Who asked for an event to be handled, when a person did: whom to tell if it fails.
pub struct Asker<'a> {
    pub user: &'a UserId,
    pub channel: Option<&'a ChannelId>,
    pub response_url: Option<&'a str>,
}

impl Event {
    /// One line that tells a person which request this is (`banto inbox`, failure notices).
    pub fn summary(&self) -> String {
        match self {
            Event::SlashCommand(c) => format!(
                "{} {} by {} in {}",
                c.command,
                c.text.trim(),
                c.user,
                c.channel
            ),
            Event::BlockAction(a) => format!("button {} by {}", a.action.wire().0, a.user),
            Event::ViewSubmission(v) => format!("form {} by {}", v.form.wire().0, v.user),
            Event::MessageShortcut(m) => format!("shortcut {} by {}", m.callback_id, m.user),
            Event::Message(m) => format!("message in {}", m.channel),
            Event::ReactionAdded(r) => format!(":{}: by {} in {}", r.reaction, r.user, r.channel),
            Event::MessageChanged(m) => format!("message edited in {}", m.channel),
            Event::MessageDeleted(m) => format!("message deleted in {}", m.channel),
            Event::PinAdded(p) => format!("pin by {} in {}", p.user, p.channel),
            Event::Github(g) => format!(
                "GitHub {}{} {}",
                g.kind,
                g.action
                    .as_deref()
                    .map(|a| format!(".{a}"))
                    .unwrap_or_default(),
                g.repository.as_deref().unwrap_or("-")
            ),
            Event::CodeBuild(b) => format!("CodeBuild {} {}", b.build_id, b.status),
            Event::ImagePushed(i) => format!("image {}:{}", i.image, i.tag),
            Event::ArgoCd(a) => format!("Argo CD {}", a.app),
            Event::Alert(a) => format!("{} alert {}", a.source.word(), a.name),
            Event::Timer(t) => format!("timer {}", t.name()),
            Event::Ignored { source, kind, .. } => format!("ignored {source} {kind}"),
        }
    }

    /// The person who asked, for a command, a click or a form; `None` for webhooks and timers.
    pub fn asker(&self) -> Option<Asker<'_>> {
        match self {
            Event::SlashCommand(c) => Some(Asker {
                user: &c.user,
                channel: Some(&c.channel),
                response_url: Some(&c.response_url),
            }),
            Event::BlockAction(a) => Some(Asker {
                user: &a.user,
                channel: a.channel.as_ref(),
                response_url: a.response_url.as_deref(),
            }),
            Event::MessageShortcut(m) => Some(Asker {
                user: &m.user,
                channel: Some(&m.channel),
                response_url: None,
            }),
            Event::ViewSubmission(v) => Some(Asker {
                user: &v.user,
                channel: None,
                response_url: None,
            }),
            _ => None,
        }
    }
}

impl Timer {
    /// A short name for dedupe keys and listings.
    pub fn name(&self) -> &'static str {
        match self {
            Timer::PurgeHandled => "purge",
            Timer::PollBuild { .. } => "poll_build",
            Timer::ReconcileTerraform => "reconcile_terraform",
            Timer::ResumeDeploys => "resume_deploys",
            Timer::MergeDeploy { .. } => "merge_deploy",
            Timer::ChangeRecorded { .. } => "change_recorded",
            Timer::IncidentReminder { .. } => "incident_reminder",
            Timer::AskForCommander { .. } => "ask_for_commander",
            Timer::PostmortemDraft { .. } => "postmortem_draft",
            Timer::PostmortemReview { .. } => "postmortem_review",
        }
    }
}

/// A verified request that is not a well-formed Slack or GitHub payload.
#[derive(Debug, thiserror::Error, PartialEq)]
#[error("{0}")]
pub struct Malformed(pub String);

/// What a verified Slack Events API body asks for.
#[derive(Debug, PartialEq)]
pub enum SlackEnvelope {
    UrlVerification {
        challenge: String,
    },
    /// An event to record under `dedupe_key` (`slack:event:<event_id>`), possibly `Ignored`.
    Callback {
        dedupe_key: String,
        event: Event,
    },
    RateLimited,
}

impl Event {
    /// A kind nothing in banto acts on.
    pub fn unused(source: &str, kind: &str) -> Event {
        Event::Ignored {
            source: source.to_owned(),
            kind: kind.to_owned(),
            why: None,
        }
    }

    /// An authenticated event banto cannot read: acknowledged and recorded with the reason.
    pub fn unreadable(source: &str, kind: &str, why: Malformed) -> Event {
        Event::Ignored {
            source: source.to_owned(),
            kind: kind.to_owned(),
            why: Some(why.0),
        }
    }
}

/// A parse of an authenticated Slack body, or the body recorded as unreadable under its hash.
pub fn or_unreadable(
    source: &str,
    kind: &str,
    body: &[u8],
    parsed: Result<(String, Event), Malformed>,
) -> (String, Event) {
    parsed.unwrap_or_else(|m| {
        (
            body_key(&format!("{source}:unreadable"), body),
            Event::unreadable(source, kind, m),
        )
    })
}

/// As `or_unreadable` for senders whose envelope is JSON: a body that is not JSON at all is
/// still refused.
pub fn json_or_unreadable(
    source: &str,
    kind: &str,
    body: &[u8],
    parsed: Result<(String, Event), Malformed>,
) -> Result<(String, Event), Malformed> {
    match parsed {
        Err(m) if serde_json::from_slice::<serde_json::Value>(body).is_err() => Err(m),
        parsed => Ok(or_unreadable(source, kind, body, parsed)),
    }
}

/// A dedupe key for a body that carries no id of its own: its SHA-256, so a redelivery of the
/// same bytes is one row.
pub fn body_key(prefix: &str, body: &[u8]) -> String {
    use sha2::Digest;
    format!("{prefix}:{}", hex::encode(sha2::Sha256::digest(body)))
}

pub(crate) fn str_at<'a>(v: &'a Value, pointer: &str) -> Option<&'a str> {
    v.pointer(pointer).and_then(Value::as_str)
}

pub(crate) fn required(v: &Value, pointer: &str, what: &str) -> Result<String, Malformed> {
    str_at(v, pointer)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .ok_or_else(|| {
            Malformed(format!(
                "{what}: missing `{}`",
                pointer.trim_start_matches('/').replace('/', ".")
            ))
        })
}

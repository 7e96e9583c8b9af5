//! The closed set of events banto handles. Ingress turns a verified request into one `Event`,
//! the inbox stores it as JSON, and `dispatch` matches on it exhaustively.

use crate::ids::{ChannelId, DeliveryId, MessageTs, TeamId, UserId};
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    SlashCommand(SlashCommand),
    BlockAction(BlockAction),
    ViewSubmission(ViewSubmission),
    Message(MessagePosted),
    ReactionAdded(ReactionAdded),
    Github(GithubEvent),
    CodeBuild(BuildStateChange),
    /// A new image in a registry that sends EventBridge events (ECR); GitHub's package events
    /// arrive as `Github`.
    ImagePushed(ImagePushed),
    ArgoCd(ArgoCdNotification),
    Timer(Timer),
    /// Verified and acknowledged, but nothing in banto acts on it (yet): recorded, then dropped.
    Ignored {
        source: String,
        kind: String,
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
    pub action_id: String,
    pub value: Option<String>,
    pub response_url: Option<String>,
    pub trigger_id: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ViewSubmission {
    pub user: UserId,
    pub callback_id: String,
    pub private_metadata: String,
    /// `"block_id.action_id" → value`, flattened from `view.state.values`.
    pub values: Value,
}

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

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GithubEvent {
    pub delivery: DeliveryId,
    /// `X-GitHub-Event`, e.g. `pull_request`.
    pub kind: String,
    pub action: Option<String>,
    pub repository: Option<String>,
    pub payload: Value,
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
            Event::BlockAction(a) => format!("button {} by {}", a.action_id, a.user),
            Event::ViewSubmission(v) => format!("form {} by {}", v.callback_id, v.user),
            Event::Message(m) => format!("message in {}", m.channel),
            Event::ReactionAdded(r) => format!(":{}: by {} in {}", r.reaction, r.user, r.channel),
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
            Event::Timer(t) => format!("timer {}", t.name()),
            Event::Ignored { source, kind } => format!("ignored {source} {kind}"),
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
    UrlVerification { challenge: String },
    Callback { event_id: String, event: Event },
    RateLimited,
}

fn str_at<'a>(v: &'a Value, pointer: &str) -> Option<&'a str> {
    v.pointer(pointer).and_then(Value::as_str)
}

fn required(v: &Value, pointer: &str, what: &str) -> Result<String, Malformed> {
    str_at(v, pointer)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .ok_or_else(|| {
            Malformed(format!(
                "{what}: missing `{}`",
                pointer.trim_start_matches('/')
            ))
        })
}

pub fn parse_slash_command(body: &[u8]) -> Result<SlashCommand, Malformed> {
    #[derive(Deserialize)]
    struct Form {
        team_id: String,
        channel_id: String,
        user_id: String,
        command: String,
        #[serde(default)]
        text: String,
        response_url: String,
        trigger_id: String,
    }
    let f: Form = serde_urlencoded::from_bytes(body)
        .map_err(|e| Malformed(format!("slash command form: {e}")))?;
    for (name, value) in [
        ("team_id", &f.team_id),
        ("channel_id", &f.channel_id),
        ("user_id", &f.user_id),
        ("command", &f.command),
        ("response_url", &f.response_url),
        ("trigger_id", &f.trigger_id),
    ] {
        if value.is_empty() {
            return Err(Malformed(format!("slash command form: `{name}` is empty")));
        }
    }
    Ok(SlashCommand {
        team: TeamId(f.team_id),
        channel: ChannelId(f.channel_id),
        user: UserId(f.user_id),
        command: f.command,
        text: f.text,
        response_url: f.response_url,
        trigger_id: f.trigger_id,
    })
}

/// An interactivity request (`payload=<json>`): returns the dedupe key and the event.
pub fn parse_interaction(body: &[u8]) -> Result<(String, Event), Malformed> {
    #[derive(Deserialize)]
    struct Form {
        payload: String,
    }
    let f: Form = serde_urlencoded::from_bytes(body)
        .map_err(|e| Malformed(format!("interaction form: {e}")))?;
    let p: Value = serde_json::from_str(&f.payload)
        .map_err(|e| Malformed(format!("interaction payload is not JSON: {e}")))?;
    let kind = required(&p, "/type", "interaction")?;
    let user = UserId(required(&p, "/user/id", "interaction")?);
    let trigger_id = str_at(&p, "/trigger_id").unwrap_or_default().to_owned();
    let key_part = if trigger_id.is_empty() {
        str_at(&p, "/action_ts")
            .or_else(|| str_at(&p, "/actions/0/action_ts"))
            .unwrap_or_default()
            .to_owned()
    } else {
        trigger_id.clone()
    };
    let event = match kind.as_str() {
        "block_actions" => {
            let action = p
                .pointer("/actions/0")
                .ok_or_else(|| Malformed("block_actions without actions".into()))?;
            let action_id = required(action, "/action_id", "block action")?;
            let value = str_at(action, "/value")
                .or_else(|| str_at(action, "/selected_option/value"))
                .map(str::to_owned);
            Event::BlockAction(BlockAction {
                user,
                channel: str_at(&p, "/channel/id")
                    .or_else(|| str_at(&p, "/container/channel_id"))
                    .map(ChannelId::from),
                message_ts: str_at(&p, "/container/message_ts")
                    .or_else(|| str_at(&p, "/message/ts"))
                    .map(MessageTs::from),
                action_id,
                value,
                response_url: str_at(&p, "/response_url").map(str::to_owned),
                trigger_id,
            })
        }
        "view_submission" => {
            let view = p
                .get("view")
                .ok_or_else(|| Malformed("view_submission without view".into()))?;
            Event::ViewSubmission(ViewSubmission {
                user,
                callback_id: str_at(view, "/callback_id").unwrap_or_default().to_owned(),
                private_metadata: str_at(view, "/private_metadata")
                    .unwrap_or_default()
                    .to_owned(),
                values: flatten_state(view.pointer("/state/values")),
            })
        }
        other => Event::Ignored {
            source: "slack".into(),
            kind: other.to_owned(),
        },
    };
    Ok((format!("slack:interaction:{kind}:{key_part}"), event))
}

fn flatten_state(values: Option<&Value>) -> Value {
    let mut out = serde_json::Map::new();
    if let Some(Value::Object(blocks)) = values {
        for (block_id, actions) in blocks {
            if let Value::Object(actions) = actions {
                for (action_id, state) in actions {
                    let v = state
                        .get("value")
                        .cloned()
                        .or_else(|| state.pointer("/selected_option/value").cloned())
                        .or_else(|| state.get("selected_user").cloned())
                        .or_else(|| state.get("selected_conversation").cloned())
                        .unwrap_or(Value::Null);
                    out.insert(format!("{block_id}.{action_id}"), v);
                }
            }
        }
    }
    Value::Object(out)
}

pub fn parse_slack_events(body: &[u8]) -> Result<SlackEnvelope, Malformed> {
    let v: Value = serde_json::from_slice(body)
        .map_err(|e| Malformed(format!("event body is not JSON: {e}")))?;
    match str_at(&v, "/type") {
        Some("url_verification") => Ok(SlackEnvelope::UrlVerification {
            challenge: required(&v, "/challenge", "url_verification")?,
        }),
        Some("app_rate_limited") => Ok(SlackEnvelope::RateLimited),
        Some("event_callback") => {
            let event_id = required(&v, "/event_id", "event_callback")?;
            let inner = v
                .get("event")
                .ok_or_else(|| Malformed("event_callback without event".into()))?;
            Ok(SlackEnvelope::Callback {
                event_id,
                event: parse_inner_event(inner)?,
            })
        }
        Some(other) => Err(Malformed(format!(
            "unknown Events API envelope type `{other}`"
        ))),
        None => Err(Malformed("Events API body without `type`".into())),
    }
}

fn parse_inner_event(e: &Value) -> Result<Event, Malformed> {
    let kind = required(e, "/type", "event")?;
    Ok(match kind.as_str() {
        "message" | "app_mention" => {
            let subtype = str_at(e, "/subtype");
            if matches!(subtype, Some("message_changed" | "message_deleted")) {
                return Ok(Event::Ignored {
                    source: "slack".into(),
                    kind: format!("message.{}", subtype.unwrap_or_default()),
                });
            }
            Event::Message(MessagePosted {
                channel: ChannelId(required(e, "/channel", "message")?),
                user: str_at(e, "/user").map(UserId::from),
                ts: MessageTs(required(e, "/ts", "message")?),
                thread_ts: str_at(e, "/thread_ts").map(MessageTs::from),
                text: str_at(e, "/text").unwrap_or_default().to_owned(),
                from_bot: e.get("bot_id").is_some() || subtype == Some("bot_message"),
            })
        }
        "reaction_added" => {
            if str_at(e, "/item/type") != Some("message") {
                return Ok(Event::Ignored {
                    source: "slack".into(),
                    kind: "reaction_added.non_message".into(),
                });
            }
            Event::ReactionAdded(ReactionAdded {
                user: UserId(required(e, "/user", "reaction_added")?),
                reaction: required(e, "/reaction", "reaction_added")?,
                channel: ChannelId(required(e, "/item/channel", "reaction_added")?),
                ts: MessageTs(required(e, "/item/ts", "reaction_added")?),
            })
        }
        other => Event::Ignored {
            source: "slack".into(),
            kind: other.to_owned(),
        },
    })
}

/// A GitHub webhook body. Only what every handler needs is extracted here; octocrab's typed
/// models are stricter than GitHub itself (a real `issue_comment` with `license.spdx_id: null`
/// fails them), so they are applied by the handler that needs the detail, never at the door.
pub fn parse_github(kind: &str, delivery: &str, body: &[u8]) -> Result<Event, Malformed> {
    let payload: Value = serde_json::from_slice(body)
        .map_err(|e| Malformed(format!("GitHub `{kind}` payload is not JSON: {e}")))?;
    if !payload.is_object() {
        return Err(Malformed(format!(
            "GitHub `{kind}` payload is not a JSON object"
        )));
    }
    if kind.is_empty() || !kind.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
        return Err(Malformed(format!(
            "X-GitHub-Event {kind:?} is not an event name"
        )));
    }
    Ok(Event::Github(GithubEvent {
        delivery: DeliveryId::new(delivery),
        kind: kind.to_owned(),
        action: str_at(&payload, "/action").map(str::to_owned),
        repository: str_at(&payload, "/repository/full_name").map(str::to_owned),
        payload,
    }))
}

/// An EventBridge event delivered by an API destination: returns `(event id, event)`.
pub fn parse_aws_event(body: &[u8]) -> Result<(String, Event), Malformed> {
    let v: Value = serde_json::from_slice(body)
        .map_err(|e| Malformed(format!("EventBridge body is not JSON: {e}")))?;
    let id = required(&v, "/id", "EventBridge event")?;
    let detail_type = required(&v, "/detail-type", "EventBridge event")?;
    let event = match (str_at(&v, "/source"), detail_type.as_str()) {
        (Some("aws.codebuild"), "CodeBuild Build State Change") => {
            let arn = required(&v, "/detail/build-id", "CodeBuild event")?;
            // arn:aws:codebuild:region:account:build/project:uuid → project:uuid
            let build_id = arn
                .rsplit_once(":build/")
                .map_or(arn.as_str(), |(_, id)| id)
                .to_owned();
            Event::CodeBuild(BuildStateChange {
                build_id,
                project: required(&v, "/detail/project-name", "CodeBuild event")?,
                status: required(&v, "/detail/build-status", "CodeBuild event")?,
            })
        }
        (Some("aws.ecr"), "ECR Image Action")
            if str_at(&v, "/detail/action-type") == Some("PUSH")
                && str_at(&v, "/detail/result") == Some("SUCCESS")
                && str_at(&v, "/detail/image-tag").is_some_and(|t| !t.is_empty()) =>
        {
            let image = format!(
                "{}.dkr.ecr.{}.amazonaws.com/{}",
                required(&v, "/account", "ECR event")?,
                required(&v, "/region", "ECR event")?,
                required(&v, "/detail/repository-name", "ECR event")?
            );
            Event::ImagePushed(ImagePushed {
                event_id: id.clone(),
                image,
                tag: required(&v, "/detail/image-tag", "ECR event")?,
                digest: str_at(&v, "/detail/image-digest").map(str::to_owned),
            })
        }
        (source, kind) => Event::Ignored {
            source: source.unwrap_or("aws").to_owned(),
            kind: kind.to_owned(),
        },
    };
    Ok((id, event))
}

/// An Argo CD notification: returns `(body hash, event)`. Argo CD sends no delivery id, so
/// ingress dedupes on the body's hash (within a minute).
pub fn parse_argocd(body: &[u8]) -> Result<(String, Event), Malformed> {
    let n: ArgoCdNotification = serde_json::from_slice(body)
        .map_err(|e| Malformed(format!("Argo CD notification: {e}")))?;
    if n.app.is_empty() {
        return Err(Malformed("Argo CD notification: empty `app`".into()));
    }
    let id = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(body));
    Ok((id, Event::ArgoCd(n)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ecr_push_with_a_tag_is_a_new_image_and_other_actions_are_not() {
        let push = br#"{"version":"0","id":"13cde686-328b-6117-af20-0e5566167482","detail-type":"ECR Image Action","source":"aws.ecr","account":"123456789012","time":"2026-11-22T01:00:00Z","region":"ap-northeast-1","resources":[],"detail":{"result":"SUCCESS","repository-name":"web","image-digest":"sha256:7f5b2640fe6fb4f46592dfd3410c4a79dac4f89e4782432e0378abcd1234abcd","action-type":"PUSH","image-tag":"v1.5.0"}}"#;
        let (_, e) = parse_aws_event(push).unwrap();
        assert_eq!(
            e,
            Event::ImagePushed(ImagePushed {
                event_id: "13cde686-328b-6117-af20-0e5566167482".into(),
                image: "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/web".into(),
                tag: "v1.5.0".into(),
                digest: Some(
                    "sha256:7f5b2640fe6fb4f46592dfd3410c4a79dac4f89e4782432e0378abcd1234abcd"
                        .into()
                ),
            })
        );
        let delete = String::from_utf8_lossy(push).replace("PUSH", "DELETE");
        assert!(matches!(
            parse_aws_event(delete.as_bytes()).unwrap().1,
            Event::Ignored { .. }
        ));
    }

    #[test]
    fn argocd_notification_needs_an_app() {
        let (id, e) = parse_argocd(
            br#"{"app":"web-production","revision":"abc","sync_status":"Synced","health_status":"Healthy","message":null}"#,
        )
        .unwrap();
        assert_eq!(id.len(), 64);
        assert!(matches!(e, Event::ArgoCd(n) if n.health_status == "Healthy"));
        assert!(parse_argocd(br#"{"revision":"abc"}"#).is_err());
    }

    #[test]
    fn codebuild_state_change() {
        let body = br#"{"version":"0","id":"c030038d-8c4d-6141-9545-00ff7b7153EX","detail-type":"CodeBuild Build State Change","source":"aws.codebuild","account":"123456789012","time":"2026-11-22T01:00:00Z","region":"ap-northeast-1","resources":["arn:aws:codebuild:ap-northeast-1:123456789012:build/banto-tf-plan:8745a7a9-c340-456a-9166-edf953571bEX"],"detail":{"build-status":"SUCCEEDED","project-name":"banto-tf-plan","build-id":"arn:aws:codebuild:ap-northeast-1:123456789012:build/banto-tf-plan:8745a7a9-c340-456a-9166-edf953571bEX","additional-information":{"build-complete":true}}}"#;
        let (id, e) = parse_aws_event(body).unwrap();
        assert_eq!(id, "c030038d-8c4d-6141-9545-00ff7b7153EX");
        assert_eq!(
            e,
            Event::CodeBuild(BuildStateChange {
                build_id: "banto-tf-plan:8745a7a9-c340-456a-9166-edf953571bEX".into(),
                project: "banto-tf-plan".into(),
                status: "SUCCEEDED".into(),
            })
        );
        let err = parse_aws_event(br#"{"id":"x","detail-type":"CodeBuild Build State Change","source":"aws.codebuild","detail":{}}"#).unwrap_err();
        assert_eq!(err.0, "CodeBuild event: missing `detail/build-id`");
    }

    #[test]
    fn slash_command_form() {
        let body = b"team_id=T1&channel_id=C1&user_id=U1&command=%2Fbanto&text=ping+now&response_url=http%3A%2F%2Fx%2Fr&trigger_id=1.2.3";
        let c = parse_slash_command(body).unwrap();
        assert_eq!(c.command, "/banto");
        assert_eq!(c.text, "ping now");
        assert_eq!(c.user, UserId::from("U1"));
    }

    #[test]
    fn slash_command_without_user_is_malformed() {
        let err = parse_slash_command(b"team_id=T1&command=%2Fbanto").unwrap_err();
        assert!(err.0.contains("missing field"), "{err}");
    }

    #[test]
    fn unknown_envelope_is_refused_with_reason() {
        let err = parse_slack_events(br#"{"type":"surprise"}"#).unwrap_err();
        assert_eq!(err.0, "unknown Events API envelope type `surprise`");
    }
}

//! Slack Web API client: slack-morphism over rustls, base URL injectable (the fake world uses
//! plain HTTP), rate limits honoured through `Retry-After` by the shared retry policy.

use super::retry::{RetryPolicy, Verdict};
use crate::config::Secret;
use crate::domain::mask;
use crate::ids::{ChannelId, MessageTs, UserGroupId, UserId};
use crate::locale::Locale;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::Value;
use slack_morphism::errors::SlackClientError;
use slack_morphism::prelude::*;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

type Connector = SlackClientHyperConnector<HttpsConnector<HttpConnector>>;

/// Message metadata naming the effect a message is (see `effects.rs`).
const EFFECT_EVENT_TYPE: &str = "banto_effect";
const EFFECT_KEY: &str = "key";
/// How many of the latest messages a lookup reads: a retried post is looked for soon after.
const LOOKBACK_LIMIT: u16 = 200;

/// One Web API call, paced to its method's limit (and for a message, its channel's), under
/// the retry policy, on a fresh session.
macro_rules! slack_call {
    ($self:ident, $api:literal $(in $channel:expr)?, $method:ident($($arg:expr),*)) => {{
        $self.pace.before($api, None::<&str>$(.or(Some($channel)))?).await;
        $self
            .retry
            .run_as(
                $api,
                || async { $self.client.open_session(&$self.token).$method($($arg),*).await },
                classify,
            )
            .await
            .map_err(convert)
    }};
}

mod inspect;
mod keyed;
mod pace;
pub use inspect::{ChannelStatus, Identity, manifest_scopes};

#[derive(Clone)]
pub struct SlackApi {
    client: Arc<SlackClient<Connector>>,
    api_url: String,
    token: SlackApiToken,
    retry: RetryPolicy,
    profiles: Arc<Mutex<HashMap<UserId, UserProfile>>>,
    pace: Arc<pace::Pacer>,
    /// For file bytes sent to an upload URL (Slack answers that in plain text, not JSON).
    http: reqwest::Client,
}

/// What banto needs to know about a person to speak to them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserProfile {
    pub locale: Option<Locale>,
    pub tz: Option<String>,
    /// The display name, else the account name.
    pub name: Option<String>,
}

/// A message as Slack holds it now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PostedMessage {
    pub author: Option<UserId>,
    pub text: String,
    pub thread_ts: Option<MessageTs>,
}

/// A message to post: mrkdwn fallback text plus optional Block Kit blocks (as Slack's JSON).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Outgoing {
    pub text: String,
    pub blocks: Option<Value>,
}

impl Outgoing {
    pub fn text(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            blocks: None,
        }
    }

    /// What Slack receives, with any credential inside the text or the blocks masked: whatever
    /// a handler put together, this is the last door before Slack.
    fn content(&self) -> Result<SlackMessageContent, SlackError> {
        let masker = mask::Masker::default();
        let mut content =
            SlackMessageContent::new().with_text(masker.scrub(&self.text).into_owned());
        if let Some(blocks) = &self.blocks {
            let mut blocks = blocks.clone();
            masker.scrub_value(&mut blocks);
            let blocks: Vec<SlackBlock> = serde_json::from_value(blocks)
                .map_err(|e| SlackError::Fatal(format!("invalid Block Kit JSON: {e}")))?;
            content = content.with_blocks(blocks);
        }
        Ok(content)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SlackError {
    /// Slack answered `ok: false` with this code (`channel_not_found`, `not_in_channel`, …).
    #[error("Slack API error: {0}")]
    Api(String),
    #[error("Slack is unavailable: {0}")]
    Unavailable(String),
    #[error("{0}")]
    Fatal(String),
}

fn classify(e: &SlackClientError) -> Verdict {
    match e {
        SlackClientError::RateLimitError(r) => Verdict::Retry(r.retry_after),
        SlackClientError::HttpError(h) if h.status_code.is_server_error() => Verdict::Retry(None),
        SlackClientError::HttpProtocolError(_) | SlackClientError::SystemError(_) => {
            Verdict::Retry(None)
        }
        SlackClientError::ApiError(a) => classify_api(&a.code),
        _ => Verdict::Fatal,
    }
}

fn classify_api(code: &str) -> Verdict {
    match code {
        "ratelimited" | "internal_error" => Verdict::Retry(None),
        _ => Verdict::Fatal,
    }
}

fn convert(e: SlackClientError) -> SlackError {
    match e {
        SlackClientError::ApiError(a) => SlackError::Api(a.code),
        SlackClientError::RateLimitError(_) => SlackError::Unavailable("rate limited".into()),
        SlackClientError::HttpError(h) => {
            SlackError::Unavailable(format!("HTTP {}", h.status_code))
        }
        other => SlackError::Unavailable(other.to_string()),
    }
}

impl SlackApi {
    /// `api_url` is Slack's (`https://slack.com/api`) or a fake's (`http://127.0.0.1:PORT/api`).
    /// `paced`: wait for Slack's per-method and per-channel limits before each call (off only
    /// where a fake Slack does not enforce them).
    pub fn new(
        api_url: &str,
        bot_token: &Secret,
        retry: RetryPolicy,
        paced: bool,
    ) -> anyhow::Result<Self> {
        crate::install_crypto_provider();
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_native_roots()?
            .https_or_http()
            .enable_http1()
            .build();
        let connector = SlackClientHyperConnector::with_connector(https)
            .with_slack_api_url(api_url.trim_end_matches('/'));
        Ok(Self {
            client: Arc::new(SlackClient::new(connector)),
            api_url: api_url.trim_end_matches('/').to_owned(),
            token: SlackApiToken::new(SlackApiTokenValue::new(bot_token.expose().to_owned())),
            retry: retry.for_service("slack"),
            profiles: Arc::default(),
            pace: Arc::new(pace::Pacer::new(paced)),
            http: reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(60))
                .build()?,
        })
    }

    /// The underlying slack-morphism client (Socket Mode listens through it).
    pub fn client(&self) -> Arc<SlackClient<Connector>> {
        self.client.clone()
    }

    pub async fn post(
        &self,
        channel: &ChannelId,
        msg: &Outgoing,
        thread: Option<&MessageTs>,
    ) -> Result<MessageTs, SlackError> {
        let req = SlackApiChatPostMessageRequest::new(channel.0.clone().into(), msg.content()?)
            .opt_thread_ts(thread.map(|t| t.0.clone().into()));
        let r = slack_call!(self, "chat.postMessage" in &channel.0, chat_post_message(&req))?;
        Ok(MessageTs(r.ts.0))
    }

    pub async fn update(
        &self,
        channel: &ChannelId,
        ts: &MessageTs,
        msg: &Outgoing,
    ) -> Result<(), SlackError> {
        let req = SlackApiChatUpdateRequest::new(
            channel.0.clone().into(),
            msg.content()?,
            ts.0.clone().into(),
        );
        slack_call!(self, "chat.update", chat_update(&req))?;
        Ok(())
    }

    pub async fn post_ephemeral(
        &self,
        channel: &ChannelId,
        user: &UserId,
        msg: &Outgoing,
    ) -> Result<(), SlackError> {
        let req = SlackApiChatPostEphemeralRequest::new(
            channel.0.clone().into(),
            user.0.clone().into(),
            msg.content()?,
        );
        slack_call!(self, "chat.postEphemeral", chat_post_ephemeral(&req))?;
        Ok(())
    }

    /// Answer a slash command or an interaction through its `response_url`: only the user sees it.
    pub async fn respond(&self, response_url: &str, msg: &Outgoing) -> Result<(), SlackError> {
        let url = SlackResponseUrl::new(
            response_url
                .parse()
                .map_err(|_| SlackError::Fatal("response_url is not a URL".into()))?,
        );
        let req = SlackApiPostWebhookMessageRequest::new(msg.content()?);
        self.retry
            .run_as(
                "response_url",
                || self.client.respond_to_event(&url, &req),
                classify,
            )
            .await
            .map_err(convert)?;
        Ok(())
    }

    /// Locale and time zone from `users.info`, cached for the life of the process.
    pub async fn profile(&self, user: &UserId) -> Result<UserProfile, SlackError> {
        if let Some(p) = self.profiles.lock().expect("profile cache").get(user) {
            return Ok(p.clone());
        }
        self.pace.before("users.info", None).await;
        self.fetch_profile(user).await
    }

    async fn fetch_profile(&self, user: &UserId) -> Result<UserProfile, SlackError> {
        let req = SlackApiUsersInfoRequest::new(user.0.clone().into()).with_include_locale(true);
        let r = self
            .retry
            .run_as(
                "users.info",
                || async { self.client.open_session(&self.token).users_info(&req).await },
                classify,
            )
            .await
            .map_err(convert)?;
        let profile = UserProfile {
            locale: r
                .user
                .locale
                .as_ref()
                .map(|l| l.value())
                .filter(|l| !l.is_empty())
                .map(|l| Locale::from_slack(l)),
            tz: r.user.tz.clone(),
            name: r
                .user
                .profile
                .as_ref()
                .and_then(|p| p.display_name.clone())
                .filter(|n| !n.is_empty())
                .or(r.user.name.clone()),
        };
        self.profiles
            .lock()
            .expect("profile cache")
            .insert(user.clone(), profile.clone());
        Ok(profile)
    }

    /// The profile if it is cached or Slack's limit for `users.info` gives a slot within a
    /// second; `None` otherwise (callers that have a stand-in, such as the channel's language,
    /// do not wait in line for it).
    pub async fn profile_if_quick(&self, user: &UserId) -> Option<UserProfile> {
        let cached = self
            .profiles
            .lock()
            .expect("profile cache")
            .get(user)
            .cloned();
        if cached.is_some() {
            return cached;
        }
        if !self
            .pace
            .within("users.info", std::time::Duration::from_secs(1))
            .await
        {
            tracing::debug!(%user, "users.info is at Slack's limit; not waiting for it");
            return None;
        }
        match self.fetch_profile(user).await {
            Ok(p) => Some(p),
            Err(e) => {
                tracing::warn!(%user, error = %e, "users.info failed");
                None
            }
        }
    }

    /// Open a modal (Block Kit view JSON) for the interaction that gave `trigger_id`.
    pub async fn open_view(&self, trigger_id: &str, view: &Value) -> Result<(), SlackError> {
        let view: SlackView = serde_json::from_value(view.clone())
            .map_err(|e| SlackError::Fatal(format!("invalid view JSON: {e}")))?;
        let req = SlackApiViewsOpenRequest::new(trigger_id.to_owned().into(), view);
        slack_call!(self, "views.open", views_open(&req))?;
        Ok(())
    }

    /// Create a channel; `Ok(None)` when the name is taken.
    pub async fn create_channel(
        &self,
        name: &str,
        private: bool,
    ) -> Result<Option<ChannelId>, SlackError> {
        let req = SlackApiConversationsCreateRequest::new(name.to_owned()).with_is_private(private);
        match slack_call!(self, "conversations.create", conversations_create(&req)) {
            Ok(r) => Ok(Some(ChannelId(r.channel.id.0))),
            Err(SlackError::Api(code)) if code == "name_taken" => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Whether only some people see `channel` (private channels, DMs, group DMs).
    pub async fn is_private(&self, channel: &ChannelId) -> Result<bool, SlackError> {
        if channel.0.starts_with('D') {
            return Ok(true);
        }
        let req = SlackApiConversationsInfoRequest::new(channel.0.clone().into());
        let flags = slack_call!(self, "conversations.info", conversations_info(&req))?
            .channel
            .flags;
        Ok([flags.is_private, flags.is_im, flags.is_mpim]
            .into_iter()
            .any(|f| f == Some(true)))
    }

    pub async fn set_topic(&self, channel: &ChannelId, topic: &str) -> Result<(), SlackError> {
        let topic: String = mask::text(topic).chars().take(250).collect();
        let req = SlackApiConversationsSetTopicRequest::new(channel.0.clone().into(), topic);
        slack_call!(
            self,
            "conversations.setTopic",
            conversations_set_topic(&req)
        )?;
        Ok(())
    }

    /// Invite `users` (the bot itself and people already there are left out, one by one if
    /// Slack refuses the batch for them).
    pub async fn invite(&self, channel: &ChannelId, users: &[UserId]) -> Result<(), SlackError> {
        if users.is_empty() {
            return Ok(());
        }
        let ids = |u: &[UserId]| u.iter().map(|u| u.0.clone().into()).collect::<Vec<_>>();
        let req = SlackApiConversationsInviteRequest::new(channel.0.clone().into(), ids(users));
        match slack_call!(self, "conversations.invite", conversations_invite(&req)) {
            Err(SlackError::Api(code))
                if users.len() > 1
                    && matches!(code.as_str(), "already_in_channel" | "cant_invite_self") =>
            {
                for u in users {
                    let one = SlackApiConversationsInviteRequest::new(
                        channel.0.clone().into(),
                        ids(std::slice::from_ref(u)),
                    );
                    match slack_call!(self, "conversations.invite", conversations_invite(&one)) {
                        Ok(_) => {}
                        Err(SlackError::Api(c))
                            if c == "already_in_channel" || c == "cant_invite_self" => {}
                        Err(e) => return Err(e),
                    }
                }
                Ok(())
            }
            Err(SlackError::Api(code))
                if code == "already_in_channel" || code == "cant_invite_self" =>
            {
                Ok(())
            }
            other => other.map(|_| ()),
        }
    }

    /// One message, top-level or a thread reply (`conversations.replies` returns the message
    /// among its thread); `None` when Slack does not have it.
    pub async fn message(
        &self,
        channel: &ChannelId,
        ts: &MessageTs,
    ) -> Result<Option<PostedMessage>, SlackError> {
        let req =
            SlackApiConversationsRepliesRequest::new(channel.0.clone().into(), ts.0.clone().into())
                .with_oldest(ts.0.clone().into())
                .with_latest(ts.0.clone().into())
                .with_inclusive(true);
        let r = match slack_call!(self, "conversations.replies", conversations_replies(&req)) {
            Ok(r) => r,
            Err(SlackError::Api(code))
                if code == "thread_not_found" || code == "message_not_found" =>
            {
                return Ok(None);
            }
            Err(e) => return Err(e),
        };
        Ok(r.messages
            .into_iter()
            .find(|m| m.origin.ts.0 == ts.0)
            .map(|m| PostedMessage {
                author: m.sender.user.map(|u| UserId(u.0)),
                text: m.content.text.unwrap_or_default(),
                thread_ts: m
                    .origin
                    .thread_ts
                    .map(|t| MessageTs(t.0))
                    .filter(|t| t.0 != ts.0),
            }))
    }

    /// A link to a message, for timelines and declarations made from a message.
    pub async fn permalink(
        &self,
        channel: &ChannelId,
        ts: &MessageTs,
    ) -> Result<String, SlackError> {
        let req =
            SlackApiChatGetPermalinkRequest::new(channel.0.clone().into(), ts.0.clone().into());
        let r = slack_call!(self, "chat.getPermalink", chat_get_permalink(&req))?;
        Ok(r.permalink.to_string())
    }

    /// Members of a user group (`S…`).
    pub async fn usergroup_members(&self, group: &UserGroupId) -> Result<Vec<UserId>, SlackError> {
        let req = SlackApiUserGroupsUsersListRequest::new(group.0.clone().into());
        let r = slack_call!(self, "usergroups.users.list", usergroups_users_list(&req))?;
        Ok(r.users.into_iter().map(|u| UserId(u.0)).collect())
    }

    /// Delete one of banto's messages; one already gone is fine.
    pub async fn delete(&self, channel: &ChannelId, ts: &MessageTs) -> Result<(), SlackError> {
        let req = SlackApiChatDeleteRequest::new(channel.0.clone().into(), ts.0.clone().into());
        match slack_call!(self, "chat.delete", chat_delete(&req)) {
            Err(SlackError::Api(code)) if code == "message_not_found" => Ok(()),
            other => other.map(|_| ()),
        }
    }

    /// Share a text file in `channel` with Slack's upload flow: an upload URL, the bytes, then
    /// `files.completeUploadExternal` with the comment.
    pub async fn upload(
        &self,
        channel: &ChannelId,
        filename: &str,
        title: &str,
        content: &str,
        comment: &str,
    ) -> Result<(), SlackError> {
        let content = mask::text(content);
        let req = SlackApiFilesGetUploadUrlExternalRequest::new(filename.to_owned(), content.len());
        let url = slack_call!(
            self,
            "files.getUploadURLExternal",
            get_upload_url_external(&req)
        )?;
        let sent = self
            .http
            .post(url.upload_url.0.as_str())
            .header("content-type", "text/markdown; charset=utf-8")
            .body(content.into_owned())
            .send()
            .await
            .map_err(|e| SlackError::Unavailable(format!("file upload: {}", e.without_url())))?;
        if !sent.status().is_success() {
            return Err(SlackError::Unavailable(format!(
                "file upload answered {}",
                sent.status()
            )));
        }
        let file_id = url.file_id.clone();
        let file = SlackApiFilesComplete::new(url.file_id).with_title(title.to_owned());
        let comment = mask::text(comment);
        let req = SlackApiFilesCompleteUploadExternalRequest::new(vec![file])
            .with_channel_id(channel.0.clone().into())
            .with_initial_comment(comment.into_owned());
        let completed = slack_call!(
            self,
            "files.completeUploadExternal",
            files_complete_upload_external(&req)
        );
        if let Err(e) = completed {
            // The answer may be what was lost (a 5xx after the share, then `file_not_found` for
            // the retry): a file that exists was completed, and so shared. Uploading again
            // would share it twice.
            let info = SlackApiFilesInfoRequest::new(file_id);
            if slack_call!(self, "files.info", files_info(&info)).is_err() {
                return Err(e);
            }
            tracing::info!("the file was shared though its completion's answer was lost");
        }
        Ok(())
    }

    /// `https://acme.slack.com/`: permalinks are built from it.
    pub async fn workspace_url(&self) -> Result<String, SlackError> {
        let r = slack_call!(self, "auth.test", auth_test())?;
        Ok(r.url.0.to_string())
    }

    pub async fn auth_test(&self) -> Result<String, SlackError> {
        let r = slack_call!(self, "auth.test", auth_test())?;
        Ok(r.user_id.0)
    }
}

//! Messages that carry their effect key in Slack message metadata, and finding them again: a
//! retried post or a run after a crash reuses the message Slack already has.

use super::*;

impl SlackApi {
    /// Post a message that carries `key` in its metadata. A retry after a failed call first
    /// looks for the key (Slack may have posted it and failed to answer), so a message is not
    /// posted twice by the retry policy.
    pub async fn post_keyed(
        &self,
        channel: &ChannelId,
        msg: &Outgoing,
        thread: Option<&MessageTs>,
        key: &str,
    ) -> Result<MessageTs, SlackError> {
        let mut content = msg.content()?;
        content.metadata = Some(SlackMessageMetadata {
            event_type: EFFECT_EVENT_TYPE.into(),
            event_payload: Some([(EFFECT_KEY.to_owned(), key.to_owned())].into()),
        });
        let req = SlackApiChatPostMessageRequest::new(channel.0.clone().into(), content)
            .opt_thread_ts(thread.map(|t| t.0.clone().into()));
        let tried = std::sync::atomic::AtomicBool::new(false);
        self.pace.before("chat.postMessage", Some(&channel.0)).await;
        self.retry
            .run_as(
                "chat.postMessage",
                || async {
                    if tried.swap(true, std::sync::atomic::Ordering::Relaxed)
                        && let Some(ts) = self.find_keyed_once(channel, thread, key).await?
                    {
                        return Ok(ts);
                    }
                    let session = self.client.open_session(&self.token);
                    let r = session.chat_post_message(&req).await?;
                    Ok(MessageTs(r.ts.0))
                },
                classify,
            )
            .await
            .map_err(convert)
    }

    /// The message posted with `key` in its metadata among the latest in `channel` (or in
    /// `thread`), if any.
    pub async fn find_keyed(
        &self,
        channel: &ChannelId,
        thread: Option<&MessageTs>,
        key: &str,
    ) -> Result<Option<MessageTs>, SlackError> {
        self.retry
            .run(|| self.find_keyed_once(channel, thread, key), classify)
            .await
            .map_err(convert)
    }

    /// Slack refusing the look (`not_in_channel` where the bot posts without being a member,
    /// a missing history scope) counts as not found: the message is posted.
    async fn find_keyed_once(
        &self,
        channel: &ChannelId,
        thread: Option<&MessageTs>,
        key: &str,
    ) -> Result<Option<MessageTs>, SlackClientError> {
        match self.look_for_key(channel, thread, key).await {
            Err(SlackClientError::ApiError(e))
                if !matches!(classify_api(&e.code), Verdict::Retry(_)) =>
            {
                tracing::warn!(%channel, code = e.code, "cannot look for a message begun before; posting it");
                Ok(None)
            }
            other => other,
        }
    }

    async fn look_for_key(
        &self,
        channel: &ChannelId,
        thread: Option<&MessageTs>,
        key: &str,
    ) -> Result<Option<MessageTs>, SlackClientError> {
        let method = if thread.is_some() {
            "conversations.replies"
        } else {
            "conversations.history"
        };
        self.pace.before(method, None).await;
        let session = self.client.open_session(&self.token);
        let messages = match thread {
            // slack-morphism's replies request lacks `include_all_metadata`.
            Some(ts) => {
                let limit = LOOKBACK_LIMIT.to_string();
                let params = vec![
                    ("channel", Some(channel.0.as_str())),
                    ("ts", Some(ts.0.as_str())),
                    ("limit", Some(limit.as_str())),
                    ("include_all_metadata", Some("true")),
                ];
                let r: SlackApiConversationsRepliesResponse = session
                    .http_session_api
                    .http_get("conversations.replies", &params, None)
                    .await?;
                r.messages
            }
            None => {
                let req = SlackApiConversationsHistoryRequest::new()
                    .with_channel(channel.0.clone().into())
                    .with_limit(LOOKBACK_LIMIT)
                    .with_include_all_metadata(true);
                session.conversations_history(&req).await?.messages
            }
        };
        Ok(messages
            .into_iter()
            .find(|m| {
                m.content.metadata.as_ref().is_some_and(|md| {
                    md.event_type == EFFECT_EVENT_TYPE
                        && md
                            .event_payload
                            .as_ref()
                            .and_then(|p| p.get(EFFECT_KEY))
                            .is_some_and(|k| k == key)
                })
            })
            .map(|m| MessageTs(m.origin.ts.0)))
    }
}

//! What `banto doctor` asks Slack about the set-up: who the token is, what it may do, and
//! whether each configured channel is one banto can work in.

use super::*;

/// The bot a token belongs to and the scopes it was granted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    pub user_id: String,
    pub team: String,
    /// From the `x-oauth-scopes` header Slack sends with every Web API answer.
    pub scopes: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChannelStatus {
    pub name: String,
    pub is_member: bool,
    pub is_archived: bool,
    pub is_private: bool,
}

impl SlackApi {
    /// `auth.test`, read raw: slack-morphism does not show the answer's headers.
    pub async fn identity(&self) -> Result<Identity, SlackError> {
        let resp = self
            .http
            .post(format!("{}/auth.test", self.api_url))
            .bearer_auth(self.token.token_value.0.as_str())
            .send()
            .await
            .map_err(|e| SlackError::Unavailable(e.without_url().to_string()))?;
        let scopes = resp
            .headers()
            .get("x-oauth-scopes")
            .and_then(|v| v.to_str().ok())
            .map(|v| {
                v.split(',')
                    .map(|s| s.trim().to_owned())
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        if !resp.status().is_success() {
            return Err(SlackError::Unavailable(format!("HTTP {}", resp.status())));
        }
        let v: Value = resp
            .json()
            .await
            .map_err(|e| SlackError::Unavailable(e.without_url().to_string()))?;
        if v["ok"] != true {
            return Err(SlackError::Api(
                v["error"].as_str().unwrap_or("unknown_error").to_owned(),
            ));
        }
        Ok(Identity {
            user_id: v["user_id"].as_str().unwrap_or_default().to_owned(),
            team: v["team"].as_str().unwrap_or_default().to_owned(),
            scopes,
        })
    }

    pub async fn channel_status(&self, channel: &ChannelId) -> Result<ChannelStatus, SlackError> {
        let req = SlackApiConversationsInfoRequest::new(channel.0.clone().into());
        let c = slack_call!(self, "conversations.info", conversations_info(&req))?.channel;
        Ok(ChannelStatus {
            name: c.name.unwrap_or_default(),
            is_member: c.flags.is_member == Some(true),
            is_archived: c.flags.is_archived == Some(true),
            is_private: c.flags.is_private == Some(true),
        })
    }

    /// Whether the app-level token (Socket Mode) is accepted; no connection is opened.
    pub async fn app_token_works(&self, app_token: &Secret) -> Result<(), SlackError> {
        let token = SlackApiToken::new(SlackApiTokenValue::new(app_token.expose().to_owned()));
        self.retry
            .run_as(
                "apps.connections.open",
                || async {
                    self.client
                        .open_session(&token)
                        .apps_connections_open(&SlackApiAppsConnectionOpenRequest::new())
                        .await
                },
                classify,
            )
            .await
            .map_err(convert)?;
        Ok(())
    }
}

/// The bot scopes `slack-app-manifest.yml` asks for (a test keeps it in sync with the calls).
pub fn manifest_scopes() -> Vec<String> {
    let manifest = include_str!("../../../slack-app-manifest.yml");
    let mut scopes = Vec::new();
    let mut in_bot = false;
    for line in manifest.lines() {
        let trimmed = line.trim();
        if trimmed == "bot:" {
            in_bot = true;
        } else if in_bot {
            match trimmed.strip_prefix("- ") {
                Some(scope) => scopes.push(scope.to_owned()),
                None => break,
            }
        }
    }
    scopes
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_manifest_scopes_are_read_whole() {
        let scopes = super::manifest_scopes();
        assert_eq!(
            scopes.first().map(String::as_str),
            Some("app_mentions:read")
        );
        assert_eq!(scopes.last().map(String::as_str), Some("users:read"));
        assert!(scopes.len() > 10, "{scopes:?}");
    }
}

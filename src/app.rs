//! The one `App` built at start-up and handed to every handler: config, store, clients.

use crate::clients::aws::AwsTargets;
use crate::clients::codebuild::CodeBuildApi;
use crate::clients::github::GithubApi;
use crate::clients::retry::RetryPolicy;
use crate::clients::s3::ArtifactStore;
use crate::clients::slack::{SlackApi, UserProfile};
use crate::config::{Config, Secret, Secrets};
use crate::ids::{ChannelId, UserId};
use crate::locale::Locale;
use crate::store::Store;
use std::sync::Arc;

use tokio::sync::{Notify, watch};

pub struct App {
    pub config: Config,
    pub store: Store,
    pub slack: SlackApi,
    pub github: GithubApi,
    pub codebuild: CodeBuildApi,
    pub artifacts: ArtifactStore,
    pub translators: crate::clients::translate::Translators,
    pub clock: crate::clock::Clock,
    pub slack_signing_secret: Option<Secret>,
    pub github_webhook_secret: Option<Secret>,
    pub aws_events_secret: Option<Secret>,
    pub argocd_webhook_secret: Option<Secret>,
    pub alertmanager_secret: Option<Secret>,
    /// Rung when ingress accepts an event, so an idle worker starts at once.
    pub wake: Notify,
    /// Bumped each time a worker finishes with a row (handled, retried or parked): a sync signal
    /// for whoever waits for the queue to drain (the scenario harness, the console).
    pub progress: watch::Sender<u64>,
}

impl App {
    pub async fn new(config: Config, secrets: &Secrets) -> anyhow::Result<Arc<Self>> {
        let aws = AwsTargets::from_config(&config);
        Self::with_aws(config, secrets, &aws).await
    }

    /// As `new`, with each AWS service reached at its own target (the fake world's).
    pub async fn with_aws(
        config: Config,
        secrets: &Secrets,
        aws: &AwsTargets,
    ) -> anyhow::Result<Arc<Self>> {
        let store = Store::connect(&config.database.url, config.database.max_connections).await?;
        store.migrate().await?;
        let retry = RetryPolicy::default();
        let bot_token = secrets
            .slack_bot_token
            .clone()
            .unwrap_or_else(|| Secret::new("xoxb-unset"));
        let slack = SlackApi::new(
            &config.slack.api_url,
            &bot_token,
            retry,
            config.slack.pacing,
        )?;
        let github = GithubApi::new(&config.github.api_url, secrets, retry)?;
        let codebuild = CodeBuildApi::new(&aws.codebuild, retry).await;
        let artifacts = ArtifactStore::new(&aws.s3, retry, config.aws.max_plan_bytes).await;
        let translators =
            crate::clients::translate::Translators::new(&config, secrets, &aws.translate, retry)
                .await?;
        Ok(Arc::new(Self {
            translators,
            slack,
            github,
            codebuild,
            artifacts,
            clock: store.clock().clone(),
            store,
            slack_signing_secret: secrets.slack_signing_secret.clone(),
            github_webhook_secret: secrets.github_webhook_secret.clone(),
            aws_events_secret: secrets.aws_events_secret.clone(),
            argocd_webhook_secret: secrets.argocd_webhook_secret.clone(),
            alertmanager_secret: secrets.alertmanager_secret.clone(),
            wake: Notify::new(),
            progress: watch::channel(0).0,
            config,
        }))
    }

    /// The user's Slack locale, else the channel's configured language, else the default.
    pub async fn locale_for(&self, user: &UserId, channel: Option<&ChannelId>) -> Locale {
        match self.slack.profile_if_quick(user).await {
            Some(UserProfile {
                locale: Some(locale),
                ..
            }) => locale,
            _ => self.fallback_locale(channel),
        }
    }

    fn fallback_locale(&self, channel: Option<&ChannelId>) -> Locale {
        channel.map_or(self.config.slack.default_locale, |c| {
            self.config.locale_for_channel(c)
        })
    }
}

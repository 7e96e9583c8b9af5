//! Socket Mode: with `SLACK_APP_TOKEN` set, Slack delivers events over a WebSocket instead of
//! HTTP. They land in the same inbox, persisted before slack-morphism acknowledges the envelope.

use crate::app::App;
use crate::config::Secret;
use crate::event::{self, Event, SlackEnvelope, SlashCommand};
use crate::ids::{ChannelId, TeamId, UserId};
use slack_morphism::prelude::*;
use std::sync::Arc;
use tokio::sync::watch;

type Client = SlackHyperClient;

pub async fn run(app: Arc<App>, app_token: Secret, mut stop: watch::Receiver<bool>) {
    let callbacks = SlackSocketModeListenerCallbacks::new()
        .with_command_events(on_command)
        .with_interaction_events(on_interaction)
        .with_push_events(on_push);
    let env = Arc::new(
        SlackClientEventsListenerEnvironment::new(app.slack.client())
            .with_error_handler(on_error)
            .with_user_state(app.clone()),
    );
    let listener =
        SlackClientSocketModeListener::new(&SlackClientSocketModeConfig::new(), env, callbacks);
    let token = SlackApiToken::new(SlackApiTokenValue::new(app_token.expose().to_owned()));
    if let Err(e) = listener.listen_for(&token).await {
        tracing::error!(error = %e, "Socket Mode could not connect (apps.connections.open)");
        return;
    }
    listener.start().await;
    tracing::info!("Socket Mode connected");
    while !*stop.borrow() {
        if stop.changed().await.is_err() {
            break;
        }
    }
    listener.shutdown().await;
}

async fn app_of(states: &SlackClientEventsUserState) -> Arc<App> {
    states
        .read()
        .await
        .get_user_state::<Arc<App>>()
        .expect("the App is registered as user state")
        .clone()
}

/// The event could not be stored: it must not be acknowledged, so Slack delivers it again.
#[derive(Debug, thiserror::Error)]
#[error("could not persist the event: {0}")]
struct NotPersisted(String);

async fn accept(app: &App, key: &str, event: &Event) -> Result<(), NotPersisted> {
    crate::inbox::accept(app, key, event)
        .await
        .map(|_| ())
        .map_err(|e| NotPersisted(format!("{e:#}")))
}

/// Decides whether slack-morphism acknowledges a failed envelope: a malformed one is acknowledged
/// (it would never parse better), one that could not be stored is not.
fn on_error(
    err: Box<dyn std::error::Error + Send + Sync>,
    _: Arc<Client>,
    _: SlackClientEventsUserState,
) -> HttpStatusCode {
    if err.downcast_ref::<NotPersisted>().is_some() {
        tracing::error!(error = %err, "Socket Mode event not acknowledged; Slack will redeliver it");
        HttpStatusCode::SERVICE_UNAVAILABLE
    } else {
        tracing::warn!(error = %err, "Socket Mode event refused as malformed");
        HttpStatusCode::OK
    }
}

async fn on_command(
    ev: SlackCommandEvent,
    _: Arc<Client>,
    states: SlackClientEventsUserState,
) -> UserCallbackResult<SlackCommandEventResponse> {
    let app = app_of(&states).await;
    let cmd = SlashCommand {
        team: TeamId(ev.team_id.to_string()),
        channel: ChannelId(ev.channel_id.to_string()),
        user: UserId(ev.user_id.to_string()),
        command: ev.command.to_string(),
        text: ev.text.unwrap_or_default(),
        response_url: ev.response_url.0.to_string(),
        trigger_id: ev.trigger_id.to_string(),
    };
    let key = format!("slack:command:{}", cmd.trigger_id);
    accept(&app, &key, &Event::SlashCommand(cmd)).await?;
    Ok(SlackCommandEventResponse::new(SlackMessageContent::new()))
}

async fn on_interaction(
    ev: SlackInteractionEvent,
    _: Arc<Client>,
    states: SlackClientEventsUserState,
) -> UserCallbackResult<()> {
    let app = app_of(&states).await;
    let form = serde_urlencoded::to_string([("payload", serde_json::to_string(&ev)?)])?;
    let body = form.as_bytes();
    let (key, event) =
        event::or_unreadable("slack", "interaction", body, event::parse_interaction(body));
    accept(&app, &key, &event).await?;
    Ok(())
}

async fn on_push(
    ev: SlackPushEventCallback,
    _: Arc<Client>,
    states: SlackClientEventsUserState,
) -> UserCallbackResult<()> {
    let app = app_of(&states).await;
    let body = serde_json::to_vec(&SlackPushEvent::EventCallback(ev))?;
    if let SlackEnvelope::Callback { dedupe_key, event } = event::parse_slack_events(&body)? {
        accept(&app, &dedupe_key, &event).await?;
    }
    Ok(())
}

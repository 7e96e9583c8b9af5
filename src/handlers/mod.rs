//! Orchestration, one file per capability: read state, call pure domain logic, talk to clients.

pub(crate) mod approval;
mod cards;
pub mod deploy;
pub mod failure;
pub mod github;
pub mod housekeeping;
pub mod incident;
pub mod postmortem;
pub mod slash;
pub mod terraform;
pub mod translate;

use crate::app::App;
use crate::clients::slack::Outgoing;
use crate::ids::{ChannelId, UserId};

/// Answer only `user`: through the interaction's `response_url`, else ephemerally in `channel`.
async fn reply(
    app: &App,
    response_url: Option<&str>,
    channel: Option<&ChannelId>,
    user: &UserId,
    text: String,
) -> anyhow::Result<()> {
    let msg = Outgoing::text(text);
    crate::effects::at_most_once(app, "reply", || async {
        match (response_url, channel) {
            (Some(url), _) => app.slack.respond(url, &msg).await?,
            (None, Some(c)) => app.slack.post_ephemeral(c, user, &msg).await?,
            (None, None) => tracing::warn!(%user, "no way to answer the user"),
        }
        Ok(())
    })
    .await
}

/// A Slack user (or `github:login`) as GitHub shows them: `@login` where mapped.
pub(crate) fn on_github(app: &App, who: &str) -> String {
    if let Some(login) = who.strip_prefix("github:") {
        return format!("@{login}");
    }
    app.config
        .github
        .slack_users
        .iter()
        .find(|(_, slack)| slack.as_str() == who)
        .map_or_else(
            || {
                if who.contains(':') {
                    who.to_owned()
                } else {
                    format!("slack:{who}")
                }
            },
            |(login, _)| format!("@{login}"),
        )
}

/// Record a finished change and let the incidents it touches hear of it (a job, so a crash
/// after recording still tells them).
async fn record_change(
    app: &App,
    change: crate::domain::changes::ChangeEvent,
) -> anyhow::Result<()> {
    let id = app.store.record_change(&change).await?;
    crate::timers::schedule(
        app,
        crate::event::Timer::ChangeRecorded { id },
        &format!("change:{id}"),
        app.clock.now_ms(),
    )
    .await
}

/// A person's time zone from their Slack profile, if Slack knows it.
/// Display names of Slack users by id, looked up at once (profiles are cached); an id
/// Slack does not know is left out.
async fn display_names<'a>(
    app: &App,
    ids: impl IntoIterator<Item = &'a str>,
) -> std::collections::BTreeMap<String, String> {
    let mut ids: Vec<&str> = ids.into_iter().collect();
    ids.sort();
    ids.dedup();
    let lookups = ids.into_iter().map(|id| async move {
        let p = app.slack.profile(&UserId::from(id)).await.ok()?;
        Some((id.to_owned(), p.name?))
    });
    futures::future::join_all(lookups)
        .await
        .into_iter()
        .flatten()
        .collect()
}

async fn user_zone(app: &App, user: &str) -> Option<chrono_tz::Tz> {
    let profile = app.slack.profile(&UserId::from(user)).await.ok()?;
    profile.tz?.parse().ok()
}

//! A failure reaches a person: whoever asked hears once that banto is retrying and again if it
//! gives up; what nobody asked for is reported to the ops channel when it is parked.

use crate::app::App;
use crate::clients::slack::Outgoing;
use crate::event::Event;
use crate::ids::{ChannelId, QueueId};
use crate::messages::Message;
use crate::messages::failure::{FailureNotice, short_error};

/// After a failed attempt has been recorded. Notices are best effort: a notice that cannot be
/// sent is logged, and never makes the event fail again.
pub async fn report(
    app: &App,
    event: &Event,
    row: QueueId,
    attempt: u32,
    parked: bool,
    error: &str,
) {
    if let Err(e) = notify(app, event, row, attempt, parked, error).await {
        tracing::warn!(%row, error = %e, "could not tell anyone about a failure");
    }
}

async fn notify(
    app: &App,
    event: &Event,
    row: QueueId,
    attempt: u32,
    parked: bool,
    error: &str,
) -> anyhow::Result<()> {
    let error = short_error(error);
    match event.asker() {
        Some(asker) => {
            let what = match event {
                Event::SlashCommand(c) => format!("{} {}", c.command, c.text.trim()),
                other => other.summary(),
            };
            let notice = if parked {
                FailureNotice::Parked {
                    what,
                    error,
                    row: row.0,
                }
            } else if attempt == 1 {
                FailureNotice::Retrying { what, error }
            } else {
                return Ok(());
            };
            let locale = app.locale_for(asker.user, asker.channel).await;
            let text = notice.render(locale);
            if asker.response_url.is_none() && asker.channel.is_none() {
                // A form has neither: a direct message reaches the person.
                let dm = ChannelId(asker.user.0.clone());
                app.slack.post(&dm, &Outgoing::text(text), None).await?;
            } else {
                super::reply(app, asker.response_url, asker.channel, asker.user, text).await?;
            }
        }
        None if parked => {
            let Some(ops) = &app.config.slack.ops_channel else {
                return Ok(());
            };
            let notice = FailureNotice::ParkedUnasked {
                what: event.summary(),
                error,
                row: row.0,
            };
            let channel = ops.clone();
            let locale = app.config.locale_for_channel(ops);
            app.slack
                .post(&channel, &Outgoing::text(notice.render(locale)), None)
                .await?;
        }
        None => {}
    }
    Ok(())
}

//! A handler may run again after a crash; what it already said must not be said twice. The
//! worker runs each handler in a scope named after its queue row; each outward message takes
//! the next key for its destination in that scope and is journaled around the call:
//! - a reply to a person is sent at most once (one begun by a run that died mid-call is not
//!   sent again, and is logged as possibly lost);
//! - a channel or thread message carries its key in Slack message metadata, so a run after a
//!   crash finds the message it began and reuses its `ts` instead of posting again.

use crate::app::App;
use crate::clients::slack::Outgoing;
use crate::ids::{ChannelId, MessageTs};
use crate::store::Begun;
use std::cell::RefCell;
use std::collections::HashMap;
use std::future::Future;

tokio::task_local! {
    static SCOPE: (String, RefCell<HashMap<String, u32>>);
}

/// Runs `f` with effects keyed by `row` (e.g. `inbox:42`).
pub async fn scope<F: Future>(row: String, f: F) -> F::Output {
    SCOPE.scope((row, RefCell::default()), f).await
}

/// The queue row being handled (`inbox:42`), if any.
pub fn row() -> Option<String> {
    SCOPE.try_with(|(row, _)| row.clone()).ok()
}

/// The next key for an effect on `place`. Counting per place keeps keys stable when a run
/// after a crash skips an effect elsewhere (edits a card it posted instead of posting it).
fn next_key(place: &str) -> Option<String> {
    SCOPE
        .try_with(|(row, counts)| {
            let mut counts = counts.borrow_mut();
            let n = counts.entry(place.to_owned()).or_default();
            let key = format!("{row}:{place}:{n}");
            *n += 1;
            key
        })
        .ok()
}

/// Sends a reply at most once across runs of the same event.
pub async fn at_most_once<Fut>(
    app: &App,
    kind: &str,
    send: impl FnOnce() -> Fut,
) -> anyhow::Result<()>
where
    Fut: Future<Output = anyhow::Result<()>>,
{
    let Some(key) = next_key(kind) else {
        return send().await;
    };
    match app.store.begin_effect(&key).await? {
        Begun::New => match send().await {
            Ok(()) => app.store.finish_effect(&key, None).await,
            Err(e) => {
                app.store.abandon_effect(&key).await?;
                Err(e)
            }
        },
        Begun::Done(_) => Ok(()),
        Begun::Unfinished => {
            tracing::warn!(
                key,
                "a reply begun before a crash is not sent again; it may be lost"
            );
            Ok(())
        }
    }
}

/// Say `notice` in `channel`, in the channel's language (a new top-level message).
pub async fn say(
    app: &App,
    channel: &ChannelId,
    notice: &impl crate::messages::Message,
) -> anyhow::Result<MessageTs> {
    let text = notice.render(app.config.locale_for_channel(channel));
    post(app, channel, &Outgoing::text(text), None).await
}

/// Posts a message to a channel (or a thread) exactly once across runs of the same event,
/// answering the `ts` of the one message.
pub async fn post(
    app: &App,
    channel: &ChannelId,
    msg: &Outgoing,
    thread: Option<&MessageTs>,
) -> anyhow::Result<MessageTs> {
    let place = match thread {
        Some(t) => format!("post:{channel}:{t}"),
        None => format!("post:{channel}"),
    };
    let Some(key) = next_key(&place) else {
        return Ok(app.slack.post(channel, msg, thread).await?);
    };
    post_as(app, &key, channel, msg, thread).await
}

/// Posts the one message named `key` (`incident:7:checklist`): whichever run or event posts it
/// first, every later one finds it, whatever else those runs did before.
pub async fn post_as(
    app: &App,
    key: &str,
    channel: &ChannelId,
    msg: &Outgoing,
    thread: Option<&MessageTs>,
) -> anyhow::Result<MessageTs> {
    match app.store.begin_effect(key).await? {
        Begun::Done(Some(ts)) => return Ok(MessageTs(ts)),
        Begun::Unfinished | Begun::Done(None) => {
            if let Some(ts) = app.slack.find_keyed(channel, thread, key).await? {
                app.store.finish_effect(key, Some(&ts.0)).await?;
                return Ok(ts);
            }
        }
        Begun::New => {}
    }
    // A failed post stays begun: Slack may have posted it before failing to answer, so the
    // next run looks for it first.
    let ts = app.slack.post_keyed(channel, msg, thread, key).await?;
    app.store.finish_effect(key, Some(&ts.0)).await?;
    Ok(ts)
}

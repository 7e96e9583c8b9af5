//! Messages marked for the timeline: a 📌 reaction (the emoji is configurable), a pin, or a
//! postmortem lesson's emoji (went well, went wrong, lucky) in an incident channel, thread replies included, at the time the message was posted. Edits
//! and deletions of captured messages follow them.

use super::change;
use crate::app::App;
use crate::domain::incident::{Captured, Lesson, Refusal};
use crate::event::{MessageChanged, MessageDeleted, PinAdded, ReactionAdded};
use crate::ids::{ChannelId, MessageTs, UserId};

pub async fn reacted(app: &App, r: ReactionAdded) -> anyhow::Result<()> {
    let lesson = app.config.postmortem.lesson(&r.reaction);
    if r.reaction != app.config.incidents.capture_emoji && lesson.is_none() {
        return Ok(());
    }
    let Some(stored) = app.store.incident_in(&r.channel).await? else {
        return Ok(());
    };
    let Some(m) = app.slack.message(&r.channel, &r.ts).await? else {
        return Ok(());
    };
    let mark = Mark {
        by: r.user,
        channel: r.channel,
        ts: r.ts,
        thread_ts: m.thread_ts,
        author: m.author,
        text: m.text,
        lesson,
    };
    capture(app, stored.id, mark).await
}

pub async fn pinned(app: &App, p: PinAdded) -> anyhow::Result<()> {
    let Some(stored) = app.store.incident_in(&p.channel).await? else {
        return Ok(());
    };
    let mark = Mark {
        by: p.user,
        channel: p.channel,
        ts: p.ts,
        thread_ts: p.thread_ts,
        author: p.author,
        text: p.text,
        lesson: None,
    };
    capture(app, stored.id, mark).await
}

struct Mark {
    by: UserId,
    channel: ChannelId,
    ts: MessageTs,
    thread_ts: Option<MessageTs>,
    author: Option<UserId>,
    text: String,
    lesson: Option<Lesson>,
}

async fn capture(app: &App, id: crate::ids::IncidentId, m: Mark) -> anyhow::Result<()> {
    let now = app.clock.now_ms();
    let posted = m.ts.millis().unwrap_or(now);
    let c = Captured {
        channel: m.channel.0,
        ts: m.ts.0,
        thread_ts: m.thread_ts.map(|t| t.0),
        author: m.author.map(|a| a.0).unwrap_or_default(),
        text: m.text,
        edited: false,
        deleted: false,
        lesson: m.lesson,
    };
    let by = m.by.0;
    change(app, id, &by.clone(), move |i| {
        if i.capture(&by, c.clone(), posted, now) {
            Ok(())
        } else {
            Err(Refusal::Unchanged)
        }
    })
    .await?
    .ok();
    Ok(())
}

pub async fn edited(app: &App, m: MessageChanged) -> anyhow::Result<()> {
    follow(app, &m.channel, |i| {
        i.captured_edited(&m.channel.0, &m.ts.0, &m.text)
    })
    .await
}

pub async fn deleted(app: &App, m: MessageDeleted) -> anyhow::Result<()> {
    follow(app, &m.channel, |i| {
        i.captured_deleted(&m.channel.0, &m.ts.0)
    })
    .await
}

/// An edit or deletion in an incident channel, applied to the timeline if the message is on it.
async fn follow(
    app: &App,
    channel: &ChannelId,
    apply: impl Fn(&mut crate::domain::incident::Incident) -> bool + Send + Sync,
) -> anyhow::Result<()> {
    let Some(stored) = app.store.incident_in(channel).await? else {
        return Ok(());
    };
    change(app, stored.id, "banto", |i| {
        if apply(i) {
            Ok(())
        } else {
            Err(Refusal::Unchanged)
        }
    })
    .await?
    .ok();
    Ok(())
}

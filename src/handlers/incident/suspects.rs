//! Suspect changes: the deploys and applies that finished in the window before the impact
//! started, ranked, on a card with Confirm culprit / Dismiss / Roll back; and changes made
//! while an incident is open, posted in its channel as they happen.

use super::{change, channel_of, locale};
use crate::app::App;
use crate::domain::changes::ChangeKind;
use crate::domain::incident::{SuspectChange, rank};
use crate::event::BlockAction;
use crate::handlers::reply;
use crate::ids::{ChangeId, IncidentId, MessageTs};
use crate::messages::Message;
use crate::messages::incident::{IncidentNotice, suspects_card};

/// How many suspects a card lists.
const MAX_SUSPECTS: usize = 5;

/// Rank the suspects again (on declaration, when the impact start is corrected) and show them.
pub(super) async fn show_suspects(app: &App, id: IncidentId) -> anyhow::Result<()> {
    let Some(stored) = app.store.load(id).await? else {
        return Ok(());
    };
    let minutes = app.config.incidents.suspect_window_minutes;
    let window = i64::from(minutes) * 60_000;
    let impact = stored.record.impact_started_ms;
    let changes: Vec<SuspectChange> = app
        .store
        .changes_between(impact - window, impact)
        .await?
        .iter()
        .filter(|c| stored.record.affected_by(&c.change.subject()))
        .map(SuspectChange::from)
        .collect();
    let mut ranked = rank(changes, impact, window);
    ranked.truncate(MAX_SUSPECTS);
    let (stored, ()) = app
        .store
        .update(id, |s| s.record.set_suspects(ranked.clone()))
        .await?;
    render(app, &stored, minutes).await
}

async fn render(
    app: &App,
    stored: &crate::store::StoredIncident,
    minutes: u32,
) -> anyhow::Result<()> {
    let Some(channel) = channel_of(stored) else {
        return Ok(());
    };
    let msg = suspects_card(
        stored.id,
        &stored.record,
        minutes,
        locale(app, &stored.meta),
    );
    match &stored.meta.suspects_ts {
        Some(ts) => {
            app.slack
                .update(&channel, &MessageTs::from(ts.as_str()), &msg)
                .await?
        }
        None => {
            let key = format!("incident:{}:suspects", stored.id.0);
            let ts = crate::effects::post_as(app, &key, &channel, &msg, None).await?;
            app.store
                .update(stored.id, |s| s.meta.suspects_ts = Some(ts.clone()))
                .await?;
        }
    }
    Ok(())
}

pub async fn suspect_verdict(
    app: &App,
    click: BlockAction,
    id: IncidentId,
    change_id: ChangeId,
    confirm: bool,
) -> anyhow::Result<()> {
    let now = app.clock.now_ms();
    let by = click.user.0.clone();
    if let Ok(stored) = change(app, id, &by.clone(), move |i| {
        i.judge(change_id, confirm, &by, now)
    })
    .await?
    {
        render(app, &stored, app.config.incidents.suspect_window_minutes).await?;
    }
    Ok(())
}

/// Roll back the deploy a suspect made, with the rollback's usual approvals.
pub async fn suspect_rollback(
    app: &App,
    click: BlockAction,
    id: IncidentId,
    change_id: ChangeId,
) -> anyhow::Result<()> {
    let Some(stored) = app.store.load(id).await? else {
        return Ok(());
    };
    let Some(deploy_id) = stored
        .record
        .suspects
        .iter()
        .find(|s| s.change.id == change_id)
        .and_then(|s| s.change.deploy)
    else {
        return Ok(());
    };
    let Some(deploy) = app.store.load(deploy_id).await? else {
        return Ok(());
    };
    let d = &deploy.record;
    let Some(a) = app.config.deploy.apps.iter().find(|a| a.name == d.app) else {
        return Ok(());
    };
    let Some(e) = a.envs.iter().find(|e| e.name == d.env) else {
        return Ok(());
    };
    let answer = crate::handlers::deploy::rollback(
        app,
        &click.user.0,
        a,
        e,
        d.from.clone(),
        format!("suspect:{}:{change_id}:{}", id.0, click.trigger_id),
    )
    .await?;
    let locale = app.locale_for(&click.user, click.channel.as_ref()).await;
    reply(
        app,
        click.response_url.as_deref(),
        click.channel.as_ref(),
        &click.user,
        answer.render(locale),
    )
    .await
}

/// A change was recorded: every open incident whose services it touches and whose impact had
/// begun hears of it.
pub async fn change_recorded(app: &App, change_id: ChangeId) -> anyhow::Result<()> {
    let Some(c) = app.store.change_event(change_id).await? else {
        return Ok(());
    };
    let suspect = SuspectChange::from(&c);
    let now = app.clock.now_ms();
    for open in app.store.open_incidents().await? {
        let i = &open.record;
        if !i.affected_by(&suspect.subject) || c.finished_at < i.impact_started_ms {
            continue;
        }
        let (_, added) = app
            .store
            .update(open.id, |o| o.record.change_happened(&suspect, now))
            .await?;
        if !added {
            continue;
        }
        let notice = IncidentNotice::Change {
            deploy: suspect.kind == ChangeKind::Deploy,
            subject: suspect.subject.clone(),
            detail: suspect.summary.clone(),
        };
        super::tell(app, &open, &notice).await?;
    }
    Ok(())
}

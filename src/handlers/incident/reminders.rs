//! Reminders, through the jobs table: one timer at the moment a status update falls due; when
//! it fires, the commander is nudged (SEV3/4 in their working hours) unless an update came
//! meanwhile, and the next one is set an interval later. An incident declared without a
//! commander has its channel asked for one after `ask_for_commander_after_minutes`.

use super::{channel_of, tell};
use crate::app::App;
use crate::domain::audit::AuditAction;
use crate::domain::incident::{Nudge, Nudged, next_nudge};
use crate::event::Timer;
use crate::handlers::user_zone;
use crate::ids::IncidentId;
use crate::messages::common::mention;
use crate::messages::incident::{IncidentNotice, slack_date};
use crate::store::StoredIncident;

/// Minutes between status updates when no playbook says.
const DEFAULT_EVERY: [u32; 4] = [15, 30, 60, 240];

fn interval_ms(app: &App, stored: &StoredIncident) -> i64 {
    let i = &stored.record;
    let minutes = app
        .config
        .incidents
        .playbooks
        .get(&i.kind)
        .and_then(|p| p.policy(i.severity))
        .map(|p| p.update_every_minutes)
        .unwrap_or(DEFAULT_EVERY[usize::from(i.severity.clamp(1, 4) - 1)]);
    i64::from(minutes.max(1)) * 60_000
}

async fn at(app: &App, id: IncidentId, at_ms: i64) -> anyhow::Result<()> {
    crate::timers::schedule(
        app,
        Timer::IncidentReminder { id, at_ms },
        &format!("incident:{}:remind:{at_ms}", id.0),
        at_ms,
    )
    .await
}

/// Set the reminder for the next update due (the key makes it one per moment).
pub(super) async fn schedule(app: &App, stored: &StoredIncident) -> anyhow::Result<()> {
    if !stored.record.is_open() || channel_of(stored).is_none() {
        return Ok(());
    }
    at(
        app,
        stored.id,
        stored.record.last_update_ms() + interval_ms(app, stored),
    )
    .await
}

/// Declared without a commander: the channel is asked after a while, unless someone took it.
pub(super) async fn ask_for_commander(app: &App, stored: &StoredIncident) -> anyhow::Result<()> {
    if stored.record.commander().is_some() || channel_of(stored).is_none() {
        return Ok(());
    }
    crate::timers::schedule(
        app,
        Timer::AskForCommander { id: stored.id },
        &format!("incident:{}:ask_for_commander", stored.id.0),
        stored.record.declared_ms + ask_after_ms(app),
    )
    .await
}

fn ask_after_ms(app: &App) -> i64 {
    i64::from(app.config.incidents.ask_for_commander_after_minutes) * 60_000
}

pub async fn ask_for_commander_due(app: &App, id: IncidentId) -> anyhow::Result<()> {
    let Some(stored) = app.store.load(id).await? else {
        return Ok(());
    };
    let i = &stored.record;
    if !i.is_open() || i.commander().is_some() {
        return Ok(());
    }
    // An update falling due within a minute of this ask has its own reminder, which asks for
    // a commander too: one message, not two at once.
    let now = app.clock.now_ms();
    let asked_at = i.declared_ms + ask_after_ms(app);
    if (i.last_update_ms() + interval_ms(app, &stored) - asked_at).abs() < 60_000 {
        return Ok(());
    }
    let notice = IncidentNotice::NoCommander {
        minutes: (now - i.declared_ms) / 60_000,
    };
    tell(app, &stored, &notice).await?;
    app.store
        .audit(
            "banto",
            AuditAction::IncidentNoCommander,
            &super::subject(id),
            "",
        )
        .await
}

pub async fn remind(app: &App, id: IncidentId, timer_ms: i64) -> anyhow::Result<()> {
    let Some(stored) = app.store.load(id).await? else {
        return Ok(());
    };
    let i = &stored.record;
    if !i.is_open() {
        return Ok(());
    }
    let every = interval_ms(app, &stored);
    let last_update = i.last_update_ms();
    let nudged_at = match Nudged::claimed_by(stored.meta.nudged, timer_ms, last_update) {
        Some(at_ms) => at_ms,
        None => {
            let commander = i.commander().map(str::to_owned);
            let zone = match &commander {
                Some(c) => user_zone(app, c).await,
                None => None,
            };
            let now = app.clock.now_ms();
            let since = Nudged::since(stored.meta.nudged, last_update);
            match next_nudge(since, every, i.severity, zone, now) {
                // An update or another timer's nudge came: the timer for the next one is set.
                Nudge::NotYet { .. } => return Ok(()),
                Nudge::Wait { until_ms } => return at(app, id, until_ms).await,
                Nudge::Now => {}
            }
            let (_, claimed) = app
                .store
                .update(id, |s| {
                    let since = Nudged::since(s.meta.nudged, s.record.last_update_ms());
                    let due = since + every <= now;
                    if due {
                        s.meta.nudged = Some(Nudged {
                            at_ms: now,
                            timer_ms,
                        });
                    }
                    due
                })
                .await?;
            if !claimed {
                return Ok(());
            }
            now
        }
    };
    let notice = IncidentNotice::UpdateDue {
        who: i.commander().map(mention),
        minutes: (nudged_at - last_update) / 60_000,
        since: slack_date(last_update),
    };
    tell(app, &stored, &notice).await?;
    app.store
        .audit_once(
            "banto",
            AuditAction::IncidentNudge,
            &super::subject(id),
            &nudged_at.to_string(),
        )
        .await?;
    at(app, id, nudged_at + every).await
}

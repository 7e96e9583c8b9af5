//! Incidents: `/incident` declares one (a channel, the playbook's responders, a header card,
//! the checklist, the suspect changes, an announcement) and runs it from its channel. What
//! follows a change (card, notices, freeze, reminders) is `follow_up`'s, whatever made it: a
//! command, a button, a form. The decisions are `domain::incident`'s; private incidents are
//! told only to the people banto invited.

mod alerts;
mod capture;
mod command;
mod declare;
mod forms;
mod freeze;
mod link;
mod reminders;
mod suspects;

pub use alerts::{attach_clicked, attach_submitted, declare_clicked, received as alert};
pub use capture::{deleted, edited, pinned, reacted};
pub use command::answer as command;
pub use forms::{declare_from_message, declare_submitted, handover_submitted, tick};
pub use reminders::{ask_for_commander_due, remind};
pub use suspects::{change_recorded, suspect_rollback, suspect_verdict};

use super::cards::{Carded, show};
use crate::app::App;
use crate::clients::slack::Outgoing;
use crate::domain::audit::AuditAction;
use crate::domain::card::CardPlace;
use crate::domain::incident::{FollowUp, Incident, IncidentMeta, Refusal, What};
use crate::ids::{ChannelId, IncidentId};
use crate::messages::Message;
use crate::messages::common::mention;
use crate::messages::incident::{IncidentNotice, card, metrics_line};
use crate::store::StoredIncident;

/// The audit log subject of an incident.
fn subject(id: IncidentId) -> String {
    format!("incident:{}", id.0)
}

/// The playbook's title in `locale`, or the type itself when no playbook names it.
fn kind_title(app: &App, kind: &str, locale: crate::locale::Locale) -> String {
    app.config
        .incidents
        .playbooks
        .get(kind)
        .map_or_else(|| kind.to_owned(), |p| p.title.get(locale).to_owned())
}

fn locale(app: &App, meta: &IncidentMeta) -> crate::locale::Locale {
    meta.locale.unwrap_or(app.config.slack.default_locale)
}

/// Whether `user` may see the incident: every public one, a private one only if invited.
fn visible_to(i: &StoredIncident, user: &str) -> bool {
    !i.record.private || i.meta.members.iter().any(|m| m.as_str() == user)
}

/// The open incidents `user` may see.
async fn visible_open(app: &App, user: &str) -> anyhow::Result<Vec<StoredIncident>> {
    let open = app.store.open_incidents().await?;
    Ok(open.into_iter().filter(|i| visible_to(i, user)).collect())
}

fn channel_of(i: &StoredIncident) -> Option<ChannelId> {
    i.meta.channel.clone()
}

/// Say `notice` in the incident's channel.
async fn tell(app: &App, i: &StoredIncident, notice: &IncidentNotice) -> anyhow::Result<()> {
    if let Some(channel) = channel_of(i) {
        let text = Outgoing::text(notice.render(locale(app, &i.meta)));
        crate::effects::post(app, &channel, &text, None).await?;
    }
    Ok(())
}

/// Say `notice` in the broadcast channel, unless the incident is private.
async fn broadcast(app: &App, i: &StoredIncident, notice: &IncidentNotice) -> anyhow::Result<bool> {
    let (Some(channel), false) = (&app.config.incidents.broadcast_channel, i.record.private) else {
        return Ok(false);
    };
    crate::effects::say(app, channel, notice).await?;
    Ok(true)
}

/// Change an incident: `change` decides (again if someone saved first); then everything that
/// follows from what changed. `Ok(Err(_))`: refused, nothing changed. The follow-up is saved
/// with the change and cleared once done; a retry of the same event first finishes what its
/// stopped run left (a resolution whose notices, postmortem and thaw never happened).
async fn change(
    app: &App,
    id: IncidentId,
    by: &str,
    change: impl Fn(&mut Incident) -> Result<(), Refusal> + Send + Sync,
) -> anyhow::Result<Result<StoredIncident, Refusal>> {
    let row = crate::effects::row();
    let left = match &row {
        Some(row) => finish_left(app, id, row).await?,
        None => None,
    };
    let mut plan = None;
    let (stored, result) = app
        .store
        .update(id, |s| {
            let before = s.record.clone();
            let r = change(&mut s.record);
            if r.is_ok() {
                let f = FollowUp::between(&before, &s.record, by, row.as_deref().unwrap_or(""));
                if row.is_some() {
                    s.meta.follow_ups.push(f.clone());
                }
                plan = Some(f);
            }
            r
        })
        .await?;
    if let Err(r) = result {
        // The change this event asked for was made by its stopped run: answer as that run would
        // have (not "already resolved").
        return Ok(left.ok_or(r));
    }
    let plan = plan.expect("update ran the change");
    follow_up(app, &stored, &plan).await?;
    Ok(Ok(done(app, id, &plan).await?.unwrap_or(stored)))
}

/// Follow-ups a stopped run of `row` left on incident `id`; the incident after them, if any.
async fn finish_left(
    app: &App,
    id: IncidentId,
    row: &str,
) -> anyhow::Result<Option<StoredIncident>> {
    let Some(stored) = app.store.load(id).await? else {
        return Ok(None);
    };
    let mut after = None;
    for f in stored.meta.follow_ups.iter().filter(|f| f.row == row) {
        tracing::info!(incident = %id, row, "finishing what a stopped run left");
        follow_up(app, &stored, f).await?;
        after = done(app, id, f).await?;
    }
    Ok(after)
}

async fn done(app: &App, id: IncidentId, f: &FollowUp) -> anyhow::Result<Option<StoredIncident>> {
    if f.row.is_empty() {
        return Ok(None);
    }
    let (stored, ()) = app
        .store
        .update(id, |s| s.meta.follow_ups.retain(|x| x != f))
        .await?;
    Ok(Some(stored))
}

/// What follows a change: the audit, the card, notices, freezes, invitations and reminders.
async fn follow_up(app: &App, after: &StoredIncident, f: &FollowUp) -> anyhow::Result<()> {
    let (i, by) = (&after.record, f.by.as_str());
    let (from, to) = (
        f.entries.0.min(i.timeline.len()),
        f.entries.1.min(i.timeline.len()),
    );
    for entry in &i.timeline[from..to] {
        let detail = serde_json::to_string(&entry.what)?;
        app.store
            .audit(
                by,
                AuditAction::IncidentChanged,
                &subject(after.id),
                &detail,
            )
            .await?;
        match &entry.what {
            What::Update { text } => {
                let notice = |channel| IncidentNotice::Update {
                    id: after.id,
                    title: i.title.clone(),
                    severity: i.severity,
                    status: i.status,
                    text: text.clone(),
                    by: mention(by),
                    channel,
                };
                broadcast(app, after, &notice(after.meta.channel.clone().map(|c| c.0))).await?;
                tell(app, after, &notice(None)).await?;
            }
            What::Action { number, .. } => {
                if let Some(a) = i.actions.iter().find(|a| a.number == *number) {
                    let notice = IncidentNotice::Action {
                        number: a.number,
                        text: a.text.clone(),
                        owner: a.owner.as_deref().map(mention),
                        due: a.due.clone(),
                    };
                    tell(app, after, &notice).await?;
                }
            }
            What::Handover(h) => {
                let notice = IncidentNotice::Handover {
                    from: mention(by),
                    to: mention(&h.to),
                    state: h.state.clone(),
                    hypotheses: h.hypotheses.clone(),
                    tried: h.tried.clone(),
                    next: h.next.clone(),
                };
                tell(app, after, &notice).await?;
            }
            What::Alert {
                name,
                firing,
                summary,
                link,
            } => {
                let notice = IncidentNotice::Alert {
                    name: name.clone(),
                    firing: *firing,
                    summary: summary.clone(),
                    link: link.clone(),
                };
                tell(app, after, &notice).await?;
            }
            _ => {}
        }
    }
    if f.card {
        show(app, after).await?;
    }
    if f.resolved {
        let l = locale(app, &after.meta);
        let notice = IncidentNotice::Resolved {
            id: after.id,
            metrics: metrics_line(&i.metrics(), l),
        };
        tell(app, after, &notice).await?;
        broadcast(app, after, &notice).await?;
        crate::metrics::incident_resolved(&i.kind, i.severity, &i.metrics());
        crate::handlers::postmortem::schedule(app, after.id, None).await?;
    }
    if f.impact_moved {
        suspects::show_suspects(app, after.id).await?;
    }
    if f.severity_changed {
        declare::invite_for_severity(app, after).await?;
    }
    freeze::apply(app, after).await?;
    reminders::schedule(app, after).await
}

impl Carded for Incident {
    fn card(meta: &IncidentMeta) -> &CardPlace {
        &meta.card
    }
    fn card_mut(meta: &mut IncidentMeta) -> &mut CardPlace {
        &mut meta.card
    }
    async fn render(app: &App, i: &StoredIncident) -> anyhow::Result<Outgoing> {
        let locale = locale(app, &i.meta);
        let kind = kind_title(app, &i.record.kind, locale);
        Ok(card(i.id, &i.record, &kind, locale))
    }
}

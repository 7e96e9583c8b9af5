//! Declaring an incident: the record first (a retry finds it), then the channel, its topic,
//! the invitations, the header card, the checklist, the suspect changes and the announcement.

use super::{channel_of, kind_title, locale, subject};
use crate::app::App;
use crate::clients::slack::Outgoing;
use crate::domain::audit::AuditAction;
use crate::domain::card::CardPlace;
use crate::domain::incident::{Declaration, Incident, IncidentMeta, channel_name};
use crate::handlers::cards::show;
use crate::ids::{ChannelId, UserId};
use crate::messages::Message;
use crate::messages::common::mention;
use crate::messages::incident::{Announcement, IncidentReply, checklist};
use crate::store::StoredIncident;

/// What a declaration asks for, from a command, the form or an alert.
pub(super) struct Ask {
    pub title: String,
    pub kind: Option<String>,
    pub severity: Option<u8>,
    pub private: bool,
    pub services: Vec<String>,
    /// Default: now.
    pub impact_started_ms: Option<i64>,
    /// An alert's start; default: now.
    pub detected_ms: Option<i64>,
    /// The message it was declared from.
    pub source: Option<String>,
    /// What asked (a command's trigger id, a form's view): a retry finds its incident.
    pub trigger_key: String,
    pub reporter: UserId,
    /// Usually the reporter; the form lets them leave it to someone else.
    pub commander: Option<UserId>,
    /// Where it was asked from.
    pub channel: ChannelId,
}

pub(super) async fn declare(app: &App, ask: Ask) -> anyhow::Result<IncidentReply> {
    let playbooks = &app.config.incidents.playbooks;
    let kind = match ask.kind {
        Some(k) if !playbooks.contains_key(&k) && !playbooks.is_empty() => {
            let known: Vec<String> = playbooks.keys().map(|k| format!("`{k}`")).collect();
            return Ok(IncidentReply::UnknownType {
                kind: k,
                known: known.join(", "),
            });
        }
        Some(k) => k,
        None => app
            .config
            .incidents
            .default_type
            .clone()
            .unwrap_or_else(|| "incident".into()),
    };
    let playbook = playbooks.get(&kind);
    let severity = ask
        .severity
        .or(playbook.map(|p| *p.default_severity.get_ref()))
        .unwrap_or(3);
    let now = app.clock.now_ms();
    let incident = Incident::declare(&Declaration {
        title: &ask.title,
        kind: &kind,
        severity,
        private: ask.private,
        reporter: &ask.reporter.0,
        commander: ask.commander.as_ref().map(|c| c.0.as_str()),
        services: &ask.services,
        impact_started_ms: ask.impact_started_ms.unwrap_or(now),
        detected_ms: ask.detected_ms,
        now_ms: now,
    });
    let row = crate::effects::row();
    let meta = IncidentMeta {
        declared_row: row.clone(),
        declared_in: ask.channel.0.clone(),
        locale: Some(app.locale_for(&ask.reporter, Some(&ask.channel)).await),
        source_link: ask.source.clone(),
        ..Default::default()
    };
    let (stored, created) = app.store.insert(&incident, &meta, &ask.trigger_key).await?;
    if created {
        app.store
            .audit(
                &ask.reporter.0,
                AuditAction::IncidentDeclared,
                &subject(stored.id),
                &kind,
            )
            .await?;
    }
    let theirs = !created && stored.meta.declared_row.is_some() && stored.meta.declared_row != row;
    let stored = if theirs {
        declared_elsewhere(app, stored).await?
    } else {
        open_channel(app, stored).await?
    };
    let channel = stored.meta.channel.clone().unwrap_or_default();
    Ok(IncidentReply::Declared {
        id: stored.id,
        channel,
    })
}

/// Another event is declaring this incident (two forms for one alert): wait a little for its
/// channel, to answer with the link; the declaring event's own retries finish the rest.
async fn declared_elsewhere(app: &App, stored: StoredIncident) -> anyhow::Result<StoredIncident> {
    let id = stored.id;
    let mut latest = stored;
    for _ in 0..50 {
        if latest.meta.channel.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        latest = app.store.load(id).await?.unwrap_or(latest);
    }
    Ok(latest)
}

/// Everything after the record: each step is safe to repeat on a retry.
async fn open_channel(app: &App, stored: StoredIncident) -> anyhow::Result<StoredIncident> {
    let locale = locale(app, &stored.meta);
    let stored = match &stored.meta.channel {
        Some(_) => stored,
        None => {
            let id = create_channel(app, &stored).await?;
            app.store
                .update(stored.id, |s| {
                    s.meta.channel = Some(id.clone());
                    s.meta.card = CardPlace::new(id.clone());
                })
                .await?
                .0
        }
    };
    let channel = channel_of(&stored).unwrap_or_else(|| ChannelId::from(""));
    app.store.set_incident_channel(stored.id, &channel).await?;
    let i = &stored.record;
    let kind = kind_title(app, &i.kind, locale);
    // Independent of each other, so made at once (Slack answers each in ~100 ms); the card,
    // the checklist and the suspects go to the same channel in this order. Each posted step is
    // recorded as done and named after the incident: a run after a crash does what is missing,
    // and finds (never repeats) what a dead run posted without recording it.
    let topic = format!("{} · SEV{} · {} · {}", stored.id, i.severity, kind, i.title);
    let invite = async {
        let people = responders(app, &stored).await?;
        app.slack.invite(&channel, &people).await?;
        anyhow::Ok(people)
    };
    let card = async {
        show(app, &stored).await?;
        if stored.meta.checklist_ts.is_none() {
            post_checklist(app, &stored, &channel).await?;
        }
        if stored.meta.suspects_ts.is_none() {
            super::suspects::show_suspects(app, stored.id).await?;
        }
        anyhow::Ok(())
    };
    let announcement = async {
        if stored.meta.announcement_ts.is_none() {
            announce(app, &stored).await?;
        }
        anyhow::Ok(())
    };
    let (topic, people, card, announcement) = futures::join!(
        app.slack.set_topic(&channel, &topic),
        invite,
        card,
        announcement
    );
    topic?;
    card?;
    announcement?;
    let members: Vec<UserId> = people?;
    let stored = app
        .store
        .update(stored.id, |s| {
            for m in &members {
                if !s.meta.members.contains(m) {
                    s.meta.members.push(m.clone());
                }
            }
        })
        .await?
        .0;
    super::freeze::apply(app, &stored).await?;
    super::reminders::schedule(app, &stored).await?;
    super::reminders::ask_for_commander(app, &stored).await?;
    Ok(stored)
}

/// The playbook's steps in the incident's language.
pub(super) fn steps(app: &App, i: &StoredIncident) -> Vec<String> {
    let locale = locale(app, &i.meta);
    app.config
        .incidents
        .playbooks
        .get(&i.record.kind)
        .map(|p| {
            p.checklist
                .iter()
                .map(|s| s.get(locale).to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// The playbook's checklist, in the incident channel, with a Done button per step.
async fn post_checklist(
    app: &App,
    stored: &StoredIncident,
    channel: &ChannelId,
) -> anyhow::Result<()> {
    let steps = steps(app, stored);
    if steps.is_empty() {
        return Ok(());
    }
    let msg = checklist(stored.id, &stored.record, &steps, locale(app, &stored.meta));
    let key = format!("incident:{}:checklist", stored.id.0);
    let ts = crate::effects::post_as(app, &key, channel, &msg, None).await?;
    app.store
        .update(stored.id, |s| s.meta.checklist_ts = Some(ts.clone()))
        .await?;
    Ok(())
}

/// A channel named after the title, with a suffix when the name is taken.
async fn create_channel(app: &App, stored: &StoredIncident) -> anyhow::Result<ChannelId> {
    let date = chrono::DateTime::from_timestamp_millis(stored.record.declared_ms)
        .unwrap_or_default()
        .with_timezone(&app.config.slack.time_zone)
        .format("%Y%m%d")
        .to_string();
    let prefix = &app.config.incidents.channel_prefix;
    for attempt in 1..=20 {
        // A channel name is read by everyone in the workspace: no credential goes into it.
        let title = crate::domain::mask::text(&stored.record.title);
        let name = channel_name(prefix, &date, &title, stored.id.0, attempt);
        if let Some(c) = app
            .slack
            .create_channel(&name, stored.record.private)
            .await?
        {
            return Ok(c);
        }
    }
    anyhow::bail!("no free channel name for {}", stored.id)
}

/// The reporter, the playbook's responders, and the groups its policy invites at this severity.
async fn responders(app: &App, stored: &StoredIncident) -> anyhow::Result<Vec<UserId>> {
    let mut people = vec![UserId::from(stored.record.reporter.as_str())];
    people.extend(stored.record.commander().map(UserId::from));
    if let Some(p) = app.config.incidents.playbooks.get(&stored.record.kind) {
        let mut wanted = p.responders.clone();
        if let Some(policy) = p.policy(stored.record.severity) {
            wanted.users.extend(policy.invite.users.iter().cloned());
            wanted.groups.extend(policy.invite.groups.iter().cloned());
        }
        let expanded = crate::handlers::approval::members(app, &wanted).await?;
        people.extend(expanded);
    }
    people.sort();
    people.dedup();
    Ok(people)
}

/// Raised (or lowered) to a severity whose policy invites more people: invite them.
pub(super) async fn invite_for_severity(app: &App, stored: &StoredIncident) -> anyhow::Result<()> {
    let Some(channel) = channel_of(stored) else {
        return Ok(());
    };
    let people = responders(app, stored).await?;
    let new: Vec<UserId> = people
        .into_iter()
        .filter(|p| !stored.meta.members.contains(p))
        .collect();
    if new.is_empty() {
        return Ok(());
    }
    app.slack.invite(&channel, &new).await?;
    app.store
        .update(stored.id, |s| {
            for p in &new {
                if !s.meta.members.contains(p) {
                    s.meta.members.push(p.clone());
                }
            }
        })
        .await?;
    Ok(())
}

/// Told in the broadcast channel, unless the incident is private, in that channel's language.
async fn announce(app: &App, stored: &StoredIncident) -> anyhow::Result<()> {
    let (Some(broadcast), false) = (
        &app.config.incidents.broadcast_channel,
        stored.record.private,
    ) else {
        return Ok(());
    };
    let language = app.config.locale_for_channel(broadcast);
    let text = Announcement {
        id: stored.id,
        title: stored.record.title.clone(),
        severity: stored.record.severity,
        kind: kind_title(app, &stored.record.kind, language),
        channel: stored.meta.channel.clone().unwrap_or_default(),
        reporter: mention(stored.record.reporter.as_str()),
    }
    .render(language);
    let key = format!("incident:{}:announcement", stored.id.0);
    let ts = crate::effects::post_as(app, &key, broadcast, &Outgoing::text(text), None).await?;
    app.store
        .update(stored.id, |s| s.meta.announcement_ts = Some(ts.clone()))
        .await?;
    Ok(())
}

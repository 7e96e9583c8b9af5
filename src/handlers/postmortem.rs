//! Postmortem drafts: written by a `PostmortemDraft` job when an incident is resolved and again
//! on `/incident postmortem`. The draft is built from the incident as saved
//! (`domain::postmortem`), worded in the incident's language and the other one
//! (`messages::postmortem`), and shared in the incident channel as one Markdown file with a
//! short summary as its comment.

use crate::app::App;
use crate::domain::postmortem::{Draft, Inputs, draft};
use crate::event::Timer;
use crate::ids::{ChannelId, IncidentId, UserId};
use crate::locale::Locale;
use crate::messages::Message;
use crate::messages::postmortem::{Names, PostmortemCard, View};
use chrono_tz::Tz;

/// Ask for a draft: now, once per resolution (`trigger`: none) or per request.
pub async fn schedule(app: &App, id: IncidentId, trigger: Option<&str>) -> anyhow::Result<()> {
    let (key, regenerated) = match trigger {
        Some(t) => (format!("incident:{}:postmortem:{t}", id.0), true),
        None => {
            let resolved = match app.store.load(id).await? {
                Some(s) => s.record.resolved_ms.unwrap_or_default(),
                None => return Ok(()),
            };
            (
                format!("incident:{}:postmortem:resolved:{resolved}", id.0),
                false,
            )
        }
    };
    let timer = Timer::PostmortemDraft { id, regenerated };
    crate::timers::schedule(app, timer, &key, app.clock.now_ms()).await
}

/// The timeline's zones: configured, else the team's.
fn zones(app: &App) -> Vec<Tz> {
    match app.config.postmortem.zones.as_slice() {
        [] => vec![app.config.slack.time_zone],
        z => z.to_vec(),
    }
}

/// Everyone the draft names, by display name (cached profiles; an unknown id stays an id).
async fn names(app: &App, d: &Draft) -> Names {
    let mut ids: Vec<&str> = d.participants.iter().map(String::as_str).collect();
    ids.extend(d.roles.iter().map(|(_, u)| u.as_str()));
    ids.extend(d.actions.iter().filter_map(|a| a.owner.as_deref()));
    ids.extend(
        d.culprit
            .iter()
            .chain(&d.suspects)
            .map(|c| c.actor.as_str()),
    );
    ids.sort();
    ids.dedup();
    let lookups = ids.iter().map(|id| async move {
        let p = app.slack.profile(&UserId::from(*id)).await.ok()?;
        Some((id.to_string(), p.name?))
    });
    futures::future::join_all(lookups)
        .await
        .into_iter()
        .flatten()
        .collect()
}

/// Sections the draft leaves for people to write.
fn to_fill(d: &Draft) -> usize {
    [
        d.last_update.is_none(),
        d.culprit.is_none() && d.suspects.is_empty(),
        d.response.is_empty(),
        d.went_well.is_empty(),
        d.went_wrong.is_empty(),
        d.lucky.is_empty(),
        d.actions.is_empty(),
    ]
    .into_iter()
    .filter(|empty| *empty)
    .count()
}

/// The draft in `first`'s language, then in the other (each with the team's template if it
/// has one).
pub fn document(
    d: &Draft,
    kind_title: impl Fn(Locale) -> String,
    names: &Names,
    first: Locale,
    team: impl Fn(Locale) -> Option<String>,
) -> String {
    let other = match first {
        Locale::En => Locale::Ja,
        Locale::Ja => Locale::En,
    };
    [first, other]
        .into_iter()
        .map(|l| View::new(d, &kind_title(l), names, l).render_with(team(l).as_deref(), l))
        .collect::<Vec<_>>()
        .join("\n\n---\n\n")
}

pub async fn write(app: &App, id: IncidentId, regenerated: bool) -> anyhow::Result<()> {
    let Some(stored) = app.store.load(id).await? else {
        return Ok(());
    };
    let Some(channel) = stored.meta.channel.as_deref().map(ChannelId::from) else {
        return Ok(());
    };
    let zones = zones(app);
    let workspace = app.slack.workspace_url().await.ok();
    let label = id.to_string();
    let d = draft(&Inputs {
        id: &label,
        incident: &stored.record,
        zones: &zones,
        workspace_url: workspace.as_deref(),
    });
    let names = names(app, &d).await;
    let locale = stored
        .meta
        .locale
        .unwrap_or(app.config.slack.default_locale);
    let playbook = app.config.incidents.playbooks.get(&d.kind);
    let kind_title =
        |l: Locale| playbook.map_or_else(|| d.kind.clone(), |p| p.title.get(l).to_owned());
    let team = |l: Locale| app.config.postmortem.template(l).map(str::to_owned);
    let text = document(&d, kind_title, &names, locale, team);
    let card = PostmortemCard {
        id: label.clone(),
        entries: d.timeline.len(),
        actions: d.actions.len(),
        findings: d.findings.len(),
        to_fill: to_fill(&d),
        regenerated,
    }
    .render(locale);
    let date = chrono::DateTime::from_timestamp_millis(stored.record.impact_started_ms)
        .unwrap_or_default()
        .with_timezone(&zones[0])
        .format("%Y-%m-%d");
    let filename = format!("{date}-{}-postmortem.md", label.to_lowercase());
    let title = format!("{label} postmortem draft");
    crate::effects::at_most_once(app, "postmortem", || async {
        app.slack
            .upload(&channel, &filename, &title, &text, &card)
            .await?;
        Ok(())
    })
    .await?;
    app.store
        .audit(
            "banto",
            "postmortem_drafted",
            &format!("incident:{}", id.0),
            &filename,
        )
        .await
}

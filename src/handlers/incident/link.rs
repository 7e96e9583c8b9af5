//! An alert linked to an incident (declared from it, or attached): the alert's card names the
//! incident, and the incident's timeline and channel hear when the alert fires and resolves.

use super::change;
use crate::app::App;
use crate::clients::slack::Outgoing;
use crate::domain::audit::AuditAction;
use crate::domain::card::CardPlace;
use crate::domain::incident::AlertEpisode;
use crate::handlers::cards::{Carded, show};
use crate::ids::{AlertId, IncidentId};
use crate::messages::incident::{IncidentReply, alert_card, linked};
use crate::store::StoredAlert;

impl Carded for AlertEpisode {
    fn card(meta: &CardPlace) -> &CardPlace {
        meta
    }
    fn card_mut(meta: &mut CardPlace) -> &mut CardPlace {
        meta
    }
    async fn render(app: &App, a: &StoredAlert) -> anyhow::Result<Outgoing> {
        let locale = app.config.locale_for_channel(&a.meta.channel);
        let link = match a.record.incident {
            Some(id) => {
                let i = app.store.load(IncidentId(id)).await?;
                // A private incident is not named in the alerts channel.
                let public = i.filter(|i| !i.record.private);
                let by = a.record.linked_by.as_deref().unwrap_or("banto");
                Some(linked(
                    public.as_ref().map(|i| i.id),
                    public.and_then(|i| i.meta.channel).map(|c| c.0),
                    by,
                ))
            }
            None => None,
        };
        Ok(alert_card(a.id, &a.record, link, locale))
    }
}

pub(super) async fn show_card(app: &App, a: &StoredAlert) -> anyhow::Result<()> {
    if a.meta.channel.as_str().is_empty() {
        return Ok(());
    }
    show(app, a).await
}

/// The alert on the incident's timeline (at the time it fired or resolved) and in its channel.
pub(super) async fn tell_incident(
    app: &App,
    a: &StoredAlert,
    incident: IncidentId,
    firing: bool,
    at_ms: i64,
) -> anyhow::Result<()> {
    let e = &a.record;
    let now = app.clock.now_ms();
    let r = change(app, incident, "banto", |i| {
        i.alert(&e.name, firing, &e.summary, e.link.as_deref(), at_ms, now)
    })
    .await?;
    if let Err(refusal) = r {
        tracing::debug!(%incident, ?refusal, "alert already on the timeline");
    }
    Ok(())
}

/// Link an alert to an incident (declared from it, or attached): its card says so, and the
/// incident's timeline gets the alert's firing (and resolution, if it came already). False:
/// it is linked to another incident.
pub(super) async fn link(
    app: &App,
    alert: AlertId,
    incident: IncidentId,
    by: &str,
) -> anyhow::Result<bool> {
    let (a, linked_now) = app
        .store
        .update(alert, |s| s.record.link(incident.0, by))
        .await?;
    // Already linked to this incident: a retry finishes the timeline and the card.
    if !linked_now && a.record.incident != Some(incident.0) {
        return Ok(false);
    }
    if linked_now {
        app.store
            .audit(
                by,
                AuditAction::AlertLinked,
                &super::subject(incident),
                &alert.to_string(),
            )
            .await?;
    }
    tell_incident(app, &a, incident, true, a.record.started_ms()).await?;
    if let Some(at) = a.record.resolved_ms {
        tell_incident(app, &a, incident, false, at).await?;
    }
    show_card(app, &a).await?;
    Ok(true)
}

/// "Already linked": to which incident, unless it is private and `user` is not in it.
pub(super) async fn linked_answer(
    app: &App,
    incident: i64,
    user: &str,
) -> anyhow::Result<IncidentReply> {
    let id = IncidentId(incident);
    let visible = app
        .store
        .load(id)
        .await?
        .is_some_and(|i| super::visible_to(&i, user));
    Ok(IncidentReply::AlertLinked {
        id: visible.then_some(id),
    })
}

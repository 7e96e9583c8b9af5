//! Alerts from Alertmanager and CloudWatch: one card per episode in the alerts channel, edited
//! as its alerts fire and resolve, with Declare incident (the form, prefilled from the alert)
//! and Attach to incident. The incident an alert is linked to hears when it fires and resolves.

use super::forms;
use super::link::{link, linked_answer, show_card, tell_incident};
use crate::app::App;
use crate::domain::card::CardPlace;
use crate::domain::incident::AlertEpisode;
use crate::event::{AlertNotice, BlockAction, Form, ViewSubmission};
use crate::handlers::reply;
use crate::ids::{AlertId, IncidentId};
use crate::messages::Message;
use crate::messages::incident::{IncidentReply, Prefill, attach_form, read_attach_form};
use crate::store::StoredAlert;

/// A notice from Alertmanager or CloudWatch: the group's firing episode changes, or a new one
/// begins with a card. A resolution of nothing banto saw firing is only logged.
pub async fn received(app: &App, n: AlertNotice) -> anyhow::Result<()> {
    let now = app.clock.now_ms();
    let stored = match app.store.firing_alert(n.source, &n.group).await? {
        Some(s) => s,
        None if !n.alerts.iter().any(|a| a.firing) => {
            tracing::info!(
                source = n.source.word(),
                alert = %n.name,
                "an alert resolved that banto never saw firing"
            );
            return Ok(());
        }
        None => {
            let config = &app.config.incidents.alerts;
            let (severity, services) = config.classify(n.source, &n.name, &n.labels);
            let episode = AlertEpisode::new(&n, severity, services, now);
            // The first start among the firing alerts: a notice that also lists alerts
            // resolved in an earlier episode does not land in that episode.
            let first = n
                .alerts
                .iter()
                .filter(|a| a.firing)
                .map(|a| a.started_ms)
                .min();
            let key = format!(
                "alert:{}:{}:{}",
                n.source.word(),
                n.group,
                first.unwrap_or_default()
            );
            let place = CardPlace::new(config.channel.clone().unwrap_or_default());
            let (stored, created) = app.store.insert(&episode, &place, &key).await?;
            if created {
                return show_card(app, &stored).await;
            }
            stored
        }
    };
    let (saved, observed) = app
        .store
        .update(stored.id, |s| s.record.observe(&n.alerts, now))
        .await?;
    // Repeated even when nothing changed: a retry after a failed edit or a failed word to the
    // incident finishes what the first attempt began (both are idempotent).
    if observed.changed || saved.meta.ts.is_none() || saved.record.resolved_ms.is_some() {
        show_card(app, &saved).await?;
    }
    if let (Some(incident), Some(at)) = (saved.record.incident, saved.record.resolved_ms) {
        tell_incident(app, &saved, IncidentId(incident), false, at).await?;
    }
    Ok(())
}

/// The alert a button is about, if it is not linked yet; if it is, the clicker is told.
async fn unlinked(
    app: &App,
    click: &BlockAction,
    id: AlertId,
) -> anyhow::Result<Option<StoredAlert>> {
    let Some(a) = app.store.load(id).await? else {
        return Ok(None);
    };
    match a.record.incident {
        Some(incident) => {
            let answer = linked_answer(app, incident, &click.user.0).await?;
            refuse(app, click, answer).await?;
            Ok(None)
        }
        None => Ok(Some(a)),
    }
}

/// Declare incident: the declaration form, prefilled from the alert.
pub async fn declare_clicked(app: &App, click: BlockAction, id: AlertId) -> anyhow::Result<()> {
    let Some(a) = unlinked(app, &click, id).await? else {
        return Ok(());
    };
    let channel = click
        .channel
        .clone()
        .unwrap_or_else(|| a.meta.channel.as_str().into());
    let source = match &a.meta.ts {
        Some(ts) => app.slack.permalink(&channel, ts).await.ok(),
        None => None,
    };
    let e = &a.record;
    let prefill = Prefill {
        title: e.title(),
        kind: app.config.incidents.alerts.kind_for(e.source, &e.name),
        severity: e.severity,
        services: e.services.clone(),
        commander: Some(click.user.0.clone()),
        impact_started_ms: e.started_ms(),
    };
    let form = Form::DeclareIncident {
        channel,
        source,
        alert: Some(id),
    };
    forms::open_declare_form(app, &click.user, &click.trigger_id, form, prefill).await
}

async fn refuse(app: &App, click: &BlockAction, answer: IncidentReply) -> anyhow::Result<()> {
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

/// Attach to incident: a form to choose among the open incidents the clicker may see.
pub async fn attach_clicked(app: &App, click: BlockAction, id: AlertId) -> anyhow::Result<()> {
    let Some(a) = unlinked(app, &click, id).await? else {
        return Ok(());
    };
    let open: Vec<(IncidentId, String)> = super::visible_open(app, &click.user.0)
        .await?
        .into_iter()
        .map(|i| (i.id, i.record.title))
        .collect();
    if open.is_empty() {
        return refuse(app, &click, IncidentReply::NoOpenIncident).await;
    }
    let locale = app.locale_for(&click.user, click.channel.as_ref()).await;
    let form = Form::AttachAlert { alert: id };
    let view = attach_form(&form, &a.record.title(), &open, locale);
    app.slack.open_view(&click.trigger_id, &view).await?;
    Ok(())
}

pub async fn attach_submitted(app: &App, view: &ViewSubmission, id: AlertId) -> anyhow::Result<()> {
    let user = &view.user;
    let Some(incident) = read_attach_form(&view.values) else {
        return Ok(());
    };
    // Chosen from what the form offered; checked again, as the form is the clicker's to forge.
    if !super::visible_open(app, &user.0)
        .await?
        .iter()
        .any(|i| i.id == incident)
    {
        tracing::info!(%user, %incident, "attach to an incident the user may not see refused");
        return Ok(());
    }
    let attached = link(app, id, incident, &user.0).await?;
    let stored = app.store.load(id).await?;
    let channel = stored.as_ref().map(|a| a.meta.channel.as_str());
    let channel = channel.filter(|c| !c.is_empty()).map(Into::into);
    let locale = app.locale_for(user, channel.as_ref()).await;
    let answer = match stored.and_then(|a| a.record.incident) {
        Some(other) if !attached => linked_answer(app, other, &user.0).await?,
        _ => IncidentReply::AlertAttached { id: incident },
    };
    reply(app, None, channel.as_ref(), user, answer.render(locale)).await
}

//! The incident forms and buttons: the declaration form, the handover form, checklist ticks.

use super::declare::{Ask, declare, steps};
use super::{change, locale};
use crate::app::App;
use crate::domain::audit::AuditAction;
use crate::domain::incident::Refusal;
use crate::event::{BlockAction, Form, MessageShortcut, SlashCommand, ViewSubmission};
use crate::handlers::reply;
use crate::ids::{AlertId, ChannelId, IncidentId, UserId};
use crate::messages::Message;
use crate::messages::incident::{
    IncidentReply, Prefill, checklist, declare_form, handover_form, read_declare_form,
    read_handover,
};

/// The declaration form, for `/incident` alone, a message shortcut (title and link from the
/// message) or an alert's card (title, severity, services and impact start from the alert).
pub(crate) async fn open_declare_form(
    app: &App,
    user: &UserId,
    trigger_id: &str,
    form: Form,
    prefill: Prefill,
) -> anyhow::Result<()> {
    let Form::DeclareIncident { channel, .. } = &form else {
        anyhow::bail!("not the declaration form: {form:?}");
    };
    let locale = app.locale_for(user, Some(channel)).await;
    let types: Vec<(String, String)> = app
        .config
        .incidents
        .playbooks
        .iter()
        .map(|(k, p)| (k.clone(), p.title.get(locale).to_owned()))
        .collect();
    let mut services: Vec<String> = app
        .config
        .deploy
        .apps
        .iter()
        .map(|a| a.name.clone())
        .collect();
    services.extend(app.config.terraform.projects.iter().map(|p| p.name.clone()));
    services.sort();
    services.dedup();
    // What `/incident <title>` would declare: the default type and its playbook's severity,
    // unless the prefill (an alert's severity) knows better.
    let mut prefill = prefill;
    let incidents = &app.config.incidents;
    prefill.kind = prefill.kind.or_else(|| incidents.default_type.clone());
    prefill.severity = prefill.severity.or_else(|| {
        let playbook = incidents.playbooks.get(prefill.kind.as_deref()?)?;
        Some(*playbook.default_severity.get_ref())
    });
    let view = declare_form(&form, &prefill, &types, &services, locale);
    app.slack.open_view(trigger_id, &view).await?;
    Ok(())
}

/// "Declare incident from this message": the form, titled with the message's first line and
/// linked to it.
pub async fn declare_from_message(app: &App, m: MessageShortcut) -> anyhow::Result<()> {
    let link = app.slack.permalink(&m.channel, &m.message_ts).await.ok();
    let form = Form::DeclareIncident {
        channel: m.channel.clone(),
        source: link,
        alert: None,
    };
    let prefill = Prefill {
        title: m.text.lines().next().unwrap_or_default().to_owned(),
        commander: Some(m.user.0.clone()),
        impact_started_ms: app.clock.now_ms(),
        ..Default::default()
    };
    open_declare_form(app, &m.user, &m.trigger_id, form, prefill).await
}

pub async fn declare_submitted(
    app: &App,
    view: &ViewSubmission,
    channel: ChannelId,
    source: Option<String>,
    alert: Option<AlertId>,
) -> anyhow::Result<()> {
    let d = read_declare_form(&view.values);
    let alert = match alert {
        Some(a) => app.store.load(a).await?,
        None => None,
    };
    let locale = app.locale_for(&view.user, Some(&channel)).await;
    if let Some(linked) = alert.as_ref().and_then(|a| a.record.incident) {
        let answer = super::link::linked_answer(app, linked, &view.user.0).await?;
        return reply(app, None, Some(&channel), &view.user, answer.render(locale)).await;
    }
    let ask = Ask {
        title: d.title,
        kind: d.kind,
        severity: d.severity,
        private: d.private,
        services: d.services,
        impact_started_ms: d.impact_started_ms,
        detected_ms: alert.as_ref().map(|a| a.record.started_ms()),
        source,
        // Declared from an alert, the alert names the incident: a second form submitted for it
        // (two responders at once) finds the first one's incident and answers with its link.
        trigger_key: alert.as_ref().map_or_else(
            || format!("view:{}", view.view_id),
            |a| format!("alert:{}", a.id.0),
        ),
        reporter: view.user.clone(),
        commander: d.commander.as_deref().map(UserId::from),
        channel: channel.clone(),
    };
    let answer = declare(app, ask).await?;
    if let (Some(a), IncidentReply::Declared { id, .. }) = (&alert, &answer)
        && !super::link::link(app, a.id, *id, &view.user.0).await?
    {
        tracing::warn!(alert = %a.id, incident = %id, "declared from an alert another incident took first");
    }
    reply(app, None, Some(&channel), &view.user, answer.render(locale)).await
}

pub(super) async fn open_handover_form(
    app: &App,
    cmd: &SlashCommand,
    id: IncidentId,
    to: &str,
) -> anyhow::Result<()> {
    let locale = app.locale_for(&cmd.user, Some(&cmd.channel)).await;
    let form = Form::IncidentHandover {
        incident: id,
        to: UserId::from(to),
    };
    app.slack
        .open_view(&cmd.trigger_id, &handover_form(&form, to, locale))
        .await?;
    Ok(())
}

pub async fn handover_submitted(
    app: &App,
    view: &ViewSubmission,
    id: IncidentId,
    to: UserId,
) -> anyhow::Result<()> {
    let h = read_handover(&view.values, &to.0);
    let now = app.clock.now_ms();
    let by = view.user.0.as_str();
    if let Err(Refusal::AlreadyResolved) =
        change(app, id, by, move |i| i.handover(by, h.clone(), now)).await?
    {
        tracing::info!(%id, "handover of a resolved incident ignored");
    }
    Ok(())
}

/// A checklist step's Done (or Undo) button.
pub async fn tick(
    app: &App,
    click: BlockAction,
    id: IncidentId,
    step: usize,
) -> anyhow::Result<()> {
    let Some(stored) = app.store.load(id).await? else {
        return Ok(());
    };
    let count = steps(app, &stored).len();
    let now = app.clock.now_ms();
    let by = click.user.0.clone();
    let mut ticked = None;
    let (stored, result) = app
        .store
        .update(id, |s| {
            let r = s.record.tick(&by, step, count, now);
            ticked = r.as_ref().ok().copied();
            r
        })
        .await?;
    if result.is_err() {
        return Ok(());
    }
    app.store
        .audit(
            &by,
            if ticked == Some(true) {
                AuditAction::ChecklistTicked
            } else {
                AuditAction::ChecklistUnticked
            },
            &super::subject(id),
            &step.to_string(),
        )
        .await?;
    let (Some(channel), Some(ts)) = (super::channel_of(&stored), stored.meta.checklist_ts.clone())
    else {
        return Ok(());
    };
    let msg = checklist(
        id,
        &stored.record,
        &steps(app, &stored),
        locale(app, &stored.meta),
    );
    app.slack.update(&channel, &ts, &msg).await?;
    Ok(())
}

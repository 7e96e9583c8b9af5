//! `/incident …`: declare anywhere; run an incident from its own channel; list anywhere,
//! private incidents only to the people invited to them.

use super::declare::{Ask, declare};
use super::{change, forms};
use crate::app::App;
use crate::commands::{IncidentCommand, parse_incident};
use crate::domain::incident::{Incident, Refusal, Status, local_time};
use crate::event::SlashCommand;
use crate::handlers::user_zone;
use crate::messages::Message;
use crate::messages::incident::{IncidentReply, IncidentTimeline, metrics_line};

/// A change to an incident, decided again if someone saved first.
type Change = Box<dyn Fn(&mut Incident) -> Result<(), Refusal> + Send + Sync>;

/// The answer to an `/incident` command, once it is done.
pub async fn answer(app: &App, cmd: &SlashCommand) -> anyhow::Result<IncidentReply> {
    let parsed = match parse_incident(&cmd.text) {
        Ok(c) => c,
        Err(e) => {
            return Ok(IncidentReply::Usage {
                input: e.input,
                usage: e.usage,
            });
        }
    };
    let user = cmd.user.0.clone();
    match parsed {
        IncidentCommand::Help => {
            return Ok(IncidentReply::Help {
                usage: &IncidentCommand::USAGE,
            });
        }
        IncidentCommand::List => return list(app, &user).await,
        IncidentCommand::Form => {
            let form = crate::event::Form::DeclareIncident {
                channel: cmd.channel.clone(),
                source: None,
                alert: None,
            };
            let prefill = crate::messages::incident::Prefill {
                commander: Some(cmd.user.0.clone()),
                impact_started_ms: app.clock.now_ms(),
                ..Default::default()
            };
            forms::open_declare_form(app, &cmd.user, &cmd.trigger_id, form, prefill).await?;
            return Ok(IncidentReply::FormOpened);
        }
        IncidentCommand::Declare {
            title,
            kind,
            severity,
            private,
            services,
        } => {
            let ask = Ask {
                title,
                kind,
                severity,
                private,
                services,
                impact_started_ms: None,
                detected_ms: None,
                source: None,
                trigger_key: format!("slash:{}", cmd.trigger_id),
                reporter: cmd.user.clone(),
                commander: Some(cmd.user.clone()),
                channel: cmd.channel.clone(),
            };
            return declare(app, ask).await;
        }
        _ => {}
    }
    let Some(stored) = app.store.incident_in(&cmd.channel).await? else {
        return Ok(IncidentReply::NotAnIncidentChannel);
    };
    let now = app.clock.now_ms();
    let zone = user_zone(app, &user)
        .await
        .unwrap_or(app.config.slack.time_zone);
    let when = |text: &str| {
        local_time(text, zone, now).map_err(|_| IncidentReply::BadTime {
            input: text.to_owned(),
            zone: zone.name().to_owned(),
        })
    };
    let id = stored.id;
    let by = user.clone();
    let (adds_action, updates, resolves) = (
        matches!(parsed, IncidentCommand::Action { .. }),
        matches!(parsed, IncidentCommand::Update(_)),
        matches!(
            parsed,
            IncidentCommand::Resolve { .. } | IncidentCommand::Status(Status::Resolved)
        ),
    );
    let decided: Result<Change, IncidentReply> = match parsed {
        IncidentCommand::Timeline => {
            let locale = app.locale_for(&cmd.user, Some(&cmd.channel)).await;
            let view = IncidentTimeline::new(id, &stored.record, zone, app.config.slack.time_zone);
            return Ok(IncidentReply::Timeline {
                text: view.render(locale),
            });
        }
        IncidentCommand::Postmortem => {
            crate::handlers::postmortem::schedule(app, id, Some(&cmd.trigger_id)).await?;
            return Ok(IncidentReply::PostmortemComing { id });
        }
        IncidentCommand::Handover { to } => {
            forms::open_handover_form(app, cmd, id, &to).await?;
            return Ok(IncidentReply::FormOpened);
        }
        IncidentCommand::Status(to) => Ok(Box::new(move |i| i.set_status(&by, to, now))),
        IncidentCommand::Severity(to) => Ok(Box::new(move |i| i.set_severity(&by, to, now))),
        IncidentCommand::Role { role, user: who } => {
            Ok(Box::new(move |i| i.assign(&by, role, &who, now)))
        }
        IncidentCommand::Note { text, at } => match at.as_deref().map(when).transpose() {
            Ok(at) => Ok(Box::new(move |i| i.note(&by, &text, at, now))),
            Err(r) => Err(r),
        },
        IncidentCommand::Update(text) => Ok(Box::new(move |i| i.update(&by, &text, now))),
        IncidentCommand::Action { text, owner, due } => Ok(Box::new(move |i| {
            i.add_action(&by, &text, owner.as_deref(), due.as_deref(), now);
            Ok(())
        })),
        IncidentCommand::Impact(at) => match when(&at) {
            Ok(at) => Ok(Box::new(move |i| i.correct_impact(&by, at, now))),
            Err(r) => Err(r),
        },
        IncidentCommand::Resolve { mitigated } => {
            match mitigated.as_deref().map(when).transpose() {
                Ok(m) => Ok(Box::new(move |i| i.resolve(&by, m, now))),
                Err(r) => Err(r),
            }
        }
        IncidentCommand::Reopen => Ok(Box::new(move |i| i.reopen(&by, Status::Investigating, now))),
        IncidentCommand::Help
        | IncidentCommand::List
        | IncidentCommand::Form
        | IncidentCommand::Declare { .. } => unreachable!("answered above"),
    };
    let decide = match decided {
        Ok(d) => d,
        Err(reply) => return Ok(reply),
    };
    let stored = match change(app, id, &user, decide).await? {
        Ok(s) => s,
        Err(refusal) => return Ok(refused(refusal, cmd, zone)),
    };
    let i = &stored.record;
    Ok(match () {
        _ if adds_action => IncidentReply::ActionAdded {
            id,
            number: i.actions.len() as u32,
        },
        _ if updates && i.private => IncidentReply::UpdateKeptPrivate { id },
        _ if resolves => IncidentReply::Resolved {
            id,
            metrics: metrics_line(
                &i.metrics(),
                app.locale_for(&cmd.user, Some(&cmd.channel)).await,
            ),
        },
        _ => IncidentReply::Updated { id },
    })
}

fn refused(refusal: Refusal, cmd: &SlashCommand, zone: chrono_tz::Tz) -> IncidentReply {
    match refusal {
        Refusal::Unchanged => IncidentReply::Unchanged,
        Refusal::AlreadyResolved => IncidentReply::AlreadyResolved,
        Refusal::NotResolved => IncidentReply::NotResolved,
        Refusal::MitigationUnknown => IncidentReply::NeedMitigation,
        Refusal::BadTime => IncidentReply::BadTime {
            input: cmd.text.trim().to_owned(),
            zone: zone.name().to_owned(),
        },
        Refusal::BadSeverity | Refusal::NoSuchStep | Refusal::NoSuchSuspect => {
            IncidentReply::Usage {
                input: cmd.text.trim().to_owned(),
                usage: IncidentCommand::USAGE[2],
            }
        }
    }
}

/// Open incidents; a private one only for the people invited to it.
async fn list(app: &App, user: &str) -> anyhow::Result<IncidentReply> {
    let lines = super::visible_open(app, user)
        .await?
        .into_iter()
        .filter_map(|i| {
            Some((
                i.id,
                i.record.title.clone(),
                i.record.severity,
                i.record.status,
                i.meta.channel.clone()?,
            ))
        })
        .collect();
    Ok(IncidentReply::List { lines })
}

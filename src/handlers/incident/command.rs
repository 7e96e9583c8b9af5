//! `/incident …`: declare anywhere; change an incident from its own channel; list anywhere,
//! private incidents only to the people invited to them.

use super::declare::{Ask, declare};
use super::subject;
use crate::app::App;
use crate::commands::{IncidentCommand, parse_incident};
use crate::domain::incident::{Incident, Refusal};
use crate::event::SlashCommand;
use crate::handlers::cards::show;
use crate::messages::incident::IncidentReply;

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
    let now = app.clock.now_ms();
    let change: Change = match parsed {
        IncidentCommand::Help => {
            return Ok(IncidentReply::Help {
                lines: IncidentCommand::USAGE.to_vec(),
            });
        }
        IncidentCommand::List => return list(app, &user).await,
        IncidentCommand::Declare {
            title,
            kind,
            severity,
            private,
        } => {
            let ask = Ask {
                title,
                kind,
                severity,
                private,
            };
            return declare(app, cmd, ask).await;
        }
        IncidentCommand::Status(to) => Box::new(move |i| i.set_status(&user, to, now)),
        IncidentCommand::Severity(to) => Box::new(move |i| i.set_severity(&user, to, now)),
        IncidentCommand::Role { role, user: who } => {
            Box::new(move |i| i.assign(&user, role, &who, now))
        }
        IncidentCommand::Note(text) => Box::new(move |i| {
            i.note(&user, &text, now);
            Ok(())
        }),
    };
    let Some(stored) = app.store.incident_in(&cmd.channel.0).await? else {
        return Ok(IncidentReply::NotAnIncidentChannel);
    };
    let (stored, result) = app
        .store
        .update(stored.id, |s| change(&mut s.record))
        .await?;
    match result {
        Err(Refusal::Unchanged) => return Ok(IncidentReply::Unchanged),
        Err(Refusal::AlreadyResolved) => return Ok(IncidentReply::AlreadyResolved),
        Err(Refusal::BadSeverity) => {
            return Ok(IncidentReply::Usage {
                input: cmd.text.trim().to_owned(),
                usage: IncidentCommand::USAGE[2].0,
            });
        }
        Ok(()) => {}
    }
    if let Some(last) = stored.record.timeline.last() {
        let detail = serde_json::to_string(&last.what)?;
        app.store
            .audit(&cmd.user.0, "incident_changed", &subject(&stored), &detail)
            .await?;
    }
    show(app, &stored).await?;
    Ok(IncidentReply::Updated { id: stored.id })
}

/// Open incidents; a private one only for the people invited to it.
async fn list(app: &App, user: &str) -> anyhow::Result<IncidentReply> {
    let lines = app
        .store
        .open_incidents()
        .await?
        .into_iter()
        .filter(|i| !i.record.private || i.meta.members.iter().any(|m| m == user))
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

//! Incidents: `/incident` declares one (a channel, the playbook's responders, a header card,
//! the checklist, an announcement) and runs it from its channel (status, severity, roles,
//! notes). The decisions are `domain::incident`'s; private incidents are told only to the
//! people banto invited.

mod command;
mod declare;

pub use command::answer as command;

use super::cards::Carded;
use crate::app::App;
use crate::clients::slack::Outgoing;
use crate::domain::card::CardPlace;
use crate::domain::incident::{Incident, IncidentMeta};
use crate::messages::incident::card;
use crate::store::StoredIncident;

/// The audit log subject of an incident.
fn subject(i: &StoredIncident) -> String {
    format!("incident:{}", i.id.0)
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

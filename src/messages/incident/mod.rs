//! Incident texts: the header card's status line, the announcement, notices in the incident
//! channel, and the `/incident` replies (`templates/{en,ja}/incident_*.mrkdwn`); the timeline
//! view in `timeline.rs`, buttons and forms in `blocks.rs`.

mod alert;
mod blocks;
mod labels;
mod timeline;

pub use alert::{alert_card, attach_form, linked, read_attach_form};
pub use blocks::{
    DECLARE_FORM, HANDOVER_FORM, Prefill, checklist, declare_form, handover_form,
    read_declare_form, read_handover, suspects_card,
};
pub use timeline::{IncidentTimeline, metrics_line, span};

use super::common::mention;
use super::{Message, escape_mrkdwn};
use crate::clients::slack::Outgoing;
use crate::domain::incident::{Incident, Status};
use crate::ids::{ChannelId, IncidentId};
use crate::locale::Locale;
use serde_json::{Value, json};

super::bilingual! {
    use { IncidentReply as Reply, IncidentNotice as Notice };
    IncidentStatus => "en/incident_status.mrkdwn", "ja/incident_status.mrkdwn";
    IncidentReply => "en/incident_reply.mrkdwn", "ja/incident_reply.mrkdwn";
    IncidentNotice => "en/incident_notice.mrkdwn", "ja/incident_notice.mrkdwn";
    Announcement => "en/incident_announce.mrkdwn", "ja/incident_announce.mrkdwn";
}

/// Said in the incident channel (and, for updates, the broadcast channel).
pub enum IncidentNotice {
    Update {
        id: IncidentId,
        title: String,
        severity: u8,
        status: Status,
        text: String,
        by: String,
        /// The incident channel, when said elsewhere.
        channel: Option<String>,
    },
    Handover {
        from: String,
        to: String,
        state: String,
        hypotheses: String,
        tried: String,
        next: String,
    },
    /// A status update is due: the last (`since`, a Slack date) was `minutes` ago; `who`
    /// commands (with nobody, the channel is asked to take command too).
    UpdateDue {
        who: Option<String>,
        minutes: i64,
        since: String,
    },
    /// Nobody has taken command in the `minutes` since the declaration.
    NoCommander {
        minutes: i64,
    },
    Change {
        /// A deploy, else a Terraform apply.
        deploy: bool,
        subject: String,
        detail: String,
    },
    Freeze {
        apps: String,
    },
    Thaw {
        apps: String,
        /// Of those, the ones other holds (another incident, a rollback, a lock) still hold.
        still: String,
    },
    Resolved {
        id: IncidentId,
        metrics: String,
    },
    Action {
        number: u32,
        text: String,
        owner: Option<String>,
        due: Option<String>,
    },
    /// The postmortem pull request is still open after `days`.
    PostmortemOpen {
        url: String,
        days: i64,
        who: Option<String>,
    },
    /// An alert attached to the incident fired or resolved.
    Alert {
        name: String,
        firing: bool,
        summary: String,
        link: Option<String>,
    },
}

/// The header card's status line.
pub struct IncidentStatus {
    pub severity: u8,
    pub status: Status,
    pub commander: String,
    /// `<!date^…>`: every reader sees their own zone; the fallback is UTC.
    pub impact_since: String,
}

/// Said in the broadcast channel when an incident is declared.
pub struct Announcement {
    pub id: IncidentId,
    pub title: String,
    pub severity: u8,
    pub kind: String,
    pub channel: ChannelId,
    /// Already a mention.
    pub reporter: String,
}

/// `(id, title, severity, status, channel)` of an open incident, for `/incident list`.
pub type ListLine = (IncidentId, String, u8, Status, ChannelId);

pub enum IncidentReply {
    Help {
        usage: &'static [&'static str],
    },
    Usage {
        input: String,
        usage: &'static str,
    },
    Declared {
        id: IncidentId,
        channel: ChannelId,
    },
    UnknownType {
        kind: String,
        known: String,
    },
    NotAnIncidentChannel,
    Updated {
        id: IncidentId,
    },
    Unchanged,
    AlreadyResolved,
    List {
        lines: Vec<ListLine>,
    },
    /// A modal opened instead: nothing to say.
    FormOpened,
    NeedMitigation,
    BadTime {
        input: String,
        zone: String,
    },
    NotResolved,
    ActionAdded {
        id: IncidentId,
        number: u32,
    },
    Resolved {
        id: IncidentId,
        metrics: String,
    },
    UpdateKeptPrivate {
        id: IncidentId,
    },
    Timeline {
        text: String,
    },
    /// The alert was declared as, or attached to, an incident already.
    AlertLinked {
        /// `None`: a private incident the person is not in.
        id: Option<IncidentId>,
    },
    /// The alert is attached to `id`.
    AlertAttached {
        id: IncidentId,
    },
    /// No open incident the person may see to attach it to.
    NoOpenIncident,
    /// The draft is being written; it comes as a file in the incident channel.
    PostmortemComing {
        id: IncidentId,
    },
}

/// `<!date^UNIX^{date_short_pretty} {time}|fallback>`: Slack shows it in each reader's zone.
pub fn slack_date(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let fallback = chrono::DateTime::from_timestamp(secs, 0)
        .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_default();
    format!("<!date^{secs}^{{date_short_pretty}} {{time}}|{fallback}>")
}

/// The header card: title, status line, type and reporter.
pub fn card(id: IncidentId, i: &Incident, kind_title: &str, locale: Locale) -> Outgoing {
    let line = IncidentStatus {
        severity: i.severity,
        status: i.status,
        commander: i.commander().map(mention).unwrap_or_else(|| "—".into()),
        impact_since: slack_date(i.impact_started_ms),
    }
    .render(locale);
    let header: String = format!("{id} · {}", i.title).chars().take(150).collect();
    let context = format!(
        "{} · {}{}",
        escape_mrkdwn(kind_title),
        mention(&i.reporter),
        if i.private { " · :lock:" } else { "" }
    );
    let blocks: Vec<Value> = vec![
        json!({ "type": "header", "text": { "type": "plain_text", "text": header } }),
        json!({ "type": "section", "text": { "type": "mrkdwn", "text": line } }),
        json!({ "type": "context", "elements": [{ "type": "mrkdwn", "text": context }] }),
    ];
    Outgoing {
        text: format!("{id} {}: {line}", escape_mrkdwn(&i.title)),
        blocks: Some(Value::Array(blocks)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::incident::Declaration;
    use crate::messages::both;

    fn incident() -> Incident {
        Incident::declare(&Declaration {
            title: "Database <latency>",
            kind: "database",
            severity: 2,
            private: false,
            reporter: "UALICE",
            commander: Some("UALICE"),
            services: &[],
            detected_ms: None,
            impact_started_ms: 1_795_000_000_000,
            now_ms: 1_795_000_300_000,
        })
    }

    #[test]
    fn the_card_in_both_languages() {
        let i = incident();
        let c = card(IncidentId(7), &i, "Database", Locale::Ja);
        insta::assert_snapshot!(serde_json::to_string_pretty(&c.blocks).unwrap());
        assert!(c.text.contains("&lt;latency&gt;"), "{}", c.text);
    }

    #[test]
    fn replies_and_announcement_in_both_languages() {
        let all: Vec<String> = [
            both(&IncidentReply::Declared {
                id: IncidentId(7),
                channel: "C07".into(),
            }),
            both(&IncidentReply::NotAnIncidentChannel),
            both(&IncidentReply::List {
                lines: vec![(
                    IncidentId(7),
                    "Database latency".into(),
                    2,
                    Status::Identified,
                    "C07".into(),
                )],
            }),
            both(&IncidentReply::List { lines: vec![] }),
            both(&Announcement {
                id: IncidentId(7),
                title: "Database <latency>".into(),
                severity: 2,
                kind: "Database".into(),
                channel: "C07".into(),
                reporter: "<@UALICE>".into(),
            }),
            both(&IncidentStatus {
                severity: 1,
                status: Status::Monitoring,
                commander: "<@UBOB>".into(),
                impact_since: slack_date(1_795_000_000_000),
            }),
            both(&IncidentNotice::UpdateDue {
                who: Some("<@UBOB>".into()),
                minutes: 30,
                since: slack_date(1_795_000_000_000),
            }),
            both(&IncidentNotice::UpdateDue {
                who: None,
                minutes: 30,
                since: slack_date(1_795_000_000_000),
            }),
            both(&IncidentNotice::NoCommander { minutes: 5 }),
            both(&IncidentNotice::Freeze {
                apps: "`web/production`".into(),
            }),
            both(&IncidentNotice::Thaw {
                apps: "`web/production`, `api/production`".into(),
                still: "`api/production`".into(),
            }),
            both(&IncidentNotice::Thaw {
                apps: "`web/production`".into(),
                still: String::new(),
            }),
        ]
        .to_vec();
        insta::assert_snapshot!(all.join("\n\n"));
    }
}

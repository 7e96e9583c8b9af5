//! An alert's card in the alerts channel (Declare incident, Attach to incident while it is not
//! linked) and the form that attaches it to an open incident.

use super::super::common::mention;
use super::super::{Message, escape_mrkdwn};
use super::blocks::button;
use super::slack_date;
use super::timeline::span;
use crate::clients::slack::Outgoing;
use crate::domain::incident::AlertEpisode;
use crate::event::{Action, Form};
use crate::ids::{AlertId, IncidentId};
use crate::locale::Locale;
use serde_json::{Value, json};

super::super::bilingual! {
    use {};
    AlertCard => "en/incident_alert.mrkdwn", "ja/incident_alert.mrkdwn";
}

/// How many alerts of a group the card lists.
const MAX_DETAILS: usize = 5;

/// The incident an alert was declared as or attached to, as the alerts channel may see it.
pub struct Linked {
    /// `None` for a private incident: neither it nor its channel is named outside it.
    pub incident: Option<IncidentId>,
    pub channel: Option<String>,
    pub by: String,
}

pub struct AlertCard {
    pub firing: bool,
    pub source: &'static str,
    pub name: String,
    pub summary: String,
    pub severity: Option<u8>,
    pub services: String,
    pub firing_count: usize,
    pub total: usize,
    pub since: String,
    pub lasted: Option<String>,
    pub details: Vec<String>,
    pub more: usize,
    pub link: Option<String>,
    pub linked: Option<Linked>,
}

pub fn alert_card(
    id: AlertId,
    e: &AlertEpisode,
    linked: Option<Linked>,
    locale: Locale,
) -> Outgoing {
    let mut details: Vec<String> = e
        .alerts
        .values()
        .filter(|a| !a.detail.is_empty())
        .map(|a| {
            let mark = if a.firing { "🔥" } else { "✓" };
            format!("{mark} {}", a.detail)
        })
        .collect();
    let more = details.len().saturating_sub(MAX_DETAILS);
    details.truncate(MAX_DETAILS);
    let is_linked = linked.is_some();
    let text = AlertCard {
        firing: e.firing(),
        source: e.source.word(),
        name: e.name.clone(),
        summary: e.summary.clone(),
        severity: e.severity,
        services: e.services.join(", "),
        firing_count: e.firing_count(),
        total: e.alerts.len(),
        since: slack_date(e.started_ms()),
        lasted: e.resolved_ms.map(|r| span(r - e.started_ms(), locale)),
        details,
        more,
        link: e.link.clone(),
        linked,
    }
    .render(locale);
    let mut blocks = vec![json!({ "type": "section", "text": { "type": "mrkdwn", "text": text } })];
    if !is_linked {
        let (declare, attach) = match locale {
            Locale::En => ("Declare incident", "Attach to incident"),
            Locale::Ja => ("インシデント宣言", "インシデントに紐付け"),
        };
        blocks.push(json!({ "type": "actions", "elements": [
            button(&Action::AlertDeclare { alert: id }, declare, Some("danger")),
            button(&Action::AlertAttach { alert: id }, attach, None),
        ] }));
    }
    Outgoing {
        text,
        blocks: Some(Value::Array(blocks)),
    }
}

/// The block and action id of the attach form's incident choice.
pub const ATTACH_FORM: (&str, &str) = ("incident", "incident");

/// Attach an alert to one of `open` (`(id, title)`, the incidents the clicker may see).
pub fn attach_form(
    form: &Form,
    name: &str,
    open: &[(IncidentId, String)],
    locale: Locale,
) -> Value {
    let (callback_id, private_metadata) = form.wire();
    let l = match locale {
        Locale::En => ["Attach alert", "Attach", "Cancel", "Incident"],
        Locale::Ja => ["アラートを紐付け", "紐付け", "キャンセル", "インシデント"],
    };
    let options: Vec<Value> = open
        .iter()
        .take(100)
        .map(|(id, title)| {
            let text: String = format!("{id} {title}").chars().take(75).collect();
            json!({ "text": { "type": "plain_text", "text": text }, "value": id.0.to_string() })
        })
        .collect();
    let name: String = name.chars().take(2900).collect();
    json!({
        "type": "modal", "callback_id": callback_id, "private_metadata": private_metadata,
        "title": { "type": "plain_text", "text": l[0] },
        "submit": { "type": "plain_text", "text": l[1] },
        "close": { "type": "plain_text", "text": l[2] },
        "blocks": [
            { "type": "section", "text": { "type": "mrkdwn", "text": format!("*{}*", escape_mrkdwn(&name)) } },
            { "type": "input", "block_id": ATTACH_FORM.0, "label": { "type": "plain_text", "text": l[3] },
              "element": { "type": "static_select", "action_id": ATTACH_FORM.1, "options": options } },
        ],
    })
}

/// The incident chosen in the attach form.
pub fn read_attach_form(values: &Value) -> Option<IncidentId> {
    values[format!("{}.{}", ATTACH_FORM.0, ATTACH_FORM.1)]
        .as_str()?
        .parse()
        .ok()
        .map(IncidentId)
}

/// Who linked an alert, as the card says it.
pub fn linked(incident: Option<IncidentId>, channel: Option<String>, by: &str) -> Linked {
    Linked {
        incident,
        channel,
        by: mention(by),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{AlertNotice, AlertSignal, AlertSource};
    use std::collections::BTreeMap;

    fn episode() -> AlertEpisode {
        let signal = |fp: &str, firing| AlertSignal {
            fingerprint: fp.into(),
            firing,
            started_ms: 1_795_000_000_000,
            ended_ms: (!firing).then_some(1_795_000_600_000),
            detail: format!("instance={fp}"),
        };
        AlertEpisode::new(
            &AlertNotice {
                source: AlertSource::Alertmanager,
                group: "{}:{alertname=\"DbLatency\"}".into(),
                name: "DbLatency".into(),
                summary: "p99 <2s> exceeded".into(),
                labels: BTreeMap::new(),
                link: Some("https://grafana.example.com/d/db".into()),
                alerts: vec![signal("db-1", true), signal("db-2", false)],
            },
            Some(2),
            vec!["db".into()],
            1_795_000_600_000,
        )
    }

    #[test]
    fn the_card_firing_then_linked_in_both_languages() {
        let mut e = episode();
        let mut all = Vec::new();
        for locale in [Locale::En, Locale::Ja] {
            let c = alert_card(AlertId(3), &e, None, locale);
            assert_eq!(
                c.blocks.as_ref().unwrap()[1]["elements"]
                    .as_array()
                    .unwrap()
                    .len(),
                2
            );
            all.push(c.text);
        }
        assert!(all[0].contains("p99 &lt;2s&gt; exceeded"), "{}", all[0]);
        e.observe(
            &[AlertSignal {
                fingerprint: "db-1".into(),
                firing: false,
                started_ms: 1_795_000_000_000,
                ended_ms: Some(1_795_002_700_000),
                detail: String::new(),
            }],
            0,
        );
        for locale in [Locale::En, Locale::Ja] {
            for (incident, channel) in [
                (Some(IncidentId(7)), Some("C0INC".to_owned())),
                (None, None),
            ] {
                let c = alert_card(
                    AlertId(3),
                    &e,
                    Some(linked(incident, channel, "UALICE")),
                    locale,
                );
                assert_eq!(c.blocks.as_ref().unwrap().as_array().unwrap().len(), 1);
                all.push(c.text);
            }
        }
        // Resolved and never linked: a short outage may still be declared.
        let c = alert_card(AlertId(3), &e, None, Locale::En);
        assert_eq!(c.blocks.as_ref().unwrap().as_array().unwrap().len(), 2);
        all.push(c.text);
        insta::assert_snapshot!(all.join("\n\n"));
    }

    #[test]
    fn the_attach_form_reads_back_the_incident_chosen() {
        let form = Form::AttachAlert { alert: AlertId(3) };
        let v = attach_form(
            &form,
            "DbLatency",
            &[(IncidentId(7), "Database latency".into())],
            Locale::En,
        );
        assert_eq!(v["blocks"][1]["element"]["options"][0]["value"], "7");
        let values = json!({ "incident.incident": "7" });
        assert_eq!(read_attach_form(&values), Some(IncidentId(7)));
    }
}

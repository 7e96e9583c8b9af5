//! Incident messages with buttons and the incident forms: the checklist (a Done button per
//! step), the suspect-changes card, the declaration and handover modals, and reading them back.

use super::super::common::mention;
use super::super::escape_mrkdwn;
use super::labels::Label;
use crate::clients::slack::Outgoing;
use crate::domain::incident::{Handover, Incident, Suspect, Verdict};
use crate::event::{Action, Form};
use crate::ids::IncidentId;
use crate::locale::Locale;
use serde_json::{Value, json};

pub const DECLARE_FORM: [(&str, &str); 8] = [
    ("title", "title"),
    ("type", "type"),
    ("sev", "sev"),
    ("services", "services"),
    ("other", "other"),
    ("private", "private"),
    ("impact", "impact"),
    ("commander", "commander"),
];
pub const HANDOVER_FORM: [&str; 4] = ["state", "hypotheses", "tried", "next"];

pub(super) fn button(action: &Action, label: &str, style: Option<&str>) -> Value {
    let (action_id, value) = action.wire();
    let mut b = json!({ "type": "button", "action_id": action_id, "value": value,
        "text": { "type": "plain_text", "text": label } });
    if let Some(s) = style {
        b["style"] = json!(s);
    }
    b
}

fn hhmm(ms: i64) -> String {
    super::slack_date(ms).replace("{date_short_pretty} {time}", "{time}")
}

/// The playbook's checklist: one line per step, ticked with who and when, and a button.
pub fn checklist(id: IncidentId, i: &Incident, steps: &[String], locale: Locale) -> Outgoing {
    let title = Label::Checklist.text(locale);
    let (done, undo) = (Label::Done.text(locale), Label::Undo.text(locale));
    let mut text = title.clone();
    let mut blocks =
        vec![json!({ "type": "section", "text": { "type": "mrkdwn", "text": title } })];
    for (n, step) in steps.iter().enumerate() {
        let tick = i.ticks.iter().find(|t| t.step == n);
        let line = match tick {
            Some(t) => format!(
                ":white_check_mark: ~{}~ {} {}",
                escape_mrkdwn(step),
                mention(&t.by),
                hhmm(t.at_ms)
            ),
            None => format!(":white_large_square: {}", escape_mrkdwn(step)),
        };
        text.push('\n');
        text.push_str(&line);
        let action = Action::IncidentTick {
            incident: id,
            step: n,
        };
        blocks.push(json!({ "type": "section", "block_id": format!("step-{n}"),
            "text": { "type": "mrkdwn", "text": line },
            "accessory": button(&action, if tick.is_some() { &undo } else { &done }, None) }));
    }
    Outgoing {
        text,
        blocks: Some(Value::Array(blocks)),
    }
}

/// The changes that finished before the impact, best suspects first, each with Confirm culprit
/// and Dismiss (and Roll back for a deploy).
pub fn suspects_card(
    id: IncidentId,
    i: &Incident,
    window_minutes: u32,
    locale: Locale,
) -> Outgoing {
    let title = Label::Suspects {
        window_minutes,
        since: super::slack_date(i.impact_started_ms),
    }
    .text(locale);
    let none = Label::NoSuspects.text(locale);
    let confirm = Label::ConfirmCulprit.text(locale);
    let dismiss = Label::Dismiss.text(locale);
    let rollback = Label::RollBack.text(locale);
    let mut text = title.clone();
    let mut blocks =
        vec![json!({ "type": "section", "text": { "type": "mrkdwn", "text": title } })];
    if i.suspects.is_empty() {
        text.push('\n');
        text.push_str(&none);
        blocks.push(json!({ "type": "context", "elements": [{ "type": "mrkdwn", "text": none }] }));
    }
    for (n, s) in i.suspects.iter().enumerate() {
        let line = suspect_line(n + 1, s, i.impact_started_ms, locale);
        text.push('\n');
        text.push_str(&line);
        blocks.push(json!({ "type": "section", "text": { "type": "mrkdwn", "text": line } }));
        if s.verdict != Verdict::Open {
            continue;
        }
        let change = s.change.id;
        let mut buttons = vec![
            button(
                &Action::SuspectConfirm {
                    incident: id,
                    change,
                },
                &confirm,
                Some("primary"),
            ),
            button(
                &Action::SuspectDismiss {
                    incident: id,
                    change,
                },
                &dismiss,
                None,
            ),
        ];
        if s.change.deploy.is_some() {
            buttons.push(button(
                &Action::SuspectRollback {
                    incident: id,
                    change,
                },
                &rollback,
                Some("danger"),
            ));
        }
        blocks.push(json!({ "type": "actions", "block_id": format!("suspect-{change}"), "elements": buttons }));
    }
    Outgoing {
        text,
        blocks: Some(Value::Array(blocks)),
    }
}

fn suspect_line(n: usize, s: &Suspect, impact_ms: i64, locale: Locale) -> String {
    let c = &s.change;
    let icon = if c.kind.is_deploy() {
        ":rocket:"
    } else {
        ":building_construction:"
    };
    let minutes = (impact_ms - c.finished_ms).max(0) / 60_000;
    let by = s.by.as_deref().map(mention).unwrap_or_default();
    let actor = c
        .actor
        .split(',')
        .map(mention)
        .collect::<Vec<_>>()
        .join(", ");
    let before = Label::MinutesBeforeImpact { minutes }.text(locale);
    let confirmed = Label::ConfirmedBy.text(locale);
    let dismissed = Label::DismissedBy.text(locale);
    let destroys = Label::DestroysOrReplaces.text(locale);
    let risk = if c.destructive > 0 {
        format!(" · :warning: {destroys} {}", c.destructive)
    } else {
        String::new()
    };
    let line = format!(
        "{n}. {icon} *{}* {} · {actor} · {before}{risk}",
        escape_mrkdwn(&c.subject),
        escape_mrkdwn(&c.summary)
    );
    match s.verdict {
        Verdict::Open => line,
        Verdict::Confirmed => format!("{line}\n    :dart: {confirmed} {by}"),
        Verdict::Dismissed => format!("~{line}~ {dismissed} {by}"),
    }
}

/// The `/incident` form: title, type, severity, services, private, impact start (Slack shows
/// the date-time picker in the user's own zone).
/// What the declaration form starts with (a message's first line, an alert's details).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Prefill {
    pub title: String,
    /// The playbook preselected (`[incidents] default_type` unless something knows better).
    pub kind: Option<String>,
    pub severity: Option<u8>,
    pub services: Vec<String>,
    /// Who commands it (the person opening the form); cleared, the channel is asked later.
    pub commander: Option<String>,
    pub impact_started_ms: i64,
}

pub fn declare_form(
    form: &Form,
    prefill: &Prefill,
    types: &[(String, String)],
    services: &[String],
    locale: Locale,
) -> Value {
    let (callback_id, private_metadata) = form.wire();
    let l = [
        Label::DeclareIncident,
        Label::Declare,
        Label::Cancel,
        Label::Title,
        Label::Type,
        Label::Severity,
        Label::AffectedServices,
        Label::OtherServices,
        Label::Private,
        Label::PrivateHint,
        Label::ImpactStarted,
        Label::Commander,
    ]
    .map(|l| l.text(locale));
    let option = |value: &str, text: &str| json!({ "text": { "type": "plain_text", "text": text }, "value": value });
    let type_options: Vec<Value> = types.iter().map(|(v, t)| option(v, t)).collect();
    let severities: Vec<Value> = (1..=4)
        .map(|n| option(&n.to_string(), &format!("SEV{n}")))
        .collect();
    let service_options: Vec<Value> = services.iter().take(100).map(|s| option(s, s)).collect();
    let (known, other): (Vec<&String>, Vec<&String>) = prefill
        .services
        .iter()
        .partition(|s| services.iter().take(100).any(|k| k == *s));
    let chosen: Vec<Value> = known.iter().map(|s| option(s, s)).collect();
    let other: Vec<&str> = other.iter().map(|s| s.as_str()).collect();
    let severity = prefill.severity.unwrap_or(3).clamp(1, 4) as usize - 1;
    let title: String = prefill.title.chars().take(150).collect();
    let [
        title_b,
        type_b,
        sev_b,
        services_b,
        other_b,
        private_b,
        impact_b,
        commander_b,
    ] = DECLARE_FORM;
    let mut blocks = vec![
        json!({ "type": "input", "block_id": title_b.0, "label": { "type": "plain_text", "text": l[3] },
        "element": { "type": "plain_text_input", "action_id": title_b.1, "max_length": 150, "initial_value": title } }),
    ];
    if !type_options.is_empty() {
        let chosen = types
            .iter()
            .position(|(v, _)| Some(v) == prefill.kind.as_ref())
            .unwrap_or(0);
        blocks.push(json!({ "type": "input", "block_id": type_b.0, "label": { "type": "plain_text", "text": l[4] },
            "element": { "type": "static_select", "action_id": type_b.1, "options": type_options, "initial_option": type_options[chosen] } }));
    }
    blocks.push(json!({ "type": "input", "block_id": sev_b.0, "label": { "type": "plain_text", "text": l[5] },
        "element": { "type": "static_select", "action_id": sev_b.1, "options": severities, "initial_option": severities[severity] } }));
    if !service_options.is_empty() {
        let mut element = json!({ "type": "multi_static_select", "action_id": services_b.1, "options": service_options });
        if !chosen.is_empty() {
            element["initial_options"] = json!(chosen);
        }
        blocks.push(json!({ "type": "input", "block_id": services_b.0, "optional": true, "label": { "type": "plain_text", "text": l[6] },
            "element": element }));
    }
    blocks.push(json!({ "type": "input", "block_id": other_b.0, "optional": true, "label": { "type": "plain_text", "text": l[7] },
        "element": { "type": "plain_text_input", "action_id": other_b.1, "initial_value": other.join(", ") } }));
    blocks.push(json!({ "type": "input", "block_id": private_b.0, "optional": true, "label": { "type": "plain_text", "text": l[8] },
        "element": { "type": "checkboxes", "action_id": private_b.1, "options": [option("private", &l[9])] } }));
    blocks.push(json!({ "type": "input", "block_id": impact_b.0, "optional": true, "label": { "type": "plain_text", "text": l[10] },
        "element": { "type": "datetimepicker", "action_id": impact_b.1, "initial_date_time": prefill.impact_started_ms / 1000 } }));
    let mut commander = json!({ "type": "users_select", "action_id": commander_b.1 });
    if let Some(c) = &prefill.commander {
        commander["initial_user"] = json!(c);
    }
    blocks.push(json!({ "type": "input", "block_id": commander_b.0, "optional": true, "label": { "type": "plain_text", "text": l[11] },
        "element": commander }));
    json!({
        "type": "modal", "callback_id": callback_id, "private_metadata": private_metadata,
        "title": { "type": "plain_text", "text": l[0] },
        "submit": { "type": "plain_text", "text": l[1] },
        "close": { "type": "plain_text", "text": l[2] },
        "blocks": blocks,
    })
}

/// What the declaration form was submitted with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Declared {
    pub title: String,
    pub kind: Option<String>,
    pub severity: Option<u8>,
    pub services: Vec<String>,
    pub private: bool,
    pub impact_started_ms: Option<i64>,
    pub commander: Option<String>,
}

pub fn read_declare_form(values: &Value) -> Declared {
    let at = |(b, a): (&str, &str)| &values[format!("{b}.{a}")];
    let [
        title,
        kind,
        sev,
        services,
        other,
        private,
        impact,
        commander,
    ] = DECLARE_FORM;
    let mut all: Vec<String> = at(services)
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect();
    all.extend(
        at(other)
            .as_str()
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned),
    );
    Declared {
        title: at(title).as_str().unwrap_or_default().trim().to_owned(),
        kind: at(kind).as_str().map(str::to_owned),
        severity: at(sev).as_str().and_then(|s| s.parse().ok()),
        services: all,
        private: at(private).as_array().is_some_and(|a| !a.is_empty()),
        impact_started_ms: at(impact).as_i64().map(|s| s * 1000),
        commander: at(commander).as_str().map(str::to_owned),
    }
}

/// The handover form: what the next commander needs.
pub fn handover_form(form: &Form, to: &str, locale: Locale) -> Value {
    let (callback_id, private_metadata) = form.wire();
    let (title, submit, cancel) = (
        Label::Handover.text(locale),
        Label::HandOver.text(locale),
        Label::Cancel.text(locale),
    );
    let labels = [
        Label::CurrentState,
        Label::Hypotheses,
        Label::WhatWasTried,
        Label::NextSteps,
    ]
    .map(|l| l.text(locale));
    let mut blocks = vec![
        json!({ "type": "section", "text": { "type": "mrkdwn", "text": format!("→ {}", mention(to)) } }),
    ];
    for (name, label) in HANDOVER_FORM.iter().zip(labels) {
        blocks.push(json!({ "type": "input", "block_id": name, "label": { "type": "plain_text", "text": label },
            "element": { "type": "plain_text_input", "action_id": name, "multiline": true, "max_length": 2000 } }));
    }
    json!({
        "type": "modal", "callback_id": callback_id, "private_metadata": private_metadata,
        "title": { "type": "plain_text", "text": title },
        "submit": { "type": "plain_text", "text": submit },
        "close": { "type": "plain_text", "text": cancel },
        "blocks": blocks,
    })
}

pub fn read_handover(values: &Value, to: &str) -> Handover {
    let get = |n: &str| {
        values[format!("{n}.{n}")]
            .as_str()
            .unwrap_or_default()
            .trim()
            .to_owned()
    };
    Handover {
        to: to.to_owned(),
        state: get(HANDOVER_FORM[0]),
        hypotheses: get(HANDOVER_FORM[1]),
        tried: get(HANDOVER_FORM[2]),
        next: get(HANDOVER_FORM[3]),
    }
}

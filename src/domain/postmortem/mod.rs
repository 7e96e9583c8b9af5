//! A postmortem draft as facts, in no language: what the incident's record says, with every
//! time in each of the team's zones (dates included, DST right) and as `T±` from the impact
//! start. `messages::postmortem` words it in English and Japanese; `blameless` flags phrasing
//! that blames a person.

pub mod blameless;

use crate::domain::incident::{Incident, Lesson, Role, Status, Verdict, What};
use chrono_tz::Tz;
use serde::Serialize;

/// What a draft is made from: plain values.
pub struct Inputs<'a> {
    /// `INC-7`.
    pub id: &'a str,
    pub incident: &'a Incident,
    /// The timeline's columns; at least one.
    pub zones: &'a [Tz],
    /// `https://acme.slack.com/`: links to captured messages are built from it.
    pub workspace_url: Option<&'a str>,
}

/// One moment in every zone: `2026-11-01 17:30 JST`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Stamp {
    pub ms: i64,
    pub zones: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Row {
    pub at: Stamp,
    /// `T+12m`, `T-20m`, `T+2h05m` from the impact start.
    pub t: String,
    pub what: What,
    /// Slack user id, or `banto`.
    pub by: String,
    pub link: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ChangeLine {
    pub kind: crate::domain::changes::ChangeKind,
    pub subject: String,
    pub summary: String,
    pub actor: String,
    pub at: Stamp,
    pub t: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Quote {
    pub author: String,
    pub text: String,
    pub link: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ActionLine {
    pub number: u32,
    pub text: String,
    pub owner: Option<String>,
    pub due: Option<String>,
    pub link: Option<String>,
}

/// Durations in whole minutes; `None` until the milestone is reached.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Minutes {
    pub detect: Option<i64>,
    pub acknowledge: Option<i64>,
    pub mitigate: Option<i64>,
    pub resolve: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Draft {
    pub id: String,
    pub title: String,
    pub severity: u8,
    pub kind: String,
    pub private: bool,
    pub resolved: bool,
    pub services: Vec<String>,
    pub zones: Vec<String>,
    pub impact_started: Stamp,
    pub mitigated: Option<Stamp>,
    pub resolved_at: Option<Stamp>,
    pub detected: Stamp,
    /// The alert that noticed it, if one fired by the time it was detected.
    pub detected_by_alert: Option<String>,
    pub reporter: String,
    pub minutes: Minutes,
    /// The latest stakeholder update: a start for the summary.
    pub last_update: Option<String>,
    pub culprit: Option<ChangeLine>,
    /// Suspects nobody dismissed, when no culprit was confirmed.
    pub suspects: Vec<ChangeLine>,
    pub timeline: Vec<Row>,
    /// What was done while it was open: changes (rollbacks, fixes) and the mitigation itself.
    pub response: Vec<Row>,
    pub went_well: Vec<Quote>,
    pub went_wrong: Vec<Quote>,
    pub lucky: Vec<Quote>,
    pub actions: Vec<ActionLine>,
    pub roles: Vec<(Role, String)>,
    /// Everyone who did or said something on the timeline, first appearance first.
    pub participants: Vec<String>,
    /// Blaming phrasing in what people wrote (warnings).
    pub findings: Vec<blameless::Finding>,
}

fn stamp(ms: i64, zones: &[Tz]) -> Stamp {
    use chrono::format::{Item, StrftimeItems};
    use std::sync::LazyLock;
    static FORMAT: LazyLock<Vec<Item<'static>>> =
        LazyLock::new(|| StrftimeItems::new("%Y-%m-%d %H:%M %Z").collect());
    let t = chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default();
    Stamp {
        ms,
        zones: zones
            .iter()
            .map(|z| {
                t.with_timezone(z)
                    .format_with_items(FORMAT.iter())
                    .to_string()
            })
            .collect(),
    }
}

/// `T+12m`, `T-20m`, `T+2h05m`, `T+1d03h10m`.
pub fn t_offset(ms: i64, impact_ms: i64) -> String {
    let d = ms - impact_ms;
    let sign = if d < 0 { '-' } else { '+' };
    let minutes = d.abs() / 60_000;
    let (days, hours, mins) = (minutes / 1440, minutes / 60 % 24, minutes % 60);
    match (days, hours) {
        (0, 0) => format!("T{sign}{mins}m"),
        (0, h) => format!("T{sign}{h}h{mins:02}m"),
        (d, h) => format!("T{sign}{d}d{h:02}h{mins:02}m"),
    }
}

/// A Slack message's permalink, built as Slack builds them (no call per message).
pub fn permalink(workspace_url: &str, channel: &str, ts: &str, thread_ts: Option<&str>) -> String {
    let base = workspace_url.trim_end_matches('/');
    let p = ts.replace('.', "");
    match thread_ts {
        Some(t) if t != ts => format!("{base}/archives/{channel}/p{p}?thread_ts={t}&cid={channel}"),
        _ => format!("{base}/archives/{channel}/p{p}"),
    }
}

pub fn draft(inputs: &Inputs<'_>) -> Draft {
    let i = inputs.incident;
    let zones = inputs.zones;
    let impact = i.impact_started_ms;
    // Entries come minutes apart at most: each minute is formatted once.
    let minutes = std::cell::RefCell::new(std::collections::HashMap::<i64, Stamp>::new());
    let stamp = |ms: i64| -> Stamp {
        let minute = ms.div_euclid(60_000);
        let mut cache = minutes.borrow_mut();
        let s = cache.entry(minute).or_insert_with(|| stamp(ms, zones));
        Stamp {
            ms,
            zones: s.zones.clone(),
        }
    };
    let link = |w: &What| match (w, inputs.workspace_url) {
        (What::Captured(c), Some(url)) => {
            Some(permalink(url, &c.channel, &c.ts, c.thread_ts.as_deref()))
        }
        (What::Alert { link, .. }, _) => link.clone(),
        _ => None,
    };
    let row = |occurred_ms: i64, what: &What, by: &str| Row {
        at: stamp(occurred_ms),
        t: t_offset(occurred_ms, impact),
        what: what.clone(),
        by: by.to_owned(),
        link: link(what),
    };
    let ordered = i.ordered();
    let timeline: Vec<Row> = ordered
        .iter()
        .map(|e| row(e.occurred_ms, &e.what, &e.by))
        .collect();
    let response: Vec<Row> = ordered
        .iter()
        .filter(|e| match &e.what {
            What::Change { .. } | What::Mitigated | What::Update { .. } => true,
            What::Status { to, .. } => matches!(to, Status::Identified | Status::Monitoring),
            _ => false,
        })
        .map(|e| row(e.occurred_ms, &e.what, &e.by))
        .collect();
    let change_line = |s: &crate::domain::incident::Suspect| ChangeLine {
        kind: s.change.kind,
        subject: s.change.subject.clone(),
        summary: s.change.summary.clone(),
        actor: s.change.actor.clone(),
        at: stamp(s.change.finished_ms),
        t: t_offset(s.change.finished_ms, impact),
    };
    let culprit = i
        .suspects
        .iter()
        .find(|s| s.verdict == Verdict::Confirmed)
        .map(change_line);
    let suspects = if culprit.is_some() {
        vec![]
    } else {
        i.suspects
            .iter()
            .filter(|s| s.verdict == Verdict::Open)
            .map(change_line)
            .collect()
    };
    let lessons = |lesson: Lesson| -> Vec<Quote> {
        ordered
            .iter()
            .filter_map(|e| match &e.what {
                What::Captured(c) if c.lesson == Some(lesson) && !c.deleted => Some(Quote {
                    author: c.author.clone(),
                    text: c.text.clone(),
                    link: link(&e.what),
                }),
                _ => None,
            })
            .collect()
    };
    let detected_by_alert = ordered.iter().find_map(|e| match &e.what {
        What::Alert {
            name, firing: true, ..
        } if e.occurred_ms <= i.detected_ms => Some(name.clone()),
        _ => None,
    });
    let last_update = ordered.iter().rev().find_map(|e| match &e.what {
        What::Update { text } => Some(text.clone()),
        _ => None,
    });
    let mut participants: Vec<String> = Vec::new();
    let mut seen = |p: &str| {
        if !p.is_empty() && p != "banto" && !participants.iter().any(|x| x == p) {
            participants.push(p.to_owned());
        }
    };
    seen(i.reporter.as_str());
    for e in &ordered {
        seen(&e.by);
        if let What::Captured(c) = &e.what {
            seen(&c.author);
        }
    }
    let mut findings = Vec::new();
    for (n, r) in timeline.iter().enumerate() {
        let text = match &r.what {
            What::Note { text } | What::Update { text } => text.as_str(),
            What::Captured(c) if !c.deleted => c.text.as_str(),
            What::Handover(h) => h.state.as_str(),
            _ => continue,
        };
        findings.extend(blameless::check(&format!("timeline {}", n + 1), text));
    }
    for a in &i.actions {
        findings.extend(blameless::check_action(
            &format!("action {}", a.number),
            &a.text,
        ));
    }
    let m = i.metrics();
    let minutes = |v: Option<i64>| v.map(|ms| ms / 60_000);
    Draft {
        id: inputs.id.to_owned(),
        title: i.title.clone(),
        severity: i.severity,
        kind: i.kind.clone(),
        private: i.private,
        resolved: !i.is_open(),
        services: i.services.clone(),
        zones: zones.iter().map(|z| z.name().to_owned()).collect(),
        impact_started: stamp(impact),
        mitigated: i.mitigated_ms.map(stamp),
        resolved_at: i.resolved_ms.map(stamp),
        detected: stamp(i.detected_ms),
        detected_by_alert,
        reporter: i.reporter.0.clone(),
        minutes: Minutes {
            detect: minutes(m.detect),
            acknowledge: minutes(m.acknowledge),
            mitigate: minutes(m.mitigate),
            resolve: minutes(m.resolve),
        },
        last_update,
        culprit,
        suspects,
        timeline,
        response,
        went_well: lessons(Lesson::WentWell),
        went_wrong: lessons(Lesson::WentWrong),
        lucky: lessons(Lesson::Lucky),
        actions: i
            .actions
            .iter()
            .map(|a| ActionLine {
                number: a.number,
                text: a.text.clone(),
                owner: a.owner.clone(),
                due: a.due.clone(),
                link: a.link.clone().filter(|l| l.starts_with("http")),
            })
            .collect(),
        roles: i.roles.iter().map(|(r, u)| (*r, u.0.clone())).collect(),
        participants,
        findings,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_from_the_impact_start() {
        let m = 60_000;
        assert_eq!(t_offset(12 * m, 0), "T+12m");
        assert_eq!(t_offset(-20 * m, 0), "T-20m");
        assert_eq!(t_offset(125 * m + 59_000, 0), "T+2h05m");
        assert_eq!(t_offset((24 * 60 + 190) * m, 0), "T+1d03h10m");
    }

    #[test]
    fn stamps_show_each_zones_own_date_across_midnight_and_dst() {
        let zones: Vec<Tz> = vec![
            "Asia/Tokyo".parse().unwrap(),
            "America/Los_Angeles".parse().unwrap(),
        ];
        // 2026-11-01 08:30 UTC: 17:30 in Tokyo, 01:30 PDT in Los Angeles (DST ends at 02:00).
        let before = stamp(1_793_521_800_000, &zones);
        assert_eq!(
            before.zones,
            ["2026-11-01 17:30 JST", "2026-11-01 01:30 PDT"]
        );
        // Seven hours later: past midnight in Tokyo, and standard time in Los Angeles.
        let after = stamp(1_793_521_800_000 + 7 * 3_600_000, &zones);
        assert_eq!(
            after.zones,
            ["2026-11-02 00:30 JST", "2026-11-01 07:30 PST"]
        );
    }

    #[test]
    fn permalinks_as_slack_builds_them() {
        assert_eq!(
            permalink("https://acme.slack.com/", "C1", "1793521800.000200", None),
            "https://acme.slack.com/archives/C1/p1793521800000200"
        );
        assert_eq!(
            permalink(
                "https://acme.slack.com",
                "C1",
                "1793521900.000300",
                Some("1793521800.000200")
            ),
            "https://acme.slack.com/archives/C1/p1793521900000300?thread_ts=1793521800.000200&cid=C1"
        );
    }
}

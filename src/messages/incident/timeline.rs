//! `/incident timeline` for one viewer: every entry in the order it happened, at the viewer's
//! time and the team's (dates included: midnight in Tokyo is the afternoon before in San
//! Francisco), and the milestones' durations.

use super::super::common::mention;
use crate::domain::incident::{Incident, Metrics, What};
use crate::ids::IncidentId;
use crate::locale::Locale;
use chrono_tz::Tz;

super::super::bilingual! {
    use { What };
    IncidentTimeline => "en/incident_timeline.mrkdwn", "ja/incident_timeline.mrkdwn";
}

/// How many entries a reply shows (the latest).
const MAX_LINES: usize = 100;

pub struct Line {
    pub when: String,
    pub what: What,
    pub by: String,
}

pub struct IncidentTimeline {
    pub id: IncidentId,
    /// `Asia/Tokyo, America/Los_Angeles`.
    pub zones: String,
    pub lines: Vec<Line>,
    /// Entries left out (the oldest).
    pub earlier: usize,
}

/// `2026-11-28 00:10 JST · 11-27 07:10 PST`: the viewer's zone first, the team's after it
/// when it differs.
pub fn when(ms: i64, viewer: Tz, team: Tz) -> String {
    let t = chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default();
    let first = t.with_timezone(&viewer).format("%Y-%m-%d %H:%M %Z");
    if viewer == team {
        return first.to_string();
    }
    format!(
        "{first} · {}",
        t.with_timezone(&team).format("%m-%d %H:%M %Z")
    )
}

impl IncidentTimeline {
    pub fn new(id: IncidentId, i: &Incident, viewer: Tz, team: Tz) -> Self {
        let all = i.ordered();
        let earlier = all.len().saturating_sub(MAX_LINES);
        let lines = all
            .into_iter()
            .skip(earlier)
            .map(|e| Line {
                when: when(e.occurred_ms, viewer, team),
                what: e.what.clone(),
                by: if e.by == "banto" {
                    "banto".into()
                } else {
                    mention(&e.by)
                },
            })
            .collect();
        let zones = if viewer == team {
            viewer.name().to_owned()
        } else {
            format!("{}, {}", viewer.name(), team.name())
        };
        Self {
            id,
            zones,
            lines,
            earlier,
        }
    }
}

/// `2h 05m`, `42m`, `<1m` / `2時間5分`.
pub fn span(ms: i64, locale: Locale) -> String {
    let minutes = ms.max(0) / 60_000;
    let (h, m) = (minutes / 60, minutes % 60);
    match (locale, h, m) {
        (Locale::En, 0, 0) => "<1m".into(),
        (Locale::En, 0, m) => format!("{m}m"),
        (Locale::En, h, m) => format!("{h}h {m:02}m"),
        (Locale::Ja, 0, 0) => "1分未満".into(),
        (Locale::Ja, 0, m) => format!("{m}分"),
        (Locale::Ja, h, m) => format!("{h}時間{m}分"),
    }
}

/// `Time to detect 4m · acknowledge 0m · mitigate 29m · resolve 59m`, milestones reached only.
pub fn metrics_line(m: &Metrics, locale: Locale) -> String {
    let names = match locale {
        Locale::En => ["Time to detect", "acknowledge", "mitigate", "resolve"],
        Locale::Ja => ["検知まで", "応答まで", "収束まで", "解決まで"],
    };
    let parts: Vec<String> = [m.detect, m.acknowledge, m.mitigate, m.resolve]
        .iter()
        .zip(names)
        .filter_map(|(v, n)| v.map(|v| format!("{n} {}", span(v, locale))))
        .collect();
    parts.join(" · ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::incident::{Declaration, Role};
    use crate::messages::both;

    fn ms(s: &str) -> i64 {
        chrono::DateTime::parse_from_rfc3339(s)
            .unwrap()
            .timestamp_millis()
    }

    #[test]
    fn a_timeline_across_midnight_in_tokyo() {
        let tokyo: Tz = "Asia/Tokyo".parse().unwrap();
        let sf: Tz = "America/Los_Angeles".parse().unwrap();
        let mut i = Incident::declare(&Declaration {
            title: "Database latency",
            kind: "database",
            severity: 2,
            private: false,
            reporter: "UALICE",
            commander: Some("UALICE"),
            services: &[],
            impact_started_ms: ms("2026-11-27T14:40:00Z"),
            detected_ms: None,
            now_ms: ms("2026-11-27T14:55:00Z"),
        });
        i.note(
            "UBOB",
            "error rate rose",
            Some(ms("2026-11-27T14:45:00Z")),
            ms("2026-11-27T15:20:00Z"),
        )
        .unwrap();
        i.assign(
            "UALICE",
            Role::Commander,
            "UBOB",
            ms("2026-11-27T15:05:00Z"),
        )
        .unwrap();
        i.resolve(
            "UBOB",
            Some(ms("2026-11-27T15:30:00Z")),
            ms("2026-11-27T16:00:00Z"),
        )
        .unwrap();
        let view = IncidentTimeline::new(IncidentId(7), &i, sf, tokyo);
        assert_eq!(
            view.lines[0].when, "2026-11-27 06:45 PST · 11-27 23:45 JST",
            "the backdated note comes first"
        );
        assert_eq!(view.lines[2].when, "2026-11-27 07:05 PST · 11-28 00:05 JST");
        insta::assert_snapshot!(format!(
            "{}\n\n{}\n\n{}",
            both(&view),
            metrics_line(&i.metrics(), Locale::En),
            metrics_line(&i.metrics(), Locale::Ja)
        ));
    }
}

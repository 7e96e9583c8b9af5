//! Pure incident state: declaration, status, severity, roles, notes, and the timeline they
//! leave. Times are Unix milliseconds in UTC; `occurred` is when it happened, `recorded` when
//! banto learnt of it.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Investigating,
    Identified,
    Monitoring,
    Resolved,
}

impl Status {
    pub const ALL: [Status; 4] = [
        Status::Investigating,
        Status::Identified,
        Status::Monitoring,
        Status::Resolved,
    ];

    pub fn word(self) -> &'static str {
        match self {
            Status::Investigating => "investigating",
            Status::Identified => "identified",
            Status::Monitoring => "monitoring",
            Status::Resolved => "resolved",
        }
    }

    pub fn parse(word: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.word() == word)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Commander,
    Comms,
    Scribe,
}

impl Role {
    pub fn parse(word: &str) -> Option<Role> {
        match word {
            "commander" | "ic" => Some(Role::Commander),
            "comms" => Some(Role::Comms),
            "scribe" => Some(Role::Scribe),
            _ => None,
        }
    }
}

/// What happened, for the timeline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum What {
    Declared { severity: u8 },
    Status { from: Status, to: Status },
    Severity { from: u8, to: u8 },
    Role { role: Role, user: String },
    Note { text: String },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub occurred_ms: i64,
    pub recorded_ms: i64,
    /// Slack user id, or `banto`.
    pub by: String,
    pub what: What,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Incident {
    pub title: String,
    /// The playbook's type (`database`, `bad-deploy`, …).
    pub kind: String,
    pub severity: u8,
    pub status: Status,
    pub private: bool,
    pub reporter: String,
    pub roles: BTreeMap<Role, String>,
    pub impact_started_ms: i64,
    pub declared_ms: i64,
    pub resolved_ms: Option<i64>,
    pub timeline: Vec<Entry>,
}

/// Where an incident lives: its channel, its header card, who was invited.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentMeta {
    /// The incident channel, once created.
    pub channel: Option<String>,
    /// The header card, in the incident channel.
    #[serde(flatten)]
    pub card: super::card::CardPlace,
    /// Everyone banto invited: for a private incident, the only people told anything of it.
    pub members: Vec<String>,
    /// Where the command was typed (answers before the channel exists go there).
    pub declared_in: String,
    /// The language of the incident channel (the reporter's).
    pub locale: Option<crate::locale::Locale>,
}

/// What a person asked that cannot be done, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    AlreadyResolved,
    Unchanged,
    BadSeverity,
}

/// What a new incident starts from.
pub struct Declaration<'a> {
    pub title: &'a str,
    pub kind: &'a str,
    pub severity: u8,
    pub private: bool,
    pub reporter: &'a str,
    pub impact_started_ms: i64,
    pub now_ms: i64,
}

impl Incident {
    /// A new incident, investigating, its reporter the commander until someone else is named.
    pub fn declare(d: &Declaration<'_>) -> Self {
        Self {
            title: d.title.trim().to_owned(),
            kind: d.kind.to_owned(),
            severity: d.severity,
            status: Status::Investigating,
            private: d.private,
            reporter: d.reporter.to_owned(),
            roles: BTreeMap::from([(Role::Commander, d.reporter.to_owned())]),
            impact_started_ms: d.impact_started_ms,
            declared_ms: d.now_ms,
            resolved_ms: None,
            timeline: vec![Entry {
                occurred_ms: d.now_ms,
                recorded_ms: d.now_ms,
                by: d.reporter.to_owned(),
                what: What::Declared {
                    severity: d.severity,
                },
            }],
        }
    }

    pub fn commander(&self) -> Option<&str> {
        self.roles.get(&Role::Commander).map(String::as_str)
    }

    fn record(&mut self, by: &str, now_ms: i64, what: What) {
        self.timeline.push(Entry {
            occurred_ms: now_ms,
            recorded_ms: now_ms,
            by: by.to_owned(),
            what,
        });
    }

    pub fn set_status(&mut self, by: &str, to: Status, now_ms: i64) -> Result<(), Refusal> {
        if self.status == to {
            return Err(Refusal::Unchanged);
        }
        let from = self.status;
        self.status = to;
        self.resolved_ms = (to == Status::Resolved).then_some(now_ms);
        self.record(by, now_ms, What::Status { from, to });
        Ok(())
    }

    pub fn set_severity(&mut self, by: &str, to: u8, now_ms: i64) -> Result<(), Refusal> {
        if !(1..=4).contains(&to) {
            return Err(Refusal::BadSeverity);
        }
        if self.status == Status::Resolved {
            return Err(Refusal::AlreadyResolved);
        }
        if self.severity == to {
            return Err(Refusal::Unchanged);
        }
        let from = self.severity;
        self.severity = to;
        self.record(by, now_ms, What::Severity { from, to });
        Ok(())
    }

    pub fn assign(&mut self, by: &str, role: Role, user: &str, now_ms: i64) -> Result<(), Refusal> {
        if self.roles.get(&role).is_some_and(|u| u == user) {
            return Err(Refusal::Unchanged);
        }
        self.roles.insert(role, user.to_owned());
        self.record(
            by,
            now_ms,
            What::Role {
                role,
                user: user.to_owned(),
            },
        );
        Ok(())
    }

    pub fn note(&mut self, by: &str, text: &str, now_ms: i64) {
        self.record(
            by,
            now_ms,
            What::Note {
                text: text.trim().to_owned(),
            },
        );
    }
}

/// The incident channel's name: `<prefix>-YYYYMMDD-<slug of the title>` within Slack's rules
/// (lowercase letters, digits, `-` and `_`, at most 80 characters). A title with nothing Slack
/// allows (Japanese only) gets the incident's number instead; `attempt` > 1 adds a suffix after
/// `name_taken`.
pub fn channel_name(prefix: &str, date: &str, title: &str, number: i64, attempt: u32) -> String {
    let mut slug = String::new();
    for c in title.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-');
    let slug = if slug.is_empty() {
        number.to_string()
    } else {
        slug.to_owned()
    };
    let suffix = if attempt > 1 {
        format!("-{attempt}")
    } else {
        String::new()
    };
    let head = format!("{prefix}-{date}-");
    let room = 80usize.saturating_sub(head.len() + suffix.len());
    let slug: String = slug.chars().take(room).collect();
    format!("{head}{}{suffix}", slug.trim_end_matches('-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn incident() -> Incident {
        Incident::declare(&Declaration {
            title: " Database latency ",
            kind: "database",
            severity: 2,
            private: false,
            reporter: "UALICE",
            impact_started_ms: 1_000,
            now_ms: 5_000,
        })
    }

    #[test]
    fn channel_names_follow_slacks_rules() {
        assert_eq!(
            channel_name("inc", "20261128", "DB latency: p99 > 2s!", 7, 1),
            "inc-20261128-db-latency-p99-2s"
        );
        assert_eq!(
            channel_name("inc", "20261128", "データベース遅延", 7, 1),
            "inc-20261128-7",
            "a Japanese-only title gets the incident's number"
        );
        assert_eq!(
            channel_name("inc", "20261128", "API 障害 in ap-northeast-1", 7, 2),
            "inc-20261128-api-in-ap-northeast-1-2"
        );
        let long = channel_name("inc", "20261128", &"very long title ".repeat(20), 7, 3);
        assert!(
            long.len() <= 80 && long.ends_with("-3") && !long.contains("--"),
            "{long}"
        );
    }

    #[test]
    fn a_declared_incident_investigates_with_its_reporter_in_command() {
        let i = incident();
        assert_eq!(i.title, "Database latency");
        assert_eq!((i.status, i.severity), (Status::Investigating, 2));
        assert_eq!(i.commander(), Some("UALICE"));
        assert_eq!(i.timeline.len(), 1);
        assert_eq!(i.timeline[0].what, What::Declared { severity: 2 });
    }

    #[test]
    fn changes_leave_a_timeline_and_repeats_are_refused() {
        let mut i = incident();
        i.set_status("UBOB", Status::Identified, 6_000).unwrap();
        assert_eq!(
            i.set_status("UBOB", Status::Identified, 6_500),
            Err(Refusal::Unchanged)
        );
        i.set_severity("UBOB", 1, 7_000).unwrap();
        assert_eq!(i.set_severity("UBOB", 5, 7_000), Err(Refusal::BadSeverity));
        i.assign("UBOB", Role::Commander, "UBOB", 8_000).unwrap();
        i.note("UCAROL", "failover started", 9_000);
        i.set_status("UBOB", Status::Resolved, 10_000).unwrap();
        assert_eq!(i.resolved_ms, Some(10_000));
        assert_eq!(
            i.set_severity("UBOB", 2, 11_000),
            Err(Refusal::AlreadyResolved)
        );
        let kinds: Vec<&What> = i.timeline.iter().map(|e| &e.what).collect();
        assert_eq!(kinds.len(), 6);
        assert_eq!(
            kinds[1],
            &What::Status {
                from: Status::Investigating,
                to: Status::Identified
            }
        );
        assert_eq!(i.commander(), Some("UBOB"));
        i.set_status("UBOB", Status::Monitoring, 12_000).unwrap();
        assert_eq!(i.resolved_ms, None, "reopened");
    }
}

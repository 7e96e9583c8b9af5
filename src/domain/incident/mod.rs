//! Pure incident state: declaration, status, severity, roles, notes, action items, captured
//! messages, milestones and the timeline they leave. Times are Unix milliseconds in UTC;
//! `occurred` is when it happened, `recorded` when banto learnt of it.

mod alert;
mod follow_up;
mod meta;
mod naming;
mod reminders;
mod suspects;
mod timeline;
mod when;

pub use alert::{AlertEpisode, AlertState, Observed, services_from, severity_from};
pub use follow_up::FollowUp;
pub use meta::{IncidentMeta, PostmortemDoc};
pub use naming::{channel_name, slug};
pub use reminders::{Nudge, Nudged, next_nudge, working_hours_start};
pub use suspects::{Suspect, SuspectChange, Verdict, rank};
pub use timeline::{Captured, Entry, Handover, Lesson, What};
pub use when::{BadTime, is_date, local_time};

use crate::ids::UserId;
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

    pub fn word(self) -> &'static str {
        match self {
            Role::Commander => "commander",
            Role::Comms => "comms",
            Role::Scribe => "scribe",
        }
    }
}

/// A follow-up: `/incident action <text> [@owner] [YYYY-MM-DD]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionItem {
    pub number: u32,
    pub text: String,
    pub owner: Option<String>,
    /// `YYYY-MM-DD`, as the person wrote it.
    pub due: Option<String>,
    pub by: String,
    pub created_ms: i64,
    /// The issue opened for it, once there is one.
    #[serde(default)]
    pub link: Option<String>,
}

/// A checklist step done: which, by whom, when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tick {
    pub step: usize,
    pub by: String,
    pub at_ms: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Incident {
    pub title: String,
    /// The playbook's type (`database`, `bad-deploy`, …).
    pub kind: String,
    pub severity: u8,
    pub status: Status,
    pub private: bool,
    pub reporter: UserId,
    pub roles: BTreeMap<Role, UserId>,
    /// Affected apps and Terraform projects (and free text): suspects and freezes follow them.
    #[serde(default)]
    pub services: Vec<String>,
    pub impact_started_ms: i64,
    /// When it was noticed: an alert's start, else the declaration.
    #[serde(default)]
    pub detected_ms: i64,
    pub declared_ms: i64,
    /// A commander took it.
    #[serde(default)]
    pub acknowledged_ms: Option<i64>,
    /// The impact stopped (not necessarily fixed for good).
    #[serde(default)]
    pub mitigated_ms: Option<i64>,
    pub resolved_ms: Option<i64>,
    #[serde(default)]
    pub actions: Vec<ActionItem>,
    #[serde(default)]
    pub ticks: Vec<Tick>,
    #[serde(default)]
    pub suspects: Vec<Suspect>,
    pub timeline: Vec<Entry>,
}

/// What a person asked that cannot be done, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    AlreadyResolved,
    NotResolved,
    Unchanged,
    BadSeverity,
    /// Resolving needs to know when the impact stopped.
    MitigationUnknown,
    /// A time after now, or before the impact started.
    BadTime,
    NoSuchStep,
    NoSuchSuspect,
}

/// What a new incident starts from.
pub struct Declaration<'a> {
    pub title: &'a str,
    pub kind: &'a str,
    pub severity: u8,
    pub private: bool,
    pub reporter: &'a str,
    /// Usually the reporter; `None`: nobody took it yet (the channel is asked after a while).
    pub commander: Option<&'a str>,
    pub services: &'a [String],
    pub impact_started_ms: i64,
    /// When it was noticed (an alert's start); the declaration when a person noticed.
    pub detected_ms: Option<i64>,
    pub now_ms: i64,
}

/// Time to detect, acknowledge, mitigate and resolve, each from the impact start (acknowledge
/// from detection), in milliseconds; `None` until the milestone is reached.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Metrics {
    pub detect: Option<i64>,
    pub acknowledge: Option<i64>,
    pub mitigate: Option<i64>,
    pub resolve: Option<i64>,
}

impl Incident {
    /// A new incident, investigating, with its commander (usually the reporter) if it has one.
    pub fn declare(d: &Declaration<'_>) -> Self {
        let impact = d.impact_started_ms.min(d.now_ms);
        let detected = d.detected_ms.unwrap_or(d.now_ms).clamp(impact, d.now_ms);
        Self {
            title: d.title.trim().to_owned(),
            kind: d.kind.to_owned(),
            severity: d.severity,
            status: Status::Investigating,
            private: d.private,
            reporter: UserId::from(d.reporter),
            roles: d
                .commander
                .map(|c| BTreeMap::from([(Role::Commander, UserId::from(c))]))
                .unwrap_or_default(),
            services: d.services.to_vec(),
            impact_started_ms: impact,
            detected_ms: detected,
            declared_ms: d.now_ms,
            acknowledged_ms: d.commander.map(|_| d.now_ms),
            mitigated_ms: None,
            resolved_ms: None,
            actions: vec![],
            ticks: vec![],
            suspects: vec![],
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
        self.roles.get(&Role::Commander).map(UserId::as_str)
    }

    pub fn is_open(&self) -> bool {
        self.status != Status::Resolved
    }

    pub(super) fn record(&mut self, by: &str, now_ms: i64, what: What) {
        self.record_at(by, now_ms, now_ms, what);
    }

    pub(super) fn record_at(&mut self, by: &str, occurred_ms: i64, now_ms: i64, what: What) {
        self.timeline.push(Entry {
            occurred_ms,
            recorded_ms: now_ms,
            by: by.to_owned(),
            what,
        });
    }

    fn open(&self) -> Result<(), Refusal> {
        if self.is_open() {
            Ok(())
        } else {
            Err(Refusal::AlreadyResolved)
        }
    }

    /// A new status. `resolved` goes through `resolve`; `monitoring` marks the impact
    /// mitigated if nobody said when.
    pub fn set_status(&mut self, by: &str, to: Status, now_ms: i64) -> Result<(), Refusal> {
        if to == Status::Resolved {
            return self.resolve(by, None, now_ms);
        }
        if self.status == to {
            return Err(Refusal::Unchanged);
        }
        if self.status == Status::Resolved {
            return self.reopen(by, to, now_ms);
        }
        let from = self.status;
        self.status = to;
        if to == Status::Monitoring && self.mitigated_ms.is_none() {
            self.mitigated_ms = Some(now_ms);
        }
        self.record(by, now_ms, What::Status { from, to });
        Ok(())
    }

    /// Resolve; `mitigated_ms` says when the impact stopped if nobody said so before.
    pub fn resolve(
        &mut self,
        by: &str,
        mitigated_ms: Option<i64>,
        now_ms: i64,
    ) -> Result<(), Refusal> {
        self.open()?;
        if let Some(t) = mitigated_ms {
            // People type minutes: `14:05` is any moment of that minute, so the minute the
            // impact started in is not before it.
            let impact_minute = self.impact_started_ms - self.impact_started_ms.rem_euclid(60_000);
            if t > now_ms || t < impact_minute {
                return Err(Refusal::BadTime);
            }
            let t = t.max(self.impact_started_ms);
            self.mitigated_ms = Some(t);
            self.record_at(by, t, now_ms, What::Mitigated);
        }
        if self.mitigated_ms.is_none() {
            return Err(Refusal::MitigationUnknown);
        }
        let from = self.status;
        self.status = Status::Resolved;
        self.resolved_ms = Some(now_ms);
        self.record(
            by,
            now_ms,
            What::Status {
                from,
                to: Status::Resolved,
            },
        );
        Ok(())
    }

    /// The impact is back: open again, not mitigated.
    pub fn reopen(&mut self, by: &str, to: Status, now_ms: i64) -> Result<(), Refusal> {
        if self.is_open() {
            return Err(Refusal::NotResolved);
        }
        let to = if to == Status::Resolved {
            Status::Investigating
        } else {
            to
        };
        self.status = to;
        self.resolved_ms = None;
        self.mitigated_ms = None;
        self.record(
            by,
            now_ms,
            What::Status {
                from: Status::Resolved,
                to,
            },
        );
        Ok(())
    }

    pub fn set_severity(&mut self, by: &str, to: u8, now_ms: i64) -> Result<(), Refusal> {
        if !(1..=4).contains(&to) {
            return Err(Refusal::BadSeverity);
        }
        self.open()?;
        if self.severity == to {
            return Err(Refusal::Unchanged);
        }
        let from = self.severity;
        self.severity = to;
        self.record(by, now_ms, What::Severity { from, to });
        Ok(())
    }

    pub fn assign(&mut self, by: &str, role: Role, user: &str, now_ms: i64) -> Result<(), Refusal> {
        if self.roles.get(&role).is_some_and(|u| u.as_str() == user) {
            return Err(Refusal::Unchanged);
        }
        self.roles.insert(role, UserId::from(user));
        if role == Role::Commander && self.acknowledged_ms.is_none() {
            self.acknowledged_ms = Some(now_ms);
        }
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

    /// A note, at `occurred_ms` when it is backdated (`note --at 14:05 …`).
    pub fn note(
        &mut self,
        by: &str,
        text: &str,
        occurred_ms: Option<i64>,
        now_ms: i64,
    ) -> Result<(), Refusal> {
        let at = occurred_ms.unwrap_or(now_ms);
        if at > now_ms {
            return Err(Refusal::BadTime);
        }
        self.record_at(
            by,
            at,
            now_ms,
            What::Note {
                text: text.trim().to_owned(),
            },
        );
        Ok(())
    }

    /// A stakeholder update: it also counts as the status update reminders wait for.
    pub fn update(&mut self, by: &str, text: &str, now_ms: i64) -> Result<(), Refusal> {
        self.record(
            by,
            now_ms,
            What::Update {
                text: text.trim().to_owned(),
            },
        );
        Ok(())
    }

    pub fn handover(&mut self, by: &str, h: Handover, now_ms: i64) -> Result<(), Refusal> {
        self.open()?;
        let to = h.to.clone();
        self.record(by, now_ms, What::Handover(h));
        if self.commander() != Some(to.as_str()) {
            self.roles.insert(Role::Commander, UserId::new(to));
        }
        Ok(())
    }

    /// A new action item; returns its number.
    pub fn add_action(
        &mut self,
        by: &str,
        text: &str,
        owner: Option<&str>,
        due: Option<&str>,
        now_ms: i64,
    ) -> u32 {
        let number = self.actions.len() as u32 + 1;
        self.actions.push(ActionItem {
            number,
            text: text.trim().to_owned(),
            owner: owner.map(str::to_owned),
            due: due.map(str::to_owned),
            by: by.to_owned(),
            created_ms: now_ms,
            link: None,
        });
        self.record(
            by,
            now_ms,
            What::Action {
                number,
                text: text.trim().to_owned(),
                owner: owner.map(str::to_owned),
            },
        );
        number
    }

    /// Tick (or untick) checklist step `step` of `steps` in all.
    pub fn tick(
        &mut self,
        by: &str,
        step: usize,
        steps: usize,
        now_ms: i64,
    ) -> Result<bool, Refusal> {
        if step >= steps {
            return Err(Refusal::NoSuchStep);
        }
        if let Some(i) = self.ticks.iter().position(|t| t.step == step) {
            self.ticks.remove(i);
            return Ok(false);
        }
        self.ticks.push(Tick {
            step,
            by: by.to_owned(),
            at_ms: now_ms,
        });
        self.record(by, now_ms, What::Tick { step });
        Ok(true)
    }

    /// The impact began earlier (or later) than first said.
    pub fn correct_impact(&mut self, by: &str, at_ms: i64, now_ms: i64) -> Result<(), Refusal> {
        if at_ms > now_ms {
            return Err(Refusal::BadTime);
        }
        if at_ms == self.impact_started_ms {
            return Err(Refusal::Unchanged);
        }
        let from_ms = self.impact_started_ms;
        self.impact_started_ms = at_ms;
        self.detected_ms = self.detected_ms.max(at_ms);
        self.record(
            by,
            now_ms,
            What::ImpactCorrected {
                from_ms,
                to_ms: at_ms,
            },
        );
        Ok(())
    }

    /// Whether a change to `subject` concerns this incident: its services name it (an app
    /// matches `app/env`), or no service was named.
    pub fn affected_by(&self, subject: &str) -> bool {
        self.services.is_empty()
            || self
                .services
                .iter()
                .any(|s| subject == s || subject.split('/').next() == Some(s.as_str()))
    }

    /// When the last status update was given (a stakeholder update, a status change, the
    /// declaration): reminders count from here.
    pub fn last_update_ms(&self) -> i64 {
        self.timeline
            .iter()
            .filter(|e| {
                matches!(
                    e.what,
                    What::Declared { .. } | What::Status { .. } | What::Update { .. }
                )
            })
            .map(|e| e.recorded_ms)
            .max()
            .unwrap_or(self.declared_ms)
    }

    /// Set action item `number`'s issue link if it is still `expected` (`None`: no issue yet):
    /// claiming it with a placeholder first means an issue is opened once, whoever runs.
    pub fn swap_action_link(
        &mut self,
        number: u32,
        expected: Option<&str>,
        link: Option<&str>,
    ) -> bool {
        match self.actions.iter_mut().find(|a| a.number == number) {
            Some(a) if a.link.as_deref() == expected => {
                a.link = link.map(str::to_owned);
                true
            }
            _ => false,
        }
    }

    pub fn metrics(&self) -> Metrics {
        let since = |t: Option<i64>, from: i64| t.map(|t| (t - from).max(0));
        Metrics {
            detect: since(Some(self.detected_ms), self.impact_started_ms),
            acknowledge: since(self.acknowledged_ms, self.detected_ms),
            mitigate: since(self.mitigated_ms, self.impact_started_ms),
            resolve: since(self.resolved_ms, self.impact_started_ms),
        }
    }

    /// The timeline in the order things happened.
    pub fn ordered(&self) -> Vec<&Entry> {
        let mut all: Vec<&Entry> = self.timeline.iter().collect();
        all.sort_by_key(|e| (e.occurred_ms, e.recorded_ms));
        all
    }
}

#[cfg(test)]
pub(crate) mod tests;

//! Pure incident state: declaration, status, severity, roles, notes, action items, captured
//! messages, milestones and the timeline they leave. Times are Unix milliseconds in UTC;
//! `occurred` is when it happened, `recorded` when banto learnt of it.

mod alert;
mod follow_up;
mod naming;
mod reminders;
mod suspects;
mod timeline;
mod when;

pub use alert::{AlertEpisode, AlertState, Observed, services_from, severity_from};
pub use follow_up::FollowUp;
pub use naming::{channel_name, slug};
pub use reminders::{Nudge, Nudged, next_nudge, working_hours_start};
pub use suspects::{Suspect, SuspectChange, Verdict, rank};
pub use timeline::{Captured, Entry, Handover, Lesson, What};
pub use when::{BadTime, is_date, local_time};

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
    pub reporter: String,
    pub roles: BTreeMap<Role, String>,
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
    /// The checklist message, edited as steps are ticked.
    #[serde(default)]
    pub checklist_ts: Option<String>,
    /// The suspect-changes card, edited as suspects are confirmed or dismissed.
    #[serde(default)]
    pub suspects_ts: Option<String>,
    /// The announcement in the broadcast channel, once posted (a declaration's last step).
    #[serde(default)]
    pub announcement_ts: Option<String>,
    /// The environments the channel was told this incident freezes (`app/env`), and how many
    /// freezes it has lifted (a reopened incident freezes again under a new name).
    #[serde(default)]
    pub frozen: Vec<String>,
    #[serde(default)]
    pub thaws: u32,
    /// Changes saved whose follow-up is not done yet (see `FollowUp`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub follow_ups: Vec<FollowUp>,
    /// The queue row whose handling declared it: another row asking for the same incident (a
    /// second form for one alert) leaves the declaring to that row.
    #[serde(default)]
    pub declared_row: Option<String>,
    /// The message it was declared from (message shortcut, alert card): a permalink.
    #[serde(default)]
    pub source_link: Option<String>,
    /// The postmortem's pull request in the docs repository, once there is one.
    #[serde(default)]
    pub postmortem: Option<PostmortemDoc>,
    /// The last nudge for a status update.
    #[serde(default)]
    pub nudged: Option<Nudged>,
}

/// Where the postmortem draft went on GitHub.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostmortemDoc {
    pub pr: u64,
    pub url: String,
    /// The file, named once (a later retitle does not fork it).
    pub path: String,
    /// The blob banto last wrote: a different one on the branch means people edited it.
    pub written: String,
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
            reporter: d.reporter.to_owned(),
            roles: d
                .commander
                .map(|c| BTreeMap::from([(Role::Commander, c.to_owned())]))
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
        self.roles.get(&Role::Commander).map(String::as_str)
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
        if self.roles.get(&role).is_some_and(|u| u == user) {
            return Err(Refusal::Unchanged);
        }
        self.roles.insert(role, user.to_owned());
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
            self.roles.insert(Role::Commander, to);
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
pub(crate) mod tests {
    use super::*;

    pub(crate) fn incident() -> Incident {
        Incident::declare(&Declaration {
            title: " Database latency ",
            services: &["api".to_owned()],
            ..declaration()
        })
    }

    #[test]
    fn a_declared_incident_investigates_with_its_reporter_in_command() {
        let i = incident();
        assert_eq!(i.title, "Database latency");
        assert_eq!((i.status, i.severity), (Status::Investigating, 2));
        assert_eq!(i.commander(), Some("UALICE"));
        assert_eq!(i.timeline.len(), 1);
        assert_eq!(i.timeline[0].what, What::Declared { severity: 2 });
        assert_eq!((i.detected_ms, i.acknowledged_ms), (5_000, Some(5_000)));
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
        i.note("UCAROL", "failover started", None, 9_000).unwrap();
        i.set_status("UBOB", Status::Monitoring, 10_000).unwrap();
        i.set_status("UBOB", Status::Resolved, 11_000).unwrap();
        assert_eq!(i.resolved_ms, Some(11_000));
        assert_eq!(i.mitigated_ms, Some(10_000), "monitoring means mitigated");
        assert_eq!(
            i.set_severity("UBOB", 2, 11_000),
            Err(Refusal::AlreadyResolved)
        );
        assert_eq!(i.timeline.len(), 7);
        assert_eq!(i.commander(), Some("UBOB"));
        i.set_status("UBOB", Status::Investigating, 12_000).unwrap();
        assert_eq!((i.resolved_ms, i.mitigated_ms), (None, None), "reopened");
    }

    #[test]
    fn a_mitigation_typed_in_the_minute_the_impact_started_is_not_before_it() {
        let mut i = Incident::declare(&Declaration {
            impact_started_ms: 90_000,
            now_ms: 120_000,
            ..declaration()
        });
        assert_eq!(
            i.clone().resolve("UALICE", Some(59_999), 200_000),
            Err(Refusal::BadTime),
            "the minute before"
        );
        i.resolve("UALICE", Some(60_000), 200_000).unwrap();
        assert_eq!(i.mitigated_ms, Some(90_000), "not before the impact itself");
        assert_eq!(i.metrics().mitigate, Some(0));
    }

    fn declaration() -> Declaration<'static> {
        Declaration {
            title: "Database latency",
            kind: "database",
            severity: 2,
            private: false,
            reporter: "UALICE",
            commander: Some("UALICE"),
            services: &[],
            impact_started_ms: 1_000,
            detected_ms: None,
            now_ms: 5_000,
        }
    }

    #[test]
    fn resolving_needs_the_mitigation_time_and_metrics_count_from_the_impact() {
        let mut i = incident();
        assert_eq!(
            i.resolve("UALICE", None, 60_000),
            Err(Refusal::MitigationUnknown)
        );
        assert_eq!(
            i.resolve("UALICE", Some(70_000), 60_000),
            Err(Refusal::BadTime),
            "not in the future"
        );
        assert_eq!(i.status, Status::Investigating);
        i.resolve("UALICE", Some(30_000), 60_000).unwrap();
        assert_eq!(
            i.metrics(),
            Metrics {
                detect: Some(4_000),
                acknowledge: Some(0),
                mitigate: Some(29_000),
                resolve: Some(59_000),
            }
        );
        let mitigated = i.ordered().into_iter().find(|e| e.what == What::Mitigated);
        assert_eq!(mitigated.map(|e| e.occurred_ms), Some(30_000));
        assert_eq!(
            i.resolve("UALICE", None, 61_000),
            Err(Refusal::AlreadyResolved)
        );
        assert_eq!(i.reopen("UALICE", Status::Resolved, 62_000), Ok(()));
        assert_eq!(i.status, Status::Investigating);
    }

    #[test]
    fn backdated_notes_sit_where_they_happened() {
        let mut i = incident();
        i.note("UBOB", "later", None, 9_000).unwrap();
        i.note("UBOB", "error rate rose", Some(2_000), 9_500)
            .unwrap();
        assert_eq!(
            i.note("UBOB", "x", Some(10_000), 9_500),
            Err(Refusal::BadTime)
        );
        let texts: Vec<String> = i
            .ordered()
            .iter()
            .filter_map(|e| match &e.what {
                What::Note { text } => Some(text.clone()),
                _ => None,
            })
            .collect();
        assert_eq!(texts, ["error rate rose", "later"]);
    }

    #[test]
    fn checklist_ticks_toggle_and_action_items_number_themselves() {
        let mut i = incident();
        assert_eq!(i.tick("UBOB", 1, 3, 6_000), Ok(true));
        assert_eq!(
            i.tick("UBOB", 1, 3, 6_500),
            Ok(false),
            "a second click unticks"
        );
        assert_eq!(i.tick("UBOB", 3, 3, 6_500), Err(Refusal::NoSuchStep));
        assert_eq!(
            i.add_action("UBOB", "Add replica lag alarm", Some("UKENJI"), None, 7_000),
            1
        );
        assert_eq!(
            i.add_action(
                "UBOB",
                "Runbook for failover",
                None,
                Some("2026-12-04"),
                7_000
            ),
            2
        );
        assert_eq!(i.actions[1].due.as_deref(), Some("2026-12-04"));
    }

    #[test]
    fn affected_services_match_apps_in_any_environment() {
        let i = incident();
        assert!(i.affected_by("api/production"));
        assert!(i.affected_by("api"));
        assert!(!i.affected_by("web/production"));
        let mut all = incident();
        all.services.clear();
        assert!(all.affected_by("network"), "no service named: everything");
    }
}

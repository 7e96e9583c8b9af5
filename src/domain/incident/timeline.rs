//! What the timeline holds: every change to an incident, the messages people marked, and the
//! changes to its services, each with when it happened and when banto learnt of it.

use super::{Incident, Role, Status, SuspectChange};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum What {
    Declared {
        severity: u8,
    },
    Status {
        from: Status,
        to: Status,
    },
    Severity {
        from: u8,
        to: u8,
    },
    Role {
        role: Role,
        user: String,
    },
    Note {
        text: String,
    },
    /// A stakeholder update.
    Update {
        text: String,
    },
    Handover(Handover),
    Action {
        number: u32,
        text: String,
        owner: Option<String>,
    },
    /// Checklist step `step` (from 0) done.
    Tick {
        step: usize,
    },
    Captured(Captured),
    /// A deploy or apply to an affected service.
    Change {
        change: crate::domain::changes::ChangeKind,
        subject: String,
        detail: String,
    },
    /// A change confirmed as the trigger.
    Culprit {
        subject: String,
        detail: String,
    },
    Mitigated,
    ImpactCorrected {
        from_ms: i64,
        to_ms: i64,
    },
    /// An alert attached to the incident fired or resolved.
    Alert {
        name: String,
        firing: bool,
        #[serde(default)]
        summary: String,
        #[serde(default)]
        link: Option<String>,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub occurred_ms: i64,
    pub recorded_ms: i64,
    /// Slack user id, or `banto`.
    pub by: String,
    pub what: What,
}

/// A Slack message marked for the timeline (📌 or pinned), thread replies included.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Captured {
    pub channel: String,
    pub ts: String,
    pub thread_ts: Option<String>,
    /// Who wrote it.
    pub author: String,
    pub text: String,
    pub edited: bool,
    pub deleted: bool,
    /// Marked as a lesson for the postmortem (its own emoji), not only for the timeline.
    #[serde(default)]
    pub lesson: Option<Lesson>,
}

/// What a marked message teaches: the postmortem's "went well / went wrong / got lucky".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lesson {
    WentWell,
    WentWrong,
    Lucky,
}

/// What the outgoing commander leaves the next one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Handover {
    pub to: String,
    pub state: String,
    pub hypotheses: String,
    pub tried: String,
    pub next: String,
}

impl Incident {
    /// An attached alert fired or resolved at `occurred_ms`; the same report twice is one entry.
    pub fn alert(
        &mut self,
        name: &str,
        firing: bool,
        summary: &str,
        link: Option<&str>,
        occurred_ms: i64,
        now_ms: i64,
    ) -> Result<(), super::Refusal> {
        let what = What::Alert {
            name: name.to_owned(),
            firing,
            summary: summary.to_owned(),
            link: link.map(str::to_owned),
        };
        if self
            .timeline
            .iter()
            .any(|e| e.what == what && e.occurred_ms == occurred_ms)
        {
            return Err(super::Refusal::Unchanged);
        }
        self.record_at("banto", occurred_ms, now_ms, what);
        Ok(())
    }

    /// A message someone marked (📌, a pin, a lesson's emoji) becomes a timeline entry at the
    /// time it was posted; marked again as a lesson, it keeps the lesson. False: nothing new.
    pub fn capture(&mut self, by: &str, c: Captured, posted_ms: i64, now_ms: i64) -> bool {
        if let Some(old) = self.captured(&c.channel, &c.ts) {
            if c.lesson.is_none() || old.lesson == c.lesson {
                return false;
            }
            old.lesson = c.lesson;
            return true;
        }
        self.record_at(by, posted_ms, now_ms, What::Captured(c));
        true
    }

    fn captured(&mut self, channel: &str, ts: &str) -> Option<&mut Captured> {
        self.timeline.iter_mut().find_map(|e| match &mut e.what {
            What::Captured(c) if c.channel == channel && c.ts == ts => Some(c),
            _ => None,
        })
    }

    /// A captured message was edited: the timeline keeps the new text. False: not captured.
    pub fn captured_edited(&mut self, channel: &str, ts: &str, text: &str) -> bool {
        match self.captured(channel, ts) {
            Some(c) if c.text != text => {
                c.text = text.to_owned();
                c.edited = true;
                true
            }
            _ => false,
        }
    }

    /// A captured message was deleted: its text leaves the timeline (it may have been posted
    /// by mistake), the entry says it was deleted.
    pub fn captured_deleted(&mut self, channel: &str, ts: &str) -> bool {
        match self.captured(channel, ts) {
            Some(c) if !c.deleted => {
                c.text.clear();
                c.deleted = true;
                true
            }
            _ => false,
        }
    }

    /// A change (deploy, apply) to an affected service while the incident is open. False: it
    /// is on the timeline already.
    pub fn change_happened(&mut self, change: &SuspectChange, now_ms: i64) -> bool {
        let known = self.timeline.iter().any(|e| {
            e.occurred_ms == change.finished_ms
                && matches!(&e.what, What::Change { subject, .. } if *subject == change.subject)
        });
        if known {
            return false;
        }
        self.record_at(
            &change.actor,
            change.finished_ms,
            now_ms,
            What::Change {
                change: change.kind,
                subject: change.subject.clone(),
                detail: change.summary.clone(),
            },
        );
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::incident::tests::incident;

    #[test]
    fn captured_messages_follow_edits_and_forget_deleted_text() {
        let mut i = incident();
        let c = Captured {
            channel: "C1".into(),
            ts: "100.000200".into(),
            thread_ts: Some("100.000100".into()),
            author: "UBOB".into(),
            text: "failover started".into(),
            edited: false,
            deleted: false,
            lesson: None,
        };
        assert!(i.capture("UALICE", c.clone(), 100_000, 200_000));
        assert!(!i.capture("UKENJI", c.clone(), 100_000, 201_000), "once");
        let lucky = Captured {
            lesson: Some(Lesson::Lucky),
            ..c
        };
        assert!(
            i.capture("UKENJI", lucky.clone(), 100_000, 202_000),
            "now a lesson"
        );
        assert!(!i.capture("UKENJI", lucky, 100_000, 203_000));
        assert_eq!(i.timeline.len(), 2, "one entry, marked twice");
        assert!(i.captured_edited("C1", "100.000200", "failover finished"));
        assert!(!i.captured_edited("C1", "999.0", "x"));
        let entry = i.timeline.last().unwrap();
        assert_eq!((entry.occurred_ms, entry.recorded_ms), (100_000, 200_000));
        assert!(i.captured_deleted("C1", "100.000200"));
        match &i.timeline.last().unwrap().what {
            What::Captured(c) => assert!(c.deleted && c.text.is_empty() && c.edited),
            other => panic!("{other:?}"),
        }
    }
}

//! What the timeline holds: every change to an incident, the messages people marked, and the
//! changes to its services, each with when it happened and when banto learnt of it.

use super::{Role, Status};
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
        /// `deploy` or `terraform_apply`.
        change: String,
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

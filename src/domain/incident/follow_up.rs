//! What follows a change to an incident, decided once from the before/after difference when the
//! change is saved, and kept on the incident until it is done: a run that stops halfway (a
//! crash, Slack down) leaves it there, and the retry of the same event finishes it in the same
//! effect scope, so nothing is said twice and nothing is left unsaid.

use super::{Incident, Status};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowUp {
    /// The queue row whose handling made the change (`inbox:42`): only its retry finishes it.
    pub row: String,
    /// Who made the change.
    pub by: String,
    /// The timeline entries the change added, `[from, to)`.
    pub entries: (usize, usize),
    /// What the header card shows changed.
    pub card: bool,
    pub resolved: bool,
    pub impact_moved: bool,
    pub severity_changed: bool,
}

impl FollowUp {
    pub fn between(before: &Incident, after: &Incident, by: &str, row: &str) -> Self {
        Self {
            row: row.to_owned(),
            by: by.to_owned(),
            entries: (
                before.timeline.len().min(after.timeline.len()),
                after.timeline.len(),
            ),
            card: card_state(before) != card_state(after),
            resolved: before.is_open() && !after.is_open(),
            impact_moved: before.impact_started_ms != after.impact_started_ms,
            severity_changed: before.severity != after.severity,
        }
    }
}

/// What the header card shows: a change to anything else does not edit it.
fn card_state(i: &Incident) -> (u8, Status, Option<&str>, i64, Option<i64>) {
    (
        i.severity,
        i.status,
        i.commander(),
        i.impact_started_ms,
        i.mitigated_ms,
    )
}

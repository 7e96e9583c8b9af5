//! Deploy holds: a set per app+environment, not a slot. An incident's freeze, a rollback's hold
//! and a manual lock live side by side, each with its owner and reason, and each is lifted only
//! by what owns it: resolving the incident lifts its freeze; `/deploy unlock` lifts rollback and
//! manual holds, never a freeze.

use crate::ids::{IncidentId, UserId};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Who placed a hold, and so what may lift it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum HoldKind {
    /// A SEV1/2 incident's deploy freeze: people are held too, unless they break glass; it lifts
    /// when the incident is resolved (or no longer freezes).
    Freeze(IncidentId),
    /// Written once a rollback is under way: automation must not roll it forward again.
    Rollback,
    /// `/deploy lock`: automatic bumps wait.
    Manual,
}

impl HoldKind {
    /// The kind as stored, and the freezing incident's id (0 for the others).
    pub fn to_row(self) -> (&'static str, i64) {
        match self {
            HoldKind::Freeze(id) => ("incident", id.0),
            HoldKind::Rollback => ("rollback", 0),
            HoldKind::Manual => ("manual", 0),
        }
    }

    pub fn from_row(kind: &str, incident: i64) -> anyhow::Result<Self> {
        Ok(match kind {
            "incident" => HoldKind::Freeze(IncidentId(incident)),
            "rollback" => HoldKind::Rollback,
            "manual" => HoldKind::Manual,
            other => anyhow::bail!("unknown hold kind {other:?}"),
        })
    }
}

/// Why a hold is there, as what placed it says it; messages word it in each language.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "why", rename_all = "snake_case")]
pub enum HoldWhy {
    /// The freezing incident, at its severity, under its (masked) title.
    Incident { severity: u8, title: String },
    /// A rollback from what ran to the tag it went back to.
    RolledBack { from: Option<String>, to: String },
    /// What the person who locked it typed.
    Said { text: String },
}

/// For the audit log and logs (bot text words it through `messages`).
impl fmt::Display for HoldWhy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HoldWhy::Incident { severity, title } => write!(f, "SEV{severity}: {title}"),
            HoldWhy::RolledBack { from, to } => write!(
                f,
                "rolled back from {} to {to}",
                from.as_deref().unwrap_or("none")
            ),
            HoldWhy::Said { text } => f.write_str(text),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hold {
    pub kind: HoldKind,
    pub why: HoldWhy,
    /// The incident's commander or reporter for a freeze.
    pub by: UserId,
    pub since_ms: i64,
}

impl Hold {
    /// People are stopped only by a freeze (they may roll forward over a rollback or a lock on
    /// purpose); automation is stopped by every hold.
    pub fn stops(&self, automatic: bool) -> bool {
        automatic || matches!(self.kind, HoldKind::Freeze(_))
    }

    /// `/deploy unlock` lifts this one.
    pub fn unlockable(&self) -> bool {
        !matches!(self.kind, HoldKind::Freeze(_))
    }
}

/// Every hold in force on one app+environment, in a stable order (freezes first).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Holds(Vec<Hold>);

impl Holds {
    pub fn new(mut holds: Vec<Hold>) -> Self {
        holds.sort_by_key(|h| (h.kind, h.since_ms));
        Self(holds)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn all(&self) -> &[Hold] {
        &self.0
    }

    /// Whether an ask is stopped: automation by any hold, a person (without break-glass) by a
    /// freeze, a break-glass or rollback by nothing.
    pub fn stop(&self, automatic: bool, break_glass: bool) -> bool {
        self.0
            .iter()
            .any(|h| h.stops(automatic) && (automatic || !break_glass))
    }

    /// The incidents freezing this environment.
    pub fn freezes(&self) -> impl Iterator<Item = IncidentId> + '_ {
        self.0.iter().filter_map(|h| match h.kind {
            HoldKind::Freeze(id) => Some(id),
            _ => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hold(kind: HoldKind, since_ms: i64) -> Hold {
        Hold {
            kind,
            why: HoldWhy::Said { text: "r".into() },
            by: "UALICE".into(),
            since_ms,
        }
    }

    #[test]
    fn who_each_hold_stops() {
        let rollback = Holds::new(vec![hold(HoldKind::Rollback, 1)]);
        assert!(rollback.stop(true, false), "automation waits");
        assert!(!rollback.stop(false, false), "a person may roll forward");
        let both = Holds::new(vec![
            hold(HoldKind::Rollback, 1),
            hold(HoldKind::Freeze(IncidentId(3)), 2),
        ]);
        assert!(
            both.stop(false, false),
            "a freeze beside a rollback still holds people"
        );
        assert!(!both.stop(false, true), "unless they break glass");
        assert!(both.stop(true, true), "automation never breaks glass");
        assert!(!Holds::default().stop(true, false));
    }

    #[test]
    fn freezes_come_first_and_only_they_resist_unlock() {
        let holds = Holds::new(vec![
            hold(HoldKind::Manual, 1),
            hold(HoldKind::Rollback, 2),
            hold(HoldKind::Freeze(IncidentId(9)), 3),
            hold(HoldKind::Freeze(IncidentId(4)), 4),
        ]);
        let kinds: Vec<HoldKind> = holds.all().iter().map(|h| h.kind).collect();
        assert_eq!(
            kinds,
            [
                HoldKind::Freeze(IncidentId(4)),
                HoldKind::Freeze(IncidentId(9)),
                HoldKind::Rollback,
                HoldKind::Manual
            ]
        );
        assert_eq!(
            holds.freezes().collect::<Vec<_>>(),
            [IncidentId(4), IncidentId(9)]
        );
        let unlockable: Vec<bool> = holds.all().iter().map(Hold::unlockable).collect();
        assert_eq!(unlockable, [false, false, true, true]);
    }

    #[test]
    fn kinds_round_trip_through_rows() {
        for k in [
            HoldKind::Freeze(IncidentId(12)),
            HoldKind::Rollback,
            HoldKind::Manual,
        ] {
            let (kind, incident) = k.to_row();
            assert_eq!(HoldKind::from_row(kind, incident).unwrap(), k);
        }
        assert!(HoldKind::from_row("other", 0).is_err());
    }
}

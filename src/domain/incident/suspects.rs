//! Which changes probably caused an incident: those finished in the window before the impact
//! started, the closest and riskiest first (a production deploy, a Terraform apply that
//! destroys or replaces).

use super::{Incident, Refusal, What};
use crate::domain::changes::{ChangeEvent, ChangeKind};
use crate::ids::{ChangeId, DeployId};
use serde::{Deserialize, Serialize};

/// A change event as a suspect sees it (kept in the incident, so it stays as it was seen).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuspectChange {
    pub id: ChangeId,
    pub kind: ChangeKind,
    /// `app/env` or the Terraform project.
    pub subject: String,
    pub actor: String,
    pub finished_ms: i64,
    /// One line for people: `#12 v1.4.1 → v1.5.0`.
    pub summary: String,
    /// A deploy to an environment that needs approval.
    pub production: bool,
    /// Resources an apply destroyed or replaced.
    pub destructive: u32,
    /// The deploy a Roll back undoes.
    pub deploy: Option<DeployId>,
}

impl From<&ChangeEvent> for SuspectChange {
    fn from(e: &ChangeEvent) -> Self {
        let c = &e.change;
        Self {
            id: e.id,
            kind: c.kind(),
            subject: c.subject(),
            actor: e.actor.clone(),
            finished_ms: e.finished_at,
            summary: c.summary(),
            production: c.production(),
            destructive: c.destructive(),
            deploy: c.deploy(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Open,
    Confirmed,
    Dismissed,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suspect {
    pub change: SuspectChange,
    pub verdict: Verdict,
    pub by: Option<String>,
}

impl SuspectChange {
    fn risk(&self) -> f64 {
        match self.kind {
            ChangeKind::Deploy if self.production => 1.0,
            ChangeKind::Deploy => 0.2,
            _ if self.destructive > 0 => 1.0,
            _ => 0.5,
        }
    }
}

/// The changes that finished within `window_ms` before `impact_ms` (and up to it), best
/// suspects first: closeness to the impact (1 at the impact, 0 at the window's start) plus risk.
pub fn rank(changes: Vec<SuspectChange>, impact_ms: i64, window_ms: i64) -> Vec<SuspectChange> {
    let window = window_ms.max(1) as f64;
    let mut scored: Vec<(f64, SuspectChange)> = changes
        .into_iter()
        .filter(|c| c.finished_ms <= impact_ms && c.finished_ms >= impact_ms - window_ms)
        .map(|c| {
            let closeness = 1.0 - (impact_ms - c.finished_ms) as f64 / window;
            (closeness + c.risk(), c)
        })
        .collect();
    scored.sort_by(|a, b| {
        b.0.total_cmp(&a.0)
            .then(b.1.finished_ms.cmp(&a.1.finished_ms))
    });
    scored.into_iter().map(|(_, c)| c).collect()
}

impl Incident {
    /// The ranked suspects, keeping what people already decided about the ones still there.
    pub fn set_suspects(&mut self, ranked: Vec<SuspectChange>) {
        let old = std::mem::take(&mut self.suspects);
        self.suspects = ranked
            .into_iter()
            .map(|change| {
                let judged = old.iter().find(|s| s.change.id == change.id);
                Suspect {
                    verdict: judged.map_or(Verdict::Open, |s| s.verdict),
                    by: judged.and_then(|s| s.by.clone()),
                    change,
                }
            })
            .collect();
    }

    /// Confirm a suspect as the trigger (it goes on the timeline) or dismiss it.
    pub fn judge(
        &mut self,
        change: ChangeId,
        confirm: bool,
        by: &str,
        now_ms: i64,
    ) -> Result<(), Refusal> {
        let s = self
            .suspects
            .iter_mut()
            .find(|s| s.change.id == change)
            .ok_or(Refusal::NoSuchSuspect)?;
        let verdict = if confirm {
            Verdict::Confirmed
        } else {
            Verdict::Dismissed
        };
        if s.verdict == verdict {
            return Err(Refusal::Unchanged);
        }
        s.verdict = verdict;
        s.by = Some(by.to_owned());
        if confirm {
            let (subject, detail) = (s.change.subject.clone(), s.change.summary.clone());
            self.record(by, now_ms, What::Culprit { subject, detail });
        }
        Ok(())
    }

    /// The confirmed trigger, if anyone confirmed one.
    pub fn culprit(&self) -> Option<&SuspectChange> {
        self.suspects
            .iter()
            .find(|s| s.verdict == Verdict::Confirmed)
            .map(|s| &s.change)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::incident::tests::incident;

    const MIN: i64 = 60_000;

    fn change(
        id: i64,
        kind: &str,
        minutes_before: i64,
        production: bool,
        destructive: u32,
    ) -> SuspectChange {
        SuspectChange {
            id: ChangeId(id),
            kind: ChangeKind::parse(kind).unwrap(),
            subject: format!("s{id}"),
            actor: "UBOB".into(),
            finished_ms: 1_000 * MIN - minutes_before * MIN,
            summary: String::new(),
            production,
            destructive,
            deploy: None,
        }
    }

    #[test]
    fn a_production_deploy_twenty_minutes_before_ranks_first() {
        let ranked = rank(
            vec![
                change(1, "deploy", 5, false, 0),
                change(2, "deploy", 20, true, 0),
                change(3, "terraform_apply", 90, false, 0),
                change(4, "terraform_apply", 200, false, 3),
                change(5, "deploy", -10, true, 0),
            ],
            1_000 * MIN,
            120 * MIN,
        );
        let ids: Vec<i64> = ranked.iter().map(|c| c.id.0).collect();
        assert_eq!(
            ids,
            [2, 1, 3],
            "outside the window or after the impact: not suspects"
        );
        let destroys = rank(
            vec![
                change(6, "terraform_apply", 60, false, 2),
                change(7, "deploy", 50, false, 0),
            ],
            1_000 * MIN,
            120 * MIN,
        );
        assert_eq!(
            destroys[0].id,
            ChangeId(6),
            "an apply that destroys outranks a closer staging deploy"
        );
    }

    #[test]
    fn suspects_keep_their_verdicts_when_ranked_again() {
        let mut i = incident();
        let change = |id| SuspectChange {
            id: ChangeId(id),
            kind: ChangeKind::Deploy,
            subject: "api/production".into(),
            actor: "UBOB".into(),
            finished_ms: 500,
            summary: format!("#{id}"),
            production: true,
            destructive: 0,
            deploy: Some(DeployId(id)),
        };
        i.set_suspects(vec![change(1), change(2)]);
        i.judge(ChangeId(1), true, "UALICE", 6_000).unwrap();
        assert_eq!(
            i.judge(ChangeId(1), true, "UALICE", 6_000),
            Err(Refusal::Unchanged)
        );
        assert_eq!(
            i.judge(ChangeId(9), false, "UALICE", 6_000),
            Err(Refusal::NoSuchSuspect)
        );
        i.set_suspects(vec![change(3), change(1)]);
        assert_eq!(i.culprit().map(|c| c.id), Some(ChangeId(1)));
        assert_eq!(i.suspects[0].verdict, Verdict::Open);
        assert!(matches!(
            i.timeline.last().unwrap().what,
            What::Culprit { .. }
        ));
    }
}

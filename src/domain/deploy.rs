//! The life of one deploy, as a pure state machine: requested → PR open → (approvals) → merged
//! → synced, with the checks that make it safe: freeze windows (break-glass needs a reason and a
//! second approver), holds after a rollback, "the environment moved since you asked", and the
//! approval rules Terraform uses.

pub use super::approval::{Approvable, Approved, Policy, Refusal};
use super::freeze::FreezeWindow;
pub use super::hold::{Hold, HoldKind, HoldWhy, Holds};
use crate::ids::UserId;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum DeployState {
    /// The PR is open; it merges when approvals are complete (or at once when auto-merged).
    AwaitingApproval,
    Merged,
    /// Argo CD reports the new revision synced and healthy.
    Healthy,
    Degraded {
        message: String,
    },
    Rejected {
        by: UserId,
        reason: String,
    },
    /// Not merged: the environment moved, a newer deploy replaced it, or the merge was refused.
    Superseded {
        why: Superseded,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "why", rename_all = "snake_case")]
pub enum Superseded {
    /// The environment now runs `current`, not the tag this deploy was planned from.
    EnvironmentMoved {
        current: String,
    },
    NewerDeploy {
        id: crate::ids::DeployId,
    },
    MergeRefused {
        message: String,
    },
    /// Approved, but these incidents froze the environment after it was asked for.
    Frozen {
        incidents: Vec<crate::ids::IncidentId>,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deploy {
    pub app: String,
    pub env: String,
    pub tag: String,
    /// What the environment ran when this was asked for (None: the file had no tag yet).
    pub from: Option<String>,
    pub requested_by: String,
    pub state: DeployState,
    pub approvals: Vec<UserId>,
    pub required_approvals: u32,
    /// A break-glass deploy during a freeze: its reason (it needs one more approver).
    pub break_glass: Option<String>,
    /// A rollback: neither freeze windows nor incident freezes stop it.
    #[serde(default)]
    pub rollback: bool,
}

/// Where a deploy lives besides its state.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeployMeta {
    pub branch: String,
    pub pr: Option<u64>,
    /// The PR head that was approved: the merge is pinned to it.
    pub head_sha: Option<String>,
    #[serde(flatten)]
    pub card: super::card::CardPlace,
    /// The unified diff of the edit, for the card.
    #[serde(default)]
    pub diff: String,
    /// The merge commit on the base branch, once merged (Argo CD reports revisions).
    #[serde(default)]
    pub merge_sha: Option<String>,
    #[serde(default)]
    pub requested_ms: i64,
}

impl DeployState {
    /// Merged into the GitOps repo, whatever Argo CD says of it since.
    pub fn is_merged(&self) -> bool {
        matches!(
            self,
            DeployState::Merged | DeployState::Healthy | DeployState::Degraded { .. }
        )
    }

    pub fn label(&self) -> &'static str {
        match self {
            DeployState::AwaitingApproval => "awaiting_approval",
            DeployState::Merged => "merged",
            DeployState::Healthy => "healthy",
            DeployState::Degraded { .. } => "degraded",
            DeployState::Rejected { .. } => "rejected",
            DeployState::Superseded { .. } => "superseded",
        }
    }
}

/// Why a deploy may not even start.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Blocked {
    /// In a freeze window until `until`; break-glass with a reason is possible.
    Frozen {
        window: String,
        until: DateTime<Utc>,
    },
    /// Holds stop this ask; every hold in force is named.
    Held(Holds),
}

/// Check a request against freeze windows and holds. `automatic` bumps respect every hold;
/// people may deploy over a rollback's hold or a lock on purpose (that is how a rollback is
/// rolled forward), but not over an incident's freeze or a freeze window without break-glass (a
/// rollback counts as break-glass).
pub fn check_start(
    now: DateTime<Utc>,
    windows: &[FreezeWindow],
    holds: &Holds,
    automatic: bool,
    break_glass: bool,
) -> Result<(), Blocked> {
    if holds.stop(automatic, break_glass) {
        return Err(Blocked::Held(holds.clone()));
    }
    if let Some((w, until)) = windows
        .iter()
        .find_map(|w| w.active_until(now).map(|u| (w, u)))
        && (automatic || !break_glass)
    {
        return Err(Blocked::Frozen {
            window: w.to_string(),
            until,
        });
    }
    Ok(())
}

/// What someone asked to deploy, and the environment's rules.
#[derive(Clone, Debug)]
pub struct Request<'a> {
    pub app: &'a str,
    pub env: &'a str,
    pub tag: &'a str,
    pub from: Option<&'a str>,
    pub requested_by: &'a str,
    pub min_approvals: u32,
    pub auto_merge: bool,
    pub break_glass: Option<&'a str>,
    pub rollback: bool,
}

impl Deploy {
    /// `min_approvals`, plus one for a break-glass deploy; auto-merge needs none (and no
    /// break-glass auto-merges).
    pub fn new(r: &Request<'_>) -> Self {
        let required_approvals = match (r.auto_merge, r.break_glass) {
            (true, None) => 0,
            (_, Some(_)) => r.min_approvals.max(1) + 1,
            (false, None) => r.min_approvals,
        };
        Self {
            app: r.app.to_owned(),
            env: r.env.to_owned(),
            tag: r.tag.to_owned(),
            from: r.from.map(str::to_owned),
            requested_by: r.requested_by.to_owned(),
            state: DeployState::AwaitingApproval,
            approvals: vec![],
            required_approvals,
            break_glass: r.break_glass.map(str::to_owned),
            rollback: r.rollback,
        }
    }

    pub fn ready_to_merge(&self) -> bool {
        self.state == DeployState::AwaitingApproval
            && self.approvals.len() as u32 >= self.required_approvals
    }

    /// Before merging: the environment must still run what it ran when this was asked for
    /// (`current` is the tag on the base branch now), and no incident may have frozen it since,
    /// unless this is a break-glass deploy or a rollback. Already merged (`current` is this
    /// deploy's tag) passes: only the record is behind.
    pub fn begin_merge(&mut self, current: Option<&str>, holds: &Holds) -> Result<(), Superseded> {
        let why = if current == Some(self.tag.as_str()) {
            return Ok(());
        } else if current != self.from.as_deref() {
            Superseded::EnvironmentMoved {
                current: current.unwrap_or("").to_owned(),
            }
        } else if holds.stop(false, self.break_glass.is_some() || self.rollback) {
            Superseded::Frozen {
                incidents: holds.freezes().collect(),
            }
        } else {
            return Ok(());
        };
        self.state = DeployState::Superseded { why: why.clone() };
        Err(why)
    }

    pub fn merged(&mut self) {
        if self.state == DeployState::AwaitingApproval {
            self.state = DeployState::Merged;
        }
    }

    pub fn supersede(&mut self, why: Superseded) -> bool {
        if self.state == DeployState::AwaitingApproval {
            self.state = DeployState::Superseded { why };
            true
        } else {
            false
        }
    }

    /// Argo CD's word on the synced revision.
    pub fn health(&mut self, healthy: bool, message: &str) {
        if self.state.is_merged() {
            self.state = if healthy {
                DeployState::Healthy
            } else {
                DeployState::Degraded {
                    message: message.to_owned(),
                }
            };
        }
    }
}

impl Approvable for Deploy {
    fn awaiting_approval(&self) -> bool {
        self.state == DeployState::AwaitingApproval
    }
    fn requested_by(&self) -> &str {
        &self.requested_by
    }
    fn approvals(&self) -> &[UserId] {
        &self.approvals
    }
    fn add_approval(&mut self, user: &UserId) {
        self.approvals.push(user.clone());
    }
    fn required_approvals(&self) -> u32 {
        self.required_approvals
    }
    fn set_rejected(&mut self, by: &UserId, reason: &str) {
        self.state = DeployState::Rejected {
            by: by.clone(),
            reason: reason.to_owned(),
        };
    }
    fn rejected_by(&self) -> Option<&UserId> {
        match &self.state {
            DeployState::Rejected { by, .. } => Some(by),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(allow_self_approval: bool) -> Policy {
        Policy::new(["UALICE", "UBOB", "UKENJI"], allow_self_approval)
    }

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn production_needs_approvals_and_not_your_own() {
        let mut d = Deploy::new(&Request {
            app: "web",
            env: "production",
            tag: "v1.4.3",
            from: Some("v1.4.2"),
            requested_by: "UBOB",
            min_approvals: 2,
            auto_merge: false,
            break_glass: None,
            rollback: false,
        });
        assert_eq!(
            d.approve(&UserId::from("UBOB"), &policy(false)),
            Err(Refusal::OwnRun)
        );
        assert_eq!(
            d.approve(&UserId::from("UMALLORY"), &policy(false)),
            Err(Refusal::NotAnApprover)
        );
        assert_eq!(
            d.approve(&UserId::from("UALICE"), &policy(false)),
            Ok(Approved::Counted { have: 1, need: 2 })
        );
        assert_eq!(
            d.approve(&UserId::from("UALICE"), &policy(false)),
            Err(Refusal::AlreadyApproved)
        );
        assert_eq!(
            d.approve(&UserId::from("UKENJI"), &policy(false)),
            Ok(Approved::Complete)
        );
        assert_eq!(d.begin_merge(Some("v1.4.2"), &Holds::default()), Ok(()));
        d.merged();
        assert_eq!(d.state, DeployState::Merged);
        d.health(false, "Deployment web exceeded its progress deadline");
        assert!(matches!(d.state, DeployState::Degraded { .. }));
        d.health(true, "");
        assert_eq!(d.state, DeployState::Healthy);
    }

    #[test]
    fn staging_auto_merges_and_break_glass_needs_a_second_approver() {
        let d = Deploy::new(&Request {
            app: "web",
            env: "staging",
            tag: "v2",
            from: Some("v1"),
            requested_by: "UBOB",
            min_approvals: 1,
            auto_merge: true,
            break_glass: None,
            rollback: false,
        });
        assert!(d.ready_to_merge(), "nothing to wait for");
        let mut d = Deploy::new(&Request {
            app: "web",
            env: "production",
            tag: "v2",
            from: Some("v1"),
            requested_by: "UBOB",
            min_approvals: 1,
            auto_merge: false,
            break_glass: Some("hotfix for INC-42"),
            rollback: false,
        });
        assert_eq!(d.required_approvals, 2);
        assert_eq!(
            d.approve(&UserId::from("UALICE"), &policy(false)),
            Ok(Approved::Counted { have: 1, need: 2 })
        );
    }

    #[test]
    fn a_freeze_after_the_ask_stops_the_merge_but_not_a_break_glass_or_a_rollback() {
        let frozen = Holds::new(vec![Hold {
            kind: HoldKind::Freeze(crate::ids::IncidentId(7)),
            why: HoldWhy::Incident {
                severity: 2,
                title: "500s".into(),
            },
            by: "UCAROL".into(),
            since_ms: 0,
        }]);
        let ask = |break_glass, rollback| {
            let mut d = Deploy::new(&Request {
                app: "web",
                env: "production",
                tag: "v1.4.3",
                from: Some("v1.4.2"),
                requested_by: "UBOB",
                min_approvals: 1,
                auto_merge: false,
                break_glass,
                rollback,
            });
            d.approve(&UserId::from("UALICE"), &policy(false)).unwrap();
            d
        };
        let mut plain = ask(None, false);
        assert_eq!(
            plain.begin_merge(Some("v1.4.2"), &frozen),
            Err(Superseded::Frozen {
                incidents: vec![crate::ids::IncidentId(7)]
            })
        );
        assert!(!plain.ready_to_merge());
        assert_eq!(
            ask(Some("hotfix"), false).begin_merge(Some("v1.4.2"), &frozen),
            Ok(())
        );
        assert_eq!(ask(None, true).begin_merge(Some("v1.4.2"), &frozen), Ok(()));
        assert_eq!(
            ask(None, false).begin_merge(Some("v1.4.3"), &frozen),
            Ok(()),
            "already merged before the freeze: only the record is behind"
        );
    }

    #[test]
    fn the_environment_moved_since_you_asked() {
        let mut d = Deploy::new(&Request {
            app: "web",
            env: "production",
            tag: "v1.4.3",
            from: Some("v1.4.2"),
            requested_by: "UBOB",
            min_approvals: 1,
            auto_merge: false,
            break_glass: None,
            rollback: false,
        });
        d.approve(&UserId::from("UALICE"), &policy(false)).unwrap();
        assert_eq!(
            d.begin_merge(Some("v1.4.4"), &Holds::default()),
            Err(Superseded::EnvironmentMoved {
                current: "v1.4.4".into()
            })
        );
        assert!(matches!(d.state, DeployState::Superseded { .. }));
        let mut same = Deploy::new(&Request {
            app: "web",
            env: "production",
            tag: "v1.4.3",
            from: Some("v1.4.2"),
            requested_by: "UBOB",
            min_approvals: 1,
            auto_merge: false,
            break_glass: None,
            rollback: false,
        });
        assert_eq!(
            same.begin_merge(Some("v1.4.3"), &Holds::default()),
            Ok(()),
            "someone already deployed the same tag"
        );
    }

    #[test]
    fn freezes_holds_and_break_glass() {
        let windows: Vec<FreezeWindow> = vec!["Fri 18:00 - Mon 09:00 Asia/Tokyo".parse().unwrap()];
        let saturday = at("2026-11-28T03:00:00Z");
        let tuesday = at("2026-11-24T03:00:00Z");
        assert!(matches!(
            check_start(saturday, &windows, &Holds::default(), false, false),
            Err(Blocked::Frozen { .. })
        ));
        assert_eq!(
            check_start(saturday, &windows, &Holds::default(), false, true),
            Ok(()),
            "break-glass by a person"
        );
        assert!(
            matches!(
                check_start(saturday, &windows, &Holds::default(), true, true),
                Err(Blocked::Frozen { .. })
            ),
            "never automation"
        );
        let rollback = Holds::new(vec![Hold {
            kind: HoldKind::Rollback,
            why: HoldWhy::RolledBack {
                from: Some("v1.5.0".into()),
                to: "v1.4.9".into(),
            },
            by: "UALICE".into(),
            since_ms: 0,
        }]);
        assert!(matches!(
            check_start(tuesday, &windows, &rollback, true, false),
            Err(Blocked::Held(_))
        ));
        assert_eq!(
            check_start(tuesday, &windows, &rollback, false, false),
            Ok(()),
            "a person may roll forward"
        );
        let mut both = rollback.all().to_vec();
        both.push(Hold {
            kind: HoldKind::Freeze(crate::ids::IncidentId(3)),
            ..both[0].clone()
        });
        let both = Holds::new(both);
        assert_eq!(
            check_start(tuesday, &windows, &both, false, false),
            Err(Blocked::Held(both.clone())),
            "an incident's freeze beside a rollback holds people too, and both are named"
        );
        assert_eq!(
            check_start(tuesday, &windows, &both, false, true),
            Ok(()),
            "unless they break glass (or roll back)"
        );
        if let Err(Blocked::Frozen { until, .. }) =
            check_start(saturday, &windows, &Holds::default(), false, false)
        {
            assert_eq!(until, at("2026-11-30T00:00:00Z"), "Monday 09:00 in Tokyo");
        }
    }
}

//! The life of one Terraform run, as a pure state machine: plan → approvals → freshness check →
//! exactly one apply. Handlers load a `Run`, call one method, and persist the result.

use super::cost::Cost;
use super::glob::Globs;
use super::plan::{Action, PlanSummary};
use super::policy::{Override, OverrideRefusal, SetResult};
use crate::ids::{ChannelId, RepoName, UserId};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum RunState {
    Planning,
    /// The plan build failed in `phase` (e.g. `BUILD`): nothing to approve.
    PlanFailed {
        phase: String,
    },
    AwaitingApproval,
    /// Approved; the project applies after merge, so it waits for the pull request's merge.
    AwaitingMerge,
    Applying,
    Applied,
    ApplyFailed {
        phase: String,
    },
    Rejected {
        by: UserId,
        reason: String,
    },
    Superseded {
        reason: Stale,
    },
    Cancelled {
        by: String,
    },
}

impl RunState {
    /// A short name for queries and listings.
    pub fn label(&self) -> &'static str {
        match self {
            RunState::Planning => "planning",
            RunState::PlanFailed { .. } => "plan_failed",
            RunState::AwaitingApproval => "awaiting_approval",
            RunState::AwaitingMerge => "awaiting_merge",
            RunState::Applying => "applying",
            RunState::Applied => "applied",
            RunState::ApplyFailed { .. } => "apply_failed",
            RunState::Rejected { .. } => "rejected",
            RunState::Superseded { .. } => "superseded",
            RunState::Cancelled { .. } => "cancelled",
        }
    }

    pub fn is_final(&self) -> bool {
        !matches!(
            self,
            RunState::Planning
                | RunState::AwaitingApproval
                | RunState::AwaitingMerge
                | RunState::Applying
        )
    }
}

/// Why an approved plan may no longer be applied.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "why", rename_all = "snake_case")]
pub enum Stale {
    /// The pull request moved on to another commit.
    NewCommit { head: String },
    /// Another run applied to the same project after this plan was made.
    OtherApply,
    /// The plan is older than the project's TTL.
    Expired,
    /// The project lock belongs to another run now.
    LockLost,
    /// The pull request was closed or merged.
    PrClosed,
    /// Something that decides what apply does is not what was approved.
    Changed { parts: Vec<BindingPart> },
    /// Merged: the merge commit is planned again in run `run`, which applies with these
    /// approvals if it plans the same changes.
    Merged { run: i64 },
}

/// When an approved plan applies: at the last approval, or after the pull request's merge
/// (planned again at the merge commit; the approvals hold only for the same changes).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ApplyOn {
    #[default]
    Approval,
    Merge,
}

/// Approvals given to the pull request's plan, carried to the plan of its merge commit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Carried {
    pub from_run: i64,
    /// The merged pull request, which hears how the apply went.
    pub pr: u64,
    pub changes_digest: String,
    pub approvals: Vec<UserId>,
}

/// What, besides the plan file and the commit, decides what apply does; written by the plan
/// build (`binding.json`) and checked again before apply and by the apply build. Absent pieces
/// (an older buildspec) bind nothing.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Binding {
    /// SHA-256 of `.terraform.lock.hcl`, which pins the providers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lock_sha256: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terraform_version: Option<String>,
    /// The pull request's base branch head (an undiverged plan); None without a pull request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_sha: Option<String>,
    /// The digest of the policy sets the plan was checked against (None: no set applies).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy_digest: Option<String>,
}

/// As the audit log says it: ` lock sha256 … terraform … base …`, absent pieces left out.
impl std::fmt::Display for Binding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let pieces = [
            ("lock sha256", &self.lock_sha256),
            ("terraform", &self.terraform_version),
            ("base", &self.base_sha),
            ("policies", &self.policy_digest),
        ];
        for (name, value) in pieces {
            if let Some(v) = value {
                write!(f, " {name} {v}")?;
            }
        }
        Ok(())
    }
}

/// One piece of what an approval is bound to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BindingPart {
    PlanFile,
    LockFile,
    TerraformVersion,
    BaseCommit,
    Policies,
}

/// The plan build's artifacts and the pull request's base, as they are now.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Artifacts {
    pub plan_sha256: String,
    pub binding: Binding,
}

impl PlanFacts {
    /// What differs between what was approved and the artifacts now, in a fixed order.
    pub fn changed(&self, now: &Artifacts) -> Vec<BindingPart> {
        let mut parts = vec![];
        if now.plan_sha256 != self.sha256 {
            parts.push(BindingPart::PlanFile);
        }
        if now.binding.lock_sha256 != self.binding.lock_sha256 {
            parts.push(BindingPart::LockFile);
        }
        if now.binding.terraform_version != self.binding.terraform_version {
            parts.push(BindingPart::TerraformVersion);
        }
        // Plans saved before bases were recorded bind none.
        if self.binding.base_sha.is_some() && now.binding.base_sha != self.binding.base_sha {
            parts.push(BindingPart::BaseCommit);
        }
        if now.binding.policy_digest != self.binding.policy_digest {
            parts.push(BindingPart::Policies);
        }
        parts
    }
}

/// What the plan build produced.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanFacts {
    pub sha256: String,
    pub planned_at_ms: i64,
    pub required_approvals: u32,
    #[serde(default)]
    pub binding: Binding,
    /// What each policy set found in the plan (messages masked like the plan).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub policies: Vec<SetResult>,
    /// The monthly cost before and after, when the plan build ran Infracost.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<Cost>,
    /// SHA-256 of what the plan would change (`resource_changes`), to tell two plans apart.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changes_digest: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Run {
    pub project: String,
    pub head_sha: String,
    /// Who asked for it: the PR author or the `/tf plan` user (Slack id when known).
    pub requested_by: String,
    pub state: RunState,
    pub plan: Option<PlanFacts>,
    /// Slack user ids, in the order they approved.
    pub approvals: Vec<UserId>,
    /// Owners who let failing policy sets through, with their reasons.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub overrides: Vec<Override>,
    /// A merge commit's plan: the approvals of the pull request's plan, if the changes match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub carried: Option<Carried>,
}

/// Where a run lives besides its state: its PR, its Slack card, its builds. Not part of the
/// state machine; handlers keep it next to the run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunMeta {
    pub repo: RepoName,
    pub pr: Option<u64>,
    /// The branch, tag or SHA asked for (`/tf plan network main`), for display.
    pub git_ref: String,
    /// Waiting for the project lock: the plan build has not started.
    pub queued: bool,
    #[serde(flatten)]
    pub card: super::card::CardPlace,
    pub plan_build: Option<String>,
    pub apply_build: Option<String>,
    pub logs_url: Option<String>,
    /// The plan summary as card blocks, rendered once when the plan arrives.
    pub summary_blocks: Vec<serde_json::Value>,
    /// Addresses of the resources the plan changes (for the change event after apply).
    pub resources: Vec<String>,
    /// How many of them the plan destroys or replaces.
    #[serde(default)]
    pub destructive: u32,
    pub apply_started_ms: Option<i64>,
    pub apply_finished_ms: Option<i64>,
    /// The apply build whose ending was reported everywhere (card, PR, change, lock): until
    /// then, a re-run of its ending does what is left.
    #[serde(default)]
    pub apply_reported: Option<String>,
    /// The queue row that moved the run off `Planning` (`inbox:42`): only it reports the plan
    /// (card, thread, PR comment, lock), and a re-run of it after a crash finishes the report.
    #[serde(default)]
    pub plan_reporter: Option<String>,
    /// The plan build whose ending was reported everywhere.
    #[serde(default)]
    pub plan_reported: Option<String>,
}

impl RunMeta {
    /// A run of `repo` at `git_ref` whose card goes to `channel`, waiting for its lock.
    pub fn new(repo: RepoName, git_ref: &str, channel: ChannelId) -> Self {
        Self {
            repo,
            pr: None,
            git_ref: git_ref.to_owned(),
            queued: true,
            card: super::card::CardPlace::new(channel),
            plan_build: None,
            apply_build: None,
            logs_url: None,
            summary_blocks: vec![],
            resources: vec![],
            destructive: 0,
            apply_started_ms: None,
            apply_finished_ms: None,
            apply_reported: None,
            plan_reporter: None,
            plan_reported: None,
        }
    }
}

pub use super::approval::{Approvable, Approved, Policy, Refusal};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ApplyDecision {
    /// Start the apply build now (exactly once: the state is already `Applying`).
    Start,
    /// Not every approval is in, or the run is past approval: nothing starts.
    NotReady,
    Superseded(Stale),
    /// Approved: the state is `AwaitingMerge`; the merge starts what follows.
    AwaitMerge,
}

/// What the world looks like when the approvals are complete.
#[derive(Clone, Debug)]
pub struct Freshness {
    /// Approved runs wait for their pull request's merge instead of applying now.
    pub wait_for_merge: bool,
    pub now_ms: i64,
    pub ttl_ms: i64,
    /// The PR's head now (None for plans not tied to a PR).
    pub current_head: Option<String>,
    /// When the project was last applied by any run (ms), if ever.
    pub last_apply_ms: Option<i64>,
    /// Whether the project lock is still this run's.
    pub holds_lock: bool,
    /// The plan build's artifacts read again now.
    pub artifacts: Artifacts,
}

/// A change that needs more approvals (destroying a database, touching IAM, …).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RiskRule {
    /// Resource type globs, e.g. `aws_iam_*`, `aws_db_instance`.
    #[serde(default)]
    pub resource_types: Globs,
    /// A monthly cost increase above this (in the estimate's currency) makes it risky; so does
    /// a plan without a readable estimate, when a rule asks for one.
    #[serde(default)]
    pub cost_increase_over: Option<f64>,
    /// Which actions make it risky: any of `create`, `update`, `delete`, `replace`, `forget`.
    #[serde(default = "default_risk_actions")]
    pub actions: Vec<String>,
    pub min_approvals: u32,
}

fn default_risk_actions() -> Vec<String> {
    vec!["delete".into(), "replace".into()]
}

/// Approvals the plan needs: `min`, raised by any risk rule the plan matches: a change of its
/// resource types and actions, and a cost increase over its limit, whichever it names (both when
/// it names both).
pub fn required_approvals(
    min: u32,
    risk: &[RiskRule],
    plan: &PlanSummary,
    cost: Option<&Cost>,
) -> u32 {
    let action_word = |a: Action| match a {
        Action::Create => "create",
        Action::Update => "update",
        Action::Delete => "delete",
        Action::Replace => "replace",
        Action::Forget => "forget",
        Action::Read | Action::NoOp => "",
    };
    let costs_more = |limit: f64| match cost {
        Some(Cost::Estimate(e)) => e.increase_cents() as f64 > limit * 100.0,
        // Fail closed: a limit nobody can check counts as passed.
        Some(Cost::Unreadable(_)) | None => true,
    };
    risk.iter()
        .filter(|rule| {
            let by_change = rule.resource_types.is_empty()
                || plan.changes.iter().any(|c| {
                    rule.actions.iter().any(|a| a == action_word(c.action))
                        && rule.resource_types.is_match(&c.resource_type)
                });
            let by_cost = rule.cost_increase_over.is_none_or(costs_more);
            by_change && by_cost
        })
        .map(|rule| rule.min_approvals)
        .fold(min, u32::max)
}

impl Run {
    pub fn new(project: &str, head_sha: &str, requested_by: &str) -> Self {
        Self {
            project: project.to_owned(),
            head_sha: head_sha.to_owned(),
            requested_by: requested_by.to_owned(),
            state: RunState::Planning,
            plan: None,
            approvals: vec![],
            overrides: vec![],
            carried: None,
        }
    }

    pub fn plan_succeeded(&mut self, facts: PlanFacts, has_changes: bool) {
        if self.state != RunState::Planning {
            return;
        }
        self.plan = Some(facts);
        // A plan with nothing to do is done: there is nothing to approve.
        self.state = if has_changes {
            RunState::AwaitingApproval
        } else {
            RunState::Applied
        };
    }

    pub fn plan_failed(&mut self, phase: &str) {
        if self.state == RunState::Planning {
            self.state = RunState::PlanFailed {
                phase: phase.to_owned(),
            };
        }
    }

    /// Approvals complete: either the run may apply now (state becomes `Applying`, which a
    /// handler persists before it starts the build: the one guard against a second apply), or
    /// it is superseded and says why.
    pub fn begin_apply(&mut self, f: &Freshness) -> ApplyDecision {
        let need = self
            .plan
            .as_ref()
            .map_or(u32::MAX, |p| p.required_approvals);
        if self.state != RunState::AwaitingApproval || (self.approvals.len() as u32) < need {
            return ApplyDecision::NotReady;
        }
        let planned_at = self.plan.as_ref().map_or(0, |p| p.planned_at_ms);
        let changed = self
            .plan
            .as_ref()
            .map(|p| p.changed(&f.artifacts))
            .unwrap_or_default();
        let stale = if f.current_head.as_ref().is_some_and(|h| *h != self.head_sha) {
            Some(Stale::NewCommit {
                head: f.current_head.clone().unwrap_or_default(),
            })
        } else if !changed.is_empty() {
            Some(Stale::Changed { parts: changed })
        } else if f.last_apply_ms.is_some_and(|t| t > planned_at) {
            Some(Stale::OtherApply)
        } else if f.now_ms - planned_at > f.ttl_ms {
            Some(Stale::Expired)
        } else if !f.holds_lock {
            Some(Stale::LockLost)
        } else {
            None
        };
        match stale {
            Some(reason) => {
                self.state = RunState::Superseded {
                    reason: reason.clone(),
                };
                ApplyDecision::Superseded(reason)
            }
            None if f.wait_for_merge => {
                self.state = RunState::AwaitingMerge;
                ApplyDecision::AwaitMerge
            }
            None => {
                self.state = RunState::Applying;
                ApplyDecision::Start
            }
        }
    }

    pub fn apply_finished(&mut self, failed_phase: Option<&str>) {
        if self.state == RunState::Applying {
            self.state = match failed_phase {
                None => RunState::Applied,
                Some(p) => RunState::ApplyFailed {
                    phase: p.to_owned(),
                },
            };
        }
    }

    /// A new commit on the PR or a closed PR: every unfinished run before it stops.
    pub fn supersede(&mut self, reason: Stale) -> bool {
        if matches!(
            self.state,
            RunState::Planning | RunState::AwaitingApproval | RunState::AwaitingMerge
        ) {
            self.state = RunState::Superseded { reason };
            true
        } else {
            false
        }
    }

    /// The policy sets whose failures still wait for their owners' overrides.
    pub fn blocking_policies(&self) -> Vec<&SetResult> {
        let results = self.plan.as_ref().map_or(&[][..], |p| &p.policies[..]);
        super::policy::blocking(results, &self.overrides)
    }

    /// `user` overrides the failing sets they own (`owns`), with a reason.
    pub fn override_policies(
        &mut self,
        user: &UserId,
        reason: &str,
        owns: impl Fn(&str) -> bool,
    ) -> Result<Vec<String>, OverrideRefusal> {
        if self.state != RunState::AwaitingApproval {
            return Err(OverrideRefusal::NotAwaitingApproval);
        }
        let results = self.plan.as_ref().map_or(&[][..], |p| &p.policies[..]);
        super::policy::override_sets(
            results,
            &mut self.overrides,
            user,
            &self.requested_by,
            reason,
            owns,
        )
    }

    /// The merge commit's plan makes the same changes as the approved one: its approvals hold.
    pub fn carry_approvals(&mut self) -> bool {
        let same = match (&self.carried, &self.plan) {
            (Some(c), Some(p)) => p.changes_digest.as_ref() == Some(&c.changes_digest),
            _ => false,
        };
        if same && self.state == RunState::AwaitingApproval && self.approvals.is_empty() {
            self.approvals = self
                .carried
                .as_ref()
                .map(|c| c.approvals.clone())
                .unwrap_or_default();
            true
        } else {
            false
        }
    }

    pub fn cancel(&mut self, by: &str) -> bool {
        if matches!(
            self.state,
            RunState::Planning | RunState::AwaitingApproval | RunState::AwaitingMerge
        ) {
            self.state = RunState::Cancelled { by: by.to_owned() };
            true
        } else {
            false
        }
    }
}

/// Whether a change to `paths` touches a project in `dir`: any path under `dir`, or matching
/// `when_modified` when the project names its own globs.
pub fn touches(dir: &str, when_modified: &Globs, paths: &[String]) -> bool {
    if when_modified.is_empty() {
        let dir = format!("{}/", dir.trim_end_matches('/'));
        paths.iter().any(|path| path.starts_with(&dir))
    } else {
        paths.iter().any(|path| when_modified.is_match(path))
    }
}

impl Approvable for Run {
    fn awaiting_approval(&self) -> bool {
        self.state == RunState::AwaitingApproval
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
        self.plan.as_ref().map_or(1, |p| p.required_approvals)
    }
    fn blocked(&self) -> bool {
        !self.blocking_policies().is_empty()
    }
    fn set_rejected(&mut self, by: &UserId, reason: &str) {
        self.state = RunState::Rejected {
            by: by.clone(),
            reason: reason.to_owned(),
        };
    }
    fn rejected_by(&self) -> Option<&UserId> {
        match &self.state {
            RunState::Rejected { by, .. } => Some(by),
            _ => None,
        }
    }
}

#[cfg(test)]
#[path = "tf_run_tests.rs"]
mod tests;

//! Who may approve a change, shared by Terraform runs and deploys: deny by default, no approving
//! your own change unless the project allows it, one approval per person.

use std::collections::BTreeSet;

/// Who may approve: configured users plus the members of configured groups, expanded.
#[derive(Clone, Debug, Default)]
pub struct Approvers {
    pub users: BTreeSet<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    NotAnApprover,
    OwnRun,
    AlreadyApproved,
    NotAwaitingApproval,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Approved {
    /// Recorded; `have` of `need` approvals so far.
    Counted { have: u32, need: u32 },
    /// The last approval needed: the change may go ahead (after its own checks).
    Complete,
}

/// A change that waits for approvals: a Terraform run, a deploy.
pub trait Approvable {
    fn awaiting_approval(&self) -> bool;
    fn requested_by(&self) -> &str;
    fn approvals(&self) -> &[String];
    fn add_approval(&mut self, user: &str);
    fn required_approvals(&self) -> u32;
    fn set_rejected(&mut self, by: &str, reason: &str);

    /// `user` approves, if they may; N-of-M approvals complete the change.
    fn approve(
        &mut self,
        user: &str,
        approvers: &Approvers,
        allow_self_approval: bool,
    ) -> Result<Approved, Refusal> {
        if !self.awaiting_approval() {
            return Err(Refusal::NotAwaitingApproval);
        }
        may_approve(
            user,
            approvers,
            self.requested_by(),
            allow_self_approval,
            self.approvals(),
        )?;
        self.add_approval(user);
        let (have, need) = (self.approvals().len() as u32, self.required_approvals());
        Ok(if have >= need {
            Approved::Complete
        } else {
            Approved::Counted { have, need }
        })
    }

    /// Approvers and whoever asked may reject.
    fn may_reject(&self, user: &str, approvers: &Approvers) -> Result<(), Refusal> {
        if !self.awaiting_approval() {
            return Err(Refusal::NotAwaitingApproval);
        }
        if !approvers.users.contains(user) && user != self.requested_by() {
            return Err(Refusal::NotAnApprover);
        }
        Ok(())
    }

    /// `user` rejects, with a reason, if they may.
    fn reject(&mut self, user: &str, approvers: &Approvers, reason: &str) -> Result<(), Refusal> {
        self.may_reject(user, approvers)?;
        self.set_rejected(user, reason);
        Ok(())
    }
}

/// May `user` add an approval to a change `requested_by` someone, approved so far by `approvals`?
fn may_approve(
    user: &str,
    approvers: &Approvers,
    requested_by: &str,
    allow_self_approval: bool,
    approvals: &[String],
) -> Result<(), Refusal> {
    if !approvers.users.contains(user) {
        return Err(Refusal::NotAnApprover);
    }
    if user == requested_by && !allow_self_approval {
        return Err(Refusal::OwnRun);
    }
    if approvals.iter().any(|a| a == user) {
        return Err(Refusal::AlreadyApproved);
    }
    Ok(())
}

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

/// May `user` add an approval to a change `requested_by` someone, approved so far by `approvals`?
pub fn may_approve(
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

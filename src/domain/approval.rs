//! The approval component, shared by everything that waits for people (Terraform runs,
//! deploys; policy overrides next): who may approve (deny by default), no approving your own
//! change unless the policy allows it, one approval per person, N of M, and who may reject.

use crate::ids::UserId;
use std::collections::BTreeSet;

/// Who may approve one change: configured users plus the members of configured groups
/// (expanded by the caller), and whether the requester may approve their own.
#[derive(Clone, Debug, Default)]
pub struct Policy {
    pub approvers: BTreeSet<UserId>,
    pub allow_self_approval: bool,
}

impl Policy {
    pub fn new<S: Into<String>>(
        approvers: impl IntoIterator<Item = S>,
        allow_self_approval: bool,
    ) -> Self {
        Self {
            approvers: approvers.into_iter().map(UserId::new).collect(),
            allow_self_approval,
        }
    }

    pub fn is_approver(&self, user: &UserId) -> bool {
        self.approvers.contains(user)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    NotAnApprover,
    OwnRun,
    AlreadyApproved,
    NotAwaitingApproval,
    /// A check (a failing policy) must be overridden by its owners first.
    Blocked,
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
    /// A Slack user, or what else asked (`github:login`, automation).
    fn requested_by(&self) -> &str;
    fn approvals(&self) -> &[UserId];
    fn add_approval(&mut self, user: &UserId);
    fn required_approvals(&self) -> u32;
    fn set_rejected(&mut self, by: &UserId, reason: &str);
    /// Who rejected it, once rejected.
    fn rejected_by(&self) -> Option<&UserId>;
    /// Whether something other than approvals holds it back (policy failures not overridden).
    fn blocked(&self) -> bool {
        false
    }

    /// `user` approves, if the policy lets them; N-of-M approvals complete the change.
    fn approve(&mut self, user: &UserId, policy: &Policy) -> Result<Approved, Refusal> {
        if !self.awaiting_approval() {
            return Err(Refusal::NotAwaitingApproval);
        }
        if !policy.is_approver(user) {
            return Err(Refusal::NotAnApprover);
        }
        if user.as_str() == self.requested_by() && !policy.allow_self_approval {
            return Err(Refusal::OwnRun);
        }
        if self.blocked() {
            return Err(Refusal::Blocked);
        }
        if self.approvals().iter().any(|a| a == user) {
            return Err(Refusal::AlreadyApproved);
        }
        self.add_approval(user);
        let (have, need) = (self.approvals().len() as u32, self.required_approvals());
        Ok(if have >= need {
            Approved::Complete
        } else {
            Approved::Counted { have, need }
        })
    }

    /// Approvers and whoever asked may reject.
    fn may_reject(&self, user: &UserId, policy: &Policy) -> Result<(), Refusal> {
        if !self.awaiting_approval() {
            return Err(Refusal::NotAwaitingApproval);
        }
        if !policy.is_approver(user) && user.as_str() != self.requested_by() {
            return Err(Refusal::NotAnApprover);
        }
        Ok(())
    }

    /// `user` rejects, with a reason, if they may.
    fn reject(&mut self, user: &UserId, policy: &Policy, reason: &str) -> Result<(), Refusal> {
        self.may_reject(user, policy)?;
        self.set_rejected(user, reason);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default)]
    struct Change {
        need: u32,
        approvals: Vec<UserId>,
        rejected: Option<(UserId, String)>,
    }

    impl Approvable for Change {
        fn awaiting_approval(&self) -> bool {
            self.rejected.is_none() && self.approvals.len() < self.need as usize
        }
        fn requested_by(&self) -> &str {
            "UALICE"
        }
        fn approvals(&self) -> &[UserId] {
            &self.approvals
        }
        fn add_approval(&mut self, user: &UserId) {
            self.approvals.push(user.clone());
        }
        fn required_approvals(&self) -> u32 {
            self.need
        }
        fn set_rejected(&mut self, by: &UserId, reason: &str) {
            self.rejected = Some((by.clone(), reason.to_owned()));
        }
        fn rejected_by(&self) -> Option<&UserId> {
            self.rejected.as_ref().map(|(by, _)| by)
        }
    }

    fn u(id: &str) -> UserId {
        UserId::from(id)
    }

    fn policy(allow_self_approval: bool) -> Policy {
        Policy::new(["UALICE", "UBOB", "UCAROL"], allow_self_approval)
    }

    fn change(need: u32) -> Change {
        Change {
            need,
            ..Change::default()
        }
    }

    #[test]
    fn deny_by_default_and_no_self_approval() {
        let mut c = change(1);
        assert_eq!(
            c.approve(&u("UMALLORY"), &policy(false)),
            Err(Refusal::NotAnApprover)
        );
        assert_eq!(
            c.approve(&u("UALICE"), &policy(false)),
            Err(Refusal::OwnRun)
        );
        assert_eq!(
            c.approve(&u("UBOB"), &policy(false)),
            Ok(Approved::Complete)
        );
        assert_eq!(
            change(1).approve(&u("UALICE"), &policy(true)),
            Ok(Approved::Complete),
            "allowed by the policy"
        );
    }

    #[test]
    fn n_of_m_once_each_and_nothing_after_the_last() {
        let mut c = change(2);
        assert_eq!(
            c.approve(&u("UBOB"), &policy(false)),
            Ok(Approved::Counted { have: 1, need: 2 })
        );
        assert_eq!(
            c.approve(&u("UBOB"), &policy(false)),
            Err(Refusal::AlreadyApproved)
        );
        assert_eq!(
            c.approve(&u("UCAROL"), &policy(false)),
            Ok(Approved::Complete)
        );
        assert_eq!(
            c.approve(&u("UALICE"), &policy(true)),
            Err(Refusal::NotAwaitingApproval)
        );
    }

    #[test]
    fn approvers_and_the_requester_may_reject() {
        let mut c = change(1);
        assert_eq!(
            c.reject(&u("UMALLORY"), &policy(false), "no"),
            Err(Refusal::NotAnApprover)
        );
        assert_eq!(
            c.may_reject(&u("UALICE"), &Policy::default()),
            Ok(()),
            "asked for it"
        );
        assert_eq!(
            c.reject(&u("UBOB"), &policy(false), "wrong account"),
            Ok(())
        );
        assert_eq!(c.rejected, Some((u("UBOB"), "wrong account".to_owned())));
        assert_eq!(
            c.reject(&u("UBOB"), &policy(false), "again"),
            Err(Refusal::NotAwaitingApproval)
        );
    }
}

//! Who approves: the `approvers`, `min_approvals` and `allow_self_approval` keys every table of
//! approvable things has (`[[terraform.projects]]`, `[[deploy.apps]]`), read as one
//! `ApprovalRules`. The keys stay in each table (serde cannot flatten a shared struct and
//! still refuse unknown keys).

use serde::Deserialize;

/// Slack users and user groups: approvers, responders, people to invite.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct People {
    /// Slack user ids.
    #[serde(default)]
    pub users: Vec<crate::ids::UserId>,
    /// Slack user group ids (`S…`), expanded when someone approves.
    #[serde(default)]
    pub groups: Vec<crate::ids::UserGroupId>,
}

/// One table's approval keys.
#[derive(Debug, Clone, Copy)]
pub struct ApprovalRules<'a> {
    pub approvers: &'a People,
    pub min_approvals: u32,
    pub allow_self_approval: bool,
}

pub(super) fn default_min_approvals() -> u32 {
    1
}

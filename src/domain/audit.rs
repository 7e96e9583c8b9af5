//! The audit log as a hash chain: each entry's hash covers the previous entry's hash and its own
//! content, so editing, removing or reordering any entry but the newest breaks the chain at the
//! first row touched. The newest hash (the head) is what an operator keeps elsewhere to notice a
//! removed tail.

use sha2::{Digest, Sha256};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditEntry {
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub subject: String,
    pub detail: String,
}

/// What an audit entry records. The names are stored and kept across versions: an entry written
/// by an older banto reads the same.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AuditAction {
    PlanRequested,
    Planned,
    PlanFailed,
    Approved,
    Rejected,
    Superseded,
    ApplyStarted,
    PolicyOverride,
    Applied,
    ApplyFailed,
    Cancelled,
    ForceUnlock,
    DeployRequested,
    DeployApproved,
    DeployRejected,
    DeployMerged,
    DeployBreakGlass,
    DeployLock,
    DeployUnlock,
    Rollback,
    IncidentDeclared,
    IncidentChanged,
    IncidentFreeze,
    IncidentThaw,
    IncidentNoCommander,
    IncidentNudge,
    ChecklistTicked,
    ChecklistUnticked,
    AlertLinked,
    PostmortemDrafted,
}

impl AuditAction {
    pub const ALL: [Self; 30] = [
        Self::PlanRequested,
        Self::Planned,
        Self::PlanFailed,
        Self::Approved,
        Self::Rejected,
        Self::Superseded,
        Self::ApplyStarted,
        Self::PolicyOverride,
        Self::Applied,
        Self::ApplyFailed,
        Self::Cancelled,
        Self::ForceUnlock,
        Self::DeployRequested,
        Self::DeployApproved,
        Self::DeployRejected,
        Self::DeployMerged,
        Self::DeployBreakGlass,
        Self::DeployLock,
        Self::DeployUnlock,
        Self::Rollback,
        Self::IncidentDeclared,
        Self::IncidentChanged,
        Self::IncidentFreeze,
        Self::IncidentThaw,
        Self::IncidentNoCommander,
        Self::IncidentNudge,
        Self::ChecklistTicked,
        Self::ChecklistUnticked,
        Self::AlertLinked,
        Self::PostmortemDrafted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::PlanRequested => "plan_requested",
            Self::Planned => "planned",
            Self::PlanFailed => "plan_failed",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
            Self::Superseded => "superseded",
            Self::ApplyStarted => "apply_started",
            Self::PolicyOverride => "policy_override",
            Self::Applied => "applied",
            Self::ApplyFailed => "apply_failed",
            Self::Cancelled => "cancelled",
            Self::ForceUnlock => "force_unlock",
            Self::DeployRequested => "deploy_requested",
            Self::DeployApproved => "deploy_approved",
            Self::DeployRejected => "deploy_rejected",
            Self::DeployMerged => "deploy_merged",
            Self::DeployBreakGlass => "deploy_break_glass",
            Self::DeployLock => "deploy_lock",
            Self::DeployUnlock => "deploy_unlock",
            Self::Rollback => "rollback",
            Self::IncidentDeclared => "incident_declared",
            Self::IncidentChanged => "incident_changed",
            Self::IncidentFreeze => "incident_freeze",
            Self::IncidentThaw => "incident_thaw",
            Self::IncidentNoCommander => "incident_no_commander",
            Self::IncidentNudge => "incident_nudge",
            Self::ChecklistTicked => "checklist_ticked",
            Self::ChecklistUnticked => "checklist_unticked",
            Self::AlertLinked => "alert_linked",
            Self::PostmortemDrafted => "postmortem_drafted",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

/// An entry as stored, with its place in the chain (`None` for rows written before the chain).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditRow {
    pub id: i64,
    pub entry: AuditEntry,
    pub prev_hash: Option<String>,
    pub hash: Option<String>,
}

/// The `prev_hash` of the first chained entry.
pub const GENESIS: &str = "";

/// SHA-256 (hex) of the previous hash and the entry, fields encoded as a JSON array so no two
/// different entries encode alike.
pub fn entry_hash(prev: &str, e: &AuditEntry) -> String {
    let content = serde_json::json!([e.at, e.actor, e.action, e.subject, e.detail]);
    let mut h = Sha256::new();
    h.update(prev.as_bytes());
    h.update(b"\n");
    h.update(content.to_string().as_bytes());
    hex::encode(h.finalize())
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verified {
    /// Entries checked in the chain.
    pub chained: usize,
    /// Entries from before the chain existed (a prefix; they cannot be checked).
    pub unchained: usize,
    /// The newest hash.
    pub head: String,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Broken {
    #[error("audit entry {id}: its content does not match its hash (edited after it was written)")]
    Edited { id: i64 },
    #[error(
        "audit entry {id}: it does not follow the entry before it (an entry before it was removed, \
         reordered or edited, or its link was changed)"
    )]
    Unlinked { id: i64 },
    #[error("audit entry {id}: it has no hash although entries before it do (its hash was erased)")]
    Unhashed { id: i64 },
}

/// Checks `rows` in id order and names the first broken one.
pub fn verify(rows: &[AuditRow]) -> Result<Verified, Broken> {
    let mut head: Option<String> = None;
    let mut unchained = 0;
    for row in rows {
        let (Some(prev), Some(hash)) = (&row.prev_hash, &row.hash) else {
            if head.is_some() {
                return Err(Broken::Unhashed { id: row.id });
            }
            unchained += 1;
            continue;
        };
        if prev != head.as_deref().unwrap_or(GENESIS) {
            return Err(Broken::Unlinked { id: row.id });
        }
        if entry_hash(prev, &row.entry) != *hash {
            return Err(Broken::Edited { id: row.id });
        }
        head = Some(hash.clone());
    }
    Ok(Verified {
        chained: rows.len() - unchained,
        unchained,
        head: head.unwrap_or_else(|| GENESIS.to_owned()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_has_its_own_stored_name() {
        let names: std::collections::BTreeSet<&str> =
            AuditAction::ALL.iter().map(|a| a.as_str()).collect();
        assert_eq!(names.len(), AuditAction::ALL.len());
        for a in AuditAction::ALL {
            assert_eq!(AuditAction::parse(a.as_str()), Some(a));
        }
        assert_eq!(
            AuditAction::parse("deploy_merged"),
            Some(AuditAction::DeployMerged)
        );
        assert_eq!(AuditAction::parse("approve"), None);
    }

    fn chain(n: usize) -> Vec<AuditRow> {
        let mut prev = GENESIS.to_owned();
        (1..=n as i64)
            .map(|id| {
                let entry = AuditEntry {
                    at: id * 1000,
                    actor: format!("U{id}"),
                    action: "apply".into(),
                    subject: "tf:network".into(),
                    detail: format!("run #{id}"),
                };
                let hash = entry_hash(&prev, &entry);
                let row = AuditRow {
                    id,
                    entry,
                    prev_hash: Some(prev.clone()),
                    hash: Some(hash.clone()),
                };
                prev = hash;
                row
            })
            .collect()
    }

    #[test]
    fn an_intact_chain_verifies_and_every_tampering_is_named() {
        let rows = chain(5);
        let ok = verify(&rows).unwrap();
        assert_eq!((ok.chained, ok.unchained), (5, 0));
        assert_eq!(Some(ok.head), rows[4].hash.clone());

        let mut edited = rows.clone();
        edited[2].entry.actor = "U999".into();
        assert_eq!(verify(&edited), Err(Broken::Edited { id: 3 }));

        let mut removed = rows.clone();
        removed.remove(1);
        assert_eq!(verify(&removed), Err(Broken::Unlinked { id: 3 }));

        let mut rehashed = rows.clone();
        rehashed[1].entry.detail = "run #999".into();
        rehashed[1].hash = Some(entry_hash(
            rehashed[1].prev_hash.as_ref().unwrap(),
            &rehashed[1].entry,
        ));
        assert_eq!(
            verify(&rehashed),
            Err(Broken::Unlinked { id: 3 }),
            "re-hashing one row breaks the next link"
        );

        let mut erased = rows.clone();
        erased[3].hash = None;
        assert_eq!(verify(&erased), Err(Broken::Unhashed { id: 4 }));
    }

    #[test]
    fn rows_from_before_the_chain_are_counted_not_checked() {
        let mut rows = chain(2);
        for r in &mut rows {
            r.id += 2;
        }
        let legacy = |id| AuditRow {
            id,
            entry: AuditEntry {
                at: 0,
                actor: "x".into(),
                action: "a".into(),
                subject: "s".into(),
                detail: String::new(),
            },
            prev_hash: None,
            hash: None,
        };
        rows.insert(0, legacy(2));
        rows.insert(0, legacy(1));
        let ok = verify(&rows).unwrap();
        assert_eq!((ok.chained, ok.unchained), (2, 2));
    }
}

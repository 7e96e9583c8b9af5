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

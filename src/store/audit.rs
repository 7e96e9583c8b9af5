//! SQL for the audit log, a hash chain (see `domain::audit`).

use super::Store;
use crate::domain::audit::AuditAction;
use crate::domain::audit::{AuditEntry, AuditRow, GENESIS, entry_hash};
use sqlx::Row;
use sqlx::any::AnyRow;

/// Writers racing for the same link retry this often before giving up.
const LINK_ATTEMPTS: usize = 20;

fn row(r: &AnyRow) -> Result<AuditRow, sqlx::Error> {
    Ok(AuditRow {
        id: r.try_get(0)?,
        entry: AuditEntry {
            at: r.try_get(1)?,
            actor: r.try_get(2)?,
            action: r.try_get(3)?,
            subject: r.try_get(4)?,
            detail: r.try_get(5)?,
        },
        prev_hash: r.try_get(6)?,
        hash: r.try_get(7)?,
    })
}

const COLUMNS: &str = "id, at, actor, action, subject, detail, prev_hash, hash";

impl Store {
    /// Appends an entry linked to the newest one. Two writers linking to the same entry collide
    /// on the unique `prev_hash`; the loser reads the new head and links to it. The detail
    /// (reasons, notes: what people typed) is stored with any credential in it masked, since
    /// `banto audit list` prints it.
    pub async fn audit(
        &self,
        actor: &str,
        action: AuditAction,
        subject: &str,
        detail: &str,
    ) -> anyhow::Result<()> {
        let entry = AuditEntry {
            at: self.clock.now_ms(),
            actor: actor.to_owned(),
            action: action.as_str().to_owned(),
            subject: subject.to_owned(),
            detail: crate::domain::mask::text(detail).into_owned(),
        };
        let mut last_error = None;
        for _ in 0..LINK_ATTEMPTS {
            let head: Option<String> = sqlx::query(
                "SELECT hash FROM audit_log WHERE hash IS NOT NULL ORDER BY id DESC LIMIT 1",
            )
            .fetch_optional(self.pool())
            .await?
            .map(|r| r.try_get(0))
            .transpose()?;
            let prev = head.unwrap_or_else(|| GENESIS.to_owned());
            let hash = entry_hash(&prev, &entry);
            let inserted = sqlx::query(
                "INSERT INTO audit_log (at, actor, action, subject, detail, prev_hash, hash) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(entry.at)
            .bind(&entry.actor)
            .bind(&entry.action)
            .bind(&entry.subject)
            .bind(&entry.detail)
            .bind(&prev)
            .bind(&hash)
            .execute(self.pool())
            .await;
            match inserted {
                Ok(_) => return Ok(()),
                Err(sqlx::Error::Database(e)) if e.is_unique_violation() => last_error = Some(e),
                Err(e) => return Err(e.into()),
            }
        }
        anyhow::bail!(
            "the audit log stayed contended for {LINK_ATTEMPTS} attempts: {}",
            last_error.map(|e| e.to_string()).unwrap_or_default()
        )
    }

    /// `audit`, unless the same entry is already there (a re-run of an event whose first run
    /// stopped between saving its record and writing the entry, or just after).
    pub async fn audit_once(
        &self,
        actor: &str,
        action: AuditAction,
        subject: &str,
        detail: &str,
    ) -> anyhow::Result<()> {
        let detail = crate::domain::mask::text(detail);
        let found = sqlx::query(
            "SELECT 1 FROM audit_log WHERE subject = $1 AND actor = $2 AND action = $3 \
             AND detail = $4",
        )
        .bind(subject)
        .bind(actor)
        .bind(action.as_str())
        .bind(detail.as_ref())
        .fetch_optional(self.pool())
        .await?;
        match found {
            Some(_) => Ok(()),
            None => self.audit(actor, action, subject, &detail).await,
        }
    }

    pub async fn audit_trail(&self, subject: &str) -> anyhow::Result<Vec<AuditEntry>> {
        Ok(self
            .audit_rows(Some(subject))
            .await?
            .into_iter()
            .map(|r| r.entry)
            .collect())
    }

    /// Every row in id order, or those about `subject`.
    pub async fn audit_rows(&self, subject: Option<&str>) -> anyhow::Result<Vec<AuditRow>> {
        let rows = match subject {
            Some(s) => {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "SELECT {COLUMNS} FROM audit_log WHERE subject = $1 ORDER BY id"
                )))
                .bind(s)
                .fetch_all(self.pool())
                .await?
            }
            None => {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "SELECT {COLUMNS} FROM audit_log ORDER BY id"
                )))
                .fetch_all(self.pool())
                .await?
            }
        };
        Ok(rows.iter().map(row).collect::<Result<_, _>>()?)
    }
}

//! SQL for change events: finished changes to production (Terraform applies, merged deploys),
//! read by freshness checks and incident timelines.

use super::Store;
use sqlx::Row;

/// A finished change to infrastructure, kept for incident timelines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChangeEvent {
    pub kind: String,
    pub subject: String,
    pub actor: String,
    pub started_at: i64,
    pub finished_at: i64,
    pub detail: String,
}

impl Store {
    pub async fn record_change(&self, c: &ChangeEvent) -> anyhow::Result<()> {
        sqlx::query(
            "INSERT INTO change_events (kind, subject, actor, started_at, finished_at, detail) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&c.kind)
        .bind(&c.subject)
        .bind(&c.actor)
        .bind(c.started_at)
        .bind(c.finished_at)
        .bind(&c.detail)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Changes that finished in `[from, to]`, oldest first (for incident timelines).
    pub async fn changes_between(&self, from: i64, to: i64) -> anyhow::Result<Vec<ChangeEvent>> {
        let rows = sqlx::query(
            "SELECT kind, subject, actor, started_at, finished_at, detail FROM change_events \
             WHERE finished_at >= $1 AND finished_at <= $2 ORDER BY finished_at, id",
        )
        .bind(from)
        .bind(to)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ChangeEvent {
                    kind: r.try_get(0)?,
                    subject: r.try_get(1)?,
                    actor: r.try_get(2)?,
                    started_at: r.try_get(3)?,
                    finished_at: r.try_get(4)?,
                    detail: r.try_get(5)?,
                })
            })
            .collect()
    }

    /// When `subject` last finished changing (e.g. the last apply of a project).
    pub async fn last_change(&self, kind: &str, subject: &str) -> anyhow::Result<Option<i64>> {
        let row = sqlx::query(
            "SELECT MAX(finished_at) FROM change_events WHERE kind = $1 AND subject = $2",
        )
        .bind(kind)
        .bind(subject)
        .fetch_one(self.pool())
        .await?;
        Ok(row.try_get::<Option<i64>, _>(0)?)
    }
}

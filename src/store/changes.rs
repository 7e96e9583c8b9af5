//! SQL for change events: finished changes to production (Terraform applies, merged deploys),
//! read by freshness checks and incident timelines.

use super::Store;
use sqlx::{AssertSqlSafe, Row};

/// A finished change to infrastructure, kept for incident timelines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChangeEvent {
    /// Given by the store; 0 for a change not recorded yet.
    pub id: i64,
    pub kind: String,
    pub subject: String,
    pub actor: String,
    pub started_at: i64,
    pub finished_at: i64,
    pub detail: String,
    /// The record it came from: a deploy's or a Terraform run's id.
    pub ref_id: Option<i64>,
}

const CHANGE_COLUMNS: &str = "id, kind, subject, actor, started_at, finished_at, detail, ref_id";

fn change(r: &sqlx::any::AnyRow) -> anyhow::Result<ChangeEvent> {
    Ok(ChangeEvent {
        id: r.try_get(0)?,
        kind: r.try_get(1)?,
        subject: r.try_get(2)?,
        actor: r.try_get(3)?,
        started_at: r.try_get(4)?,
        finished_at: r.try_get(5)?,
        detail: r.try_get(6)?,
        ref_id: r.try_get(7)?,
    })
}

impl Store {
    /// Record a change; returns its id.
    pub async fn record_change(&self, c: &ChangeEvent) -> anyhow::Result<i64> {
        let row = sqlx::query(
            "INSERT INTO change_events (kind, subject, actor, started_at, finished_at, detail, ref_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(&c.kind)
        .bind(&c.subject)
        .bind(&c.actor)
        .bind(c.started_at)
        .bind(c.finished_at)
        .bind(&c.detail)
        .bind(c.ref_id)
        .fetch_one(self.pool())
        .await?;
        Ok(row.try_get(0)?)
    }

    /// Changes that finished in `[from, to]`, oldest first (for incident timelines).
    pub async fn changes_between(&self, from: i64, to: i64) -> anyhow::Result<Vec<ChangeEvent>> {
        sqlx::query(AssertSqlSafe(format!(
            "SELECT {CHANGE_COLUMNS} FROM change_events \
             WHERE finished_at >= $1 AND finished_at <= $2 ORDER BY finished_at, id"
        )))
        .bind(from)
        .bind(to)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(change)
        .collect()
    }

    pub async fn change_event(&self, id: i64) -> anyhow::Result<Option<ChangeEvent>> {
        sqlx::query(AssertSqlSafe(format!(
            "SELECT {CHANGE_COLUMNS} FROM change_events WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .as_ref()
        .map(change)
        .transpose()
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

    /// The id of the change of `kind` recorded for record `ref_id`, if there is one.
    pub async fn change_of(&self, kind: &str, ref_id: i64) -> anyhow::Result<Option<i64>> {
        let row = sqlx::query("SELECT MIN(id) FROM change_events WHERE kind = $1 AND ref_id = $2")
            .bind(kind)
            .bind(ref_id)
            .fetch_one(self.pool())
            .await?;
        Ok(row.try_get::<Option<i64>, _>(0)?)
    }
}

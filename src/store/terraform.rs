//! SQL for Terraform runs, project locks and the audit log (the rest of the SQL is in `store`).

use super::{Store, now_millis};
use crate::domain::tf_run::Run;
use crate::ids::RunId;
use sqlx::Row;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredRun {
    pub id: RunId,
    pub run: Run,
    /// Pass back to `save_run`: a save from a stale read is refused.
    pub version: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LockOutcome {
    Acquired,
    HeldBy(RunId),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditEntry {
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub subject: String,
    pub detail: String,
}

impl Store {
    pub async fn insert_run(&self, run: &Run) -> anyhow::Result<RunId> {
        let now = now_millis();
        let row = sqlx::query(
            "INSERT INTO tf_runs (project, head_sha, state, data, version, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, 0, $5, $5) RETURNING id",
        )
        .bind(&run.project)
        .bind(&run.head_sha)
        .bind(run.state.label())
        .bind(serde_json::to_string(run)?)
        .bind(now)
        .fetch_one(self.pool())
        .await?;
        Ok(RunId(row.try_get(0)?))
    }

    pub async fn load_run(&self, id: RunId) -> anyhow::Result<Option<StoredRun>> {
        let row = sqlx::query("SELECT data, version FROM tf_runs WHERE id = $1")
            .bind(id.0)
            .fetch_optional(self.pool())
            .await?;
        row.map(|r| {
            Ok(StoredRun {
                id,
                run: serde_json::from_str(&r.try_get::<String, _>(0)?)?,
                version: r.try_get(1)?,
            })
        })
        .transpose()
    }

    /// Save a transition made on the run read at `version`. False: someone else moved it first
    /// (a double click, a retry, another replica); reload and decide again.
    pub async fn save_run(&self, stored: &StoredRun, run: &Run) -> anyhow::Result<bool> {
        let r = sqlx::query(
            "UPDATE tf_runs SET state = $1, data = $2, version = version + 1, updated_at = $3 \
             WHERE id = $4 AND version = $5",
        )
        .bind(run.state.label())
        .bind(serde_json::to_string(run)?)
        .bind(now_millis())
        .bind(stored.id.0)
        .bind(stored.version)
        .execute(self.pool())
        .await?;
        Ok(r.rows_affected() == 1)
    }

    /// Unfinished runs of a project, oldest first.
    pub async fn open_runs(&self, project: &str) -> anyhow::Result<Vec<StoredRun>> {
        let rows = sqlx::query(
            "SELECT id, data, version FROM tf_runs WHERE project = $1 \
             AND state IN ('planning', 'awaiting_approval', 'applying') ORDER BY id",
        )
        .bind(project)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(StoredRun {
                    id: RunId(r.try_get(0)?),
                    run: serde_json::from_str(&r.try_get::<String, _>(1)?)?,
                    version: r.try_get(2)?,
                })
            })
            .collect()
    }

    /// Take the project+workspace lock for `run` (or renew it), unless another run holds an
    /// unexpired lease.
    pub async fn acquire_lock(
        &self,
        project: &str,
        workspace: &str,
        run: RunId,
        lease_ms: i64,
    ) -> anyhow::Result<LockOutcome> {
        let now = now_millis();
        let row = sqlx::query(
            "INSERT INTO tf_locks (project, workspace, run_id, expires_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (project, workspace) DO UPDATE SET run_id = excluded.run_id, expires_at = excluded.expires_at \
             WHERE tf_locks.run_id = excluded.run_id OR tf_locks.expires_at < $5 \
             RETURNING run_id",
        )
        .bind(project)
        .bind(workspace)
        .bind(run.0)
        .bind(now + lease_ms)
        .bind(now)
        .fetch_optional(self.pool())
        .await?;
        if row.is_some() {
            return Ok(LockOutcome::Acquired);
        }
        let holder =
            sqlx::query("SELECT run_id FROM tf_locks WHERE project = $1 AND workspace = $2")
                .bind(project)
                .bind(workspace)
                .fetch_one(self.pool())
                .await?;
        Ok(LockOutcome::HeldBy(RunId(holder.try_get(0)?)))
    }

    /// Release the lock if `run` holds it (`None`: whoever holds it, for an audited force-unlock).
    pub async fn release_lock(
        &self,
        project: &str,
        workspace: &str,
        run: Option<RunId>,
    ) -> anyhow::Result<bool> {
        let r = sqlx::query(
            "DELETE FROM tf_locks WHERE project = $1 AND workspace = $2 AND ($3 = -1 OR run_id = $3)",
        )
        .bind(project)
        .bind(workspace)
        .bind(run.map_or(-1, |r| r.0))
        .execute(self.pool())
        .await?;
        Ok(r.rows_affected() == 1)
    }

    pub async fn audit(
        &self,
        actor: &str,
        action: &str,
        subject: &str,
        detail: &str,
    ) -> anyhow::Result<()> {
        sqlx::query("INSERT INTO audit_log (at, actor, action, subject, detail) VALUES ($1, $2, $3, $4, $5)")
            .bind(now_millis())
            .bind(actor)
            .bind(action)
            .bind(subject)
            .bind(detail)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    pub async fn audit_trail(&self, subject: &str) -> anyhow::Result<Vec<AuditEntry>> {
        let rows = sqlx::query("SELECT at, actor, action, subject, detail FROM audit_log WHERE subject = $1 ORDER BY id")
            .bind(subject)
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| {
                Ok(AuditEntry {
                    at: r.try_get(0)?,
                    actor: r.try_get(1)?,
                    action: r.try_get(2)?,
                    subject: r.try_get(3)?,
                    detail: r.try_get(4)?,
                })
            })
            .collect()
    }
}

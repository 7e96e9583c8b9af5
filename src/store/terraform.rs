//! SQL for Terraform runs and project locks (the rest of the SQL is in `store`).

use super::{Store, now_millis};
use crate::domain::tf_run::{Run, RunMeta};
use crate::ids::RunId;
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredRun {
    pub id: RunId,
    pub run: Run,
    pub meta: RunMeta,
    /// The version read; `save_run` refuses a save from a stale read and bumps it on success.
    pub version: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LockOutcome {
    Acquired,
    HeldBy(RunId),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BuildMode {
    Plan,
    Apply,
}

impl BuildMode {
    pub fn as_str(self) -> &'static str {
        match self {
            BuildMode::Plan => "plan",
            BuildMode::Apply => "apply",
        }
    }
}

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

const RUN_COLUMNS: &str = "id, data, meta, version";

fn stored(r: &AnyRow) -> anyhow::Result<StoredRun> {
    Ok(StoredRun {
        id: RunId(r.try_get(0)?),
        run: serde_json::from_str(&r.try_get::<String, _>(1)?)?,
        meta: serde_json::from_str(&r.try_get::<String, _>(2)?)?,
        version: r.try_get(3)?,
    })
}

impl Store {
    /// Create the run for `trigger_key` (e.g. a webhook delivery and project), or return the one
    /// an earlier attempt at the same event created. True when it is new.
    pub async fn insert_run(
        &self,
        run: &Run,
        meta: &RunMeta,
        trigger_key: &str,
    ) -> anyhow::Result<(StoredRun, bool)> {
        let now = now_millis();
        let inserted = sqlx::query(
            "INSERT INTO tf_runs (project, head_sha, state, data, meta, trigger_key, version, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $7) ON CONFLICT (trigger_key) DO NOTHING",
        )
        .bind(&run.project)
        .bind(&run.head_sha)
        .bind(run.state.label())
        .bind(serde_json::to_string(run)?)
        .bind(serde_json::to_string(meta)?)
        .bind(trigger_key)
        .bind(now)
        .execute(self.pool())
        .await?
        .rows_affected()
            == 1;
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {RUN_COLUMNS} FROM tf_runs WHERE trigger_key = $1"
        )))
        .bind(trigger_key)
        .fetch_one(self.pool())
        .await?;
        Ok((stored(&row)?, inserted))
    }

    pub async fn load_run(&self, id: RunId) -> anyhow::Result<Option<StoredRun>> {
        sqlx::query(AssertSqlSafe(format!(
            "SELECT {RUN_COLUMNS} FROM tf_runs WHERE id = $1"
        )))
        .bind(id.0)
        .fetch_optional(self.pool())
        .await?
        .as_ref()
        .map(stored)
        .transpose()
    }

    /// Save the run and meta of `stored`, if nobody saved since it was read (a double click, a
    /// retry, another replica). False: reload and decide again.
    pub async fn save_run(&self, stored: &mut StoredRun) -> anyhow::Result<bool> {
        let r = sqlx::query(
            "UPDATE tf_runs SET state = $1, data = $2, meta = $3, version = version + 1, updated_at = $4 \
             WHERE id = $5 AND version = $6",
        )
        .bind(stored.run.state.label())
        .bind(serde_json::to_string(&stored.run)?)
        .bind(serde_json::to_string(&stored.meta)?)
        .bind(now_millis())
        .bind(stored.id.0)
        .bind(stored.version)
        .execute(self.pool())
        .await?;
        let saved = r.rows_affected() == 1;
        if saved {
            stored.version += 1;
        }
        Ok(saved)
    }

    /// Unfinished runs (of one project, or all), oldest first.
    pub async fn open_runs(&self, project: Option<&str>) -> anyhow::Result<Vec<StoredRun>> {
        sqlx::query(AssertSqlSafe(format!(
            "SELECT {RUN_COLUMNS} FROM tf_runs WHERE ($1 = '' OR project = $1) \
             AND state IN ('planning', 'awaiting_approval', 'applying') ORDER BY id"
        )))
        .bind(project.unwrap_or(""))
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(stored)
        .collect()
    }

    pub async fn record_build(
        &self,
        build_id: &str,
        run: RunId,
        mode: BuildMode,
    ) -> anyhow::Result<()> {
        sqlx::query("INSERT INTO tf_builds (build_id, run_id, mode) VALUES ($1, $2, $3) ON CONFLICT (build_id) DO NOTHING")
            .bind(build_id)
            .bind(run.0)
            .bind(mode.as_str())
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// The run a build belongs to (None: not banto's build).
    pub async fn build_run(&self, build_id: &str) -> anyhow::Result<Option<(RunId, BuildMode)>> {
        let row = sqlx::query("SELECT run_id, mode FROM tf_builds WHERE build_id = $1")
            .bind(build_id)
            .fetch_optional(self.pool())
            .await?;
        row.map(|r| {
            let mode = if r.try_get::<String, _>(1)? == "apply" {
                BuildMode::Apply
            } else {
                BuildMode::Plan
            };
            Ok((RunId(r.try_get(0)?), mode))
        })
        .transpose()
    }

    /// Who holds the project+workspace lock, if anyone's lease is still running.
    pub async fn lock_holder(
        &self,
        project: &str,
        workspace: &str,
    ) -> anyhow::Result<Option<RunId>> {
        let row = sqlx::query(
            "SELECT run_id FROM tf_locks WHERE project = $1 AND workspace = $2 AND expires_at >= $3",
        )
        .bind(project)
        .bind(workspace)
        .bind(now_millis())
        .fetch_optional(self.pool())
        .await?;
        row.map(|r| Ok(RunId(r.try_get(0)?))).transpose()
    }

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

    pub async fn pr_comment(
        &self,
        repo: &str,
        pr: u64,
        project: &str,
    ) -> anyhow::Result<Option<u64>> {
        let row = sqlx::query(
            "SELECT comment_id FROM pr_comments WHERE repo = $1 AND pr = $2 AND project = $3",
        )
        .bind(repo)
        .bind(pr as i64)
        .bind(project)
        .fetch_optional(self.pool())
        .await?;
        row.map(|r| Ok(r.try_get::<i64, _>(0)? as u64)).transpose()
    }

    pub async fn set_pr_comment(
        &self,
        repo: &str,
        pr: u64,
        project: &str,
        comment: u64,
    ) -> anyhow::Result<()> {
        sqlx::query(
            "INSERT INTO pr_comments (repo, pr, project, comment_id) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (repo, pr, project) DO UPDATE SET comment_id = excluded.comment_id",
        )
        .bind(repo)
        .bind(pr as i64)
        .bind(project)
        .bind(comment as i64)
        .execute(self.pool())
        .await?;
        Ok(())
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
}

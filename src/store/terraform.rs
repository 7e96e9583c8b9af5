//! SQL for Terraform runs and project locks (the rest of the SQL is in `store`).

use super::Store;
use super::records::{COLUMNS, Record, RecordId, Versioned, from_row};
use crate::domain::tf_run::{Run, RunMeta};
use crate::ids::{RepoName, RunId};
use sqlx::{AssertSqlSafe, Row};

pub type StoredRun = Versioned<Run>;

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

impl Record for Run {
    type Meta = RunMeta;
    type Id = RunId;
    const TABLE: &'static str = "tf_runs";
    const NOUN: &'static str = "run";
    const KEY_COLUMNS: [&'static str; 2] = ["project", "head_sha"];
    fn keys(&self) -> [&str; 2] {
        [&self.project, &self.head_sha]
    }
    fn state_label(&self) -> &'static str {
        self.state.label()
    }
}

impl RecordId for RunId {
    type Record = Run;
    fn from_row(id: i64) -> Self {
        Self(id)
    }
    fn get(self) -> i64 {
        self.0
    }
}

impl Store {
    /// Unfinished runs (of one project, or all), oldest first.
    pub async fn open_runs(&self, project: Option<&str>) -> anyhow::Result<Vec<StoredRun>> {
        sqlx::query(AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM tf_runs WHERE ($1 = '' OR project = $1) \
             AND state IN ('planning', 'awaiting_approval', 'awaiting_merge', 'applying') ORDER BY id"
        )))
        .bind(project.unwrap_or(""))
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(from_row)
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
        .bind(self.clock.now_ms())
        .fetch_optional(self.pool())
        .await?;
        row.map(|r| Ok(RunId(r.try_get(0)?))).transpose()
    }

    pub async fn pr_comment(
        &self,
        repo: &RepoName,
        pr: u64,
        project: &str,
    ) -> anyhow::Result<Option<u64>> {
        let row = sqlx::query(
            "SELECT comment_id FROM pr_comments WHERE repo = $1 AND pr = $2 AND project = $3",
        )
        .bind(repo.as_str())
        .bind(pr as i64)
        .bind(project)
        .fetch_optional(self.pool())
        .await?;
        row.map(|r| Ok(r.try_get::<i64, _>(0)? as u64)).transpose()
    }

    pub async fn set_pr_comment(
        &self,
        repo: &RepoName,
        pr: u64,
        project: &str,
        comment: u64,
    ) -> anyhow::Result<()> {
        sqlx::query(
            "INSERT INTO pr_comments (repo, pr, project, comment_id) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (repo, pr, project) DO UPDATE SET comment_id = excluded.comment_id",
        )
        .bind(repo.as_str())
        .bind(pr as i64)
        .bind(project)
        .bind(comment as i64)
        .execute(self.pool())
        .await?;
        Ok(())
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
        let now = self.clock.now_ms();
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

//! SQL for deploys and holds.

use super::Store;
use super::records::{COLUMNS, Record, RecordId, Versioned, from_row};
use crate::domain::deploy::{Deploy, DeployMeta, Hold};
use crate::ids::DeployId;
use sqlx::{AssertSqlSafe, Row};

pub type StoredDeploy = Versioned<Deploy>;

impl Record for Deploy {
    type Meta = DeployMeta;
    type Id = DeployId;
    const TABLE: &'static str = "deploys";
    const NOUN: &'static str = "deploy";
    const KEY_COLUMNS: [&'static str; 2] = ["app", "env"];
    fn keys(&self) -> [&str; 2] {
        [&self.app, &self.env]
    }
    fn state_label(&self) -> &'static str {
        self.state.label()
    }
}

impl RecordId for DeployId {
    type Record = Deploy;
    fn from_row(id: i64) -> Self {
        Self(id)
    }
    fn get(self) -> i64 {
        self.0
    }
}

impl Store {
    /// Deploys of an app+environment, newest first.
    pub async fn deploy_history(
        &self,
        app: &str,
        env: &str,
        limit: i64,
    ) -> anyhow::Result<Vec<StoredDeploy>> {
        sqlx::query(AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM deploys WHERE app = $1 AND env = $2 ORDER BY id DESC LIMIT $3"
        )))
        .bind(app)
        .bind(env)
        .bind(limit)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(from_row)
        .collect()
    }

    /// Deploys still waiting for approval or their merge, oldest first (all apps when `None`).
    pub async fn open_deploys(&self, app: Option<&str>) -> anyhow::Result<Vec<StoredDeploy>> {
        sqlx::query(AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM deploys WHERE state = 'awaiting_approval' \
             AND ($1 = '' OR app = $1) ORDER BY id"
        )))
        .bind(app.unwrap_or(""))
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(from_row)
        .collect()
    }

    pub async fn set_hold(&self, app: &str, env: &str, hold: &Hold) -> anyhow::Result<()> {
        sqlx::query(
            "INSERT INTO deploy_holds (app, env, reason, held_by, created_at, incident) \
             VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (app, env) DO UPDATE SET reason = excluded.reason, held_by = excluded.held_by, \
             created_at = excluded.created_at, incident = excluded.incident",
        )
        .bind(app)
        .bind(env)
        .bind(&hold.reason)
        .bind(&hold.by)
        .bind(self.clock.now_ms())
        .bind(hold.incident)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    pub async fn hold(&self, app: &str, env: &str) -> anyhow::Result<Option<Hold>> {
        let row = sqlx::query(
            "SELECT reason, held_by, incident FROM deploy_holds WHERE app = $1 AND env = $2",
        )
        .bind(app)
        .bind(env)
        .fetch_optional(self.pool())
        .await?;
        row.map(|r| {
            Ok(Hold {
                reason: r.try_get(0)?,
                by: r.try_get(1)?,
                incident: r.try_get(2)?,
            })
        })
        .transpose()
    }

    pub async fn release_hold(&self, app: &str, env: &str) -> anyhow::Result<bool> {
        let r = sqlx::query("DELETE FROM deploy_holds WHERE app = $1 AND env = $2")
            .bind(app)
            .bind(env)
            .execute(self.pool())
            .await?;
        Ok(r.rows_affected() == 1)
    }

    /// Place an incident's hold where no hold is; false where one already was (a rollback's
    /// hold stays, and stays after the incident).
    pub async fn hold_for_incident(
        &self,
        app: &str,
        env: &str,
        hold: &Hold,
    ) -> anyhow::Result<bool> {
        let r = sqlx::query(
            "INSERT INTO deploy_holds (app, env, reason, held_by, created_at, incident) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (app, env) DO NOTHING",
        )
        .bind(app)
        .bind(env)
        .bind(&hold.reason)
        .bind(&hold.by)
        .bind(self.clock.now_ms())
        .bind(hold.incident)
        .execute(self.pool())
        .await?;
        Ok(r.rows_affected() == 1)
    }

    /// Release the holds `incident` placed; returns the `(app, env)` released.
    pub async fn release_incident_holds(
        &self,
        incident: i64,
    ) -> anyhow::Result<Vec<(String, String)>> {
        let rows = sqlx::query("DELETE FROM deploy_holds WHERE incident = $1 RETURNING app, env")
            .bind(incident)
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect()
    }
}

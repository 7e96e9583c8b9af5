//! SQL for deploys and holds.

use super::Store;
use super::records::{COLUMNS, Record, RecordId, Versioned, from_row};
use crate::domain::deploy::{Deploy, DeployMeta, Hold, HoldKind, HoldWhy, Holds};
use crate::ids::UserId;
use crate::ids::{DeployId, IncidentId};
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

    /// Place a rollback's hold or a manual lock, replacing an earlier one of the same kind.
    pub async fn set_hold(&self, app: &str, env: &str, hold: &Hold) -> anyhow::Result<()> {
        self.insert_hold(
            app,
            env,
            hold,
            "DO UPDATE SET reason = excluded.reason, held_by = excluded.held_by, \
             created_at = excluded.created_at",
        )
        .await?;
        Ok(())
    }

    /// Place an incident's freeze beside whatever holds are there; false if this incident
    /// already froze this environment.
    pub async fn freeze_env(&self, app: &str, env: &str, hold: &Hold) -> anyhow::Result<bool> {
        self.insert_hold(app, env, hold, "DO NOTHING").await
    }

    async fn insert_hold(
        &self,
        app: &str,
        env: &str,
        hold: &Hold,
        on_conflict: &'static str,
    ) -> anyhow::Result<bool> {
        let (kind, incident) = hold.kind.to_row();
        let r = sqlx::query(AssertSqlSafe(format!(
            "INSERT INTO deploy_hold_set (app, env, kind, incident, reason, held_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (app, env, kind, incident) {on_conflict}"
        )))
        .bind(app)
        .bind(env)
        .bind(kind)
        .bind(incident)
        .bind(serde_json::to_string(&hold.why)?)
        .bind(hold.by.as_str())
        .bind(self.clock.now_ms())
        .execute(self.pool())
        .await?;
        Ok(r.rows_affected() == 1)
    }

    /// Every hold in force on an app+environment.
    pub async fn holds(&self, app: &str, env: &str) -> anyhow::Result<Holds> {
        let rows = sqlx::query(
            "SELECT kind, incident, reason, held_by, created_at FROM deploy_hold_set \
             WHERE app = $1 AND env = $2",
        )
        .bind(app)
        .bind(env)
        .fetch_all(self.pool())
        .await?;
        Ok(Holds::new(
            rows.iter()
                .map(hold_from_row)
                .collect::<anyhow::Result<_>>()?,
        ))
    }

    /// `/deploy unlock`: release the rollback and manual holds, never a freeze; returns what
    /// was released.
    pub async fn unlock(&self, app: &str, env: &str) -> anyhow::Result<Vec<Hold>> {
        let rows = sqlx::query(
            "DELETE FROM deploy_hold_set WHERE app = $1 AND env = $2 \
             AND kind IN ('rollback', 'manual') \
             RETURNING kind, incident, reason, held_by, created_at",
        )
        .bind(app)
        .bind(env)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(hold_from_row).collect()
    }

    /// Release the freezes `incident` placed; returns the `(app, env)` released.
    pub async fn release_incident_holds(
        &self,
        incident: IncidentId,
    ) -> anyhow::Result<Vec<(String, String)>> {
        let rows = sqlx::query(
            "DELETE FROM deploy_hold_set WHERE kind = 'incident' AND incident = $1 \
             RETURNING app, env",
        )
        .bind(incident.0)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect()
    }
}

/// A hold's reason as stored; one written before reasons were typed is what was said.
fn why(stored: String) -> HoldWhy {
    serde_json::from_str(&stored).unwrap_or(HoldWhy::Said { text: stored })
}

fn hold_from_row(r: &sqlx::any::AnyRow) -> anyhow::Result<Hold> {
    Ok(Hold {
        kind: HoldKind::from_row(&r.try_get::<String, _>(0)?, r.try_get(1)?)?,
        why: why(r.try_get(2)?),
        by: UserId::new(r.try_get::<String, _>(3)?),
        since_ms: r.try_get(4)?,
    })
}

//! SQL for deploys and holds.

use super::{Store, now_millis};
use crate::domain::deploy::{Deploy, DeployMeta, Hold};
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredDeploy {
    pub id: i64,
    pub deploy: Deploy,
    pub meta: DeployMeta,
    /// The version read; `save_deploy` refuses a save from a stale read and bumps it on success.
    pub version: i64,
}

const COLUMNS: &str = "id, data, meta, version";

fn stored(r: &AnyRow) -> anyhow::Result<StoredDeploy> {
    Ok(StoredDeploy {
        id: r.try_get(0)?,
        deploy: serde_json::from_str(&r.try_get::<String, _>(1)?)?,
        meta: serde_json::from_str(&r.try_get::<String, _>(2)?)?,
        version: r.try_get(3)?,
    })
}

impl Store {
    /// Insert a deploy for `trigger_key`, or return the one already inserted for it (a retried
    /// handler finds its deploy instead of making a second). `true`: newly inserted.
    pub async fn insert_deploy(
        &self,
        d: &Deploy,
        meta: &DeployMeta,
        trigger_key: &str,
    ) -> anyhow::Result<(StoredDeploy, bool)> {
        let now = now_millis();
        let inserted = sqlx::query(
            "INSERT INTO deploys (app, env, state, data, meta, trigger_key, version, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $7) ON CONFLICT (trigger_key) DO NOTHING",
        )
        .bind(&d.app)
        .bind(&d.env)
        .bind(d.state.label())
        .bind(serde_json::to_string(d)?)
        .bind(serde_json::to_string(meta)?)
        .bind(trigger_key)
        .bind(now)
        .execute(self.pool())
        .await?
        .rows_affected()
            == 1;
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM deploys WHERE trigger_key = $1"
        )))
        .bind(trigger_key)
        .fetch_one(self.pool())
        .await?;
        Ok((stored(&row)?, inserted))
    }

    pub async fn load_deploy(&self, id: i64) -> anyhow::Result<Option<StoredDeploy>> {
        sqlx::query(AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM deploys WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .as_ref()
        .map(stored)
        .transpose()
    }

    /// Save if nobody saved since it was read. False: reload and decide again.
    pub async fn save_deploy(&self, s: &mut StoredDeploy) -> anyhow::Result<bool> {
        let r = sqlx::query(
            "UPDATE deploys SET state = $1, data = $2, meta = $3, version = version + 1, updated_at = $4 \
             WHERE id = $5 AND version = $6",
        )
        .bind(s.deploy.state.label())
        .bind(serde_json::to_string(&s.deploy)?)
        .bind(serde_json::to_string(&s.meta)?)
        .bind(now_millis())
        .bind(s.id)
        .bind(s.version)
        .execute(self.pool())
        .await?;
        let saved = r.rows_affected() == 1;
        if saved {
            s.version += 1;
        }
        Ok(saved)
    }

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
        .map(stored)
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
        .map(stored)
        .collect()
    }

    pub async fn set_hold(&self, app: &str, env: &str, hold: &Hold) -> anyhow::Result<()> {
        sqlx::query(
            "INSERT INTO deploy_holds (app, env, reason, held_by, created_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (app, env) DO UPDATE SET reason = excluded.reason, held_by = excluded.held_by, \
             created_at = excluded.created_at",
        )
        .bind(app)
        .bind(env)
        .bind(&hold.reason)
        .bind(&hold.by)
        .bind(now_millis())
        .execute(self.pool())
        .await?;
        Ok(())
    }

    pub async fn hold(&self, app: &str, env: &str) -> anyhow::Result<Option<Hold>> {
        let row =
            sqlx::query("SELECT reason, held_by FROM deploy_holds WHERE app = $1 AND env = $2")
                .bind(app)
                .bind(env)
                .fetch_optional(self.pool())
                .await?;
        row.map(|r| {
            Ok(Hold {
                reason: r.try_get(0)?,
                by: r.try_get(1)?,
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
}

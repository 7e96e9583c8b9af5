//! SQL for the journal of outward effects (see `effects.rs`).

use super::Store;
use sqlx::Row;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Begun {
    /// First time: do it, then `finish_effect`.
    New,
    /// An earlier run did it, and this is what it produced.
    Done(Option<String>),
    /// An earlier run began it and stopped before knowing whether it happened.
    Unfinished,
}

impl Store {
    pub async fn begin_effect(&self, key: &str) -> anyhow::Result<Begun> {
        let inserted = sqlx::query(
            "INSERT INTO effects (key, done, at) VALUES ($1, 0, $2) ON CONFLICT (key) DO NOTHING",
        )
        .bind(key)
        .bind(self.clock.now_ms())
        .execute(self.pool())
        .await?
        .rows_affected();
        if inserted == 1 {
            return Ok(Begun::New);
        }
        let row = sqlx::query("SELECT done, result FROM effects WHERE key = $1")
            .bind(key)
            .fetch_one(self.pool())
            .await?;
        let done: i64 = row.try_get(0)?;
        Ok(if done == 1 {
            Begun::Done(row.try_get(1)?)
        } else {
            Begun::Unfinished
        })
    }

    pub async fn finish_effect(&self, key: &str, result: Option<&str>) -> anyhow::Result<()> {
        sqlx::query("UPDATE effects SET done = 1, result = $2 WHERE key = $1")
            .bind(key)
            .bind(result)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// The effect did not happen (its call failed): a later run may do it.
    pub async fn abandon_effect(&self, key: &str) -> anyhow::Result<()> {
        sqlx::query("DELETE FROM effects WHERE key = $1")
            .bind(key)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Forget effects recorded before `before` (their events are handled and purged).
    pub async fn purge_effects(&self, before: i64) -> anyhow::Result<u64> {
        Ok(sqlx::query("DELETE FROM effects WHERE at < $1")
            .bind(before)
            .execute(self.pool())
            .await?
            .rows_affected())
    }
}

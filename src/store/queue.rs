//! The durable queues: accepted events (`inbox`) and timers (`jobs`), one row shape. Rows are
//! inserted through the group-commit writer (`writer.rs`); claims take the lowest lane first and
//! never a row whose ordering key has an older row pending; leases are owned and extended.

use super::{Backend, NewRow, Store, wall_ms};
use crate::event::Lane;
use crate::ids::QueueId;
use sqlx::any::AnyRow;
// Table names in format! come from `Queue::table`, never from input; values are always bound.
use sqlx::{AssertSqlSafe, Row};
use std::sync::atomic::Ordering;
use std::time::Duration;

/// The two durable queues: accepted events and timers. They share one row shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Queue {
    Inbox,
    Jobs,
}

impl Queue {
    pub(crate) fn table(self) -> &'static str {
        match self {
            Queue::Inbox => "inbox",
            Queue::Jobs => "jobs",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Enqueued {
    New(QueueId),
    Duplicate,
}

#[derive(Clone, Debug)]
pub struct Claimed {
    pub queue: Queue,
    pub id: QueueId,
    pub payload: String,
    pub attempts: u32,
    pub dedupe_key: String,
    pub kind: String,
    /// When it became ready to be handled (Unix ms): accepted, or due for its retry.
    pub ready_at: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueueRow {
    pub id: QueueId,
    pub dedupe_key: String,
    pub kind: String,
    pub state: String,
    pub attempts: u32,
    pub run_at: i64,
    pub last_error: Option<String>,
    pub created_at: i64,
    /// The stored event (`event::Event` as JSON).
    pub payload: String,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct QueueCounts {
    pub pending: i64,
    pub parked: i64,
}

impl Store {
    /// Insert unless a row with the same dedupe key exists (a Slack retry, a GitHub redelivery,
    /// a timer already scheduled). Returns once the row is committed. Concurrent calls share one
    /// transaction (group commit), which is what lets ingress keep up with bursts.
    pub async fn enqueue(
        &self,
        queue: Queue,
        dedupe_key: &str,
        kind: &str,
        payload: &str,
        run_at: i64,
    ) -> anyhow::Result<Enqueued> {
        self.enqueue_ordered(
            queue,
            dedupe_key,
            kind,
            payload,
            run_at,
            (Lane::Background, None),
        )
        .await
    }

    /// As `enqueue`, in a lane and with an ordering key (see `event::order`).
    pub async fn enqueue_ordered(
        &self,
        queue: Queue,
        dedupe_key: &str,
        kind: &str,
        payload: &str,
        run_at: i64,
        (lane, ordering_key): (Lane, Option<String>),
    ) -> anyhow::Result<Enqueued> {
        self.write(|done| NewRow {
            queue,
            dedupe_key: dedupe_key.to_owned(),
            kind: kind.to_owned(),
            payload: payload.to_owned(),
            run_at,
            lane,
            ordering_key,
            ignored: None,
            done,
        })
        .await
    }

    /// Record an event nothing will handle, in state `ignored` with `why` (deduplicated like
    /// any other): `banto inbox --state ignored` lists them.
    pub async fn record_ignored(
        &self,
        dedupe_key: &str,
        kind: &str,
        payload: &str,
        why: &str,
    ) -> anyhow::Result<Enqueued> {
        let now = self.clock.now_ms();
        self.write(|done| NewRow {
            queue: Queue::Inbox,
            dedupe_key: dedupe_key.to_owned(),
            kind: kind.to_owned(),
            payload: payload.to_owned(),
            run_at: now,
            lane: Lane::Background,
            ordering_key: None,
            ignored: Some(why.to_owned()),
            done,
        })
        .await
    }

    /// Take the oldest ready row for `lease`: no other worker, here or in another process, gets
    /// it until the lease runs out.
    pub async fn claim(
        &self,
        queue: Queue,
        owner: &str,
        lease: Duration,
    ) -> anyhow::Result<Option<Claimed>> {
        Ok(self.claim_many(queue, owner, lease, 1).await?.pop())
    }

    /// As `claim`, up to `limit` rows in one statement, in claim order.
    pub async fn claim_many(
        &self,
        queue: Queue,
        owner: &str,
        lease: Duration,
        limit: usize,
    ) -> anyhow::Result<Vec<Claimed>> {
        let now = self.clock.now_ms();
        let lock = match self.backend {
            Backend::Postgres => "FOR UPDATE SKIP LOCKED",
            Backend::Sqlite => "",
        };
        let table = queue.table();
        // Interactive rows first; a row waits while an older one with its ordering key is
        // pending (being handled, or waiting for a retry), so one batch never holds two rows
        // of one key.
        let sql = format!(
            "UPDATE {table} SET lease_until = $1, lease_owner = $2, attempts = attempts + 1 \
             WHERE id IN (SELECT id FROM {table} q WHERE state = 'pending' AND run_at <= $3 \
             AND (lease_until IS NULL OR lease_until < $3) \
             AND (ordering_key IS NULL OR NOT EXISTS (SELECT 1 FROM {table} o \
                  WHERE o.ordering_key = q.ordering_key AND o.state = 'pending' AND o.id < q.id)) \
             ORDER BY lane, run_at, id LIMIT $4 {lock}) \
             RETURNING id, payload, attempts, lane, run_at, dedupe_key, kind"
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(now + lease.as_millis() as i64)
            .bind(owner)
            .bind(now)
            .bind(limit.max(1) as i64)
            .fetch_all(&self.lease_pool)
            .await?;
        let mut claimed = rows
            .iter()
            .map(|r| {
                let order: (i64, i64, i64) = (r.try_get(3)?, r.try_get(4)?, r.try_get(0)?);
                let c = Claimed {
                    queue,
                    id: QueueId(r.try_get(0)?),
                    payload: r.try_get(1)?,
                    attempts: r.try_get::<i64, _>(2)? as u32,
                    dedupe_key: r.try_get(5)?,
                    kind: r.try_get(6)?,
                    ready_at: r.try_get(4)?,
                };
                Ok((order, c))
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        claimed.sort_by_key(|(order, _)| *order);
        Ok(claimed.into_iter().map(|(_, c)| c).collect())
    }

    /// Extend the lease on a row still being handled. Returns false if the lease was lost.
    pub async fn extend_lease(
        &self,
        c: &Claimed,
        owner: &str,
        lease: Duration,
    ) -> anyhow::Result<bool> {
        let sql = format!(
            "UPDATE {} SET lease_until = $1 WHERE id = $2 AND lease_owner = $3 AND state = 'pending'",
            c.queue.table()
        );
        let r = sqlx::query(AssertSqlSafe(sql))
            .bind(self.clock.now_ms() + lease.as_millis() as i64)
            .bind(c.id.0)
            .bind(owner)
            .execute(&self.lease_pool)
            .await?;
        Ok(r.rows_affected() == 1)
    }

    /// Mark a claimed row handled. Returns false if the lease was lost to another worker.
    pub async fn finish(&self, c: &Claimed, owner: &str) -> anyhow::Result<bool> {
        let sql = format!(
            "UPDATE {} SET state = 'done', finished_at = $1, lease_until = NULL, last_error = NULL \
             WHERE id = $2 AND lease_owner = $3",
            c.queue.table()
        );
        let r = sqlx::query(AssertSqlSafe(sql))
            .bind(self.clock.now_ms())
            .bind(c.id.0)
            .bind(owner)
            .execute(&self.lease_pool)
            .await?;
        Ok(r.rows_affected() == 1)
    }

    /// Record a failure: retry at `retry_at`, or park the row (kept, visible, not retried).
    pub async fn fail(
        &self,
        c: &Claimed,
        owner: &str,
        error: &str,
        retry_at: Option<i64>,
    ) -> anyhow::Result<()> {
        let (state, run_at) = match retry_at {
            Some(at) => ("pending", at),
            None => ("parked", self.clock.now_ms()),
        };
        let sql = format!(
            "UPDATE {} SET state = $1, run_at = $2, lease_until = NULL, last_error = $3 \
             WHERE id = $4 AND lease_owner = $5",
            c.queue.table()
        );
        sqlx::query(AssertSqlSafe(sql))
            .bind(state)
            .bind(run_at)
            .bind(error)
            .bind(c.id.0)
            .bind(owner)
            .execute(&self.lease_pool)
            .await?;
        Ok(())
    }

    /// Put a parked row back in line for another try.
    pub async fn requeue(&self, queue: Queue, id: QueueId) -> anyhow::Result<bool> {
        let sql = format!(
            "UPDATE {} SET state = 'pending', attempts = 0, run_at = $1, lease_until = NULL \
             WHERE id = $2 AND state = 'parked'",
            queue.table()
        );
        let r = sqlx::query(AssertSqlSafe(sql))
            .bind(self.clock.now_ms())
            .bind(id.0)
            .execute(&self.pool)
            .await?;
        Ok(r.rows_affected() == 1)
    }

    /// How long the oldest row ready to be handled has waited, in ms, for each lane (0:
    /// interactive, 1: the rest); 0 when nothing waits. One index probe per lane.
    pub async fn oldest_ready(&self, queue: Queue) -> anyhow::Result<[(i64, i64); 2]> {
        let now = self.clock.now_ms();
        let sql = format!(
            "SELECT MIN(run_at) FROM {} WHERE state = 'pending' AND lane = $1 AND run_at <= $2",
            queue.table()
        );
        let mut out = [(0, 0), (1, 0)];
        for (lane, age) in &mut out {
            let oldest: Option<i64> = sqlx::query_scalar(AssertSqlSafe(sql.clone()))
                .bind(*lane)
                .bind(now)
                .fetch_one(&self.pool)
                .await?;
            *age = oldest.map_or(0, |t| (now - t).max(0));
        }
        Ok(out)
    }

    /// Pending and parked rows. Counted through the `(state, lane, …)` index, so the handled
    /// rows kept for deduplication (most of the table) are never read.
    pub async fn counts(&self, queue: Queue) -> anyhow::Result<QueueCounts> {
        let t = queue.table();
        let sql = format!(
            "SELECT (SELECT COUNT(*) FROM {t} WHERE state = 'pending'), \
             (SELECT COUNT(*) FROM {t} WHERE state = 'parked')"
        );
        let r = sqlx::query(AssertSqlSafe(sql))
            .fetch_one(&self.pool)
            .await?;
        Ok(QueueCounts {
            pending: r.try_get(0)?,
            parked: r.try_get(1)?,
        })
    }

    /// Rows a worker could take now or holds now.
    pub async fn busy(&self, queue: Queue) -> anyhow::Result<i64> {
        let sql = format!(
            "SELECT COUNT(*) FROM {} WHERE state = 'pending' AND (run_at <= $1 OR lease_until IS NOT NULL)",
            queue.table()
        );
        Ok(sqlx::query(AssertSqlSafe(sql))
            .bind(self.clock.now_ms())
            .fetch_one(&self.pool)
            .await?
            .try_get(0)?)
    }

    /// Rows whose last attempt failed and that are not handled yet (waiting to retry, or parked).
    pub async fn failures(&self, queue: Queue) -> anyhow::Result<Vec<QueueRow>> {
        let sql = format!(
            "SELECT id, dedupe_key, kind, state, attempts, run_at, last_error, created_at, payload FROM {} \
             WHERE state IN ('pending', 'parked') AND last_error IS NOT NULL ORDER BY id",
            queue.table()
        );
        sqlx::query(AssertSqlSafe(sql))
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(queue_row)
            .collect()
    }

    /// Rows in `state` (all states when `None`), newest first.
    pub async fn list(
        &self,
        queue: Queue,
        state: Option<&str>,
        limit: i64,
    ) -> anyhow::Result<Vec<QueueRow>> {
        let sql = format!(
            "SELECT id, dedupe_key, kind, state, attempts, run_at, last_error, created_at, payload FROM {} \
             WHERE ($1 = '' OR state = $1) ORDER BY id DESC LIMIT $2",
            queue.table()
        );
        sqlx::query(AssertSqlSafe(sql))
            .bind(state.unwrap_or(""))
            .bind(limit)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(queue_row)
            .collect()
    }

    /// Forget handled rows finished before `before`; pending and parked rows are never purged.
    /// Delete handled rows finished before `before`, a batch at a time with a pause between
    /// batches: one DELETE of an hour's rows at 1,000 events/s would write a log of gigabytes
    /// before the checkpointer could touch it.
    pub async fn purge_done(&self, queue: Queue, before: i64) -> anyhow::Result<u64> {
        self.purge_done_by(queue, before, PURGE_BATCH).await
    }

    /// As `purge_done`, `batch` rows a statement.
    pub async fn purge_done_by(
        &self,
        queue: Queue,
        before: i64,
        batch: u64,
    ) -> anyhow::Result<u64> {
        let t = queue.table();
        let sql = format!(
            "DELETE FROM {t} WHERE id IN (SELECT id FROM {t} WHERE state IN ('done', 'ignored') \
             AND finished_at < $1 LIMIT {batch})"
        );
        let mut purged = 0;
        loop {
            let n = sqlx::query(AssertSqlSafe(sql.clone()))
                .bind(before)
                .execute(&self.pool)
                .await?
                .rows_affected();
            purged += n;
            self.last_write.store(wall_ms(), Ordering::Relaxed);
            if n < batch {
                return Ok(purged);
            }
            // Room for the checkpointer (every second under writes) and for other writers.
            tokio::time::sleep(Duration::from_millis(PURGE_PAUSE_MS)).await;
        }
    }
}

/// Rows one purge statement deletes (a few MB of log), and the pause after it.
const PURGE_BATCH: u64 = 2_000;
const PURGE_PAUSE_MS: u64 = 200;

fn queue_row(r: &AnyRow) -> anyhow::Result<QueueRow> {
    Ok(QueueRow {
        id: QueueId(r.try_get(0)?),
        dedupe_key: r.try_get(1)?,
        kind: r.try_get(2)?,
        state: r.try_get(3)?,
        attempts: r.try_get::<i64, _>(4)? as u32,
        run_at: r.try_get(5)?,
        last_error: r.try_get(6)?,
        created_at: r.try_get(7)?,
        payload: r.try_get(8)?,
    })
}

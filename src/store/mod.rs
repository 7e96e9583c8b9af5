//! All SQL lives here (this file: the durable queues; `terraform.rs`: runs, locks, change
//! events; `deploy.rs`: deploys and holds; `audit.rs`: the hash-chained audit log).
//! One `Store` over sqlx's `Any` driver: SQLite (embedded default) or PostgreSQL (several
//! replicas, claims with `FOR UPDATE SKIP LOCKED`). Times are Unix millis.

mod alert;
mod audit;
mod changes;
mod deploy;
mod effects;
mod incident;
mod records;
mod terraform;
mod translate;

pub use crate::domain::audit::{AuditEntry, AuditRow};
pub use alert::StoredAlert;
pub use deploy::StoredDeploy;
pub use effects::Begun;
pub use incident::StoredIncident;
pub use records::{Record, RecordId, Versioned};
pub use terraform::{BuildMode, LockOutcome, StoredRun};

use crate::clock::Clock;
use crate::event::Lane;
use crate::ids::QueueId;
use sqlx::any::{AnyPoolOptions, AnyRow};
// Table names in format! come from `Queue::table`, never from input; values are always bound.
use sqlx::{AnyPool, AssertSqlSafe, Executor, Row};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    /// For claims, completions and failures (see `connect`).
    lease_pool: AnyPool,
    backend: Backend,
    writer: mpsc::Sender<NewRow>,
    clock: Clock,
    /// When rows were last written (the SQLite checkpointer runs after writes).
    last_write: Arc<AtomicI64>,
    /// Background tasks stop once the last clone of the store is dropped.
    _alive: Arc<()>,
}

/// A row waiting for the group-commit writer.
#[derive(Debug)]
struct NewRow {
    queue: Queue,
    dedupe_key: String,
    kind: String,
    payload: String,
    run_at: i64,
    lane: Lane,
    ordering_key: Option<String>,
    /// Recorded as `ignored` with this reason: never claimed, purged with the handled rows.
    ignored: Option<String>,
    done: oneshot::Sender<Result<Enqueued, String>>,
}

/// The most rows one commit takes.
const MAX_BATCH: usize = 256;

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

/// Real time, for the store's own pacing (checkpoints): never for what a record says.
fn wall_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

impl Store {
    pub async fn connect(url: &str, max_connections: u32) -> anyhow::Result<Self> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else {
            Backend::Postgres
        };
        let url = match backend {
            Backend::Sqlite if !url.contains('?') && !url.contains(":memory:") => {
                format!("{url}?mode=rwc")
            }
            _ => url.to_owned(),
        };
        let pool = AnyPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // WAL lets readers and the writer proceed together; NORMAL keeps every
                        // commit safe from a process crash without an fsync per event.
                        conn.execute("PRAGMA journal_mode = WAL").await?;
                        conn.execute("PRAGMA synchronous = NORMAL").await?;
                        conn.execute("PRAGMA busy_timeout = 10000").await?;
                        // Checkpoints run in the background (`checkpoint_loop`), not inside
                        // whichever commit happens to cross the threshold; a log that was
                        // checkpointed whole is cut back to this size when it starts over.
                        conn.execute("PRAGMA wal_autocheckpoint = 0").await?;
                        conn.execute(AssertSqlSafe(format!(
                            "PRAGMA journal_size_limit = {WAL_LIMIT_BYTES}"
                        )))
                        .await?;
                    }
                    Ok(())
                })
            })
            .connect(&url)
            .await
            .map_err(|e| {
                anyhow::anyhow!("cannot open database {}: {e}", crate::redact::url(&url))
            })?;
        let lease_pool = match backend {
            Backend::Sqlite => pool.clone(),
            // Claims and completions do not wait for the server's WAL flush: losing one in a
            // PostgreSQL crash only means an event is handled again after its lease, exactly as
            // after a worker crash. Accepting an event stays fully synchronous.
            Backend::Postgres => {
                AnyPoolOptions::new()
                    .max_connections(max_connections)
                    .acquire_timeout(Duration::from_secs(10))
                    .after_connect(|conn, _| {
                        Box::pin(async move {
                            conn.execute("SET synchronous_commit = off").await?;
                            Ok(())
                        })
                    })
                    .connect(&url)
                    .await?
            }
        };
        let (writer, rows) = mpsc::channel(4 * MAX_BATCH);
        let last_write = Arc::new(AtomicI64::new(0));
        let clock = Clock::default();
        tokio::spawn(write_loop(
            pool.clone(),
            rows,
            last_write.clone(),
            clock.clone(),
        ));
        let alive = Arc::new(());
        if backend == Backend::Sqlite {
            let conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&url).await?;
            tokio::spawn(checkpoint_loop(
                conn,
                Arc::downgrade(&alive),
                last_write.clone(),
            ));
        }
        Ok(Self {
            pool,
            lease_pool,
            backend,
            writer,
            clock,
            last_write,
            _alive: alive,
        })
    }

    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    fn migrator(&self) -> &'static sqlx::migrate::Migrator {
        match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        }
    }

    pub async fn migrate(&self) -> anyhow::Result<()> {
        self.migrator().run(&self.pool).await?;
        Ok(())
    }

    /// `(applied, every migration banto knows, as "0013 ordering keys")`: what `banto migrate`
    /// would still apply is the difference.
    pub async fn migration_status(&self) -> anyhow::Result<(Vec<String>, Vec<String>)> {
        let applied: Vec<i64> =
            match sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success = TRUE")
                .fetch_all(&self.pool)
                .await
            {
                Ok(v) => v,
                // No table yet: nothing was ever applied.
                Err(sqlx::Error::Database(_)) => vec![],
                Err(e) => return Err(e.into()),
            };
        let name = |m: &sqlx::migrate::Migration| format!("{:04} {}", m.version, m.description);
        let known: Vec<_> = self.migrator().iter().collect();
        Ok((
            known
                .iter()
                .filter(|m| applied.contains(&m.version))
                .map(|m| name(m))
                .collect(),
            known.iter().map(|m| name(m)).collect(),
        ))
    }

    pub async fn ping(&self) -> anyhow::Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

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

    /// Hand a row to the group-commit writer and wait for its commit.
    async fn write(
        &self,
        row: impl FnOnce(oneshot::Sender<Result<Enqueued, String>>) -> NewRow,
    ) -> anyhow::Result<Enqueued> {
        let (done, committed) = oneshot::channel();
        self.writer
            .send(row(done))
            .await
            .map_err(|_| anyhow::anyhow!("the database writer has stopped"))?;
        committed
            .await
            .map_err(|_| anyhow::anyhow!("the database writer has stopped"))?
            .map_err(|e| anyhow::anyhow!("cannot store the event: {e}"))
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

/// The SQLite write-ahead log is kept under about this size.
const WAL_LIMIT_BYTES: i64 = 8 * 1024 * 1024;

/// Copy the SQLite write-ahead log into the database file on a connection of its own: in a
/// quiet moment (no insert for 500 ms), and every half second under sustained load. A passive
/// checkpoint never waits, so readers that are always busy can keep the log from starting over;
/// once it holds more than `WAL_LIMIT_BYTES`, a truncating checkpoint waits for them (and holds
/// writers back for that moment) and empties the file.
async fn checkpoint_loop(
    mut conn: sqlx::AnyConnection,
    alive: Weak<()>,
    last_write: Arc<AtomicI64>,
) {
    let mut tick = tokio::time::interval(Duration::from_millis(250));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // How long a truncating checkpoint waits for readers (short queries) before trying later.
    if let Err(e) = conn.execute("PRAGMA busy_timeout = 2000").await {
        tracing::warn!(error = %e, "SQLite checkpoint connection set-up failed");
    }
    let page_size: i64 = match sqlx::query("PRAGMA page_size").fetch_one(&mut conn).await {
        Ok(row) => row.try_get(0).unwrap_or(4096),
        Err(_) => 4096,
    };
    let mut last_checkpoint = wall_ms();
    let mut written_since = false;
    loop {
        tick.tick().await;
        if alive.upgrade().is_none() {
            return;
        }
        let last = last_write.load(Ordering::Relaxed);
        written_since |= last > last_checkpoint;
        let now = wall_ms();
        let quiet = now - last >= 500;
        if written_since && (quiet || now - last_checkpoint >= 500) {
            match sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                .fetch_one(&mut conn)
                .await
            {
                // (busy, frames in the log, frames copied)
                Ok(row) => {
                    let frames: i64 = row.try_get(1).unwrap_or(0);
                    if frames * (page_size + 24) > WAL_LIMIT_BYTES
                        && let Err(e) = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").await
                    {
                        tracing::warn!(error = %e, "SQLite log truncation failed; will try again");
                    }
                }
                Err(e) => tracing::warn!(error = %e, "SQLite checkpoint failed; will try again"),
            }
            last_checkpoint = now;
            written_since = false;
        }
    }
}

async fn write_loop(
    pool: AnyPool,
    mut rows: mpsc::Receiver<NewRow>,
    last_write: Arc<AtomicI64>,
    clock: Clock,
) {
    while let Some(first) = rows.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rows.try_recv() {
                Ok(row) => batch.push(row),
                Err(_) => break,
            }
        }
        last_write.store(wall_ms(), Ordering::Relaxed);
        match insert_batch(&pool, &batch, clock.now_ms()).await {
            Ok(results) => {
                for (row, r) in batch.into_iter().zip(results) {
                    let _ = row.done.send(Ok(r));
                }
            }
            Err(e) => {
                let e = e.to_string();
                for row in batch {
                    let _ = row.done.send(Err(e.clone()));
                }
            }
        }
    }
}

/// Multi-row INSERTs, one per queue and power-of-two chunk (so a handful of prepared statements
/// serve every batch size). Rows whose key already exists, or repeats within the batch, come
/// back as duplicates. On an error every caller is told the batch failed, even for rows an
/// earlier chunk committed: the sender retries and the retry is recognised as a duplicate.
async fn insert_batch(pool: &AnyPool, batch: &[NewRow], now: i64) -> anyhow::Result<Vec<Enqueued>> {
    let mut out = vec![Enqueued::Duplicate; batch.len()];
    let mut conn = pool.acquire().await?;
    for queue in [Queue::Inbox, Queue::Jobs] {
        let rows: Vec<(usize, &NewRow)> = batch
            .iter()
            .enumerate()
            .filter(|(_, r)| r.queue == queue)
            .collect();
        let mut rest = rows.as_slice();
        while !rest.is_empty() {
            let size = 1 << rest.len().ilog2();
            let (chunk, tail) = rest.split_at(size);
            for (i, id) in insert_rows(&mut conn, queue, chunk, now).await? {
                out[i] = Enqueued::New(QueueId(id));
            }
            rest = tail;
        }
    }
    Ok(out)
}

/// Returns `(index in batch, new id)` for each row inserted.
async fn insert_rows(
    conn: &mut sqlx::AnyConnection,
    queue: Queue,
    rows: &[(usize, &NewRow)],
    now: i64,
) -> anyhow::Result<Vec<(usize, i64)>> {
    let values: Vec<String> = (0..rows.len())
        .map(|i| {
            let p = i * 10;
            let params: Vec<String> = (1..=10).map(|k| format!("${}", p + k)).collect();
            format!("({})", params.join(", "))
        })
        .collect();
    let sql = format!(
        "INSERT INTO {} (dedupe_key, kind, payload, run_at, created_at, lane, ordering_key, \
         state, last_error, finished_at) VALUES {} \
         ON CONFLICT (dedupe_key) DO NOTHING RETURNING id, dedupe_key",
        queue.table(),
        values.join(", ")
    );
    let mut query = sqlx::query(AssertSqlSafe(sql));
    for (_, row) in rows {
        query = query
            .bind(&row.dedupe_key)
            .bind(&row.kind)
            .bind(&row.payload)
            .bind(row.run_at)
            .bind(now)
            .bind(row.lane as i64)
            .bind(row.ordering_key.as_deref())
            .bind(if row.ignored.is_some() {
                "ignored"
            } else {
                "pending"
            })
            .bind(row.ignored.as_deref())
            .bind(row.ignored.as_ref().map(|_| now));
    }
    let mut inserted: std::collections::HashMap<String, i64> = std::collections::HashMap::new();
    for r in query.fetch_all(&mut *conn).await? {
        inserted.insert(r.try_get(1)?, r.try_get(0)?);
    }
    // The first row with a new key takes its id; a repeat within the batch is a duplicate.
    Ok(rows
        .iter()
        .filter_map(|(i, row)| inserted.remove(&row.dedupe_key).map(|id| (*i, id)))
        .collect())
}

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

//! All SQL lives here. This file: the `Store` (connection pools, migrations); `queue.rs` the
//! durable queues, `writer.rs` their group-commit writer, `wal.rs` SQLite checkpoints;
//! `records.rs` versioned records; one file per capability's own queries; `changes.rs` change
//! events; `audit.rs` the hash-chained audit log.
//! One `Store` over sqlx's `Any` driver: SQLite (embedded default) or PostgreSQL (several
//! replicas, claims with `FOR UPDATE SKIP LOCKED`). Times are Unix millis.

mod alert;
mod audit;
mod changes;
mod deploy;
mod effects;
mod incident;
mod queue;
mod records;
mod terraform;
mod translate;
mod wal;
mod writer;

pub use crate::domain::audit::{AuditEntry, AuditRow};
pub use alert::StoredAlert;
pub use deploy::StoredDeploy;
pub use effects::Begun;
pub use incident::StoredIncident;
pub use queue::{Claimed, Enqueued, Queue, QueueCounts, QueueRow};
pub use records::{Record, RecordId, Versioned};
pub use terraform::{BuildMode, LockOutcome, StoredRun};

use wal::{WAL_LIMIT_BYTES, checkpoint_loop};
use writer::{MAX_BATCH, NewRow, write_loop};

use crate::clock::Clock;
use sqlx::any::AnyPoolOptions;
use sqlx::{AnyPool, AssertSqlSafe, Executor};
use std::sync::Arc;
use std::sync::atomic::AtomicI64;
use std::time::Duration;
use tokio::sync::mpsc;

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
}

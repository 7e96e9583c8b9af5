//! The group-commit writer: one task takes every queued insert waiting, writes them in one
//! transaction (multi-row INSERTs) and tells each caller its row's fate.

use super::{Enqueued, Queue, Store, wall_ms};
use crate::clock::Clock;
use crate::event::Lane;
use crate::ids::QueueId;
use sqlx::{AnyPool, AssertSqlSafe, Row};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use tokio::sync::{mpsc, oneshot};

/// A row waiting for the group-commit writer.
#[derive(Debug)]
pub(super) struct NewRow {
    pub(super) queue: Queue,
    pub(super) dedupe_key: String,
    pub(super) kind: String,
    pub(super) payload: String,
    pub(super) run_at: i64,
    pub(super) lane: Lane,
    pub(super) ordering_key: Option<String>,
    /// Recorded as `ignored` with this reason: never claimed, purged with the handled rows.
    pub(super) ignored: Option<String>,
    pub(super) done: oneshot::Sender<Result<Enqueued, String>>,
}

/// The most rows one commit takes.
pub(super) const MAX_BATCH: usize = 256;

impl Store {
    /// Hand a row to the group-commit writer and wait for its commit.
    pub(super) async fn write(
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
}

pub(super) async fn write_loop(
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

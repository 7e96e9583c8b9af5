//! SQLite's write-ahead log kept small: checkpoints on a connection of their own.

use super::wall_ms;
use sqlx::{Executor, Row};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

/// The SQLite write-ahead log is kept under about this size.
pub(super) const WAL_LIMIT_BYTES: i64 = 8 * 1024 * 1024;

/// Copy the SQLite write-ahead log into the database file on a connection of its own: in a
/// quiet moment (no insert for 500 ms), and every half second under sustained load. A passive
/// checkpoint never waits, so readers that are always busy can keep the log from starting over;
/// once it holds more than `WAL_LIMIT_BYTES`, a truncating checkpoint waits for them (and holds
/// writers back for that moment) and empties the file.
pub(super) async fn checkpoint_loop(
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

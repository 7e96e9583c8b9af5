//! Workers: claim a row (inbox first, interactive events before the backlog, then due timers),
//! dispatch it on a task of its own under a concurrency limit, record the outcome.
//! A failing row is retried with backoff, then parked with its error; nothing is dropped.

use crate::app::App;
use crate::dispatch::dispatch;
use crate::event::Event;
use crate::handlers::failure::report;
use crate::store::{Claimed, Queue};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;
use tracing::Instrument;

/// Handle up to `count` rows at once until `stop` turns true; in-flight rows finish first. One
/// loop claims (interactive events first, see `event::order`) while a permit is free, and each
/// claimed row is handled on its own task, so a slow Slack or GitHub holds a permit, not the line.
pub async fn run(app: Arc<App>, count: usize, mut stop: watch::Receiver<bool>) {
    for timer in crate::timers::HOURLY {
        if let Err(e) = crate::timers::schedule_hourly(&app, timer).await {
            tracing::warn!(error = %e, "could not schedule the hourly timers");
        }
    }
    let owner = format!("{}-{}", hostname(), std::process::id());
    let permits = Arc::new(Semaphore::new(count.max(1)));
    let poll = Duration::from_millis(app.config.workers.poll_interval_ms);
    let mut jobs_checked = tokio::time::Instant::now() - poll;
    let mut handling = JoinSet::new();
    while !*stop.borrow() {
        let permit = tokio::select! {
            p = permits.clone().acquire_owned() => p.expect("the semaphore is never closed"),
            changed = stop.changed() => {
                if changed.is_err() {
                    break;
                }
                continue;
            }
        };
        while handling.try_join_next().is_some() {}
        // Timers are checked once per poll interval, not after every event.
        let check_jobs = jobs_checked.elapsed() >= poll;
        if check_jobs {
            jobs_checked = tokio::time::Instant::now();
        }
        // As many rows as there are free permits, in one statement.
        let free = 1 + permits.available_permits().min(CLAIM_BATCH - 1);
        match next(&app, &owner, check_jobs, free).await {
            Ok(rows) if !rows.is_empty() => {
                let mut first = Some(permit);
                for c in rows {
                    let permit = match first.take() {
                        Some(p) => p,
                        // Counted above; only handlers give permits back meanwhile.
                        None => permits
                            .clone()
                            .acquire_owned()
                            .await
                            .expect("the semaphore is never closed"),
                    };
                    let (app, owner) = (app.clone(), owner.clone());
                    // Every line logged while this row is handled carries its dedupe key.
                    let span = tracing::info_span!("event", key = %c.dedupe_key, id = %c.id, queue = ?c.queue, attempt = c.attempts);
                    handling.spawn(
                        async move {
                            process(&app, &owner, c).await;
                            drop(permit);
                        }
                        .instrument(span),
                    );
                }
            }
            Ok(_) => {
                drop(permit);
                tokio::select! {
                    _ = app.wake.notified() => {}
                    _ = tokio::time::sleep(poll) => {}
                    _ = stop.changed() => {}
                }
            }
            Err(e) => {
                drop(permit);
                tracing::error!(error = %e, "cannot claim work; retrying");
                tokio::time::sleep(poll).await;
            }
        }
    }
    while handling.join_next().await.is_some() {}
}

fn hostname() -> String {
    std::fs::read_to_string("/etc/hostname")
        .map(|s| s.trim().to_owned())
        .unwrap_or_else(|_| "banto".into())
}

/// The most rows one claim takes.
const CLAIM_BATCH: usize = 32;

async fn next(
    app: &App,
    owner: &str,
    check_jobs: bool,
    limit: usize,
) -> anyhow::Result<Vec<Claimed>> {
    let lease = Duration::from_secs(app.config.workers.lease_seconds);
    let rows = app
        .store
        .claim_many(Queue::Inbox, owner, lease, limit)
        .await?;
    if !rows.is_empty() || !check_jobs {
        return Ok(rows);
    }
    app.store.claim_many(Queue::Jobs, owner, lease, limit).await
}

async fn process(app: &App, owner: &str, c: Claimed) {
    let waited = Duration::from_millis((app.clock.now_ms() - c.ready_at).max(0) as u64);
    let started = std::time::Instant::now();
    let event = serde_json::from_str::<Event>(&c.payload);
    let result = match &event {
        Ok(event) => {
            let row = format!("{}:{}", c.queue.table(), c.id);
            let handle = crate::effects::scope(row, run_guarded(app, event.clone()));
            tokio::select! {
                r = handle => r,
                () = heartbeat(app, owner, &c) => unreachable!("the heartbeat never ends"),
            }
        }
        Err(e) => Err(anyhow::anyhow!("stored payload does not decode: {e}")),
    };
    let handled =
        |outcome| crate::metrics::event_handled(&c.kind, outcome, waited, started.elapsed());
    let store_result = match result {
        Ok(()) => {
            handled("ok");
            tracing::debug!(kind = %c.kind, took_ms = started.elapsed().as_millis() as u64, "handled");
            app.store.finish(&c, owner).await.map(|kept| {
                if !kept {
                    tracing::warn!(id = %c.id, "lease expired while handling; another worker may repeat it");
                }
            })
        }
        Err(e) => {
            // Errors quote what GitHub, Slack or AWS said; they are logged and stored, so masked.
            let error = crate::domain::mask::text(&format!("{e:#}")).into_owned();
            let retry_at = (c.attempts < app.config.workers.max_attempts)
                .then(|| app.clock.now_ms() + backoff(c.attempts).as_millis() as i64);
            if retry_at.is_some() {
                handled("retry");
                tracing::warn!(id = %c.id, attempt = c.attempts, error, "handler failed; will retry");
            } else {
                handled("parked");
                tracing::error!(id = %c.id, attempt = c.attempts, error, "handler failed; parked (see `banto inbox`)");
            }
            let recorded = app.store.fail(&c, owner, &error, retry_at).await;
            if let (Ok(()), Ok(event)) = (&recorded, &event) {
                report(app, event, c.id, c.attempts, retry_at.is_none(), &error).await;
            }
            recorded
        }
    };
    if let Err(e) = store_result {
        tracing::error!(id = %c.id, error = %e, "cannot record the outcome; the lease will expire and the row be retried");
    }
    app.progress.send_modify(|n| *n += 1);
}

/// Keeps the lease of a row being handled alive (every third of `lease_seconds`), so a short
/// lease is safe for slow handlers and a crashed worker's rows come back within seconds.
async fn heartbeat(app: &App, owner: &str, c: &Claimed) {
    let lease = Duration::from_secs(app.config.workers.lease_seconds);
    let every = (lease / 3).max(Duration::from_millis(100));
    loop {
        tokio::time::sleep(every).await;
        match app.store.extend_lease(c, owner, lease).await {
            Ok(true) => {}
            Ok(false) => tracing::warn!(id = %c.id, "lease lost while handling"),
            Err(e) => tracing::warn!(id = %c.id, error = %e, "cannot extend the lease"),
        }
    }
}

/// A panicking handler is a failed attempt, not a dead worker.
async fn run_guarded(app: &App, event: Event) -> anyhow::Result<()> {
    use futures::FutureExt;
    match std::panic::AssertUnwindSafe(dispatch(app, event))
        .catch_unwind()
        .await
    {
        Ok(r) => r,
        Err(panic) => {
            let msg = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "handler panicked".into());
            Err(anyhow::anyhow!("handler panicked: {msg}"))
        }
    }
}

/// 2 s, 4 s, 8 s … capped at 10 minutes.
pub fn backoff(attempt: u32) -> Duration {
    Duration::from_secs(2u64.saturating_pow(attempt.min(12)).min(600))
}

#[cfg(test)]
mod tests {
    #[test]
    fn backoff_grows_and_is_capped() {
        assert_eq!(super::backoff(1).as_secs(), 2);
        assert_eq!(super::backoff(3).as_secs(), 8);
        assert_eq!(super::backoff(40).as_secs(), 600);
    }
}

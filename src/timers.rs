//! Timers are rows in the jobs table, each firing once at its `run_at`; the worker claims them
//! like inbox rows. Handlers schedule here, never through the worker.

use crate::app::App;
use crate::event::{Event, Timer};
use crate::store::Queue;

const HOUR_MS: i64 = 3_600_000;

/// The timers that fire every hour.
pub const HOURLY: [Timer; 3] = [
    Timer::PurgeHandled,
    Timer::ReconcileTerraform,
    Timer::ResumeDeploys,
];

/// Fire `timer` at `at` (Unix ms), once per `key` across retries and replicas.
pub async fn schedule(app: &App, timer: Timer, key: &str, at: i64) -> anyhow::Result<()> {
    let payload = serde_json::to_string(&Event::Timer(timer.clone()))?;
    app.store
        .enqueue(
            Queue::Jobs,
            key,
            &format!("timer {}", timer.name()),
            &payload,
            at,
        )
        .await?;
    Ok(())
}

/// One `timer` per hour across all replicas: the key is the timer and the hour it fires in.
pub async fn schedule_hourly(app: &App, timer: Timer) -> anyhow::Result<()> {
    let next_hour = (app.clock.now_ms() / HOUR_MS + 1) * HOUR_MS;
    let key = format!("{}:{next_hour}", timer.name());
    schedule(app, timer, &key, next_hour).await
}

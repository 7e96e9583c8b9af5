//! Timers that keep the queues small.

use crate::app::App;
use crate::store::Queue;

pub async fn purge(app: &App) -> anyhow::Result<()> {
    let before = app.clock.now_ms() - app.config.workers.retention_hours as i64 * 3_600_000;
    let inbox = app.store.purge_done(Queue::Inbox, before).await?;
    let jobs = app.store.purge_done(Queue::Jobs, before).await?;
    let effects = app.store.purge_effects(before).await?;
    tracing::info!(inbox, jobs, effects, "purged handled rows");
    crate::timers::schedule_hourly(app, crate::event::Timer::PurgeHandled).await
}

//! `GET /metrics`: the Prometheus exposition of `crate::metrics`, plus the queues' gauges read
//! from the store at scrape time.

use crate::app::App;
use crate::store::Queue;
use axum::extract::State;
use std::sync::Arc;

pub(super) async fn scrape(State(app): State<Arc<App>>) -> String {
    let mut out = crate::metrics::install().render();
    for (queue, name) in [(Queue::Inbox, "inbox"), (Queue::Jobs, "jobs")] {
        if let Ok(c) = app.store.counts(queue).await {
            out.push_str(&format!(
                "# TYPE banto_{name}_rows gauge\nbanto_{name}_rows{{state=\"pending\"}} {}\nbanto_{name}_rows{{state=\"parked\"}} {}\n",
                c.pending, c.parked
            ));
        }
    }
    out.push_str("# HELP banto_queue_oldest_ready_seconds How long the oldest row ready to be handled has waited.\n# TYPE banto_queue_oldest_ready_seconds gauge\n");
    for (queue, name) in [(Queue::Inbox, "inbox"), (Queue::Jobs, "jobs")] {
        if let Ok(lanes) = app.store.oldest_ready(queue).await {
            for (lane, age_ms) in lanes {
                let lane = if lane == 0 {
                    "interactive"
                } else {
                    "background"
                };
                out.push_str(&format!(
                    "banto_queue_oldest_ready_seconds{{queue=\"{name}\",lane=\"{lane}\"}} {:.3}\n",
                    age_ms as f64 / 1000.0
                ));
            }
        }
    }
    out
}

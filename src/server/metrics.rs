//! Prometheus metrics: request and handling counters, plus queue depths read at scrape time.

use crate::app::App;
use crate::store::Queue;
use axum::extract::State;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use std::sync::{Arc, OnceLock};

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// Install the process-wide recorder (once; later calls reuse it).
pub fn install() -> &'static PrometheusHandle {
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new().build_recorder();
        let handle = recorder.handle();
        // A second App in the same process (tests) finds the recorder already set: fine.
        let _ = metrics::set_global_recorder(recorder);
        handle
    })
}

pub fn count_request(route: &'static str, outcome: &'static str) {
    metrics::counter!("banto_requests_total", "route" => route, "outcome" => outcome).increment(1);
}

pub fn count_handled(outcome: &'static str) {
    metrics::counter!("banto_events_handled_total", "outcome" => outcome).increment(1);
}

pub(super) async fn render(State(app): State<Arc<App>>) -> String {
    let mut out = install().render();
    for (queue, name) in [(Queue::Inbox, "inbox"), (Queue::Jobs, "jobs")] {
        if let Ok(c) = app.store.counts(queue).await {
            out.push_str(&format!(
                "# TYPE banto_{name}_rows gauge\nbanto_{name}_rows{{state=\"pending\"}} {}\nbanto_{name}_rows{{state=\"parked\"}} {}\n",
                c.pending, c.parked
            ));
        }
    }
    out
}

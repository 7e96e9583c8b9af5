//! Prometheus metrics: request and handling counters, plus queue depths read at scrape time.

use crate::app::App;
use crate::store::Queue;
use axum::extract::State;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::sync::{Arc, OnceLock};

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// Install the process-wide recorder (once; later calls reuse it).
pub fn install() -> &'static PrometheusHandle {
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(
                Matcher::Prefix("banto_incident_".into()),
                &INCIDENT_BUCKETS_SECONDS,
            )
            .expect("buckets are not empty")
            .build_recorder();
        let handle = recorder.handle();
        // A second App in the same process (tests) finds the recorder already set: fine.
        let _ = metrics::set_global_recorder(recorder);
        handle
    })
}

/// From a minute to a day.
const INCIDENT_BUCKETS_SECONDS: [f64; 10] = [
    60.0, 300.0, 900.0, 1800.0, 3600.0, 7200.0, 14400.0, 28800.0, 43200.0, 86400.0,
];

/// Time to detect, acknowledge, mitigate and resolve of a resolved incident, in seconds.
pub fn incident_resolved(kind: &str, severity: u8, m: &crate::domain::incident::Metrics) {
    for (name, value) in [
        ("banto_incident_time_to_detect_seconds", m.detect),
        ("banto_incident_time_to_acknowledge_seconds", m.acknowledge),
        ("banto_incident_time_to_mitigate_seconds", m.mitigate),
        ("banto_incident_time_to_resolve_seconds", m.resolve),
    ] {
        if let Some(ms) = value {
            metrics::histogram!(name, "severity" => format!("SEV{severity}"), "type" => kind.to_owned())
                .record(ms as f64 / 1000.0);
        }
    }
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

//! Prometheus metrics: what an on-call team graphs and alerts on. Recorded where things happen
//! (ingress, the worker, the retry policy every client call goes through) and rendered at
//! `/metrics` with the queue gauges read at scrape time. `EXPORTED` lists every name; the
//! dashboard and alert rules in `examples/` are checked against it.

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// Every metric banto exports (histograms add `_bucket`, `_sum` and `_count`).
pub const EXPORTED: &[&str] = &[
    "banto_requests_total",
    "banto_request_duration_seconds",
    "banto_events_handled_total",
    "banto_events_ignored_total",
    "banto_event_handling_seconds",
    "banto_event_wait_seconds",
    "banto_outbound_calls_total",
    "banto_outbound_call_duration_seconds",
    "banto_outbound_pace_wait_seconds",
    "banto_inbox_rows",
    "banto_jobs_rows",
    "banto_queue_oldest_ready_seconds",
    "banto_incident_time_to_detect_seconds",
    "banto_incident_time_to_acknowledge_seconds",
    "banto_incident_time_to_mitigate_seconds",
    "banto_incident_time_to_resolve_seconds",
];

/// From a minute to a day.
const INCIDENT_BUCKETS_SECONDS: [f64; 10] = [
    60.0, 300.0, 900.0, 1800.0, 3600.0, 7200.0, 14400.0, 28800.0, 43200.0, 86400.0,
];

/// From half a millisecond (an acknowledgement) to two minutes (a slow handler).
const LATENCY_BUCKETS_SECONDS: [f64; 16] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
    120.0,
];

/// Install the process-wide recorder (once; later calls reuse it).
pub fn install() -> &'static PrometheusHandle {
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(
                Matcher::Prefix("banto_incident_".into()),
                &INCIDENT_BUCKETS_SECONDS,
            )
            .and_then(|b| b.set_buckets(&LATENCY_BUCKETS_SECONDS))
            .expect("buckets are not empty")
            .build_recorder();
        let handle = recorder.handle();
        // A second App in the same process (tests) finds the recorder already set: fine.
        let _ = metrics::set_global_recorder(recorder);
        handle
    })
}

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

/// A verified event recorded as ignored: `unused` (nothing acts on its kind) or `unreadable`
/// (banto could not read it; `banto inbox --state ignored` has the reason).
pub fn count_ignored(source: &str, unreadable: bool) {
    let why = if unreadable { "unreadable" } else { "unused" };
    let source = match source {
        "slack" => "slack",
        "github" => "github",
        "argocd" => "argocd",
        "alertmanager" => "alertmanager",
        s if s.starts_with("aws") => "aws",
        _ => "other",
    };
    metrics::counter!("banto_events_ignored_total", "source" => source, "why" => why).increment(1);
}

pub fn count_request(route: &'static str, outcome: &'static str) {
    metrics::counter!("banto_requests_total", "route" => route, "outcome" => outcome).increment(1);
}

/// Every HTTP answer's time from request to response, by route (the acknowledgement latency
/// for Slack, GitHub and AWS).
pub async fn time_requests(req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let started = Instant::now();
    let resp = next.run(req).await;
    metrics::histogram!("banto_request_duration_seconds", "route" => route)
        .record(started.elapsed().as_secs_f64());
    resp
}

/// One handled attempt of an inbox row or timer: its outcome (`ok`, `retry`, `parked`) by
/// event kind (the first word of the stored kind: `slash_command`, `github`, `timer`, …, so
/// names, tags and ids never become labels), how long handling took, and how long it waited in
/// line before it.
pub fn event_handled(kind: &str, outcome: &'static str, waited: Duration, took: Duration) {
    let kind = kind.split(' ').next().unwrap_or(kind).to_owned();
    metrics::counter!("banto_events_handled_total", "outcome" => outcome).increment(1);
    metrics::histogram!("banto_event_handling_seconds", "kind" => kind.clone(), "outcome" => outcome)
        .record(took.as_secs_f64());
    metrics::histogram!("banto_event_wait_seconds", "kind" => kind).record(waited.as_secs_f64());
}

/// One attempt of a call to Slack, GitHub, AWS or a translator: `outcome` is `ok`,
/// `rate_limited`, `transient_error` (retried) or `error`.
pub fn outbound_call(service: &'static str, method: &str, outcome: &'static str, took: Duration) {
    let method = method.to_owned();
    metrics::counter!("banto_outbound_calls_total", "service" => service, "method" => method.clone(), "outcome" => outcome)
        .increment(1);
    metrics::histogram!("banto_outbound_call_duration_seconds", "service" => service, "method" => method)
        .record(took.as_secs_f64());
}

/// Time a call waited for its slot under the service's rate limits (banto's own pacing).
pub fn paced(service: &'static str, method: &str, waited: Duration) {
    metrics::histogram!("banto_outbound_pace_wait_seconds", "service" => service, "method" => method.to_owned())
        .record(waited.as_secs_f64());
}

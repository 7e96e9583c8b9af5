//! HTTP ingress. Handlers only verify, parse, persist to the inbox and acknowledge; all work
//! happens later in the workers.

mod ingress;
mod metrics;

pub mod verify;

use crate::app::App;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use std::sync::Arc;

/// Every HTTP route banto serves (the app manifest test checks Slack's URLs against these).
pub const ROUTES: &[&str] = &[
    "/slack/commands",
    "/slack/interactions",
    "/slack/events",
    "/github/webhook",
    "/aws/events",
    "/argocd/events",
    "/alerts/alertmanager",
    "/healthz",
    "/readyz",
    "/metrics",
];

pub fn router(app: Arc<App>) -> Router {
    let limit = app.config.server.max_body_bytes;
    Router::new()
        .route("/slack/commands", post(ingress::slack_command))
        .route("/slack/interactions", post(ingress::slack_interaction))
        .route("/slack/events", post(ingress::slack_events))
        .route("/github/webhook", post(ingress::github_webhook))
        .route("/aws/events", post(ingress::aws_events))
        .route("/argocd/events", post(ingress::argocd_events))
        .route("/alerts/alertmanager", post(ingress::alertmanager))
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(ingress::readyz))
        .route("/metrics", get(metrics::scrape))
        .layer(DefaultBodyLimit::max(limit))
        .layer(axum::middleware::from_fn(crate::metrics::time_requests))
        .with_state(app)
}

use super::verify::{self, Rejected};
use crate::app::App;
use crate::config::Secret;
use crate::event::{self, Event, Malformed, SlackEnvelope};
use crate::metrics::count_request;
use crate::store::Enqueued;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

pub(super) enum IngressError {
    Rejected(Rejected),
    Malformed(Malformed),
    Store(anyhow::Error),
}

impl IntoResponse for IngressError {
    fn into_response(self) -> Response {
        match self {
            IngressError::Rejected(Rejected::NoSecret) => (
                StatusCode::SERVICE_UNAVAILABLE,
                Rejected::NoSecret.to_string(),
            )
                .into_response(),
            IngressError::Rejected(r) => (StatusCode::UNAUTHORIZED, r.to_string()).into_response(),
            IngressError::Malformed(m) => (StatusCode::BAD_REQUEST, m.0).into_response(),
            IngressError::Store(e) => {
                tracing::error!(error = %e, "could not persist an event; the sender will retry");
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "could not persist the event",
                )
                    .into_response()
            }
        }
    }
}

impl From<Malformed> for IngressError {
    fn from(m: Malformed) -> Self {
        IngressError::Malformed(m)
    }
}

/// The secret an endpoint needs; without one every request is refused (503), never accepted.
fn configured(secret: &Option<Secret>) -> Result<&Secret, IngressError> {
    secret
        .as_ref()
        .ok_or(IngressError::Rejected(Rejected::NoSecret))
}

/// Count the outcome and acknowledge a persisted (or duplicate) event.
fn finish(
    route: &'static str,
    r: Result<Enqueued, IngressError>,
) -> Result<StatusCode, IngressError> {
    outcome(route, &r);
    Ok(ack(r?, route))
}

fn header<'a>(h: &'a HeaderMap, name: &str) -> Option<&'a str> {
    h.get(name).and_then(|v| v.to_str().ok())
}

fn verify_slack(app: &App, headers: &HeaderMap, body: &[u8]) -> Result<(), IngressError> {
    let secret = configured(&app.slack_signing_secret)?;
    verify::slack(
        secret.expose(),
        header(headers, "x-slack-request-timestamp"),
        header(headers, "x-slack-signature"),
        body,
        chrono::Utc::now().timestamp(),
    )
    .map_err(IngressError::Rejected)
}

async fn persist(app: &App, dedupe_key: &str, event: &Event) -> Result<Enqueued, IngressError> {
    crate::inbox::accept(app, dedupe_key, event)
        .await
        .map_err(IngressError::Store)
}

fn outcome<T>(route: &'static str, r: &Result<T, IngressError>) {
    let label = match r {
        Ok(_) => "accepted",
        Err(IngressError::Rejected(_)) => "rejected",
        Err(IngressError::Malformed(_)) => "malformed",
        Err(IngressError::Store(_)) => "store_error",
    };
    count_request(route, label);
}

fn ack(r: Enqueued, route: &'static str) -> StatusCode {
    if r == Enqueued::Duplicate {
        count_request(route, "duplicate");
    }
    StatusCode::OK
}

pub(super) async fn slack_command(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<StatusCode, IngressError> {
    accept_slack(&app, &headers, &body, "slack_commands", |body| {
        let cmd = event::parse_slash_command(body)?;
        // Slack never retries a slash command; its trigger_id is unique per invocation.
        Ok((
            format!("slack:command:{}", cmd.trigger_id),
            Event::SlashCommand(cmd),
        ))
    })
    .await
}

pub(super) async fn slack_interaction(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<StatusCode, IngressError> {
    accept_slack(
        &app,
        &headers,
        &body,
        "slack_interactions",
        event::parse_interaction,
    )
    .await
}

/// Verify, parse into `(dedupe key, event)`, persist, acknowledge. Once the signature holds,
/// whatever banto cannot read is recorded as ignored and acknowledged: Slack retries refusals
/// and turns off an app that keeps refusing.
async fn accept_slack(
    app: &App,
    headers: &HeaderMap,
    body: &[u8],
    route: &'static str,
    parse: impl FnOnce(&[u8]) -> Result<(String, Event), Malformed>,
) -> Result<StatusCode, IngressError> {
    let r = async {
        verify_slack(app, headers, body)?;
        let (key, event) = event::or_unreadable("slack", route, body, parse(body));
        persist(app, &key, &event).await
    }
    .await;
    finish(route, r)
}

pub(super) async fn slack_events(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, IngressError> {
    let r = async {
        verify_slack(&app, &headers, &body)?;
        Ok(event::parse_slack_events(&body)?)
    }
    .await;
    outcome("slack_events", &r);
    match r? {
        SlackEnvelope::UrlVerification { challenge } => {
            Ok(Json(serde_json::json!({ "challenge": challenge })).into_response())
        }
        SlackEnvelope::RateLimited => {
            tracing::warn!("Slack reports that banto's event subscription is rate limited");
            Ok(StatusCode::OK.into_response())
        }
        SlackEnvelope::Callback { dedupe_key, event } => {
            if let Some(n) = header(&headers, "x-slack-retry-num") {
                tracing::debug!(dedupe_key, retry = n, "Slack retried an event");
            }
            let r = persist(&app, &dedupe_key, &event).await?;
            Ok(ack(r, "slack_events").into_response())
        }
    }
}

pub(super) async fn github_webhook(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<StatusCode, IngressError> {
    let r = async {
        let secret = configured(&app.github_webhook_secret)?;
        verify::github(
            secret.expose(),
            header(&headers, "x-hub-signature-256"),
            header(&headers, "x-hub-signature"),
            &body,
        )
        .map_err(IngressError::Rejected)?;
        let kind = header(&headers, "x-github-event")
            .ok_or_else(|| Malformed("missing X-GitHub-Event header".into()))?;
        let delivery = header(&headers, "x-github-delivery")
            .ok_or_else(|| Malformed("missing X-GitHub-Delivery header".into()))?;
        let key = format!("github:{delivery}");
        let (key, event) = event::json_or_unreadable(
            "github",
            kind,
            &body,
            event::parse_github(kind, delivery, &body).map(|e| (key, e)),
        )?;
        persist(&app, &key, &event).await
    }
    .await;
    finish("github_webhook", r)
}

/// `Authorization: Bearer <secret>`, compared in constant time.
fn bearer(secret: &Option<Secret>, headers: &HeaderMap) -> Result<(), IngressError> {
    let secret = configured(secret)?;
    let given = header(headers, "authorization").and_then(|v| v.strip_prefix("Bearer "));
    verify::shared_secret(secret.expose(), given).map_err(IngressError::Rejected)
}

/// EventBridge API destinations (CodeBuild state changes, ECR pushes, CloudWatch alarms),
/// shared secret.
pub(super) async fn aws_events(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<StatusCode, IngressError> {
    let r = async {
        bearer(&app.aws_events_secret, &headers)?;
        let parsed = event::parse_aws_event(&body).map(|(id, e)| (format!("aws:{id}"), e));
        let (key, event) = event::json_or_unreadable("aws", "event", &body, parsed)?;
        persist(&app, &key, &event).await
    }
    .await;
    finish("aws_events", r)
}

/// Argo CD notifications (sync and health of a deployed app), authenticated by a shared secret.
pub(super) async fn argocd_events(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<StatusCode, IngressError> {
    let r = async {
        bearer(&app.argocd_webhook_secret, &headers)?;
        // The same body within a minute is a resend; later, the same state again (a flap back).
        let minute = app.clock.now_ms() / 60_000;
        let parsed = event::parse_argocd(&body).map(|(id, e)| (format!("argocd:{minute}:{id}"), e));
        let (key, event) = event::json_or_unreadable("argocd", "notification", &body, parsed)?;
        persist(&app, &key, &event).await
    }
    .await;
    finish("argocd_events", r)
}

/// Prometheus Alertmanager's webhook, authenticated by a bearer token.
pub(super) async fn alertmanager(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<StatusCode, IngressError> {
    let r = async {
        bearer(&app.alertmanager_secret, &headers)?;
        let parsed =
            event::parse_alertmanager(&body).map(|(id, e)| (format!("alertmanager:{id}"), e));
        let (key, event) = event::json_or_unreadable("alertmanager", "webhook", &body, parsed)?;
        persist(&app, &key, &event).await
    }
    .await;
    finish("alertmanager", r)
}

pub(super) async fn readyz(State(app): State<Arc<App>>) -> (StatusCode, &'static str) {
    match app.store.ping().await {
        Ok(()) => (StatusCode::OK, "ready"),
        Err(e) => {
            tracing::warn!(error = %e, "database is not reachable");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable")
        }
    }
}

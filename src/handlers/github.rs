//! GitHub webhooks, routed by event kind.

use crate::app::App;
use crate::event::GithubEvent;
use crate::handlers::{deploy, terraform};

pub async fn handle(app: &App, event: GithubEvent) -> anyhow::Result<()> {
    tracing::info!(
        delivery = %event.delivery,
        kind = event.kind,
        action = event.action.as_deref().unwrap_or(""),
        repository = event.repository.as_deref().unwrap_or(""),
        "GitHub event received"
    );
    match event.kind.as_str() {
        "pull_request" => terraform::pull_request(app, &event).await,
        "push" => terraform::push(app, &event).await,
        "registry_package" | "package" => deploy::package_published(app, &event).await,
        "workflow_run" => deploy::workflow_run(app, &event).await,
        _ => Ok(()),
    }
}

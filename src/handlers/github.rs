//! GitHub webhooks, routed by event kind.

use crate::app::App;
use crate::event::{GithubEvent, Webhook};
use crate::handlers::{deploy, terraform};

pub async fn handle(app: &App, event: GithubEvent) -> anyhow::Result<()> {
    tracing::info!(
        delivery = %event.delivery,
        kind = event.kind,
        action = event.action.as_deref().unwrap_or(""),
        repository = event.repository.as_deref().unwrap_or(""),
        "GitHub event received"
    );
    let delivery = &event.delivery;
    match &event.payload {
        Webhook::PullRequest(pr) => terraform::pull_request(app, delivery, pr).await,
        Webhook::Push(push) => terraform::push(app, delivery, push).await,
        Webhook::PackagePublished(p) => deploy::package_published(app, delivery, p).await,
        Webhook::WorkflowRun(run) => deploy::workflow_run(app, delivery, run).await,
        Webhook::Other => Ok(()),
    }
}

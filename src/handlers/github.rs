//! GitHub webhooks. The foundation records them; Terraform and deploy handlers build on this.

use crate::app::App;
use crate::event::GithubEvent;

pub async fn handle(_app: &App, event: GithubEvent) -> anyhow::Result<()> {
    tracing::info!(
        delivery = %event.delivery,
        kind = event.kind,
        action = event.action.as_deref().unwrap_or(""),
        repository = event.repository.as_deref().unwrap_or(""),
        "GitHub event received"
    );
    Ok(())
}

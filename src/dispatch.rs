//! The one place an event meets its handler: an exhaustive `match` on the closed event enum.

use crate::app::App;
use crate::event::{Event, Timer};
use crate::handlers;

pub async fn dispatch(app: &App, event: Event) -> anyhow::Result<()> {
    match event {
        Event::SlashCommand(cmd) => handlers::slash::handle(app, cmd).await,
        Event::BlockAction(action) => {
            tracing::debug!(action_id = action.action_id, "no handler owns this action");
            Ok(())
        }
        Event::ViewSubmission(view) => {
            tracing::debug!(callback_id = view.callback_id, "no handler owns this view");
            Ok(())
        }
        Event::Message(_) | Event::ReactionAdded(_) => Ok(()),
        Event::Github(g) => handlers::github::handle(app, g).await,
        Event::CodeBuild(b) => {
            tracing::info!(
                build = b.build_id,
                status = b.status,
                "CodeBuild build changed state"
            );
            Ok(())
        }
        Event::Timer(Timer::PurgeHandled) => handlers::housekeeping::purge(app).await,
        Event::Ignored { source, kind } => {
            tracing::debug!(source, kind, "event recorded; nothing acts on it");
            Ok(())
        }
    }
}

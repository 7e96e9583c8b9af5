//! The one place an event meets its handler: an exhaustive `match` on the closed event enum.
//! Handlers are boxed: their futures are deep, and a worker should not carry the largest inline.

use crate::app::App;
use crate::event::{Event, Timer};
use crate::handlers::{self, deploy, terraform};
use crate::messages::deploy as dp;
use crate::messages::terraform as tf;

pub async fn dispatch(app: &App, event: Event) -> anyhow::Result<()> {
    match event {
        Event::SlashCommand(cmd) => Box::pin(handlers::slash::handle(app, cmd)).await,
        Event::BlockAction(action) => match action.action_id.as_str() {
            tf::APPROVE => Box::pin(terraform::approve(app, action)).await,
            tf::REJECT => Box::pin(terraform::reject_clicked(app, action)).await,
            dp::APPROVE => Box::pin(deploy::approve(app, action)).await,
            dp::REJECT => Box::pin(deploy::reject_clicked(app, action)).await,
            _ => {
                tracing::debug!(action_id = action.action_id, "no handler owns this action");
                Ok(())
            }
        },
        Event::ViewSubmission(view) => match view.callback_id.as_str() {
            tf::REJECT_VIEW => Box::pin(terraform::reject_submitted(app, view)).await,
            dp::REJECT_VIEW => Box::pin(deploy::reject_submitted(app, view)).await,
            _ => {
                tracing::debug!(callback_id = view.callback_id, "no handler owns this view");
                Ok(())
            }
        },
        Event::Message(_) | Event::ReactionAdded(_) => Ok(()),
        Event::Github(g) => Box::pin(handlers::github::handle(app, g)).await,
        Event::CodeBuild(b) => Box::pin(terraform::build_event(app, b)).await,
        Event::ImagePushed(p) => Box::pin(deploy::image_pushed(app, p)).await,
        Event::ArgoCd(n) => Box::pin(deploy::argocd(app, n)).await,
        Event::Timer(Timer::PurgeHandled) => handlers::housekeeping::purge(app).await,
        Event::Timer(Timer::ReconcileTerraform) => Box::pin(terraform::reconcile(app)).await,
        Event::Timer(Timer::ResumeDeploys) => Box::pin(deploy::resume(app)).await,
        Event::Timer(Timer::MergeDeploy { id }) => Box::pin(deploy::resume_one(app, id)).await,
        Event::Timer(Timer::PollBuild { build_id }) => {
            Box::pin(terraform::poll(app, &build_id)).await
        }
        Event::Ignored { source, kind } => {
            tracing::debug!(source, kind, "event recorded; nothing acts on it");
            Ok(())
        }
    }
}

//! Terraform by approval: runs started by pull requests, pushes and `/tf plan`; plans and
//! applies in CodeBuild; approval in Slack. The decisions are `domain::tf_run`'s; this module
//! loads, decides, saves (compare-and-swap) and then acts.

mod approval;
mod builds;
mod command;
mod github;
mod plan;

pub use approval::{approve, reject_clicked, reject_submitted};
pub use builds::{build_event, poll};
pub use command::handle as command;
pub use github::{pull_request, push, reconcile};
pub use plan::build_env;

use super::{post_or_edit, reply};
use crate::app::App;
use crate::config::TfProject;
use crate::domain::tf_run::Approvers;
use crate::ids::RunId;
use crate::messages::terraform::{card, status_of};
use crate::store::StoredRun;
use anyhow::Context;

/// The audit log subject of a project's runs.
fn subject(project: &str) -> String {
    format!("tf:{project}")
}

fn project<'a>(app: &'a App, name: &str) -> anyhow::Result<&'a TfProject> {
    app.config
        .terraform
        .project(name)
        .with_context(|| format!("Terraform project {name:?} is no longer configured"))
}

async fn approvers(app: &App, project: &TfProject) -> anyhow::Result<Approvers> {
    super::approvers(app, &project.approvers).await
}

/// Post the run's card, or edit it in place, from the run as saved now. Handlers may render at
/// the same time: each checks after its edit that nobody saved since it read, else renders again,
/// so the last edit always shows the last state.
async fn show_card(app: &App, stored: &StoredRun) -> anyhow::Result<()> {
    let id = stored.id;
    for _ in 0..5 {
        let Some(s) = app.store.load(id).await? else {
            return Ok(());
        };
        let mut seen = s.version;
        let msg = render_card(app, &s).await?;
        let card_ts = s.meta.card_ts.as_deref();
        if let Some(ts) = post_or_edit(app, &s.meta.card_channel, card_ts, &msg).await? {
            seen = app
                .store
                .update(id, |r| r.meta.card_ts = Some(ts.0.clone()))
                .await?
                .0
                .version;
        }
        let now = app.store.load(id).await?;
        if now.is_none_or(|n| n.version == seen) {
            return Ok(());
        }
    }
    Ok(())
}

async fn render_card(
    app: &App,
    stored: &StoredRun,
) -> anyhow::Result<crate::clients::slack::Outgoing> {
    let project = project(app, &stored.record.project)?;
    let locale = app.config.locale_for_channel(&project.channel);
    let holder = if stored.meta.queued {
        app.store
            .lock_holder(&project.name, &project.workspace)
            .await?
            .map(|r| r.0)
    } else {
        None
    };
    let status = status_of(&stored.record, &stored.meta, project, holder, locale);
    Ok(card(
        stored.id.0,
        &stored.record,
        &stored.meta,
        project,
        &status,
        locale,
    ))
}

/// Release the run's lock and start the oldest run queued behind it.
async fn release_and_next(
    app: &App,
    project: &TfProject,
    run: Option<RunId>,
) -> anyhow::Result<()> {
    app.store
        .release_lock(&project.name, &project.workspace, run)
        .await?;
    let next = app
        .store
        .open_runs(Some(&project.name))
        .await?
        .into_iter()
        .find(|r| r.meta.queued);
    if let Some(next) = next {
        plan::try_start(app, next.id).await?;
    }
    Ok(())
}

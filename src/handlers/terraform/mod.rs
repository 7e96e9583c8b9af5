//! Terraform by approval: runs started by pull requests, pushes and `/tf plan`; plans and
//! applies in CodeBuild; approval in Slack. The decisions are `domain::tf_run`'s; this module
//! loads, decides, saves (compare-and-swap) and then acts.

mod approval;
mod builds;
mod command;
mod github;
mod merge;
mod plan;
pub mod policies;

pub use builds::{build_event, poll};
pub use command::handle as command;
pub use github::{pull_request, push, reconcile};
pub use plan::build_env;

use super::cards::{Carded, show as show_card};
use crate::app::App;
use crate::clients::slack::Outgoing;
use crate::config::TfProject;
use crate::domain::card::CardPlace;
use crate::domain::tf_run::{Run, RunMeta};
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

async fn approvers(
    app: &App,
    project: &TfProject,
) -> anyhow::Result<std::collections::BTreeSet<crate::ids::UserId>> {
    super::approval::members(app, &project.approvers).await
}

impl Carded for Run {
    fn card(meta: &RunMeta) -> &CardPlace {
        &meta.card
    }
    fn card_mut(meta: &mut RunMeta) -> &mut CardPlace {
        &mut meta.card
    }
    async fn render(app: &App, stored: &StoredRun) -> anyhow::Result<Outgoing> {
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

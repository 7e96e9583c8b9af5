//! `/tf plan|status|unlock|cancel|help`.

use super::plan::{PlanRequest, start_plan, stop_plan_build};
use super::{approvers, project, release_and_next, show_card, subject};
use crate::app::App;
use crate::clients::github::GithubError;
use crate::commands::{TfCommand, parse_tf};
use crate::domain::audit::AuditAction;
use crate::event::SlashCommand;
use crate::ids::RunId;
use crate::messages::TfReply;
use crate::messages::terraform::{RunLine, state_names};

/// The answer to a `/tf` command, once it is done.
pub async fn handle(app: &App, cmd: &SlashCommand) -> anyhow::Result<TfReply> {
    Ok(match parse_tf(&cmd.text) {
        Ok(TfCommand::Help) => TfReply::Help {
            usage: &TfCommand::USAGE,
        },
        Err(e) => TfReply::Usage {
            input: e.input,
            usage: e.usage,
        },
        Ok(TfCommand::Plan { project, git_ref }) => plan(app, cmd, &project, git_ref).await?,
        Ok(TfCommand::Status { project }) => status(app, project.as_deref()).await?,
        Ok(TfCommand::Unlock { project, reason }) => unlock(app, cmd, &project, &reason).await?,
        Ok(TfCommand::Cancel { run }) => cancel(app, cmd, RunId(run)).await?,
    })
}

fn unknown_project(app: &App, name: &str) -> TfReply {
    let known: Vec<String> = app
        .config
        .terraform
        .projects
        .iter()
        .map(|p| format!("`{}`", p.name))
        .collect();
    TfReply::UnknownProject {
        name: name.to_owned(),
        known: if known.is_empty() {
            "—".to_owned()
        } else {
            known.join(", ")
        },
    }
}

async fn plan(
    app: &App,
    cmd: &SlashCommand,
    name: &str,
    git_ref: Option<String>,
) -> anyhow::Result<TfReply> {
    let Some(project) = app.config.terraform.project(name) else {
        return Ok(unknown_project(app, name));
    };
    let repo = &project.repo;
    let git_ref = match git_ref {
        Some(r) => r,
        None => app.github.default_branch(repo.owner(), repo.name()).await?,
    };
    let sha = match app
        .github
        .resolve_ref(repo.owner(), repo.name(), &git_ref)
        .await
    {
        Ok(sha) => sha,
        Err(
            GithubError::Api {
                status: 404 | 422, ..
            }
            | GithubError::Refused(_),
        ) => {
            return Ok(TfReply::BadRef {
                git_ref,
                repo: project.repo.to_string(),
            });
        }
        Err(e) => return Err(e.into()),
    };
    let stored = start_plan(
        app,
        PlanRequest {
            project,
            head_sha: sha,
            git_ref,
            requested_by: cmd.user.0.clone(),
            repo: project.repo.clone(),
            pr: None,
            trigger_key: format!("slash:{}:{}", cmd.trigger_id, project.name),
            carried: None,
        },
    )
    .await?;
    Ok(if stored.meta.queued {
        let behind = app
            .store
            .lock_holder(&project.name, &project.workspace)
            .await?
            .map_or(0, |r| r.0);
        TfReply::PlanQueued {
            project: project.name.clone(),
            run: stored.id.0,
            behind,
        }
    } else {
        TfReply::PlanStarted {
            project: project.name.clone(),
            git_ref: stored.meta.git_ref.clone(),
            run: stored.id.0,
            channel: project.channel.clone(),
        }
    })
}

async fn status(app: &App, name: Option<&str>) -> anyhow::Result<TfReply> {
    if let Some(n) = name
        && app.config.terraform.project(n).is_none()
    {
        return Ok(unknown_project(app, n));
    }
    let runs = app.store.open_runs(name).await?;
    let mut locks = vec![];
    for p in app
        .config
        .terraform
        .projects
        .iter()
        .filter(|p| name.is_none_or(|n| n == p.name))
    {
        if let Some(holder) = app.store.lock_holder(&p.name, &p.workspace).await? {
            locks.push((format!("{}/{}", p.name, p.workspace), holder.0));
        }
    }
    Ok(TfReply::Status {
        runs: runs
            .iter()
            .map(|r| {
                let (state_en, state_ja) = state_names(&r.record.state, r.meta.queued);
                RunLine {
                    id: r.id.0,
                    project: r.record.project.clone(),
                    sha: r.record.head_sha.chars().take(7).collect(),
                    state_en,
                    state_ja,
                }
            })
            .collect(),
        locks,
    })
}

async fn unlock(
    app: &App,
    cmd: &SlashCommand,
    name: &str,
    reason: &str,
) -> anyhow::Result<TfReply> {
    let Some(project) = app.config.terraform.project(name) else {
        return Ok(unknown_project(app, name));
    };
    if !approvers(app, project).await?.contains(&cmd.user) {
        return Ok(TfReply::ApproversOnly {
            project: project.name.clone(),
        });
    }
    let holder = app
        .store
        .lock_holder(&project.name, &project.workspace)
        .await?;
    if !app
        .store
        .release_lock(&project.name, &project.workspace, None)
        .await?
    {
        return Ok(TfReply::NotLocked {
            project: project.name.clone(),
        });
    }
    app.store
        .audit(
            &cmd.user.0,
            AuditAction::ForceUnlock,
            &subject(&project.name),
            &format!("held by run #{}: {reason}", holder.map_or(0, |h| h.0)),
        )
        .await?;
    let notice = TfReply::Unlocked {
        project: project.name.clone(),
        workspace: project.workspace.clone(),
        by: format!("<@{}>", cmd.user.0),
        reason: reason.to_owned(),
        holder: holder.map(|h| h.0),
    };
    crate::effects::say(app, &project.channel, &notice).await?;
    release_and_next(app, project, None).await?;
    Ok(notice)
}

async fn cancel(app: &App, cmd: &SlashCommand, id: RunId) -> anyhow::Result<TfReply> {
    let Some(stored) = app.store.load(id).await? else {
        return Ok(TfReply::UnknownRun { run: id.0 });
    };
    let project = project(app, &stored.record.project)?;
    let is_approver = approvers(app, project).await?.contains(&cmd.user);
    if !is_approver && stored.record.requested_by != cmd.user.0 {
        return Ok(TfReply::ApproversOnly {
            project: project.name.clone(),
        });
    }
    let (stored, cancelled) = app
        .store
        .update(id, |s| s.record.cancel(&cmd.user.0))
        .await?;
    if !cancelled {
        return Ok(TfReply::CannotCancel { run: id.0 });
    }
    app.store
        .audit(
            &cmd.user.0,
            AuditAction::Cancelled,
            &subject(&project.name),
            &format!("run #{}", id.0),
        )
        .await?;
    stop_plan_build(app, &stored).await;
    show_card(app, &stored).await?;
    release_and_next(app, project, Some(id)).await?;
    Ok(TfReply::Cancelled { run: id.0 })
}

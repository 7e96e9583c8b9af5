//! Pull requests and pushes that plan Terraform projects.

use super::plan::{PlanRequest, start_plan, supersede_pr_runs};
use crate::app::App;
use crate::domain::tf_run::{Stale, affected_projects};
use crate::event::GithubEvent;
use serde_json::Value;

/// GitHub login → the Slack user banto knows them as, else `github:<login>`.
fn requester(app: &App, login: &str) -> String {
    app.config
        .github
        .slack_users
        .get(login)
        .cloned()
        .unwrap_or_else(|| format!("github:{login}"))
}

fn str_at<'a>(v: &'a Value, pointer: &str) -> anyhow::Result<&'a str> {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .ok_or_else(|| anyhow::anyhow!("GitHub event without `{pointer}`"))
}

pub async fn pull_request(app: &App, event: &GithubEvent) -> anyhow::Result<()> {
    let p = &event.payload;
    let repo = str_at(p, "/repository/full_name")?;
    let number = p
        .pointer("/pull_request/number")
        .and_then(Value::as_u64)
        .ok_or_else(|| anyhow::anyhow!("pull_request event without a number"))?;
    match event.action.as_deref() {
        Some("closed") => supersede_pr_runs(app, repo, number, None, Stale::PrClosed).await,
        Some("opened" | "synchronize" | "reopened") => {
            let head = str_at(p, "/pull_request/head/sha")?;
            let head_ref = str_at(p, "/pull_request/head/ref")?;
            let author = str_at(p, "/pull_request/user/login")?;
            let (owner, name) = repo
                .split_once('/')
                .ok_or_else(|| anyhow::anyhow!("bad repository name"))?;
            if app
                .config
                .terraform
                .projects
                .iter()
                .all(|pr| !pr.repo.eq_ignore_ascii_case(repo))
            {
                return Ok(());
            }
            let paths: Vec<String> = app
                .github
                .changed_files(owner, name, number)
                .await?
                .into_iter()
                .flat_map(|f| std::iter::once(f.path).chain(f.previous_path))
                .collect();
            // Older commits' runs stop even for projects this commit no longer touches.
            supersede_pr_runs(
                app,
                repo,
                number,
                Some(head),
                Stale::NewCommit {
                    head: head.to_owned(),
                },
            )
            .await?;
            for project in affected_projects(&app.config.terraform.projects, repo, &paths) {
                start_plan(
                    app,
                    PlanRequest {
                        project,
                        head_sha: head.to_owned(),
                        git_ref: head_ref.to_owned(),
                        requested_by: requester(app, author),
                        repo: repo.to_owned(),
                        pr: Some(number),
                        trigger_key: format!("gh:{}:{}", event.delivery, project.name),
                    },
                )
                .await?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// A push to the default branch plans the projects that opted in with `plan_on_push`.
pub async fn push(app: &App, event: &GithubEvent) -> anyhow::Result<()> {
    let p = &event.payload;
    let repo = str_at(p, "/repository/full_name")?;
    let default = p
        .pointer("/repository/default_branch")
        .and_then(Value::as_str)
        .unwrap_or("main");
    if str_at(p, "/ref")? != format!("refs/heads/{default}") || p["deleted"] == true {
        return Ok(());
    }
    let after = str_at(p, "/after")?;
    let pusher = p
        .pointer("/pusher/name")
        .or(p.pointer("/sender/login"))
        .and_then(Value::as_str)
        .unwrap_or("unknown");
    let mut paths: Vec<String> = vec![];
    for c in p["commits"].as_array().into_iter().flatten() {
        for key in ["added", "modified", "removed"] {
            paths.extend(
                c[key]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .map(str::to_owned),
            );
        }
    }
    let projects: Vec<_> = affected_projects(&app.config.terraform.projects, repo, &paths)
        .into_iter()
        .filter(|p| p.plan_on_push)
        .collect();
    for project in projects {
        start_plan(
            app,
            PlanRequest {
                project,
                head_sha: after.to_owned(),
                git_ref: default.to_owned(),
                requested_by: requester(app, pusher),
                repo: repo.to_owned(),
                pr: None,
                trigger_key: format!("gh:{}:{}", event.delivery, project.name),
            },
        )
        .await?;
    }
    Ok(())
}

/// Runs of pull requests that were closed while their webhook was lost stop here (hourly).
pub async fn reconcile(app: &App) -> anyhow::Result<()> {
    let mut prs: Vec<(String, u64)> = app
        .store
        .open_runs(None)
        .await?
        .into_iter()
        .filter_map(|r| Some((r.meta.repo.clone(), r.meta.pr?)))
        .collect();
    prs.sort();
    prs.dedup();
    for (repo, pr) in prs {
        let Some((owner, name)) = repo.split_once('/') else {
            continue;
        };
        if !app.github.pull(owner, name, pr).await?.open {
            tracing::info!(
                repo,
                pr,
                "pull request closed without a webhook; stopping its runs"
            );
            supersede_pr_runs(app, &repo, pr, None, Stale::PrClosed).await?;
        }
    }
    crate::timers::schedule_hourly(app, crate::event::Timer::ReconcileTerraform).await
}

//! Pull requests and pushes that plan Terraform projects.

use super::plan::{PlanRequest, start_plan, supersede_pr_runs};
use crate::app::App;
use crate::domain::tf_run::Stale;
use crate::event::{PullRequest, Push};
use crate::ids::{DeliveryId, RepoName};

/// GitHub login → the Slack user banto knows them as, else `github:<login>`.
fn requester(app: &App, login: &str) -> String {
    app.config
        .github
        .slack_users
        .get(login)
        .cloned()
        .unwrap_or_else(|| format!("github:{login}"))
}

pub async fn pull_request(
    app: &App,
    delivery: &DeliveryId,
    pr: &PullRequest,
) -> anyhow::Result<()> {
    let repo = &pr.repo;
    match pr.action.as_str() {
        "closed" => {
            if let Some(merged) = &pr.merged {
                super::merge::merged(app, delivery, pr, merged).await?;
            }
            supersede_pr_runs(app, repo, pr.number, None, Stale::PrClosed).await
        }
        "opened" | "synchronize" | "reopened" => {
            if app
                .config
                .terraform
                .projects
                .iter()
                .all(|p| !p.repo.is(repo))
            {
                return Ok(());
            }
            let paths: Vec<String> = app
                .github
                .changed_files(repo.owner(), repo.name(), pr.number)
                .await?
                .into_iter()
                .flat_map(|f| std::iter::once(f.path).chain(f.previous_path))
                .collect();
            // Older commits' runs stop even for projects this commit no longer touches.
            supersede_pr_runs(
                app,
                repo,
                pr.number,
                Some(&pr.head_sha),
                Stale::NewCommit {
                    head: pr.head_sha.clone(),
                },
            )
            .await?;
            for project in app.config.terraform.affected(repo, &paths) {
                start_plan(
                    app,
                    PlanRequest {
                        project,
                        head_sha: pr.head_sha.clone(),
                        git_ref: pr.head_ref.clone(),
                        requested_by: requester(app, &pr.author),
                        repo: repo.clone(),
                        pr: Some(pr.number),
                        trigger_key: format!("gh:{delivery}:{}", project.name),
                        carried: None,
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
pub async fn push(app: &App, delivery: &DeliveryId, push: &Push) -> anyhow::Result<()> {
    if push.git_ref != format!("refs/heads/{}", push.default_branch) || push.deleted {
        return Ok(());
    }
    let projects: Vec<_> = app
        .config
        .terraform
        .affected(&push.repo, &push.paths)
        .into_iter()
        .filter(|p| p.plan_on_push)
        .collect();
    for project in projects {
        start_plan(
            app,
            PlanRequest {
                project,
                head_sha: push.after.clone(),
                git_ref: push.default_branch.clone(),
                requested_by: requester(app, &push.pusher),
                repo: push.repo.clone(),
                pr: None,
                trigger_key: format!("gh:{delivery}:{}", project.name),
                carried: None,
            },
        )
        .await?;
    }
    Ok(())
}

/// Runs of pull requests that were closed while their webhook was lost stop here (hourly).
pub async fn reconcile(app: &App) -> anyhow::Result<()> {
    let mut prs: Vec<(RepoName, u64)> = app
        .store
        .open_runs(None)
        .await?
        .into_iter()
        .filter_map(|r| Some((r.meta.repo.clone(), r.meta.pr?)))
        .collect();
    prs.sort();
    prs.dedup();
    for (repo, pr) in prs {
        if !app.github.pull(repo.owner(), repo.name(), pr).await?.open {
            tracing::info!(
                %repo,
                pr,
                "pull request closed without a webhook; stopping its runs"
            );
            supersede_pr_runs(app, &repo, pr, None, Stale::PrClosed).await?;
        }
    }
    crate::timers::schedule_hourly(app, crate::event::Timer::ReconcileTerraform).await
}

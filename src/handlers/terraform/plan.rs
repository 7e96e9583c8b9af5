//! Starting runs: one run per trigger (idempotent), superseding older runs of the same pull
//! request, taking the project lock or queueing behind it, then the plan build.

use super::{project, release_and_next, show_card, subject};
use crate::app::App;
use crate::clients::codebuild::StartBuild;
use crate::config::TfProject;
use crate::domain::audit::AuditAction;
use crate::domain::tf_run::{Carried, PlanFacts, Run, RunMeta, Stale};
use crate::event::Timer;
use crate::ids::RepoName;
use crate::ids::RunId;
use crate::store::{BuildMode, LockOutcome, StoredRun};

pub struct PlanRequest<'a> {
    pub project: &'a TfProject,
    pub head_sha: String,
    pub git_ref: String,
    /// Slack user id, or `github:<login>` when the GitHub user has no Slack mapping.
    pub requested_by: String,
    pub repo: RepoName,
    pub pr: Option<u64>,
    /// Approvals carried from the pull request's run to its merge commit's.
    pub carried: Option<Carried>,
    /// Unique per triggering event and project: a retried event finds its run.
    pub trigger_key: String,
}

/// Create (or find) the run for this trigger and get it going. Returns the run.
pub async fn start_plan(app: &App, req: PlanRequest<'_>) -> anyhow::Result<StoredRun> {
    let run = Run {
        carried: req.carried,
        ..Run::new(&req.project.name, &req.head_sha, &req.requested_by)
    };
    let meta = RunMeta {
        pr: req.pr,
        ..RunMeta::new(req.repo.clone(), &req.git_ref, req.project.channel.clone())
    };
    let (stored, created) = app.store.insert(&run, &meta, &req.trigger_key).await?;
    if created {
        app.store
            .audit(
                &req.requested_by,
                AuditAction::PlanRequested,
                &subject(&req.project.name),
                &format!("run #{} at {} ({})", stored.id.0, req.head_sha, req.git_ref),
            )
            .await?;
    }
    if let Some(pr) = req.pr {
        supersede_pr_runs(
            app,
            &req.repo,
            pr,
            Some(&req.head_sha),
            Stale::NewCommit {
                head: req.head_sha.clone(),
            },
        )
        .await?;
    }
    // The card exists before any build can end and edit it.
    if stored.meta.card.ts.is_none() {
        show_card(app, &stored).await?;
    }
    try_start(app, stored.id).await?;
    Ok(app.store.load(stored.id).await?.expect("just created"))
}

/// Stop every unfinished run of a pull request not at `keep_head` (all of them for `None`),
/// free their locks and update their cards. Runs already applying finish.
pub async fn supersede_pr_runs(
    app: &App,
    repo: &RepoName,
    pr: u64,
    keep_head: Option<&str>,
    reason: Stale,
) -> anyhow::Result<()> {
    let older: Vec<StoredRun> = app
        .store
        .open_runs(None)
        .await?
        .into_iter()
        .filter(|r| r.meta.pr == Some(pr) && r.meta.repo.is(repo))
        .filter(|r| keep_head.is_none_or(|h| r.record.head_sha != h))
        .collect();
    for old in older {
        let (stored, changed) = app
            .store
            .update(old.id, |s| s.record.supersede(reason.clone()))
            .await?;
        if changed {
            let project = project(app, &stored.record.project)?;
            app.store
                .audit(
                    "banto",
                    AuditAction::Superseded,
                    &subject(&project.name),
                    &format!("run #{}: {reason:?}", stored.id.0),
                )
                .await?;
            stop_plan_build(app, &stored).await;
            show_card(app, &stored).await?;
            release_and_next(app, project, Some(stored.id)).await?;
        }
    }
    Ok(())
}

/// A plan build nobody will read: stop it (best effort; its result is ignored anyway).
pub async fn stop_plan_build(app: &App, stored: &StoredRun) {
    if let Some(build) = &stored.meta.plan_build
        && let Err(e) = app.codebuild.stop_build(build).await
    {
        tracing::info!(build, error = %e, "could not stop a superseded plan build");
    }
}

/// Take the project lock and start the plan build; if another run holds the lock, stay queued.
pub async fn try_start(app: &App, id: RunId) -> anyhow::Result<()> {
    let Some(stored) = app.store.load(id).await? else {
        return Ok(());
    };
    if !stored.meta.queued || stored.record.state.is_final() {
        return Ok(());
    }
    let project = project(app, &stored.record.project)?;
    let lease = project.lock_minutes as i64 * 60_000;
    match app
        .store
        .acquire_lock(&project.name, &project.workspace, id, lease)
        .await?
    {
        LockOutcome::HeldBy(holder) => {
            tracing::info!(
                run = id.0,
                holder = holder.0,
                project = project.name,
                "queued behind the lock"
            );
            if stored.meta.card.ts.is_some() {
                show_card(app, &stored).await?;
            }
            Ok(())
        }
        LockOutcome::Acquired => {
            let build = app
                .codebuild
                .start_build(&StartBuild {
                    project: project.codebuild_plan_project.clone(),
                    source_version: stored.record.head_sha.clone(),
                    env: build_env(project, id, "plan", None),
                    idempotency_token: format!("banto-run-{}-plan", id.0),
                })
                .await?;
            app.store
                .record_build(&build.id, id, BuildMode::Plan)
                .await?;
            let (stored, _) = app
                .store
                .update(id, |s| {
                    s.meta.queued = false;
                    s.meta.plan_build = Some(build.id.clone());
                })
                .await?;
            schedule_poll(app, &build.id).await?;
            if stored.meta.card.ts.is_some() {
                show_card(app, &stored).await?;
            }
            Ok(())
        }
    }
}

/// Where a run's plan artifacts live: `s3://bucket/<prefix>/<project>/run-<id>/`.
pub fn artifact_dir(project: &TfProject, id: RunId) -> String {
    format!(
        "{}/{}/run-{}",
        project.artifact_prefix.trim_end_matches('/'),
        project.name,
        id.0
    )
}

/// The environment a build gets; the buildspecs in `examples/aws/` read exactly these.
pub fn build_env(
    project: &TfProject,
    id: RunId,
    mode: &str,
    approved: Option<&PlanFacts>,
) -> Vec<(String, String)> {
    let mut env = vec![
        ("BANTO_RUN_ID".to_owned(), id.0.to_string()),
        ("BANTO_MODE".to_owned(), mode.to_owned()),
        ("BANTO_DIR".to_owned(), project.dir.clone()),
        ("BANTO_WORKSPACE".to_owned(), project.workspace.clone()),
        (
            "BANTO_ARTIFACT_BUCKET".to_owned(),
            project.artifact_bucket.clone(),
        ),
        (
            "BANTO_ARTIFACT_PREFIX".to_owned(),
            artifact_dir(project, id),
        ),
    ];
    if let Some(p) = approved {
        env.push(("BANTO_PLAN_SHA256".to_owned(), p.sha256.clone()));
        let bound = [
            ("BANTO_LOCK_SHA256", &p.binding.lock_sha256),
            ("BANTO_TERRAFORM_VERSION", &p.binding.terraform_version),
        ];
        for (name, value) in bound {
            if let Some(v) = value {
                env.push((name.to_owned(), v.clone()));
            }
        }
    }
    env
}

/// Check the build with BatchGetBuilds later, in case its EventBridge event never comes.
pub async fn schedule_poll(app: &App, build_id: &str) -> anyhow::Result<()> {
    let at = app.clock.now_ms() + app.config.terraform.poll_seconds as i64 * 1000;
    let timer = Timer::PollBuild {
        build_id: build_id.to_owned(),
    };
    crate::timers::schedule(app, timer, &format!("poll:{build_id}:{at}"), at).await
}

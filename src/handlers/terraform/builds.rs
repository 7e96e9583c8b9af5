//! A plan or apply build ended: read the plan from S3 and ask for approval, or report the apply.
//! EventBridge delivers the change; a polling timer covers a lost event. Either may come twice,
//! or after the other: only the first moves the run.

use super::plan::{artifact_dir, schedule_poll};
use super::{project, release_and_next, show_card, subject};
use crate::app::App;
use crate::clients::codebuild::{BuildInfo, BuildStatus, CodeBuildError};
use crate::clients::github::PullState;
use crate::clients::s3::S3Error;
use crate::config::PolicySet;
use crate::config::TfProject;
use crate::domain::audit::AuditAction;
use crate::domain::changes::{ApplyChange, Change, ChangeEvent, ChangeKind};
use crate::domain::cost::Cost;
use crate::domain::plan::{Action, PlanSummary, summarize_keeping_masker};
use crate::domain::policy::{SetResult, digest_of};
use crate::domain::tf_run::{Artifacts, Binding, PlanFacts, RunState, required_approvals};
use crate::event::BuildStateChange;
use crate::handlers::cards::in_thread;
use crate::ids::ChangeId;
use crate::ids::{RepoName, RunId};
use crate::messages::plan::{
    markdown, markdown_applied, markdown_failed, slack_card, slack_thread,
};
use crate::store::{BuildMode, StoredRun};

pub async fn build_event(app: &App, event: BuildStateChange) -> anyhow::Result<()> {
    if event.status == "IN_PROGRESS" {
        return Ok(());
    }
    settle_build(app, &event.build_id).await
}

pub async fn poll(app: &App, build_id: &str) -> anyhow::Result<()> {
    settle_build(app, build_id).await
}

/// Ask CodeBuild for the build's status (the event's word is not enough: it may be late or
/// forged-but-authenticated by a misconfigured rule) and move the run if the build ended.
async fn settle_build(app: &App, build_id: &str) -> anyhow::Result<()> {
    let (run_id, mode) = match app.store.build_run(build_id).await? {
        Some(known) => known,
        // The event can outrun banto recording the build it just started.
        None => match unrecorded_build(app, build_id).await? {
            Some(found) => found,
            None => {
                tracing::info!(build_id, "not a banto build; ignored");
                return Ok(());
            }
        },
    };
    let Some(stored) = app.store.load(run_id).await? else {
        return Ok(());
    };
    let waiting = match mode {
        // The row that began reporting this plan and died finishes it on its re-run.
        BuildMode::Plan => {
            stored.record.state == RunState::Planning
                || (stored.meta.plan_build.as_deref() == Some(build_id)
                    && stored.meta.plan_reported.as_deref() != Some(build_id)
                    && stored.meta.plan_reporter.is_some()
                    && stored.meta.plan_reporter == crate::effects::row())
        }
        // An ending whose report a dead run left half done is still to report.
        BuildMode::Apply => {
            stored.record.state == RunState::Applying
                || (stored.meta.apply_build.as_deref() == Some(build_id)
                    && stored.meta.apply_reported.as_deref() != Some(build_id))
        }
    };
    if !waiting {
        return Ok(());
    }
    let info = app.codebuild.build(build_id).await?;
    if info.status == BuildStatus::InProgress {
        return schedule_poll(app, build_id).await;
    }
    match mode {
        BuildMode::Plan => plan_ended(app, stored, &info).await,
        BuildMode::Apply => apply_ended(app, stored, &info).await,
    }
}

/// A build banto started but has not recorded yet: its environment names the run and the mode,
/// and it must run in that run's CodeBuild project for that mode.
async fn unrecorded_build(app: &App, build_id: &str) -> anyhow::Result<Option<(RunId, BuildMode)>> {
    let info = match app.codebuild.build(build_id).await {
        Ok(info) => info,
        Err(CodeBuildError::NotFound(_)) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let env = |k: &str| {
        info.env
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
    };
    let (Some(run), Some(mode)) = (
        env("BANTO_RUN_ID").and_then(|r| r.parse().ok()),
        env("BANTO_MODE"),
    ) else {
        return Ok(None);
    };
    let Some(stored) = app.store.load(RunId(run)).await? else {
        return Ok(None);
    };
    let Some(project) = app.config.terraform.project(&stored.record.project) else {
        return Ok(None);
    };
    let build_project = build_id.split(':').next().unwrap_or("");
    let mode = match mode {
        "plan" if build_project == project.codebuild_plan_project => BuildMode::Plan,
        "apply" if build_project == project.codebuild_apply_project => BuildMode::Apply,
        _ => return Ok(None),
    };
    app.store.record_build(build_id, stored.id, mode).await?;
    Ok(Some((stored.id, mode)))
}

fn failed_phase(info: &BuildInfo) -> String {
    info.failed_phase
        .clone()
        .unwrap_or_else(|| format!("{:?}", info.status).to_uppercase())
}

/// The plan file's hash and what else binds an approval, as the plan build left them now.
pub(super) async fn read_artifacts(
    app: &App,
    project: &TfProject,
    id: RunId,
) -> anyhow::Result<Artifacts> {
    let dir = artifact_dir(project, id);
    let sha = app
        .artifacts
        .get(&project.artifact_bucket, &format!("{dir}/tfplan.sha256"))
        .await?;
    let plan_sha256: String = String::from_utf8_lossy(&sha)
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_owned();
    anyhow::ensure!(
        plan_sha256.len() == 64 && plan_sha256.chars().all(|c| c.is_ascii_hexdigit()),
        "tfplan.sha256 does not hold a SHA-256"
    );
    let binding = match app
        .artifacts
        .get(&project.artifact_bucket, &format!("{dir}/binding.json"))
        .await
    {
        Ok(bytes) => serde_json::from_slice::<Binding>(&bytes)
            .map_err(|e| anyhow::anyhow!("binding.json is not what the buildspec writes: {e}"))?,
        Err(S3Error::NotFound { .. }) => Binding::default(),
        Err(e) => return Err(e.into()),
    };
    Ok(Artifacts {
        plan_sha256,
        binding,
    })
}

/// The run's pull request as it is now (None for runs without one).
pub(super) async fn pull_now(app: &App, stored: &StoredRun) -> anyhow::Result<Option<PullState>> {
    let repo = &stored.meta.repo;
    Ok(match stored.meta.pr {
        Some(pr) => Some(app.github.pull(repo.owner(), repo.name(), pr).await?),
        None => None,
    })
}

/// The head of the pull request's base branch now (None without a pull request).
pub(super) async fn base_sha(
    app: &App,
    repo: &RepoName,
    pull: Option<&PullState>,
) -> anyhow::Result<Option<String>> {
    let Some(pull) = pull.filter(|p| !p.base_ref.is_empty()) else {
        return Ok(None);
    };
    Ok(Some(
        app.github
            .resolve_ref(repo.owner(), repo.name(), &pull.base_ref)
            .await?,
    ))
}

/// The plan's summary, what binds an approval to it, what the policy sets found in it, and its
/// cost when the build ran Infracost.
struct ReadPlan {
    summary: PlanSummary,
    artifacts: Artifacts,
    policies: Vec<SetResult>,
    cost: Option<Cost>,
    changes_digest: String,
}

/// `infracost.json`, when the plan build wrote one.
async fn read_cost(app: &App, project: &TfProject, dir: &str) -> anyhow::Result<Option<Cost>> {
    match app
        .artifacts
        .get(&project.artifact_bucket, &format!("{dir}/infracost.json"))
        .await
    {
        Ok(bytes) => Ok(Some(crate::domain::cost::parse(&bytes))),
        Err(S3Error::NotFound { .. }) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

async fn read_plan(app: &App, stored: &StoredRun) -> anyhow::Result<ReadPlan> {
    let project = project(app, &stored.record.project)?;
    let sets: Vec<PolicySet> = app
        .config
        .terraform
        .policies_for(&project.name)
        .into_iter()
        .cloned()
        .collect();
    let dir = artifact_dir(project, stored.id);
    let json = app
        .artifacts
        .get(&project.artifact_bucket, &format!("{dir}/plan.json"))
        .await?;
    let mut artifacts = read_artifacts(app, project, stored.id).await?;
    let cost = read_cost(app, project, &dir).await?;
    // A plan can be hundreds of megabytes: read on the blocking pool, so acknowledgements and
    // other handlers never wait behind it.
    let (summary, policies, changes_digest) = tokio::task::spawn_blocking(move || {
        let text =
            std::str::from_utf8(&json).map_err(|_| anyhow::anyhow!("plan.json is not UTF-8"))?;
        let (summary, masker) = summarize_keeping_masker(text)?;
        let policies = super::policies::check(&sets, text, &masker)?;
        let changes = crate::domain::plan::changes_digest(text)?;
        anyhow::Ok((summary, policies, changes))
    })
    .await??;
    artifacts.binding.policy_digest = digest_of(&policies);
    Ok(ReadPlan {
        summary,
        artifacts,
        policies,
        cost,
        changes_digest,
    })
}

async fn plan_ended(app: &App, stored: StoredRun, info: &BuildInfo) -> anyhow::Result<()> {
    let project = project(app, &stored.record.project)?;
    let locale = app.config.locale_for_channel(&project.channel);
    let plan = if info.status == BuildStatus::Succeeded {
        // The base the plan was made against; GitHub failing here is retried, not a failed plan.
        let pull = pull_now(app, &stored).await?;
        let base = base_sha(app, &stored.meta.repo, pull.as_ref()).await?;
        match read_plan(app, &stored).await {
            Ok(mut read) => {
                read.artifacts.binding.base_sha = base;
                Ok(read)
            }
            // An artifact that cannot be trusted is a failed plan, said plainly.
            Err(e) => Err(format!("{e:#}")),
        }
    } else {
        Err(failed_phase(info))
    };
    let now = app.clock.now_ms();
    let row = crate::effects::row();
    let (stored, moved) = app
        .store
        .update(stored.id, |s| {
            if s.record.state != RunState::Planning {
                // Moved by this row before it stopped: report what it did not.
                return s.meta.plan_reporter.is_some() && s.meta.plan_reporter == row;
            }
            s.meta.plan_reporter = row.clone();
            s.meta.logs_url = info.logs_url.clone();
            match &plan {
                Ok(ReadPlan {
                    summary,
                    artifacts,
                    policies,
                    cost,
                    changes_digest,
                }) => {
                    let facts = PlanFacts {
                        sha256: artifacts.plan_sha256.clone(),
                        binding: artifacts.binding.clone(),
                        policies: policies.clone(),
                        cost: cost.clone(),
                        changes_digest: Some(changes_digest.clone()),
                        planned_at_ms: now,
                        required_approvals: required_approvals(
                            project.min_approvals,
                            &project.risk,
                            summary,
                            cost.as_ref(),
                        ),
                    };
                    s.record.plan_succeeded(facts, summary.has_changes());
                    s.meta.summary_blocks = slack_card(summary, "", locale)
                        .into_iter()
                        .skip(1)
                        .collect();
                    s.meta.resources = summary.changes.iter().map(|c| c.address.clone()).collect();
                    s.meta.destructive = summary
                        .changes
                        .iter()
                        .filter(|c| matches!(c.action, Action::Replace | Action::Delete))
                        .count() as u32;
                }
                Err(phase) => s.record.plan_failed(phase),
            }
            true
        })
        .await?;
    if !moved {
        return Ok(());
    }
    let (action, detail) = match &plan {
        Ok(read) => (
            AuditAction::Planned,
            format!(
                "run #{} plan sha256 {} build {}{}",
                stored.id.0,
                read.artifacts.plan_sha256,
                info.id,
                super::policies::audit_detail(&read.policies)
            ),
        ),
        Err(phase) => (
            AuditAction::PlanFailed,
            format!("run #{} failed in {phase} build {}", stored.id.0, info.id),
        ),
    };
    app.store
        .audit_once("banto", action, &subject(&project.name), &detail)
        .await?;
    show_card(app, &stored).await?;
    if let (Err(phase), Some(pr)) = (&plan, stored.meta.pr) {
        let body = markdown_failed(
            phase,
            info.logs_url.as_deref(),
            app.config.slack.default_locale,
        );
        pr_comment(app, &stored, pr, &body).await?;
    }
    if let Ok(ReadPlan { summary, .. }) = &plan {
        if stored.meta.card.ts.is_some() {
            for part in slack_thread(summary, locale) {
                in_thread(app, &stored.meta.card, part).await?;
            }
        }
        if let Some(pr) = stored.meta.pr {
            let body = markdown(summary, app.config.slack.default_locale);
            pr_comment(app, &stored, pr, &body).await?;
        }
        super::policies::pr_comment(app, &stored).await?;
    }
    // (Applying: a merge commit's run whose carried approvals started it, on a re-run.)
    if matches!(
        stored.record.state,
        RunState::AwaitingApproval | RunState::Applying
    ) {
        // The lease restarts when the plan is ready: approvers get the whole lease to decide.
        let lease = project.lock_minutes as i64 * 60_000;
        app.store
            .acquire_lock(&project.name, &project.workspace, stored.id, lease)
            .await?;
    } else {
        release_and_next(app, project, Some(stored.id)).await?;
    }
    if let Some(stored) = app.store.load(stored.id).await? {
        super::merge::carry_approvals(app, &stored).await?;
    }
    app.store
        .update(stored.id, |s| s.meta.plan_reported = Some(info.id.clone()))
        .await?;
    Ok(())
}

/// The one plan comment per PR and project, edited in place on every re-plan (or failure).
async fn pr_comment(app: &App, stored: &StoredRun, pr: u64, text: &str) -> anyhow::Result<()> {
    let repo = &stored.meta.repo;
    let marker = format!("<!-- banto:tf:{} -->", stored.record.project);
    let body = format!(
        "{marker}\n**banto** · `{}` · run #{} · `{}`\n\n{}",
        stored.record.project,
        stored.id.0,
        stored.record.head_sha.chars().take(7).collect::<String>(),
        text
    );
    let existing = app
        .store
        .pr_comment(&stored.meta.repo, pr, &stored.record.project)
        .await?;
    let id = app
        .github
        .upsert_comment(repo.owner(), repo.name(), pr, existing, &marker, &body)
        .await?;
    if existing != Some(id) {
        app.store
            .set_pr_comment(&stored.meta.repo, pr, &stored.record.project, id)
            .await?;
    }
    Ok(())
}

async fn apply_ended(app: &App, stored: StoredRun, info: &BuildInfo) -> anyhow::Result<()> {
    let project = project(app, &stored.record.project)?;
    let now = app.clock.now_ms();
    let failed = (info.status != BuildStatus::Succeeded).then(|| failed_phase(info));
    let (stored, moved) = app
        .store
        .update(stored.id, |s| {
            if s.record.state != RunState::Applying {
                return false;
            }
            s.record.apply_finished(failed.as_deref());
            s.meta.apply_finished_ms = Some(now);
            s.meta.logs_url = info.logs_url.clone();
            true
        })
        .await?;
    if !moved && stored.meta.apply_reported.as_deref() == Some(info.id.as_str()) {
        return Ok(());
    }
    let now = stored.meta.apply_finished_ms.unwrap_or(now);
    let plan_sha = stored
        .record
        .plan
        .as_ref()
        .map_or("", |p| p.sha256.as_str());
    let detail = format!(
        "run #{} commit {} plan sha256 {plan_sha} build {}",
        stored.id.0, stored.record.head_sha, info.id
    );
    match &failed {
        None => {
            app.store
                .audit_once(
                    "banto",
                    AuditAction::Applied,
                    &subject(&project.name),
                    &detail,
                )
                .await?;
            if app
                .store
                .change_of(ChangeKind::TerraformApply, stored.id.0)
                .await?
                .is_none()
            {
                crate::handlers::record_change(
                    app,
                    ChangeEvent {
                        id: ChangeId(0),
                        change: Change::TerraformApply(ApplyChange {
                            run: stored.id,
                            project: project.name.clone(),
                            commit: stored.record.head_sha.clone(),
                            plan_sha256: plan_sha.to_owned(),
                            build: info.id.clone(),
                            requested_by: stored.record.requested_by.clone(),
                            resources: stored.meta.resources.clone(),
                            destructive: stored.meta.destructive,
                        }),
                        actor: crate::ids::joined(&stored.record.approvals),
                        started_at: stored.meta.apply_started_ms.unwrap_or(now),
                        finished_at: now,
                    },
                )
                .await?;
            }
        }
        Some(phase) => {
            app.store
                .audit_once(
                    "banto",
                    AuditAction::ApplyFailed,
                    &subject(&project.name),
                    &format!("{detail} phase {phase}"),
                )
                .await?;
        }
    }
    show_card(app, &stored).await?;
    let merged_pr = stored.record.carried.as_ref().map(|c| c.pr);
    if let Some(pr) = stored.meta.pr.or(merged_pr) {
        let approvers: Vec<String> = stored
            .record
            .approvals
            .iter()
            .map(|u| crate::handlers::on_github(app, u.as_str()))
            .collect();
        let body = markdown_applied(
            stored.id.0,
            &stored.record.head_sha,
            &approvers,
            failed.as_deref(),
            info.logs_url.as_deref(),
            app.config.slack.default_locale,
        );
        let repo = &stored.meta.repo;
        let marker = format!(
            "<!-- banto:tf:{}:apply:{} -->",
            stored.record.project, stored.id.0
        );
        app.github
            .upsert_comment(
                repo.owner(),
                repo.name(),
                pr,
                None,
                &marker,
                &format!("{marker}\n{body}"),
            )
            .await?;
    }
    release_and_next(app, project, Some(stored.id)).await?;
    app.store
        .update(stored.id, |s| s.meta.apply_reported = Some(info.id.clone()))
        .await?;
    Ok(())
}

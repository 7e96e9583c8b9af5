//! Projects that apply after merge (`apply_on = "merge"`): a merged pull request's approved
//! runs are planned again at the merge commit, and the new run applies with their approvals only
//! if it plans the same changes; otherwise it waits for approval like any plan.

use super::approval::{freshness, start_apply};
use super::plan::{PlanRequest, start_plan};
use super::{project, release_and_next, show_card, subject};
use crate::app::App;
use crate::domain::audit::AuditAction;
use crate::domain::tf_run::{ApplyDecision, Carried, RunState, Stale};
use crate::event::{Merged, PullRequest};
use crate::ids::DeliveryId;
use crate::store::StoredRun;

pub async fn merged(
    app: &App,
    delivery: &DeliveryId,
    pr: &PullRequest,
    merged: &Merged,
) -> anyhow::Result<()> {
    let waiting: Vec<StoredRun> = app
        .store
        .open_runs(None)
        .await?
        .into_iter()
        .filter(|r| r.meta.pr == Some(pr.number) && r.meta.repo.is(&pr.repo))
        .filter(|r| r.record.state == RunState::AwaitingMerge)
        .collect();
    for old in waiting {
        let project = project(app, &old.record.project)?;
        let carried = old
            .record
            .plan
            .as_ref()
            .and_then(|p| p.changes_digest.clone())
            .map(|changes_digest| Carried {
                from_run: old.id.0,
                pr: pr.number,
                changes_digest,
                approvals: old.record.approvals.clone(),
            });
        let next = start_plan(
            app,
            PlanRequest {
                project,
                head_sha: merged.commit.clone(),
                git_ref: merged.base_ref.clone(),
                requested_by: old.record.requested_by.clone(),
                repo: pr.repo.clone(),
                pr: None,
                carried,
                trigger_key: format!("gh:{delivery}:{}:merged", project.name),
            },
        )
        .await?;
        let run = next.id.0;
        app.store
            .update(old.id, |s| s.record.supersede(Stale::Merged { run }))
            .await?;
    }
    // Then (also when a run of this event stopped after superseding) each run this merge
    // superseded lets go of its lock, so the merge commit's run can start.
    for project in app.config.terraform.projects.iter() {
        let Some(holder) = app
            .store
            .lock_holder(&project.name, &project.workspace)
            .await?
        else {
            continue;
        };
        let Some(old) = app.store.load(holder).await? else {
            continue;
        };
        let merged_here = old.meta.pr == Some(pr.number)
            && old.meta.repo.is(&pr.repo)
            && matches!(
                old.record.state,
                RunState::Superseded {
                    reason: Stale::Merged { .. }
                }
            );
        if merged_here {
            if let RunState::Superseded { reason } = &old.record.state {
                app.store
                    .audit_once(
                        "banto",
                        AuditAction::Superseded,
                        &subject(&project.name),
                        &format!("run #{}: {reason:?}", old.id.0),
                    )
                    .await?;
            }
            show_card(app, &old).await?;
            release_and_next(app, project, Some(old.id)).await?;
        } else if old.record.carried.is_some() && old.meta.queued {
            // The merge commit's run took the lock and stopped before its build started.
            super::plan::try_start(app, old.id).await?;
        }
    }
    Ok(())
}

/// A merge commit's plan is ready: with the same changes as the approved plan, its approvals
/// hold and the apply starts (after the same freshness checks as a last approval).
pub(super) async fn carry_approvals(app: &App, stored: &StoredRun) -> anyhow::Result<()> {
    if stored.record.carried.is_none() {
        return Ok(());
    }
    // Saved as applying by this step before it stopped: start the build (same token, once).
    if stored.record.state == RunState::Applying && stored.meta.apply_build.is_none() {
        return start_apply(app, stored.id).await;
    }
    if stored.record.state != RunState::AwaitingApproval {
        return Ok(());
    }
    let fresh = freshness(app, stored).await?;
    let (stored, decision) = app
        .store
        .update(stored.id, |s| {
            if !s.record.carry_approvals() {
                return None;
            }
            let decision = s.record.begin_apply(&fresh);
            if decision == ApplyDecision::Start {
                s.meta.apply_started_ms = Some(fresh.now_ms);
            }
            Some(decision)
        })
        .await?;
    let Some(decision) = decision else {
        return Ok(());
    };
    let project = project(app, &stored.record.project)?;
    let from = stored.record.carried.as_ref().map_or(0, |c| c.from_run);
    app.store
        .audit(
            "banto",
            AuditAction::Approved,
            &subject(&project.name),
            &format!(
                "run #{}: approvals of run #{from} carried (same changes after merge)",
                stored.id.0
            ),
        )
        .await?;
    show_card(app, &stored).await?;
    match decision {
        ApplyDecision::Start => start_apply(app, stored.id).await,
        ApplyDecision::Superseded(_) => release_and_next(app, project, Some(stored.id)).await,
        ApplyDecision::AwaitMerge | ApplyDecision::NotReady => Ok(()),
    }
}

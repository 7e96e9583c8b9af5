//! Approve and Reject on a run's card. Authorisation and freshness are the state machine's;
//! the apply build starts only after `Applying` is saved, so a second click, a retry or another
//! replica finds the run already applying and starts nothing.

use super::plan::{build_env, schedule_poll};
use super::{project, release_and_next, show_card, subject};
use crate::app::App;
use crate::clients::codebuild::StartBuild;
use crate::clients::s3::S3Error;
use crate::config::ApprovalRules;
use crate::domain::approval::Refusal;
use crate::domain::audit::AuditAction;
use crate::domain::tf_run::{
    ApplyDecision, ApplyOn, Approved, Artifacts, Freshness, Run, RunState,
};
use crate::event::Form;
use crate::handlers::approval::Approving;
use crate::ids::RunId;
use crate::messages::TfReply;
use crate::messages::approval::Item;
use crate::store::{BuildMode, StoredRun};

impl Approving for Run {
    fn rules<'a>(app: &'a App, stored: &StoredRun) -> anyhow::Result<ApprovalRules<'a>> {
        Ok(project(app, &stored.record.project)?.approval())
    }
    fn item(stored: &StoredRun) -> (Item, String) {
        (
            Item::Plan { run: stored.id.0 },
            stored.record.project.clone(),
        )
    }
    fn reject_form(run: RunId) -> Form {
        Form::TfRejectReason { run }
    }
    fn audit_subject(stored: &StoredRun) -> String {
        subject(&stored.record.project)
    }
    const APPROVED: AuditAction = AuditAction::Approved;
    const REJECTED: AuditAction = AuditAction::Rejected;
    async fn rejected(app: &App, stored: &StoredRun) -> anyhow::Result<()> {
        let project = project(app, &stored.record.project)?;
        release_and_next(app, project, Some(stored.id)).await
    }

    type Reply = TfReply;
    type Context = Freshness;
    type Decided = Option<ApplyDecision>;

    async fn context(app: &App, stored: &StoredRun) -> anyhow::Result<Freshness> {
        // The click that saved `Applying` may have stopped before starting the build: whoever
        // sees that finishes the job (same idempotency token, so still one build), then goes on.
        if stored.record.state == RunState::Applying && stored.meta.apply_build.is_none() {
            start_apply(app, stored.id).await?;
        }
        freshness(app, stored).await
    }

    fn decide(
        s: &mut StoredRun,
        approved: &Result<Approved, Refusal>,
        fresh: &Freshness,
    ) -> Option<ApplyDecision> {
        let decision =
            matches!(approved, Ok(Approved::Complete)).then(|| s.record.begin_apply(fresh));
        if decision == Some(ApplyDecision::Start) {
            s.meta.apply_started_ms = Some(fresh.now_ms);
        }
        decision
    }

    async fn approved(
        app: &App,
        stored: &StoredRun,
        _: Approved,
        decision: Option<ApplyDecision>,
    ) -> anyhow::Result<Option<TfReply>> {
        show_card(app, stored).await?;
        match decision {
            Some(ApplyDecision::Start) => start_apply(app, stored.id).await?,
            Some(ApplyDecision::Superseded(why)) => {
                let project = project(app, &stored.record.project)?;
                app.store
                    .audit(
                        "banto",
                        AuditAction::Superseded,
                        &subject(&project.name),
                        &format!("run #{}: {why:?}", stored.id.0),
                    )
                    .await?;
                release_and_next(app, project, Some(stored.id)).await?
            }
            Some(ApplyDecision::AwaitMerge | ApplyDecision::NotReady) | None => {}
        }
        Ok(None)
    }

    fn went_on(run: &Run) -> bool {
        run.state != RunState::AwaitingApproval
    }

    async fn resume(app: &App, stored: &StoredRun) -> anyhow::Result<Option<TfReply>> {
        show_card(app, stored).await?;
        Ok(None)
    }
}

/// What the world looks like now, for the freshness check.
pub(super) async fn freshness(app: &App, stored: &StoredRun) -> anyhow::Result<Freshness> {
    let project = project(app, &stored.record.project)?;
    let pull = super::builds::pull_now(app, stored).await?;
    let mut artifacts = match super::builds::read_artifacts(app, project, stored.id).await {
        Ok(a) => a,
        Err(e)
            if e.downcast_ref::<S3Error>()
                .is_some_and(|e| !matches!(e, S3Error::NotFound { .. })) =>
        {
            return Err(e);
        }
        // Gone or unreadable: nothing an approval can be bound to.
        Err(_) => Artifacts::default(),
    };
    artifacts.binding.base_sha =
        super::builds::base_sha(app, &stored.meta.repo, pull.as_ref()).await?;
    artifacts.binding.policy_digest = super::policies::current_digest(app, &project.name);
    let current_head = pull.map(|p| p.head);
    Ok(Freshness {
        wait_for_merge: project.apply_on == ApplyOn::Merge && stored.meta.pr.is_some(),
        now_ms: app.clock.now_ms(),
        ttl_ms: project.plan_ttl_minutes as i64 * 60_000,
        current_head,
        last_apply_ms: app
            .store
            .last_change(
                crate::domain::changes::ChangeKind::TerraformApply,
                &project.name,
            )
            .await?,
        holds_lock: app
            .store
            .lock_holder(&project.name, &project.workspace)
            .await?
            == Some(stored.id),
        artifacts,
    })
}

/// Start the apply build for a run already saved as `Applying` (idempotent: same token).
pub(super) async fn start_apply(app: &App, id: RunId) -> anyhow::Result<()> {
    let stored = app.store.load(id).await?.expect("run exists");
    let project = project(app, &stored.record.project)?;
    let plan = stored.record.plan.as_ref();
    let sha = plan.map(|p| p.sha256.clone()).unwrap_or_default();
    let build = app
        .codebuild
        .start_build(&StartBuild {
            project: project.codebuild_apply_project.clone(),
            source_version: stored.record.head_sha.clone(),
            env: build_env(project, id, "apply", plan),
            idempotency_token: format!("banto-run-{}-apply", id.0),
        })
        .await?;
    app.store
        .record_build(&build.id, id, BuildMode::Apply)
        .await?;
    let (_, first) = app
        .store
        .update(id, |s| {
            s.meta.apply_build.is_none() && {
                s.meta.apply_build = Some(build.id.clone());
                true
            }
        })
        .await?;
    if !first {
        return Ok(());
    }
    app.store
        .audit(
            &crate::ids::joined(&stored.record.approvals),
            AuditAction::ApplyStarted,
            &subject(&project.name),
            &format!(
                "run #{} commit {} plan sha256 {sha}{} build {}",
                id.0,
                stored.record.head_sha,
                plan.map(|p| p.binding.to_string()).unwrap_or_default(),
                build.id
            ),
        )
        .await?;
    schedule_poll(app, &build.id).await
}

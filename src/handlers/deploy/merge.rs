//! Approve and Reject on a deploy's card, and the merge: the environment must still run what
//! it ran when the deploy was asked for ("production moved to v1.4.3 since you asked"), and the
//! merge is pinned to the pull request head that was approved.

use super::{configured, in_thread, owner_repo, show_card, subject};
use crate::app::App;
use crate::clients::github::GithubError;
use crate::config::ApprovalRules;
use crate::domain::approval::Refusal;
use crate::domain::audit::AuditAction;
use crate::domain::changes::{Change, ChangeEvent, DeployChange};
use crate::domain::deploy::{Approved, Deploy, DeployState, Superseded};
use crate::domain::yaml_edit::current_tag;
use crate::event::Form;
use crate::handlers::approval::Approving;
use crate::handlers::on_github;
use crate::ids::ChangeId;
use crate::ids::DeployId;
use crate::messages::Message;
use crate::messages::approval::Item;
use crate::messages::deploy::{DeployReply, incident_names};
use crate::messages::gitops::{DeployCommit, GitopsText};
use crate::store::StoredDeploy;

impl Approving for Deploy {
    fn rules<'a>(app: &'a App, stored: &StoredDeploy) -> anyhow::Result<ApprovalRules<'a>> {
        Ok(configured(app, &stored.record.app, &stored.record.env)?
            .0
            .approval())
    }
    fn item(stored: &StoredDeploy) -> (Item, String) {
        (Item::Deploy { id: stored.id.0 }, stored.record.app.clone())
    }
    fn reject_form(deploy: DeployId) -> Form {
        Form::DeployRejectReason { deploy }
    }
    fn audit_subject(stored: &StoredDeploy) -> String {
        subject(&stored.record.app, &stored.record.env)
    }
    const APPROVED: AuditAction = AuditAction::DeployApproved;
    const REJECTED: AuditAction = AuditAction::DeployRejected;
    async fn rejected(app: &App, stored: &StoredDeploy) -> anyhow::Result<()> {
        let Deploy {
            state: DeployState::Rejected { by, reason },
            ..
        } = &stored.record
        else {
            return Ok(());
        };
        let why = GitopsText::Rejected {
            by: on_github(app, by.as_str()),
            reason: reason.clone(),
        };
        close_pull(app, stored, why).await
    }

    type Reply = DeployReply;
    type Context = ();
    type Decided = ();

    async fn context(_: &App, _: &StoredDeploy) -> anyhow::Result<()> {
        Ok(())
    }

    fn decide(_: &mut StoredDeploy, _: &Result<Approved, Refusal>, _: &()) {}

    async fn approved(
        app: &App,
        stored: &StoredDeploy,
        approved: Approved,
        (): (),
    ) -> anyhow::Result<Option<DeployReply>> {
        show_card(app, stored).await?;
        Ok(Some(match approved {
            Approved::Counted { have, need } => DeployReply::Counted { have, need },
            Approved::Complete => {
                merge_soon(app, stored.id).await?;
                merge(app, stored.id).await?
            }
        }))
    }

    fn went_on(d: &Deploy) -> bool {
        d.ready_to_merge() || d.state.is_merged()
    }

    /// The merge now rather than two minutes later, or what became of it.
    async fn resume(app: &App, stored: &StoredDeploy) -> anyhow::Result<Option<DeployReply>> {
        if stored.record.ready_to_merge() {
            return Ok(Some(merge(app, stored.id).await?));
        }
        show_card(app, stored).await?;
        Ok(Some(DeployReply::merged(&stored.record)))
    }
}

async fn close_pull(
    app: &App,
    stored: &crate::store::StoredDeploy,
    why: GitopsText,
) -> anyhow::Result<()> {
    let (a, _) = configured(app, &stored.record.app, &stored.record.env)?;
    let (owner, repo) = owner_repo(a);
    let locale = app.config.locale_for_repo(&a.repo);
    let title = GitopsText::NotMergedTitle {
        app: a.name.clone(),
        id: stored.id,
    };
    if let Some(pr) = stored.meta.pr {
        app.github
            .update_pull(
                owner,
                repo,
                pr,
                &title.render(locale),
                &why.render(locale),
                true,
            )
            .await?;
    }
    // GitHub's "Delete branch" after a close: the GitOps repository keeps no dead branches.
    app.github
        .delete_branch(owner, repo, &stored.meta.branch)
        .await?;
    Ok(())
}

/// Hourly: deploys whose approvals are complete but which are not merged (a handler stopped
/// between saving the last approval and merging) are merged now; `merge` is safe to repeat.
pub async fn resume(app: &App) -> anyhow::Result<()> {
    for d in app.store.open_deploys(None).await? {
        resume_one(app, d.id).await?;
    }
    crate::timers::schedule_hourly(app, crate::event::Timer::ResumeDeploys).await
}

/// Merge deploy `id` if its approvals are complete and it is still not merged.
pub async fn resume_one(app: &App, id: DeployId) -> anyhow::Result<()> {
    let Some(d) = app.store.load(id).await? else {
        return Ok(());
    };
    if d.record.ready_to_merge() {
        tracing::info!(deploy = d.id.0, "finishing an interrupted merge");
        let answer = merge(app, d.id).await?;
        let locale = app.config.locale_for_channel(&d.meta.card.channel);
        in_thread(app, &d, answer.render(locale)).await?;
    }
    Ok(())
}

/// In case this handler stops between the last approval and the merge: check again soon.
async fn merge_soon(app: &App, id: DeployId) -> anyhow::Result<()> {
    let at = app.clock.now_ms() + 120_000;
    let timer = crate::event::Timer::MergeDeploy { id };
    crate::timers::schedule(app, timer, &format!("merge_deploy:{id}"), at).await
}

/// The tag the environment runs now, from the base branch.
async fn running(
    app: &App,
    a: &crate::config::DeployApp,
    e: &crate::config::DeployEnv,
) -> anyhow::Result<Result<Option<String>, String>> {
    let (owner, repo) = owner_repo(a);
    let Some(file) = app.github.file(owner, repo, &e.file, &a.branch).await? else {
        return Ok(Err(format!("{} is gone from {}", e.file, a.repo)));
    };
    Ok(current_tag(&file.content, &e.locator(a)).map_err(|r| r.to_string()))
}

/// Merge a deploy whose approvals are complete: check the environment, merge pinned to the
/// approved head, record the change. What to tell whoever completed it is returned.
pub(super) async fn merge(app: &App, id: DeployId) -> anyhow::Result<DeployReply> {
    let stored = app
        .store
        .load(id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("deploy #{id} is gone"))?;
    if !stored.record.ready_to_merge() {
        return Ok(DeployReply::NotAwaiting { id });
    }
    let (a, e) = configured(app, &stored.record.app, &stored.record.env)?;
    let (owner, repo) = owner_repo(a);
    let current = match running(app, a, e).await? {
        Ok(c) => c,
        Err(message) => return refuse(app, id, message).await,
    };
    let holds = app.store.holds(&a.name, &e.name).await?;
    let (stored, checked) = app
        .store
        .update(id, |s| s.record.begin_merge(current.as_deref(), &holds))
        .await?;
    match checked {
        Err(Superseded::EnvironmentMoved { current }) => {
            return moved(app, &stored, current).await;
        }
        Err(Superseded::Frozen { incidents }) => return frozen(app, &stored, &incidents).await,
        _ => {}
    }
    let pr = stored
        .meta
        .pr
        .ok_or_else(|| anyhow::anyhow!("deploy #{id} has no pull request"))?;
    let head = stored.meta.head_sha.clone().unwrap_or_default();
    let d = &stored.record;
    let approvers: Vec<String> = d
        .approvals
        .iter()
        .map(|u| on_github(app, u.as_str()))
        .collect();
    let message = DeployCommit {
        id,
        app: &d.app,
        env: &d.env,
        from: d.from.as_deref(),
        tag: &d.tag,
        requested_by: &on_github(app, &d.requested_by),
        merge: Some((pr, &approvers)),
        break_glass: d.break_glass.as_deref(),
    }
    .message();
    let merge_sha = match app
        .github
        .merge_pull(owner, repo, pr, &head, &message)
        .await
    {
        Ok(sha) => Some(sha),
        Err(GithubError::Api {
            status: 405 | 409 | 422,
            message,
        }) => {
            // Refused: a retry after our own merge finds the tag in place; anything else is
            // someone else's change.
            match running(app, a, e).await? {
                Ok(Some(now)) if now == stored.record.tag => None,
                Ok(now) if now != stored.record.from => {
                    let (stored, _) = app
                        .store
                        .update(id, |s| {
                            s.record.supersede(Superseded::EnvironmentMoved {
                                current: now.clone().unwrap_or_default(),
                            })
                        })
                        .await?;
                    return moved(app, &stored, now.unwrap_or_default()).await;
                }
                _ => return refuse(app, id, message).await,
            }
        }
        Err(err) => return Err(err.into()),
    };
    let (stored, ()) = app
        .store
        .update(id, |s| {
            s.record.merged();
            if merge_sha.is_some() {
                s.meta.merge_sha = merge_sha.clone();
            }
        })
        .await?;
    let d = &stored.record;
    let actor = d
        .approvals
        .last()
        .map_or_else(|| d.requested_by.clone(), |u| u.0.clone());
    let production = app
        .config
        .deploy
        .apps
        .iter()
        .find(|a| a.name == d.app)
        .and_then(|a| a.env(&d.env))
        .is_some_and(|e| !e.auto_merge);
    crate::handlers::record_change(
        app,
        ChangeEvent {
            id: ChangeId(0),
            change: Change::Deploy(DeployChange {
                deploy: id,
                app: d.app.clone(),
                env: d.env.clone(),
                from: d.from.clone(),
                to: d.tag.clone(),
                requested_by: d.requested_by.clone(),
                production,
            }),
            actor: actor.clone(),
            started_at: stored.meta.requested_ms,
            finished_at: app.clock.now_ms(),
        },
    )
    .await?;
    app.store
        .audit(
            &actor,
            AuditAction::DeployMerged,
            &subject(&d.app, &d.env),
            &format!("#{id} {}", d.tag),
        )
        .await?;
    show_card(app, &stored).await?;
    Ok(DeployReply::merged(d))
}

async fn moved(
    app: &App,
    stored: &crate::store::StoredDeploy,
    current: String,
) -> anyhow::Result<DeployReply> {
    let d = &stored.record;
    let why = GitopsText::Moved {
        env: d.env.clone(),
        current: current.clone(),
    };
    close_pull(app, stored, why).await?;
    show_card(app, stored).await?;
    Ok(DeployReply::Moved {
        env: d.env.clone(),
        current,
        tag: d.tag.clone(),
    })
}

async fn frozen(
    app: &App,
    stored: &crate::store::StoredDeploy,
    incidents: &[crate::ids::IncidentId],
) -> anyhow::Result<DeployReply> {
    let (env, incidents) = (stored.record.env.clone(), incident_names(incidents));
    let why = GitopsText::Frozen {
        env: env.clone(),
        incidents: incidents.clone(),
    };
    close_pull(app, stored, why).await?;
    show_card(app, stored).await?;
    Ok(DeployReply::MergeFrozen { env, incidents })
}

async fn refuse(app: &App, id: DeployId, message: String) -> anyhow::Result<DeployReply> {
    let (stored, _) = app
        .store
        .update(id, |s| {
            s.record.supersede(Superseded::MergeRefused {
                message: message.clone(),
            })
        })
        .await?;
    let why = GitopsText::Refused {
        message: message.clone(),
    };
    close_pull(app, &stored, why).await?;
    show_card(app, &stored).await?;
    let locale = app.config.locale_for_channel(&stored.meta.card.channel);
    in_thread(
        app,
        &stored,
        DeployReply::MergeRefused {
            message: message.clone(),
        }
        .render(locale),
    )
    .await?;
    Ok(DeployReply::MergeRefused { message })
}

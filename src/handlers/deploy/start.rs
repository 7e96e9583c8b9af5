//! Start a deploy: freeze and hold checks, read the environment's file from the base branch,
//! edit the tag byte-exactly, one branch and pull request per deploy (older open deploys of the
//! same app+env are closed as superseded), the card, then merge at once if nothing is to wait for.

use super::merge::merge;
use super::{owner_repo, show_card, subject};
use crate::app::App;
use crate::clients::github::GithubError;
use crate::config::{DeployApp, DeployEnv};
use crate::domain::audit::AuditAction;
use crate::domain::deploy::{
    Blocked, Deploy, DeployMeta, DeployState, Request, Superseded, check_start,
};
use crate::domain::freeze::{FreezeWindow, in_zone};
use crate::domain::tag_policy::Verdict;
use crate::domain::yaml_edit::{current_tag, set_tag, unified_diff};
use crate::handlers::on_github;
use crate::handlers::user_zone;
use crate::messages::Message;
use crate::messages::deploy::DeployReply;
use crate::messages::gitops::DeployCommit;
use crate::messages::gitops::GitopsText;

/// Someone (or something) asks for `tag` in `env`.
pub struct Ask<'a> {
    pub app: &'a DeployApp,
    pub env: &'a DeployEnv,
    pub tag: String,
    /// A Slack user id, or `github:<login>` / `aws:ecr` for automation.
    pub requested_by: String,
    /// Automatic bumps obey the tag policy and holds, and never break glass.
    pub automatic: bool,
    pub break_glass: Option<String>,
    /// A rollback: freeze windows do not stop it (it is how a bad deploy is undone).
    pub rollback: bool,
    /// What asked (command trigger id, webhook delivery): a retry finds the same deploy.
    pub trigger_key: String,
}

/// What became of an ask.
pub enum Outcome {
    /// Tell the asker (and, for automation, the app's channel).
    Reply(DeployReply),
    /// Automation decided not to act; only logged.
    Skipped(String),
}

pub async fn start(app: &App, ask: Ask<'_>) -> anyhow::Result<Outcome> {
    let (a, e) = (ask.app, ask.env);
    let holds = app.store.holds(&a.name, &e.name).await?;
    let windows = e.freeze_windows();
    match check_start(
        app.clock.now(),
        &windows,
        &holds,
        ask.automatic,
        ask.break_glass.is_some() || ask.rollback,
    ) {
        Ok(()) => {}
        Err(Blocked::Frozen { window, until }) => {
            let zone = windows
                .iter()
                .find(|w| w.to_string() == window)
                .map(FreezeWindow::tz);
            let theirs = match ask.automatic {
                true => None,
                false => user_zone(app, &ask.requested_by).await,
            };
            return Ok(Outcome::Reply(DeployReply::Frozen {
                app: a.name.clone(),
                env: e.name.clone(),
                window,
                until: zone.map_or_else(|| until.to_rfc3339(), |z| in_zone(until, z)),
                yours: theirs
                    .filter(|t| Some(*t) != zone)
                    .map(|t| in_zone(until, t)),
            }));
        }
        Err(Blocked::Held(holds)) => {
            return Ok(Outcome::Reply(DeployReply::held(
                &a.name,
                &e.name,
                &ask.tag,
                &holds,
                ask.automatic,
            )));
        }
    }
    let (owner, repo) = owner_repo(a);
    let base = app
        .github
        .branch_head(owner, repo, &a.branch)
        .await?
        .ok_or_else(|| anyhow::anyhow!("{} has no branch {:?}", a.repo, a.branch))?;
    let Some(file) = app.github.file(owner, repo, &e.file, &base).await? else {
        return Ok(Outcome::Reply(DeployReply::FileMissing {
            repo: a.repo.to_string(),
            file: e.file.clone(),
        }));
    };
    let locator = e.locator(a);
    let refused = |r: crate::domain::yaml_edit::Refusal| {
        Outcome::Reply(DeployReply::Refused {
            file: e.file.clone(),
            message: r.to_string(),
        })
    };
    let current = match current_tag(&file.content, &locator) {
        Ok(c) => c,
        Err(r) => return Ok(refused(r)),
    };
    if current.as_deref() == Some(ask.tag.as_str()) {
        return Ok(if ask.automatic {
            Outcome::Skipped(format!("{} already runs {}", e.name, ask.tag))
        } else {
            Outcome::Reply(DeployReply::AlreadyThere {
                app: a.name.clone(),
                env: e.name.clone(),
                tag: ask.tag,
            })
        });
    }
    if ask.automatic {
        let Some(policy) = a.tag_policy() else {
            return Ok(Outcome::Skipped(format!(
                "{} has no tag_policy: automatic bumps are off",
                a.name
            )));
        };
        match policy.judge(current.as_deref(), &ask.tag) {
            Verdict::Bump => {}
            Verdict::NotAllowed => {
                return Ok(Outcome::Skipped(format!(
                    "{} is outside the tag policy",
                    ask.tag
                )));
            }
            Verdict::NotNewer { current } => {
                return Ok(Outcome::Skipped(format!(
                    "{} is not newer than {current}",
                    ask.tag
                )));
            }
        }
    }
    let edited = match set_tag(&file.content, &locator, &ask.tag) {
        Ok(x) => x,
        Err(r) => return Ok(refused(r)),
    };
    let deploy = Deploy::new(&Request {
        app: &a.name,
        env: &e.name,
        tag: &ask.tag,
        from: current.as_deref(),
        requested_by: &ask.requested_by,
        min_approvals: a.min_approvals,
        auto_merge: e.auto_merge,
        break_glass: ask.break_glass.as_deref(),
        rollback: ask.rollback,
    });
    let meta = DeployMeta {
        card: crate::domain::card::CardPlace::new(a.channel.clone()),
        diff: unified_diff(&e.file, &file.content, &edited),
        requested_ms: app.clock.now_ms(),
        ..Default::default()
    };
    let (stored, new) = app.store.insert(&deploy, &meta, &ask.trigger_key).await?;
    let id = stored.id;
    if !new && stored.record.state != DeployState::AwaitingApproval {
        // A retried ask whose deploy has moved on: say where it is, open nothing again.
        let d = &stored.record;
        return Ok(Outcome::Reply(if d.state.is_merged() {
            DeployReply::merged(d)
        } else {
            DeployReply::NotAwaiting { id }
        }));
    }
    if new {
        app.store
            .audit(
                &ask.requested_by,
                AuditAction::DeployRequested,
                &subject(&a.name, &e.name),
                &format!(
                    "#{id}: {} → {}{}",
                    current.as_deref().unwrap_or("—"),
                    ask.tag,
                    ask.break_glass
                        .as_deref()
                        .map(|r| format!(" (break-glass: {r})"))
                        .unwrap_or_default()
                ),
            )
            .await?;
        if let Some(reason) = &ask.break_glass
            && let frozen @ [_, ..] = &holds.freezes().collect::<Vec<_>>()[..]
        {
            app.store
                .audit(
                    &ask.requested_by,
                    AuditAction::DeployBreakGlass,
                    &subject(&a.name, &e.name),
                    &format!(
                        "#{id} over the freeze of {}: {reason}",
                        crate::messages::deploy::incident_names(frozen)
                    ),
                )
                .await?;
        }
    }
    supersede_older(app, a, e, id).await?;
    let stored = app.store.load(id).await?.expect("just inserted");
    if stored.meta.card.ts.is_none() {
        show_card(app, &stored).await?;
    }
    // The deploy's own branch from the commit the file was read at.
    let branch = format!("banto/deploy/{}-{}-{id}", a.name, e.name);
    match app.github.create_branch(owner, repo, &branch, &base).await {
        Ok(()) | Err(GithubError::Api { status: 422, .. }) => {}
        Err(err) => return Err(err.into()),
    }
    let message = DeployCommit {
        id,
        app: &a.name,
        env: &e.name,
        from: current.as_deref(),
        tag: &ask.tag,
        requested_by: &on_github(app, &ask.requested_by),
        merge: None,
        break_glass: None,
    }
    .message();
    let on_branch = app.github.file(owner, repo, &e.file, &branch).await?;
    if on_branch.as_ref().map(|f| f.content.as_str()) != Some(edited.text.as_str()) {
        app.github
            .put_file(
                owner,
                repo,
                &branch,
                &e.file,
                &edited.text,
                Some(&file.sha),
                &message,
            )
            .await?;
    }
    let locale = app.config.locale_for_repo(&a.repo);
    let title = GitopsText::PrTitle {
        app: a.name.clone(),
        from: current.clone().unwrap_or_else(|| "none".into()),
        tag: ask.tag.clone(),
        env: e.name.clone(),
    }
    .render(locale);
    let body = GitopsText::PrBody {
        id,
        by: on_github(app, &ask.requested_by),
        diff: stored.meta.diff.clone(),
    }
    .render(locale);
    let pr = match app.github.open_pull(owner, repo, &branch).await? {
        Some(pr) => pr,
        None => {
            app.github
                .create_pull(owner, repo, &branch, &a.branch, &title, &body)
                .await?
        }
    };
    let (stored, ()) = app
        .store
        .update(id, |s| {
            s.meta.branch = branch.clone();
            s.meta.pr = Some(pr.number);
            s.meta.head_sha = Some(pr.head_sha.clone());
        })
        .await?;
    show_card(app, &stored).await?;
    if stored.record.ready_to_merge() {
        return Ok(Outcome::Reply(merge(app, id).await?));
    }
    Ok(Outcome::Reply(DeployReply::Started {
        app: a.name.clone(),
        env: e.name.clone(),
        tag: stored.record.tag.clone(),
        id,
        pr_url: pr.url,
        channel: a.channel.clone(),
        held: crate::messages::deploy::hold_lines(holds.all()),
    }))
}

/// One open deploy per app+env: older ones are closed as superseded by `newest`.
async fn supersede_older(
    app: &App,
    a: &DeployApp,
    e: &DeployEnv,
    newest: crate::ids::DeployId,
) -> anyhow::Result<()> {
    let (owner, repo) = owner_repo(a);
    let locale = app.config.locale_for_repo(&a.repo);
    for old in app.store.open_deploys(Some(&a.name)).await? {
        if old.record.env != e.name || old.id >= newest {
            continue;
        }
        // One with its approvals complete is being merged: it goes on, and the newer deploy
        // finds the environment moved when its own turn comes.
        let (old, changed) = app
            .store
            .update(old.id, |s| {
                !s.record.ready_to_merge()
                    && s.record.supersede(Superseded::NewerDeploy { id: newest })
            })
            .await?;
        if !changed {
            continue;
        }
        if let Some(pr) = old.meta.pr {
            app.github
                .update_pull(
                    owner,
                    repo,
                    pr,
                    &GitopsText::SupersededTitle {
                        app: a.name.clone(),
                        newest,
                    }
                    .render(locale),
                    &GitopsText::SupersededBody { newest }.render(locale),
                    true,
                )
                .await?;
        }
        show_card(app, &old).await?;
    }
    Ok(())
}

//! `/deploy`, `/promote`, `/rollback`.

use super::start::{Ask, Outcome, start};
use super::{owner_repo, subject};
use crate::app::App;
use crate::commands::{DeployCommand, parse_deploy};
use crate::config::{DeployApp, DeployEnv};
use crate::domain::audit::AuditAction;
use crate::domain::deploy::{Hold, HoldKind, HoldWhy};
use crate::domain::yaml_edit::current_tag;
use crate::event::SlashCommand;
use crate::ids::UserId;
use crate::messages::common::mention;
use crate::messages::deploy::{DeployReply, EnvLine, HistoryLine, hold_lines, state_names};

/// The value of a lookup, or return its reply (unknown app or env) as the answer.
macro_rules! or_reply {
    ($e:expr) => {
        match $e {
            Ok(x) => x,
            Err(r) => return Ok(*r),
        }
    };
}

/// Roll `e` back to `tag` (else to the tag before the running one) and hold automation there.
pub(crate) async fn rollback(
    app: &App,
    user: &str,
    a: &DeployApp,
    e: &DeployEnv,
    tag: Option<String>,
    trigger_key: String,
) -> anyhow::Result<DeployReply> {
    let running_now = running(app, a, e).await?;
    let target = match tag {
        Some(t) => Some(t),
        None => previous(app, a, e, running_now.as_deref()).await?,
    };
    let Some(target) = target else {
        return Ok(DeployReply::NoPrevious {
            app: a.name.clone(),
            env: e.name.clone(),
        });
    };
    let ask = Ask {
        app: a,
        env: e,
        tag: target.clone(),
        requested_by: user.to_owned(),
        automatic: false,
        break_glass: None,
        rollback: true,
        trigger_key,
    };
    let reply = told(start(app, ask).await?);
    // Only a rollback under way holds automation back.
    if matches!(
        reply,
        DeployReply::Started { .. } | DeployReply::Merged { .. }
    ) {
        let hold = Hold {
            kind: HoldKind::Rollback,
            why: HoldWhy::RolledBack {
                from: running_now.clone(),
                to: target.clone(),
            },
            by: UserId::from(user),
            since_ms: app.clock.now_ms(),
        };
        app.store.set_hold(&a.name, &e.name, &hold).await?;
        app.store
            .audit(
                user,
                AuditAction::Rollback,
                &subject(&a.name, &e.name),
                &hold.why.to_string(),
            )
            .await?;
    }
    Ok(reply)
}

/// The answer to a `/deploy`, `/promote` or `/rollback` command, once it is done.
pub async fn answer(app: &App, cmd: &SlashCommand) -> anyhow::Result<DeployReply> {
    let parsed = match parse_deploy(&cmd.command, &cmd.text) {
        Ok(c) => c,
        Err(e) => {
            return Ok(DeployReply::Usage {
                command: cmd.command.clone(),
                input: e.input,
                usage: e.usage,
            });
        }
    };
    let user = cmd.user.0.clone();
    let ask = |a, e, tag: String, break_glass, rollback| Ask {
        app: a,
        env: e,
        tag,
        requested_by: user.clone(),
        automatic: false,
        break_glass,
        rollback,
        trigger_key: format!("slash:{}", cmd.trigger_id),
    };
    Ok(match parsed {
        DeployCommand::Help => DeployReply::Help {
            usage: &DeployCommand::USAGE,
        },
        DeployCommand::Deploy {
            app: name,
            tag,
            env,
            break_glass,
        } => {
            let a = or_reply!(find_app(app, &name));
            let e = match env {
                Some(env) => or_reply!(find_env(a, &env)),
                None => &a.envs[0],
            };
            told(start(app, ask(a, e, tag, break_glass, false)).await?)
        }
        DeployCommand::Promote {
            app: name,
            from,
            to,
        } => {
            let a = or_reply!(find_app(app, &name));
            let (from, to) = (or_reply!(find_env(a, &from)), or_reply!(find_env(a, &to)));
            match running(app, a, from).await? {
                Some(tag) => told(start(app, ask(a, to, tag, None, false)).await?),
                None => DeployReply::NothingToPromote {
                    app: a.name.clone(),
                    env: from.name.clone(),
                },
            }
        }
        DeployCommand::Rollback {
            app: name,
            env,
            tag,
        } => {
            let a = or_reply!(find_app(app, &name));
            let e = or_reply!(find_env(a, &env));
            rollback(app, &user, a, e, tag, format!("slash:{}", cmd.trigger_id)).await?
        }
        DeployCommand::Lock {
            app: name,
            env,
            reason,
        } => {
            let a = or_reply!(find_app(app, &name));
            let e = or_reply!(find_env(a, &env));
            if !may_manage(app, a, &user).await? {
                return Ok(DeployReply::NotAnApprover {
                    app: a.name.clone(),
                });
            }
            let hold = Hold {
                kind: HoldKind::Manual,
                why: HoldWhy::Said {
                    text: reason.clone(),
                },
                by: UserId::new(user.clone()),
                since_ms: app.clock.now_ms(),
            };
            app.store.set_hold(&a.name, &e.name, &hold).await?;
            app.store
                .audit(
                    &user,
                    AuditAction::DeployLock,
                    &subject(&a.name, &e.name),
                    &reason,
                )
                .await?;
            announce(
                app,
                a,
                DeployReply::Locked {
                    app: a.name.clone(),
                    env: e.name.clone(),
                    reason,
                    by: mention(&user),
                },
            )
            .await?
        }
        DeployCommand::Unlock { app: name, env } => {
            let a = or_reply!(find_app(app, &name));
            let e = or_reply!(find_env(a, &env));
            if !may_manage(app, a, &user).await? {
                return Ok(DeployReply::NotAnApprover {
                    app: a.name.clone(),
                });
            }
            let released = app.store.unlock(&a.name, &e.name).await?;
            let frozen = hold_lines(app.store.holds(&a.name, &e.name).await?.all());
            if released.is_empty() {
                DeployReply::NotLocked {
                    app: a.name.clone(),
                    env: e.name.clone(),
                    frozen,
                }
            } else {
                let what: Vec<String> = released.iter().map(|h| h.why.to_string()).collect();
                app.store
                    .audit(
                        &user,
                        AuditAction::DeployUnlock,
                        &subject(&a.name, &e.name),
                        &what.join("; "),
                    )
                    .await?;
                announce(
                    app,
                    a,
                    DeployReply::Unlocked {
                        app: a.name.clone(),
                        env: e.name.clone(),
                        by: mention(&user),
                        released: hold_lines(&released),
                        frozen,
                    },
                )
                .await?
            }
        }
        DeployCommand::Status { app: name } => {
            let apps: Vec<&DeployApp> = match name {
                Some(n) => vec![or_reply!(find_app(app, &n))],
                None => app.config.deploy.apps.iter().collect(),
            };
            let mut lines = vec![];
            for a in apps {
                let open = app.store.open_deploys(Some(&a.name)).await?;
                for e in &a.envs {
                    lines.push(EnvLine {
                        app: a.name.clone(),
                        env: e.name.clone(),
                        tag: running(app, a, e).await?.unwrap_or_else(|| "—".into()),
                        holds: hold_lines(app.store.holds(&a.name, &e.name).await?.all()),
                        open: open
                            .iter()
                            .filter(|d| d.record.env == e.name)
                            .map(|d| d.id)
                            .collect(),
                    });
                }
            }
            DeployReply::Status { lines }
        }
        DeployCommand::History { app: name, env } => {
            let a = or_reply!(find_app(app, &name));
            let e = or_reply!(find_env(a, &env));
            let lines = app
                .store
                .deploy_history(&a.name, &e.name, 10)
                .await?
                .into_iter()
                .map(|d| {
                    let (state_en, state_ja) = state_names(&d.record.state);
                    HistoryLine {
                        id: d.id,
                        tag: d.record.tag.clone(),
                        from: d.record.from.clone().unwrap_or_else(|| "—".into()),
                        state_en,
                        state_ja,
                        by: mention(&d.record.requested_by),
                    }
                })
                .collect();
            DeployReply::History {
                app: a.name.clone(),
                env: e.name.clone(),
                lines,
            }
        }
    })
}

fn told(o: Outcome) -> DeployReply {
    match o {
        Outcome::Reply(r) => r,
        // Only automation skips; a person's ask always gets an answer.
        Outcome::Skipped(why) => DeployReply::MergeRefused { message: why },
    }
}

fn find_app<'a>(app: &'a App, name: &str) -> Result<&'a DeployApp, Box<DeployReply>> {
    app.config
        .deploy
        .apps
        .iter()
        .find(|a| a.name == name)
        .ok_or_else(|| {
            Box::new(DeployReply::UnknownApp {
                name: name.to_owned(),
                known: quoted(app.config.deploy.apps.iter().map(|a| a.name.as_str())),
            })
        })
}

fn find_env<'a>(a: &'a DeployApp, env: &str) -> Result<&'a DeployEnv, Box<DeployReply>> {
    a.env(env).ok_or_else(|| {
        Box::new(DeployReply::UnknownEnv {
            app: a.name.clone(),
            env: env.to_owned(),
            known: quoted(a.envs.iter().map(|e| e.name.as_str())),
        })
    })
}

fn quoted<'a>(names: impl Iterator<Item = &'a str>) -> String {
    let all: Vec<String> = names
        .map(|n| format!("`{}`", crate::messages::escape_mrkdwn(n)))
        .collect();
    if all.is_empty() {
        "—".into()
    } else {
        all.join(", ")
    }
}

/// Approvers and nobody else lock and unlock environments.
async fn may_manage(app: &App, a: &DeployApp, user: &str) -> anyhow::Result<bool> {
    Ok(crate::handlers::approval::members(app, &a.approvers)
        .await?
        .contains(&UserId::from(user)))
}

/// The tag an environment runs, read from the GitOps repo's base branch.
async fn running(app: &App, a: &DeployApp, e: &DeployEnv) -> anyhow::Result<Option<String>> {
    let (owner, repo) = owner_repo(a);
    let file = app.github.file(owner, repo, &e.file, &a.branch).await?;
    Ok(file.and_then(|f| current_tag(&f.content, &e.locator(a)).ok().flatten()))
}

/// The tag before the one running: the `from` of the newest merged deploy that put it there.
async fn previous(
    app: &App,
    a: &DeployApp,
    e: &DeployEnv,
    running: Option<&str>,
) -> anyhow::Result<Option<String>> {
    Ok(app
        .store
        .deploy_history(&a.name, &e.name, 50)
        .await?
        .into_iter()
        .find(|d| d.record.state.is_merged() && Some(d.record.tag.as_str()) == running)
        .and_then(|d| d.record.from))
}

/// Post a notice in the app's channel too, and return it as the reply.
async fn announce(app: &App, a: &DeployApp, notice: DeployReply) -> anyhow::Result<DeployReply> {
    crate::effects::say(app, &a.channel, &notice).await?;
    Ok(notice)
}

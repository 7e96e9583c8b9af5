//! GitOps deploys: `/deploy`, `/promote`, `/rollback`, automatic bumps from registries and CI,
//! approval and merge, Argo CD feedback. The decisions are `domain::deploy`'s and the edits
//! `domain::yaml_edit`'s; this module reads GitHub, decides, saves (compare-and-swap), then acts.

mod argocd;
mod auto;
mod command;
mod merge;
mod start;

pub use argocd::notification as argocd;
pub use auto::{image_pushed, package_published, workflow_run};
pub use command::answer as command;
pub(crate) use command::rollback;
pub use merge::{resume, resume_one};

use super::cards::{Carded, show as show_card};
use crate::app::App;
use crate::clients::slack::Outgoing;
use crate::config::{DeployApp, DeployEnv};
use crate::domain::card::CardPlace;
use crate::domain::deploy::{Deploy, DeployMeta};
use crate::messages::deploy::card;
use crate::store::StoredDeploy;
use anyhow::Context;

/// The audit log subject of an app's environment.
fn subject(app: &str, env: &str) -> String {
    format!("deploy:{app}/{env}")
}

fn configured<'a>(
    app: &'a App,
    name: &str,
    env: &str,
) -> anyhow::Result<(&'a DeployApp, &'a DeployEnv)> {
    let a = app
        .config
        .deploy
        .apps
        .iter()
        .find(|a| a.name == name)
        .with_context(|| format!("deploy app {name:?} is no longer configured"))?;
    let e = a
        .env(env)
        .with_context(|| format!("deploy app {name:?} has no env {env:?} any more"))?;
    Ok((a, e))
}

fn owner_repo(a: &DeployApp) -> (&str, &str) {
    (a.repo.owner(), a.repo.name())
}

/// Someone as GitHub readers know them: `@login` when `[github.slack_users]` maps them (or
/// automation acted as a GitHub user), else `slack:<id>` / `aws:ecr`.
impl Carded for Deploy {
    fn card(meta: &DeployMeta) -> &CardPlace {
        &meta.card
    }
    fn card_mut(meta: &mut DeployMeta) -> &mut CardPlace {
        &mut meta.card
    }
    async fn render(app: &App, s: &StoredDeploy) -> anyhow::Result<Outgoing> {
        let (a, _) = configured(app, &s.record.app, &s.record.env)?;
        let locale = app.config.locale_for_channel(&s.meta.card.channel);
        Ok(card(s.id, &s.record, &s.meta, a, locale))
    }
}

/// Post in the card's thread (or the channel, before there is a card).
async fn in_thread(app: &App, stored: &StoredDeploy, text: String) -> anyhow::Result<()> {
    super::cards::in_thread(app, &stored.meta.card, text).await
}

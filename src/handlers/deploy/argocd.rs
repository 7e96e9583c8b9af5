//! Argo CD notifications: the deploy that put the synced revision there (the newest merged
//! deploy of the Application's app+env) gets the sync and health in its thread, and its card
//! moves to Synced/Healthy or Degraded.

use super::{in_thread, show_card};
use crate::app::App;
use crate::event::ArgoCdNotification;
use crate::messages::Message;
use crate::messages::deploy::DeployReply;

pub async fn notification(app: &App, n: ArgoCdNotification) -> anyhow::Result<()> {
    let Some((a, e)) = app.config.deploy.apps.iter().find_map(|a| {
        a.envs
            .iter()
            .find(|e| e.argocd_app(a) == n.app)
            .map(|e| (a, e))
    }) else {
        tracing::info!(
            argo_app = n.app,
            "Argo CD notification for an app banto does not deploy"
        );
        return Ok(());
    };
    let merged: Vec<_> = app
        .store
        .deploy_history(&a.name, &e.name, 20)
        .await?
        .into_iter()
        .filter(|d| d.record.state.is_merged())
        .collect();
    // A revision an older deploy merged is about that deploy's past, not the newest one.
    let Some(newest) = merged.first() else {
        return Ok(());
    };
    let older_revision = merged[1..]
        .iter()
        .any(|d| d.meta.merge_sha.as_deref() == Some(n.revision.as_str()));
    if older_revision {
        tracing::info!(
            argo_app = n.app,
            revision = n.revision,
            "notification about an older deploy"
        );
        return Ok(());
    }
    let synced = n.sync_status == "Synced";
    let verdict = match n.health_status.as_str() {
        "Healthy" if synced => Some((true, String::new())),
        "Degraded" | "Missing" => Some((false, n.message.clone())),
        _ => None,
    };
    let (stored, moved) = app
        .store
        .update(newest.id, |s| {
            let before = s.record.state.clone();
            if let Some((healthy, message)) = &verdict {
                s.record.health(*healthy, message);
            }
            s.record.state != before
        })
        .await?;
    let locale = app.config.locale_for_channel(&stored.meta.card.channel);
    let note = DeployReply::ArgoCd {
        argo_app: n.app.clone(),
        sync: n.sync_status.clone(),
        health: n.health_status.clone(),
        revision: n.revision.chars().take(7).collect(),
        message: n.message.clone(),
    };
    in_thread(app, &stored, note.render(locale)).await?;
    if moved {
        show_card(app, &stored).await?;
    }
    Ok(())
}

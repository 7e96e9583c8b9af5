//! A SEV1 or SEV2 whose playbook says so holds deploys to the production environments (those
//! that need approval) of its affected apps until it is resolved; break-glass and rollbacks
//! still go through. The freeze is one hold among others (a rollback's, a lock): it is placed
//! beside them and lifted only by the incident. What the channel was told is recorded on the
//! incident (`frozen`), so a run after a crash tells what is missing and never tells it twice.

use super::{channel_of, locale, subject};
use crate::app::App;
use crate::clients::slack::Outgoing;
use crate::domain::audit::AuditAction;
use crate::domain::deploy::{Hold, HoldKind, HoldWhy};
use crate::ids::UserId;
use crate::messages::Message;
use crate::messages::incident::IncidentNotice;
use crate::store::StoredIncident;

/// Hold or release as the incident now stands; tell the channel what changed.
pub(super) async fn apply(app: &App, stored: &StoredIncident) -> anyhow::Result<()> {
    let i = &stored.record;
    let wants = i.is_open()
        && i.severity <= 2
        && app
            .config
            .incidents
            .playbooks
            .get(&i.kind)
            .is_some_and(|p| p.freeze_deploys);
    if !wants {
        return thaw(app, stored).await;
    }
    let hold = Hold {
        kind: HoldKind::Freeze(stored.id),
        why: HoldWhy::Incident {
            severity: i.severity,
            title: crate::domain::mask::text(&i.title).into_owned(),
        },
        by: UserId::from(i.commander().unwrap_or(i.reporter.as_str())),
        since_ms: app.clock.now_ms(),
    };
    let mut untold = vec![];
    for a in &app.config.deploy.apps {
        if !i.services.is_empty() && !i.services.contains(&a.name) {
            continue;
        }
        for e in a.envs.iter().filter(|e| !e.auto_merge) {
            app.store.freeze_env(&a.name, &e.name, &hold).await?;
            let name = format!("{}/{}", a.name, e.name);
            if !stored.meta.frozen.contains(&name) {
                untold.push(name);
            }
        }
    }
    if untold.is_empty() {
        return Ok(());
    }
    let apps = names(&untold);
    let key = format!(
        "incident:{}:freeze:{}:{}",
        stored.id.0,
        stored.meta.thaws,
        untold.join(",")
    );
    say(
        app,
        stored,
        &key,
        &IncidentNotice::Freeze { apps: apps.clone() },
    )
    .await?;
    app.store
        .update(stored.id, |s| {
            s.meta.frozen.extend(
                untold
                    .iter()
                    .filter(|n| !s.meta.frozen.contains(n))
                    .cloned()
                    .collect::<Vec<_>>(),
            )
        })
        .await?;
    app.store
        .audit(
            "banto",
            AuditAction::IncidentFreeze,
            &subject(stored.id),
            &apps,
        )
        .await
}

/// Lift this incident's freezes and tell the channel, once, naming what other holds still keep.
async fn thaw(app: &App, stored: &StoredIncident) -> anyhow::Result<()> {
    app.store.release_incident_holds(stored.id).await?;
    let told = &stored.meta.frozen;
    if told.is_empty() {
        return Ok(());
    }
    let mut still = vec![];
    for name in told {
        let (a, e) = name.split_once('/').unwrap_or((name, ""));
        if !app.store.holds(a, e).await?.is_empty() {
            still.push(name.clone());
        }
    }
    let apps = names(told);
    let key = format!("incident:{}:thaw:{}", stored.id.0, stored.meta.thaws);
    let notice = IncidentNotice::Thaw {
        apps: apps.clone(),
        still: names(&still),
    };
    say(app, stored, &key, &notice).await?;
    app.store
        .update(stored.id, |s| {
            if !s.meta.frozen.is_empty() {
                s.meta.frozen.clear();
                s.meta.thaws += 1;
            }
        })
        .await?;
    app.store
        .audit(
            "banto",
            AuditAction::IncidentThaw,
            &subject(stored.id),
            &apps,
        )
        .await
}

/// A notice in the incident channel, named so it is posted once whatever run posts it.
async fn say(
    app: &App,
    stored: &StoredIncident,
    key: &str,
    notice: &IncidentNotice,
) -> anyhow::Result<()> {
    if let Some(channel) = channel_of(stored) {
        let text = Outgoing::text(notice.render(locale(app, &stored.meta)));
        crate::effects::post_as(app, key, &channel, &text, None).await?;
    }
    Ok(())
}

fn names(envs: &[String]) -> String {
    envs.iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

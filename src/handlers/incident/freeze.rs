//! A SEV1 or SEV2 whose playbook says so holds deploys to the production environments (those
//! that need approval) of its affected apps until it is resolved; break-glass and rollbacks
//! still go through. The freeze is one hold among others (a rollback's, a lock): it is placed
//! beside them and lifted only by the incident.

use super::{subject, tell};
use crate::app::App;
use crate::domain::deploy::{Hold, HoldKind};
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
        let released = app.store.release_incident_holds(stored.id).await?;
        if !released.is_empty() {
            let apps = names(released.iter().map(|(a, e)| format!("{a}/{e}")));
            let mut still = vec![];
            for (a, e) in &released {
                if !app.store.holds(a, e).await?.is_empty() {
                    still.push(format!("{a}/{e}"));
                }
            }
            app.store
                .audit("banto", "incident_thaw", &subject(stored.id), &apps)
                .await?;
            let still = names(still.into_iter());
            tell(app, stored, &IncidentNotice::Thaw { apps, still }).await?;
        }
        return Ok(());
    }
    let hold = Hold {
        kind: HoldKind::Freeze(stored.id),
        reason: format!("SEV{}: {}", i.severity, crate::domain::mask::text(&i.title)),
        by: i.commander().unwrap_or(&i.reporter).to_owned(),
        since_ms: app.clock.now_ms(),
    };
    let mut held = vec![];
    for a in &app.config.deploy.apps {
        if !i.services.is_empty() && !i.services.contains(&a.name) {
            continue;
        }
        for e in a.envs.iter().filter(|e| !e.auto_merge) {
            if app.store.freeze_env(&a.name, &e.name, &hold).await? {
                held.push(format!("{}/{}", a.name, e.name));
            }
        }
    }
    if !held.is_empty() {
        let apps = names(held.into_iter());
        app.store
            .audit("banto", "incident_freeze", &subject(stored.id), &apps)
            .await?;
        tell(app, stored, &IncidentNotice::Freeze { apps }).await?;
    }
    Ok(())
}

fn names(it: impl Iterator<Item = String>) -> String {
    it.map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
}

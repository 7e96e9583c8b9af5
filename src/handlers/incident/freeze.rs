//! A SEV1 or SEV2 whose playbook says so holds deploys to the production environments (those
//! that need approval) of its affected apps until it is resolved; break-glass and rollbacks
//! still go through. A hold that was there before (a rollback's) is left as it was.

use super::{subject, tell};
use crate::app::App;
use crate::domain::deploy::Hold;
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
        let released = app.store.release_incident_holds(stored.id.0).await?;
        if !released.is_empty() {
            let apps = names(released.iter().map(|(a, e)| format!("{a}/{e}")));
            app.store
                .audit("banto", "incident_thaw", &subject(stored.id), &apps)
                .await?;
            tell(app, stored, &IncidentNotice::Thaw { apps }).await?;
        }
        return Ok(());
    }
    let hold = Hold {
        reason: format!(
            "{} SEV{}: {}",
            stored.id,
            i.severity,
            crate::domain::mask::text(&i.title)
        ),
        by: i.commander().unwrap_or(&i.reporter).to_owned(),
        incident: Some(stored.id.0),
    };
    let mut held = vec![];
    for a in &app.config.deploy.apps {
        if !i.services.is_empty() && !i.services.contains(&a.name) {
            continue;
        }
        for e in a.envs.iter().filter(|e| !e.auto_merge) {
            if app.store.hold_for_incident(&a.name, &e.name, &hold).await? {
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

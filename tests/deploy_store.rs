//! Deploys and holds in the store, on SQLite and PostgreSQL alike.

use banto::domain::approval::{Approvable, Policy};
use banto::domain::deploy::{
    Deploy, DeployMeta, DeployState, Hold, HoldKind, HoldWhy, Holds, Request,
};
use banto::fake::world::TestDatabase;
use banto::ids::{IncidentId, UserId};
use banto::store::Store;

async fn store() -> (TestDatabase, Store) {
    let db = TestDatabase::new().await.unwrap();
    let store = db.store().await.unwrap();
    (db, store)
}

fn request(tag: &str) -> Deploy {
    Deploy::new(&Request {
        app: "web",
        env: "production",
        tag,
        from: Some("v1.4.2"),
        requested_by: "UBOB",
        min_approvals: 1,
        auto_merge: false,
        break_glass: None,
        rollback: false,
    })
}

#[tokio::test]
async fn two_racing_approvals_merge_once_and_history_is_newest_first() {
    let (_db, store) = store().await;
    let meta = DeployMeta {
        branch: "banto/deploy/web-production-1".into(),
        ..Default::default()
    };
    let (first, new) = store
        .insert(&request("v1.4.3"), &meta, "slash:1")
        .await
        .unwrap();
    assert!(new);
    let (again, new) = store
        .insert(&request("v1.4.3"), &meta, "slash:1")
        .await
        .unwrap();
    assert!(!new, "a retried command finds its deploy");
    assert_eq!(again.id, first.id);
    let (second, _) = store
        .insert(&request("v1.4.4"), &meta, "slash:2")
        .await
        .unwrap();
    assert_eq!(
        store
            .open_deploys(Some("web"))
            .await
            .unwrap()
            .iter()
            .map(|d| d.id)
            .collect::<Vec<_>>(),
        [first.id, second.id]
    );
    let approvers = Policy::new(["UALICE", "UKENJI"], false);
    let mut a = store.load(first.id).await.unwrap().unwrap();
    let mut b = store.load(first.id).await.unwrap().unwrap();
    a.record
        .approve(&UserId::from("UALICE"), &approvers)
        .unwrap();
    a.record.merged();
    b.record
        .approve(&UserId::from("UKENJI"), &approvers)
        .unwrap();
    b.record.merged();
    assert!(store.save(&mut a).await.unwrap());
    assert!(
        !store.save(&mut b).await.unwrap(),
        "the stale read cannot merge again"
    );
    let now = store.load(first.id).await.unwrap().unwrap();
    assert_eq!(now.record.state, DeployState::Merged);
    assert_eq!(now.record.approvals, [UserId::from("UALICE")]);
    let history = store.deploy_history("web", "production", 10).await.unwrap();
    assert_eq!(
        history.iter().map(|d| d.id).collect::<Vec<_>>(),
        [second.id, first.id]
    );
    assert!(
        store
            .deploy_history("web", "staging", 10)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn holds_are_a_set_each_lifted_by_its_owner() {
    let (_db, store) = store().await;
    let kinds = |h: &Holds| h.all().iter().map(|h| h.kind).collect::<Vec<_>>();
    assert!(store.holds("web", "production").await.unwrap().is_empty());
    let hold = |kind, why: HoldWhy, by: &str| Hold {
        kind,
        why,
        by: by.into(),
        since_ms: 0,
    };
    let rolled = |to: &str| HoldWhy::RolledBack {
        from: Some("v1.5.0".into()),
        to: to.into(),
    };
    let rollback = hold(HoldKind::Rollback, rolled("v1.4.9"), "UALICE");
    store
        .set_hold("web", "production", &rollback)
        .await
        .unwrap();
    let newer = hold(HoldKind::Rollback, rolled("v1.4.8"), "UKENJI");
    store.set_hold("web", "production", &newer).await.unwrap();
    let now = store.holds("web", "production").await.unwrap();
    assert_eq!(
        now.all().len(),
        1,
        "a newer rollback replaces the older one"
    );
    assert_eq!(now.all()[0].why, rolled("v1.4.8"));

    let sev = |severity, title: &str| HoldWhy::Incident {
        severity,
        title: title.into(),
    };
    let freeze4 = hold(HoldKind::Freeze(IncidentId(4)), sev(1, "500s"), "UBOB");
    let freeze5 = hold(HoldKind::Freeze(IncidentId(5)), sev(2, "slow"), "UBOB");
    assert!(
        store
            .freeze_env("web", "production", &freeze4)
            .await
            .unwrap()
    );
    assert!(
        !store
            .freeze_env("web", "production", &freeze4)
            .await
            .unwrap(),
        "once per incident"
    );
    assert!(
        store
            .freeze_env("web", "production", &freeze5)
            .await
            .unwrap()
    );
    let manual = hold(
        HoldKind::Manual,
        HoldWhy::Said {
            text: "migration".into(),
        },
        "UKENJI",
    );
    store.set_hold("web", "production", &manual).await.unwrap();
    assert_eq!(
        kinds(&store.holds("web", "production").await.unwrap()),
        [
            HoldKind::Freeze(IncidentId(4)),
            HoldKind::Freeze(IncidentId(5)),
            HoldKind::Rollback,
            HoldKind::Manual
        ],
        "side by side"
    );
    assert!(store.holds("web", "staging").await.unwrap().is_empty());

    let released = store.unlock("web", "production").await.unwrap();
    assert_eq!(released.len(), 2, "unlock lifts the rollback and the lock");
    assert_eq!(
        kinds(&store.holds("web", "production").await.unwrap()),
        [
            HoldKind::Freeze(IncidentId(4)),
            HoldKind::Freeze(IncidentId(5))
        ],
        "never a freeze"
    );
    assert!(store.unlock("web", "production").await.unwrap().is_empty());
    assert_eq!(
        store.release_incident_holds(IncidentId(4)).await.unwrap(),
        [("web".to_owned(), "production".to_owned())]
    );
    assert_eq!(
        kinds(&store.holds("web", "production").await.unwrap()),
        [HoldKind::Freeze(IncidentId(5))],
        "each incident lifts its own"
    );
}

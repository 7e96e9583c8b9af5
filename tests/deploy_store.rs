//! Deploys and holds in the store, on SQLite and PostgreSQL alike.

use banto::domain::approval::{Approvable, Approvers};
use banto::domain::deploy::{Deploy, DeployMeta, DeployState, Hold, Request};
use banto::fake::world::TestDatabase;
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
    let approvers = Approvers {
        users: ["UALICE".to_owned(), "UKENJI".to_owned()].into(),
    };
    let mut a = store.load(first.id).await.unwrap().unwrap();
    let mut b = store.load(first.id).await.unwrap().unwrap();
    a.record.approve("UALICE", &approvers, false).unwrap();
    a.record.merged();
    b.record.approve("UKENJI", &approvers, false).unwrap();
    b.record.merged();
    assert!(store.save(&mut a).await.unwrap());
    assert!(
        !store.save(&mut b).await.unwrap(),
        "the stale read cannot merge again"
    );
    let now = store.load(first.id).await.unwrap().unwrap();
    assert_eq!(now.record.state, DeployState::Merged);
    assert_eq!(now.record.approvals, ["UALICE"]);
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
async fn holds_are_set_replaced_and_released() {
    let (_db, store) = store().await;
    assert_eq!(store.hold("web", "production").await.unwrap(), None);
    let hold = Hold {
        reason: "rolled back v1.5.0: 500s".into(),
        by: "UALICE".into(),
        incident: None,
    };
    store.set_hold("web", "production", &hold).await.unwrap();
    let newer = Hold {
        reason: "still investigating".into(),
        by: "UKENJI".into(),
        incident: None,
    };
    store.set_hold("web", "production", &newer).await.unwrap();
    assert_eq!(store.hold("web", "production").await.unwrap(), Some(newer));
    assert_eq!(store.hold("web", "staging").await.unwrap(), None);
    assert!(store.release_hold("web", "production").await.unwrap());
    assert!(!store.release_hold("web", "production").await.unwrap());

    let freeze = Hold {
        reason: "INC-4 SEV1".into(),
        by: "UBOB".into(),
        incident: Some(4),
    };
    store.set_hold("web", "staging", &hold).await.unwrap();
    assert!(
        store
            .hold_for_incident("web", "production", &freeze)
            .await
            .unwrap()
    );
    assert!(
        !store
            .hold_for_incident("web", "staging", &freeze)
            .await
            .unwrap(),
        "a rollback's hold is left as it is"
    );
    assert_eq!(
        store.release_incident_holds(4).await.unwrap(),
        [("web".to_owned(), "production".to_owned())]
    );
    assert_eq!(store.hold("web", "staging").await.unwrap(), Some(hold));
}

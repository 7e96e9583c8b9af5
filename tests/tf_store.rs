//! Terraform runs, locks and the audit log in the store, on SQLite and PostgreSQL alike.

use banto::domain::audit::AuditAction;
use banto::domain::tf_run::{
    ApplyDecision, Approvable, Freshness, PlanFacts, Policy, Run, RunMeta, RunState,
};
use banto::fake::world::TestDatabase;
use banto::ids::{RunId, UserId};
use banto::store::{LockOutcome, Store};

async fn store() -> (TestDatabase, Store) {
    let db = TestDatabase::new().await.unwrap();
    let store = db.store().await.unwrap();
    (db, store)
}

#[tokio::test]
async fn only_one_of_two_racing_transitions_is_saved() {
    let (_db, store) = store().await;
    let mut run = Run::new("network", "sha-a", "UALICE");
    run.plan_succeeded(
        PlanFacts {
            sha256: "abc".into(),
            planned_at_ms: banto::clock::Clock::default().now_ms(),
            required_approvals: 1,
            binding: Default::default(),
            policies: vec![],
            cost: None,
            changes_digest: None,
        },
        true,
    );
    let (first, created) = store
        .insert(
            &run,
            &RunMeta::new("acme/infra".parse().unwrap(), "main", "C1".into()),
            "gh:delivery-1:network",
        )
        .await
        .unwrap();
    assert!(created);
    let (again, created) = store
        .insert(
            &run,
            &RunMeta::new("acme/infra".parse().unwrap(), "main", "C1".into()),
            "gh:delivery-1:network",
        )
        .await
        .unwrap();
    assert!(
        !created && again.id == first.id,
        "a redelivered trigger finds its run instead of starting a second"
    );
    let id = first.id;
    // Two workers (two clicks on Approve) read the same version.
    let mut a = store.load(id).await.unwrap().unwrap();
    let mut b = store.load(id).await.unwrap().unwrap();
    let approvers = Policy::new(["UBOB"], false);
    let fresh = Freshness {
        wait_for_merge: false,
        now_ms: banto::clock::Clock::default().now_ms(),
        ttl_ms: 60_000,
        current_head: Some("sha-a".into()),
        last_apply_ms: None,
        holds_lock: true,
        artifacts: banto::domain::tf_run::Artifacts {
            plan_sha256: "abc".into(),
            binding: Default::default(),
        },
    };
    a.record.approve(&UserId::from("UBOB"), &approvers).unwrap();
    assert_eq!(a.record.begin_apply(&fresh), ApplyDecision::Start);
    b.record.approve(&UserId::from("UBOB"), &approvers).unwrap();
    assert_eq!(b.record.begin_apply(&fresh), ApplyDecision::Start);
    assert!(store.save(&mut a).await.unwrap(), "the first save wins");
    assert!(
        !store.save(&mut b).await.unwrap(),
        "the second, from a stale read, is refused: no second apply"
    );
    let now = store.load(id).await.unwrap().unwrap();
    assert_eq!(now.record.state, RunState::Applying);
    assert_eq!(now.version, 1);
    assert_eq!(store.open_runs(Some("network")).await.unwrap().len(), 1);
}

#[tokio::test]
async fn locks_are_leased_renewed_taken_over_when_expired_and_force_released() {
    let (_db, store) = store().await;
    let (r1, r2) = (RunId(1), RunId(2));
    assert_eq!(
        store
            .acquire_lock("network", "default", r1, 60_000)
            .await
            .unwrap(),
        LockOutcome::Acquired
    );
    assert_eq!(
        store
            .acquire_lock("network", "default", r2, 60_000)
            .await
            .unwrap(),
        LockOutcome::HeldBy(r1)
    );
    assert_eq!(
        store
            .acquire_lock("network", "default", r1, 60_000)
            .await
            .unwrap(),
        LockOutcome::Acquired,
        "renewal"
    );
    assert_eq!(
        store
            .acquire_lock("network", "staging", r2, 60_000)
            .await
            .unwrap(),
        LockOutcome::Acquired,
        "per workspace"
    );
    assert!(
        !store
            .release_lock("network", "default", Some(r2))
            .await
            .unwrap(),
        "only the holder releases"
    );
    assert!(
        store
            .release_lock("network", "default", None)
            .await
            .unwrap(),
        "force-unlock"
    );
    assert_eq!(
        store
            .acquire_lock("network", "default", r2, -1)
            .await
            .unwrap(),
        LockOutcome::Acquired
    );
    assert_eq!(
        store
            .acquire_lock("network", "default", r1, 60_000)
            .await
            .unwrap(),
        LockOutcome::Acquired,
        "an expired lease is taken over"
    );
}

#[tokio::test]
async fn the_audit_log_keeps_every_entry_in_order() {
    let (_db, store) = store().await;
    store
        .audit(
            "UALICE",
            AuditAction::PlanRequested,
            "network",
            "run-1 sha-a",
        )
        .await
        .unwrap();
    store
        .audit(
            "UBOB",
            AuditAction::Approved,
            "network",
            "run-1 plan sha256 abc",
        )
        .await
        .unwrap();
    store
        .audit(
            "UCAROL",
            AuditAction::ForceUnlock,
            "network",
            "reason: stuck after outage",
        )
        .await
        .unwrap();
    store
        .audit("UALICE", AuditAction::PlanRequested, "dns", "run-2")
        .await
        .unwrap();
    let trail = store.audit_trail("network").await.unwrap();
    let actions: Vec<&str> = trail.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["plan_requested", "approved", "force_unlock"]);
    assert!(trail.windows(2).all(|w| w[0].at <= w[1].at));
}

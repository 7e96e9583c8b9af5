//! Deploys interrupted halfway are finished, once.

use crate::helpers::*;

#[tokio::test]
async fn a_merge_interrupted_after_the_last_approval_is_finished_by_the_hourly_resume() {
    let world = world("").await;
    slash(&world, "bob", "/deploy guestbook 0.3 production").await;
    let card = world.next_message("deploys").await.unwrap();
    // The last approval was saved, then the process died before merging.
    let mut stored = world
        .app
        .store
        .load(banto::ids::DeployId(1))
        .await
        .unwrap()
        .unwrap();
    stored
        .record
        .approvals
        .push(world.user("alice").as_str().into());
    assert!(world.app.store.save(&mut stored).await.unwrap());
    assert_eq!(main_file(&world, PRODUCTION), production_deployment());

    banto::handlers::deploy::resume(&world.app).await.unwrap();
    world
        .wait_edit(&card, "merged", |m| m.text.contains("Merged"))
        .await
        .unwrap();
    let note = world.next_message("deploys").await.unwrap();
    assert_eq!(note.thread_ts.as_deref(), Some(card.ts.as_str()));
    assert_eq!(
        main_file(&world, PRODUCTION),
        production_deployment().replace(":0.2", ":0.3")
    );
    banto::handlers::deploy::resume(&world.app).await.unwrap();
    assert_eq!(world.github.pulls(REPO).len(), 1, "nothing merges twice");
}

#[tokio::test]
async fn a_deploy_that_failed_halfway_is_finished_by_its_retry_without_a_second_card_or_pr() {
    let world = world("").await;
    // GitHub is down just when the pull request is to be opened: the client's retries run out,
    // the handler fails, and the inbox runs it again two seconds later.
    world.github.fail_next("pulls.create", 502, 4);
    world
        .slash("bob", "deploys", "/deploy guestbook 0.3 production")
        .await
        .unwrap();
    let notice = world.next_reply("bob").await.unwrap().text;
    assert!(
        notice.contains("ran into a problem (GitHub answered 502")
            && notice.contains("trying again"),
        "bob is not left waiting in silence: {notice}"
    );
    let answer = world.next_reply("bob").await.unwrap().text;
    assert!(answer.contains("Deploy #1"), "{answer}");
    world.settle().await.unwrap();
    let card = world.next_message("deploys").await.unwrap();
    assert!(
        now(&world, &card).text.contains("Awaiting approval"),
        "the same card, now with its pull request"
    );
    let pulls = world.github.pulls(REPO);
    assert_eq!(pulls.len(), 1, "one pull request: {pulls:?}");
    assert_eq!(pulls[0].1.head, "banto/deploy/guestbook-production-1");
    assert_eq!(
        world
            .app
            .store
            .deploy_history("guestbook", "production", 10)
            .await
            .unwrap()
            .len(),
        1,
        "one deploy"
    );
}

//! `apply_on = "merge"`: approvals on the pull request's plan, the apply after the merge. The
//! merge commit is planned again; the same changes apply with the same approvals, different ones
//! wait for approval again; a pull request closed unmerged applies nothing.

use crate::helpers::*;
use banto::fake::codebuild::Outcome;

const ON_MERGE: &str = "apply_on = \"merge\"\n";
const MERGE: &str = "c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3";

/// A PR planned and approved by alice, waiting for its merge.
async fn approved(world: &World) -> FakeMessage {
    let (card, build) = open_pr(world, 31, HEAD_A, "carol-gh").await;
    let (card, _) = plan_ready(world, &card, &build, &creates()).await;
    world.press("alice", &card, "Approve").await.unwrap();
    let card = world
        .wait_edit(&card, "approved", |m| m.text.contains("Approved"))
        .await
        .unwrap();
    assert!(
        card.text
            .contains("applies when pull request #31 is merged"),
        "{}",
        card.text
    );
    assert!(!has_buttons(&card), "nothing left to click: {}", card.text);
    assert!(
        world.codebuild.started(APPLY).is_empty(),
        "no apply before the merge"
    );
    card
}

#[tokio::test]
async fn the_merge_commit_applies_with_the_approvals_when_it_plans_the_same_changes() {
    let world = world_with(ON_MERGE).await;
    let first = approved(&world).await;
    world
        .merge_pull(REPO, 31, HEAD_A, "carol-gh", MERGE)
        .await
        .unwrap();
    let first = world
        .wait_edit(&first, "merged", |m| m.text.contains("Not applied"))
        .await
        .unwrap();
    assert!(first.text.contains("planned in run #2"), "{}", first.text);
    let second = world.next_message("infra").await.unwrap();
    assert!(second.text.contains("network #2"), "{}", second.text);
    let plan = world.build(PLAN, 1).await.unwrap();
    assert_eq!(plan.source_version, MERGE, "the merge commit is planned");
    world.finish_plan(&plan, &creates()).await.unwrap();
    let thread = world.next_message("infra").await.unwrap();
    assert_eq!(thread.thread_ts.as_deref(), Some(second.ts.as_str()));
    let apply = world.build(APPLY, 0).await.unwrap();
    assert_eq!(apply.source_version, MERGE, "and applied");
    let second = world
        .wait_edit(&second, "applying", |m| m.text.contains("Applying"))
        .await
        .unwrap();
    let alice = format!("approved by <@{}>", world.user("alice"));
    assert!(second.text.contains(&alice), "{}", second.text);
    world
        .finish_build(&apply, Outcome::Succeeded)
        .await
        .unwrap();
    world
        .wait_edit(&second, "applied", |m| m.text.contains("Applied"))
        .await
        .unwrap();
    world.settle().await.unwrap();
    let comments = world.github.comments_on(REPO, 31);
    assert!(
        comments
            .iter()
            .any(|c| c.body.contains("**Applied**: run #2 (`c3c3c3c`)")),
        "the merged pull request hears of the apply: {comments:?}"
    );
    let trail: Vec<String> = audit(&world)
        .await
        .into_iter()
        .map(|e| format!("{} {}", e.action, e.detail))
        .collect();
    assert!(
        trail
            .iter()
            .any(|e| e.contains("approvals of run #1 carried")),
        "{trail:?}"
    );
}

#[tokio::test]
async fn a_merge_commit_that_plans_other_changes_waits_for_approval_again() {
    let world = world_with(ON_MERGE).await;
    approved(&world).await;
    world
        .merge_pull(REPO, 31, HEAD_A, "carol-gh", MERGE)
        .await
        .unwrap();
    let second = world.next_message("infra").await.unwrap();
    let plan = world.build(PLAN, 1).await.unwrap();
    let (second, _) = plan_ready(&world, &second, &plan, &destroys()).await;
    assert!(
        second
            .text
            .contains("differs from the plan approved in run #1: approve again"),
        "{}",
        second.text
    );
    assert!(second.text.contains("0 of 2"), "{}", second.text);
    assert!(has_buttons(&second));
    world.settle().await.unwrap();
    assert!(world.codebuild.started(APPLY).is_empty(), "nothing applied");
}

#[tokio::test]
async fn a_pull_request_closed_unmerged_applies_nothing() {
    let world = world_with(ON_MERGE).await;
    let card = approved(&world).await;
    world
        .pull_request("closed", REPO, 31, HEAD_A, "carol-gh", &[])
        .await
        .unwrap();
    let card = world
        .wait_edit(&card, "closed", |m| m.text.contains("Not applied"))
        .await
        .unwrap();
    assert!(card.text.contains("closed"), "{}", card.text);
    world.settle().await.unwrap();
    assert_eq!(
        world.codebuild.started(PLAN).len(),
        1,
        "no plan of anything"
    );
    assert!(world.codebuild.started(APPLY).is_empty());
    assert_eq!(
        world
            .app
            .store
            .lock_holder("network", "default")
            .await
            .unwrap(),
        None,
        "the lock is released"
    );
}

#[tokio::test]
async fn a_merge_is_followed_once_wherever_banto_stopped() {
    banto::fake::crash::sweep(
        "merged",
        || async {
            let world = world_with(ON_MERGE).await;
            approved(&world).await;
            world
        },
        async |w: &World| {
            w.merge_pull(REPO, 31, HEAD_A, "carol-gh", MERGE)
                .await
                .unwrap();
        },
        async |w: &World, n| {
            let at = format!("crash before call {n}");
            let plans = w.codebuild.started(PLAN);
            assert_eq!(plans.len(), 2, "{at}: the merge commit planned once");
            assert_eq!(plans[1].source_version, MERGE, "{at}");
            assert_eq!(
                cards(w).len(),
                2,
                "{at}: the first card and the merge commit's"
            );
            let first = run(w, 1).await;
            assert!(
                first.record.state.label() == "superseded",
                "{at}: {:?}",
                first.record.state
            );
            let second = run(w, 2).await;
            assert_eq!(
                second.record.carried.map(|c| c.from_run),
                Some(1),
                "{at}: the approvals travel"
            );
            assert_eq!(
                w.app.store.lock_holder("network", "default").await.unwrap(),
                Some(banto::ids::RunId(2)),
                "{at}: the merge commit's run holds the lock"
            );
            mark_read(w);
        },
    )
    .await;
}

#[tokio::test]
async fn the_merge_commits_plan_starts_one_apply_wherever_banto_stopped() {
    banto::fake::crash::sweep(
        "merge commit planned",
        || async {
            let world = world_with(ON_MERGE).await;
            approved(&world).await;
            world
                .merge_pull(REPO, 31, HEAD_A, "carol-gh", MERGE)
                .await
                .unwrap();
            world.build(PLAN, 1).await.unwrap();
            world
        },
        async |w: &World| {
            let plan = w.build(PLAN, 1).await.unwrap();
            w.finish_plan(&plan, &creates()).await.unwrap();
        },
        async |w: &World, n| {
            let at = format!("crash before call {n}");
            let applies = w.codebuild.started(APPLY);
            assert_eq!(applies.len(), 1, "{at}: one apply");
            assert_eq!(applies[0].source_version, MERGE, "{at}");
            let second = run(w, 2).await;
            assert_eq!(second.record.state.label(), "applying", "{at}");
            let carried = audit(w)
                .await
                .into_iter()
                .filter(|e| e.detail.contains("carried"))
                .count();
            assert_eq!(carried, 1, "{at}: said once in the audit log");
            mark_read(w);
        },
    )
    .await;
}

//! Crash-point sweeps of a run: banto dies just before each outward call (Slack, GitHub,
//! CodeBuild) of the plan's end, the approval and the apply's end in turn; the inbox runs the
//! event again, and there is exactly one card with its buttons, one thread, one PR comment, one
//! apply build, one change, one audit entry of each kind.

use crate::helpers::*;
use banto::fake::crash::sweep;

/// A PR planned and waiting for approval.
async fn planned() -> World {
    let world = world_with("").await;
    let (card, build) = open_pr(&world, 42, HEAD_A, "carol-gh").await;
    plan_ready(&world, &card, &build, &creates()).await;
    world
}

/// Approved, its apply build running.
async fn applying() -> World {
    let world = planned().await;
    let card = the_card(&world);
    world.press("alice", &card, "Approve").await.unwrap();
    world.build(APPLY, 0).await.unwrap();
    world
}

/// The one card in #infra (there is never a second).
fn the_card(world: &World) -> FakeMessage {
    let cards = cards(world);
    assert_eq!(cards.len(), 1, "one card: {cards:?}");
    world.current(&cards[0]).unwrap()
}

async fn trail(world: &World) -> Vec<String> {
    audit(world).await.into_iter().map(|e| e.action).collect()
}

/// A PR whose plan build is running.
async fn planning() -> World {
    let world = world_with("").await;
    open_pr(&world, 42, HEAD_A, "carol-gh").await;
    world
}

#[tokio::test]
async fn a_plan_is_reported_once_wherever_it_stopped() {
    sweep(
        "plan ends",
        planning,
        async |w: &World| {
            let build = w.build(PLAN, 0).await.unwrap();
            w.finish_plan(&build, &creates()).await.unwrap();
        },
        async |w: &World, n| {
            let at = format!("crash before call {n}");
            let card = the_card(w);
            assert!(
                card.text.contains("Awaiting approval"),
                "{at}: {}",
                card.text
            );
            assert!(has_buttons(&card), "{at}: Approve and Reject are there");
            let thread: Vec<FakeMessage> = w
                .slack
                .state()
                .messages
                .iter()
                .filter(|m| m.thread_ts.as_deref() == Some(card.ts.as_str()))
                .cloned()
                .collect();
            assert_eq!(thread.len(), 1, "{at}: the resource list once: {thread:?}");
            let comments = w.github.comments_on(REPO, 42);
            assert_eq!(comments.len(), 1, "{at}: one plan comment");
            assert!(
                comments[0].body.contains("to add"),
                "{at}: {}",
                comments[0].body
            );
            assert_eq!(trail(w).await, ["plan_requested", "planned"], "{at}");
            assert_eq!(
                w.app.store.lock_holder("network", "default").await.unwrap(),
                Some(banto::ids::RunId(1)),
                "{at}: the run keeps its lock while it waits"
            );
            mark_read(w);
        },
    )
    .await;
}

#[tokio::test]
async fn an_approval_starts_one_apply_wherever_it_stopped() {
    sweep(
        "approve",
        planned,
        async |w: &World| {
            w.click("alice", &the_card(w), "Approve").await.unwrap();
        },
        async |w: &World, n| {
            let at = format!("crash before call {n}");
            let told: Vec<String> = w
                .slack
                .state()
                .messages
                .iter()
                .filter(|m| m.text.contains("no longer waiting"))
                .map(|m| m.text.clone())
                .collect();
            assert!(
                told.is_empty(),
                "{at}: the re-run took its own approval for another's: {told:?}"
            );
            let started = w.codebuild.started(APPLY);
            assert_eq!(started.len(), 1, "{at}: one apply build");
            assert_eq!(started[0].source_version, HEAD_A, "{at}");
            let card = the_card(w);
            assert!(card.text.contains("Applying"), "{at}: {}", card.text);
            assert!(!has_buttons(&card), "{at}: no buttons while applying");
            assert_eq!(
                trail(w).await,
                ["plan_requested", "planned", "approved", "apply_started"],
                "{at}"
            );
            mark_read(w);
        },
    )
    .await;
}

#[tokio::test]
async fn an_apply_ends_once_wherever_it_stopped() {
    sweep(
        "apply ends",
        applying,
        async |w: &World| {
            let apply = w.build(APPLY, 0).await.unwrap();
            w.finish_build(&apply, Outcome::Succeeded).await.unwrap();
        },
        async |w: &World, n| {
            let at = format!("crash before call {n}");
            let card = the_card(w);
            assert!(card.text.contains("Applied"), "{at}: {}", card.text);
            assert_eq!(
                trail(w).await,
                [
                    "plan_requested",
                    "planned",
                    "approved",
                    "apply_started",
                    "applied"
                ],
                "{at}"
            );
            let changes = w.app.store.changes_between(0, i64::MAX).await.unwrap();
            assert_eq!(changes.len(), 1, "{at}: one change for incident timelines");
            assert_eq!(
                w.app.store.lock_holder("network", "default").await.unwrap(),
                None,
                "{at}: the lock is released"
            );
            let comments = w.github.comments_on(REPO, 42);
            assert_eq!(
                comments.len(),
                2,
                "{at}: the plan's comment and the apply's"
            );
            let approved = format!(
                "**Applied**: run #1 (`a1a1a1a`) · approved by slack:{}",
                w.user("alice")
            );
            assert!(
                comments[1].body.contains(&approved),
                "{at}: the PR says it applied and who approved: {}",
                comments[1].body
            );
        },
    )
    .await;
}

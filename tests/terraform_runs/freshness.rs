//! A plan that no longer stands is never applied: new commits, old plans, closed pull requests.

use crate::helpers::*;

#[tokio::test]
async fn a_new_commit_supersedes_an_approved_but_not_applied_plan() {
    let world = world_with("").await;
    let (card, build) = open_pr(&world, 9, HEAD_A, "carol-gh").await;
    let (card, _) = plan_ready(&world, &card, &build, &destroys()).await;
    world.press("alice", &card, "Approve").await.unwrap();
    // A push lands on the PR; its webhook has not arrived yet when the last approval comes.
    world.github.set_head(REPO, 9, HEAD_B);
    world.press("bob", &card, "Approve").await.unwrap();
    let old = world
        .wait_edit(&card, "superseded", |m| m.text.contains("Not applied"))
        .await
        .unwrap();
    assert!(old.text.contains("moved on to `b2b2b2b`"), "{}", old.text);
    assert!(!has_buttons(&old));
    assert!(
        world.codebuild.started(APPLY).is_empty(),
        "a stale plan is never applied"
    );

    // The webhook arrives: the new commit gets its own plan, and the PR comment is edited in place.
    world
        .pull_request(
            "synchronize",
            REPO,
            9,
            HEAD_B,
            "carol-gh",
            &["envs/prod/network/main.tf"],
        )
        .await
        .unwrap();
    let new_card = world.next_message("infra").await.unwrap();
    assert!(new_card.text.contains("Planning"), "{}", new_card.text);
    let build_b = world.build(PLAN, 1).await.unwrap();
    assert_eq!(build_b.source_version, HEAD_B);
    plan_ready(&world, &new_card, &build_b, &creates()).await;
    let comments = world.github.comments_on(REPO, 9);
    assert_eq!(comments.len(), 1, "one comment per PR and project");
    assert_eq!(comments[0].edits, 1);
    assert!(comments[0].body.contains("7 to add"));
}

/// A plan needing two approvals; `between` runs after the first; the second must not apply and
/// the card says `why`.
async fn voided_between_approvals(pr: u64, between: impl FnOnce(&World, &FakeBuild), why: &str) {
    let world = world_with("").await;
    let (card, build) = open_pr(&world, pr, HEAD_A, "carol-gh").await;
    let (card, _) = plan_ready(&world, &card, &build, &destroys()).await;
    world.press("alice", &card, "Approve").await.unwrap();
    between(&world, &build);
    world.press("bob", &card, "Approve").await.unwrap();
    let old = world
        .wait_edit(&card, "voided", |m| m.text.contains("Not applied"))
        .await
        .unwrap();
    assert!(old.text.contains(why), "{}", old.text);
    assert!(!has_buttons(&old));
    assert!(world.codebuild.started(APPLY).is_empty());
}

#[tokio::test]
async fn an_approval_is_void_when_the_saved_plan_is_replaced() {
    voided_between_approvals(
        12,
        |world, build| {
            let dir = build.env("BANTO_ARTIFACT_PREFIX").unwrap();
            let bucket = build.env("BANTO_ARTIFACT_BUCKET").unwrap();
            let sha = "f".repeat(64);
            world.s3.put(bucket, &format!("{dir}/tfplan.sha256"), sha);
        },
        "the plan file changed since it was approved",
    )
    .await;
}

#[tokio::test]
async fn an_approval_is_void_when_the_base_branch_moves_before_apply() {
    // Another pull request merges into main: this plan no longer shows what main will hold.
    voided_between_approvals(
        14,
        |world, _| world.github.set_ref(REPO, "main", HEAD_B),
        "the base branch changed since it was approved",
    )
    .await;
}

#[tokio::test]
async fn the_apply_build_is_given_everything_the_approval_is_bound_to() {
    let world = world_with("").await;
    let (card, build) = open_pr(&world, 13, HEAD_B, "carol-gh").await;
    let (card, sha) = plan_ready(&world, &card, &build, &creates()).await;
    world.press("alice", &card, "Approve").await.unwrap();
    let apply = world.build(APPLY, 0).await.unwrap();
    assert_eq!(apply.env("BANTO_PLAN_SHA256"), Some(sha.as_str()));
    assert_eq!(
        apply.env("BANTO_LOCK_SHA256"),
        Some(banto::fake::aws_side::LOCK_SHA256)
    );
    assert_eq!(
        apply.env("BANTO_TERRAFORM_VERSION"),
        Some(banto::fake::aws_side::TERRAFORM_VERSION)
    );
}

#[tokio::test]
async fn a_plan_older_than_its_ttl_is_not_applied() {
    let world = world_with("plan_ttl_minutes = 60").await;
    let (card, build) = open_pr(&world, 3, HEAD_A, "carol-gh").await;
    let (card, _) = plan_ready(&world, &card, &build, &creates()).await;
    world.app.clock.advance(Duration::from_secs(61 * 60));
    world.press("alice", &card, "Approve").await.unwrap();
    let card = world
        .wait_edit(&card, "expired", |m| m.text.contains("Not applied"))
        .await
        .unwrap();
    assert!(card.text.contains("older than 60 minutes"), "{}", card.text);
    assert!(world.codebuild.started(APPLY).is_empty());
    assert_eq!(
        world
            .app
            .store
            .lock_holder("network", "default")
            .await
            .unwrap(),
        None
    );
}

#[tokio::test]
async fn closing_the_pull_request_cancels_its_runs_and_frees_the_lock() {
    let world = world_with("").await;
    let (card, _build) = open_pr(&world, 31, HEAD_A, "carol-gh").await;
    world
        .pull_request("closed", REPO, 31, HEAD_A, "carol-gh", &[])
        .await
        .unwrap();
    world.settle().await.unwrap();
    let card = world
        .wait_edit(&card, "closed", |m| m.text.contains("closed"))
        .await
        .unwrap();
    assert!(!has_buttons(&card));
    assert_eq!(
        world
            .app
            .store
            .lock_holder("network", "default")
            .await
            .unwrap(),
        None
    );
    assert!(world.app.store.open_runs(None).await.unwrap().is_empty());
}

#[tokio::test]
async fn the_hourly_reconciler_stops_runs_of_prs_closed_without_a_webhook() {
    let world = world_with("").await;
    let (card, build) = open_pr(&world, 33, HEAD_A, "carol-gh").await;
    plan_ready(&world, &card, &build, &creates()).await;
    // The PR is merged elsewhere; GitHub's webhook never reaches banto.
    world.github.state().closed.insert((REPO.to_owned(), 33));
    banto::handlers::terraform::reconcile(&world.app)
        .await
        .unwrap();
    let card = world
        .wait_edit(&card, "closed", |m| m.text.contains("was closed"))
        .await
        .unwrap();
    assert!(!has_buttons(&card));
    assert_eq!(
        world
            .app
            .store
            .lock_holder("network", "default")
            .await
            .unwrap(),
        None
    );
}

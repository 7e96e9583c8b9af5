//! Approving a plan: exactly the approved plan applies, deny by default, N-of-M, one apply however many click.

use crate::helpers::*;

#[tokio::test]
async fn a_pull_request_plans_and_an_approver_applies_exactly_that_plan() {
    let world = world_with("").await;
    let (card, build) = open_pr(&world, 42, HEAD_A, "carol-gh").await;
    assert!(card.text.contains("Planning"), "{}", card.text);
    assert_eq!(
        build.source_version, HEAD_A,
        "CodeBuild plans the PR's head commit"
    );
    assert_eq!(build.env("BANTO_MODE"), Some("plan"));
    assert_eq!(build.env("BANTO_DIR"), Some("envs/prod/network"));
    assert_eq!(build.env("BANTO_WORKSPACE"), Some("default"));

    let (card, plan_sha) = plan_ready(&world, &card, &build, &creates()).await;
    let blocks = blocks_text(&card);
    assert!(blocks.contains("7 to add"), "{blocks}");
    assert!(card.text.contains("0 of 1"), "{}", card.text);
    assert!(has_buttons(&card));
    let comments = world.github.comments_on(REPO, 42);
    assert_eq!(comments.len(), 1, "one PR comment");
    assert!(
        comments[0].body.contains("7 to add"),
        "{}",
        comments[0].body
    );

    world.press("alice", &card, "Approve").await.unwrap();
    let apply = world.build(APPLY, 0).await.unwrap();
    assert_eq!(apply.source_version, HEAD_A);
    assert_eq!(apply.env("BANTO_MODE"), Some("apply"));
    assert_eq!(
        apply.env("BANTO_PLAN_SHA256"),
        Some(plan_sha.as_str()),
        "the apply build is told which plan file it may apply"
    );
    assert_eq!(
        apply.env("BANTO_ARTIFACT_PREFIX"),
        build.env("BANTO_ARTIFACT_PREFIX")
    );
    let card = world
        .wait_edit(&card, "applying", |m| m.text.contains("Applying"))
        .await
        .unwrap();
    assert!(!has_buttons(&card), "no buttons while applying");

    world
        .finish_build(&apply, Outcome::Succeeded)
        .await
        .unwrap();
    world.settle().await.unwrap();
    let card = world
        .wait_edit(&card, "applied", |m| m.text.contains("Applied"))
        .await
        .unwrap();
    assert!(
        card.text.contains(&world.user("alice")),
        "the card says who approved: {}",
        card.text
    );

    let entries = world.app.store.audit_trail("tf:network").await.unwrap();
    let started = entries
        .iter()
        .find(|e| e.action == "apply_started")
        .unwrap();
    for bound in [
        format!("lock sha256 {}", banto::fake::aws_side::LOCK_SHA256),
        format!("terraform {}", banto::fake::aws_side::TERRAFORM_VERSION),
    ] {
        assert!(
            started.detail.contains(&bound),
            "the audit log says what the apply is bound to: {}",
            started.detail
        );
    }
    let trail: Vec<String> = entries.into_iter().map(|e| e.action).collect();
    assert_eq!(
        trail,
        [
            "plan_requested",
            "planned",
            "approved",
            "apply_started",
            "applied"
        ]
    );
    let changes = world.app.store.changes_between(0, i64::MAX).await.unwrap();
    assert_eq!(
        changes.len(),
        1,
        "the apply is a change event for incident timelines"
    );
    let banto::domain::changes::Change::TerraformApply(apply) = &changes[0].change else {
        panic!("an apply: {:?}", changes[0])
    };
    assert_eq!(apply.project, "network");
    assert!(
        apply.resources.iter().any(|r| r == "null_resource.bar"),
        "{apply:?}"
    );
    assert_eq!(
        world
            .app
            .store
            .lock_holder("network", "default")
            .await
            .unwrap(),
        None,
        "lock released"
    );
}

#[tokio::test]
async fn approval_is_deny_by_default_self_approval_is_refused_and_risk_needs_two() {
    let mut world = world_with("").await;
    let mallory = world.slack.add_user("mallory", "en-US", "UTC");
    world.users.insert("mallory".into(), mallory);
    // bob-gh is bob on Slack: bob opened the PR, so bob may not approve it.
    let (card, build) = open_pr(&world, 7, HEAD_A, "bob-gh").await;
    let (card, _) = plan_ready(&world, &card, &build, &destroys()).await;
    assert!(
        card.text.contains("0 of 2"),
        "deleting a test_instance needs two: {}",
        card.text
    );

    world.press("bob", &card, "Approve").await.unwrap();
    assert!(
        world
            .next_reply("bob")
            .await
            .unwrap()
            .text
            .contains("You requested this run")
    );
    world.press("mallory", &card, "Approve").await.unwrap();
    assert!(
        world
            .next_reply("mallory")
            .await
            .unwrap()
            .text
            .contains("not an approver")
    );

    world.press("alice", &card, "Approve").await.unwrap();
    let card = world
        .wait_edit(&card, "1 of 2", |m| m.text.contains("1 of 2"))
        .await
        .unwrap();
    world.press("alice", &card, "Approve").await.unwrap();
    assert!(
        world
            .next_reply("alice")
            .await
            .unwrap()
            .text
            .contains("already approved")
    );
    assert!(
        world.codebuild.started(APPLY).is_empty(),
        "one approval of two applies nothing"
    );

    // kenji approves through the sre-leads user group.
    world.press("kenji", &card, "Approve").await.unwrap();
    world
        .wait_edit(&card, "applying", |m| m.text.contains("Applying"))
        .await
        .unwrap();
    assert_eq!(world.codebuild.started(APPLY).len(), 1);
}

#[tokio::test]
async fn double_clicks_and_racing_approvers_start_one_apply() {
    let world = world_with("").await;
    let (card, build) = open_pr(&world, 5, HEAD_A, "carol-gh").await;
    let (card, _) = plan_ready(&world, &card, &build, &creates()).await;
    let (a, b, c) = tokio::join!(
        world.click("alice", &card, "Approve"),
        world.click("alice", &card, "Approve"),
        world.click("bob", &card, "Approve"),
    );
    a.unwrap();
    b.unwrap();
    c.unwrap();
    world.settle().await.unwrap();
    assert_eq!(world.codebuild.started(APPLY).len(), 1, "exactly one apply");
    // The clicks that lost are told why; nothing else happens.
    let mut replies = 0;
    for user in ["alice", "bob"] {
        while world
            .slack
            .unseen()
            .iter()
            .any(|m| m.ephemeral_to.as_deref() == Some(world.user(user).as_str()))
        {
            world.next_reply(user).await.unwrap();
            replies += 1;
        }
    }
    assert_eq!(replies, 2, "{}", world.history(""));
    world
        .wait_edit(&card, "applying", |m| m.text.contains("Applying"))
        .await
        .unwrap();
}

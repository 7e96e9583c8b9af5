//! Builds that fail and processes that restart: reported, recorded, locks freed, nothing lost.

use crate::helpers::*;

#[tokio::test]
async fn restart_while_applying_resumes_and_reports() {
    let mut world = world_polling("", 1).await;
    let (card, build) = open_pr(&world, 11, HEAD_A, "carol-gh").await;
    let (card, _) = plan_ready(&world, &card, &build, &creates()).await;
    world.press("alice", &card, "Approve").await.unwrap();
    let apply = world.build(APPLY, 0).await.unwrap();
    // banto goes down; the build finishes and its EventBridge event is lost meanwhile.
    world.restart().await.unwrap();
    world
        .codebuild
        .finish(&apply.id, Outcome::Succeeded)
        .unwrap();
    // The poll timer scheduled before the restart is in the database and finds it.
    let card = world
        .wait_edit(&card, "applied after the restart", |m| {
            m.text.contains("Applied")
        })
        .await
        .unwrap();
    assert!(!has_buttons(&card));
    world.settle().await.unwrap();
    assert_eq!(
        world.codebuild.started(APPLY).len(),
        1,
        "the restart started no second apply"
    );
}

#[tokio::test]
async fn a_failed_plan_shows_its_phase_and_log_and_frees_the_lock() {
    let world = world_with("").await;
    let (card, build) = open_pr(&world, 13, HEAD_A, "carol-gh").await;
    world
        .finish_build(&build, Outcome::Failed("BUILD".into()))
        .await
        .unwrap();
    world.settle().await.unwrap();
    let card = world
        .wait_edit(&card, "failed", |m| m.text.contains("Plan failed"))
        .await
        .unwrap();
    assert!(card.text.contains("`BUILD`"), "{}", card.text);
    assert!(
        card.text.contains("Build log"),
        "a link to the logs: {}",
        card.text
    );
    assert!(!has_buttons(&card));
    world.settle().await.unwrap();
    let comments = world.github.comments_on(REPO, 13);
    assert_eq!(comments.len(), 1, "the PR hears of it too");
    assert!(
        comments[0]
            .body
            .contains("The plan failed in phase `BUILD`"),
        "{}",
        comments[0].body
    );
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
async fn a_failed_apply_is_reported_and_recorded_but_not_as_a_change() {
    let world = world_with("").await;
    let (card, build) = open_pr(&world, 15, HEAD_A, "carol-gh").await;
    let (card, _) = plan_ready(&world, &card, &build, &creates()).await;
    world.press("alice", &card, "Approve").await.unwrap();
    let apply = world.build(APPLY, 0).await.unwrap();
    world
        .finish_build(&apply, Outcome::Failed("BUILD".into()))
        .await
        .unwrap();
    let card = world
        .wait_edit(&card, "apply failed", |m| m.text.contains("Apply failed"))
        .await
        .unwrap();
    assert!(card.text.contains("`BUILD`"), "{}", card.text);
    world.settle().await.unwrap();
    let trail = world.app.store.audit_trail("tf:network").await.unwrap();
    assert_eq!(trail.last().unwrap().action, "apply_failed");
    assert!(
        world
            .app
            .store
            .changes_between(0, i64::MAX)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn no_plan_secret_reaches_slack_or_github_and_a_bad_plan_is_a_clear_failure() {
    let world = world_with("").await;
    let (card, build) = open_pr(&world, 41, HEAD_A, "carol-gh").await;
    let plan = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/plans/network.plan.json"
    ))
    .unwrap();
    plan_ready(&world, &card, &build, &plan).await;
    let slack: String = world
        .slack
        .state()
        .messages
        .iter()
        .map(|m| format!("{} {}", m.text, blocks_text(m)))
        .collect();
    let github: String = world
        .github
        .comments_on(REPO, 41)
        .into_iter()
        .map(|c| c.body)
        .collect();
    assert!(
        slack.contains("aws_db_instance.reports") && github.contains("aws_db_instance.reports")
    );
    for secret in ["old-demo-secret", "new-demo-secret", "demo-never-shown"] {
        assert!(!slack.contains(secret), "{secret} reached Slack");
        assert!(!github.contains(secret), "{secret} reached GitHub");
    }

    // A plan JSON from a Terraform banto does not understand fails plainly instead of guessing.
    world
        .pull_request("closed", REPO, 41, HEAD_A, "carol-gh", &[])
        .await
        .unwrap();
    world.settle().await.unwrap();
    let (card, build) = open_pr(&world, 42, HEAD_B, "carol-gh").await;
    world
        .finish_plan(&build, r#"{"format_version":"2.0","resource_changes":[]}"#)
        .await
        .unwrap();
    let card = world
        .wait_edit(&card, "failed", |m| m.text.contains("Plan failed"))
        .await
        .unwrap();
    assert!(card.text.contains("format_version"), "{}", card.text);
}

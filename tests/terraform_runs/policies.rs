//! Policies as code: a failing policy holds approval back until its owners override it, with a
//! reason that the card, the pull request and the audit log keep; warnings never block; a plan
//! approved under other policies is not applied.

use crate::helpers::*;

const GUARD: &str = r#"
[[terraform.policies]]
name = "guard"
paths = ["tests/policies/guard"]
owners = { groups = ["&sre-leads"] }
"#;

fn override_view(world: &World) -> serde_json::Value {
    let view = world
        .slack
        .state()
        .views
        .last()
        .cloned()
        .expect("a modal opened");
    assert_eq!(view.view["callback_id"], "tf_override_reason");
    view.view
}

#[tokio::test]
async fn a_failing_policy_waits_for_its_owners_override_then_approvals_apply() {
    let world = world_with(GUARD).await;
    let (card, build) = open_pr(&world, 31, HEAD_A, "carol-gh").await;
    let (card, _) = plan_ready(&world, &card, &build, &destroys()).await;
    let blocks = blocks_text(&card);
    assert!(
        blocks.contains("test_instance.test-delete would be destroyed"),
        "the failure is on the card: {blocks}"
    );
    assert!(
        blocks.contains("test_instance.test changes in place"),
        "warnings too: {blocks}"
    );
    assert!(
        blocks.contains("tf_override"),
        "an Override button: {blocks}"
    );
    let comments = world.github.comments_on(REPO, 31);
    let policy_comment = comments
        .iter()
        .find(|c| c.body.contains("banto:tf:network:policies"))
        .expect("the policy results on the pull request");
    assert!(
        policy_comment.body.contains("❌ fail"),
        "{}",
        policy_comment.body
    );

    // An approver cannot approve past a failing policy, nor override it without owning it.
    world.press("alice", &card, "Approve").await.unwrap();
    let refused = world.next_reply("alice").await.unwrap();
    assert!(refused.text.contains("failed a policy"), "{}", refused.text);
    world.press("alice", &card, "tf_override").await.unwrap();
    let refused = world.next_reply("alice").await.unwrap();
    assert!(refused.text.contains("Only the owners"), "{}", refused.text);
    let first = run(&world, 1).await;
    assert!(first.record.approvals.is_empty() && first.record.overrides.is_empty());

    // kenji owns the set (through &sre-leads): asked why, the override is recorded; without
    // a reason it is not.
    world.press("kenji", &card, "tf_override").await.unwrap();
    let view = override_view(&world);
    let metadata = view["private_metadata"].as_str().unwrap();
    world
        .submit_view(
            "kenji",
            "tf_override_reason",
            metadata,
            serde_json::json!({ "reason": { "reason_input": "   " } }),
        )
        .await
        .unwrap();
    world.settle().await.unwrap();
    let refused = world.next_reply("kenji").await.unwrap();
    assert!(refused.text.contains("理由が必要"), "{}", refused.text);
    assert!(run(&world, 1).await.record.overrides.is_empty());
    world
        .submit_view(
            "kenji",
            "tf_override_reason",
            metadata,
            serde_json::json!({ "reason": { "reason_input": "decommissioning the test box <!channel>" } }),
        )
        .await
        .unwrap();
    world.settle().await.unwrap();
    let done = world.next_reply("kenji").await.unwrap();
    assert!(
        done.text.contains("オーバーライドしました"),
        "in kenji's language: {}",
        done.text
    );
    let card = world
        .wait_edit(&card, "overridden", |m| {
            m.blocks
                .as_ref()
                .is_some_and(|b| b.to_string().contains("decommissioning"))
        })
        .await
        .unwrap();
    let blocks = blocks_text(&card);
    assert!(
        blocks.contains("&lt;!channel&gt;"),
        "the reason cannot ping: {blocks}"
    );
    assert!(
        !blocks.contains("tf_override"),
        "nothing left to override: {blocks}"
    );
    let comments = world.github.comments_on(REPO, 31);
    let policy_comment = comments
        .iter()
        .find(|c| c.body.contains("banto:tf:network:policies"))
        .unwrap();
    assert!(
        policy_comment.body.contains("**Override** of `guard`")
            && policy_comment.body.contains("decommissioning the test box"),
        "the override is on the pull request: {}",
        policy_comment.body
    );
    let entries = audit(&world).await;
    let entry = entries
        .iter()
        .find(|e| e.action == "policy_override")
        .expect("audited");
    assert_eq!(entry.actor, world.user("kenji"));
    assert!(
        entry.detail.contains("set guard: decommissioning"),
        "{}",
        entry.detail
    );
    let planned = entries.iter().find(|e| e.action == "planned").unwrap();
    assert!(
        planned
            .detail
            .contains("policies guard: 1 failed, 1 warned"),
        "{}",
        planned.detail
    );

    // Now the approvals count, and the plan applies.
    world.press("alice", &card, "Approve").await.unwrap();
    world.press("bob", &card, "Approve").await.unwrap();
    world.build(APPLY, 0).await.unwrap();
    world
        .wait_edit(&card, "applying", |m| m.text.contains("Applying"))
        .await
        .unwrap();
}

#[tokio::test]
async fn warnings_alone_never_hold_approval() {
    let world = world_with(GUARD).await;
    let (card, build) = open_pr(&world, 32, HEAD_A, "carol-gh").await;
    let mut plan: serde_json::Value = serde_json::from_str(&destroys()).unwrap();
    for rc in plan["resource_changes"].as_array_mut().unwrap() {
        if rc["change"]["actions"] == serde_json::json!(["delete"]) {
            rc["change"]["actions"] = serde_json::json!(["no-op"]);
        }
    }
    let plan = plan.to_string();
    let (card, _) = plan_ready(&world, &card, &build, &plan).await;
    let blocks = blocks_text(&card);
    assert!(blocks.contains("changes in place"), "{blocks}");
    assert!(!blocks.contains("tf_override"), "{blocks}");
    world.press("alice", &card, "Approve").await.unwrap();
    world.build(APPLY, 0).await.unwrap();
    world
        .wait_edit(&card, "applying", |m| m.text.contains("Applying"))
        .await
        .unwrap();
}

#[tokio::test]
async fn an_approval_is_void_when_the_policies_change_before_apply() {
    let notes = GUARD.replace("tests/policies/guard", "tests/policies/extra");
    let mut world = world_with(&notes).await;
    let (card, build) = open_pr(&world, 33, HEAD_A, "carol-gh").await;
    let (card, _) = plan_ready(&world, &card, &build, &destroys()).await;
    assert!(
        blocks_text(&card).contains("prefer underscores"),
        "{}",
        blocks_text(&card)
    );
    world.press("alice", &card, "Approve").await.unwrap();
    // A new release of the config adds the guard to the set.
    world
        .restart_with(|c| {
            c.terraform.policies[0]
                .paths
                .push("tests/policies/guard".into());
            c.terraform.load_policies(std::path::Path::new("")).unwrap();
        })
        .await
        .unwrap();
    world.press("bob", &card, "Approve").await.unwrap();
    let old = world
        .wait_edit(&card, "voided", |m| m.text.contains("Not applied"))
        .await
        .unwrap();
    assert!(
        old.text
            .contains("the policies changed since it was approved"),
        "{}",
        old.text
    );
    assert!(world.codebuild.started(APPLY).is_empty());
}

/// A PR whose plan fails `guard`, waiting for an owner's override.
async fn blocked() -> World {
    let world = world_with(GUARD).await;
    let (card, build) = open_pr(&world, 31, HEAD_A, "carol-gh").await;
    plan_ready(&world, &card, &build, &destroys()).await;
    world
}

fn policy_comments(world: &World) -> Vec<String> {
    world
        .github
        .comments_on(REPO, 31)
        .into_iter()
        .filter(|c| c.body.contains("banto:tf:network:policies"))
        .map(|c| c.body)
        .collect()
}

#[tokio::test]
async fn a_blocked_plan_is_reported_once_wherever_it_stopped() {
    banto::fake::crash::sweep(
        "plan with a policy failure ends",
        || async {
            let world = world_with(GUARD).await;
            open_pr(&world, 31, HEAD_A, "carol-gh").await;
            world
        },
        async |w: &World| {
            let build = w.build(PLAN, 0).await.unwrap();
            w.finish_plan(&build, &destroys()).await.unwrap();
        },
        async |w: &World, n| {
            let at = format!("crash before call {n}");
            let comments = policy_comments(w);
            assert_eq!(comments.len(), 1, "{at}: one policy comment");
            assert!(comments[0].contains("❌ fail"), "{at}: {}", comments[0]);
            let run = run(w, 1).await;
            assert_eq!(run.record.blocking_policies().len(), 1, "{at}");
            mark_read(w);
        },
    )
    .await;
}

#[tokio::test]
async fn an_override_is_recorded_once_wherever_it_stopped() {
    banto::fake::crash::sweep(
        "override",
        blocked,
        async |w: &World| {
            w.submit_view(
                "kenji",
                "tf_override_reason",
                "1",
                serde_json::json!({ "reason": { "reason_input": "the box is empty" } }),
            )
            .await
            .unwrap();
        },
        async |w: &World, n| {
            let at = format!("crash before call {n}");
            let run = run(w, 1).await;
            assert_eq!(run.record.overrides.len(), 1, "{at}: one override");
            assert!(run.record.blocking_policies().is_empty(), "{at}");
            let audited: Vec<_> = audit(w)
                .await
                .into_iter()
                .filter(|e| e.action == "policy_override")
                .collect();
            assert_eq!(audited.len(), 1, "{at}: audited once");
            let comments = policy_comments(w);
            assert_eq!(
                comments.len(),
                1,
                "{at}: the policy comment is edited, not repeated"
            );
            assert_eq!(
                comments[0].matches("the box is empty").count(),
                1,
                "{at}: {}",
                comments[0]
            );
            let told = w
                .slack
                .state()
                .messages
                .iter()
                .filter(|m| m.text.contains("オーバーライドしました"))
                .count();
            assert_eq!(told, 1, "{at}: kenji is told once");
            mark_read(w);
        },
    )
    .await;
}

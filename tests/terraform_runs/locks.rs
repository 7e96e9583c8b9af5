//! Project locks and `/tf`: plans queue behind the lock, approvers force-unlock, commands answer in the user's language.

use crate::helpers::*;

#[tokio::test]
async fn plans_queue_behind_the_lock_and_an_approver_can_force_unlock() {
    let mut world = world_with("").await;
    let mallory = world.slack.add_user("mallory", "en-US", "UTC");
    world.users.insert("mallory".into(), mallory);
    let (card1, build1) = open_pr(&world, 21, HEAD_A, "carol-gh").await;
    let (card1, _) = plan_ready(&world, &card1, &build1, &creates()).await;

    // A second PR on the same project queues instead of being refused.
    world
        .pull_request(
            "opened",
            REPO,
            22,
            HEAD_B,
            "dave-gh",
            &["modules/vpc/main.tf"],
        )
        .await
        .unwrap();
    let card2 = world.next_message("infra").await.unwrap();
    assert!(card2.text.contains("Queued"), "{}", card2.text);
    world.settle().await.unwrap();
    assert_eq!(
        world.codebuild.started(PLAN).len(),
        1,
        "no plan while another run holds the lock"
    );

    // Rejecting run 1 asks why, then frees the lock: run 2 starts planning.
    world.press("bob", &card1, "Reject").await.unwrap();
    let view = world
        .slack
        .state()
        .views
        .last()
        .cloned()
        .expect("a modal opened");
    assert_eq!(view.view["callback_id"], "tf_reject_reason");
    world
        .submit_view(
            "bob",
            "tf_reject_reason",
            view.view["private_metadata"].as_str().unwrap(),
            serde_json::json!({ "reason": { "reason_input": "opens 0.0.0.0/0 <!channel>" } }),
        )
        .await
        .unwrap();
    world.settle().await.unwrap();
    let card1 = world
        .wait_edit(&card1, "rejected", |m| m.text.contains("Rejected"))
        .await
        .unwrap();
    assert!(
        card1.text.contains("opens 0.0.0.0/0 &lt;!channel&gt;"),
        "the reason is shown, escaped: {}",
        card1.text
    );
    let build2 = world.build(PLAN, 1).await.unwrap();
    assert_eq!(build2.source_version, HEAD_B);
    world
        .wait_edit(&card2, "planning", |m| m.text.contains("Planning"))
        .await
        .unwrap();

    // Only approvers may force-unlock; it is audited and announced.
    world
        .slash("mallory", "#infra", "/tf unlock network it is stuck")
        .await
        .unwrap();
    world.settle().await.unwrap();
    assert!(
        world
            .next_reply("mallory")
            .await
            .unwrap()
            .text
            .contains("Only approvers")
    );
    world
        .slash(
            "alice",
            "#infra",
            "/tf unlock network build hung after the outage",
        )
        .await
        .unwrap();
    world.settle().await.unwrap();
    let notice = world.next_message("infra").await.unwrap();
    assert!(
        notice
            .text
            .contains("force-released the lock on `network/default`"),
        "{}",
        notice.text
    );
    assert!(notice.text.contains("build hung after the outage"));
    world.next_reply("alice").await.unwrap();
    let trail = world.app.store.audit_trail("tf:network").await.unwrap();
    let unlock = trail
        .iter()
        .find(|e| e.action == "force_unlock")
        .expect("audited");
    assert_eq!(unlock.actor, world.user("alice"));

    // The lock is free: a new plan takes it. Run 2, still planning, lost it: once its plan is
    // in, approving it is refused with the reason.
    // Without a ref, the repository's default branch is planned, by its name.
    world.github.set_ref(REPO, "main", HEAD_A);
    world
        .slash("bob", "#infra", "/tf plan network")
        .await
        .unwrap();
    world.settle().await.unwrap();
    let reply = world.next_reply("bob").await.unwrap();
    assert!(
        reply.text.contains("Planning `network` at `main`"),
        "{}",
        reply.text
    );
    world.next_message("infra").await.unwrap();
    let (card2, _) = plan_ready(&world, &card2, &build2, &creates()).await;
    world.press("alice", &card2, "Approve").await.unwrap();
    let card2 = world
        .wait_edit(&card2, "lock lost", |m| m.text.contains("Not applied"))
        .await
        .unwrap();
    assert!(
        card2.text.contains("lock belongs to another run"),
        "{}",
        card2.text
    );
    assert!(world.codebuild.started(APPLY).is_empty());
}

#[tokio::test]
async fn tf_commands_answer_in_the_users_language() {
    let world = world_with("").await;
    world.github.set_ref(REPO, "main", HEAD_A);
    world
        .slash("kenji", "#infra", "/tf plan netwrok")
        .await
        .unwrap();
    world.settle().await.unwrap();
    let r = world.next_reply("kenji").await.unwrap();
    assert!(
        r.text.contains("`netwrok` はありません") && r.text.contains("`network`"),
        "{}",
        r.text
    );

    world
        .slash("alice", "#infra", "/tf plan network nosuchbranch")
        .await
        .unwrap();
    world.settle().await.unwrap();
    assert!(
        world
            .next_reply("alice")
            .await
            .unwrap()
            .text
            .contains("not a branch, tag or commit")
    );

    world
        .slash("alice", "#infra", "/tf plan network main")
        .await
        .unwrap();
    world.settle().await.unwrap();
    let r = world.next_reply("alice").await.unwrap();
    assert!(
        r.text.contains("Planning `network` at `main` as run #"),
        "{}",
        r.text
    );
    let card = world.next_message("infra").await.unwrap();
    assert!(card.text.contains("Planning"));
    assert_eq!(
        world.build(PLAN, 0).await.unwrap().source_version,
        HEAD_A,
        "main resolved to its commit"
    );

    world.slash("kenji", "#infra", "/tf status").await.unwrap();
    world.settle().await.unwrap();
    let r = world.next_reply("kenji").await.unwrap();
    assert!(
        r.text.contains("plan 中") && r.text.contains("network/default"),
        "{}",
        r.text
    );

    world
        .slash("alice", "#infra", "/tf cancel 1")
        .await
        .unwrap();
    world.settle().await.unwrap();
    assert!(
        world
            .next_reply("alice")
            .await
            .unwrap()
            .text
            .contains("cancelled")
    );
    world
        .wait_edit(&card, "cancelled", |m| m.text.contains("Cancelled"))
        .await
        .unwrap();
}

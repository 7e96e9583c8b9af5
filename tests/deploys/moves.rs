//! Environments that move: newer requests, promotions, rollbacks and holds, freezes.

use crate::helpers::*;

#[tokio::test]
async fn a_newer_request_closes_the_older_pull_request_and_a_moved_environment_is_not_clobbered() {
    let world = world("").await;
    slash(&world, "bob", "/deploy guestbook 0.3 production").await;
    let first = world.next_message("deploys").await.unwrap();
    slash(&world, "kenji", "/deploy guestbook 0.4 production").await;
    let first = world
        .wait_edit(&first, "superseded", |m| m.text.contains("Not merged"))
        .await
        .unwrap();
    assert!(
        first.text.contains("deploy #2 replaced it"),
        "{}",
        first.text
    );
    assert!(!buttons(&first));
    let second = world.next_message("deploys").await.unwrap();
    let pulls = world.github.pulls(REPO);
    let open: Vec<&str> = pulls
        .iter()
        .filter(|(_, p)| p.open)
        .map(|(_, p)| p.head.as_str())
        .collect();
    assert_eq!(
        open,
        ["banto/deploy/guestbook-production-2"],
        "one open pull request per app and environment"
    );

    // Someone changes production by hand while #2 waits for approval.
    world.github.seed_repo(
        REPO,
        &[(PRODUCTION, &production_deployment().replace(":0.2", ":0.5"))],
    );
    world
        .press("alice", &now(&world, &second), "Approve")
        .await
        .unwrap();
    let r = world.next_reply("alice").await.unwrap().text;
    assert!(
        r.contains("production moved to `0.5` since you asked"),
        "{r}"
    );
    let second = world
        .wait_edit(&second, "moved", |m| m.text.contains("Not merged"))
        .await
        .unwrap();
    assert!(second.text.contains("moved to `0.5`"), "{}", second.text);
    assert!(
        main_file(&world, PRODUCTION).contains(":0.5"),
        "the hand-made change stands"
    );
    assert!(
        world.github.pulls(REPO).iter().all(|(_, p)| !p.open),
        "its PR is closed"
    );
}

#[tokio::test]
async fn promote_copies_exactly_the_tag_running_below() {
    let world = world("").await;
    slash(&world, "bob", "/deploy guestbook 0.7 staging").await;
    world.next_message("deploys").await.unwrap();
    let answer = slash(&world, "bob", "/promote guestbook staging production").await;
    assert!(answer.contains("`0.7` to production"), "{answer}");
    let card = world.next_message("deploys").await.unwrap();
    let card = now(&world, &card);
    assert!(
        card.blocks
            .as_ref()
            .unwrap()
            .to_string()
            .contains("`0.2` → `0.7`")
    );
    world.press("kenji", &card, "Approve").await.unwrap();
    world.next_reply("kenji").await.unwrap();
    assert_eq!(
        main_file(&world, PRODUCTION),
        production_deployment().replace(":0.2", ":0.7")
    );
    let status = slash(&world, "alice", "/deploy status guestbook").await;
    assert!(status.contains("staging: `0.7`"), "{status}");
    assert!(status.contains("production: `0.7`"), "{status}");
}

#[tokio::test]
async fn a_rollback_holds_automatic_bumps_until_released() {
    let mut world = world("").await;
    let mallory = world.slack.add_user("mallory", "en-US", "UTC");
    world.users.insert("mallory".into(), mallory);
    // A new image is published; what banto says about it in the channel is returned.
    let publish = async |n: u32, tag: &str| {
        let delivery = format!("72d3162e-cc78-11e3-81ab-4c9367dc09{n:02}");
        world
            .post_github("registry_package", &delivery, &package_event(tag))
            .await
            .unwrap();
        world.settle().await.unwrap();
        world.next_message("deploys").await.unwrap()
    };
    publish(1, "0.3").await;
    assert!(
        main_file(&world, STAGING).contains("tag: \"0.3\""),
        "the new image is deployed"
    );

    let answer = slash(&world, "alice", "/rollback guestbook staging").await;
    assert!(answer.contains("goes from `0.3` to `0.1`"), "{answer}");
    world.next_message("deploys").await.unwrap();
    assert!(main_file(&world, STAGING).contains("tag: \"0.1\""));

    let notice = publish(2, "0.4").await;
    assert!(
        notice.text.contains("`0.4`") && notice.text.contains("held after a rollback by"),
        "{}",
        notice.text
    );
    assert!(
        main_file(&world, STAGING).contains("tag: \"0.1\""),
        "the rollback stands"
    );

    let r = slash(&world, "mallory", "/deploy unlock guestbook staging").await;
    assert!(r.contains("not an approver"), "{r}");
    slash(&world, "alice", "/deploy unlock guestbook staging").await;
    world.next_message("deploys").await.unwrap();
    publish(3, "0.5").await;
    assert!(
        main_file(&world, STAGING).contains("tag: \"0.5\""),
        "bumps resume"
    );
    let history = slash(&world, "bob", "/deploy history guestbook staging").await;
    assert!(history.contains("`0.1` → `0.5`"), "{history}");
    assert!(history.contains("`0.3` → `0.1`"), "{history}");
}

#[tokio::test]
async fn a_freeze_refuses_and_break_glass_needs_one_more_approver() {
    let world = world(r#"freeze = ["2000-01-01 00:00 - 2099-12-31 23:59 Asia/Tokyo"]"#).await;
    let r = slash(&world, "bob", "/deploy guestbook 0.3 production").await;
    assert!(
        r.contains("is frozen") && r.contains("--break-glass"),
        "{r}"
    );
    assert!(
        r.contains("until Thu 2099-12-31 23:59 JST (Thu 2099-12-31 06:59 PST your time)"),
        "bob is in San Francisco: {r}"
    );
    assert!(world.github.pulls(REPO).is_empty(), "nothing was opened");
    let r = slash(&world, "bob", "/rollback guestbook production 0.1").await;
    assert!(r.contains("Deploy #1"), "a rollback is not frozen: {r}");
    let rollback = now(&world, &world.next_message("deploys").await.unwrap());
    assert!(
        rollback.text.contains("0 of 1"),
        "a rollback needs no break-glass: {}",
        rollback.text
    );

    let r = slash(
        &world,
        "bob",
        "/deploy guestbook 0.3 production --break-glass INC-7 checkout is down",
    )
    .await;
    assert!(r.contains("Deploy #2"), "{r}");
    let card = now(&world, &world.next_message("deploys").await.unwrap());
    assert!(card.text.contains("0 of 2"), "{}", card.text);
    assert!(
        card.text.contains("INC-7 checkout is down"),
        "{}",
        card.text
    );
    world.press("alice", &card, "Approve").await.unwrap();
    world.next_reply("alice").await.unwrap();
    assert_eq!(main_file(&world, PRODUCTION), production_deployment());
    world.press("kenji", &card, "Approve").await.unwrap();
    world.next_reply("kenji").await.unwrap();
    assert!(main_file(&world, PRODUCTION).contains(":0.3"));
    let message = world.github.head_message(REPO, "main").unwrap();
    assert!(
        message.contains("Banto-Break-Glass: INC-7 checkout is down"),
        "{message}"
    );
}

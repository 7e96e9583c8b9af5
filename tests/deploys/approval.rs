//! Deploys that wait for people: approvals, rejections, Japanese repositories.

use crate::helpers::*;

#[tokio::test]
async fn staging_merges_itself_byte_exact_with_trailers_and_a_change_event() {
    let world = world("").await;
    let answer = slash(&world, "bob", "/deploy guestbook 0.3 staging").await;
    assert!(answer.contains("Merged"), "{answer}");
    let card = world.next_message("deploys").await.unwrap();
    let card = now(&world, &card);
    assert!(card.text.contains("Merged"), "{}", card.text);
    assert!(!buttons(&card), "nothing to approve in staging");

    assert_eq!(
        main_file(&world, STAGING),
        staging_values().replace("  tag: 0.1\n", "  tag: \"0.3\"\n"),
        "only the tag changed (quoted, or YAML would read the number 0.3), all else byte for byte"
    );
    let message = world.github.head_message(REPO, "main").unwrap();
    for trailer in [
        "Banto-Deploy-Id: 1",
        "Banto-Previous-Tag: 0.1",
        "Banto-Approved-By: auto-merge",
        "Banto-Requested-By: @bob-gh",
    ] {
        assert!(message.contains(trailer), "{trailer} missing:\n{message}");
    }
    let pulls = world.github.pulls(REPO);
    assert_eq!(pulls.len(), 1);
    assert!(pulls[0].1.merged);
    assert_eq!(pulls[0].1.head, "banto/deploy/guestbook-staging-1");

    let changes = world.app.store.changes_between(0, i64::MAX).await.unwrap();
    assert_eq!(changes.len(), 1, "a merged deploy is a change event");
    let banto::domain::changes::Change::Deploy(d) = &changes[0].change else {
        panic!("a deploy: {:?}", changes[0])
    };
    assert_eq!(
        (
            d.app.as_str(),
            d.env.as_str(),
            d.from.as_deref(),
            d.to.as_str()
        ),
        ("guestbook", "staging", Some("0.1"), "0.3")
    );
    assert!(!d.production, "staging merges by itself");

    let again = slash(&world, "bob", "/deploy guestbook 0.3 staging").await;
    assert!(again.contains("already runs `0.3`"), "{again}");
}

#[tokio::test]
async fn production_waits_for_an_approver_who_is_not_the_requester_and_argo_cd_reports() {
    let mut world = world("").await;
    let mallory = world.slack.add_user("mallory", "en-US", "UTC");
    world.users.insert("mallory".into(), mallory);
    let answer = slash(&world, "bob", "/deploy guestbook 0.3 production").await;
    assert!(answer.contains("Deploy #1"), "{answer}");
    let card = world.next_message("deploys").await.unwrap();
    let card = now(&world, &card);
    assert!(card.text.contains("Awaiting approval"), "{}", card.text);
    let blocks = card.blocks.as_ref().unwrap().to_string();
    assert!(
        blocks.contains(&format!("+      - image: {IMAGE}:0.3")),
        "the card shows the diff: {blocks}"
    );
    let pulls = world.github.pulls(REPO);
    assert!(
        pulls.len() == 1 && pulls[0].1.open,
        "one pull request, open"
    );

    world.press("bob", &card, "Approve").await.unwrap();
    let r = world.next_reply("bob").await.unwrap().text;
    assert!(r.contains("You requested this deploy"), "{r}");
    world.press("mallory", &card, "Approve").await.unwrap();
    let r = world.next_reply("mallory").await.unwrap().text;
    assert!(r.contains("not an approver"), "{r}");
    assert_eq!(
        main_file(&world, PRODUCTION),
        production_deployment(),
        "nothing merged yet"
    );

    world.press("alice", &card, "Approve").await.unwrap();
    let r = world.next_reply("alice").await.unwrap().text;
    assert!(r.contains("Merged"), "{r}");
    let card = world
        .wait_edit(&card, "merged", |m| m.text.contains("Merged"))
        .await
        .unwrap();
    assert!(!buttons(&card));
    assert_eq!(
        main_file(&world, PRODUCTION),
        production_deployment().replace(":0.2", ":0.3")
    );
    let message = world.github.head_message(REPO, "main").unwrap();
    assert!(
        message.contains(&format!("Banto-Approved-By: slack:{}", world.user("alice"))),
        "{message}"
    );

    // Argo CD syncs: progress in the thread, then the card turns healthy.
    let forged = reqwest::Client::new()
        .post(format!("{}/argocd/events", world.url))
        .bearer_auth("not-the-secret")
        .body(r#"{"app":"guestbook-production","sync_status":"Synced","health_status":"Healthy"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 401, "a forged notification is refused");
    let revision = world.github.head(REPO, "main").unwrap();
    let event = |health: &str, message: &str| -> Value {
        json!({ "app": "guestbook-production", "revision": revision, "sync_status": "Synced",
                "health_status": health, "message": message })
    };
    // Argo CD reports; banto answers in the card's thread.
    let report = async |health: &str| {
        let r = world.post_argocd(&event(health, "")).await.unwrap();
        assert!(r.status().is_success(), "{}", r.status());
        world.settle().await.unwrap();
        world.next_message("deploys").await.unwrap()
    };
    let note = report("Progressing").await;
    assert_eq!(note.thread_ts.as_deref(), Some(card.ts.as_str()));
    assert!(note.text.contains("Synced · Progressing"), "{}", note.text);
    let note = report("Healthy").await;
    assert!(note.text.contains("Healthy"), "{}", note.text);
    let card = world
        .wait_edit(&card, "healthy", |m| m.text.contains("Synced and healthy"))
        .await
        .unwrap();
    assert!(
        card.blocks
            .as_ref()
            .unwrap()
            .to_string()
            .contains("*Synced/Healthy*"),
        "the progress line reaches its last step"
    );
}

#[tokio::test]
async fn a_rejected_deploy_says_why_and_closes_its_pull_request() {
    let world = world("").await;
    slash(&world, "bob", "/deploy guestbook 0.3 production").await;
    let card = now(&world, &world.next_message("deploys").await.unwrap());
    world.press("kenji", &card, "Reject").await.unwrap();
    let modal = world
        .slack
        .state()
        .views
        .last()
        .cloned()
        .expect("a modal opened")
        .view;
    assert_eq!(modal["callback_id"], "deploy_reject_reason");
    world
        .submit_view(
            "kenji",
            "deploy_reject_reason",
            modal["private_metadata"].as_str().unwrap(),
            json!({ "reason": { "reason_input":
                "0.3 has the memory leak, see postgres://admin:hunter22@db/app" } }),
        )
        .await
        .unwrap();
    world.settle().await.unwrap();
    let card = world
        .wait_edit(&card, "rejected", |m| m.text.contains("Rejected"))
        .await
        .unwrap();
    assert!(
        card.text
            .contains("0.3 has the memory leak, see postgres://admin:(sensitive)@db/app"),
        "the reason is shown with the password in it masked: {}",
        card.text
    );
    assert!(!buttons(&card));
    let pulls = world.github.pulls(REPO);
    assert!(pulls.iter().all(|(_, p)| !p.open));
    assert_eq!(
        world.github.head(REPO, &pulls[0].1.head),
        None,
        "its branch is deleted, as GitHub's \"Delete branch\" would"
    );
    assert!(
        pulls[0].1.body.contains("admin:(sensitive)@db") && !pulls[0].1.body.contains("hunter22"),
        "GitHub is told why without the password: {}",
        pulls[0].1.body
    );
    assert_eq!(main_file(&world, PRODUCTION), production_deployment());
}

#[tokio::test]
async fn a_repository_set_to_japanese_gets_its_pull_requests_in_japanese() {
    let world = world_with("", "\n[github.languages]\n\"acme/gitops\" = \"ja\"\n").await;
    slash(&world, "bob", "/deploy guestbook 0.3 production").await;
    world.next_message("deploys").await.unwrap();
    let pulls = world.github.pulls(REPO);
    assert_eq!(pulls.len(), 1);
    assert_eq!(
        pulls[0].1.title,
        "deploy(guestbook): production を 0.2 → 0.3"
    );
    assert!(
        pulls[0]
            .1
            .body
            .starts_with("banto 経由で @bob-gh が依頼したデプロイ #1 です。"),
        "{}",
        pulls[0].1.body
    );
}

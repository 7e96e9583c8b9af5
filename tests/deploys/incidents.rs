//! Deploys around an incident: the production deploy merged 20 minutes before the impact is
//! the first suspect and its Roll back starts the rollback; a deploy during the incident is
//! posted in its channel; a SEV2 database incident freezes production deploys of the affected
//! app until it is resolved (break-glass still works).

use crate::helpers::*;
use std::time::Duration;

async fn incident_world() -> World {
    world_with("", "[incidents]\nbroadcast_channel = \"#incidents\"\n").await
}

/// Deploy `tag` to production as bob, approved by alice; the card is read.
async fn deploy_to_production(world: &World, tag: &str) {
    slash(world, "bob", &format!("/deploy guestbook {tag} production")).await;
    let card = world.next_message("deploys").await.unwrap();
    world.press("alice", &card, "Approve").await.unwrap();
    world.next_reply("alice").await.unwrap();
    world
        .wait_edit(&card, "merged", |m| m.text.contains("Merged"))
        .await
        .unwrap();
}

/// Declare from #ops; returns the incident channel's name and its suspects card.
async fn declare(world: &World, line: &str) -> (String, FakeMessage) {
    world.slash("carol", "#ops", line).await.unwrap();
    world.settle().await.unwrap();
    let reply = world.next_reply("carol").await.unwrap().text;
    let id = reply
        .split("<#")
        .nth(1)
        .unwrap()
        .trim_end_matches(">.")
        .to_owned();
    let name = world.slack.state().channels[&id].name.clone();
    world.next_message(&name).await.unwrap();
    world.next_message(&name).await.unwrap();
    let suspects = world.next_message(&name).await.unwrap();
    world.next_message("incidents").await.unwrap();
    (name, suspects)
}

#[tokio::test]
async fn the_production_deploy_before_the_impact_is_the_first_suspect_and_can_be_rolled_back() {
    let mut world = incident_world().await;
    let carol = world.slack.add_user("carol", "en-US", "Asia/Tokyo");
    world.users.insert("carol".into(), carol);
    slash(&world, "bob", "/deploy guestbook 0.3 staging").await;
    world.next_message("deploys").await.unwrap();
    world.app.clock.advance(Duration::from_secs(5 * 60));
    deploy_to_production(&world, "0.3").await;
    world.app.clock.advance(Duration::from_secs(20 * 60));

    let (name, suspects) = declare(
        &world,
        "/incident --type bad-deploy --service guestbook Guestbook 500s",
    )
    .await;
    let lines: Vec<&str> = suspects.text.lines().collect();
    assert!(
        lines[1].starts_with("1. :rocket: *guestbook/production*")
            && lines[1].contains("20 min before impact"),
        "the production deploy first: {}",
        suspects.text
    );
    assert!(
        lines[2].starts_with("2. :rocket: *guestbook/staging*"),
        "{}",
        suspects.text
    );
    let freeze = world.next_message(&name).await.unwrap();
    assert!(
        freeze.text.contains("held until this incident is resolved"),
        "{}",
        freeze.text
    );

    world.press("carol", &suspects, "Roll back").await.unwrap();
    let r = world.next_reply("carol").await.unwrap().text;
    assert!(
        r.contains("`guestbook` `0.2` to production"),
        "back to what ran before: {r}"
    );
    let rollback_card = world.next_message("deploys").await.unwrap();
    let pulls = world.github.pulls(REPO);
    assert!(
        pulls
            .iter()
            .any(|(_, p)| p.open && p.head.contains("guestbook-production")),
        "a rollback pull request waits for approval: {pulls:?}"
    );
    world
        .press("carol", &suspects, "Confirm culprit")
        .await
        .unwrap();
    let card = world.current(&suspects).unwrap();
    assert!(card.text.contains(":dart: confirmed by"), "{}", card.text);

    // The rollback merges during the incident: its channel hears of it.
    world
        .press("alice", &rollback_card, "Approve")
        .await
        .unwrap();
    world.next_reply("alice").await.unwrap();
    let said = world.next_message(&name).await.unwrap();
    assert!(
        said.text.contains("during the incident") && said.text.contains("guestbook/production"),
        "{}",
        said.text
    );
    let i = world
        .app
        .store
        .open_incidents()
        .await
        .unwrap()
        .pop()
        .unwrap();
    assert_eq!(
        i.record.culprit().map(|c| c.subject.as_str()),
        Some("guestbook/production")
    );
    for m in world.slack.unseen() {
        assert!(m.channel == world.channel("deploys"), "{m:?}");
    }
    world
        .slack
        .mutate(|s| s.messages.iter_mut().for_each(|m| m.seen = true));
}

#[tokio::test]
async fn a_sev2_database_incident_freezes_production_deploys_until_resolved() {
    let mut world = incident_world().await;
    let carol = world.slack.add_user("carol", "en-US", "Asia/Tokyo");
    world.users.insert("carol".into(), carol);
    let (name, _) = declare(
        &world,
        "/incident --type database --service guestbook Orders DB latency",
    )
    .await;
    let freeze = world.next_message(&name).await.unwrap();
    assert!(
        freeze.text.contains("`guestbook/production` are held"),
        "{}",
        freeze.text
    );
    let r = slash(&world, "bob", "/deploy guestbook 0.3 production").await;
    assert!(r.contains("held by"), "a person is held too: {r}");
    let r = slash(&world, "bob", "/deploy guestbook 0.3 staging").await;
    assert!(r.contains("Merged"), "staging is not frozen: {r}");
    world.next_message("deploys").await.unwrap();
    world.next_message(&name).await.unwrap();
    let r = slash(
        &world,
        "bob",
        "/deploy guestbook 0.3 production --break-glass hotfix for the incident",
    )
    .await;
    assert!(r.contains("Deploy #"), "break-glass goes through: {r}");
    world.next_message("deploys").await.unwrap();

    world
        .slash("carol", &name, "/incident status monitoring")
        .await
        .unwrap();
    world.settle().await.unwrap();
    world.next_reply("carol").await.unwrap();
    world
        .slash("carol", &name, "/incident resolve")
        .await
        .unwrap();
    world.settle().await.unwrap();
    let r = world.next_reply("carol").await.unwrap().text;
    assert!(r.contains("resolved"), "{r}");
    let mut said = vec![];
    while let Ok(m) = world.next_message(&name).await {
        said.push(m.text);
        if said.len() == 3 {
            break;
        }
    }
    assert!(
        said.iter().any(|t| t.contains("no longer held")),
        "{said:?}"
    );
    assert!(
        said.iter()
            .any(|t| t.contains("postmortem draft") && t.contains("-postmortem.md]")),
        "the draft comes with the resolution: {said:?}"
    );
    world.next_message("incidents").await.unwrap();
    assert_eq!(
        world
            .app
            .store
            .hold("guestbook", "production")
            .await
            .unwrap(),
        None
    );
}

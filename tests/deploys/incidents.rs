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
    assert!(r.contains("frozen by INC-1"), "a person is held too: {r}");
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
    assert!(
        world
            .app
            .store
            .holds("guestbook", "production")
            .await
            .unwrap()
            .is_empty()
    );
}

/// The world with carol (the incident's reporter) and 0.3 running in production, merged 20
/// minutes before the incident.
async fn bad_deploy_world() -> World {
    let mut world = incident_world().await;
    let carol = world.slack.add_user("carol", "en-US", "Asia/Tokyo");
    world.users.insert("carol".into(), carol);
    deploy_to_production(&world, "0.3").await;
    world.app.clock.advance(Duration::from_secs(20 * 60));
    world
}

/// The freeze notice in the incident channel.
async fn freeze_notice(world: &World, name: &str) -> String {
    let freeze = world.next_message(name).await.unwrap().text;
    assert!(
        freeze.contains("`guestbook/production` are held"),
        "{freeze}"
    );
    freeze
}

/// A manual `/deploy` to production is refused, naming every hold and pointing to break-glass.
async fn refused_naming(world: &World, tag: &str, holds: &[&str]) {
    let r = slash(world, "bob", &format!("/deploy guestbook {tag} production")).await;
    assert!(
        r.contains("was not deployed to production, which is frozen"),
        "{r}"
    );
    for h in holds {
        assert!(r.contains(h), "names {h:?}: {r}");
    }
    assert!(r.contains("--break-glass"), "points to break-glass: {r}");
    assert!(!r.contains("/deploy unlock"), "not to unlock: {r}");
    assert!(
        world.github.pulls(REPO).iter().all(|(_, p)| !(p.open
            && p.head.contains("guestbook-production"))
            || p.title.contains("0.2")),
        "no pull request for {tag}"
    );
}

#[tokio::test]
async fn rolling_back_during_a_freeze_keeps_the_freeze() {
    let world = bad_deploy_world().await;
    let (name, suspects) = declare(
        &world,
        "/incident --type bad-deploy --service guestbook Guestbook 500s",
    )
    .await;
    freeze_notice(&world, &name).await;

    world.press("carol", &suspects, "Roll back").await.unwrap();
    let r = world.next_reply("carol").await.unwrap().text;
    assert!(r.contains("`guestbook` `0.2` to production"), "{r}");
    let rollback_card = world.next_message("deploys").await.unwrap();
    world
        .press("alice", &rollback_card, "Approve")
        .await
        .unwrap();
    let r = world.next_reply("alice").await.unwrap().text;
    assert!(r.contains("Merged"), "a rollback is never frozen: {r}");
    world.next_message(&name).await.unwrap();

    refused_naming(
        &world,
        "0.4",
        &[
            "frozen by INC-1 (SEV2: Guestbook 500s)",
            "held after a rollback by",
        ],
    )
    .await;
    let holds = world
        .app
        .store
        .holds("guestbook", "production")
        .await
        .unwrap();
    assert_eq!(
        holds.all().len(),
        2,
        "the freeze and the rollback's hold: {holds:?}"
    );
}

#[tokio::test]
async fn an_incident_freezes_over_an_earlier_rollback_hold() {
    let world = bad_deploy_world().await;
    let r = slash(&world, "alice", "/rollback guestbook production").await;
    assert!(r.contains("Deploy #"), "{r}");
    let card = world.next_message("deploys").await.unwrap();
    world.press("bob", &card, "Approve").await.unwrap();
    world.next_reply("bob").await.unwrap();
    world
        .wait_edit(&card, "merged", |m| m.text.contains("Merged"))
        .await
        .unwrap();

    let (name, _) = declare(
        &world,
        "/incident --type bad-deploy --service guestbook Guestbook 500s",
    )
    .await;
    freeze_notice(&world, &name).await;
    refused_naming(&world, "0.4", &["frozen by INC-1", "held after a rollback"]).await;
}

#[tokio::test]
async fn unlock_lifts_a_rollback_hold_but_never_an_incidents_freeze() {
    let world = bad_deploy_world().await;
    let (name, suspects) = declare(
        &world,
        "/incident --type bad-deploy --service guestbook Guestbook 500s",
    )
    .await;
    freeze_notice(&world, &name).await;

    let r = slash(&world, "alice", "/deploy unlock guestbook production").await;
    assert!(
        r.contains("does not lift an incident's freeze")
            && r.contains("frozen by INC-1")
            && r.contains("--break-glass"),
        "says which incident holds it and that break-glass exists: {r}"
    );
    refused_naming(&world, "0.4", &["frozen by INC-1"]).await;

    world.press("carol", &suspects, "Roll back").await.unwrap();
    world.next_reply("carol").await.unwrap();
    world.next_message("deploys").await.unwrap();
    let r = slash(&world, "alice", "/deploy unlock guestbook production").await;
    assert!(
        r.contains("held after a rollback") && r.contains("Still in force") && r.contains("INC-1"),
        "the rollback's hold is lifted, the freeze stays: {r}"
    );
    assert!(!r.contains("Automatic bumps resume"), "{r}");
    let notice = world.next_message("deploys").await.unwrap().text;
    assert!(notice.contains("Still in force"), "{notice}");
    refused_naming(&world, "0.4", &["frozen by INC-1"]).await;
    let audit = world
        .app
        .store
        .audit_trail("deploy:guestbook/production")
        .await
        .unwrap();
    assert!(
        audit
            .iter()
            .any(|a| a.action == "deploy_unlock" && a.detail.contains("rolled back")),
        "{audit:?}"
    );

    let r = slash(
        &world,
        "bob",
        "/deploy guestbook 0.4 production --break-glass hotfix for INC-1",
    )
    .await;
    assert!(r.contains("Deploy #"), "break-glass goes through: {r}");
    world.next_message("deploys").await.unwrap();
    let audit = world
        .app
        .store
        .audit_trail("deploy:guestbook/production")
        .await
        .unwrap();
    assert!(
        audit.iter().any(|a| a.action == "deploy_break_glass"
            && a.detail.contains("over the freeze of INC-1")
            && a.detail.contains("hotfix for INC-1")),
        "break-glass is audited with the freeze it broke: {audit:?}"
    );
}

#[tokio::test]
async fn a_deploy_asked_for_before_the_freeze_does_not_merge_during_it() {
    let world = bad_deploy_world().await;
    slash(&world, "bob", "/deploy guestbook 0.4 production").await;
    let card = world.next_message("deploys").await.unwrap();
    let (name, _) = declare(
        &world,
        "/incident --type bad-deploy --service guestbook Guestbook 500s",
    )
    .await;
    freeze_notice(&world, &name).await;

    world.press("alice", &card, "Approve").await.unwrap();
    let r = world.next_reply("alice").await.unwrap().text;
    assert!(
        r.contains("Not merged: INC-1 froze production") && r.contains("--break-glass"),
        "{r}"
    );
    let card = world
        .wait_edit(&card, "not merged", |m| m.text.contains("Not merged"))
        .await
        .unwrap();
    assert!(
        card.text.contains("INC-1 froze this environment"),
        "{}",
        card.text
    );
    assert!(
        main_file(&world, PRODUCTION).contains(":0.3"),
        "production still runs 0.3"
    );
    assert!(
        world.github.pulls(REPO).iter().all(|(_, p)| !p.open),
        "its pull request is closed"
    );
}

//! Incidents, as responders live them: `/incident` opens a channel named after the title,
//! invites the reporter and the playbook's responders (user groups expanded), posts the header
//! card and the checklist and announces it; the incident is run from its channel; a private
//! incident is told to nobody else. Fake Slack; the shipped playbooks; real banto.

use crate::helpers::*;
use banto::ids::{UserGroupId, UserId};

async fn world() -> World {
    let mut opts = WorldOptions::with_config("[incidents]\nbroadcast_channel = \"#incidents\"\n");
    let db = opts
        .config
        .incidents
        .playbooks
        .get_mut("database")
        .expect("the shipped database playbook");
    db.responders.users.push(UserId::from("@bob"));
    db.responders.groups.push(UserGroupId::from("&sre-leads"));
    World::start_with(opts).await.expect("world starts")
}

/// `inc-YYYYMMDD-` for today in the team's zone.
fn prefix(world: &World) -> String {
    let today = world
        .app
        .clock
        .now()
        .with_timezone(&world.app.config.slack.time_zone)
        .format("%Y%m%d");
    format!("inc-{today}-")
}

fn members(world: &World, channel: &str) -> Vec<String> {
    let st = world.slack.state();
    let ch = st.channel_by_name(channel).expect("channel exists");
    ch.members.iter().cloned().collect()
}

#[tokio::test]
async fn declaring_opens_a_channel_invites_the_responders_and_announces_it() {
    let world = world().await;
    let reply = ask(
        &world,
        "alice",
        "#ops",
        "/incident --type database Database latency",
    )
    .await;
    let name = format!("{}database-latency", prefix(&world));
    let id = world.channel(&name);
    assert_eq!(reply, format!("Declared *INC-1*: <#{id}>."));

    let mut people = members(&world, &name);
    people.sort();
    let bot = world.slack.state().bot_user.clone();
    let mut expected = vec![
        bot,
        world.user("alice"),
        world.user("bob"),
        world.user("kenji"),
    ];
    expected.sort();
    assert_eq!(
        people, expected,
        "reporter, responder and the sre-leads group"
    );
    let topic = world
        .slack
        .state()
        .channel_by_name(&name)
        .unwrap()
        .topic
        .clone();
    assert_eq!(topic, "INC-1 · SEV2 · Database · Database latency");

    let card = world.next_message(&name).await.unwrap();
    assert!(
        card.text.contains("*SEV2*") && card.text.contains("Investigating"),
        "{}",
        card.text
    );
    assert!(
        card.text
            .contains(&format!("Commander <@{}>", world.user("alice")))
    );
    assert!(
        card.text.contains("<!date^"),
        "impact start in each reader's zone"
    );
    let checklist = world.next_message(&name).await.unwrap();
    assert!(
        checklist.text.starts_with("*Checklist*") && checklist.text.contains("replica lag"),
        "{}",
        checklist.text
    );
    let suspects = world.next_message(&name).await.unwrap();
    assert!(
        suspects.text.starts_with("*Suspect changes*")
            && suspects.text.contains("No deploys or applies"),
        "{}",
        suspects.text
    );
    let announcement = world.next_message("incidents").await.unwrap();
    assert!(
        announcement
            .text
            .contains("*INC-1* declared: *Database latency* (SEV2, Database)")
            && announcement.text.contains(&format!("<#{id}>")),
        "{}",
        announcement.text
    );
}

#[tokio::test]
async fn the_incident_is_run_from_its_channel_and_its_card_follows() {
    let world = world().await;
    ask(
        &world,
        "alice",
        "#ops",
        "/incident --type database Database latency",
    )
    .await;
    let name = format!("{}database-latency", prefix(&world));
    let card = world.next_message(&name).await.unwrap();
    world.next_message(&name).await.unwrap();
    world.next_message(&name).await.unwrap();
    world.next_message("incidents").await.unwrap();

    let r = ask(&world, "bob", &name, "/incident status identified").await;
    assert_eq!(r, "*INC-1* updated.");
    let r = ask(&world, "bob", &name, "/incident sev 1").await;
    assert_eq!(r, "*INC-1* updated.");
    let bob = world.user("bob");
    let r = ask(
        &world,
        "alice",
        &name,
        &format!("/incident role commander <@{bob}|bob>"),
    )
    .await;
    assert_eq!(r, "*INC-1* updated.");
    ask(
        &world,
        "kenji",
        &name,
        "/incident note フェイルオーバー開始",
    )
    .await;
    let now: FakeMessage = world.current(&card).unwrap();
    assert!(
        now.text.contains("*SEV1*")
            && now.text.contains("Identified")
            && now.text.contains(&format!("Commander <@{bob}>")),
        "the card shows the incident as it is: {}",
        now.text
    );
    let again = ask(&world, "bob", &name, "/incident sev 1").await;
    assert_eq!(again, "Nothing changed: it is already so.");
    let elsewhere = ask(&world, "bob", "#ops", "/incident status monitoring").await;
    assert!(
        elsewhere.starts_with("This is not an incident channel"),
        "{elsewhere}"
    );

    let open = world.app.store.open_incidents().await.unwrap();
    assert_eq!(open.len(), 1);
    let kinds: Vec<String> = open[0]
        .record
        .timeline
        .iter()
        .map(|e| {
            serde_json::to_value(&e.what).unwrap()["kind"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(kinds, ["declared", "status", "severity", "role", "note"]);

    let list = ask(&world, "kenji", "#ops", "/incident list").await;
    assert!(
        list.contains("*INC-1* SEV1 identified — Database latency"),
        "{list}"
    );
}

#[tokio::test]
async fn a_private_incident_is_told_to_nobody_else() {
    let world = world().await;
    let reply = ask(
        &world,
        "kenji",
        "#ops",
        "/incident --private --type security 認証キー漏洩 Leaked deploy key",
    )
    .await;
    let name = format!("{}leaked-deploy-key", prefix(&world));
    let id = world.channel(&name);
    assert!(reply.contains("INC-1") && reply.contains(&id), "{reply}");
    assert!(id.starts_with('G'), "a private channel: {id}");
    assert_eq!(members(&world, &name).len(), 2, "the bot and kenji");
    for _ in 0..3 {
        world.next_message(&name).await.unwrap();
    }

    let list = ask(&world, "bob", "#ops", "/incident list").await;
    assert_eq!(list, "No open incidents.", "bob was not invited");
    let list = ask(&world, "kenji", "#ops", "/incident list").await;
    assert!(list.contains("Leaked deploy key"), "{list}");

    let kenji = world.user("kenji");
    let broadcast = world.channel("incidents");
    let st = world.slack.state();
    for m in &st.messages {
        let about_it = m.text.contains("Leaked") || m.text.contains("INC-1");
        if about_it {
            assert!(
                m.channel == id || m.ephemeral_to.as_deref() == Some(kenji.as_str()),
                "told outside the incident: {m:?}"
            );
        }
    }
    assert!(
        st.messages.iter().all(|m| m.channel != broadcast),
        "no announcement"
    );
}

#[tokio::test]
async fn japanese_titles_get_a_numbered_channel_and_a_taken_name_a_suffix() {
    let world = world().await;
    let taken = format!("{}db", prefix(&world));
    world.slack.add_channel(&taken, false, &[]);
    ask(
        &world,
        "kenji",
        "#ops",
        "/incident --type database データベース遅延",
    )
    .await;
    ask(&world, "kenji", "#ops", "/incident --type database DB").await;
    for n in [format!("{}1", prefix(&world)), format!("{taken}-2")] {
        world.channel(&n);
        for _ in 0..3 {
            world.next_message(&n).await.unwrap();
        }
    }
    world.next_message("incidents").await.unwrap();
    world.next_message("incidents").await.unwrap();
}

#[tokio::test]
async fn a_credential_in_the_title_or_a_note_reaches_no_channel_name_and_no_audit_entry() {
    let world = world().await;
    let key = "AKIAZ3MQK7PX4RSTUV2W";
    ask(
        &world,
        "alice",
        "#ops",
        &format!("/incident --type database Leak of {key}"),
    )
    .await;
    let names: Vec<String> = world
        .slack
        .state()
        .channels
        .values()
        .map(|c| c.name.clone())
        .collect();
    assert!(
        names.iter().all(|n| !n.contains(&key.to_lowercase())),
        "{names:?}"
    );
    let name = names
        .iter()
        .find(|n| n.starts_with(&prefix(&world)))
        .expect("the incident channel")
        .clone();
    let card = world.next_message(&name).await.unwrap();
    assert!(!card.text.contains(key), "{}", card.text);
    world.next_message(&name).await.unwrap();
    world.next_message(&name).await.unwrap();
    world.next_message("incidents").await.unwrap();
    ask(
        &world,
        "alice",
        &name,
        &format!("/incident note rotated {key} at 10:05"),
    )
    .await;
    let audit = world.app.store.audit_rows(None).await.unwrap();
    assert!(audit.iter().any(|r| r.entry.action == "incident_changed"));
    assert!(
        audit.iter().all(|r| !r.entry.detail.contains(key)),
        "{audit:?}"
    );
}

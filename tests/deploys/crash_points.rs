//! Crash-point sweeps: for each multi-step flow, banto dies just before each of its outward
//! calls (Slack, GitHub, CodeBuild) in turn; the inbox runs the event again, and every effect is
//! there exactly once: one channel, one card, one pull request, one merge, one notice.

use crate::helpers::*;
use banto::fake::crash::sweep;
use std::time::Duration;

/// Bot messages in `channel` itself (not threads, not ephemeral), oldest first.
fn posts(world: &World, channel_id: &str) -> Vec<FakeMessage> {
    world
        .slack
        .state()
        .messages
        .iter()
        .filter(|m| {
            m.from_bot
                && m.channel == channel_id
                && m.thread_ts.is_none()
                && m.ephemeral_to.is_none()
        })
        .cloned()
        .collect()
}

/// What `user` was told privately, oldest first.
fn told(world: &World, user: &str) -> Vec<String> {
    let id = world.user(user);
    world
        .slack
        .state()
        .messages
        .iter()
        .filter(|m| m.ephemeral_to.as_deref() == Some(id.as_str()))
        .map(|m| m.text.clone())
        .collect()
}

fn all_seen(world: &World) {
    world
        .slack
        .mutate(|s| s.messages.iter_mut().for_each(|m| m.seen = true));
}

async fn incident_world() -> World {
    let mut world = world_with("", "[incidents]\nbroadcast_channel = \"#incidents\"\n").await;
    let carol = world.slack.add_user("carol", "en-US", "Asia/Tokyo");
    world.users.insert("carol".into(), carol);
    world
}

const DECLARE: &str = "/incident --type bad-deploy --service guestbook Guestbook 500s";

#[tokio::test]
async fn a_declaration_finishes_once_wherever_it_stopped() {
    sweep(
        "declare",
        incident_world,
        async |w: &World| w.slash("carol", "#ops", DECLARE).await.unwrap(),
        async |w: &World, n| {
            let at = format!("crash before call {n}");
            let open = w.app.store.open_incidents().await.unwrap();
            assert_eq!(open.len(), 1, "{at}: one incident");
            let i = &open[0];
            let channel = i.meta.channel.clone().expect("a channel").0;
            let inc_channels = w
                .slack
                .state()
                .channels
                .values()
                .filter(|c| c.name.starts_with("inc-"))
                .count();
            assert_eq!(inc_channels, 1, "{at}: one channel");
            let topic = w.slack.state().channels[&channel].topic.clone();
            assert!(topic.contains("SEV2"), "{at}: the topic: {topic:?}");
            assert!(
                w.slack.state().channels[&channel]
                    .members
                    .contains(&w.user("carol")),
                "{at}: the reporter is in the channel"
            );
            let said = posts(w, &channel);
            let texts: Vec<&str> = said.iter().map(|m| m.text.as_str()).collect();
            assert_eq!(
                said.len(),
                4,
                "{at}: card, checklist, suspects, freeze: {texts:#?}"
            );
            let ts = |pick: Option<&banto::ids::MessageTs>| pick.map(|t| t.0.clone()).unwrap_or_default();
            assert_eq!(said[0].ts, ts(i.meta.card.ts.as_ref()), "{at}: the card");
            let checklist = said
                .iter()
                .find(|m| Some(m.ts.as_str()) == i.meta.checklist_ts.as_ref().map(|t| t.as_str()))
                .unwrap_or_else(|| panic!("{at}: the checklist is recorded: {texts:#?}"));
            assert!(
                said.iter()
                    .any(|m| Some(m.ts.as_str()) == i.meta.suspects_ts.as_ref().map(|t| t.as_str())),
                "{at}: the suspects card is recorded"
            );
            assert_eq!(
                texts
                    .iter()
                    .filter(|t| t.contains("held until this incident is resolved"))
                    .count(),
                1,
                "{at}: one freeze notice"
            );
            let announced = posts(w, &w.channel("incidents"));
            assert_eq!(announced.len(), 1, "{at}: one announcement");
            assert_eq!(Some(announced[0].ts.as_str()), i.meta.announcement_ts.as_ref().map(|t| t.as_str()));
            let declared = told(w, "carol")
                .into_iter()
                .filter(|t| t.contains("Declared"))
                .count();
            assert_eq!(declared, 1, "{at}: carol hears once");
            assert!(
                !w.app
                    .store
                    .holds("guestbook", "production")
                    .await
                    .unwrap()
                    .is_empty(),
                "{at}: production is frozen"
            );

            // The checklist stays editable: a Done click edits the message itself.
            w.press("carol", checklist, "Done").await.unwrap();
            assert!(
                w.current(checklist).unwrap().edited,
                "{at}: the checklist follows its ticks"
            );
            all_seen(w);
        },
    )
    .await;
}

#[tokio::test]
async fn a_deploy_starts_once_wherever_it_stopped() {
    sweep(
        "deploy start",
        async || world("").await,
        async |w: &World| {
            w.slash("bob", "deploys", "/deploy guestbook 0.3 production")
                .await
                .unwrap()
        },
        async |w: &World, n| {
            let at = format!("crash before call {n}");
            let history = w
                .app
                .store
                .deploy_history("guestbook", "production", 10)
                .await
                .unwrap();
            assert_eq!(history.len(), 1, "{at}: one deploy");
            let pulls = w.github.pulls(REPO);
            assert_eq!(pulls.len(), 1, "{at}: one pull request: {pulls:?}");
            assert!(pulls[0].1.open, "{at}");
            let cards = posts(w, &w.channel("deploys"));
            assert_eq!(cards.len(), 1, "{at}: one card");
            assert_eq!(
                Some(cards[0].ts.as_str()),
                history[0].meta.card.ts.as_ref().map(|t| t.as_str())
            );
            assert!(
                cards[0].text.contains("Awaiting approval"),
                "{at}: {}",
                cards[0].text
            );
            let started = told(w, "bob")
                .into_iter()
                .filter(|t| t.contains("Deploy #1"))
                .count();
            assert_eq!(started, 1, "{at}: bob hears once");
            all_seen(w);
        },
    )
    .await;
}

/// A production deploy waiting for alice's approval.
async fn awaiting_world() -> World {
    let w = world("").await;
    slash(&w, "bob", "/deploy guestbook 0.3 production").await;
    w.next_message("deploys").await.unwrap();
    w
}

#[tokio::test]
async fn an_approved_deploy_merges_once_wherever_it_stopped() {
    sweep(
        "deploy merge",
        awaiting_world,
        async |w: &World| {
            let card = posts(w, &w.channel("deploys")).remove(0);
            w.click("alice", &card, "Approve").await.unwrap();
        },
        async |w: &World, n| {
            let at = format!("crash before call {n}");
            assert_eq!(
                main_file(w, PRODUCTION),
                production_deployment().replace(":0.2", ":0.3"),
                "{at}: merged"
            );
            let merges = w
                .github
                .pulls(REPO)
                .iter()
                .filter(|(_, p)| p.merged)
                .count();
            assert_eq!(merges, 1, "{at}: one merge");
            let d = w
                .app
                .store
                .deploy_history("guestbook", "production", 10)
                .await
                .unwrap()
                .remove(0);
            assert!(d.record.state.is_merged(), "{at}: {:?}", d.record.state);
            let card = w.current(&posts(w, &w.channel("deploys"))[0]).unwrap();
            assert!(card.text.contains("Merged"), "{at}: {}", card.text);
            let changes = w
                .app
                .store
                .changes_between(0, i64::MAX)
                .await
                .unwrap()
                .into_iter()
                .filter(|c| c.change.kind().is_deploy())
                .count();
            assert_eq!(changes, 1, "{at}: one change event");
            let audit = w
                .app
                .store
                .audit_trail("deploy:guestbook/production")
                .await
                .unwrap();
            assert_eq!(
                audit.iter().filter(|a| a.action == "deploy_merged").count(),
                1,
                "{at}: one audit entry"
            );
            all_seen(w);
        },
    )
    .await;
}

/// A production deploy waiting for approval, with kenji's Reject modal open.
async fn rejecting_world() -> World {
    let w = awaiting_world().await;
    let card = posts(&w, &w.channel("deploys")).remove(0);
    w.press("kenji", &card, "Reject").await.unwrap();
    w
}

#[tokio::test]
async fn a_rejection_closes_its_pull_request_once_wherever_it_stopped() {
    sweep(
        "deploy reject",
        rejecting_world,
        async |w: &World| {
            let modal = w.slack.state().views.last().cloned().unwrap().view;
            w.submit_view(
                "kenji",
                "deploy_reject_reason",
                modal["private_metadata"].as_str().unwrap(),
                serde_json::json!({ "reason": { "reason_input": "0.3 leaks memory" } }),
            )
            .await
            .unwrap();
        },
        async |w: &World, n| {
            let at = format!("crash before call {n}");
            let pulls = w.github.pulls(REPO);
            assert!(
                pulls.iter().all(|(_, p)| !p.open && !p.merged),
                "{at}: the pull request is closed"
            );
            let card = w.current(&posts(w, &w.channel("deploys"))[0]).unwrap();
            assert!(card.text.contains("Rejected"), "{at}: {}", card.text);
            assert!(
                told(w, "kenji")
                    .iter()
                    .all(|t| !t.contains("no longer waiting")),
                "{at}: the rejecter is not told their own rejection was refused: {:?}",
                told(w, "kenji")
            );
            let audit = w
                .app
                .store
                .audit_trail("deploy:guestbook/production")
                .await
                .unwrap();
            assert_eq!(
                audit
                    .iter()
                    .filter(|a| a.action == "deploy_rejected")
                    .count(),
                1,
                "{at}: one audit entry"
            );
            all_seen(w);
        },
    )
    .await;
}

/// 0.3 merged in production a while ago.
async fn running_world() -> World {
    let w = awaiting_world().await;
    let card = posts(&w, &w.channel("deploys")).remove(0);
    w.press("alice", &card, "Approve").await.unwrap();
    w.app.clock.advance(Duration::from_secs(600));
    all_seen(&w);
    w
}

#[tokio::test]
async fn a_rollback_starts_and_holds_once_wherever_it_stopped() {
    sweep(
        "rollback",
        running_world,
        async |w: &World| {
            w.slash("alice", "deploys", "/rollback guestbook production")
                .await
                .unwrap()
        },
        async |w: &World, n| {
            let at = format!("crash before call {n}");
            let history = w
                .app
                .store
                .deploy_history("guestbook", "production", 10)
                .await
                .unwrap();
            assert_eq!(history.len(), 2, "{at}: the deploy and one rollback");
            assert_eq!(history[0].record.tag, "0.2", "{at}");
            let open: Vec<_> = w
                .github
                .pulls(REPO)
                .into_iter()
                .filter(|(_, p)| p.open)
                .collect();
            assert_eq!(open.len(), 1, "{at}: one rollback pull request");
            let holds = w.app.store.holds("guestbook", "production").await.unwrap();
            assert_eq!(holds.all().len(), 1, "{at}: one rollback hold: {holds:?}");
            assert_eq!(
                posts(w, &w.channel("deploys")).len(),
                2,
                "{at}: one new card"
            );
            all_seen(w);
        },
    )
    .await;
}

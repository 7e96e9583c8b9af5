//! Postmortem drafts as responders get them: resolving an incident shares a Markdown draft in
//! its channel (English and Japanese, the timeline in Tokyo and San Francisco time, lessons
//! marked by emoji, the blameless check), through Slack's upload flow; `/incident postmortem`
//! writes it again. Fake Slack; the shipped playbooks; real banto.

use crate::helpers::*;
use banto::domain::changes::{Change, ChangeEvent, DeployChange};
use banto::ids::{ChangeId, DeployId};
use std::time::Duration;

async fn world() -> World {
    let opts = WorldOptions::with_config(
        r##"
[incidents]
broadcast_channel = "#incidents"
[postmortem]
zones = ["Asia/Tokyo", "America/Los_Angeles"]
docs_repo = "acme/docs"
issues_repo = "acme/web"
review_reminder_days = 5
"##,
    );
    let world = World::start_with(opts).await.expect("world starts");
    world
        .github
        .seed_repo("acme/docs", &[("README.md", "# Docs\n")]);
    world
}

#[tokio::test]
async fn resolving_shares_a_bilingual_draft_and_it_can_be_written_again() {
    let world = world().await;
    let (i, name, _) = declare(
        &world,
        "alice",
        "/incident --type database Orders DB failover",
        3,
    )
    .await;
    let ts = world
        .say("bob", &name, "Replica promoted in 40s | no data loss", None)
        .await
        .unwrap();
    world.react("kenji", &name, &ts, "star").await.unwrap();
    world.settle().await.unwrap();
    // The database playbook translates its channel.
    let t = world.next_message(&name).await.unwrap();
    assert!(t.text.contains("機械翻訳"), "{}", t.text);
    let ts = world
        .say("kenji", &name, "The on-call forgot to page the DBA", None)
        .await
        .unwrap();
    world.react("alice", &name, &ts, "pushpin").await.unwrap();
    world.settle().await.unwrap();
    world.next_message(&name).await.unwrap();
    ask(&world, "alice", &name, "/incident action Be careful").await;
    world.next_message(&name).await.unwrap();
    ask(
        &world,
        "alice",
        &name,
        "/incident action Page the DBA from the failover alert",
    )
    .await;
    world.next_message(&name).await.unwrap();
    world.app.clock.advance(Duration::from_secs(20 * 60));
    ask(&world, "alice", &name, "/incident status monitoring").await;
    let r = ask(&world, "alice", &name, "/incident resolve").await;
    assert!(r.contains("resolved"), "{r}");
    world.next_message("incidents").await.unwrap();
    let mut said = Vec::new();
    for _ in 0..2 {
        said.push(world.next_message(&name).await.unwrap().text);
    }
    let card = said
        .iter()
        .find(|t| t.contains("postmortem draft"))
        .unwrap_or_else(|| panic!("{said:?}"));
    assert!(card.contains("phrases may blame a person"), "{card}");
    let file = world
        .slack
        .state()
        .files
        .last()
        .cloned()
        .expect("the draft file");
    assert!(
        file.filename.ends_with("-inc-1-postmortem.md"),
        "{}",
        file.filename
    );
    assert_eq!(file.channel, i.meta.channel.clone().map(|c| c.0));
    let doc = &file.content;
    for heading in [
        "## Timeline",
        "## What went well",
        "## タイムライン",
        "## うまくいったこと",
        "## Blameless check",
    ] {
        assert!(doc.contains(heading), "{heading} in:\n{doc}");
    }
    assert!(
        doc.contains("| Asia/Tokyo | America/Los_Angeles | T± |"),
        "{doc}"
    );
    assert!(
        doc.contains("@bob: “Replica promoted in 40s \\| no data loss”"),
        "a lesson, its pipe escaped:\n{doc}"
    );
    assert!(doc.contains("“forgot to”"), "{doc}");
    assert!(doc.contains("“Be careful”"), "{doc}");
    assert!(
        doc.contains("slack.com/archives/"),
        "links to the messages:\n{doc}"
    );
    assert!(
        world
            .slack
            .state()
            .calls
            .iter()
            .all(|c| c != "files.upload"),
        "the retired upload method is not used"
    );

    // The pull request in the docs repository, both languages, and one issue per action item.
    let pulls = world.github.pulls("acme/docs");
    assert_eq!(pulls.len(), 1, "{pulls:?}");
    let (number, pr) = &pulls[0];
    assert_eq!(
        (pr.head.as_str(), pr.base.as_str(), pr.open),
        ("banto/postmortem-1", "main", true)
    );
    assert!(
        pr.title.starts_with("Postmortem: INC-1 Orders DB failover"),
        "{}",
        pr.title
    );
    assert!(
        card.contains(&format!("/pull/{number}")),
        "the card links the PR: {card}"
    );
    let date = world
        .app
        .clock
        .now()
        .with_timezone(&chrono_tz::Asia::Tokyo)
        .format("%Y-%m-%d");
    let path = format!("postmortems/{date}-orders-db-failover.md");
    let in_repo = world
        .github
        .file("acme/docs", "banto/postmortem-1", &path)
        .unwrap_or_else(|| panic!("{path} on the PR's branch"));
    assert_eq!(&in_repo, doc);
    let issues = world.github.state().issues.clone();
    assert_eq!(issues.len(), 2);
    assert!(
        issues
            .iter()
            .all(|i| i.repo == "acme/web" && i.labels == ["postmortem"])
    );
    assert_eq!(
        issues[1].title,
        "INC-1: Page the DBA from the failover alert"
    );
    assert!(
        doc.contains("[issue](https://github.com/acme/web/issues/"),
        "{doc}"
    );

    let r = ask(&world, "bob", &name, "/incident postmortem").await;
    assert!(r.contains("Writing the postmortem draft of *INC-1*"), "{r}");
    let again = world.next_message(&name).await.unwrap();
    assert!(again.text.contains("(regenerated)"), "{}", again.text);
    assert_eq!(world.slack.state().files.len(), 2);
    assert_eq!(
        world.github.pulls("acme/docs").len(),
        1,
        "the same pull request"
    );
    assert_eq!(world.github.state().issues.len(), 2, "no second issue");

    // Someone edits the draft in the pull request: writing it again leaves their edit.
    let edited = format!("{in_repo}\n\nRoot cause: the replica had no disk alarm.\n");
    let blob = world
        .app
        .github
        .file("acme", "docs", &path, "banto/postmortem-1")
        .await
        .unwrap()
        .unwrap()
        .sha;
    world
        .app
        .github
        .put_file(
            "acme",
            "docs",
            "banto/postmortem-1",
            &path,
            &edited,
            Some(&blob),
            "Root cause",
        )
        .await
        .unwrap();
    ask(&world, "bob", &name, "/incident postmortem").await;
    let third = world.next_message(&name).await.unwrap();
    assert!(
        third.text.contains("it has edits by people"),
        "{}",
        third.text
    );
    assert_eq!(
        world
            .github
            .file("acme/docs", "banto/postmortem-1", &path)
            .as_deref(),
        Some(edited.as_str())
    );

    // Still open five days later: the commander hears of it, once per interval.
    world
        .app
        .clock
        .advance(Duration::from_secs(5 * 86_400 + 60));
    world.settle().await.unwrap();
    let nudge = world.next_message(&name).await.unwrap();
    assert!(
        nudge
            .text
            .contains("postmortem pull request is still open after 5 days"),
        "{}",
        nudge.text
    );
}

/// Move the test clock to `rfc3339` (it only moves forward).
fn at(world: &World, rfc3339: &str) {
    let target = chrono::DateTime::parse_from_rfc3339(rfc3339)
        .unwrap()
        .timestamp_millis();
    let now = world.app.clock.now_ms();
    assert!(target > now, "the clock only moves forward");
    world
        .app
        .clock
        .advance(Duration::from_millis((target - now) as u64));
}

/// The scripted incident of the snapshot: a production deploy 20 minutes before the impact
/// (confirmed as the culprit), a thread reply pinned, a marked message edited, two action
/// items, nothing marked as "went wrong" (an empty section), and resolution after midnight in
/// Tokyo and after clocks sprang forward in Los Angeles (2027-03-14 02:00 PST → 03:00 PDT).
#[tokio::test]
async fn the_draft_of_an_incident_across_midnight_in_tokyo_and_dst_in_los_angeles() {
    let world = world().await;
    at(&world, "2027-03-14T09:20:05Z");
    let alice = world.user("alice");
    world
        .app
        .store
        .record_change(&ChangeEvent {
            id: ChangeId(0),
            change: Change::Deploy(DeployChange {
                deploy: DeployId(12),
                app: "web".into(),
                env: "production".into(),
                from: Some("1.4.1".into()),
                to: "1.5.0".into(),
                requested_by: alice.clone(),
                production: true,
            }),
            actor: alice.clone(),
            started_at: world.app.clock.now_ms() - 120_000,
            finished_at: world.app.clock.now_ms(),
        })
        .await
        .unwrap();
    at(&world, "2027-03-14T09:45:05Z");
    let (_, name, _) = declare(
        &world,
        "bob",
        "/incident --type bad-deploy --sev 2 --service web Checkout 502s",
        2,
    )
    .await;
    let suspects = world.next_message(&name).await.unwrap();
    // Alice (Tokyo) says when the impact really began: 18:40 JST = 09:40 UTC = 01:40 PST.
    ask(&world, "alice", &name, "/incident impact 18:40").await;
    let suspects = world
        .wait_edit(&suspects, "listing the deploy", |m| {
            m.text.contains("web/production")
        })
        .await
        .unwrap();
    world
        .press("bob", &suspects, "Confirm culprit")
        .await
        .unwrap();

    at(&world, "2027-03-14T09:50:05Z");
    let parent = world
        .say("bob", &name, "502s on checkout since 1.5.0", None)
        .await
        .unwrap();
    world.react("kenji", &name, &parent, "star").await.unwrap();
    at(&world, "2027-03-14T09:52:05Z");
    let thread = world
        .say("kenji", &name, "ロールバックを準備します", Some(&parent))
        .await
        .unwrap();
    world.pin("kenji", &name, &thread).await.unwrap();
    world.settle().await.unwrap();
    at(&world, "2027-03-14T10:05:05Z");
    let rollback = world
        .say("alice", &name, "rollback started", None)
        .await
        .unwrap();
    world
        .react("alice", &name, &rollback, "pushpin")
        .await
        .unwrap();
    world.settle().await.unwrap();
    at(&world, "2027-03-14T10:20:05Z");
    world
        .edit(&name, &rollback, "rollback finished: 1.4.1 everywhere")
        .await
        .unwrap();
    world.settle().await.unwrap();
    at(&world, "2027-03-14T10:30:05Z");
    ask(&world, "bob", &name, "/incident status monitoring").await;
    ask(
        &world,
        "bob",
        &name,
        &format!(
            "/incident action Gate production deploys on the canary <@{alice}|alice> 2027-03-31"
        ),
    )
    .await;
    world.next_message(&name).await.unwrap();
    ask(
        &world,
        "bob",
        &name,
        "/incident action Add a 502 alert on checkout",
    )
    .await;
    world.next_message(&name).await.unwrap();
    at(&world, "2027-03-14T15:30:05Z");
    ask(&world, "bob", &name, "/incident resolve").await;
    world.next_message("incidents").await.unwrap();
    // Status nudges from the five quiet hours, the resolution, then the draft.
    loop {
        let m = world.next_message(&name).await.unwrap();
        if m.text.contains("postmortem draft") {
            assert!(
                m.text
                    .contains("Pull request: <https://github.com/acme/docs/pull/"),
                "{}",
                m.text
            );
            break;
        }
    }
    let file = world
        .slack
        .state()
        .files
        .last()
        .cloned()
        .expect("the draft");
    // Permalinks carry Slack's message timestamps (sequence numbers included): shown as `p…`.
    let links = regex::Regex::new(r"/p\d{16}(\?thread_ts=\d+\.\d{6})?").unwrap();
    let channel = regex::Regex::new(r"C0[0-9A-Z]{7}").unwrap();
    let doc = links.replace_all(&file.content, "/p…");
    let doc = channel.replace_all(&doc, "C…");
    let (en, ja) = doc.split_once("\n\n---\n\n").expect("both languages");
    insta::assert_snapshot!("world_draft_en", en);
    insta::assert_snapshot!("world_draft_ja", ja);
}

#[tokio::test]
async fn a_private_incidents_draft_stays_in_its_channel() {
    let world = world().await;
    let (i, name, _) = declare(
        &world,
        "alice",
        "/incident --private Payroll export leaked",
        2,
    )
    .await;
    ask(
        &world,
        "alice",
        &name,
        "/incident action Rotate the export bucket's keys",
    )
    .await;
    world.next_message(&name).await.unwrap();
    ask(&world, "alice", &name, "/incident status monitoring").await;
    ask(&world, "alice", &name, "/incident resolve").await;
    loop {
        if world
            .next_message(&name)
            .await
            .unwrap()
            .text
            .contains("postmortem draft")
        {
            break;
        }
    }
    let file = world.slack.state().files.last().cloned().unwrap();
    assert_eq!(
        file.channel,
        i.meta.channel.clone().map(|c| c.0),
        "in the private channel only"
    );
    assert!(
        world.github.pulls("acme/docs").is_empty(),
        "no pull request"
    );
    assert!(world.github.state().issues.is_empty(), "no issue");
}

/// banto dies before each outward call of a resolution in turn (the notice, the broadcast, the
/// issues, the pull request, the upload): the re-run leaves one of each.
#[tokio::test]
async fn a_resolution_with_its_postmortem_finishes_once_wherever_it_stopped() {
    let setup = async || {
        let world = world().await;
        let (_, name, _) = declare(
            &world,
            "alice",
            "/incident --type database Orders DB failover",
            3,
        )
        .await;
        for action in [
            "Page the DBA from the failover alert",
            "Alert on replica lag",
        ] {
            ask(
                &world,
                "alice",
                &name,
                &format!("/incident action {action}"),
            )
            .await;
            world.next_message(&name).await.unwrap();
        }
        world.app.clock.advance(Duration::from_secs(20 * 60));
        ask(&world, "alice", &name, "/incident status monitoring").await;
        world
            .slack
            .mutate(|s| s.messages.iter_mut().for_each(|m| m.seen = true));
        world
    };
    banto::fake::crash::sweep(
        "resolve",
        setup,
        async |w: &World| {
            let i = w.app.store.open_incidents().await.unwrap().remove(0);
            let name = w.slack.state().channels[i.meta.channel.as_ref().unwrap().as_str()]
                .name
                .clone();
            w.slash("alice", &name, "/incident resolve").await.unwrap();
        },
        async |w: &World, n| {
            let at = format!("crash before call {n}");
            let i = w
                .app
                .store
                .load(banto::ids::IncidentId(1))
                .await
                .unwrap()
                .unwrap();
            assert!(!i.record.is_open(), "{at}: resolved");
            let channel = i.meta.channel.clone().unwrap().0;
            let st = w.slack.state();
            let in_channel = |needle: &str| {
                st.messages
                    .iter()
                    .filter(|m| {
                        m.from_bot
                            && m.channel == channel
                            && m.ephemeral_to.is_none()
                            && m.text.contains(needle)
                    })
                    .count()
            };
            let texts: Vec<&str> = st
                .messages
                .iter()
                .filter(|m| m.from_bot && m.channel == channel)
                .map(|m| m.text.as_str())
                .collect();
            assert_eq!(
                in_channel("resolved. Time to detect"),
                1,
                "{at}: one notice: {texts:#?}"
            );
            assert_eq!(in_channel("postmortem draft"), 1, "{at}: one draft card");
            let files: Vec<_> = st
                .files
                .iter()
                .filter(|f| f.channel.as_deref() == Some(channel.as_str()))
                .collect();
            assert_eq!(files.len(), 1, "{at}: the draft shared once");
            let broadcast = st.channel_by_name("incidents").unwrap().id.clone();
            let resolved_there = st
                .messages
                .iter()
                .filter(|m| m.channel == broadcast && m.text.contains("resolved"))
                .count();
            assert_eq!(resolved_there, 1, "{at}: one broadcast of the resolution");
            let alice = w.user("alice");
            let answers = st
                .messages
                .iter()
                .filter(|m| {
                    m.ephemeral_to.as_deref() == Some(alice.as_str()) && m.text.contains("resolved")
                })
                .count();
            assert_eq!(answers, 1, "{at}: alice hears once");
            drop(st);
            assert_eq!(
                w.github.pulls("acme/docs").len(),
                1,
                "{at}: one pull request"
            );
            let mut titles: Vec<String> = w
                .github
                .state()
                .issues
                .iter()
                .map(|i| i.title.clone())
                .collect();
            titles.sort();
            assert_eq!(
                titles,
                [
                    "INC-1: Alert on replica lag",
                    "INC-1: Page the DBA from the failover alert"
                ],
                "{at}: one issue per action item"
            );
            w.slack
                .mutate(|s| s.messages.iter_mut().for_each(|m| m.seen = true));
        },
    )
    .await;
}

/// Slack shared the draft but its answer to `files.completeUploadExternal` was lost (a 5xx after
/// the fact), and so were GitHub's answers to the branch, the file, the pull request and the
/// action item's issue: nothing is made a second time, and nothing fails.
#[tokio::test]
async fn a_draft_whose_answers_were_lost_is_shared_and_filed_once() {
    let world = world().await;
    let (i, name, _) = declare(&world, "alice", "/incident --type database Replica lag", 3).await;
    ask(
        &world,
        "alice",
        &name,
        "/incident action Alarm on replica lag",
    )
    .await;
    world.app.clock.advance(Duration::from_secs(10 * 60));
    ask(&world, "alice", &name, "/incident status monitoring").await;
    world.slack.fail_next(
        "files.completeUploadExternal",
        banto::fake::slack::Fault::HttpAfter(500),
        1,
    );
    for route in [
        "git.refs.create",
        "contents.put",
        "pulls.create",
        "issues.create",
    ] {
        world.github.lose_answer_next(route, 502, 1);
    }
    let r = ask(&world, "alice", &name, "/incident resolve").await;
    assert!(r.contains("resolved"), "{r}");
    // Had the draft job failed, its retry would be due by now.
    world.app.clock.advance(Duration::from_secs(60));
    world.app.wake.notify_one();
    world.settle().await.unwrap();
    let failed = world
        .app
        .store
        .failures(banto::store::Queue::Jobs)
        .await
        .unwrap();
    assert!(failed.is_empty(), "the draft job did not fail: {failed:?}");
    let channel = i.meta.channel.clone().map(|c| c.0);
    let shared = world
        .slack
        .state()
        .files
        .iter()
        .filter(|f| f.channel == channel)
        .count();
    assert_eq!(shared, 1, "shared once");
    assert!(
        world.slack.calls("files.info") >= 1,
        "banto looked before uploading again"
    );
    assert_eq!(world.github.pulls("acme/docs").len(), 1, "one pull request");
    let issues = world.github.state().issues.clone();
    assert_eq!(issues.len(), 1, "one issue: {issues:?}");
    for route in [
        "git.refs.create",
        "contents.put",
        "pulls.create",
        "issues.create",
    ] {
        assert_eq!(world.github.calls(route), 1, "{route} made once");
    }
    world
        .slack
        .mutate(|s| s.messages.iter_mut().for_each(|m| m.seen = true));
}

//! The event pipeline behind the front door: interactions reach the inbox, language falls back
//! to the channel's, handled rows are purged on a timer, parked rows can be listed and retried.

use banto::event::{Event, Timer};
use banto::fake::world::{World, WorldOptions};
use banto::locale::Locale;
use banto::store::Queue;
use serde_json::json;

#[tokio::test]
async fn clicks_and_modal_submissions_are_accepted_and_recorded() -> anyhow::Result<()> {
    let w = World::start().await?;
    w.submit_view(
        "bob",
        "tf_reject",
        "run-17",
        json!({ "reason": { "text": "wrong account" } }),
    )
    .await?;
    let card = w.slack.mutate(|s| {
        let channel = s.channel_by_name("ops").unwrap().id.clone();
        let ts = s.add_message(banto::fake::slack::FakeMessage {
            channel, ts: String::new(), thread_ts: None, user: s.bot_user.clone(), text: "card".into(),
            blocks: Some(json!([{ "type": "actions", "block_id": "b1", "elements": [
                { "type": "button", "action_id": "approve", "value": "run-17", "text": { "type": "plain_text", "text": "Approve" } }] }])),
            ephemeral_to: None, reactions: Default::default(), edited: false, from_bot: true, seen: true, metadata: None,
        });
        s.messages.iter().find(|m| m.ts == ts).unwrap().clone()
    });
    w.click("alice", &card, "Approve").await?;
    w.settle().await?;
    let kinds: Vec<String> = w
        .app
        .store
        .list(Queue::Inbox, None, 10)
        .await?
        .into_iter()
        .map(|r| r.kind)
        .collect();
    assert_eq!(kinds, ["block_action approve", "view_submission tf_reject"]);
    Ok(())
}

#[tokio::test]
async fn a_user_without_a_slack_locale_gets_the_channels_language() -> anyhow::Result<()> {
    let mut opts = WorldOptions::default();
    opts.config
        .slack
        .channel_locales
        .insert("C0JPOPS".into(), Locale::Ja);
    let mut w = World::start_with(opts).await?;
    let hana = w.slack.add_user("hana", "", "Asia/Tokyo");
    w.slack
        .add_channel_with_id("C0JPOPS", "jp-ops", false, &[&hana]);
    w.slack.mutate(|s| {
        s.channels
            .values_mut()
            .find(|c| c.name == "ops")
            .map(|c| c.members.insert(hana.clone()))
    });
    w.users.insert("hana".into(), hana);
    w.slash("hana", "#jp-ops", "/banto ping").await?;
    let reply = w.next_reply("hana").await?;
    assert!(reply.text.contains("稼働中"), "{}", reply.text);
    w.slash("hana", "#ops", "/banto ping").await?;
    assert!(
        w.next_reply("hana").await?.text.contains("banto is up"),
        "elsewhere the default, English"
    );
    w.slash("kenji", "#ops", "/banto ping").await?;
    assert!(
        w.next_reply("kenji").await?.text.contains("稼働中"),
        "a user's own locale wins"
    );
    w.settle().await
}

#[tokio::test]
async fn handled_rows_are_purged_by_a_timer_and_the_next_one_is_scheduled() -> anyhow::Result<()> {
    let mut opts = WorldOptions::default();
    opts.config.workers.retention_hours = 0;
    let w = World::start_with(opts).await?;
    w.slash("alice", "#ops", "/banto ping").await?;
    w.next_reply("alice").await?;
    w.settle().await?;
    assert_eq!(
        w.app
            .store
            .list(Queue::Inbox, Some("done"), 10)
            .await?
            .len(),
        1
    );
    let timer = serde_json::to_string(&Event::Timer(Timer::PurgeHandled))?;
    w.app
        .store
        .enqueue(
            Queue::Jobs,
            "purge:test",
            "timer purge",
            &timer,
            w.app.clock.now_ms(),
        )
        .await?;
    w.app.wake.notify_one();
    w.settle().await?;
    assert!(
        w.app
            .store
            .list(Queue::Inbox, Some("done"), 10)
            .await?
            .is_empty(),
        "handled rows purged"
    );
    let pending: Vec<_> = w
        .app
        .store
        .list(Queue::Jobs, Some("pending"), 10)
        .await?
        .into_iter()
        .filter(|j| j.kind == "timer purge")
        .collect();
    assert_eq!(pending.len(), 1, "exactly one next purge: {pending:?}");
    assert!(
        pending[0].dedupe_key.starts_with("purge:") && pending[0].run_at > w.app.clock.now_ms()
    );
    Ok(())
}

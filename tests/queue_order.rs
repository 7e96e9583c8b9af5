//! The inbox's order under load, on SQLite and PostgreSQL alike: a command or click is claimed
//! before a backlog of webhooks and message events that arrived first; events about one thing
//! (one channel, one repository) are claimed one at a time in arrival order, a retry waiting
//! included, while other keys go on; and end to end, a person's command is answered while a
//! backlog of message events is still being worked through.

use banto::event::Lane;
use banto::fake::world::{TestDatabase, World, WorldOptions};
use banto::store::{Claimed, Queue, Store};
use std::time::Duration;

async fn store() -> (TestDatabase, Store) {
    let db = TestDatabase::new().await.unwrap();
    let store = db.store().await.unwrap();
    (db, store)
}

async fn add(store: &Store, key: &str, lane: Lane, ordering: Option<&str>) {
    store
        .enqueue_ordered(
            Queue::Inbox,
            key,
            "test",
            &format!("{{\"k\":\"{key}\"}}"),
            0,
            (lane, ordering.map(str::to_owned)),
        )
        .await
        .unwrap();
}

async fn claim(store: &Store) -> Option<Claimed> {
    store
        .claim(Queue::Inbox, "test-owner", Duration::from_secs(60))
        .await
        .unwrap()
}

fn key(c: &Claimed) -> String {
    serde_json::from_str::<serde_json::Value>(&c.payload).unwrap()["k"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn a_command_goes_before_the_backlog_and_one_channel_goes_in_order() {
    let (_db, store) = store().await;
    add(&store, "msg-1", Lane::Background, Some("channel:C1")).await;
    add(&store, "msg-2", Lane::Background, Some("channel:C1")).await;
    add(&store, "push-1", Lane::Background, Some("repo:acme/infra")).await;
    add(&store, "slash-1", Lane::Interactive, None).await;

    let first = claim(&store).await.unwrap();
    assert_eq!(key(&first), "slash-1", "the person waiting goes first");
    let second = claim(&store).await.unwrap();
    assert_eq!(key(&second), "msg-1");
    let third = claim(&store).await.unwrap();
    assert_eq!(
        key(&third),
        "push-1",
        "msg-2 waits for msg-1; another key goes on"
    );
    assert!(claim(&store).await.is_none(), "msg-2 is held back");

    // msg-1 fails and waits for its retry: msg-2 still waits behind it.
    store
        .fail(
            &second,
            "test-owner",
            "Slack answered 500",
            Some(i64::MAX / 2),
        )
        .await
        .unwrap();
    assert!(claim(&store).await.is_none(), "order holds through a retry");
    // Parked at last: the channel goes on.
    store
        .fail(&second, "test-owner", "still failing", None)
        .await
        .unwrap();
    let fourth = claim(&store).await.unwrap();
    assert_eq!(key(&fourth), "msg-2");
    for c in [&first, &third, &fourth] {
        assert!(store.finish(c, "test-owner").await.unwrap());
    }
}

#[tokio::test]
async fn a_command_is_answered_while_a_backlog_of_messages_waits() {
    let mut opts = WorldOptions::with_config("[translate]\nauto_channels = [\"#deploys\"]\n");
    opts.workers = 2;
    opts.check_unseen = false;
    let world = World::start_with(opts).await.unwrap();
    world
        .slack
        .mutate(|s| s.latency = Duration::from_millis(50));
    for n in 0..20 {
        world
            .say("alice", "#deploys", &format!("deploy {n} started"), None)
            .await
            .unwrap();
    }
    world.slash("bob", "#ops", "/banto ping").await.unwrap();
    let answer = world.next_reply("bob").await.unwrap();
    assert!(answer.text.contains("pong"), "{}", answer.text);
    let translated = world
        .slack
        .state()
        .messages
        .iter()
        .filter(|m| m.text.contains("機械翻訳"))
        .count();
    assert!(
        translated < 20,
        "the command did not wait for all 20 translations ({translated} were done)"
    );
    world.settle().await.unwrap();
    let replies: Vec<String> = world
        .slack
        .state()
        .messages
        .iter()
        .filter(|m| m.text.contains("機械翻訳"))
        .map(|m| m.thread_ts.clone().unwrap_or_default())
        .collect();
    assert_eq!(replies.len(), 20);
    let mut sorted = replies.clone();
    sorted.sort();
    assert_eq!(replies, sorted, "one channel's translations come in order");
}

#[tokio::test]
async fn handled_rows_are_purged_a_batch_at_a_time_and_nothing_else() {
    let (_db, store) = store().await;
    for n in 0..25 {
        add(&store, &format!("done-{n}"), Lane::Background, None).await;
    }
    while let Some(c) = claim(&store).await {
        assert!(store.finish(&c, "test-owner").await.unwrap());
    }
    add(&store, "still-pending", Lane::Background, None).await;
    assert_eq!(
        store.purge_done_by(Queue::Inbox, 0, 10).await.unwrap(),
        0,
        "nothing finished before the cut-off"
    );
    let later = store.clock().now_ms() + 1;
    assert_eq!(
        store.purge_done_by(Queue::Inbox, later, 10).await.unwrap(),
        25,
        "three statements of at most 10 rows"
    );
    let counts = store.counts(Queue::Inbox).await.unwrap();
    assert_eq!((counts.pending, counts.parked), (1, 0));
    assert_eq!(
        store
            .list(Queue::Inbox, Some("done"), 100)
            .await
            .unwrap()
            .len(),
        0
    );
}

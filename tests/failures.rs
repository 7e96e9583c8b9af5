//! A failure reaches a person: whoever asked hears once that banto is trying again, and what
//! failed when it gives up; what nobody asked for is reported once to the ops channel.

use banto::fake::world::{NETWORK_PROJECT, World, WorldOptions};

async fn world() -> World {
    let text = format!("[slack]\nops_channel = \"#ops\"\n{NETWORK_PROJECT}");
    let mut opts = WorldOptions::with_config(&text);
    opts.config.workers.max_attempts = 2;
    World::start_with(opts).await.expect("world starts")
}

fn ops_posts(world: &World) -> usize {
    let ops = world.channel("ops");
    let st = world.slack.state();
    st.messages
        .iter()
        .filter(|m| m.from_bot && m.channel == ops)
        .count()
}

#[tokio::test]
async fn a_command_that_fails_every_retry_is_explained_to_whoever_typed_it() {
    let world = world().await;
    world.github.fail_next("commits.get", 502, 1000);
    world
        .slash("kenji", "infra", "/tf plan network main")
        .await
        .unwrap();
    let first = world.next_reply("kenji").await.unwrap().text;
    assert!(
        first.contains("`/tf plan network main` の処理中に問題が発生しました (GitHub answered 502")
            && first.contains("再試行しています"),
        "told once, in Japanese, while banto retries: {first}"
    );
    let _ = world.settle().await;
    let last = world.next_reply("kenji").await.unwrap().text;
    let parked = world
        .app
        .store
        .list(banto::store::Queue::Inbox, Some("parked"), 10)
        .await
        .unwrap();
    assert_eq!(parked.len(), 1, "parked, not lost");
    assert!(
        last.contains("`/tf plan network main` を実行できませんでした: GitHub answered 502")
            && last.contains(&format!("banto inbox --retry {}", parked[0].id.0)),
        "{last}"
    );
    assert_eq!(
        ops_posts(&world),
        0,
        "the person was told; the ops channel is for what nobody asked for"
    );
}

#[tokio::test]
async fn a_webhook_that_fails_every_retry_is_reported_once_to_the_ops_channel() {
    let world = world().await;
    world.github.fail_next("pulls.files", 502, 1000);
    world
        .pull_request(
            "opened",
            "acme/infra",
            7,
            "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1",
            "bob-gh",
            &["envs/prod/network/main.tf"],
        )
        .await
        .unwrap();
    let _ = world.settle().await;
    let notice = world.next_message("ops").await.unwrap().text;
    assert!(
        notice.contains("banto could not handle GitHub pull_request.opened acme/infra (inbox #")
            && notice.contains("GitHub answered 502")
            && notice.contains("banto inbox --retry"),
        "{notice}"
    );
    assert_eq!(ops_posts(&world), 1, "reported once");
}

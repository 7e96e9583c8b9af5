//! Slack's rate limits with the fake enforcing them as Slack does (429 and `Retry-After`):
//! banto paces itself instead of provoking them, and nothing is lost or reordered.

use banto::clients::retry::RetryPolicy;
use banto::clients::slack::{Outgoing, SlackApi};
use banto::config::Secret;
use banto::fake::slack::FakeSlack;
use banto::fake::world::{World, WorldOptions};
use banto::ids::ChannelId;
use std::time::{Duration, Instant};

const TOKEN: &str = "xoxb-pacing-test";

async fn burst(slack: &SlackApi, channel: &ChannelId, n: usize) {
    let posts = (0..n).map(|i| async move {
        slack
            .post(channel, &Outgoing::text(format!("message {i}")), None)
            .await
            .unwrap()
    });
    futures::future::join_all(posts).await;
}

#[tokio::test]
async fn banto_paces_one_channels_messages_instead_of_hitting_429() {
    let fake = FakeSlack::start(TOKEN).await.unwrap();
    fake.mutate(|s| s.enforce_limits = true);
    let channel = ChannelId(fake.add_channel("deploys", false, &[]));
    let token = Secret::new(TOKEN);

    // Unpaced, a burst of 10 into one channel is refused by Slack (and made good by retries).
    let unpaced = SlackApi::new(&fake.api_url(), &token, RetryPolicy::default(), false).unwrap();
    burst(&unpaced, &channel, 10).await;
    let refused = fake.state().rate_limited;
    assert!(refused > 0, "the fake must enforce the per-channel limit");

    // Paced, in another channel: no 429, the burst spread out.
    let other = ChannelId(fake.add_channel("infra", false, &[]));
    let paced = SlackApi::new(&fake.api_url(), &token, RetryPolicy::default(), true).unwrap();
    let started = Instant::now();
    burst(&paced, &other, 8).await;
    let took = started.elapsed();
    assert_eq!(fake.state().rate_limited, refused, "paced calls met no 429");
    assert!(
        took >= Duration::from_millis(2900),
        "8 messages at one a second after a burst of 5 take 3 s, took {took:?}"
    );
    let posted = |c: &ChannelId| {
        fake.state()
            .messages
            .iter()
            .filter(|m| m.channel == c.0)
            .count()
    };
    assert_eq!(
        (posted(&channel), posted(&other)),
        (10, 8),
        "every message is posted once"
    );
}

#[tokio::test]
async fn one_channels_translations_stay_in_order_under_slacks_limits() {
    let mut opts = WorldOptions::with_config("[translate]\nauto_channels = [\"#deploys\"]\n");
    opts.slack_limits = true;
    opts.workers = 8;
    opts.check_unseen = false;
    let world = World::start_with(opts).await.unwrap();
    for n in 0..8 {
        world
            .say("alice", "#deploys", &format!("deploy {n} started"), None)
            .await
            .unwrap();
    }
    world.settle().await.unwrap();
    let st = world.slack.state();
    assert_eq!(st.rate_limited, 0, "banto kept to Slack's limits");
    let replies: Vec<String> = st
        .messages
        .iter()
        .filter(|m| m.text.contains("機械翻訳"))
        .map(|m| m.thread_ts.clone().unwrap_or_default())
        .collect();
    assert_eq!(replies.len(), 8, "every translation is posted");
    let mut sorted = replies.clone();
    sorted.sort();
    assert_eq!(replies, sorted, "in the order the messages were said");
}

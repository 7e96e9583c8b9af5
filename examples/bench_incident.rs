//! Declaring an incident as a user meets it: `/incident <title>` typed → banto's answer, with a
//! fake Slack that answers every Web API call after 100 ms, as the real one roughly does. The
//! declaration creates the channel, sets its topic, invites the responders (a user group
//! expanded), posts the header card and the checklist and announces it. Real router, workers
//! and SQLite (or the PostgreSQL in BANTO_TEST_DATABASE_URL).
//!
//! cargo run --release --example bench_incident [-- RUNS]

use banto::fake::world::{World, WorldOptions};
use banto::ids::{UserGroupId, UserId};
use std::time::{Duration, Instant};

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let runs: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(30);
    let mut opts = WorldOptions::with_config("[incidents]\nbroadcast_channel = \"#incidents\"\n");
    opts.check_unseen = false;
    opts.config.workers.poll_interval_ms = 50;
    let db = opts
        .config
        .incidents
        .playbooks
        .get_mut("database")
        .expect("the shipped database playbook");
    db.responders.users.push(UserId::from("@bob"));
    db.responders.groups.push(UserGroupId::from("&sre-leads"));
    let world = World::start_with(opts).await?;
    world
        .slack
        .mutate(|s| s.latency = Duration::from_millis(100));
    let mut took = vec![];
    for n in 0..runs {
        let calls_before = world.slack.state().calls.len();
        let start = Instant::now();
        world
            .slash(
                "alice",
                "#ops",
                &format!("/incident --type database Outage {n}"),
            )
            .await?;
        let reply = world.next_reply("alice").await?;
        took.push(start.elapsed());
        anyhow::ensure!(reply.text.contains("Declared"), "{}", reply.text);
        if n == 0 {
            world.settle().await?;
            let calls = world.slack.state().calls[calls_before..].to_vec();
            println!(
                "Slack calls per declaration: {} ({})",
                calls.len(),
                calls.join(", ")
            );
        }
    }
    took.sort();
    println!(
        "declaration, Slack at 100 ms/call   n={runs}  p50 {:.0} ms   p90 {:.0} ms   p99 {:.0} ms   max {:.0} ms",
        percentile(&took, 0.5),
        percentile(&took, 0.9),
        percentile(&took, 0.99),
        percentile(&took, 1.0)
    );
    Ok(())
}

//! Event → card edited: how long from CodeBuild's EventBridge event reaching `POST /aws/events`
//! until the run's Slack card shows the result. Real router, workers and SQLite (or the
//! PostgreSQL in BANTO_TEST_DATABASE_URL); fake Slack, CodeBuild and S3 on loopback.
//!
//! cargo run --release --example bench_card [-- RUNS]

use banto::config::Config;
use banto::fake::codebuild::Outcome;
use banto::fake::world::{World, WorldOptions};
use std::time::{Duration, Instant};

const PROJECT: &str = r##"
[[terraform.projects]]
name = "network"
repo = "acme/infra"
dir = "envs/prod/network"
codebuild_plan_project = "banto-tf-plan"
codebuild_apply_project = "banto-tf-apply"
artifact_bucket = "acme-banto-plans"
channel = "#infra"
approvers = { users = ["@alice"] }
"##;

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

fn report(what: &str, mut d: Vec<Duration>) {
    d.sort();
    println!(
        "{what:<34} n={:<4} p50 {:>6.1} ms   p90 {:>6.1} ms   p99 {:>6.1} ms   max {:>6.1} ms",
        d.len(),
        percentile(&d, 0.5),
        percentile(&d, 0.9),
        percentile(&d, 0.99),
        percentile(&d, 1.0)
    );
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let runs: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100);
    let plan = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/plans/network.plan.json"
    ))?;
    let mut config = Config::parse(PROJECT, std::path::Path::new("bench.toml"))?;
    config.workers.poll_interval_ms = 50;
    let world = World::start_with(WorldOptions {
        config,
        check_unseen: false,
        workers: 4,
        ..Default::default()
    })
    .await?;
    world.github.set_ref(
        "acme/infra",
        "main",
        "5e1f0c2d9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d",
    );
    let (mut planned, mut applied) = (vec![], vec![]);
    for i in 0..runs {
        world
            .slash("bob", "#infra", "/tf plan network main")
            .await?;
        world.settle().await?;
        let card = world.next_message("infra").await?;
        let build = world.build("banto-tf-plan", i).await?;
        let t = Instant::now();
        world.finish_plan(&build, &plan).await?;
        let card = world
            .wait_edit(&card, "awaiting approval", |m| {
                m.text.contains("Awaiting approval")
            })
            .await?;
        planned.push(t.elapsed());
        world.settle().await?;
        world.next_message("infra").await?; // the resource list in the card's thread
        world.click("alice", &card, "Approve").await?;
        let apply = world.build("banto-tf-apply", i).await?;
        world.settle().await?;
        let t = Instant::now();
        world.finish_build(&apply, Outcome::Succeeded).await?;
        world
            .wait_edit(&card, "applied", |m| m.text.contains("Applied"))
            .await?;
        applied.push(t.elapsed());
        world.settle().await?;
    }
    println!(
        "event → card edited, {runs} runs (loopback fakes, {:?} store)",
        world.app.store.backend()
    );
    report("plan event → awaiting approval", planned);
    report("apply event → applied", applied);
    Ok(())
}

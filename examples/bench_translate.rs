//! Translation as a user meets it, then banto's own part of it:
//! 1. a flag reaction → the translated reply in the thread, with a fake Slack answering every
//!    call after 100 ms and the translator after 300 ms: p50/p99, and the time banto adds on
//!    top of those waits (target < 20 ms), for DeepL, Amazon Translate and the self-hosted model;
//! 2. protecting and restoring Slack markup on 10,000 ops messages (mentions, links, code,
//!    emoji, `@here`): split, encode for each provider style, restore after a provider that
//!    reorders tokens (target < 100 ms in all).
//!
//! Real router, workers and SQLite (or the PostgreSQL in BANTO_TEST_DATABASE_URL).
//!
//! cargo run --release --example bench_translate [-- REACTIONS MESSAGES]

use banto::domain::translate::{Style, detect, encode, restore, split};
use banto::fake::world::{World, WorldOptions};
use std::time::{Duration, Instant};

const SAMPLES: &[&str] = &[
    "<@U0ALICE> rollback started, see <https://runbooks.example.com/db|the runbook> and `kubectl get pods`",
    "<!here> checkout is down :fire: p99 4.2s",
    "本番に web 1.5.0 をデプロイ開始しました <@U0KENJI> 確認お願いします",
    "logs:\n```\nERROR 502 upstream timed out\n```\nlooks like the LB *again*",
    "DB の CPU が 95% です <!date^1795000000^{time}|10:00 UTC> から https://grafana.example.com/d/db",
    "failover done in 40s :tada: thanks <@U0KENJI|kenji>",
];

const SLACK: Duration = Duration::from_millis(100);
const TRANSLATOR: Duration = Duration::from_millis(300);

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// `runs` reactions, each on a new message, translated by `provider`; returns the times from
/// the reaction to the reply and the waits on fakes each one contained.
async fn reactions(provider: &str, runs: usize) -> anyhow::Result<()> {
    let config = format!(
        "[translate]\nprovider = \"{provider}\"\n[translate.amazon]\n\
         [translate.llm]\nurl = \"http://fake/v1\"\nmodel = \"m\"\n"
    );
    let mut opts = WorldOptions::with_config(&config);
    opts.check_unseen = false;
    // The default for a deployment: a worker per core and then some (see [workers]).
    opts.workers = 4;
    let world = World::start_with(opts).await?;
    world.slack.mutate(|s| s.latency = SLACK);
    for latency in [
        &world.deepl.latency,
        &world.amazon.latency,
        &world.llm.latency,
    ] {
        latency.set(TRANSLATOR);
    }
    let kenji = world.user("kenji");
    let (mut took, mut added) = (Vec::new(), Vec::new());
    let mut waits_seen = String::new();
    for n in 0..runs {
        let text = format!(
            "<@{kenji}> deploy {n} started, see <https://runbooks.example.com/{n}|the runbook>"
        );
        let ts = world.say("alice", "#ops", &text, None).await?;
        world.settle().await?;
        let calls_before = world.slack.state().calls.len();
        let start = Instant::now();
        banto::fake::latency::waited_between(start, start);
        world.react("kenji", "#ops", &ts, "flag-jp").await?;
        let reply = world.next_message("#ops").await?;
        let elapsed = start.elapsed();
        anyhow::ensure!(reply.text.contains("デプロイ"), "{}", reply.text);
        world.settle().await?;
        let waited = banto::fake::latency::waited_between(start, start + elapsed);
        let calls = world.slack.state().calls[calls_before..].to_vec();
        took.push(elapsed);
        added.push(elapsed.saturating_sub(waited));
        if n == runs - 1 {
            waits_seen = format!(
                "{} Slack calls ({}) and 1 translator call, waited {:.0} ms",
                calls.len(),
                calls.join(", "),
                ms(waited)
            );
        }
    }
    took.sort();
    added.sort();
    println!(
        "reaction → reply, {provider:<6} n={runs}  p50 {:.0} ms  p99 {:.0} ms  | banto's own time p50 {:.1} ms  p99 {:.1} ms (target < 20 ms)  [{waits_seen}]",
        ms(percentile(&took, 0.5)),
        ms(percentile(&took, 0.99)),
        ms(percentile(&added, 0.5)),
        ms(percentile(&added, 0.99)),
    );
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let runs: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(30);
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(10_000);
    for provider in ["deepl", "amazon", "llm"] {
        reactions(provider, runs).await?;
    }
    let names = |id: &str| (id == "U0ALICE").then(|| "alice".to_owned());
    let t = Instant::now();
    let mut kept_total = 0;
    for i in 0..n {
        let text = SAMPLES[i % SAMPLES.len()];
        let _ = detect(text);
        let style = [Style::Xml, Style::Span, Style::Placeholder][i % 3];
        let pieces = split(text, &names);
        let (encoded, kept) = encode(&pieces, style);
        kept_total += kept.len();
        let back = restore(&encoded, &kept, style).expect("every token comes back");
        assert!(!back.contains("<@"));
    }
    let ms = t.elapsed().as_secs_f64() * 1000.0;
    println!(
        "detect + protect + restore, {n} messages ({kept_total} tokens): {ms:.1} ms in all, {:.2} µs each   target < 100 ms",
        ms * 1000.0 / n as f64
    );
    Ok(())
}

//! Sustained load as a large workspace brings it: signed `/banto help` commands at a fixed rate
//! for minutes, each handled (an answer through its `response_url`). Every 10 s: acknowledgement
//! p99, the largest SQLite write-ahead log seen (target < 64 MB), the backlog and banto's RSS;
//! at the end the database size after the purge of handled rows, and RSS at start and end.
//! Real router, workers and SQLite (or the PostgreSQL in BANTO_TEST_DATABASE_URL: no WAL file).
//!
//! With SLACK_MS, the fake Slack answers every call after that long (as the real one does after
//! about 100 ms), and the handled rate shows whether handling keeps pace with arrivals.
//!
//! cargo run --release --example bench_soak [-- RATE SECONDS SLACK_MS]   (defaults: 1000 600 0)

use banto::fake::world::{World, WorldOptions};
use banto::server::verify::slack_sign;
use banto::store::Queue;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn file_mb(path: &str) -> f64 {
    std::fs::metadata(path).map_or(0.0, |m| m.len() as f64 / 1_048_576.0)
}

fn p99(mut v: Vec<Duration>) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort();
    v[((v.len() - 1) as f64 * 0.99) as usize].as_secs_f64() * 1000.0
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<u64> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let rate = args.first().copied().unwrap_or(1000);
    let secs = args.get(1).copied().unwrap_or(600);
    let slack_ms = args.get(2).copied().unwrap_or(0);
    let opts = WorldOptions {
        check_unseen: false,
        workers: WorldOptions::default().config.workers.count,
        ..Default::default()
    };
    let world = Arc::new(World::start_with(opts).await?);
    world
        .slack
        .mutate(|s| s.latency = Duration::from_millis(slack_ms));
    let db_path = world
        .app
        .config
        .database
        .url
        .strip_prefix("sqlite://")
        .map(str::to_owned);
    let channel = world.channel("#ops");
    let user = world.user("alice");
    let response_url = world.slack.new_response_url(&channel, &user);
    let url = format!("{}/slack/commands", world.url);
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(512)
        .build()?;
    let acks: Arc<Mutex<Vec<Duration>>> = Arc::default();
    let rss_start = rss_mb();
    println!(
        "{rate} signed commands/s for {secs} s on {}, Slack answering after {slack_ms} ms; RSS at start {rss_start:.1} MB",
        if db_path.is_some() {
            "SQLite"
        } else {
            "PostgreSQL"
        }
    );
    println!(
        "{:>6} {:>10} {:>12} {:>10} {:>11} {:>9} {:>9}",
        "t (s)", "sent", "ack p99 ms", "backlog", "handled/s", "WAL MB", "RSS MB"
    );
    let wal = db_path.as_ref().map(|p| format!("{p}-wal"));
    let max_wal = Arc::new(Mutex::new(0.0_f64));
    {
        let (wal, max_wal) = (wal.clone(), max_wal.clone());
        tokio::spawn(async move {
            loop {
                if let Some(w) = &wal {
                    let mb = file_mb(w);
                    let mut m = max_wal.lock().unwrap();
                    *m = m.max(mb);
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        });
    }
    let interval = Duration::from_secs_f64(1.0 / rate as f64);
    let start = tokio::time::Instant::now();
    let total = rate * secs;
    let mut window_max_wal = 0.0;
    let mut last_backlog = 0;
    for n in 0..total {
        tokio::time::sleep_until(start + interval * n as u32).await;
        let body = serde_urlencoded::to_string([
            ("team_id", "T0BANTO01"),
            ("channel_id", channel.as_str()),
            ("user_id", user.as_str()),
            ("command", "/banto"),
            ("text", "help"),
            ("response_url", response_url.as_str()),
            ("trigger_id", &format!("{n}.soak.{}", rand::random::<u32>())),
        ])?;
        let (http, url, secret, acked) = (
            http.clone(),
            url.clone(),
            world.signing_secret.clone(),
            acks.clone(),
        );
        tokio::spawn(async move {
            let ts = chrono::Utc::now().timestamp();
            let sig = slack_sign(&secret, ts, body.as_bytes());
            let t = Instant::now();
            let r = http
                .post(&url)
                .header("content-type", "application/x-www-form-urlencoded")
                .header("x-slack-request-timestamp", ts.to_string())
                .header("x-slack-signature", sig)
                .body(body)
                .send()
                .await;
            if r.is_ok_and(|r| r.status().is_success()) {
                acked.lock().unwrap().push(t.elapsed());
            }
        });
        if (n + 1) % (rate * 10) == 0 {
            let window = std::mem::take(&mut *acks.lock().unwrap());
            let backlog = world.app.store.counts(Queue::Inbox).await?.pending;
            let wal_now = *max_wal.lock().unwrap();
            window_max_wal = f64::max(window_max_wal, wal_now);
            *max_wal.lock().unwrap() = 0.0;
            let handled = (rate * 10) as i64 - (backlog - last_backlog);
            last_backlog = backlog;
            println!(
                "{:>6} {:>10} {:>12.1} {:>10} {:>11.0} {:>9.1} {:>9.1}",
                (n + 1) / rate,
                n + 1,
                p99(window),
                backlog,
                handled as f64 / 10.0,
                wal_now,
                rss_mb()
            );
        }
    }
    let drained = Instant::now();
    while world.app.store.counts(Queue::Inbox).await?.pending > 0
        && drained.elapsed() < Duration::from_secs(120)
    {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let left = world.app.store.counts(Queue::Inbox).await?.pending;
    let purged = world
        .app
        .store
        .purge_done(Queue::Inbox, world.app.clock.now_ms() + 1)
        .await?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    println!(
        "backlog {left} after {:.0} s of draining; largest WAL {:.1} MB (target < 64 MB); \
         {purged} handled rows purged, database {:.1} MB, WAL now {:.1} MB; RSS {rss_start:.1} → {:.1} MB",
        drained.elapsed().as_secs_f64(),
        window_max_wal.max(*max_wal.lock().unwrap()),
        db_path.as_deref().map_or(0.0, file_mb),
        wal.as_deref().map_or(0.0, file_mb),
        rss_mb()
    );
    Ok(())
}

//! Acknowledgement latency and throughput of banto's Slack ingress (verify + persist + ack) next to
//! a bare axum handler returning 200, in the same run, on loopback.
//!
//! cargo run --release --example bench_ingress [-- RATE SECONDS]

use banto::fake::world::{World, WorldOptions};
use banto::server::verify::slack_sign;
use std::time::{Duration, Instant};

struct Target {
    name: &'static str,
    url: String,
    secret: String,
}

fn body(n: u64, channel: &str, user: &str, response_url: &str) -> String {
    serde_urlencoded::to_string([
        ("team_id", "T0BANTO01"),
        ("channel_id", channel),
        ("user_id", user),
        ("command", "/banto"),
        ("text", "ping"),
        ("response_url", response_url),
        (
            "trigger_id",
            &format!("{n}.bench.{}", rand::random::<u32>()),
        ),
    ])
    .unwrap()
}

async fn one(http: &reqwest::Client, t: &Target, b: String) -> Duration {
    let ts = chrono::Utc::now().timestamp();
    let sig = slack_sign(&t.secret, ts, b.as_bytes());
    let start = Instant::now();
    let r = http
        .post(&t.url)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("x-slack-request-timestamp", ts.to_string())
        .header("x-slack-signature", sig)
        .body(b)
        .send()
        .await
        .expect("request");
    assert!(
        r.status().is_success(),
        "{} answered {}",
        t.name,
        r.status()
    );
    start.elapsed()
}

fn pct(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

/// Open loop: one request every 1/rate s regardless of answers, so slow answers show as latency.
async fn fixed_rate(
    http: &reqwest::Client,
    t: &Target,
    rate: u64,
    secs: u64,
    mk: &(dyn Fn(u64) -> String + Sync),
) -> (Vec<Duration>, f64) {
    let total = rate * secs;
    let interval = Duration::from_secs_f64(1.0 / rate as f64);
    let start = tokio::time::Instant::now();
    let mut tasks = Vec::with_capacity(total as usize);
    for n in 0..total {
        tokio::time::sleep_until(start + interval * n as u32).await;
        let (http, url, secret, b) = (http.clone(), t.url.clone(), t.secret.clone(), mk(n));
        tasks.push(tokio::spawn(async move {
            one(
                &http,
                &Target {
                    name: "",
                    url,
                    secret,
                },
                b,
            )
            .await
        }));
    }
    let mut lat = Vec::with_capacity(tasks.len());
    for t in tasks {
        lat.push(t.await.unwrap());
    }
    let elapsed = start.elapsed().as_secs_f64();
    lat.sort();
    (lat, total as f64 / elapsed)
}

/// Closed loop with `conc` clients: the most requests per second the target sustains.
async fn max_throughput(
    http: &reqwest::Client,
    t: &Target,
    conc: u64,
    secs: u64,
    mk: &(dyn Fn(u64) -> String + Sync),
) -> f64 {
    let deadline = Instant::now() + Duration::from_secs(secs);
    let counter = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let bodies: Vec<String> = (0..200_000).map(|n| mk(1_000_000 + n)).collect();
    let bodies = std::sync::Arc::new(bodies);
    let start = Instant::now();
    let mut tasks = vec![];
    for _ in 0..conc {
        let (http, url, secret, counter, bodies) = (
            http.clone(),
            t.url.clone(),
            t.secret.clone(),
            counter.clone(),
            bodies.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let t = Target {
                name: "",
                url,
                secret,
            };
            while Instant::now() < deadline {
                let n = counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed) as usize;
                one(&http, &t, bodies[n % bodies.len()].clone()).await;
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    counter.load(std::sync::atomic::Ordering::Relaxed) as f64 / start.elapsed().as_secs_f64()
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    if std::env::var("RUST_LOG").is_ok() {
        tracing_subscriber::fmt()
            .with_writer(std::io::stderr)
            .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
            .init();
    }
    let args: Vec<u64> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let rate = args.first().copied().unwrap_or(1000);
    let secs = args.get(1).copied().unwrap_or(5);

    // banto: real router and workers, SQLite inbox, fake Slack answering the replies.
    let workers = std::env::var("BENCH_WORKERS")
        .ok()
        .and_then(|w| w.parse().ok())
        .unwrap_or(4);
    let mut opts = WorldOptions {
        check_unseen: false,
        workers,
        ..Default::default()
    };
    opts.config.workers.poll_interval_ms = 200;
    let world = World::start_with(opts).await?;
    let channel = world.channel("#ops");
    let user = world.user("alice");
    let response_url = world.slack.new_response_url(&channel, &user);
    let banto = Target {
        name: "banto",
        url: format!("{}/slack/commands", world.url),
        secret: world.signing_secret.clone(),
    };

    // The ceiling: a bare axum handler on the same runtime.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let bare_url = format!("http://{}/slack/commands", listener.local_addr()?);
    let bare_app = axum::Router::new().route(
        "/slack/commands",
        axum::routing::post(|| async { axum::http::StatusCode::OK }),
    );
    tokio::spawn(async move { axum::serve(listener, bare_app).await });
    let bare = Target {
        name: "bare axum",
        url: bare_url,
        secret: "x".into(),
    };

    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(256)
        .build()?;
    let mk = |n: u64| body(n, &channel, &user, &response_url);
    println!(
        "fixed rate {rate} req/s for {secs} s, then closed loop with 32 clients for {secs} s; SQLite inbox, loopback"
    );
    println!(
        "{:<10} {:>10} {:>9} {:>9} {:>9} {:>14}",
        "target", "sent/s", "p50 ms", "p99 ms", "max ms", "max req/s"
    );
    for t in [&bare, &banto] {
        let _ = fixed_rate(&http, t, rate.min(200), 1, &mk).await; // warm-up
        let (lat, achieved) = fixed_rate(&http, t, rate, secs, &mk).await;
        let max = max_throughput(&http, t, 32, secs, &mk).await;
        println!(
            "{:<10} {:>10.0} {:>9.3} {:>9.3} {:>9.3} {:>14.0}",
            t.name,
            achieved,
            pct(&lat, 0.5),
            pct(&lat, 0.99),
            pct(&lat, 1.0),
            max
        );
    }
    world.shutdown().await;
    Ok(())
}

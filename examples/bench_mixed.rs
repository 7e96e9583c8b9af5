//! Mixed load on `banto serve` running as its own process, as an operator meets it: signed
//! message events and reactions across 20 channels, `/banto help` commands, GitHub push
//! webhooks (real payloads from the corpus) and one "Declare incident" click a second on an
//! alert card (each opens a form with `views.open`). The fake Slack answers every call after
//! SLACK_MS and enforces Slack's rate limits (429 with `Retry-After`). Ten seconds in, a
//! Terraform plan of PLAN_MB is finished and banto summarises it while the load goes on.
//!
//! Every 10 s: acknowledgement p99, events handled per second and the backlog (from banto's
//! `/metrics`), the interactive lane's lag, banto's RSS and CPU. At the end: click → `views.open`
//! p50/p99, CPU per event, 429s met, the plan's handling time.
//!
//! cargo build --release && cargo run --release --example bench_mixed [-- RATE SECS SLACK_MS PLAN_MB]
//! (defaults 500 60 100 100; PostgreSQL: BANTO_TEST_DATABASE_URL=postgres://root@127.0.0.1:5432/test)

use banto::fake::world::{BOT_TOKEN, GITHUB_TOKEN, NETWORK_PROJECT, World, WorldOptions};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

struct Banto {
    child: Child,
    pid: u32,
    url: String,
}

impl Drop for Banto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `(RSS MB, CPU seconds used)` of a process, from /proc.
fn usage(pid: u32) -> (f64, f64) {
    let rss = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0);
    let cpu = std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| {
            let after = s.rsplit(')').next()?.to_owned();
            let f: Vec<&str> = after.split_whitespace().collect();
            // utime and stime are fields 14 and 15 of the whole line: 12 and 13 after `)`.
            Some((f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?) / 100.0)
        })
        .unwrap_or(0.0);
    (rss, cpu)
}

fn quantile(v: &mut [Duration], q: f64) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort();
    v[((v.len() - 1) as f64 * q) as usize].as_secs_f64() * 1000.0
}

/// The sum of a metric's samples in banto's `/metrics` whose labels contain `with`.
fn metric(text: &str, name: &str, with: &str) -> f64 {
    text.lines()
        .filter(|l| l.starts_with(name) && l[name.len()..].starts_with(['{', ' ']))
        .filter(|l| l.contains(with))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<u64> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let rate = args.first().copied().unwrap_or(500);
    let secs = args.get(1).copied().unwrap_or(60);
    let slack_ms = args.get(2).copied().unwrap_or(100);
    let plan_mb = args.get(3).copied().unwrap_or(100);

    let mut opts = WorldOptions::with_config(&format!(
        "{NETWORK_PROJECT}\n[incidents.alerts]\nchannel = \"#alerts\"\n"
    ));
    opts.check_unseen = false;
    opts.slack_limits = true;
    let mut world = World::start_with(opts).await?;
    world.stop_workers().await?;
    world
        .slack
        .mutate(|s| s.latency = Duration::from_millis(slack_ms));
    let channels: Vec<String> = (0..20).map(|i| format!("chat-{i}")).collect();
    for c in &channels {
        let members = [world.user("alice"), world.user("bob")];
        world
            .slack
            .add_channel(c, false, &[members[0].as_str(), members[1].as_str()]);
    }

    // banto serve, its own process, on the world's database, fakes and secrets.
    let exe = std::env::current_exe()?;
    let binary = exe
        .parent()
        .and_then(|p| p.parent())
        .map(|p| p.join("banto"))
        .expect("target dir");
    anyhow::ensure!(binary.exists(), "build it first: cargo build --release");
    let port = free_port()?;
    let dir = std::env::temp_dir().join(format!("banto-bench-mixed-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let config = dir.join("config.toml");
    let c = world.app.config.clone();
    let project = &c.terraform.projects[0];
    std::fs::write(
        &config,
        format!(
            "[server]\nlisten = \"127.0.0.1:{port}\"\n\
             [database]\nurl = \"{db}\"\nmax_connections = 16\n\
             [slack]\napi_url = \"{slack}\"\n\
             [github]\napi_url = \"{github}\"\n\
             [aws]\nregion = \"us-east-1\"\ns3_force_path_style = true\n\
             [incidents]\nplaybooks_dir = \"{playbooks}\"\n\
             [incidents.alerts]\nchannel = \"{alerts}\"\n\
             [[terraform.projects]]\nname = \"network\"\nrepo = \"acme/infra\"\ndir = \"envs/prod/network\"\n\
             codebuild_plan_project = \"banto-tf-plan\"\ncodebuild_apply_project = \"banto-tf-apply\"\n\
             artifact_bucket = \"{bucket}\"\nchannel = \"{infra}\"\napprovers = {{ users = [\"{alice}\"] }}\n",
            db = c.database.url,
            slack = c.slack.api_url,
            github = c.github.api_url,
            playbooks = concat!(env!("CARGO_MANIFEST_DIR"), "/playbooks"),
            alerts = world.channel("#alerts"),
            bucket = project.artifact_bucket,
            infra = project.channel,
            alice = world.user("alice"),
        ),
    )?;
    let log = dir.join("banto.log");
    let child = Command::new(&binary)
        .args(["--config", config.to_str().unwrap(), "serve"])
        .env("SLACK_SIGNING_SECRET", &world.signing_secret)
        .env("SLACK_BOT_TOKEN", BOT_TOKEN)
        .env("GITHUB_TOKEN", GITHUB_TOKEN)
        .env("GITHUB_WEBHOOK_SECRET", &world.github_secret)
        .env("AWS_EVENTS_SECRET", &world.aws_events_secret)
        .env("ALERTMANAGER_SECRET", &world.alertmanager_secret)
        .env("AWS_ENDPOINT_URL_CODEBUILD", &world.codebuild.base_url)
        .env("AWS_ENDPOINT_URL_S3", &world.s3.base_url)
        .env("AWS_ACCESS_KEY_ID", "AKIAFAKEWORLD")
        .env("AWS_SECRET_ACCESS_KEY", "fake-world-secret")
        .env("RUST_LOG", "banto=warn")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log)?)
        .spawn()?;
    let banto = Banto {
        pid: child.id(),
        child,
        url: format!("http://127.0.0.1:{port}"),
    };
    let http = reqwest::Client::new();
    let ready = async {
        for _ in 0..200 {
            if http
                .get(format!("{}/readyz", banto.url))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success())
            {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        false
    };
    anyhow::ensure!(
        ready.await,
        "banto serve did not start; see {}",
        log.display()
    );
    world.url = banto.url.clone();
    world.github.set_ref("acme/infra", "main", &"b".repeat(40));
    let scrape = || async {
        http.get(format!("{}/metrics", banto.url))
            .send()
            .await?
            .text()
            .await
    };

    // The alert card to click on, and the plan run to finish under load.
    let now = chrono::Utc::now().timestamp_millis();
    world
        .alert("DbLatency", "critical", now - 60_000, None)
        .await?;
    let card = world.next_message("#alerts").await?;
    world.slash("alice", "#infra", "/tf plan network").await?;
    let build = world.build("banto-tf-plan", 0).await?;
    let plan = banto::fake::plans::large((plan_mb as usize) * 200);
    let push = std::fs::read(banto::fake::corpus::path(
        "github-webhooks/koishi__push.2.json",
    ))?;
    let (rss_start, cpu_start) = usage(banto.pid);
    let handled_start = metric(&scrape().await?, "banto_events_handled_total", "");
    println!(
        "banto serve (pid {}) on {}, {rate} events/s for {secs} s, Slack answering after {slack_ms} ms with its rate limits; RSS at start {rss_start:.1} MB",
        banto.pid,
        if c.database.url.starts_with("sqlite") {
            "SQLite"
        } else {
            "PostgreSQL"
        }
    );
    println!("  t (s)   ack p99 ms   handled/s   backlog   lag int. ms   RSS MB   CPU %");

    let world = Arc::new(world);
    let acks: Arc<Mutex<Vec<Duration>>> = Arc::default();
    let all_acks: Arc<Mutex<Vec<Duration>>> = Arc::default();
    let clicks: Arc<Mutex<Vec<(String, Instant)>>> = Arc::default();
    let started = Instant::now();
    let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / rate as f64));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let total = rate * secs;
    let mut plan_sent: Option<Instant> = None;
    let mut last = (Instant::now(), handled_start, cpu_start);
    let mut sent_ts: Vec<(String, String)> = Vec::new();
    for i in 0..total {
        tick.tick().await;
        let (w, window, all, push) = (world.clone(), acks.clone(), all_acks.clone(), push.clone());
        let channel = channels[(i % 20) as usize].clone();
        let react_to = sent_ts
            .get((i as usize / 7) % sent_ts.len().max(1))
            .cloned();
        let click_now = i % rate == rate / 2;
        if click_now {
            let (w, card, clicks) = (world.clone(), card.clone(), clicks.clone());
            tokio::spawn(async move {
                let at = Instant::now();
                if let Ok(trigger) = w.click("bob", &card, "Declare incident").await {
                    clicks.lock().unwrap().push((trigger, at));
                }
            });
        }
        let handle = tokio::spawn(async move {
            let t = Instant::now();
            let ok = match i % 100 {
                0..45 => w
                    .say("alice", &channel, "deploy looks fine", None)
                    .await
                    .map(Some),
                45..65 => match react_to {
                    Some((c, ts)) => w.react("bob", &c, &ts, "eyes").await.map(|()| None),
                    None => w.say("bob", &channel, "hello", None).await.map(Some),
                },
                65..80 => w.slash("kenji", "#ops", "/banto help").await.map(|()| None),
                _ => w
                    .post_github("push", &format!("bench-{i}"), &push)
                    .await
                    .and_then(|r| {
                        anyhow::ensure!(r.status().is_success(), "push refused: {}", r.status());
                        Ok(None)
                    }),
            };
            let took = t.elapsed();
            window.lock().unwrap().push(took);
            all.lock().unwrap().push(took);
            ok.ok().flatten().map(|ts| (channel, ts))
        });
        if i % 100 == 0
            && sent_ts.len() < 500
            && let Ok(Some(m)) = handle.await
        {
            sent_ts.push(m);
        }
        if plan_sent.is_none() && started.elapsed() >= Duration::from_secs(10) {
            plan_sent = Some(Instant::now());
            let (w, build, plan) = (world.clone(), build.clone(), plan.clone());
            tokio::spawn(async move {
                if let Err(e) = w.finish_plan(&build, &plan).await {
                    eprintln!("the plan's event was refused: {e}");
                }
            });
        }
        if last.0.elapsed() >= Duration::from_secs(10) {
            let text = scrape().await?;
            let handled = metric(&text, "banto_events_handled_total", "");
            let backlog = metric(&text, "banto_inbox_rows", "pending");
            let lag = metric(&text, "banto_queue_oldest_ready_seconds", "interactive") * 1000.0;
            let (rss, cpu) = usage(banto.pid);
            let dt = last.0.elapsed().as_secs_f64();
            let mut window = std::mem::take(&mut *acks.lock().unwrap());
            println!(
                "{:>7.0} {:>12.1} {:>11.0} {:>9.0} {:>13.0} {:>8.1} {:>7.0}",
                started.elapsed().as_secs_f64(),
                quantile(&mut window, 0.99),
                (handled - last.1) / dt,
                backlog,
                lag,
                rss,
                (cpu - last.2) / dt * 100.0
            );
            last = (Instant::now(), handled, cpu);
        }
    }
    let sending = started.elapsed();
    let handled_while_sending =
        metric(&scrape().await?, "banto_events_handled_total", "") - handled_start;
    // Drain: wait for the backlog to empty.
    let drained = loop {
        let text = scrape().await?;
        if metric(&text, "banto_inbox_rows", "pending") == 0.0 {
            break started.elapsed() - sending;
        }
        if started.elapsed() - sending > Duration::from_secs(120) {
            break Duration::MAX;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let text = scrape().await?;
    let handled = metric(&text, "banto_events_handled_total", "") - handled_start;
    let (rss_end, cpu_end) = usage(banto.pid);
    let mut all = std::mem::take(&mut *all_acks.lock().unwrap());
    let views: Vec<(String, Instant)> = world
        .slack
        .state()
        .views
        .iter()
        .map(|v| (v.trigger_id.clone(), v.opened))
        .collect();
    let mut to_view: Vec<Duration> = clicks
        .lock()
        .unwrap()
        .iter()
        .filter_map(|(trigger, at)| {
            views
                .iter()
                .find(|(t, _)| t == trigger)
                .map(|(_, opened)| opened.duration_since(*at))
        })
        .collect();
    let clicked = clicks.lock().unwrap().len();
    let codebuild = metric(
        &text,
        "banto_event_handling_seconds_sum",
        "kind=\"codebuild\"",
    );
    println!(
        "sent {total} in {:.1} s ({:.0}/s); handled {:.0}/s while sending; nothing pending {} after the load (a row being handled counts as pending); {handled:.0} handled in all",
        sending.as_secs_f64(),
        total as f64 / sending.as_secs_f64(),
        handled_while_sending / sending.as_secs_f64(),
        if drained == Duration::MAX {
            "not reached within 120 s".to_owned()
        } else {
            format!("{:.1} s", drained.as_secs_f64())
        },
    );
    println!(
        "ack p50 {:.2} ms  p99 {:.2} ms  max {:.1} ms",
        quantile(&mut all, 0.5),
        quantile(&mut all, 0.99),
        quantile(&mut all, 1.0)
    );
    println!(
        "click → views.open: {} of {clicked} forms opened, p50 {:.0} ms  p99 {:.0} ms (Slack's trigger_id lasts 3 s)",
        to_view.len(),
        quantile(&mut to_view, 0.5),
        quantile(&mut to_view, 0.99)
    );
    println!(
        "banto CPU {:.1} s for {handled:.0} events: {:.2} ms per event; RSS {rss_start:.1} → {rss_end:.1} MB",
        cpu_end - cpu_start,
        (cpu_end - cpu_start) * 1000.0 / handled.max(1.0)
    );
    println!(
        "Slack 429s met: {}; plan of {:.0} MB summarised in {:.2} s of handling (CodeBuild event)",
        world.slack.state().rate_limited,
        plan.len() as f64 / 1e6,
        codebuild
    );
    std::fs::remove_dir_all(&dir).ok();
    Ok(())
}

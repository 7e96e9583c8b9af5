//! What an on-call team graphs and alerts on: `/metrics` after real traffic, and the Grafana
//! dashboard and Prometheus alert rules shipped in `examples/`, checked against what banto
//! exports (and by `promtool` where it is installed).

use banto::fake::slack::Fault;
use banto::fake::world::World;
use banto::metrics::EXPORTED;
use std::collections::BTreeSet;
use std::process::Command;

#[tokio::test]
async fn metrics_show_acknowledgements_handling_queue_lag_and_outbound_calls() -> anyhow::Result<()>
{
    let w = World::start().await?;
    w.slack.fail_next(
        "users.info",
        Fault::RateLimited {
            retry_after_secs: 1,
        },
        1,
    );
    w.slash("alice", "#ops", "/banto ping").await?;
    w.next_reply("alice").await?;
    w.settle().await?;
    let text = reqwest::get(format!("{}/metrics", w.url))
        .await?
        .text()
        .await?;
    for expected in [
        "banto_request_duration_seconds_bucket{route=\"/slack/commands\",le=\"0.005\"}",
        "banto_requests_total{route=\"slack_commands\",outcome=\"accepted\"}",
        "banto_event_handling_seconds_bucket{kind=\"slash_command\",outcome=\"ok\",le=",
        "banto_event_wait_seconds_count{kind=\"slash_command\"}",
        "banto_events_handled_total{outcome=\"ok\"}",
        "banto_outbound_calls_total{service=\"slack\",method=\"users.info\",outcome=\"rate_limited\"}",
        "banto_outbound_calls_total{service=\"slack\",method=\"users.info\",outcome=\"ok\"}",
        "banto_outbound_call_duration_seconds_bucket{service=\"slack\",method=\"users.info\",le=",
        "banto_queue_oldest_ready_seconds{queue=\"inbox\",lane=\"interactive\"} 0.000",
        "banto_queue_oldest_ready_seconds{queue=\"inbox\",lane=\"background\"} 0.000",
        "banto_inbox_rows{state=\"parked\"} 0",
    ] {
        assert!(text.contains(expected), "{expected} is not in\n{text}");
    }
    for name in names_in(&text) {
        assert!(
            EXPORTED.contains(&name.as_str()),
            "{name} is exported but not listed in metrics::EXPORTED"
        );
    }
    Ok(())
}

#[tokio::test]
async fn queue_lag_is_the_age_of_the_oldest_ready_event_per_lane() -> anyhow::Result<()> {
    let db = banto::fake::database::TestDatabase::new().await?;
    let store = &banto::store::Store::connect(&db.url, 2).await?;
    store.migrate().await?;
    let now = store.clock().now_ms();
    store
        .enqueue_ordered(
            banto::store::Queue::Inbox,
            "lag:test",
            "test",
            "{}",
            now - 42_000,
            (banto::event::Lane::Background, None),
        )
        .await?;
    let lanes = store.oldest_ready(banto::store::Queue::Inbox).await?;
    assert_eq!(lanes[0], (0, 0), "nothing interactive waits");
    assert!(
        (41_000..43_000).contains(&lanes[1].1),
        "the background lane waited 42 s: {lanes:?}"
    );
    Ok(())
}

/// `banto_…` metric names in a text, histogram suffixes taken off.
fn names_in(text: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut rest = text;
    while let Some(i) = rest.find("banto_") {
        let tail = &rest[i..];
        let end = tail
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(tail.len());
        let name = &tail[..end];
        let name = ["_bucket", "_sum", "_count"]
            .iter()
            .find_map(|s| name.strip_suffix(s))
            .unwrap_or(name);
        names.insert(name.to_owned());
        rest = &tail[end..];
    }
    names
}

fn examples(path: &str) -> String {
    std::fs::read_to_string(format!("{}/examples/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

/// Every query in the dashboard, `$__rate_interval` as Grafana would fill it in.
fn dashboard_queries() -> Vec<(String, String)> {
    let dash: serde_json::Value =
        serde_json::from_str(&examples("grafana/banto.json")).expect("the dashboard is JSON");
    assert_eq!(dash["uid"], "banto-overview");
    let panels = dash["panels"].as_array().expect("panels");
    assert!(panels.len() >= 10, "{} panels", panels.len());
    panels
        .iter()
        .flat_map(|p| {
            let title = p["title"].as_str().unwrap_or_default().to_owned();
            p["targets"]
                .as_array()
                .expect("every panel has targets")
                .iter()
                .map(move |t| {
                    let expr = t["expr"].as_str().expect("a PromQL expr");
                    (title.clone(), expr.replace("$__rate_interval", "5m"))
                })
        })
        .collect()
}

#[test]
fn the_dashboard_and_alerts_name_only_metrics_banto_exports() {
    let alerts = examples("prometheus/alerts.yaml");
    let mut used = names_in(&alerts);
    for (title, expr) in dashboard_queries() {
        let names = names_in(&expr);
        assert!(!names.is_empty(), "panel {title:?} queries no banto metric");
        used.extend(names);
    }
    let unknown: Vec<_> = used
        .iter()
        .filter(|n| !EXPORTED.contains(&n.as_str()))
        .collect();
    assert!(unknown.is_empty(), "not exported by banto: {unknown:?}");
    for must in [
        "banto_queue_oldest_ready_seconds",
        "banto_inbox_rows",
        "banto_outbound_calls_total",
    ] {
        assert!(alerts.contains(must), "the alerts do not watch {must}");
    }
}

/// `promtool`, or why it cannot run; CI sets `BANTO_REQUIRE_TOOLS=1` so a missing tool fails.
fn promtool() -> Option<Command> {
    if Command::new("promtool").arg("--version").output().is_ok() {
        return Some(Command::new("promtool"));
    }
    assert!(
        std::env::var("BANTO_REQUIRE_TOOLS").is_err(),
        "promtool is required here (Debian package prometheus; .ci/run extracts it)"
    );
    eprintln!(
        "SKIPPED LOUDLY: promtool is not installed (Debian package prometheus), so the alert \
         rules and dashboard queries were checked only for the metric names they use"
    );
    None
}

#[test]
fn promtool_accepts_the_alert_rules_and_every_dashboard_query() {
    let Some(mut check) = promtool() else { return };
    let dir = std::env::temp_dir().join(format!("banto-promtool-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let alerts = format!(
        "{}/examples/prometheus/alerts.yaml",
        env!("CARGO_MANIFEST_DIR")
    );
    // The dashboard's queries as recording rules, so promtool parses each one.
    let mut rules = String::from("groups:\n  - name: dashboard\n    rules:\n");
    for (i, (_, expr)) in dashboard_queries().iter().enumerate() {
        rules.push_str(&format!(
            "      - record: banto:dashboard_{i}\n        expr: {}\n",
            serde_json::to_string(expr).unwrap()
        ));
    }
    let dashboard = dir.join("dashboard-rules.yaml");
    std::fs::write(&dashboard, rules).unwrap();
    let out = check
        .args(["check", "rules", &alerts, dashboard.to_str().unwrap()])
        .output()
        .unwrap();
    let said =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{said}");
    assert!(said.contains("SUCCESS: 8 rules found"), "{said}");

    // And promtool does refuse a broken rule: the check can fail.
    let broken = dir.join("broken.yaml");
    std::fs::write(
        &broken,
        "groups:\n  - name: b\n    rules:\n      - alert: X\n        expr: sum(rate(banto_requests_total[5m])\n",
    )
    .unwrap();
    let out = Command::new("promtool")
        .args(["check", "rules", broken.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        !out.status.success(),
        "promtool accepted a broken expression"
    );
    std::fs::remove_dir_all(&dir).ok();
}

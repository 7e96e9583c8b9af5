//! Scenarios at the front door: signed requests are accepted, persisted and answered; forged,
//! replayed, unsigned and oversized ones are refused and leave nothing behind.

use banto::fake::slack::Fault;
use banto::fake::world::World;
use banto::server::verify::slack_sign;
use banto::store::Queue;

async fn inbox_rows(w: &World) -> usize {
    w.app
        .store
        .list(Queue::Inbox, None, 1000)
        .await
        .unwrap()
        .len()
}

#[tokio::test]
async fn ping_answers_the_user_privately() -> anyhow::Result<()> {
    let w = World::start().await?;
    w.slash("alice", "#ops", "/banto ping").await?;
    let reply = w.next_reply("alice").await?;
    assert!(reply.text.contains("pong"), "{}", reply.text);
    assert!(reply.text.contains("0 parked"), "{}", reply.text);
    w.settle().await
}

#[tokio::test]
async fn a_japanese_user_gets_japanese_help() -> anyhow::Result<()> {
    let w = World::start().await?;
    w.slash("kenji", "#ops", "/banto help").await?;
    let reply = w.next_reply("kenji").await?;
    assert!(reply.text.contains("コマンド一覧"), "{}", reply.text);
    assert!(reply.text.contains("/banto ping"), "{}", reply.text);
    w.slash("bob", "#ops", "/banto").await?;
    let reply = w.next_reply("bob").await?;
    assert!(reply.text.contains("Commands:"), "{}", reply.text);
    w.settle().await
}

#[tokio::test]
async fn a_typo_gets_a_suggestion() -> anyhow::Result<()> {
    let w = World::start().await?;
    w.slash("alice", "#ops", "/banto pnig").await?;
    let reply = w.next_reply("alice").await?;
    assert!(
        reply.text.contains("Did you mean `/banto ping`?"),
        "{}",
        reply.text
    );
    w.settle().await
}

#[tokio::test]
async fn forged_replayed_unsigned_and_oversized_requests_leave_no_row() -> anyhow::Result<()> {
    let w = World::start().await?;
    let http = reqwest::Client::new();
    let body = "team_id=T1&channel_id=C1&user_id=U1&command=%2Fbanto&text=ping&response_url=http%3A%2F%2F127.0.0.1%3A1%2Fr&trigger_id=1.2.3";
    let url = format!("{}/slack/commands", w.url);
    let now = chrono::Utc::now().timestamp();

    let forged = http
        .post(&url)
        .header("x-slack-request-timestamp", now.to_string())
        .header(
            "x-slack-signature",
            slack_sign("not-the-secret", now, body.as_bytes()),
        )
        .body(body)
        .send()
        .await?;
    assert_eq!(forged.status(), 401);
    assert_eq!(forged.text().await?, "signature does not match");

    let old = now - 6 * 60;
    let replayed = http
        .post(&url)
        .header("x-slack-request-timestamp", old.to_string())
        .header(
            "x-slack-signature",
            slack_sign(&w.signing_secret, old, body.as_bytes()),
        )
        .body(body)
        .send()
        .await?;
    assert_eq!(replayed.status(), 401);
    assert!(replayed.text().await?.contains("possible replay"));

    let unsigned = http.post(&url).body(body).send().await?;
    assert_eq!(unsigned.status(), 401);

    let tampered = http
        .post(&url)
        .header("x-slack-request-timestamp", now.to_string())
        .header(
            "x-slack-signature",
            slack_sign(&w.signing_secret, now, body.as_bytes()),
        )
        .body(body.replace("ping", "help"))
        .send()
        .await?;
    assert_eq!(tampered.status(), 401);

    let huge = format!("{body}&pad={}", "x".repeat(2 * 1024 * 1024));
    let oversized = http
        .post(&url)
        .header("x-slack-request-timestamp", now.to_string())
        .header(
            "x-slack-signature",
            slack_sign(&w.signing_secret, now, huge.as_bytes()),
        )
        .body(huge)
        .send()
        .await?;
    assert_eq!(oversized.status(), 413);

    let gh = http
        .post(format!("{}/github/webhook", w.url))
        .header("x-github-event", "ping")
        .header("x-github-delivery", "d-1")
        .header(
            "x-hub-signature",
            "sha1=0000000000000000000000000000000000000000",
        )
        .body("{}")
        .send()
        .await?;
    assert_eq!(gh.status(), 401);
    assert!(gh.text().await?.contains("only sha256"));

    assert_eq!(inbox_rows(&w).await, 0, "a refused request stores nothing");
    w.settle().await
}

#[tokio::test]
async fn slack_retries_and_github_redeliveries_are_handled_once() -> anyhow::Result<()> {
    let w = World::start().await?;
    let channel = w.channel("#ops");
    let event = serde_json::json!({
        "token": "x", "team_id": "T0BANTO01", "type": "event_callback", "event_id": "Ev0RETRY01",
        "event_time": 1, "event": { "type": "reaction_added", "user": w.user("bob"), "reaction": "eyes",
        "item": { "type": "message", "channel": channel, "ts": "1.000001" }, "event_ts": "1.000002" },
    });
    for retry in 0..3 {
        let ts = chrono::Utc::now().timestamp();
        let body = event.to_string();
        let mut req = reqwest::Client::new()
            .post(format!("{}/slack/events", w.url))
            .header("content-type", "application/json")
            .header("x-slack-request-timestamp", ts.to_string())
            .header(
                "x-slack-signature",
                slack_sign(&w.signing_secret, ts, body.as_bytes()),
            );
        if retry > 0 {
            req = req
                .header("x-slack-retry-num", retry.to_string())
                .header("x-slack-retry-reason", "http_timeout");
        }
        assert_eq!(req.body(body).send().await?.status(), 200);
    }
    let push = std::fs::read(corpus("github-webhooks/octokit__push__payload.json"))?;
    for _ in 0..2 {
        assert_eq!(
            w.post_github("push", "72d3162e-cc78-11e3-81ab-4c9367dc0958", &push)
                .await?
                .status(),
            200
        );
    }
    w.settle().await?;
    let rows = w.app.store.list(Queue::Inbox, None, 100).await?;
    let kinds: Vec<&str> = rows.iter().map(|r| r.kind.as_str()).collect();
    assert_eq!(
        kinds,
        ["github push", "reaction_added eyes"],
        "one row per event"
    );
    assert!(rows.iter().all(|r| r.state == "done" && r.attempts == 1));
    Ok(())
}

#[tokio::test]
async fn url_verification_echoes_the_challenge_without_storing() -> anyhow::Result<()> {
    let w = World::start().await?;
    let body = std::fs::read_to_string(corpus("slack/bolt-python__url_verification.json"))?;
    let r = w
        .post_slack("/slack/events", "application/json", body)
        .await?;
    assert_eq!(r.status(), 200);
    let v: serde_json::Value = r.json().await?;
    assert_eq!(
        v["challenge"],
        "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"
    );
    assert_eq!(inbox_rows(&w).await, 0);
    Ok(())
}

#[tokio::test]
async fn slack_rate_limits_are_waited_out() -> anyhow::Result<()> {
    let w = World::start().await?;
    w.slack.fail_next(
        "users.info",
        Fault::RateLimited {
            retry_after_secs: 1,
        },
        1,
    );
    let started = std::time::Instant::now();
    w.slash("kenji", "#ops", "/banto ping").await?;
    let reply = w.next_reply("kenji").await?;
    assert!(
        reply.text.contains("稼働中"),
        "Retry-After was honoured and the locale still found: {}",
        reply.text
    );
    assert!(
        started.elapsed() >= std::time::Duration::from_secs(1),
        "waited for Retry-After"
    );
    assert_eq!(w.slack.calls("users.info"), 2);
    w.settle().await
}

#[tokio::test]
async fn a_failing_handler_is_retried_then_parked_and_visible() -> anyhow::Result<()> {
    let mut opts = banto::fake::world::WorldOptions::default();
    opts.config.workers.max_attempts = 1;
    let w = World::start_with(opts).await?;
    // The response_url answers 404 `used_url` for an unknown id: every attempt fails.
    let body = serde_urlencoded::to_string([
        ("team_id", "T0BANTO01"),
        ("channel_id", &w.channel("#ops")),
        ("user_id", &w.user("alice")),
        ("command", "/banto"),
        ("text", "ping"),
        (
            "response_url",
            &format!("{}/response/R-unknown", w.slack.base_url),
        ),
        ("trigger_id", "9.9.parked"),
    ])?;
    assert_eq!(
        w.post_slack("/slack/commands", "application/x-www-form-urlencoded", body)
            .await?
            .status(),
        200
    );
    w.drain().await?;
    let parked = w.app.store.list(Queue::Inbox, Some("parked"), 10).await?;
    assert_eq!(parked.len(), 1, "the event is kept, not dropped");
    assert!(
        parked[0]
            .last_error
            .as_deref()
            .unwrap_or("")
            .contains("404"),
        "{:?}",
        parked[0].last_error
    );
    let metrics = reqwest::get(format!("{}/metrics", w.url))
        .await?
        .text()
        .await?;
    assert!(
        metrics.contains("banto_inbox_rows{state=\"parked\"} 1"),
        "{metrics}"
    );
    let err = w.settle().await.unwrap_err().to_string();
    assert!(err.contains("slash_command /banto (parked)"), "{err}");
    Ok(())
}

#[tokio::test]
async fn health_and_readiness() -> anyhow::Result<()> {
    let w = World::start().await?;
    assert_eq!(
        reqwest::get(format!("{}/healthz", w.url))
            .await?
            .text()
            .await?,
        "ok"
    );
    assert_eq!(
        reqwest::get(format!("{}/readyz", w.url)).await?.status(),
        200
    );
    Ok(())
}

fn corpus(path: &str) -> String {
    banto::fake::corpus::path(path).display().to_string()
}

#[tokio::test]
async fn socket_mode_events_reach_the_same_inbox_and_are_acknowledged_after_persisting()
-> anyhow::Result<()> {
    let opts = banto::fake::world::WorldOptions {
        socket_mode: true,
        ..Default::default()
    };
    let w = World::start_with(opts).await?;
    let ack = w.socket_slash("kenji", "#ops", "/banto ping").await?;
    let envelope = ack["envelope_id"].as_str().unwrap_or_default().to_owned();
    assert!(envelope.starts_with("env-"), "{ack}");
    // The ack was sent after the row was committed: it is there now.
    let rows = w.app.store.list(Queue::Inbox, None, 10).await?;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].kind, "slash_command /banto");
    let reply = w.next_reply("kenji").await?;
    assert!(reply.text.contains("稼働中"), "{}", reply.text);
    assert!(w.slack.calls("apps.connections.open") >= 1);
    w.settle().await
}

/// Signed events banto cannot use are acknowledged (a refusal makes Slack retry, and an app that
/// keeps refusing has its event subscription turned off), recorded as ignored with the reason,
/// counted, and never handled or retried. Only a body that is not JSON is refused.
#[tokio::test]
async fn every_signed_event_is_acknowledged_and_what_banto_cannot_use_is_recorded()
-> anyhow::Result<()> {
    use banto::fake::corpus::json;
    let w = World::start().await?;
    // Real payloads: a deleted message's `message_changed` with an empty `previous_message`,
    // a `pin_added` whose fields Slack left empty, an event kind banto has no use for.
    let mut changed =
        json("slack/java-slack-sdk__event.message_changed.previous_message_empty_array.inner.json");
    changed["message"].as_object_mut().unwrap().remove("ts");
    let mut pin = json("slack/slack-go__event.pin_added.inner.json");
    pin["user"] = "".into();
    pin["item"]["message"]["ts"] = "".into();
    let created = json("slack/java-slack-sdk__event.channel_created.duplicate-name-key.inner.json");
    let envelope = |event: serde_json::Value, id: &str| {
        serde_json::json!({ "token": "unused", "team_id": "T0BANTO01", "api_app_id": "A0BANTO01",
            "event": event, "type": "event_callback", "event_id": id, "event_time": 1 })
        .to_string()
    };
    let mut bodies = vec![
        envelope(changed, "Ev0000000001"),
        envelope(pin, "Ev0000000002"),
        envelope(created, "Ev0000000003"),
        r#"{"type":"app_uninstalled_team","team_id":"T0BANTO01"}"#.to_owned(),
        r#"{"type":"event_callback","event":{"type":"message"}}"#.to_owned(),
    ];
    bodies.push(bodies[0].clone());
    for body in &bodies {
        let r = w
            .post_slack("/slack/events", "application/json", body.clone())
            .await?;
        assert_eq!(r.status(), 200, "{body}: {}", r.text().await?);
    }
    let signed_garbage = w
        .post_slack("/slack/events", "application/json", "not json".into())
        .await?;
    assert_eq!(
        signed_garbage.status(),
        400,
        "a body that is not JSON is refused"
    );
    let form = "payload=%7B%22type%22%3A%22block_actions%22%2C%22user%22%3A%7B%22id%22%3A%22U1%22%7D%2C%22actions%22%3A%5B%7B%22action_id%22%3A%22deploy_approve%22%2C%22value%22%3A%22not-a-deploy%22%7D%5D%7D";
    let r = w
        .post_slack(
            "/slack/interactions",
            "application/x-www-form-urlencoded",
            form.into(),
        )
        .await?;
    assert_eq!(r.status(), 200, "a click on a button banto cannot read");
    w.settle().await?;

    let rows = w.app.store.list(Queue::Inbox, Some("ignored"), 100).await?;
    assert_eq!(
        rows.len(),
        6,
        "each once, the redelivery deduplicated: {rows:#?}"
    );
    assert!(
        rows.iter()
            .all(|r| r.attempts == 0 && r.last_error.is_some()),
        "never handled, each with why: {rows:#?}"
    );
    let why: Vec<&str> = rows
        .iter()
        .filter_map(|r| r.last_error.as_deref())
        .collect();
    for expected in [
        "message_changed: missing `message.ts`",
        "pin_added: missing `user`",
        "nothing in banto acts on this kind",
        "unknown Events API envelope type `app_uninstalled_team`",
        "message: missing `channel`",
    ] {
        assert!(
            why.iter().any(|w| w.contains(expected)),
            "{expected:?} in {why:?}"
        );
    }
    assert_eq!(
        w.app
            .store
            .list(Queue::Inbox, Some("pending"), 100)
            .await?
            .len(),
        0,
        "nothing waits to be retried"
    );
    let metrics = reqwest::get(format!("{}/metrics", w.url))
        .await?
        .text()
        .await?;
    assert!(
        metrics.contains(r#"banto_events_ignored_total{source="slack",why="unreadable"}"#),
        "{metrics}"
    );
    Ok(())
}

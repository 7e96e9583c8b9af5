//! Alerts into incidents: an Alertmanager notification (the corpus sample, retimed) posts a
//! card in #alerts, a resend posts nothing, Declare incident opens the form prefilled from the
//! alert and keeps the alert's start as the detection time, and the resolution edits the card
//! and lands on the incident's timeline. A CloudWatch alarm is classified by its rule, its
//! double delivery is one card, and it is attached to an open incident. Fake Slack; real banto.

use crate::helpers::*;
use banto::domain::incident::What;
use banto::fake::corpus;
use banto::ids::IncidentId;
use serde_json::{Value, json};

async fn world() -> World {
    let opts = WorldOptions::with_config(
        r##"
[incidents]
broadcast_channel = "#incidents"
[incidents.alerts]
channel = "#alerts"
[[incidents.alerts.alarms]]
names = ["ServerCpu*"]
severity = 2
services = ["web"]
"##,
    );
    World::start_with(opts).await.expect("world starts")
}

fn rfc3339(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap()
        .to_rfc3339()
}

/// The corpus's firing notification, started `started_ms`, critical, for the `web` service.
fn firing(started_ms: i64) -> Value {
    let mut body = corpus::json("alerts/prometheus-msteams__prom_post_request.firing.json");
    body["commonLabels"]["severity"] = json!("critical");
    body["commonLabels"]["service"] = json!("web");
    body["alerts"][0]["labels"]["severity"] = json!("critical");
    body["alerts"][0]["labels"]["service"] = json!("web");
    body["alerts"][0]["startsAt"] = json!(rfc3339(started_ms));
    body
}

fn resolved(mut body: Value, ended_ms: i64) -> Value {
    body["status"] = json!("resolved");
    body["alerts"][0]["endsAt"] = json!(rfc3339(ended_ms));
    body
}

async fn post(world: &World, body: &Value) {
    let r = world.post_alertmanager(body).await.unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    world.settle().await.unwrap();
}

fn alert_messages(world: &World) -> usize {
    let id = world.channel("#alerts");
    world
        .slack
        .state()
        .messages
        .iter()
        .filter(|m| m.channel == id && m.from_bot)
        .count()
}

#[tokio::test]
async fn an_alertmanager_alert_is_declared_with_its_detected_time_kept() {
    let world = world().await;
    let started = (world.app.clock.now_ms() - 12 * 60_000) / 1000 * 1000;
    let body = firing(started);
    post(&world, &body).await;
    let card = world.next_message("alerts").await.unwrap();
    assert!(
        card.text.contains("*Firing*")
            && card.text.contains("high_memory_load")
            && card.text.contains("SEV1")
            && card.text.contains("services: web"),
        "{}",
        card.text
    );
    // Alertmanager resends the same notification every repeat_interval: one card.
    post(&world, &body).await;
    assert_eq!(alert_messages(&world), 1);

    world.press("bob", &card, "Declare incident").await.unwrap();
    let view = world.slack.state().views.last().cloned().expect("the form");
    let blocks = &view.view["blocks"];
    assert_eq!(
        blocks[0]["element"]["initial_value"],
        "high_memory_load: Prometheus Test"
    );
    let sev = blocks
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["block_id"] == "sev")
        .unwrap();
    assert_eq!(sev["element"]["initial_option"]["value"], "1");
    let impact = blocks
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["block_id"] == "impact")
        .unwrap();
    assert_eq!(impact["element"]["initial_date_time"], started / 1000);
    let meta = view.view["private_metadata"].as_str().unwrap().to_owned();

    // The responder knows the impact began five minutes before the alert noticed it.
    let impact_s = started / 1000 - 5 * 60;
    world
        .submit_view(
            "bob",
            "declare_incident",
            &meta,
            json!({
                "title": { "title": "Web memory exhaustion" },
                "type": { "type": { "value": "bad-deploy" } },
                "sev": { "sev": { "value": "1" } },
                "services": { "services": [] },
                "private": { "private": [] },
                "impact": { "impact": impact_s },
            }),
        )
        .await
        .unwrap();
    world.settle().await.unwrap();
    let reply = world.next_reply("bob").await.unwrap();
    assert!(reply.text.starts_with("Declared *INC-1*"), "{}", reply.text);
    let i = world.app.store.load(IncidentId(1)).await.unwrap().unwrap();
    assert_eq!(
        i.record.detected_ms, started,
        "detected when the alert fired"
    );
    assert_eq!(i.record.impact_started_ms, impact_s * 1000);
    assert!(i.record.declared_ms > started);
    assert_eq!(i.record.metrics().detect, Some(5 * 60_000));
    assert!(
        i.meta
            .source_link
            .as_deref()
            .is_some_and(|l| l.contains("slack.com/archives/")),
        "linked to the alert's card: {:?}",
        i.meta.source_link
    );
    let linked = world
        .wait_edit(&card, "linked to the incident", |m| {
            m.text.contains("INC-1")
        })
        .await
        .unwrap();
    assert!(
        linked.blocks.as_ref().unwrap().as_array().unwrap().len() == 1,
        "no more buttons once declared"
    );
    let channel = i.meta.channel.clone().unwrap().0;
    let name = world.slack.state().channels[&channel].name.clone();
    let mut posted: Vec<FakeMessage> = Vec::new();
    for _ in 0..4 {
        posted.push(world.next_message(&name).await.unwrap());
    }
    world.next_message("incidents").await.unwrap();
    assert!(
        posted
            .iter()
            .any(|m| m.text.contains("Alert *high_memory_load* is firing")),
        "{posted:#?}"
    );

    // A Declare click from a card as it was before (another screen): told, no second incident.
    world
        .press("alice", &card, "Declare incident")
        .await
        .unwrap();
    let told = world.next_reply("alice").await.unwrap();
    assert!(
        told.text.contains("already linked to *INC-1*"),
        "{}",
        told.text
    );
    let ended = world.app.clock.now_ms() - 60_000;
    post(&world, &resolved(body, ended)).await;
    world
        .wait_edit(&card, "resolved", |m| m.text.contains("*Resolved*"))
        .await
        .unwrap();
    let notice = world.next_message(&name).await.unwrap();
    assert!(
        notice.text.contains("Alert *high_memory_load* resolved"),
        "{}",
        notice.text
    );
    let i = world.app.store.load(IncidentId(1)).await.unwrap().unwrap();
    let alerts: Vec<(i64, bool)> = i
        .record
        .timeline
        .iter()
        .filter_map(|e| match &e.what {
            What::Alert { firing, .. } => Some((e.occurred_ms, *firing)),
            _ => None,
        })
        .collect();
    assert_eq!(alerts, [(started, true), (ended, false)]);
}

#[tokio::test]
async fn a_cloudwatch_alarm_is_one_card_and_attaches_to_an_open_incident() {
    let world = world().await;
    world
        .slash("alice", "#ops", "/incident --type database Checkout slow")
        .await
        .unwrap();
    world.settle().await.unwrap();
    let reply = world.next_reply("alice").await.unwrap();
    assert!(reply.text.starts_with("Declared *INC-1*"), "{}", reply.text);
    let i = world.app.store.load(IncidentId(1)).await.unwrap().unwrap();
    let name = world.slack.state().channels[i.meta.channel.as_ref().unwrap().as_str()]
        .name
        .clone();
    for _ in 0..3 {
        world.next_message(&name).await.unwrap();
    }
    world.next_message("incidents").await.unwrap();

    let alarm_at = world.app.clock.now() - chrono::Duration::minutes(3);
    let stamp =
        |t: chrono::DateTime<chrono::Utc>| t.format("%Y-%m-%dT%H:%M:%S%.3f+0000").to_string();
    let mut alarm =
        corpus::json("alerts/feral__cloudwatch-alarm-state-change.single-metric.ALARM.json");
    alarm["detail"]["state"]["timestamp"] = json!(stamp(alarm_at));
    let r = world.post_aws_event(&alarm).await.unwrap();
    assert_eq!(r.status(), 200);
    // Delivered again by a second rule: another EventBridge id, the same state change.
    alarm["id"] = json!("another-delivery");
    world.post_aws_event(&alarm).await.unwrap();
    world.settle().await.unwrap();
    let card = world.next_message("alerts").await.unwrap();
    assert_eq!(alert_messages(&world), 1);
    assert!(
        card.text.contains("ServerCpuTooHigh") && card.text.contains("SEV2"),
        "{}",
        card.text
    );

    world
        .press("bob", &card, "Attach to incident")
        .await
        .unwrap();
    let view = world.slack.state().views.last().cloned().expect("the form");
    assert_eq!(view.view["callback_id"], "attach_alert");
    let options = &view.view["blocks"][1]["element"]["options"];
    assert_eq!(options[0]["value"], "1");
    let meta = view.view["private_metadata"].as_str().unwrap().to_owned();
    world
        .submit_view(
            "bob",
            "attach_alert",
            &meta,
            json!({ "incident": { "incident": { "value": "1" } } }),
        )
        .await
        .unwrap();
    world.settle().await.unwrap();
    let reply = world.next_reply("bob").await.unwrap();
    assert!(reply.text.contains("attached to *INC-1*"), "{}", reply.text);
    let firing = world.next_message(&name).await.unwrap();
    assert!(
        firing.text.contains("ServerCpuTooHigh* is firing"),
        "{}",
        firing.text
    );
    world
        .wait_edit(&card, "linked", |m| m.text.contains("INC-1"))
        .await
        .unwrap();

    let ok_at = world.app.clock.now() - chrono::Duration::minutes(1);
    alarm["id"] = json!("recovery");
    alarm["detail"]["previousState"] = alarm["detail"]["state"].clone();
    alarm["detail"]["state"]["value"] = json!("OK");
    alarm["detail"]["state"]["timestamp"] = json!(stamp(ok_at));
    world.post_aws_event(&alarm).await.unwrap();
    world.settle().await.unwrap();
    let resolved = world.next_message(&name).await.unwrap();
    assert!(resolved.text.contains("resolved"), "{}", resolved.text);
    let i = world.app.store.load(IncidentId(1)).await.unwrap().unwrap();
    let last = i.record.timeline.last().unwrap();
    assert_eq!(last.occurred_ms, ok_at.timestamp_millis());
    assert!(matches!(&last.what, What::Alert { firing: false, .. }));
}

/// Two notices for one group handled at the same moment (two replicas, the inbox's order
/// bypassed) make one episode and one card: the database keeps one firing episode per group, the
/// loser's insert fails, and its retry finds the winner's episode.
#[tokio::test]
async fn two_notices_for_one_group_at_once_make_one_episode() {
    let world = world().await;
    let now = world.app.clock.now_ms();
    let notice = |started: i64| {
        let body = serde_json::to_vec(&firing(started)).unwrap();
        match banto::event::parse_alertmanager(&body).unwrap().1 {
            banto::event::Event::Alert(n) => n,
            other => panic!("{other:?}"),
        }
    };
    let (a, b) = (notice(now - 120_000), notice(now - 60_000));
    let app = &world.app;
    let (ra, rb) = tokio::join!(
        banto::handlers::incident::alert(app, a.clone()),
        banto::handlers::incident::alert(app, b.clone())
    );
    for (r, n) in [(ra, a), (rb, b)] {
        if r.is_err() {
            banto::handlers::incident::alert(app, n).await.unwrap();
        }
    }
    let group = notice(now).group;
    let episodes = world
        .app
        .store
        .alert_episodes(banto::event::AlertSource::Alertmanager, &group)
        .await
        .unwrap();
    assert_eq!(episodes.len(), 1, "one episode: {episodes:#?}");
    world.settle().await.unwrap();
    assert_eq!(alert_messages(&world), 1, "one card");
    world
        .slack
        .mutate(|s| s.messages.iter_mut().for_each(|m| m.seen = true));
}

/// Two responders submit the declaration form for one alert before either is handled: one
/// incident, and the second hears its link.
#[tokio::test]
async fn two_forms_for_one_alert_declare_one_incident() {
    let world = world().await;
    post(&world, &firing(world.app.clock.now_ms() - 60_000)).await;
    let card = world.next_message("alerts").await.unwrap();
    let mut metas = vec![];
    for who in ["bob", "kenji"] {
        world.press(who, &card, "Declare incident").await.unwrap();
        let view = world.slack.state().views.last().cloned().expect("the form");
        metas.push(view.view["private_metadata"].as_str().unwrap().to_owned());
    }
    for (who, meta) in ["bob", "kenji"].iter().zip(&metas) {
        world
            .submit_view(
                who,
                "declare_incident",
                meta,
                json!({
                    "title": { "title": format!("Web memory ({who})") },
                    "type": { "type": { "value": "database" } },
                    "sev": { "sev": { "value": "2" } },
                    "private": { "private": [] },
                }),
            )
            .await
            .unwrap();
    }
    world.settle().await.unwrap();
    let open = world.app.store.open_incidents().await.unwrap();
    assert_eq!(open.len(), 1, "one incident");
    let channel = open[0].meta.channel.clone().unwrap();
    for who in ["bob", "kenji"] {
        let reply = world.next_reply(who).await.unwrap().text;
        assert!(
            reply.contains("INC-1") && reply.contains(&format!("<#{channel}>")),
            "{who}: {reply}"
        );
    }
    world
        .slack
        .mutate(|s| s.messages.iter_mut().for_each(|m| m.seen = true));
}

/// An alarm rule names the playbook its incidents start with: the form preselects it (a
/// database alarm is not declared as the alphabetically first "bad deploy").
#[tokio::test]
async fn an_alarms_rule_preselects_its_incident_type() {
    let opts = WorldOptions::with_config(
        r##"
[incidents]
broadcast_channel = "#incidents"
[incidents.alerts]
channel = "#alerts"
[[incidents.alerts.alarms]]
names = ["ServerCpu*"]
type = "database"
"##,
    );
    let world = World::start_with(opts).await.expect("world starts");
    let mut alarm =
        corpus::json("alerts/feral__cloudwatch-alarm-state-change.single-metric.ALARM.json");
    let now = world.app.clock.now();
    alarm["detail"]["state"]["timestamp"] =
        json!(now.format("%Y-%m-%dT%H:%M:%S%.3f+0000").to_string());
    world.post_aws_event(&alarm).await.unwrap();
    world.settle().await.unwrap();
    let card = world.next_message("alerts").await.unwrap();
    world.press("bob", &card, "Declare incident").await.unwrap();
    let view = world.slack.state().views.last().cloned().expect("the form");
    let chosen = |block: &str| view.initial_option(block);
    assert_eq!(chosen("type"), Some(json!("database")));
    assert_eq!(
        chosen("sev"),
        Some(json!("2")),
        "the database playbook's SEV2"
    );

    let err = banto::config::Config::parse(
        "[[incidents.alerts.alarms]]\nnames = [\"X*\"]\ntype = \"databse\"\n",
        std::path::Path::new("config.toml"),
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("config.toml:3:8: incidents.alerts.alarms type \"databse\" has no playbook"),
        "{err}"
    );
}

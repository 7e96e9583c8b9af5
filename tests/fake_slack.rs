//! The fake Slack answers in Slack's wire format: every field of the real responses in
//! `shared/corpus/slack/webapi__*` is present in the fake's, and its errors are Slack's.

use banto::clients::retry::RetryPolicy;
use banto::clients::slack::{Outgoing, SlackApi, SlackError};
use banto::config::Secret;
use banto::fake::slack::{FakeSlack, Fault};
use banto::ids::{ChannelId, MessageTs, UserId};
use serde_json::{Value, json};

const TOKEN: &str = "xoxb-shape-test";

fn corpus(name: &str) -> Value {
    banto::fake::corpus::json(&format!("slack/{name}"))
}

/// Paths present in `real` but missing from `fake` (arrays compared by their first element).
fn missing(real: &Value, fake: &Value, path: &str, out: &mut Vec<String>) {
    match (real, fake) {
        (Value::Object(r), Value::Object(f)) => {
            for (k, rv) in r {
                match f.get(k) {
                    Some(fv) => missing(rv, fv, &format!("{path}.{k}"), out),
                    None => out.push(format!("{path}.{k}")),
                }
            }
        }
        (Value::Array(r), Value::Array(f)) => {
            if let (Some(r0), Some(f0)) = (r.first(), f.first()) {
                missing(r0, f0, &format!("{path}[0]"), out);
            }
        }
        _ => {}
    }
}

async fn call(fake: &FakeSlack, method: &str, body: Value) -> Value {
    reqwest::Client::new()
        .post(format!("{}/{method}", fake.api_url()))
        .bearer_auth(TOKEN)
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn responses_carry_every_field_the_real_ones_do() {
    let fake = FakeSlack::start(TOKEN).await.unwrap();
    let alice = fake.add_user("alice", "en-US", "Asia/Tokyo");
    let ops = fake.add_channel("ops", false, &[&alice]);
    let posted = call(
        &fake,
        "chat.postMessage",
        json!({ "channel": ops, "text": "hello" }),
    )
    .await;
    let ts = posted["ts"].as_str().unwrap().to_owned();
    call(
        &fake,
        "chat.postMessage",
        json!({ "channel": ops, "text": "reply", "thread_ts": ts }),
    )
    .await;
    let cases = [
        (
            "webapi__auth.test.ok.json",
            call(&fake, "auth.test", json!({})).await,
        ),
        ("webapi__chat.postMessage.ok.json", posted.clone()),
        (
            "webapi__chat.update.ok.json",
            call(
                &fake,
                "chat.update",
                json!({ "channel": ops, "ts": ts, "text": "edited" }),
            )
            .await,
        ),
        (
            "webapi__chat.postEphemeral.ok.json",
            call(
                &fake,
                "chat.postEphemeral",
                json!({ "channel": ops, "user": alice, "text": "psst" }),
            )
            .await,
        ),
        (
            "webapi__conversations.create.ok.json",
            call(
                &fake,
                "conversations.create",
                json!({ "name": "inc-2026-11-22-db" }),
            )
            .await,
        ),
        (
            "webapi__conversations.history.ok.json",
            call(&fake, "conversations.history", json!({ "channel": ops })).await,
        ),
        (
            "webapi__conversations.replies.ok.json",
            call(
                &fake,
                "conversations.replies",
                json!({ "channel": ops, "ts": ts }),
            )
            .await,
        ),
        (
            "webapi__reactions.add.ok.json",
            call(
                &fake,
                "reactions.add",
                json!({ "channel": ops, "timestamp": ts, "name": "eyes" }),
            )
            .await,
        ),
        (
            "webapi__conversations.create.error.json",
            call(&fake, "conversations.create", json!({ "name": "ops" })).await,
        ),
    ];
    let mut report = vec![];
    for (file, got) in cases {
        let real = corpus(file);
        assert_eq!(got["ok"], real["ok"], "{file}: {got}");
        let mut gaps = vec![];
        // Values Slack fills for its own bookkeeping that banto never reads.
        let ignored = [
            "has_more",
            "response_metadata.next_cursor",
            "message.attachments",
            "message.username",
            "message.subtype",
            "channel.unlinked",
            "channel.unread_count",
            "channel.unread_count_display",
            "channel.latest",
            "channel.is_read_only",
            "channel.is_thread_only",
            "channel.is_moved",
            "channel.is_open",
            "channel.parent_conversation",
            "channel.shared_team_ids",
            "channel.internal_team_ids",
            "channel.pending_connected_team_ids",
            "channel.context_team_id",
            "channel.conversation_host_id",
            "channel.updated",
            "channel.properties",
            "messages[0].last_read",
            "messages[0].subscribed",
            "messages[0].unread_count",
            "messages[0].parent_user_id",
        ];
        missing(&real, &got, "", &mut gaps);
        gaps.retain(|g| !ignored.contains(&g.trim_start_matches('.')));
        if !gaps.is_empty() {
            report.push(format!("{file}: fake lacks {gaps:?}"));
        }
    }
    assert!(report.is_empty(), "{}", report.join("\n"));
}

#[tokio::test]
async fn errors_are_slacks_and_the_client_maps_them() {
    let fake = FakeSlack::start(TOKEN).await.unwrap();
    let slack = SlackApi::new(
        &fake.api_url(),
        &Secret::new(TOKEN),
        RetryPolicy::default(),
        false,
    )
    .unwrap();
    let secret_room = fake.add_channel("secret", true, &[]);
    fake.mutate(|s| {
        s.channels.get_mut(&secret_room).unwrap().members.clear();
    });
    let err = slack
        .post(&ChannelId::from("C404"), &Outgoing::text("hi"), None)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, SlackError::Api(code) if code == "channel_not_found"),
        "{err}"
    );
    let err = slack
        .post(&ChannelId::new(secret_room), &Outgoing::text("hi"), None)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, SlackError::Api(code) if code == "channel_not_found"),
        "private and not a member: {err}"
    );
    let err = slack
        .update(
            &ChannelId::new(fake.add_channel("x", false, &[])),
            &MessageTs::from("1.2"),
            &Outgoing::text("hi"),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&err, SlackError::Api(code) if code == "message_not_found"),
        "{err}"
    );

    let bad = SlackApi::new(
        &fake.api_url(),
        &Secret::new("xoxb-wrong"),
        RetryPolicy::default(),
        false,
    )
    .unwrap();
    let err = bad.auth_test().await.unwrap_err();
    assert!(
        matches!(&err, SlackError::Api(code) if code == "invalid_auth"),
        "{err}"
    );
    assert!(
        !err.to_string().contains("xoxb-wrong"),
        "the token never appears in an error"
    );

    let raw = call(
        &fake,
        "conversations.invite",
        json!({ "channel": "C404", "users": "U1" }),
    )
    .await;
    assert_eq!(raw, json!({ "ok": false, "error": "channel_not_found" }));
    let general = fake.state().channel_by_name("general").unwrap().id.clone();
    let bob = fake.add_user("bob", "en-US", "UTC");
    let raw = call(
        &fake,
        "conversations.invite",
        json!({ "channel": general, "users": bob }),
    )
    .await;
    assert_eq!(
        raw["error"], "already_in_channel",
        "users join #general on arrival: {raw}"
    );
    let other = fake.add_channel("other", false, &[]);
    let raw = call(
        &fake,
        "conversations.invite",
        json!({ "channel": other, "users": format!("{bob},U0NOBODY") }),
    )
    .await;
    assert_eq!(raw["error"], "user_not_found");
}

#[tokio::test]
async fn rate_limits_come_with_retry_after_and_the_client_waits() {
    let fake = FakeSlack::start(TOKEN).await.unwrap();
    fake.fail_next(
        "chat.postMessage",
        Fault::RateLimited {
            retry_after_secs: 1,
        },
        1,
    );
    let resp = reqwest::Client::new()
        .post(format!("{}/chat.postMessage", fake.api_url()))
        .bearer_auth(TOKEN)
        .json(&json!({ "channel": "#general", "text": "hi" }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 429);
    assert_eq!(resp.headers()["retry-after"], "1");
    assert_eq!(
        resp.json::<Value>().await.unwrap(),
        json!({ "ok": false, "error": "ratelimited" })
    );

    let slack = SlackApi::new(
        &fake.api_url(),
        &Secret::new(TOKEN),
        RetryPolicy::default(),
        false,
    )
    .unwrap();
    fake.fail_next(
        "chat.postMessage",
        Fault::RateLimited {
            retry_after_secs: 1,
        },
        1,
    );
    fake.fail_next("users.info", Fault::Http(503), 2);
    let started = std::time::Instant::now();
    let ts = slack
        .post(
            &ChannelId::from("#general"),
            &Outgoing::text("after the wait"),
            None,
        )
        .await
        .unwrap();
    assert!(started.elapsed() >= std::time::Duration::from_secs(1));
    assert!(!ts.0.is_empty());
    let alice = fake.add_user("alice", "ja-JP", "Asia/Tokyo");
    let profile = slack.profile(&UserId::new(alice)).await.unwrap();
    assert_eq!(
        profile.tz.as_deref(),
        Some("Asia/Tokyo"),
        "two 503s were retried"
    );
    fake.fail_next(
        "chat.postMessage",
        Fault::Error("too_many_attachments".into()),
        1,
    );
    let err = slack
        .post(&ChannelId::from("#general"), &Outgoing::text("x"), None)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, SlackError::Api(code) if code == "too_many_attachments"),
        "not retried: {err}"
    );
    assert_eq!(fake.calls("chat.postMessage"), 4);
}

#[tokio::test]
async fn channels_threads_reactions_pins_topics_views_groups_and_files() {
    let fake = FakeSlack::start(TOKEN).await.unwrap();
    let alice = fake.add_user("alice", "en-US", "Asia/Tokyo");
    let created = call(
        &fake,
        "conversations.create",
        json!({ "name": "inc-42", "is_private": true }),
    )
    .await;
    let inc = created["channel"]["id"].as_str().unwrap().to_owned();
    assert!(inc.starts_with('G') && created["channel"]["is_private"] == true);
    assert_eq!(
        call(&fake, "conversations.create", json!({ "name": "Bad Name" })).await["error"],
        "invalid_name_specials"
    );
    assert_eq!(
        call(
            &fake,
            "conversations.invite",
            json!({ "channel": inc, "users": [alice] })
        )
        .await["ok"],
        true
    );
    assert_eq!(
        call(
            &fake,
            "conversations.setTopic",
            json!({ "channel": inc, "topic": "SEV1: db down" })
        )
        .await["channel"]["topic"]["value"],
        "SEV1: db down"
    );
    let parent = call(
        &fake,
        "chat.postMessage",
        json!({ "channel": inc, "text": "declared" }),
    )
    .await["ts"]
        .as_str()
        .unwrap()
        .to_owned();
    call(
        &fake,
        "chat.postMessage",
        json!({ "channel": inc, "text": "update 1", "thread_ts": parent }),
    )
    .await;
    assert_eq!(
        call(
            &fake,
            "chat.postMessage",
            json!({ "channel": inc, "text": "x", "thread_ts": "9.9" })
        )
        .await["error"],
        "thread_not_found"
    );
    let replies = call(
        &fake,
        "conversations.replies",
        json!({ "channel": inc, "ts": parent }),
    )
    .await;
    assert_eq!(replies["messages"].as_array().unwrap().len(), 2);
    assert_eq!(replies["messages"][0]["reply_count"], 1);
    assert_eq!(
        call(
            &fake,
            "reactions.add",
            json!({ "channel": inc, "timestamp": parent, "name": "pushpin" })
        )
        .await["ok"],
        true
    );
    assert_eq!(
        call(
            &fake,
            "reactions.add",
            json!({ "channel": inc, "timestamp": parent, "name": "pushpin" })
        )
        .await["error"],
        "already_reacted"
    );
    assert_eq!(
        call(
            &fake,
            "pins.add",
            json!({ "channel": inc, "timestamp": parent })
        )
        .await["ok"],
        true
    );
    assert_eq!(
        call(
            &fake,
            "pins.add",
            json!({ "channel": inc, "timestamp": parent })
        )
        .await["error"],
        "already_pinned"
    );
    assert_eq!(
        call(&fake, "pins.list", json!({ "channel": inc })).await["items"][0]["message"]["text"],
        "declared"
    );
    let history = call(&fake, "conversations.history", json!({ "channel": inc })).await;
    assert_eq!(
        history["messages"].as_array().unwrap().len(),
        1,
        "thread replies are not in history"
    );
    assert_eq!(history["messages"][0]["reactions"][0]["name"], "pushpin");
    let view = call(&fake, "views.open", json!({ "trigger_id": "1.2.3", "view": { "type": "modal", "title": { "type": "plain_text", "text": "Reject" }, "blocks": [] } })).await;
    assert!(view["view"]["id"].as_str().unwrap().starts_with('V'));
    let group = fake.add_usergroup("sre-oncall", &[&alice]);
    assert_eq!(
        call(
            &fake,
            "usergroups.users.list",
            json!({ "usergroup": group })
        )
        .await["users"],
        json!([alice])
    );
    assert_eq!(
        call(
            &fake,
            "usergroups.users.list",
            json!({ "usergroup": "S0NONE" })
        )
        .await["error"],
        "no_such_subteam"
    );
    // files.upload is retired; the upload flow is URL → bytes → complete.
    assert_eq!(
        call(
            &fake,
            "files.upload",
            json!({ "channels": inc, "content": "x" })
        )
        .await["error"],
        "method_deprecated"
    );
    let url = call(
        &fake,
        "files.getUploadURLExternal",
        json!({ "filename": "plan.txt", "length": 13 }),
    )
    .await;
    let early = call(
        &fake,
        "files.completeUploadExternal",
        json!({ "files": [{ "id": url["file_id"], "title": "Plan" }], "channel_id": inc }),
    )
    .await;
    assert_eq!(early["error"], "file_upload_not_complete");
    let sent = reqwest::Client::new()
        .post(url["upload_url"].as_str().unwrap())
        .body("resource list")
        .send()
        .await
        .unwrap();
    assert_eq!(sent.text().await.unwrap(), "OK - 13");
    let done = call(
        &fake,
        "files.completeUploadExternal",
        json!({ "files": [{ "id": url["file_id"], "title": "Plan" }], "channel_id": inc }),
    )
    .await;
    assert_eq!(done["files"][0]["name"], "plan.txt");
    assert_eq!(fake.state().files.last().unwrap().content, "resource list");
    let user = call(
        &fake,
        "users.info",
        json!({ "user": alice, "include_locale": true }),
    )
    .await;
    assert_eq!(
        (user["user"]["locale"].as_str(), user["user"]["tz"].as_str()),
        (Some("en-US"), Some("Asia/Tokyo"))
    );
    assert_eq!(user["user"]["tz_offset"], 9 * 3600);
    assert_eq!(
        call(&fake, "conversations.archive", json!({ "channel": inc })).await["ok"],
        true
    );
    assert_eq!(
        call(
            &fake,
            "chat.postMessage",
            json!({ "channel": inc, "text": "late" })
        )
        .await["error"],
        "is_archived"
    );
    assert_eq!(
        call(&fake, "no.such.method", json!({})).await["error"],
        "unknown_method"
    );
}

//! Every real Slack and GitHub sample in `shared/corpus` is parsed into the event banto expects,
//! or refused with a reason a person can act on.

use banto::event::{self, Event, SlackEnvelope};
use banto::fake::corpus::{files, path as corpus_path};

fn label(e: &Event) -> String {
    match e {
        Event::SlashCommand(c) => format!("slash_command {}", c.command),
        Event::BlockAction(a) => format!("block_action {}", a.action.wire().0),
        Event::ViewSubmission(v) => format!("view_submission {}", v.form.wire().0),
        Event::Message(m) => format!("message bot={}", m.from_bot),
        Event::ReactionAdded(r) => format!("reaction_added {}", r.reaction),
        Event::MessageShortcut(m) => format!("message_shortcut {}", m.callback_id),
        Event::MessageChanged(_) => "message_changed".into(),
        Event::MessageDeleted(_) => "message_deleted".into(),
        Event::PinAdded(p) => format!("pin_added {}", p.ts),
        Event::Github(g) => format!("github {}", g.kind),
        Event::CodeBuild(b) => format!("codebuild {}", b.status),
        Event::ImagePushed(p) => format!("image_pushed {}", p.tag),
        Event::ArgoCd(n) => format!("argocd {}", n.health_status),
        Event::Alert(a) => format!(
            "alert {} {} firing={}",
            a.source.word(),
            a.name,
            a.alerts.iter().filter(|s| s.firing).count()
        ),
        Event::Timer(_) => "timer".into(),
        Event::Ignored {
            kind, why: Some(w), ..
        } => format!("unreadable {kind}: {w}"),
        Event::Ignored { kind, .. } => format!("ignored {kind}"),
    }
}

/// What banto makes of one Slack sample, as "ok: <event>" or "refused: <reason>".
fn classify_slack(name: &str, body: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(body);
    let result = if name.ends_with(".form.txt") {
        if text.starts_with("payload=") {
            event::parse_interaction(body).map(|(_, e)| label(&e))
        } else {
            event::parse_slash_command(body).map(|c| label(&Event::SlashCommand(c)))
        }
    } else if name.starts_with("webapi__")
        || name.contains("signature-vector")
        || name.starts_with("python-slack-sdk__view_")
    {
        return None; // Web API responses, signing vectors and view definitions: tested elsewhere
    } else {
        let v: serde_json::Value = serde_json::from_slice(body).unwrap();
        match v["type"].as_str() {
            Some("block_actions" | "view_submission" | "shortcut") => {
                let form = serde_urlencoded::to_string([("payload", v.to_string())]).unwrap();
                event::parse_interaction(form.as_bytes()).map(|(_, e)| label(&e))
            }
            Some("event_callback" | "url_verification" | "app_rate_limited") | None
                if v.get("event").is_some() || v.get("challenge").is_some() =>
            {
                event::parse_slack_events(body).map(|env| match env {
                    SlackEnvelope::Callback { event, .. } => label(&event),
                    SlackEnvelope::UrlVerification { .. } => "url_verification".into(),
                    SlackEnvelope::RateLimited => "app_rate_limited".into(),
                })
            }
            _ if v.get("command").is_some() => {
                let form = serde_urlencoded::to_string(
                    v.as_object()
                        .unwrap()
                        .iter()
                        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
                        .collect::<Vec<_>>(),
                )
                .unwrap();
                event::parse_slash_command(form.as_bytes()).map(|c| label(&Event::SlashCommand(c)))
            }
            _ => {
                // A bare inner event (as java-slack-sdk stores them): wrap it the way Slack does.
                let wrapped =
                    serde_json::json!({ "type": "event_callback", "event_id": "Ev1", "event": v });
                event::parse_slack_events(wrapped.to_string().as_bytes()).map(|env| match env {
                    SlackEnvelope::Callback { event, .. } => label(&event),
                    other => format!("{other:?}"),
                })
            }
        }
    };
    Some(match result {
        Ok(l) => format!("ok: {l}"),
        Err(e) => format!("refused: {e}"),
    })
}

#[test]
fn every_slack_sample_is_parsed_or_refused_with_a_reason() {
    let expected: &[(&str, &str)] = &[
        ("bolt-js__shortcut.form.txt", "ok: ignored shortcut"),
        (
            "bolt-js__slash_command.hello-bolt-js.form.txt",
            "ok: slash_command /hello-bolt-js",
        ),
        ("bolt-python__block_actions.form.txt", "ok: block_action a"),
        ("bolt-python__block_actions.json", "ok: block_action a"),
        (
            "bolt-python__event_callback.app_mention.json",
            "ok: message bot=false",
        ),
        (
            "bolt-python__event_callback.member_joined_channel.bot_self.json",
            "ok: ignored member_joined_channel",
        ),
        (
            "bolt-python__event_callback.member_left_channel.bot_self.json",
            "ok: ignored member_left_channel",
        ),
        (
            "bolt-python__event_callback.message.bot_message.json",
            "ok: message bot=true",
        ),
        (
            "bolt-python__event_callback.message.json",
            "ok: message bot=false",
        ),
        (
            "bolt-python__event_callback.message.thread_broadcast.json",
            "ok: message bot=false",
        ),
        (
            "bolt-python__event_callback.message_deleted.json",
            "ok: message_deleted",
        ),
        (
            "bolt-python__event_callback.reaction_added.json",
            "ok: reaction_added heart_eyes",
        ),
        (
            "bolt-python__message_action.form.txt",
            "ok: message_shortcut test-shortcut",
        ),
        (
            "bolt-python__message_action.json",
            "ok: ignored message_action",
        ),
        (
            "bolt-python__slash_command.form.txt",
            "ok: slash_command /hello-world",
        ),
        ("bolt-python__url_verification.json", "ok: url_verification"),
        (
            "bolt-python__view_submission.form.txt",
            "ok: view_submission view-id",
        ),
        (
            "bolt-python__view_submission.json",
            "ok: view_submission view-id",
        ),
        (
            "bolt-python__view_submission.response_urls.json",
            "ok: view_submission view-id",
        ),
        (
            "java-slack-sdk__block_actions.home_view.confirm.json",
            "ok: block_action clear-settings-button",
        ),
        (
            "java-slack-sdk__block_actions.in_thread.json",
            "ok: block_action save",
        ),
        (
            "java-slack-sdk__block_actions.message_attachment.docs.json",
            "ok: block_action WaXA",
        ),
        (
            "java-slack-sdk__block_actions.with_state.json",
            "ok: block_action save",
        ),
        (
            "java-slack-sdk__event.app_home_opened.inner.json",
            "ok: ignored app_home_opened",
        ),
        (
            "java-slack-sdk__event.channel_created.duplicate-name-key.inner.json",
            "ok: ignored channel_created",
        ),
        (
            "java-slack-sdk__event.message_changed.in_thread.inner.json",
            "ok: message_changed",
        ),
        (
            "java-slack-sdk__event.message_changed.previous_message_empty_array.inner.json",
            "ok: message_deleted",
        ),
        (
            "java-slack-sdk__event.message_deleted.bot_message.inner.json",
            "ok: message_deleted",
        ),
        (
            "java-slack-sdk__event.reaction_added.inner.json",
            "ok: reaction_added thumbsup",
        ),
        (
            "java-slack-sdk__event.reaction_removed.inner.json",
            "ok: ignored reaction_removed",
        ),
        (
            "java-slack-sdk__message_action.docs.json",
            "ok: ignored message_action",
        ),
        (
            "java-slack-sdk__superset__api_conversations.create.json",
            "ok: unreadable event_callback: event: missing `type`",
        ),
        (
            "java-slack-sdk__superset__app-backend_interactive-components_BlockActionPayload.json",
            "refused: interaction: missing `user.id`",
        ),
        (
            "java-slack-sdk__superset__app-backend_slash-commands_SlashCommandPayload.json",
            "refused: slash command form: `team_id` is empty",
        ),
        (
            "java-slack-sdk__superset__app-backend_views_ViewSubmissionPayload.json",
            "refused: interaction: missing `user.id`",
        ),
        (
            "java-slack-sdk__superset__events_AppMentionPayload.json",
            "ok: unreadable event_callback: event: missing `type`",
        ),
        (
            "java-slack-sdk__superset__events_MessagePayload.json",
            "ok: unreadable event_callback: event: missing `type`",
        ),
        (
            "java-slack-sdk__superset__events_ReactionAddedPayload.json",
            "ok: unreadable reaction_added: reaction_added: missing `user`",
        ),
        (
            "java-slack-sdk__view_submission.modal.json",
            "ok: view_submission modal-callback-id",
        ),
        (
            "java-slack-sdk__view_submission.org_app.json",
            "ok: view_submission test-view",
        ),
        (
            "python-slack-sdk__webapi__files.completeUploadExternal.ok.json",
            "ok: unreadable event_callback: event: missing `type`",
        ),
        (
            "python-slack-sdk__webapi__files.getUploadURLExternal.ok.json",
            "ok: unreadable event_callback: event: missing `type`",
        ),
        (
            "slack-go__event.app_home_opened.without_view.inner.json",
            "ok: ignored app_home_opened",
        ),
        (
            "slack-go__event.pin_added.inner.json",
            "ok: pin_added 1539904112.000100",
        ),
        (
            "slack-go__event.pin_removed.inner.json",
            "ok: ignored pin_removed",
        ),
        (
            "slack-go__event.subteam_members_changed.inner.json",
            "ok: ignored subteam_members_changed",
        ),
        (
            "slack-go__event_callback.app_home_opened.with_view.json",
            "ok: ignored app_home_opened",
        ),
        (
            "slack-go__webapi__views.publish.ok.home.json",
            "ok: unreadable event_callback: event: missing `type`",
        ),
        (
            "slash-command__webhook-collect.form.txt",
            "ok: slash_command /webhook-collect",
        ),
    ];
    let mut got = vec![];
    for (name, body) in files("slack") {
        if let Some(outcome) = classify_slack(&name, &body) {
            got.push((name, outcome));
        }
    }
    let table: Vec<String> = got
        .iter()
        .map(|(n, o)| format!("(\"{n}\", \"{o}\"),"))
        .collect();
    println!("{}", table.join("\n"));
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    assert_eq!(got, expected, "\nactual table:\n{}", table.join("\n"));
}

#[test]
fn every_github_sample_is_parsed_or_refused_with_a_reason() {
    let mut parsed = 0;
    for (name, body) in files("github-webhooks") {
        if name.contains("signature-vectors")
            || name.ends_with(".md")
            || name.ends_with("headers.json")
        {
            continue;
        }
        // octokit__<event>__<variant>.json, koishi__<event>.<action>.N.json, samsahai__push.body.json
        let stem = name.split("__").nth(1).unwrap();
        let kind = stem.split(['.', '_']).next().unwrap();
        let kind = match kind {
            "issue" => "issue_comment",
            "pull" => "pull_request",
            "workflow" => "workflow_run",
            "check" | "chect" => "check_suite",
            "dependabot" => "dependabot_alert",
            "registry" => "registry_package",
            k => k,
        };
        match event::parse_github(kind, "delivery-1", &body) {
            Ok(Event::Github(g)) => {
                assert_eq!(g.kind, kind);
                assert!(
                    g.repository.is_some() || kind == "ping" || kind == "package",
                    "{name}: repository"
                );
                parsed += 1;
            }
            Ok(other) => panic!("{name}: unexpected {other:?}"),
            Err(e) => panic!("{name} ({kind}) refused: {e}"),
        }
    }
    assert!(parsed >= 30, "parsed {parsed} GitHub samples");
}

#[test]
fn every_alert_sample_is_parsed() {
    let mut table = Vec::new();
    for (name, body) in files("alerts") {
        let parsed = if name.starts_with("feral__") {
            event::parse_aws_event(&body)
        } else {
            event::parse_alertmanager(&body)
        };
        let (_, e) = parsed.unwrap_or_else(|e| panic!("{name}: {e}"));
        table.push(format!("{name}: {}", label(&e)));
    }
    assert_eq!(
        table,
        [
            "feral__cloudwatch-alarm-state-change.composite-with-suppressor.ALARM.json: alert cloudwatch ServiceAggregatedAlarm firing=1",
            "feral__cloudwatch-alarm-state-change.metrics-formula.ALARM-from-INSUFFICIENT_DATA.json: alert cloudwatch TotalNetworkTrafficTooHigh firing=1",
            "feral__cloudwatch-alarm-state-change.single-metric.ALARM.json: alert cloudwatch ServerCpuTooHigh firing=1",
            "prom2teams__all_ok_extra_annotations.resolved.json: alert alertmanager DiskSpace firing=0",
            "prom2teams__with_common_items.resolved.json: alert alertmanager CPUThrottlingHigh firing=0",
            "prometheus-msteams__prom_post_request.firing.json: alert alertmanager high_memory_load firing=1",
        ]
    );
}

#[test]
fn a_body_that_does_not_match_its_event_header_is_refused_with_the_reason() {
    let err = event::parse_github("push", "d", b"[1, 2]").unwrap_err();
    assert_eq!(err.0, "GitHub `push` payload is not a JSON object");
    let err = event::parse_github("push", "d", b"not json").unwrap_err();
    assert!(
        err.0
            .starts_with("GitHub `push` payload is not JSON: expected"),
        "{err}"
    );
    let err = event::parse_github("../etc", "d", b"{}").unwrap_err();
    assert!(err.0.contains("is not an event name"), "{err}");
}

#[test]
fn slack_web_api_samples_decode_with_slack_morphism() {
    use slack_morphism::prelude::*;
    let read = |n: &str| std::fs::read_to_string(corpus_path("slack").join(n)).unwrap();
    let r: SlackApiChatPostMessageResponse =
        serde_json::from_str(&read("webapi__chat.postMessage.ok.json")).unwrap();
    assert_eq!(r.ts.0, "1503435956.000247");
    let r: SlackApiConversationsCreateResponse =
        serde_json::from_str(&read("webapi__conversations.create.ok.json")).unwrap();
    assert_eq!(r.channel.id.0, "C0EAQDV4Z");
    let r: SlackApiAuthTestResponse =
        serde_json::from_str(&read("webapi__auth.test.ok.json")).unwrap();
    assert_eq!(r.user_id.0, "W12345678");
}

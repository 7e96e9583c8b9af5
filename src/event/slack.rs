//! Slack bodies (slash command forms, interactivity payloads, Events API envelopes) into events.

use super::*;
use serde::Deserialize;
use serde_json::Value;

pub fn parse_slash_command(body: &[u8]) -> Result<SlashCommand, Malformed> {
    #[derive(Deserialize)]
    struct Form {
        team_id: String,
        channel_id: String,
        user_id: String,
        command: String,
        #[serde(default)]
        text: String,
        response_url: String,
        trigger_id: String,
    }
    let f: Form = serde_urlencoded::from_bytes(body)
        .map_err(|e| Malformed(format!("slash command form: {e}")))?;
    for (name, value) in [
        ("team_id", &f.team_id),
        ("channel_id", &f.channel_id),
        ("user_id", &f.user_id),
        ("command", &f.command),
        ("response_url", &f.response_url),
        ("trigger_id", &f.trigger_id),
    ] {
        if value.is_empty() {
            return Err(Malformed(format!("slash command form: `{name}` is empty")));
        }
    }
    Ok(SlashCommand {
        team: TeamId(f.team_id),
        channel: ChannelId(f.channel_id),
        user: UserId(f.user_id),
        command: f.command,
        text: f.text,
        response_url: f.response_url,
        trigger_id: f.trigger_id,
    })
}

/// An interactivity request (`payload=<json>`): returns the dedupe key and the event.
pub fn parse_interaction(body: &[u8]) -> Result<(String, Event), Malformed> {
    #[derive(Deserialize)]
    struct Form {
        payload: String,
    }
    let f: Form = serde_urlencoded::from_bytes(body)
        .map_err(|e| Malformed(format!("interaction form: {e}")))?;
    let p: Value = serde_json::from_str(&f.payload)
        .map_err(|e| Malformed(format!("interaction payload is not JSON: {e}")))?;
    let kind = required(&p, "/type", "interaction")?;
    let user = UserId(required(&p, "/user/id", "interaction")?);
    let trigger_id = str_at(&p, "/trigger_id").unwrap_or_default().to_owned();
    let key_part = if trigger_id.is_empty() {
        str_at(&p, "/action_ts")
            .or_else(|| str_at(&p, "/actions/0/action_ts"))
            .unwrap_or_default()
            .to_owned()
    } else {
        trigger_id.clone()
    };
    let event = match kind.as_str() {
        "block_actions" => {
            let action = p
                .pointer("/actions/0")
                .ok_or_else(|| Malformed("block_actions without actions".into()))?;
            let action_id = required(action, "/action_id", "block action")?;
            let value = str_at(action, "/value")
                .or_else(|| str_at(action, "/selected_option/value"))
                .map(str::to_owned);
            Event::BlockAction(BlockAction {
                user,
                channel: str_at(&p, "/channel/id")
                    .or_else(|| str_at(&p, "/container/channel_id"))
                    .map(ChannelId::from),
                message_ts: str_at(&p, "/container/message_ts")
                    .or_else(|| str_at(&p, "/message/ts"))
                    .map(MessageTs::from),
                action: Action::parse(&action_id, value.as_deref())?,
                response_url: str_at(&p, "/response_url").map(str::to_owned),
                trigger_id,
            })
        }
        "view_submission" => {
            let view = p
                .get("view")
                .ok_or_else(|| Malformed("view_submission without view".into()))?;
            Event::ViewSubmission(ViewSubmission {
                user,
                view_id: str_at(view, "/id").unwrap_or_default().to_owned(),
                form: super::Form::parse(
                    str_at(view, "/callback_id").unwrap_or_default(),
                    str_at(view, "/private_metadata").unwrap_or_default(),
                )?,
                values: flatten_state(view.pointer("/state/values")),
            })
        }
        "message_action" => Event::MessageShortcut(MessageShortcut {
            callback_id: required(&p, "/callback_id", "message_action")?,
            user,
            channel: ChannelId(required(&p, "/channel/id", "message_action")?),
            message_ts: MessageTs(required(&p, "/message/ts", "message_action")?),
            text: str_at(&p, "/message/text").unwrap_or_default().to_owned(),
            trigger_id,
        }),
        other => Event::unused("slack", other),
    };
    Ok((format!("slack:interaction:{kind}:{key_part}"), event))
}

fn flatten_state(values: Option<&Value>) -> Value {
    let mut out = serde_json::Map::new();
    if let Some(Value::Object(blocks)) = values {
        for (block_id, actions) in blocks {
            if let Value::Object(actions) = actions {
                for (action_id, state) in actions {
                    let v = state
                        .get("value")
                        .cloned()
                        .or_else(|| state.get("selected_date_time").cloned())
                        .or_else(|| {
                            let options = state.get("selected_options")?.as_array()?;
                            Some(Value::Array(
                                options
                                    .iter()
                                    .filter_map(|o| o.get("value").cloned())
                                    .collect(),
                            ))
                        })
                        .or_else(|| state.pointer("/selected_option/value").cloned())
                        .or_else(|| state.get("selected_user").cloned())
                        .or_else(|| state.get("selected_conversation").cloned())
                        .unwrap_or(Value::Null);
                    out.insert(format!("{block_id}.{action_id}"), v);
                }
            }
        }
    }
    Value::Object(out)
}

/// An Events API body. Only a body that is not JSON is refused: Slack retries refusals and
/// turns off an app's event subscription when they go on, so anything else signed is recorded
/// (as `Ignored` with the reason when banto cannot use it) and acknowledged.
pub fn parse_slack_events(body: &[u8]) -> Result<SlackEnvelope, Malformed> {
    let v: Value = serde_json::from_slice(body)
        .map_err(|e| Malformed(format!("event body is not JSON: {e}")))?;
    let by_body = |event| SlackEnvelope::Callback {
        dedupe_key: body_key("slack:event", body),
        event,
    };
    Ok(match str_at(&v, "/type") {
        Some("url_verification") => match required(&v, "/challenge", "url_verification") {
            Ok(challenge) => SlackEnvelope::UrlVerification { challenge },
            Err(m) => by_body(Event::unreadable("slack", "url_verification", m)),
        },
        Some("app_rate_limited") => SlackEnvelope::RateLimited,
        Some("event_callback") => {
            let kind = str_at(&v, "/event/type")
                .filter(|k| !k.is_empty())
                .unwrap_or("event_callback");
            let event = v
                .get("event")
                .ok_or_else(|| Malformed("event_callback without event".into()))
                .and_then(parse_inner_event)
                .unwrap_or_else(|m| Event::unreadable("slack", kind, m));
            match str_at(&v, "/event_id").filter(|id| !id.is_empty()) {
                Some(id) => SlackEnvelope::Callback {
                    dedupe_key: format!("slack:event:{id}"),
                    event,
                },
                None => by_body(event),
            }
        }
        Some(other) => by_body(Event::unreadable(
            "slack",
            "envelope",
            Malformed(format!("unknown Events API envelope type `{other}`")),
        )),
        None => by_body(Event::unreadable(
            "slack",
            "envelope",
            Malformed("Events API body without `type`".into()),
        )),
    })
}

fn parse_inner_event(e: &Value) -> Result<Event, Malformed> {
    let kind = required(e, "/type", "event")?;
    Ok(match kind.as_str() {
        "message" | "app_mention" => {
            let subtype = str_at(e, "/subtype");
            let channel = || required(e, "/channel", "message").map(ChannelId);
            match subtype {
                // A deleted message that had replies stays as a tombstone ("This message was
                // deleted."): a deletion, not an edit to translate or put on a timeline.
                Some("message_changed") if str_at(e, "/message/subtype") == Some("tombstone") => {
                    return Ok(Event::MessageDeleted(MessageDeleted {
                        channel: channel()?,
                        ts: MessageTs(required(e, "/message/ts", "message_changed")?),
                    }));
                }
                Some("message_changed") => {
                    return Ok(Event::MessageChanged(MessageChanged {
                        channel: channel()?,
                        ts: MessageTs(required(e, "/message/ts", "message_changed")?),
                        text: str_at(e, "/message/text").unwrap_or_default().to_owned(),
                    }));
                }
                Some("message_deleted") => {
                    return Ok(Event::MessageDeleted(MessageDeleted {
                        channel: channel()?,
                        ts: MessageTs(required(e, "/deleted_ts", "message_deleted")?),
                    }));
                }
                _ => {}
            }
            Event::Message(MessagePosted {
                channel: ChannelId(required(e, "/channel", "message")?),
                user: str_at(e, "/user").map(UserId::from),
                ts: MessageTs(required(e, "/ts", "message")?),
                thread_ts: str_at(e, "/thread_ts").map(MessageTs::from),
                text: str_at(e, "/text").unwrap_or_default().to_owned(),
                from_bot: e.get("bot_id").is_some() || subtype == Some("bot_message"),
            })
        }
        "reaction_added" => {
            if str_at(e, "/item/type") != Some("message") {
                return Ok(Event::unused("slack", "reaction_added.non_message"));
            }
            Event::ReactionAdded(ReactionAdded {
                user: UserId(required(e, "/user", "reaction_added")?),
                reaction: required(e, "/reaction", "reaction_added")?,
                channel: ChannelId(required(e, "/item/channel", "reaction_added")?),
                ts: MessageTs(required(e, "/item/ts", "reaction_added")?),
            })
        }
        "pin_added" if str_at(e, "/item/type") == Some("message") => Event::PinAdded(PinAdded {
            user: UserId(required(e, "/user", "pin_added")?),
            channel: ChannelId(
                str_at(e, "/item/channel")
                    .or_else(|| str_at(e, "/channel_id"))
                    .ok_or_else(|| Malformed("pin_added: missing `item.channel`".into()))?
                    .to_owned(),
            ),
            ts: MessageTs(required(e, "/item/message/ts", "pin_added")?),
            thread_ts: str_at(e, "/item/message/thread_ts").map(MessageTs::from),
            author: str_at(e, "/item/message/user").map(UserId::from),
            text: str_at(e, "/item/message/text")
                .unwrap_or_default()
                .to_owned(),
        }),
        other => Event::unused("slack", other),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slash_command_form() {
        let body = b"team_id=T1&channel_id=C1&user_id=U1&command=%2Fbanto&text=ping+now&response_url=http%3A%2F%2Fx%2Fr&trigger_id=1.2.3";
        let c = parse_slash_command(body).unwrap();
        assert_eq!(c.command, "/banto");
        assert_eq!(c.text, "ping now");
        assert_eq!(c.user, UserId::from("U1"));
    }

    #[test]
    fn slash_command_without_user_is_malformed() {
        let err = parse_slash_command(b"team_id=T1&command=%2Fbanto").unwrap_err();
        assert!(err.0.contains("missing field"), "{err}");
    }

    #[test]
    fn only_a_body_that_is_not_json_is_refused() {
        let err = parse_slack_events(b"type=surprise").unwrap_err();
        assert!(err.0.starts_with("event body is not JSON"), "{err}");
        let Ok(SlackEnvelope::Callback { dedupe_key, event }) =
            parse_slack_events(br#"{"type":"surprise"}"#)
        else {
            panic!("recorded")
        };
        assert!(dedupe_key.starts_with("slack:event:"), "{dedupe_key}");
        assert_eq!(
            event,
            Event::Ignored {
                source: "slack".into(),
                kind: "envelope".into(),
                why: Some("unknown Events API envelope type `surprise`".into()),
            }
        );
    }

    #[test]
    fn pins_edits_and_deletions_from_real_bodies() {
        use crate::fake::corpus::json;
        let pin = parse_inner_event(&json("slack/slack-go__event.pin_added.inner.json")).unwrap();
        let Event::PinAdded(p) = pin else {
            panic!("{pin:?}")
        };
        assert_eq!(
            (p.channel.0.as_str(), p.ts.0.as_str()),
            ("C0LAN2Q65", "1539904112.000100")
        );
        assert_eq!(p.author, Some(UserId::from("U061F7AUR")));
        assert!(p.text.starts_with("<@U0LAN0Z89> is it"));
        let edit = parse_inner_event(&json(
            "slack/java-slack-sdk__event.message_changed.in_thread.inner.json",
        ))
        .unwrap();
        assert_eq!(
            edit,
            Event::MessageChanged(MessageChanged {
                channel: ChannelId::from("C111"),
                ts: MessageTs::from("1626342128.008700"),
                text: "updated message".into(),
            }),
            "the edited message's own ts, not the event's"
        );
        let body = json("slack/bolt-python__event_callback.message_deleted.json").to_string();
        let SlackEnvelope::Callback { event, .. } = parse_slack_events(body.as_bytes()).unwrap()
        else {
            panic!("a callback")
        };
        assert_eq!(
            event,
            Event::MessageDeleted(MessageDeleted {
                channel: ChannelId::from("C111"),
                ts: MessageTs::from("1665368619.804829"),
            })
        );
    }
}

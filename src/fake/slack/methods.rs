//! The Web API methods the fake answers, one arm each.

use super::*;

pub(super) fn call(st: &mut SlackState, method: &str, p: &Map<String, Value>) -> ApiResult {
    match method {
        "auth.test" => Ok(json!({
            "url": "https://banto-demo.slack.com/",
            "team": st.team_name, "user": "banto", "team_id": st.team_id,
            "user_id": st.bot_user, "bot_id": st.bot_id,
        })),
        "apps.connections.open" => Ok(json!({ "url": format!("ws://{}/socket", st.host) })),
        "chat.postMessage" => post_message(st, p),
        "chat.update" => update_message(st, p),
        "chat.delete" => {
            let channel = st.resolve_channel(req(p, "channel")?)?;
            let ts = req(p, "ts")?.to_owned();
            st.message_mut(&channel, &ts)?;
            st.messages
                .retain(|m| !(m.channel == channel && m.ts == ts));
            Ok(json!({ "channel": channel, "ts": ts }))
        }
        "chat.getPermalink" => {
            let channel = visible_channel(st, req(p, "channel")?)?;
            let ts = req(p, "message_ts")?.to_owned();
            st.message_mut(&channel, &ts)?;
            let domain = st.team_name.replace(' ', "-");
            Ok(json!({ "channel": channel,
                "permalink": format!("https://{domain}.slack.com/archives/{channel}/p{}", ts.replace('.', "")) }))
        }
        "chat.postEphemeral" => {
            let channel = st.resolve_channel(req(p, "channel")?)?;
            let user = req(p, "user")?.to_owned();
            if !st.channels[&channel].members.contains(&user) {
                return Err(SlackErr::code("user_not_in_channel"));
            }
            let m = bot_message(st, &channel, p, Some(user))?;
            let ts = st.add_message(m);
            Ok(json!({ "message_ts": ts }))
        }
        "conversations.create" => {
            let name = req(p, "name")?;
            if name.len() > 80
                || !name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
            {
                return Err(SlackErr::code("invalid_name_specials"));
            }
            if st.channel_by_name(name).is_some() {
                return Err(SlackErr::code("name_taken"));
            }
            let private = matches!(p.get("is_private"), Some(Value::Bool(true)))
                || s(p, "is_private") == Some("true");
            let st_id = st.next_id(if private { 'G' } else { 'C' });
            let created = st.clock;
            let bot = st.bot_user.clone();
            st.channels.insert(
                st_id.clone(),
                FakeChannel {
                    id: st_id.clone(),
                    name: name.to_owned(),
                    is_private: private,
                    is_archived: false,
                    members: BTreeSet::from([bot.clone()]),
                    topic: String::new(),
                    purpose: String::new(),
                    created,
                    creator: bot,
                    pins: vec![],
                },
            );
            Ok(json!({ "channel": channel_json(&st.channels[&st_id], &st.bot_user) }))
        }
        "conversations.invite" => {
            let channel = st.resolve_channel(req(p, "channel")?)?;
            let users = user_list(p);
            if users.is_empty() {
                return Err(SlackErr::code("no_user"));
            }
            let bot = st.bot_user.clone();
            let ch = st.channels.get(&channel).expect("resolved");
            if !ch.members.contains(&bot) {
                return Err(SlackErr::code("not_in_channel"));
            }
            if ch.is_archived {
                return Err(SlackErr::code("is_archived"));
            }
            for u in &users {
                if !st.users.contains_key(u) {
                    return Err(SlackErr::code("user_not_found"));
                }
                if u == &bot {
                    return Err(SlackErr::code("cant_invite_self"));
                }
                if st.channels[&channel].members.contains(u) {
                    return Err(SlackErr::code("already_in_channel"));
                }
            }
            let ch = st.channels.get_mut(&channel).expect("resolved");
            ch.members.extend(users);
            Ok(json!({ "channel": channel_json(ch, &bot) }))
        }
        "conversations.join" => {
            let channel = st.resolve_channel(req(p, "channel")?)?;
            let bot = st.bot_user.clone();
            let ch = st.channels.get_mut(&channel).expect("resolved");
            if ch.is_private {
                return Err(SlackErr::code("method_not_supported_for_channel_type"));
            }
            ch.members.insert(bot.clone());
            Ok(json!({ "channel": channel_json(ch, &bot) }))
        }
        "conversations.info" => {
            let channel = visible_channel(st, req(p, "channel")?)?;
            Ok(json!({ "channel": channel_json(&st.channels[&channel], &st.bot_user) }))
        }
        "conversations.members" => {
            let channel = visible_channel(st, req(p, "channel")?)?;
            Ok(
                json!({ "members": st.channels[&channel].members, "response_metadata": { "next_cursor": "" } }),
            )
        }
        "conversations.list" => {
            let bot = st.bot_user.clone();
            let list: Vec<Value> = st
                .channels
                .values()
                .filter(|c| !c.is_private || c.members.contains(&bot))
                .map(|c| channel_json(c, &bot))
                .collect();
            Ok(json!({ "channels": list, "response_metadata": { "next_cursor": "" } }))
        }
        "conversations.setTopic" | "conversations.setPurpose" => {
            let channel = visible_channel(st, req(p, "channel")?)?;
            let bot = st.bot_user.clone();
            let ch = st.channels.get_mut(&channel).expect("resolved");
            if method == "conversations.setTopic" {
                let topic = s(p, "topic").unwrap_or_default();
                if topic.chars().count() > 250 {
                    return Err(SlackErr::code("too_long"));
                }
                ch.topic = topic.to_owned();
            } else {
                ch.purpose = s(p, "purpose").unwrap_or_default().to_owned();
            }
            Ok(json!({ "channel": channel_json(ch, &bot) }))
        }
        "conversations.archive" => {
            let channel = visible_channel(st, req(p, "channel")?)?;
            let ch = st.channels.get_mut(&channel).expect("resolved");
            if ch.is_archived {
                return Err(SlackErr::code("already_archived"));
            }
            ch.is_archived = true;
            Ok(json!({}))
        }
        "conversations.history" => {
            let channel = readable_channel(st, req(p, "channel")?)?;
            let limit = s(p, "limit")
                .and_then(|l| l.parse().ok())
                .unwrap_or(100usize);
            let msgs: Vec<Value> = st
                .messages
                .iter()
                .rev()
                .filter(|m| {
                    m.channel == channel
                        && m.ephemeral_to.is_none()
                        && m.thread_ts.as_ref().is_none_or(|t| *t == m.ts)
                })
                .take(limit)
                .map(|m| with_metadata(message_json(st, m), m, p))
                .collect();
            Ok(
                json!({ "messages": msgs, "has_more": false, "pin_count": st.channels[&channel].pins.len(), "response_metadata": { "next_cursor": "" } }),
            )
        }
        "conversations.replies" => {
            let channel = readable_channel(st, req(p, "channel")?)?;
            let ts = req(p, "ts")?;
            // A reply's ts stands for its whole thread, as in Slack.
            let parent = st
                .messages
                .iter()
                .find(|m| m.channel == channel && m.ts == ts)
                .and_then(|m| m.thread_ts.clone())
                .unwrap_or_else(|| ts.to_owned());
            let ts = parent.as_str();
            let msgs: Vec<Value> = st
                .messages
                .iter()
                .filter(|m| {
                    m.channel == channel
                        && m.ephemeral_to.is_none()
                        && (m.ts == ts || m.thread_ts.as_deref() == Some(ts))
                })
                .map(|m| with_metadata(message_json(st, m), m, p))
                .collect();
            if msgs.is_empty() {
                return Err(SlackErr::code("thread_not_found"));
            }
            Ok(
                json!({ "messages": msgs, "has_more": false, "response_metadata": { "next_cursor": "" } }),
            )
        }
        "reactions.add" | "reactions.remove" => {
            let channel = visible_channel(st, req(p, "channel")?)?;
            let name = req(p, "name")?.trim_matches(':').to_owned();
            let ts = req(p, "timestamp")?.to_owned();
            let bot = st.bot_user.clone();
            let m = st.message_mut(&channel, &ts)?;
            let users = m.reactions.entry(name.clone()).or_default();
            if method == "reactions.add" {
                if users.contains(&bot) {
                    return Err(SlackErr::code("already_reacted"));
                }
                users.push(bot);
            } else {
                if !users.contains(&bot) {
                    return Err(SlackErr::code("no_reaction"));
                }
                users.retain(|u| *u != bot);
                if users.is_empty() {
                    m.reactions.remove(&name);
                }
            }
            Ok(json!({}))
        }
        "pins.add" => {
            let channel = visible_channel(st, req(p, "channel")?)?;
            let ts = req(p, "timestamp")?.to_owned();
            st.message_mut(&channel, &ts)?;
            let ch = st.channels.get_mut(&channel).expect("resolved");
            if ch.pins.contains(&ts) {
                return Err(SlackErr::code("already_pinned"));
            }
            ch.pins.push(ts);
            Ok(json!({}))
        }
        "pins.list" => {
            let channel = visible_channel(st, req(p, "channel")?)?;
            let items: Vec<Value> = st.channels[&channel].pins.iter()
                .filter_map(|ts| st.messages.iter().find(|m| m.channel == channel && &m.ts == ts))
                .map(|m| json!({ "type": "message", "channel": channel, "message": message_json(st, m) }))
                .collect();
            Ok(json!({ "items": items }))
        }
        "views.open" | "views.push" => {
            let trigger = req(p, "trigger_id")?.to_owned();
            let view = p
                .get("view")
                .cloned()
                .ok_or_else(|| SlackErr::code("invalid_arguments"))?;
            let view = match view {
                Value::String(raw) => {
                    serde_json::from_str(&raw).map_err(|_| SlackErr::code("invalid_arguments"))?
                }
                v => v,
            };
            let id = st.next_id('V');
            let mut stored = view.clone();
            // What Slack adds to the view it echoes back (shape of views.open in the API docs).
            let added = json!({
                "id": id, "team_id": st.team_id, "app_id": "A0BANTO01", "bot_id": st.bot_id,
                "app_installed_team_id": st.team_id, "external_id": "", "hash": format!("{}.fake", id),
                "state": { "values": {} }, "clear_on_close": false, "notify_on_close": false,
                "previous_view_id": null, "root_view_id": id,
                "private_metadata": view.get("private_metadata").cloned().unwrap_or(json!("")),
                "callback_id": view.get("callback_id").cloned().unwrap_or(json!("")),
            });
            for (k, v) in added.as_object().expect("object") {
                stored[k] = v.clone();
            }
            st.views.push(FakeView {
                id: id.clone(),
                user: st.triggers.get(&trigger).cloned().unwrap_or_default(),
                view: stored.clone(),
                trigger_id: trigger,
                opened: std::time::Instant::now(),
            });
            Ok(json!({ "view": stored }))
        }
        "views.update" => {
            let id = req(p, "view_id")?.to_owned();
            let view = p
                .get("view")
                .cloned()
                .ok_or_else(|| SlackErr::code("invalid_arguments"))?;
            let v = st
                .views
                .iter_mut()
                .find(|v| v.id == id)
                .ok_or_else(|| SlackErr::code("not_found"))?;
            v.view = view.clone();
            v.view["id"] = json!(id);
            Ok(json!({ "view": v.view }))
        }
        "users.info" => {
            let u = st
                .users
                .get(req(p, "user")?)
                .ok_or_else(|| SlackErr::code("user_not_found"))?;
            let include_locale = matches!(p.get("include_locale"), Some(Value::Bool(true)))
                || s(p, "include_locale") == Some("true");
            Ok(json!({ "user": user_json(u, include_locale, &st.team_id) }))
        }
        "users.list" => {
            let members: Vec<Value> = st
                .users
                .values()
                .map(|u| user_json(u, false, &st.team_id))
                .collect();
            Ok(json!({ "members": members, "response_metadata": { "next_cursor": "" } }))
        }
        "usergroups.list" => {
            let groups: Vec<Value> = st.usergroups.iter()
                .map(|(id, (handle, users))| json!({ "id": id, "team_id": st.team_id, "handle": handle, "name": handle, "user_count": users.len(), "users": users }))
                .collect();
            Ok(json!({ "usergroups": groups }))
        }
        "usergroups.users.list" => {
            let (_, users) = st
                .usergroups
                .get(req(p, "usergroup")?)
                .ok_or_else(|| SlackErr::code("no_such_subteam"))?;
            Ok(json!({ "users": users }))
        }
        // Retired by Slack in 2025: the upload flow is getUploadURLExternal → POST → complete.
        "files.upload" => Err(SlackErr::code("method_deprecated")),
        "files.getUploadURLExternal" | "files.completeUploadExternal" | "files.info" => {
            super::files::call(st, method, p)
        }
        _ => Err(SlackErr::code("unknown_method")),
    }
}

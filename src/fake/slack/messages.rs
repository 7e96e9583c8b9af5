//! Messages and channels as the Web API writes and shows them.

use super::*;

/// A channel the bot can see: public, or private with the bot as a member.
pub(super) fn visible_channel(st: &SlackState, channel: &str) -> Result<String, SlackErr> {
    let id = st.resolve_channel(channel)?;
    let ch = &st.channels[&id];
    if ch.is_private && !ch.members.contains(&st.bot_user) {
        return Err(SlackErr::code("channel_not_found"));
    }
    Ok(id)
}

/// Reading a conversation needs membership, public or not.
pub(super) fn readable_channel(st: &SlackState, channel: &str) -> Result<String, SlackErr> {
    let id = visible_channel(st, channel)?;
    if !st.channels[&id].members.contains(&st.bot_user) {
        return Err(SlackErr::code("not_in_channel"));
    }
    Ok(id)
}

pub(super) fn bot_message(
    st: &SlackState,
    channel: &str,
    p: &Map<String, Value>,
    ephemeral_to: Option<String>,
) -> Result<FakeMessage, SlackErr> {
    let text = s(p, "text").unwrap_or_default().to_owned();
    let blocks = blocks(p)?;
    if text.is_empty() && blocks.is_none() {
        return Err(SlackErr::code("no_text"));
    }
    if text.chars().count() > 40_000 {
        return Err(SlackErr::code("msg_too_long"));
    }
    Ok(FakeMessage {
        channel: channel.to_owned(),
        ts: String::new(),
        thread_ts: s(p, "thread_ts").map(str::to_owned),
        user: st.bot_user.clone(),
        text,
        blocks,
        ephemeral_to,
        reactions: BTreeMap::new(),
        edited: false,
        from_bot: true,
        seen: false,
        metadata: metadata(p)?,
    })
}

/// `metadata` as a JSON object (JSON bodies) or a JSON string (form bodies).
pub(super) fn metadata(p: &Map<String, Value>) -> Result<Option<Value>, SlackErr> {
    let m = match p.get("metadata") {
        None => return Ok(None),
        Some(Value::String(s)) => {
            serde_json::from_str(s).map_err(|_| SlackErr::code("invalid_metadata_format"))?
        }
        Some(v) => v.clone(),
    };
    if !m["event_type"].is_string() {
        return Err(SlackErr::code("invalid_metadata_format"));
    }
    Ok(Some(m))
}

pub(super) fn post_message(st: &mut SlackState, p: &Map<String, Value>) -> ApiResult {
    let channel = st.resolve_channel(req(p, "channel")?)?;
    let ch = &st.channels[&channel];
    if ch.is_archived {
        return Err(SlackErr::code("is_archived"));
    }
    // With chat:write.public the bot may post to any public channel; private ones need membership.
    if ch.is_private && !ch.members.contains(&st.bot_user) {
        return Err(SlackErr::code("channel_not_found"));
    }
    let m = bot_message(st, &channel, p, None)?;
    if let Some(parent) = &m.thread_ts
        && !st
            .messages
            .iter()
            .any(|x| x.channel == channel && &x.ts == parent)
    {
        return Err(SlackErr::code("thread_not_found"));
    }
    let ts = st.add_message(m);
    let m = st.messages.last().expect("just added");
    Ok(json!({ "channel": channel, "ts": ts, "message": message_json(st, m) }))
}

pub(super) fn update_message(st: &mut SlackState, p: &Map<String, Value>) -> ApiResult {
    let channel = st.resolve_channel(req(p, "channel")?)?;
    let ts = req(p, "ts")?.to_owned();
    let text = s(p, "text").map(str::to_owned);
    let blocks = blocks(p)?;
    let bot = st.bot_user.clone();
    let m = st.message_mut(&channel, &ts)?;
    if m.user != bot {
        return Err(SlackErr::code("cant_update_message"));
    }
    if let Some(t) = text {
        m.text = t;
    }
    if blocks.is_some() {
        m.blocks = blocks;
    }
    m.edited = true;
    let text = m.text.clone();
    Ok(
        json!({ "channel": channel, "ts": ts, "text": text, "message": { "text": text, "user": bot } }),
    )
}

pub(super) fn channel_json(c: &FakeChannel, bot: &str) -> Value {
    json!({
        "id": c.id, "name": c.name, "name_normalized": c.name, "created": c.created, "creator": c.creator,
        "is_channel": !c.is_private, "is_group": c.is_private, "is_im": false, "is_mpim": false,
        "is_private": c.is_private, "is_archived": c.is_archived, "is_general": c.name == "general",
        "is_shared": false, "is_ext_shared": false, "is_org_shared": false, "is_pending_ext_shared": false,
        "is_member": c.members.contains(bot), "num_members": c.members.len(),
        "topic": { "value": c.topic, "creator": "", "last_set": 0 },
        "purpose": { "value": c.purpose, "creator": "", "last_set": 0 },
        "previous_names": [], "pending_shared": [], "last_read": "0000000000.000000", "priority": 0,
    })
}

/// History and replies show metadata only when asked with `include_all_metadata`.
pub(super) fn with_metadata(mut v: Value, m: &FakeMessage, p: &Map<String, Value>) -> Value {
    if matches!(s(p, "include_all_metadata"), Some("true" | "1"))
        && let Some(md) = &m.metadata
    {
        v["metadata"] = md.clone();
    }
    v
}

pub(super) fn message_json(st: &SlackState, m: &FakeMessage) -> Value {
    let mut v = json!({ "type": "message", "text": m.text, "ts": m.ts, "user": m.user });
    if m.from_bot {
        v["bot_id"] = json!(st.bot_id);
    }
    if let Some(t) = &m.thread_ts {
        v["thread_ts"] = json!(t);
    }
    if let Some(b) = &m.blocks {
        v["blocks"] = b.clone();
    }
    if !m.reactions.is_empty() {
        v["reactions"] = m
            .reactions
            .iter()
            .map(|(name, users)| json!({ "name": name, "users": users, "count": users.len() }))
            .collect();
    }
    if m.edited {
        v["edited"] = json!({ "user": m.user, "ts": m.ts });
    }
    let replies = st
        .messages
        .iter()
        .filter(|r| r.channel == m.channel && r.thread_ts.as_deref() == Some(&m.ts) && r.ts != m.ts)
        .count();
    if replies > 0 {
        v["reply_count"] = json!(replies);
        v["thread_ts"] = json!(m.ts);
    }
    v
}

pub(super) fn user_json(u: &FakeUser, include_locale: bool, team: &str) -> Value {
    let offset = u.tz.parse::<chrono_tz::Tz>().map_or(0, |tz| {
        use chrono::Offset;
        chrono::Utc::now()
            .with_timezone(&tz)
            .offset()
            .fix()
            .local_minus_utc()
    });
    let mut v = json!({
        "id": u.id, "team_id": team, "name": u.name, "real_name": u.name, "deleted": false,
        "tz": u.tz, "tz_label": u.tz, "tz_offset": offset, "is_bot": u.is_bot, "is_admin": false,
        "profile": { "real_name": u.name, "display_name": u.name },
    });
    if include_locale {
        v["locale"] = json!(u.locale);
    }
    v
}

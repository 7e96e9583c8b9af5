//! What people do in Slack: commands, messages, reactions, clicks and forms, signed as Slack
//! signs them.

use super::*;

impl World {
    /// POST `body` to banto's `path`, signed as Slack signs it.
    pub async fn post_slack(
        &self,
        path: &str,
        content_type: &str,
        body: String,
    ) -> anyhow::Result<reqwest::Response> {
        let ts = chrono::Utc::now().timestamp();
        Ok(self
            .http
            .post(format!("{}{path}", self.url))
            .header("content-type", content_type)
            .header("x-slack-request-timestamp", ts.to_string())
            .header(
                "x-slack-signature",
                slack_sign(&self.signing_secret, ts, body.as_bytes()),
            )
            .body(body)
            .send()
            .await?)
    }

    /// POST a GitHub webhook, signed with the webhook secret.
    pub async fn post_github(
        &self,
        kind: &str,
        delivery: &str,
        body: &[u8],
    ) -> anyhow::Result<reqwest::Response> {
        Ok(self
            .http
            .post(format!("{}/github/webhook", self.url))
            .header("content-type", "application/json")
            .header("x-github-event", kind)
            .header("x-github-delivery", delivery)
            .header(
                "x-hub-signature-256",
                github_sign(&self.github_secret, body),
            )
            .body(body.to_vec())
            .send()
            .await?)
    }

    /// POST an EventBridge event as an API destination sends it.
    pub async fn post_aws_event(
        &self,
        body: &serde_json::Value,
    ) -> anyhow::Result<reqwest::Response> {
        Ok(self
            .http
            .post(format!("{}/aws/events", self.url))
            .header("content-type", "application/json")
            .bearer_auth(&self.aws_events_secret)
            .body(body.to_string())
            .send()
            .await?)
    }

    /// POST an Argo CD notification as its webhook service sends it.
    pub async fn post_argocd(&self, body: &serde_json::Value) -> anyhow::Result<reqwest::Response> {
        Ok(self
            .http
            .post(format!("{}/argocd/events", self.url))
            .header("content-type", "application/json")
            .bearer_auth(&self.argocd_secret)
            .body(body.to_string())
            .send()
            .await?)
    }

    /// POST an Alertmanager notification as its webhook receiver sends it.
    pub async fn post_alertmanager(
        &self,
        body: &serde_json::Value,
    ) -> anyhow::Result<reqwest::Response> {
        Ok(self
            .http
            .post(format!("{}/alerts/alertmanager", self.url))
            .header("content-type", "application/json")
            .bearer_auth(&self.alertmanager_secret)
            .body(body.to_string())
            .send()
            .await?)
    }

    /// Alertmanager fires (or resolves) alert `name` for the `web` service, in a group of its
    /// own, as its webhook receiver sends it.
    pub async fn alert(
        &self,
        name: &str,
        severity: &str,
        started_ms: i64,
        ended_ms: Option<i64>,
    ) -> anyhow::Result<()> {
        let time = |ms: i64| {
            chrono::DateTime::from_timestamp_millis(ms)
                .unwrap_or_default()
                .to_rfc3339()
        };
        let labels = json!({ "alertname": name, "severity": severity, "service": "web" });
        let status = if ended_ms.is_some() {
            "resolved"
        } else {
            "firing"
        };
        let body = json!({
            "version": "4", "groupKey": format!("{{}}:{{alertname=\"{name}\"}}"),
            "status": status, "receiver": "banto", "groupLabels": { "alertname": name },
            "commonLabels": labels, "commonAnnotations": { "summary": format!("{name} on web") },
            "externalURL": "http://alertmanager.example.com:9093",
            "alerts": [{ "status": status, "labels": labels,
                "annotations": { "summary": format!("{name} on web") },
                "startsAt": time(started_ms),
                "endsAt": ended_ms.map_or("0001-01-01T00:00:00Z".to_owned(), time),
                "generatorURL": "http://prometheus.example.com:9090/graph" }],
        });
        let r = self.post_alertmanager(&body).await?;
        if !r.status().is_success() {
            bail!(
                "banto refused the alert: {} {}",
                r.status(),
                r.text().await?
            );
        }
        Ok(())
    }

    /// A trigger id for an interaction of `user_id`: a form opened with it is theirs.
    fn trigger(&self, user_id: &str) -> String {
        let id = format!("{}.{}.fake", self.next(), self.next());
        self.slack
            .mutate(|s| s.triggers.insert(id.clone(), user_id.to_owned()));
        id
    }

    /// `user` types `line` (e.g. `/banto ping`) in `channel` (`#ops`).
    pub async fn slash(&self, user: &str, channel: &str, line: &str) -> anyhow::Result<()> {
        let (command, text) = line.split_once(' ').unwrap_or((line, ""));
        let user_id = self.user(user);
        let channel_id = self.channel(channel);
        let body = serde_urlencoded::to_string([
            ("token", "unused-verification-token"),
            ("team_id", "T0BANTO01"),
            ("team_domain", "banto-demo"),
            ("channel_id", &channel_id),
            ("channel_name", channel.trim_start_matches('#')),
            ("user_id", &user_id),
            ("user_name", user),
            ("command", command),
            ("text", text),
            ("api_app_id", "A0BANTO01"),
            (
                "response_url",
                &self.slack.new_response_url(&channel_id, &user_id),
            ),
            ("trigger_id", &self.trigger(&user_id)),
        ])?;
        let r = self
            .post_slack("/slack/commands", "application/x-www-form-urlencoded", body)
            .await?;
        if !r.status().is_success() {
            bail!("banto refused {line}: {} {}", r.status(), r.text().await?);
        }
        Ok(())
    }

    /// Like `slash`, but delivered over Socket Mode; returns the acknowledgement Slack received.
    pub async fn socket_slash(
        &self,
        user: &str,
        channel: &str,
        line: &str,
    ) -> anyhow::Result<Value> {
        let (command, text) = line.split_once(' ').unwrap_or((line, ""));
        let (user_id, channel_id) = (self.user(user), self.channel(channel));
        let envelope_id = format!("env-{}", self.next());
        let envelope = json!({
            "envelope_id": envelope_id, "type": "slash_commands", "accepts_response_payload": true,
            "payload": {
                "token": "unused", "team_id": "T0BANTO01", "team_domain": "banto-demo",
                "channel_id": channel_id, "channel_name": channel.trim_start_matches('#'),
                "user_id": user_id, "user_name": user, "command": command, "text": text,
                "api_app_id": "A0BANTO01", "response_url": self.slack.new_response_url(&channel_id, &user_id),
                "trigger_id": format!("{}.{}.socket", self.next(), self.next()),
            },
        });
        let mut changed = self.slack.subscribe();
        let deadline = tokio::time::Instant::now() + WAIT;
        while !self.slack.socket_connected() {
            if expired(deadline, changed.changed()).await {
                bail!("banto did not connect over Socket Mode");
            }
        }
        // The fake records the connection before it subscribes to outgoing frames: retry until
        // the envelope is delivered to a listening socket.
        loop {
            changed.borrow_and_update();
            if let Some(ack) = self
                .slack
                .state()
                .socket_acks
                .iter()
                .find(|a| a["envelope_id"] == envelope_id.as_str())
            {
                return Ok(ack.clone());
            }
            self.slack.socket_send(&envelope);
            if expired(deadline, changed.changed()).await {
                bail!("no acknowledgement for {envelope_id}");
            }
        }
    }

    /// `user` posts `text` in `channel`; banto receives the `message` event. Returns its ts.
    pub async fn say(
        &self,
        user: &str,
        channel: &str,
        text: &str,
        thread: Option<&str>,
    ) -> anyhow::Result<String> {
        let user_id = self.user(user);
        let channel_id = self.channel(channel);
        // Posted after everything banto did so far: the next whole second.
        let now = self.app.clock.now_ms() / 1000 + 1;
        let ts = self.slack.mutate(|s| {
            s.keep_up_with(now);
            s.add_message(FakeMessage {
                channel: channel_id.clone(),
                ts: String::new(),
                thread_ts: thread.map(str::to_owned),
                user: user_id.clone(),
                text: text.to_owned(),
                blocks: None,
                ephemeral_to: None,
                reactions: Default::default(),
                edited: false,
                from_bot: false,
                seen: true,
                metadata: None,
            })
        });
        let mut event = json!({
            "type": "message", "channel": channel_id, "user": user_id, "text": text,
            "ts": ts, "event_ts": ts, "channel_type": "channel",
        });
        if let Some(t) = thread {
            event["thread_ts"] = json!(t);
        }
        self.send_event(event).await?;
        Ok(ts)
    }

    /// `user` adds `:emoji:` to the message at `ts` in `channel`.
    pub async fn react(
        &self,
        user: &str,
        channel: &str,
        ts: &str,
        emoji: &str,
    ) -> anyhow::Result<()> {
        let user_id = self.user(user);
        let channel_id = self.channel(channel);
        let emoji = emoji.trim_matches(':').to_owned();
        self.slack.mutate(|s| {
            if let Some(m) = s
                .messages
                .iter_mut()
                .find(|m| m.channel == channel_id && m.ts == ts)
            {
                m.reactions
                    .entry(emoji.clone())
                    .or_default()
                    .push(user_id.clone());
            }
        });
        self.send_event(json!({
            "type": "reaction_added", "user": user_id, "reaction": emoji,
            "item": { "type": "message", "channel": channel_id, "ts": ts }, "event_ts": format!("{}.000000", chrono::Utc::now().timestamp()),
        }))
        .await
    }

    /// `user` pins the message at `ts` in `channel`; banto receives `pin_added`.
    pub async fn pin(&self, user: &str, channel: &str, ts: &str) -> anyhow::Result<()> {
        let user_id = self.user(user);
        let channel_id = self.channel(channel);
        let message = self.slack.mutate(|s| {
            let m = s
                .messages
                .iter()
                .find(|m| m.channel == channel_id && m.ts == ts)
                .cloned()
                .context("no such message to pin")?;
            if let Some(c) = s.channels.get_mut(&channel_id) {
                c.pins.push(ts.to_owned());
            }
            anyhow::Ok(m)
        })?;
        let mut item = json!({ "type": "message", "user": message.user, "text": message.text, "ts": ts,
            "pinned_to": [channel_id] });
        if let Some(t) = &message.thread_ts {
            item["thread_ts"] = json!(t);
        }
        self.send_event(json!({
            "type": "pin_added", "user": user_id, "channel_id": channel_id,
            "item": { "type": "message", "channel": channel_id, "message": item },
            "event_ts": format!("{}.000100", chrono::Utc::now().timestamp()),
        }))
        .await
    }

    /// The author edits the message at `ts`; banto receives `message_changed`.
    pub async fn edit(&self, channel: &str, ts: &str, text: &str) -> anyhow::Result<()> {
        let channel_id = self.channel(channel);
        let m = self.slack.mutate(|s| {
            let m = s
                .messages
                .iter_mut()
                .find(|m| m.channel == channel_id && m.ts == ts)
                .context("no such message to edit")?;
            m.text = text.to_owned();
            m.edited = true;
            anyhow::Ok(m.clone())
        })?;
        let mut message = json!({ "type": "message", "user": m.user, "text": text, "ts": ts,
            "edited": { "user": m.user, "ts": ts } });
        if let Some(t) = &m.thread_ts {
            message["thread_ts"] = json!(t);
        }
        self.send_event(json!({
            "type": "message", "subtype": "message_changed", "hidden": true, "channel": channel_id,
            "message": message, "event_ts": ts, "ts": ts, "channel_type": "channel",
        }))
        .await
    }

    /// The message at `ts` is deleted; banto receives `message_deleted`.
    pub async fn delete(&self, channel: &str, ts: &str) -> anyhow::Result<()> {
        let channel_id = self.channel(channel);
        self.slack.mutate(|s| {
            s.messages
                .retain(|m| !(m.channel == channel_id && m.ts == ts))
        });
        self.send_event(json!({
            "type": "message", "subtype": "message_deleted", "hidden": true, "channel": channel_id,
            "deleted_ts": ts, "event_ts": ts, "ts": ts, "channel_type": "channel",
        }))
        .await
    }

    /// `user` runs the message shortcut `callback_id` on the message at `ts` in `channel`.
    pub async fn shortcut(
        &self,
        user: &str,
        channel: &str,
        ts: &str,
        callback_id: &str,
    ) -> anyhow::Result<()> {
        let channel_id = self.channel(channel);
        let text = self
            .slack
            .state()
            .messages
            .iter()
            .find(|m| m.channel == channel_id && m.ts == ts)
            .map(|m| m.text.clone())
            .context("no such message")?;
        let payload = json!({
            "type": "message_action", "callback_id": callback_id,
            "user": { "id": self.user(user), "username": user, "name": user, "team_id": "T0BANTO01" },
            "team": { "id": "T0BANTO01", "domain": "banto-demo" }, "api_app_id": "A0BANTO01", "token": "unused",
            "channel": { "id": channel_id }, "trigger_id": self.trigger(&self.user(user)),
            "message_ts": ts, "message": { "type": "message", "ts": ts, "text": text },
            "response_url": self.slack.new_response_url(&channel_id, &self.user(user)),
        });
        self.post_interaction(&payload).await
    }

    pub async fn send_event(&self, event: Value) -> anyhow::Result<()> {
        let body = json!({
            "token": "unused", "team_id": "T0BANTO01", "api_app_id": "A0BANTO01",
            "event": event, "type": "event_callback",
            "event_id": format!("Ev{:010}", self.next()), "event_time": chrono::Utc::now().timestamp(),
        });
        let r = self
            .post_slack("/slack/events", "application/json", body.to_string())
            .await?;
        if !r.status().is_success() {
            bail!(
                "banto refused the event: {} {}",
                r.status(),
                r.text().await?
            );
        }
        Ok(())
    }

    /// `user` clicks `button` on `card`, then banto handles everything that follows.
    pub async fn press(&self, user: &str, card: &FakeMessage, button: &str) -> anyhow::Result<()> {
        self.click(user, card, button).await?;
        self.settle().await
    }

    /// `user` clicks the button whose action id or label is `button` on `message`; returns the
    /// click's `trigger_id`.
    pub async fn click(
        &self,
        user: &str,
        message: &FakeMessage,
        button: &str,
    ) -> anyhow::Result<String> {
        let (block_id, element) = find_button(message, button)
            .with_context(|| format!("no button {button:?} on message: {}", message.text))?;
        let user_id = self.user(user);
        let trigger = self.trigger(&user_id);
        let payload = json!({
            "type": "block_actions",
            "user": { "id": user_id, "username": user, "name": user, "team_id": "T0BANTO01" },
            "api_app_id": "A0BANTO01", "token": "unused",
            "container": { "type": "message", "message_ts": message.ts, "channel_id": message.channel, "is_ephemeral": message.ephemeral_to.is_some() },
            "trigger_id": trigger,
            "team": { "id": "T0BANTO01", "domain": "banto-demo" },
            "channel": { "id": message.channel },
            "message": { "type": "message", "ts": message.ts, "text": message.text },
            "response_url": self.slack.new_response_url(&message.channel, &user_id),
            "actions": [{
                "type": "button", "block_id": block_id, "action_id": element["action_id"],
                "value": element.get("value").cloned().unwrap_or(Value::Null),
                "text": element["text"], "action_ts": format!("{}.{:06}", chrono::Utc::now().timestamp(), self.next() % 1_000_000),
            }],
        });
        self.post_interaction(&payload).await?;
        Ok(trigger)
    }

    /// `user` submits a modal with `callback_id`, `private_metadata` and input `values`
    /// (`block_id → action_id → value`: a string is typed text, a number a date-time picker's
    /// Unix time, an array the values of selected options, `{"value": …}` a selected option,
    /// `{"user": id or null}` a chosen (or cleared) user).
    pub async fn submit_view(
        &self,
        user: &str,
        callback_id: &str,
        private_metadata: &str,
        values: Value,
    ) -> anyhow::Result<()> {
        let mut state = serde_json::Map::new();
        for (block, actions) in values.as_object().into_iter().flatten() {
            let mut inner = serde_json::Map::new();
            for (action, value) in actions.as_object().into_iter().flatten() {
                let state = match value {
                    Value::Number(n) => {
                        json!({ "type": "datetimepicker", "selected_date_time": n })
                    }
                    Value::Array(options) => json!({ "type": "multi_static_select",
                        "selected_options": options.iter().map(|o| json!({ "value": o })).collect::<Vec<_>>() }),
                    Value::Object(o) if o.contains_key("user") => {
                        json!({ "type": "users_select", "selected_user": o["user"] })
                    }
                    Value::Object(option) => {
                        json!({ "type": "static_select", "selected_option": option })
                    }
                    other => json!({ "type": "plain_text_input", "value": other }),
                };
                inner.insert(action.clone(), state);
            }
            state.insert(block.clone(), Value::Object(inner));
        }
        let payload = json!({
            "type": "view_submission", "team": { "id": "T0BANTO01", "domain": "banto-demo" },
            "user": { "id": self.user(user), "username": user, "name": user, "team_id": "T0BANTO01" },
            "api_app_id": "A0BANTO01", "token": "unused", "trigger_id": self.trigger(&self.user(user)),
            "view": { "id": format!("V{:08}", self.next()), "type": "modal", "callback_id": callback_id,
                "private_metadata": private_metadata, "state": { "values": state }, "blocks": [] },
            "response_urls": [],
        });
        self.post_interaction(&payload).await
    }

    async fn post_interaction(&self, payload: &Value) -> anyhow::Result<()> {
        let body = serde_urlencoded::to_string([("payload", payload.to_string())])?;
        let r = self
            .post_slack(
                "/slack/interactions",
                "application/x-www-form-urlencoded",
                body,
            )
            .await?;
        if !r.status().is_success() {
            bail!(
                "banto refused the {}: {} {}",
                payload["type"],
                r.status(),
                r.text().await?
            );
        }
        Ok(())
    }
}

fn find_button<'a>(m: &'a FakeMessage, button: &str) -> Option<(Value, &'a Value)> {
    for block in m.blocks.as_ref()?.as_array()? {
        let elements = block
            .get("elements")
            .and_then(Value::as_array)
            .into_iter()
            .flatten();
        for e in elements.chain(block.get("accessory")) {
            let is_match = e["type"] == "button"
                && (e["action_id"] == button
                    || e["text"]["text"]
                        .as_str()
                        .is_some_and(|t| t.eq_ignore_ascii_case(button)));
            if is_match {
                return Some((block.get("block_id").cloned().unwrap_or(Value::Null), e));
            }
        }
    }
    None
}

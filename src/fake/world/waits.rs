//! Waiting on banto without sleeping: until it settles, for the next message, for an edit.

use super::*;

impl World {
    /// Wait until banto has handled everything it accepted. A handler error fails the wait.
    pub async fn settle(&self) -> anyhow::Result<()> {
        self.drain().await?;
        let failures = self.app.store.failures(Queue::Inbox).await?;
        if !failures.is_empty() {
            let list: Vec<String> = failures
                .iter()
                .map(|f| {
                    format!(
                        "#{} {} ({}): {}",
                        f.id,
                        f.kind,
                        f.state,
                        f.last_error.as_deref().unwrap_or("")
                    )
                })
                .collect();
            bail!("handlers failed:\n{}", list.join("\n"));
        }
        Ok(())
    }

    /// After `crash` brought banto down mid-handler: banto is back, the retry's time has come
    /// (the handler's first backoff), and the inbox runs the event again. False when the run
    /// made fewer calls than the crash point waited for (it never crashed).
    pub async fn rerun_after_crash(&self) -> anyhow::Result<bool> {
        self.drain().await?;
        let crashed = self.crash.is_down();
        self.crash.recover();
        self.app
            .clock
            .advance(crate::worker::backoff(1) + std::time::Duration::from_secs(1));
        self.app.wake.notify_waiters();
        self.app.wake.notify_one();
        self.settle().await?;
        Ok(crashed)
    }

    /// Wait until no accepted event is ready or running, whatever the outcome.
    pub async fn drain(&self) -> anyhow::Result<()> {
        let mut progress = self.app.progress.subscribe();
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            progress.borrow_and_update();
            if self.app.store.busy(Queue::Inbox).await? + self.app.store.busy(Queue::Jobs).await?
                == 0
            {
                return Ok(());
            }
            if expired(deadline, progress.changed()).await {
                bail!("banto did not finish its inbox within {WAIT:?}");
            }
        }
    }

    /// The next bot message in `channel` nobody has looked at (waits for it).
    pub async fn next_message(&self, channel: &str) -> anyhow::Result<FakeMessage> {
        let channel_id = self.channel(channel);
        self.next_matching(
            &format!("a message in {channel}"),
            |m| m.channel == channel_id && m.ephemeral_to.is_none(),
            &channel_id,
        )
        .await
    }

    /// The next reply only `user` can see (ephemeral or `response_url`).
    pub async fn next_reply(&self, user: &str) -> anyhow::Result<FakeMessage> {
        let user_id = self.user(user);
        self.next_matching(
            &format!("a reply to {user}"),
            |m| m.ephemeral_to.as_deref() == Some(&user_id),
            "",
        )
        .await
    }

    async fn next_matching(
        &self,
        what: &str,
        pred: impl Fn(&FakeMessage) -> bool,
        channel_id: &str,
    ) -> anyhow::Result<FakeMessage> {
        let mut changed = self.slack.subscribe();
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            changed.borrow_and_update();
            // Marking a message seen wakes nobody: `mutate` would signal this very loop.
            let found = self
                .slack
                .state()
                .messages
                .iter_mut()
                .find(|m| m.from_bot && !m.seen && pred(m))
                .map(|m| {
                    m.seen = true;
                    m.clone()
                });
            if let Some(m) = found {
                return Ok(m);
            }
            if expired(deadline, changed.changed()).await {
                bail!(
                    "timed out after {WAIT:?} waiting for {what}.\n{}",
                    self.history(channel_id)
                );
            }
        }
    }

    /// Every message of a channel (or of all channels), for failure output.
    pub fn history(&self, channel_id: &str) -> String {
        let st = self.slack.state();
        let mut out = String::from("history:\n");
        for m in st
            .messages
            .iter()
            .filter(|m| channel_id.is_empty() || m.channel == channel_id)
        {
            let who = st
                .users
                .get(&m.user)
                .map_or(m.user.as_str(), |u| u.name.as_str());
            let to = m
                .ephemeral_to
                .as_deref()
                .map(|u| format!(" (only to {u})"))
                .unwrap_or_default();
            out.push_str(&format!("  [{}] {who}{to}: {}\n", m.ts, m.text));
        }
        out
    }

    /// The message at `m` as it is now (edits included).
    pub fn current(&self, m: &FakeMessage) -> Option<FakeMessage> {
        self.slack
            .state()
            .messages
            .iter()
            .find(|x| x.channel == m.channel && x.ts == m.ts)
            .cloned()
    }

    /// Wait until the message at `m` (edited in place) satisfies `pred`; returns it as it is then.
    pub async fn wait_edit(
        &self,
        m: &FakeMessage,
        what: &str,
        pred: impl Fn(&FakeMessage) -> bool,
    ) -> anyhow::Result<FakeMessage> {
        let mut changed = self.slack.subscribe();
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            changed.borrow_and_update();
            let now = self.current(m).context("the message was deleted")?;
            if pred(&now) {
                return Ok(now);
            }
            if expired(deadline, changed.changed()).await {
                bail!("the message never became {what}; it says:\n{}", now.text);
            }
        }
    }
}

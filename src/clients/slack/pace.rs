//! banto paces its own Slack calls to Slack's limits (`domain::slack_limits`) instead of
//! provoking 429s: a call waits for its method's slot, and a message for its channel's.

use crate::domain::slack_limits::{Cell, PER_CHANNEL, limit};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub(super) struct Pacer {
    on: bool,
    started: Instant,
    /// By method name, and `#C…` for a channel's messages.
    cells: Mutex<HashMap<String, Cell>>,
}

impl Pacer {
    pub(super) fn new(on: bool) -> Self {
        Self {
            on,
            started: Instant::now(),
            cells: Mutex::default(),
        }
    }

    /// A slot for `method` if one is free within `max`: waited for and taken; else `false`
    /// and nothing taken (for calls whose answer has a good stand-in).
    pub(super) async fn within(&self, method: &str, max: Duration) -> bool {
        let Some(l) = limit(method).filter(|_| self.on) else {
            return true;
        };
        let now = self.started.elapsed().as_millis() as i64;
        let wait = {
            let mut cells = self.cells.lock().expect("pacer");
            let cell = cells.entry(method.to_owned()).or_default();
            let mut trial = *cell;
            let wait = trial.reserve(l, now);
            if wait > max.as_millis() as i64 {
                return false;
            }
            *cell = trial;
            wait
        };
        self.sleep(method, None, wait).await;
        true
    }

    /// Wait for a slot for `method` (and, for a message, for `channel`).
    pub(super) async fn before(&self, method: &str, channel: Option<&str>) {
        if !self.on {
            return;
        }
        let now = self.started.elapsed().as_millis() as i64;
        let wait = {
            let mut cells = self.cells.lock().expect("pacer");
            let by_method = limit(method).map_or(0, |l| {
                cells.entry(method.to_owned()).or_default().reserve(l, now)
            });
            let by_channel = match (method, channel) {
                ("chat.postMessage", Some(c)) => cells
                    .entry(format!("#{c}"))
                    .or_default()
                    .reserve(PER_CHANNEL, now),
                _ => 0,
            };
            by_method.max(by_channel)
        };
        self.sleep(method, channel, wait).await;
    }

    async fn sleep(&self, method: &str, channel: Option<&str>, wait: i64) {
        if wait > 0 {
            tracing::debug!(
                method,
                channel,
                wait_ms = wait,
                "pacing to Slack's rate limits"
            );
            crate::metrics::paced("slack", method, Duration::from_millis(wait as u64));
            tokio::time::sleep(Duration::from_millis(wait as u64)).await;
        }
    }
}

//! The one retry policy every outbound client uses. SDK-level retries are turned off so that
//! retries never stack.

use std::future::Future;
use std::time::Duration;

#[derive(Clone, Copy, Debug)]
pub struct RetryPolicy {
    pub max_attempts: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 4,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(30),
        }
    }
}

/// What the caller makes of a failed attempt.
pub enum Verdict {
    /// Try again after the server's `Retry-After` (if any) or the policy's backoff.
    Retry(Option<Duration>),
    Fatal,
}

impl RetryPolicy {
    /// Exponential backoff with full jitter, capped; a server-given delay wins.
    pub fn delay(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        if let Some(d) = retry_after {
            return d.min(self.max_delay);
        }
        let exp = self.base_delay.saturating_mul(1 << attempt.min(16));
        let capped = exp.min(self.max_delay);
        let jitter = rand::random::<f64>() * 0.5 + 0.5;
        capped.mul_f64(jitter)
    }

    pub async fn run<T, E, F, Fut>(
        &self,
        mut op: F,
        classify: impl Fn(&E) -> Verdict,
    ) -> Result<T, E>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        let mut attempt = 0;
        loop {
            match op().await {
                Ok(v) => return Ok(v),
                Err(e) => {
                    attempt += 1;
                    match classify(&e) {
                        Verdict::Retry(after) if attempt < self.max_attempts => {
                            let d = self.delay(attempt - 1, after);
                            tracing::debug!(attempt, delay_ms = d.as_millis() as u64, "retrying");
                            tokio::time::sleep(d).await;
                        }
                        _ => return Err(e),
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    #[tokio::test]
    async fn retries_transient_errors_then_gives_up() {
        let policy = RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(5),
        };
        let calls = AtomicU32::new(0);
        let r: Result<(), &str> = policy
            .run(
                || async {
                    calls.fetch_add(1, Ordering::SeqCst);
                    Err("busy")
                },
                |_| Verdict::Retry(None),
            )
            .await;
        assert_eq!(r, Err("busy"));
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn fatal_errors_are_not_retried() {
        let calls = AtomicU32::new(0);
        let r: Result<(), &str> = RetryPolicy::default()
            .run(
                || async {
                    calls.fetch_add(1, Ordering::SeqCst);
                    Err("channel_not_found")
                },
                |_| Verdict::Fatal,
            )
            .await;
        assert!(r.is_err());
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn retry_after_wins_but_is_capped() {
        let p = RetryPolicy::default();
        assert_eq!(
            p.delay(0, Some(Duration::from_secs(3))),
            Duration::from_secs(3)
        );
        assert_eq!(p.delay(0, Some(Duration::from_secs(300))), p.max_delay);
        assert!(p.delay(20, None) <= p.max_delay);
    }
}

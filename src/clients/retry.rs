//! The one retry policy every outbound client uses. SDK-level retries are turned off so that
//! retries never stack. Every attempt is measured here (`banto_outbound_*`), by the client's
//! service and the operation.

use std::future::Future;
use std::time::Duration;

#[derive(Clone, Copy, Debug)]
pub struct RetryPolicy {
    pub max_attempts: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
    /// The metrics' `service` label (`slack`, `github`, …): each client names its own.
    pub service: &'static str,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 4,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(30),
            service: "other",
        }
    }
}

/// The operation a closure performs, for metrics: the client method it was written in
/// (`banto::clients::codebuild::CodeBuildApi::start_build::{{closure}}` → `start_build`).
fn operation<F>() -> &'static str {
    let mut name = std::any::type_name::<F>();
    while let Some(outer) = name.strip_suffix("::{{closure}}") {
        name = outer;
    }
    let name = name.split('<').next().unwrap_or(name);
    name.rsplit("::").next().unwrap_or(name)
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

    /// This policy for one client's calls.
    pub fn for_service(self, service: &'static str) -> Self {
        Self { service, ..self }
    }

    /// `op` until it succeeds, fails for good, or the attempts run out; measured under the
    /// name of the client method `op` was written in.
    pub async fn run<T, E, F, Fut>(&self, op: F, classify: impl Fn(&E) -> Verdict) -> Result<T, E>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        self.run_as(operation::<F>(), op, classify).await
    }

    /// As `run`, measured as `method` (a funnel that makes many kinds of call names each).
    pub async fn run_as<T, E, F, Fut>(
        &self,
        method: &str,
        mut op: F,
        classify: impl Fn(&E) -> Verdict,
    ) -> Result<T, E>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        let mut attempt = 0;
        loop {
            let started = std::time::Instant::now();
            let result = op().await;
            let took = started.elapsed();
            match result {
                Ok(v) => {
                    crate::metrics::outbound_call(self.service, method, "ok", took);
                    return Ok(v);
                }
                Err(e) => {
                    attempt += 1;
                    let verdict = classify(&e);
                    let outcome = match verdict {
                        Verdict::Retry(Some(_)) => "rate_limited",
                        Verdict::Retry(None) => "transient_error",
                        Verdict::Fatal => "error",
                    };
                    crate::metrics::outbound_call(self.service, method, outcome, took);
                    match verdict {
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
            service: "test",
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
    fn calls_are_named_after_the_client_method_they_are_made_in() {
        fn named<F>(_: &F) -> &'static str {
            operation::<F>()
        }
        let f = || async {};
        assert_eq!(
            named(&f),
            "calls_are_named_after_the_client_method_they_are_made_in"
        );
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

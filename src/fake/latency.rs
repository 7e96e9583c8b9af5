//! The fakes' answer times, logged: a benchmark tells banto's own time from the time it spent
//! waiting on (fake) Slack and translators by the union of these waits.

use std::sync::Mutex;
use std::time::{Duration, Instant};

static WAITS: Mutex<Vec<(Instant, Instant)>> = Mutex::new(Vec::new());

/// Sleep `d` as a fake answering late, and log it (nothing for zero).
pub async fn wait(d: Duration) {
    if d.is_zero() {
        return;
    }
    let start = Instant::now();
    tokio::time::sleep(d).await;
    WAITS.lock().expect("waits").push((start, Instant::now()));
}

/// How long, between `from` and `to`, at least one fake was answering; the log is emptied.
pub fn waited_between(from: Instant, to: Instant) -> Duration {
    let mut spans: Vec<(Instant, Instant)> = std::mem::take(&mut *WAITS.lock().expect("waits"))
        .into_iter()
        .map(|(a, b)| (a.max(from), b.min(to)))
        .filter(|(a, b)| a < b)
        .collect();
    spans.sort();
    let mut total = Duration::ZERO;
    let mut covered: Option<(Instant, Instant)> = None;
    for (a, b) in spans {
        covered = match covered {
            Some((ca, cb)) if a <= cb => Some((ca, cb.max(b))),
            Some((ca, cb)) => {
                total += cb - ca;
                Some((a, b))
            }
            None => Some((a, b)),
        };
    }
    total + covered.map_or(Duration::ZERO, |(a, b)| b - a)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn overlapping_waits_count_once() {
        let from = Instant::now();
        tokio::join!(
            wait(Duration::from_millis(30)),
            wait(Duration::from_millis(20))
        );
        wait(Duration::from_millis(10)).await;
        let w = waited_between(from, Instant::now());
        assert!(
            w >= Duration::from_millis(40) && w < Duration::from_millis(60),
            "{w:?}"
        );
    }
}

//! Slack's rate limits, enforced when a test or benchmark asks (`enforce_limits`): each
//! method's tier and one message a second per channel, with a little more burst than banto
//! paces itself to (Slack's tiers are "20+", "50+", "100+").

use super::*;
use crate::domain::slack_limits::{Limit, PER_CHANNEL, limit};

pub(super) fn admit(
    st: &mut SlackState,
    method: &str,
    p: &Map<String, Value>,
) -> Result<(), SlackErr> {
    if !st.enforce_limits {
        return Ok(());
    }
    let now = chrono::Utc::now().timestamp_millis();
    let lenient = |l: Limit| Limit {
        burst: l.burst + 2,
        ..l
    };
    let mut checks: Vec<(String, Limit)> = Vec::new();
    if let Some(l) = limit(method) {
        checks.push((method.to_owned(), lenient(l)));
    }
    if method == "chat.postMessage"
        && let Some(channel) = s(p, "channel").and_then(|c| st.resolve_channel(c).ok())
    {
        checks.push((format!("#{channel}"), lenient(PER_CHANNEL)));
    }
    for (key, l) in checks {
        if let Err(early_ms) = st.limit_cells.entry(key).or_default().admit(l, now) {
            st.rate_limited += 1;
            return Err(SlackErr {
                status: StatusCode::TOO_MANY_REQUESTS,
                code: "ratelimited".into(),
                retry_after: Some(((early_ms + 999) / 1000).max(1) as u64),
            });
        }
    }
    Ok(())
}

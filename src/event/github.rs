//! GitHub webhook bodies into events.

use super::*;
use serde_json::Value;

/// A GitHub webhook body. Only what every handler needs is extracted here; octocrab's typed
/// models are stricter than GitHub itself (a real `issue_comment` with `license.spdx_id: null`
/// fails them), so they are applied by the handler that needs the detail, never at the door.
pub fn parse_github(kind: &str, delivery: &str, body: &[u8]) -> Result<Event, Malformed> {
    let payload: Value = serde_json::from_slice(body)
        .map_err(|e| Malformed(format!("GitHub `{kind}` payload is not JSON: {e}")))?;
    if !payload.is_object() {
        return Err(Malformed(format!(
            "GitHub `{kind}` payload is not a JSON object"
        )));
    }
    if kind.is_empty() || !kind.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
        return Err(Malformed(format!(
            "X-GitHub-Event {kind:?} is not an event name"
        )));
    }
    Ok(Event::Github(GithubEvent {
        delivery: DeliveryId::new(delivery),
        kind: kind.to_owned(),
        action: str_at(&payload, "/action").map(str::to_owned),
        repository: str_at(&payload, "/repository/full_name").map(str::to_owned),
        payload,
    }))
}

//! Slack's Web API rate limits as banto paces itself to them (and the fake Slack enforces
//! them): each method's tier, per app and workspace, and `chat.postMessage` about one message a
//! second per channel. Pure: times are milliseconds handed in.

/// Calls per minute a method allows (Slack's tiers: 1+, 20+, 50+, 100+), and how many more
/// may go at once before the pace applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limit {
    pub per_minute: u32,
    pub burst: u32,
}

const TIER2: Limit = Limit {
    per_minute: 20,
    burst: 5,
};
const TIER3: Limit = Limit {
    per_minute: 50,
    burst: 10,
};
const TIER4: Limit = Limit {
    per_minute: 100,
    burst: 20,
};
/// `chat.postMessage`, per channel: one a second, short bursts allowed.
pub const PER_CHANNEL: Limit = Limit {
    per_minute: 60,
    burst: 4,
};

/// The limit of one Web API method; `None` for what has no tier banto needs to mind.
pub fn limit(method: &str) -> Option<Limit> {
    Some(match method {
        "conversations.create"
        | "conversations.setTopic"
        | "conversations.setPurpose"
        | "conversations.archive"
        | "usergroups.users.list"
        | "usergroups.list"
        | "pins.add" => TIER2,
        "chat.update"
        | "chat.delete"
        | "conversations.info"
        | "conversations.invite"
        | "conversations.join"
        | "conversations.members"
        | "conversations.replies"
        | "conversations.history"
        | "reactions.add"
        | "reactions.remove"
        | "pins.list" => TIER3,
        "users.info"
        | "views.open"
        | "views.push"
        | "views.update"
        | "chat.postEphemeral"
        | "chat.getPermalink"
        | "auth.test"
        | "files.getUploadURLExternal"
        | "files.completeUploadExternal"
        | "files.info" => TIER4,
        _ => return None,
    })
}

/// One rate as a generic cell rate algorithm: the theoretical arrival time of the next call.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Cell {
    tat_ms: i64,
}

impl Cell {
    /// Take a slot for a call at `now_ms`: how long the caller must wait before making it
    /// (0: at once). The slot is the caller's whether it waits or not.
    pub fn reserve(&mut self, limit: Limit, now_ms: i64) -> i64 {
        let interval = interval_ms(limit);
        let tat = self.tat_ms.max(now_ms);
        let wait = (tat - i64::from(limit.burst) * interval - now_ms).max(0);
        self.tat_ms = tat + interval;
        wait
    }

    /// Admit a call arriving at `now_ms`, or say how many ms until it would be admitted (the
    /// refused call takes no slot): Slack's side.
    pub fn admit(&mut self, limit: Limit, now_ms: i64) -> Result<(), i64> {
        let interval = interval_ms(limit);
        let tat = self.tat_ms.max(now_ms);
        let early = tat - i64::from(limit.burst) * interval - now_ms;
        if early > 0 {
            return Err(early);
        }
        self.tat_ms = tat + interval;
        Ok(())
    }
}

fn interval_ms(limit: Limit) -> i64 {
    60_000 / i64::from(limit.per_minute.max(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_goes_at_once_then_the_pace_holds() {
        let mut c = Cell::default();
        let waits: Vec<i64> = (0..8).map(|_| c.reserve(PER_CHANNEL, 10_000)).collect();
        assert_eq!(waits, [0, 0, 0, 0, 0, 1000, 2000, 3000]);
        // A minute later the burst is back.
        assert_eq!(c.reserve(PER_CHANNEL, 70_000), 0);
    }

    #[test]
    fn what_banto_reserves_slack_admits() {
        let (mut banto, mut slack) = (Cell::default(), Cell::default());
        let limit = limit("chat.update").unwrap();
        for i in 0..200 {
            let asked = i * 10;
            let sent = asked + banto.reserve(limit, asked);
            assert_eq!(
                slack.admit(limit, sent),
                Ok(()),
                "call {i} sent at {sent} ms"
            );
        }
    }

    #[test]
    fn slack_refuses_a_call_that_comes_too_soon_and_says_when() {
        let mut slack = Cell::default();
        for _ in 0..5 {
            slack.admit(PER_CHANNEL, 0).unwrap();
        }
        assert_eq!(slack.admit(PER_CHANNEL, 0), Err(1000));
        assert_eq!(slack.admit(PER_CHANNEL, 1000), Ok(()));
    }

    #[test]
    fn tiers_are_per_method() {
        assert_eq!(limit("views.open").unwrap().per_minute, 100);
        assert_eq!(limit("chat.update").unwrap().per_minute, 50);
        assert_eq!(limit("conversations.create").unwrap().per_minute, 20);
        assert_eq!(limit("chat.postMessage"), None, "paced per channel instead");
    }
}

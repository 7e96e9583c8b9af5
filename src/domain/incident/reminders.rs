//! When the commander is nudged for a status update: once per interval without one; for SEV3
//! and SEV4 only in the recipient's working hours (weekdays 09:00–18:00 in their zone), for
//! SEV1 and SEV2 at any hour.

use chrono::{Datelike, Duration, LocalResult, NaiveTime, TimeZone, Timelike, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nudge {
    /// An update came: look again at this time.
    NotYet {
        at_ms: i64,
    },
    /// Due, but outside the recipient's working hours: wait until they start.
    Wait {
        until_ms: i64,
    },
    Now,
}

/// A nudge sent: when, and by the timer due at `timer_ms`. Reminders count from the later of
/// the last update and the last nudge, so two timers due at once nudge once, and a re-run of
/// the timer that claimed the nudge (after a crash) finishes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Nudged {
    pub at_ms: i64,
    pub timer_ms: i64,
}

impl Nudged {
    /// When the next status update prompt counts from.
    pub fn since(nudged: Option<Nudged>, last_update_ms: i64) -> i64 {
        nudged.map_or(last_update_ms, |n| n.at_ms.max(last_update_ms))
    }

    /// The nudge the timer due at `timer_ms` claimed and may not have finished.
    pub fn claimed_by(nudged: Option<Nudged>, timer_ms: i64, last_update_ms: i64) -> Option<i64> {
        nudged
            .filter(|n| n.timer_ms == timer_ms && n.at_ms >= last_update_ms)
            .map(|n| n.at_ms)
    }
}

const DAY_STARTS: u32 = 9;
const DAY_ENDS: u32 = 18;

pub fn next_nudge(
    last_update_ms: i64,
    interval_ms: i64,
    severity: u8,
    zone: Option<Tz>,
    now_ms: i64,
) -> Nudge {
    let due = last_update_ms + interval_ms;
    if now_ms < due {
        return Nudge::NotYet { at_ms: due };
    }
    match zone {
        Some(tz) if severity >= 3 => {
            let start = working_hours_start(tz, now_ms);
            if start > now_ms {
                Nudge::Wait { until_ms: start }
            } else {
                Nudge::Now
            }
        }
        _ => Nudge::Now,
    }
}

/// `now_ms` if it is within working hours in `tz`, else when they next start.
pub fn working_hours_start(tz: Tz, now_ms: i64) -> i64 {
    let Some(now) = chrono::DateTime::from_timestamp_millis(now_ms) else {
        return now_ms;
    };
    let local = now.with_timezone(&tz);
    let weekday = |d: Weekday| !matches!(d, Weekday::Sat | Weekday::Sun);
    if weekday(local.weekday()) && (DAY_STARTS..DAY_ENDS).contains(&local.hour()) {
        return now_ms;
    }
    let mut day = local.date_naive();
    if local.hour() >= DAY_STARTS || !weekday(day.weekday()) {
        day += Duration::days(1);
    }
    while !weekday(day.weekday()) {
        day += Duration::days(1);
    }
    let nine = day.and_time(NaiveTime::from_hms_opt(DAY_STARTS, 0, 0).unwrap_or_default());
    match tz.from_local_datetime(&nine) {
        LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => t.timestamp_millis(),
        LocalResult::None => now_ms,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(s: &str) -> i64 {
        chrono::DateTime::parse_from_rfc3339(s)
            .unwrap()
            .timestamp_millis()
    }
    const HOUR: i64 = 3_600_000;

    #[test]
    fn a_sev3_nudge_waits_for_the_morning_in_san_francisco() {
        let sf: Tz = "America/Los_Angeles".parse().unwrap();
        // Friday 2026-11-27 22:00 in San Francisco (06:00 UTC Saturday).
        let now = ms("2026-11-28T06:00:00Z");
        assert_eq!(
            next_nudge(now - 2 * HOUR, HOUR, 3, Some(sf), now),
            Nudge::Wait {
                until_ms: ms("2026-11-30T17:00:00Z")
            },
            "Monday 09:00 PST"
        );
        assert_eq!(
            next_nudge(now - 2 * HOUR, HOUR, 1, Some(sf), now),
            Nudge::Now
        );
        assert_eq!(
            next_nudge(now - HOUR / 2, HOUR, 1, Some(sf), now),
            Nudge::NotYet {
                at_ms: now + HOUR / 2
            }
        );
    }

    #[test]
    fn a_nudge_counts_like_an_update_and_belongs_to_its_timer() {
        let n = Some(Nudged {
            at_ms: 5 * HOUR,
            timer_ms: 4 * HOUR,
        });
        assert_eq!(Nudged::since(n, 2 * HOUR), 5 * HOUR);
        assert_eq!(Nudged::since(n, 6 * HOUR), 6 * HOUR, "an update since");
        assert_eq!(Nudged::since(None, 2 * HOUR), 2 * HOUR);
        assert_eq!(Nudged::claimed_by(n, 4 * HOUR, 2 * HOUR), Some(5 * HOUR));
        assert_eq!(
            Nudged::claimed_by(n, 3 * HOUR, 2 * HOUR),
            None,
            "another timer"
        );
        assert_eq!(
            Nudged::claimed_by(n, 4 * HOUR, 6 * HOUR),
            None,
            "an update since"
        );
    }

    #[test]
    fn working_hours_in_tokyo_and_before_dawn() {
        let tokyo: Tz = "Asia/Tokyo".parse().unwrap();
        let noon_monday = ms("2026-11-30T03:00:00Z");
        assert_eq!(working_hours_start(tokyo, noon_monday), noon_monday);
        assert_eq!(
            working_hours_start(tokyo, ms("2026-11-30T20:00:00Z")),
            ms("2026-12-01T00:00:00Z"),
            "05:00 Tuesday in Tokyo waits until 09:00 that day"
        );
    }
}

//! Times people type (`14:05`, `2026-11-28T23:50`) in their own zone, as UTC instants.

use chrono::{Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
use chrono_tz::Tz;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BadTime {
    /// Not `HH:MM` nor `YYYY-MM-DDTHH:MM`.
    Unreadable,
    /// That wall-clock time does not exist in the zone (a DST gap).
    Skipped,
    InTheFuture,
}

/// `HH:MM` is the last such time at or before `now_ms` in `tz` (today, else yesterday);
/// `YYYY-MM-DDTHH:MM` (or with a space) is that date. An ambiguous time (the hour DST repeats)
/// is its first occurrence.
pub fn local_time(text: &str, tz: Tz, now_ms: i64) -> Result<i64, BadTime> {
    let text = text.trim();
    let now = chrono::DateTime::from_timestamp_millis(now_ms)
        .ok_or(BadTime::Unreadable)?
        .with_timezone(&tz);
    let instant = |local: NaiveDateTime| match tz.from_local_datetime(&local) {
        LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => Ok(t.timestamp_millis()),
        LocalResult::None => Err(BadTime::Skipped),
    };
    if let Ok(t) = NaiveTime::parse_from_str(text, "%H:%M") {
        let today = now.date_naive().and_time(t);
        let at = instant(today)?;
        return if at <= now_ms {
            Ok(at)
        } else {
            instant(today - Duration::days(1))
        };
    }
    let dated = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
        .ok_or(BadTime::Unreadable)?;
    let at = instant(dated)?;
    if at > now_ms {
        return Err(BadTime::InTheFuture);
    }
    Ok(at)
}

/// A date as people write it for a due date.
pub fn is_date(text: &str) -> bool {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(s: &str) -> i64 {
        chrono::DateTime::parse_from_rfc3339(s)
            .unwrap()
            .timestamp_millis()
    }

    #[test]
    fn a_time_of_day_is_the_last_one_in_the_writers_zone() {
        let tokyo: Tz = "Asia/Tokyo".parse().unwrap();
        let sf: Tz = "America/Los_Angeles".parse().unwrap();
        // 2026-11-28 00:30 in Tokyo is 2026-11-27 07:30 in San Francisco.
        let now = ms("2026-11-27T15:30:00Z");
        assert_eq!(
            local_time("00:10", tokyo, now),
            Ok(ms("2026-11-27T15:10:00Z"))
        );
        assert_eq!(
            local_time("23:50", tokyo, now),
            Ok(ms("2026-11-27T14:50:00Z")),
            "just before midnight in Tokyo is yesterday there"
        );
        assert_eq!(local_time("07:00", sf, now), Ok(ms("2026-11-27T15:00:00Z")));
        assert_eq!(
            local_time("2026-11-27T23:50", tokyo, now),
            Ok(ms("2026-11-27T14:50:00Z"))
        );
        assert_eq!(
            local_time("2026-11-28 09:00", tokyo, now),
            Err(BadTime::InTheFuture)
        );
        assert_eq!(
            local_time("half past", tokyo, now),
            Err(BadTime::Unreadable)
        );
    }

    #[test]
    fn dst_in_san_francisco() {
        let sf: Tz = "America/Los_Angeles".parse().unwrap();
        // 2026-03-08: clocks jump from 02:00 to 03:00; 2026-11-01: 01:00-02:00 happens twice.
        let spring = ms("2026-03-08T18:00:00Z");
        assert_eq!(local_time("02:30", sf, spring), Err(BadTime::Skipped));
        assert_eq!(
            local_time("03:30", sf, spring),
            Ok(ms("2026-03-08T10:30:00Z"))
        );
        let autumn = ms("2026-11-01T18:00:00Z");
        assert_eq!(
            local_time("01:30", sf, autumn),
            Ok(ms("2026-11-01T08:30:00Z")),
            "the first 01:30 (PDT)"
        );
        assert_eq!(
            local_time("03:00", sf, autumn),
            Ok(ms("2026-11-01T11:00:00Z")),
            "PST after"
        );
    }
}

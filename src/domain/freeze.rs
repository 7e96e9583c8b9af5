//! Deploy freeze windows in local wall-clock time: weekly (`Fri 18:00 - Mon 09:00 Asia/Tokyo`),
//! daily (`22:00 - 06:00 America/Los_Angeles`) or dated for launch events
//! (`2026-12-24 00:00 - 2026-12-26 09:00 Asia/Tokyo`). Wall-clock rules hold across DST: a
//! window that starts at 16:00 in San Francisco starts at 16:00 in winter and in summer.

use chrono::{
    DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc,
    Weekday,
};
use chrono_tz::Tz;
use std::fmt;
use std::str::FromStr;

#[derive(Clone, Debug, PartialEq, Eq)]
enum Span {
    /// Minutes since Monday 00:00, start and end; the window may wrap over the week's end.
    Weekly(u32, u32),
    /// Minutes since midnight; may wrap over midnight.
    Daily(u32, u32),
    Dated(NaiveDateTime, NaiveDateTime),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FreezeWindow {
    span: Span,
    tz: Tz,
    text: String,
}

impl fmt::Display for FreezeWindow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// `t` as a wall-clock time in `tz`: `Mon 2026-11-30 09:00 JST`.
pub fn in_zone(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz)
        .format("%a %Y-%m-%d %H:%M %Z")
        .to_string()
}

const WEEK: u32 = 7 * 24 * 60;
const DAY: u32 = 24 * 60;

fn weekday(s: &str) -> Option<Weekday> {
    Weekday::from_str(s).ok()
}

fn time(s: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(s, "%H:%M").ok()
}

fn minutes(t: NaiveTime) -> u32 {
    chrono::Timelike::num_seconds_from_midnight(&t) / 60
}

impl FromStr for FreezeWindow {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let bad = || {
            format!(
                "freeze window {text:?}: expected `Fri 18:00 - Mon 09:00 Asia/Tokyo`, `22:00 - 06:00 UTC` or `2026-12-24 00:00 - 2026-12-26 09:00 Asia/Tokyo`"
            )
        };
        let (range, tz) = text.trim().rsplit_once(' ').ok_or_else(bad)?;
        let tz: Tz = tz
            .parse()
            .map_err(|_| format!("freeze window {text:?}: unknown time zone {tz:?}"))?;
        let (from, to) = range
            .split_once(" - ")
            .or_else(|| range.split_once(" – "))
            .ok_or_else(bad)?;
        let words = |s: &str| s.split_whitespace().map(str::to_owned).collect::<Vec<_>>();
        let (from, to) = (words(from), words(to));
        let span = match (from.as_slice(), to.as_slice()) {
            ([d1, t1], [d2, t2]) if weekday(d1).is_some() => {
                let at = |d: &str, t: &str| -> Option<u32> {
                    Some(weekday(d)?.num_days_from_monday() * DAY + minutes(time(t)?))
                };
                Span::Weekly(at(d1, t1).ok_or_else(bad)?, at(d2, t2).ok_or_else(bad)?)
            }
            ([d1, t1], [d2, t2]) => {
                let at = |d: &str, t: &str| -> Option<NaiveDateTime> {
                    Some(
                        NaiveDate::parse_from_str(d, "%Y-%m-%d")
                            .ok()?
                            .and_time(time(t)?),
                    )
                };
                let (a, b) = (at(d1, t1).ok_or_else(bad)?, at(d2, t2).ok_or_else(bad)?);
                if b <= a {
                    return Err(format!("freeze window {text:?}: it ends before it starts"));
                }
                Span::Dated(a, b)
            }
            ([t1], [t2]) => Span::Daily(
                minutes(time(t1).ok_or_else(bad)?),
                minutes(time(t2).ok_or_else(bad)?),
            ),
            _ => return Err(bad()),
        };
        Ok(Self {
            span,
            tz,
            text: text.trim().to_owned(),
        })
    }
}

/// A local wall-clock time as an instant; in a DST gap, the first instant after it.
fn instant(tz: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => t.with_timezone(&Utc),
        LocalResult::None => instant(tz, local + Duration::minutes(30)),
    }
}

fn in_range(t: u32, start: u32, end: u32) -> bool {
    if start <= end {
        start <= t && t < end
    } else {
        t >= start || t < end
    }
}

impl FreezeWindow {
    /// The zone the window is written in, where people read its times.
    pub fn tz(&self) -> Tz {
        self.tz
    }

    /// If `now` is inside the window: when it ends.
    pub fn active_until(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let local = now.with_timezone(&self.tz).naive_local();
        let minute_of_day = minutes(local.time());
        let (t, start, end, period) = match self.span {
            Span::Dated(a, b) => {
                let (a, b) = (instant(self.tz, a), instant(self.tz, b));
                return (a <= now && now < b).then_some(b);
            }
            Span::Weekly(s, e) => (
                local.weekday().num_days_from_monday() * DAY + minute_of_day,
                s,
                e,
                WEEK,
            ),
            Span::Daily(s, e) => (minute_of_day, s, e, DAY),
        };
        if !in_range(t, start, end) {
            return None;
        }
        let ahead = (end + period - t) % period;
        let ahead = if ahead == 0 { period } else { ahead };
        let end_local = local.date().and_time(NaiveTime::MIN)
            + Duration::minutes(minute_of_day as i64 + ahead as i64);
        Some(instant(self.tz, end_local))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn a_weekend_freeze_in_tokyo() {
        let w: FreezeWindow = "Fri 18:00 - Mon 09:00 Asia/Tokyo".parse().unwrap();
        // 2026-11-27 is a Friday. 18:00 JST = 09:00 UTC.
        assert_eq!(w.active_until(at("2026-11-27T08:59:00Z")), None);
        let end = w.active_until(at("2026-11-27T09:00:00Z")).unwrap();
        assert_eq!(end, at("2026-11-30T00:00:00Z"), "Monday 09:00 JST");
        assert!(
            w.active_until(at("2026-11-29T12:00:00Z")).is_some(),
            "Sunday"
        );
        assert_eq!(
            w.active_until(at("2026-11-30T00:00:00Z")),
            None,
            "Monday 09:00 JST: open"
        );
    }

    #[test]
    fn san_francisco_wall_clock_holds_across_dst() {
        let w: FreezeWindow = "Fri 16:00 - Mon 08:00 America/Los_Angeles".parse().unwrap();
        // Winter (PST, UTC-8): Friday 2026-03-06 16:00 local = Saturday 00:00 UTC.
        assert_eq!(w.active_until(at("2026-03-06T23:59:00Z")), None);
        let end = w.active_until(at("2026-03-07T00:00:00Z")).unwrap();
        // DST starts Sunday 2026-03-08: Monday 08:00 is PDT (UTC-7) = 15:00 UTC.
        assert_eq!(end, at("2026-03-09T15:00:00Z"));
        // Summer (PDT): Friday 2026-03-13 16:00 local = 23:00 UTC.
        assert_eq!(w.active_until(at("2026-03-13T22:59:00Z")), None);
        assert!(w.active_until(at("2026-03-13T23:00:00Z")).is_some());
    }

    #[test]
    fn nightly_and_dated_windows() {
        let nightly: FreezeWindow = "22:00 - 06:00 Asia/Tokyo".parse().unwrap();
        let end = nightly.active_until(at("2026-11-22T14:30:00Z")).unwrap(); // 23:30 JST
        assert_eq!(
            end,
            at("2026-11-22T21:00:00Z"),
            "06:00 JST the next morning"
        );
        assert_eq!(
            nightly.active_until(at("2026-11-22T03:00:00Z")),
            None,
            "noon JST"
        );
        let launch: FreezeWindow = "2026-12-24 00:00 - 2026-12-26 09:00 America/Los_Angeles"
            .parse()
            .unwrap();
        assert_eq!(launch.active_until(at("2026-12-24T07:59:00Z")), None);
        assert_eq!(
            launch.active_until(at("2026-12-24T08:00:00Z")),
            Some(at("2026-12-26T17:00:00Z"))
        );
        // A window starting in the DST gap (02:30 does not exist on 2026-03-08 in LA).
        let gap: FreezeWindow = "2026-03-08 02:30 - 2026-03-08 04:00 America/Los_Angeles"
            .parse()
            .unwrap();
        assert!(
            gap.active_until(at("2026-03-08T10:00:00Z")).is_some(),
            "03:00 PDT"
        );
    }

    #[test]
    fn bad_windows_say_what_is_expected() {
        let e = "Fri 18:00 Asia/Tokyo".parse::<FreezeWindow>().unwrap_err();
        assert!(
            e.contains("expected `Fri 18:00 - Mon 09:00 Asia/Tokyo`"),
            "{e}"
        );
        let e = "Fri 18:00 - Mon 09:00 Tokyo"
            .parse::<FreezeWindow>()
            .unwrap_err();
        assert!(e.contains("unknown time zone \"Tokyo\""), "{e}");
        let e = "2026-12-26 00:00 - 2026-12-24 00:00 UTC"
            .parse::<FreezeWindow>()
            .unwrap_err();
        assert!(e.contains("ends before it starts"), "{e}");
    }
}

//! Drift found on a schedule: when to look (`Mon-Fri 09:00 Asia/Tokyo`, in wall-clock time, so
//! 09:00 stays 09:00 across DST), and one open item per project and workspace across runs:
//! opened when drift first appears, updated with what is new, still there and gone, closed when
//! a run finds none.

use chrono::{DateTime, Datelike, Duration, LocalResult, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

/// When drift is looked for: some weekdays at one local time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DriftSchedule {
    /// Monday = bit 0.
    days: u8,
    at: NaiveTime,
    tz: Tz,
    text: String,
}

impl fmt::Display for DriftSchedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

const HOW: &str =
    "write `Mon-Fri 09:00 Asia/Tokyo`, `Mon,Thu 07:30 UTC` or `daily 09:00 America/Los_Angeles`";

fn day(s: &str) -> Result<Weekday, String> {
    Weekday::from_str(s).map_err(|_| format!("{s:?} is not a weekday; {HOW}"))
}

fn days(spec: &str) -> Result<u8, String> {
    if spec.eq_ignore_ascii_case("daily") {
        return Ok(0x7f);
    }
    let mut bits = 0u8;
    for part in spec.split(',') {
        match part.split_once('-') {
            Some((from, to)) => {
                let (from, to) = (day(from)?, day(to)?);
                let mut d = from;
                loop {
                    bits |= 1 << d.num_days_from_monday();
                    if d == to {
                        break;
                    }
                    d = d.succ();
                }
            }
            None => bits |= 1 << day(part)?.num_days_from_monday(),
        }
    }
    Ok(bits)
}

impl FromStr for DriftSchedule {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let words: Vec<&str> = s.split_whitespace().collect();
        let [spec, at, zone] = words[..] else {
            return Err(format!("{s:?}: {HOW}"));
        };
        let at = NaiveTime::parse_from_str(at, "%H:%M")
            .map_err(|_| format!("{at:?} is not a time like 09:00; {HOW}"))?;
        let tz = Tz::from_str(zone)
            .map_err(|_| format!("{zone:?} is not an IANA time zone such as Asia/Tokyo"))?;
        Ok(Self {
            days: days(spec)?,
            at,
            tz,
            text: words.join(" "),
        })
    }
}

impl DriftSchedule {
    pub fn tz(&self) -> Tz {
        self.tz
    }

    /// The first time after `t` the schedule falls due. A time a DST change skips runs an hour
    /// later on the wall clock (02:30 on the spring-forward night runs at 03:30); a time that
    /// happens twice runs the first time.
    pub fn next_after(&self, t: DateTime<Utc>) -> DateTime<Utc> {
        let today = t.with_timezone(&self.tz).date_naive();
        for ahead in 0..=8 {
            let date = today + Duration::days(ahead);
            if self.days & (1 << date.weekday().num_days_from_monday()) == 0 {
                continue;
            }
            let local = date.and_time(self.at);
            let due = match self.tz.from_local_datetime(&local) {
                LocalResult::Single(x) | LocalResult::Ambiguous(x, _) => x,
                LocalResult::None => {
                    match self.tz.from_local_datetime(&(local + Duration::hours(1))) {
                        LocalResult::Single(x) | LocalResult::Ambiguous(x, _) => x,
                        LocalResult::None => continue,
                    }
                }
            };
            let due = due.with_timezone(&Utc);
            if due > t {
                return due;
            }
        }
        unreachable!("a schedule names at least one weekday, due within eight days")
    }
}

/// What one drift check found against the open item of its project and workspace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Observation {
    /// Nothing open and nothing found.
    Clean,
    /// Drift where there was none: a new item (linking the last closed one, if any).
    Opened { resources: BTreeSet<String> },
    /// Still drifted: what is new since the last check, what remains, what went away.
    Updated {
        new: BTreeSet<String>,
        still: BTreeSet<String>,
        gone: BTreeSet<String>,
    },
    /// The same resources as last time.
    Unchanged,
    /// A check found none: the item closes, naming what went away.
    Closed { gone: BTreeSet<String> },
}

/// `open`: the resources the open item lists (None when no item is open); `found`: the drifted
/// resources a check saw now. Never a second item while one is open.
pub fn observe(open: Option<&BTreeSet<String>>, found: &BTreeSet<String>) -> Observation {
    match open {
        None if found.is_empty() => Observation::Clean,
        None => Observation::Opened {
            resources: found.clone(),
        },
        Some(open) if found.is_empty() => Observation::Closed { gone: open.clone() },
        Some(open) if open == found => Observation::Unchanged,
        Some(open) => Observation::Updated {
            new: found.difference(open).cloned().collect(),
            still: found.intersection(open).cloned().collect(),
            gone: open.difference(found).cloned().collect(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn set(items: &[&str]) -> BTreeSet<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn weekdays_in_tokyo_skip_the_weekend() {
        let s: DriftSchedule = "Mon-Fri 09:00 Asia/Tokyo".parse().unwrap();
        // Friday 2026-12-04 10:00 JST: past Friday's run, next is Monday 09:00 JST.
        assert_eq!(
            s.next_after(utc("2026-12-04T01:00:00Z")),
            utc("2026-12-07T00:00:00Z")
        );
        assert_eq!(
            s.next_after(utc("2026-12-03T23:59:00Z")),
            utc("2026-12-04T00:00:00Z"),
            "Friday 08:59 JST: this morning"
        );
    }

    #[test]
    fn san_francisco_keeps_its_wall_clock_across_dst() {
        let s: DriftSchedule = "daily 09:00 America/Los_Angeles".parse().unwrap();
        assert_eq!(
            s.next_after(utc("2026-03-07T18:00:00Z")),
            utc("2026-03-08T16:00:00Z"),
            "PDT from 8 March: 09:00 is 16:00 UTC, not 17:00"
        );
        assert_eq!(
            s.next_after(utc("2026-11-01T15:00:00Z")),
            utc("2026-11-01T17:00:00Z"),
            "PST from 1 November"
        );
        let skipped: DriftSchedule = "Sun 02:30 America/Los_Angeles".parse().unwrap();
        assert_eq!(
            skipped.next_after(utc("2026-03-07T00:00:00Z")),
            utc("2026-03-08T10:30:00Z"),
            "02:30 does not exist that night: 03:30 PDT"
        );
        let twice: DriftSchedule = "Sun 01:30 America/Los_Angeles".parse().unwrap();
        assert_eq!(
            twice.next_after(utc("2026-10-31T00:00:00Z")),
            utc("2026-11-01T08:30:00Z"),
            "01:30 happens twice: the first, in PDT"
        );
    }

    #[test]
    fn lists_and_single_days() {
        let s: DriftSchedule = "Mon,Thu 07:30 UTC".parse().unwrap();
        assert_eq!(
            s.next_after(utc("2026-12-01T00:00:00Z")),
            utc("2026-12-03T07:30:00Z")
        );
        let wrap: DriftSchedule = "Sat-Mon 12:00 UTC".parse().unwrap();
        assert_eq!(
            wrap.next_after(utc("2026-12-07T13:00:00Z")),
            utc("2026-12-12T12:00:00Z"),
            "Monday done: Saturday next"
        );
    }

    #[test]
    fn bad_schedules_say_how_to_write_one() {
        for (text, says) in [
            ("09:00 Asia/Tokyo", "Mon-Fri 09:00 Asia/Tokyo"),
            ("Mon-Fry 09:00 Asia/Tokyo", "\"Fry\" is not a weekday"),
            ("Mon 9am Asia/Tokyo", "\"9am\" is not a time"),
            ("Mon 09:00 Tokyo", "\"Tokyo\" is not an IANA time zone"),
        ] {
            let e = text.parse::<DriftSchedule>().unwrap_err();
            assert!(e.contains(says), "{text}: {e}");
        }
    }

    #[test]
    fn one_item_opened_updated_and_closed() {
        let none = BTreeSet::new();
        assert_eq!(observe(None, &none), Observation::Clean);
        let first = set(&["aws_security_group.web", "aws_s3_bucket.logs"]);
        assert_eq!(
            observe(None, &first),
            Observation::Opened {
                resources: first.clone()
            }
        );
        assert_eq!(observe(Some(&first), &first), Observation::Unchanged);
        let later = set(&["aws_security_group.web", "aws_iam_role.ci"]);
        assert_eq!(
            observe(Some(&first), &later),
            Observation::Updated {
                new: set(&["aws_iam_role.ci"]),
                still: set(&["aws_security_group.web"]),
                gone: set(&["aws_s3_bucket.logs"]),
            }
        );
        assert_eq!(
            observe(Some(&later), &none),
            Observation::Closed {
                gone: later.clone()
            }
        );
    }
}

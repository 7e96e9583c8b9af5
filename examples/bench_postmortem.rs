//! A postmortem draft for an incident with 5,000 timeline entries (notes, captured messages
//! with thread replies, status changes, deploys), built and rendered in English and Japanese
//! with two time zones, as `/incident resolve` does: time per draft and the file's size.
//!
//! cargo run --release --example bench_postmortem [-- ITERATIONS]

use banto::domain::incident::{Captured, Declaration, Incident, Lesson, Status};
use banto::domain::postmortem::{Inputs, draft};
use banto::handlers::postmortem::document;
use banto::locale::Locale;
use banto::messages::postmortem::Names;
use chrono_tz::Tz;
use std::time::Instant;

const ENTRIES: usize = 5_000;

fn incident() -> Incident {
    let t0 = 1_793_520_000_000_i64;
    let mut i = Incident::declare(&Declaration {
        title: "Checkout 502s after the payments deploy",
        kind: "bad-deploy",
        severity: 1,
        private: false,
        reporter: "UBOB",
        commander: Some("UBOB"),
        services: &["web".into(), "payments".into()],
        impact_started_ms: t0,
        detected_ms: Some(t0 + 60_000),
        now_ms: t0 + 120_000,
    });
    let people = ["UALICE", "UBOB", "UKENJI"];
    let mut n = 0;
    while i.timeline.len() < ENTRIES {
        let at = t0 + 120_000 + n as i64 * 7_000;
        let who = people[n % 3];
        match n % 5 {
            0 | 1 => {
                let c = Captured {
                    channel: "C0INC".into(),
                    ts: format!("{}.{:06}", at / 1000, n),
                    thread_ts: (n % 2 == 1).then(|| format!("{}.000000", at / 1000 - 60)),
                    author: who.into(),
                    text: format!(
                        "p99 at {}ms on api-{} | error rate {}% <@UKENJI> 確認中",
                        900 + n,
                        n % 9,
                        n % 13
                    ),
                    edited: n % 7 == 0,
                    deleted: false,
                    lesson: [
                        None,
                        Some(Lesson::WentWell),
                        Some(Lesson::WentWrong),
                        Some(Lesson::Lucky),
                    ][n % 4],
                };
                i.capture(who, c, at, at + 1000);
            }
            2 => {
                let _ = i.note(
                    who,
                    &format!("Tried draining node {n}; no change"),
                    Some(at),
                    at + 1000,
                );
            }
            3 => {
                let _ = i.update(
                    who,
                    &format!("Still degraded; next update in 15 minutes ({n})"),
                    at,
                );
            }
            _ => {
                let to = if n % 2 == 0 {
                    Status::Identified
                } else {
                    Status::Investigating
                };
                let _ = i.set_status(who, to, at);
            }
        }
        n += 1;
    }
    i
}

fn main() {
    let iterations: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(20);
    let i = incident();
    let zones: Vec<Tz> = vec![chrono_tz::Asia::Tokyo, chrono_tz::America::Los_Angeles];
    let names: Names = [("UALICE", "alice"), ("UBOB", "bob"), ("UKENJI", "kenji")]
        .into_iter()
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
        .collect();
    let mut times = Vec::new();
    let mut drafting = Vec::new();
    let mut size = (0, 0, 0);
    for _ in 0..iterations {
        let t = Instant::now();
        let d = draft(&Inputs {
            id: "INC-7",
            incident: &i,
            zones: &zones,
            workspace_url: Some("https://acme.slack.com/"),
        });
        drafting.push(t.elapsed().as_secs_f64() * 1000.0);
        let text = document(&d, |_| "Bad deploy".into(), &names, Locale::En, |_| None);
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        let en = text.split("\n\n---\n\n").next().map_or(0, str::len);
        size = (text.len(), en, text.len() - en);
    }
    times.sort_by(f64::total_cmp);
    drafting.sort_by(f64::total_cmp);
    let p = |q: f64| times[((times.len() as f64 * q) as usize).min(times.len() - 1)];
    println!(
        "postmortem draft, {} timeline entries, 2 zones, EN + JA   n={iterations}  p50 {:.1} ms   p90 {:.1} ms   max {:.1} ms",
        i.timeline.len(),
        p(0.5),
        p(0.9),
        times[times.len() - 1]
    );
    println!(
        "  of which the draft (facts, stamps, blameless check) p50 {:.1} ms; wording and rendering the rest",
        drafting[drafting.len() / 2]
    );
    println!(
        "file: {} KiB (English {} KiB, Japanese {} KiB)   target < 50 ms",
        size.0 / 1024,
        size.1 / 1024,
        size.2 / 1024
    );
}

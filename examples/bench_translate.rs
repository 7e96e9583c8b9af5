//! Protecting and restoring Slack markup for translation on 10,000 ops messages (mentions,
//! links, code, emoji, `@here`): split, encode for each provider style, restore after a
//! provider that reorders tokens. Prints the time for all of it (target < 100 ms).
//!
//! cargo run --release --example bench_translate [-- MESSAGES]

use banto::domain::translate::{Style, detect, encode, restore, split};
use std::time::Instant;

const SAMPLES: &[&str] = &[
    "<@U0ALICE> rollback started, see <https://runbooks.example.com/db|the runbook> and `kubectl get pods`",
    "<!here> checkout is down :fire: p99 4.2s",
    "本番に web 1.5.0 をデプロイ開始しました <@U0KENJI> 確認お願いします",
    "logs:\n```\nERROR 502 upstream timed out\n```\nlooks like the LB *again*",
    "DB の CPU が 95% です <!date^1795000000^{time}|10:00 UTC> から https://grafana.example.com/d/db",
    "failover done in 40s :tada: thanks <@U0KENJI|kenji>",
];

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10_000);
    let names = |id: &str| (id == "U0ALICE").then(|| "alice".to_owned());
    let t = Instant::now();
    let mut kept_total = 0;
    for i in 0..n {
        let text = SAMPLES[i % SAMPLES.len()];
        let _ = detect(text);
        let style = [Style::Xml, Style::Span, Style::Placeholder][i % 3];
        let pieces = split(text, &names);
        let (encoded, kept) = encode(&pieces, style);
        kept_total += kept.len();
        let back = restore(&encoded, &kept, style).expect("every token comes back");
        assert!(!back.contains("<@"));
    }
    let ms = t.elapsed().as_secs_f64() * 1000.0;
    println!(
        "detect + protect + restore, {n} messages ({kept_total} tokens): {ms:.1} ms in all, {:.2} µs each   target < 100 ms",
        ms * 1000.0 / n as f64
    );
}

//! A tag bump on a generated ~1 MB Helm values file: time per bump (parse, locate, splice,
//! re-parse and verify) and proof that only the target's bytes changed.
//!
//! cargo run --release --example bench_yaml [-- ITERATIONS]

use banto::domain::yaml_edit::{Locator, set_tag};
use std::fmt::Write as _;
use std::time::Instant;

fn values(target_bytes: usize) -> String {
    let mut out = String::from("# Generated values for a large umbrella chart.\n\n");
    let mut i = 0;
    while out.len() < target_bytes {
        let _ = write!(
            out,
            "service{i}:\n  # Settings for service {i}.\n  enabled: true\n  replicas: {}\n  image:\n    repository: ghcr.io/acme/service{i}\n    tag: \"v1.{i}.0\"  # pinned\n  env:\n    - name: LOG_LEVEL\n      value: 'info'\n    - name: REGION\n      value: ap-northeast-1\n  resources: {{ limits: {{ cpu: 500m, memory: 256Mi }} }}\n\n",
            i % 7 + 1
        );
        i += 1;
    }
    out.push_str("web:\n  image:\n    repository: ghcr.io/acme/web\n    tag: v2.3.4\n");
    out
}

fn main() {
    let iterations: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(50);
    let text = values(1024 * 1024);
    let locator = Locator::Key {
        path: "web.image.tag".into(),
        repository: Some("ghcr.io/acme/web".into()),
    };
    let t = Instant::now();
    let events = saphyr_parser::Parser::new_from_str(&text).count();
    println!(
        "(saphyr-parser alone: {events} events in {:.2} ms)",
        t.elapsed().as_secs_f64() * 1000.0
    );
    let mut times = vec![];
    let mut out = None;
    for _ in 0..iterations {
        let t = Instant::now();
        let e = set_tag(&text, &locator, "v2.4.0").expect("bump");
        times.push(t.elapsed());
        out = Some(e);
    }
    let out = out.expect("at least one iteration");
    assert_eq!(
        out.text,
        text.replace("    tag: v2.3.4\n", "    tag: v2.4.0\n"),
        "byte-exact"
    );
    times.sort();
    let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
    println!(
        "tag bump on a {:.2} MB values file ({} lines): p50 {:.2} ms, min {:.2} ms, max {:.2} ms over {iterations} runs; output byte-identical except the tag",
        text.len() as f64 / 1_048_576.0,
        text.lines().count(),
        ms(times[times.len() / 2]),
        ms(times[0]),
        ms(times[times.len() - 1]),
    );
}

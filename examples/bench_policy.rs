//! Policies on a large plan, as banto checks one before its card can be approved: the five
//! example policies and 44 more (50 in all) compiled once, then a ~5 MB plan's JSON read and
//! every rule evaluated, repeated: a plan shaped as Terraform writes it, and one that is all
//! resource changes. Prints compile time and p50/p99 per plan.
//!
//! cargo run --release --example bench_policy [-- RUNS]

use banto::policy::{Bundle, Input};
use std::time::{Duration, Instant};

/// 44 policies shaped like real ones: each walks every resource change with its own test.
fn generated(dir: &std::path::Path) -> std::io::Result<()> {
    for i in 0..44 {
        let test = match i % 5 {
            0 => format!(r#"rc.change.after.instance_type == "m{i}.huge""#),
            1 => format!(
                r#"startswith(rc.change.after.attribute_{:02}, "forbidden-{i}")"#,
                i % 28
            ),
            2 => format!(
                r#"rc.change.after.tags.Env == "prod"; "delete" in rc.change.actions; rc.index == {}"#,
                100_000 + i
            ),
            3 => format!(r#"count(object.keys(rc.change.after)) > {}"#, 40 + i),
            _ => format!(r#"regex.match("^legacy-{i}-", rc.name)"#),
        };
        let level = if i % 3 == 0 { "warn" } else { "deny" };
        std::fs::write(
            dir.join(format!("p{i:02}.rego")),
            format!(
                "package bench.p{i:02}\n\n{level} contains msg if {{\n\tsome rc in input.resource_changes\n\trc.change.after != null\n\t{}\n\tmsg := sprintf(\"%s breaks rule {i}\", [rc.address])\n}}\n",
                test.replace("; ", "\n\t")
            ),
        )?;
    }
    Ok(())
}

fn pct(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i].as_secs_f64() * 1000.0
}

fn main() -> anyhow::Result<()> {
    let runs: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(50);
    let dir = std::env::temp_dir().join(format!("banto-bench-policy-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    generated(&dir)?;
    let examples = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/policies");

    let started = Instant::now();
    let bundle = Bundle::load(&[examples, dir.clone()])?;
    let compile = started.elapsed();
    std::fs::remove_dir_all(&dir)?;
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    println!(
        "{} policy files, {} rules, compiled once in {:.1} ms; {runs} runs per plan on {threads} threads",
        bundle.files.len(),
        bundle.evaluate(&Input::parse("{}")?, 1).rules,
        compile.as_secs_f64() * 1000.0
    );
    for (what, plan) in [
        (
            "as terraform show -json writes it (500 resources)",
            banto::fake::plans::full(500),
        ),
        (
            "resource_changes only (1,100 resources, the harder case)",
            banto::fake::plans::large(1_100),
        ),
    ] {
        let mut parse = vec![];
        let mut total = vec![];
        let mut findings = 0;
        for _ in 0..runs {
            let t = Instant::now();
            let input = Input::parse(&plan)?;
            parse.push(t.elapsed());
            findings = bundle.evaluate(&input, threads).findings.len();
            total.push(t.elapsed());
        }
        parse.sort();
        total.sort();
        println!(
            "\n{:.1} MB plan, {what}: {findings} findings",
            plan.len() as f64 / 1e6
        );
        println!(
            "  read the plan:      p50 {:6.1} ms  p99 {:6.1} ms",
            pct(&parse, 0.5),
            pct(&parse, 0.99)
        );
        println!(
            "  read and evaluate:  p50 {:6.1} ms  p99 {:6.1} ms  (target p99 < 50 ms)",
            pct(&total, 0.5),
            pct(&total, 0.99)
        );
    }
    Ok(())
}

//! Summarising a generated ~100 MB `terraform show -json` plan with 20,000 resource changes:
//! wall time and peak RSS of `banto tf summarize`, next to `jq` computing the same counts.
//!
//! cargo build --release && cargo run --release --example bench_plan [-- RESOURCES]

use std::process::Command;

fn measure(cmd: &mut Command) -> (f64, u64, String) {
    let out = Command::new("/usr/bin/time")
        .arg("-f")
        .arg("%e %M")
        .arg(cmd.get_program())
        .args(cmd.get_args())
        .output()
        .expect("/usr/bin/time (Debian package `time`)");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let last = stderr.lines().last().unwrap_or_default().to_owned();
    let mut parts = last.split_whitespace();
    let secs: f64 = parts
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or(f64::NAN);
    let kb: u64 = parts.next().and_then(|s| s.parse().ok()).unwrap_or(0);
    assert!(
        out.status.success(),
        "{:?} failed: {stderr}",
        cmd.get_program()
    );
    (secs, kb, String::from_utf8_lossy(&out.stdout).into_owned())
}

fn main() -> anyhow::Result<()> {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(20_000);
    let path = std::env::temp_dir().join(format!("banto-bench-plan-{n}.json"));
    if !path.exists() {
        std::fs::write(&path, banto::fake::plans::large(n))?;
    }
    let size = std::fs::metadata(&path)?.len();
    let banto = std::env::current_exe()?
        .parent()
        .and_then(|p| p.parent())
        .map(|p| p.join("banto"))
        .expect("target dir");
    anyhow::ensure!(
        banto.exists(),
        "build the release binary first: cargo build --release"
    );
    println!("plan: {} resource changes, {:.1} MB", n, size as f64 / 1e6);
    println!(
        "{:<28} {:>9} {:>12} {:>10}",
        "command", "wall s", "peak RSS MB", "RSS/file"
    );
    let (bs, bkb, bout) =
        measure(Command::new(&banto).args(["tf", "summarize", path.to_str().unwrap()]));
    let (js, jkb, jout) = measure(Command::new("jq").args([
        "-c",
        r#"[.resource_changes[].change.actions | join(",")] | group_by(.) | map({(.[0]): length}) | add"#,
        path.to_str().unwrap(),
    ]));
    for (name, s, kb) in [
        ("banto tf summarize", bs, bkb),
        ("jq (counts only)", js, jkb),
    ] {
        println!(
            "{name:<28} {s:>9.2} {:>12.1} {:>10.2}",
            kb as f64 / 1024.0,
            kb as f64 * 1024.0 / size as f64
        );
    }
    println!("banto is {:.1}x faster than jq", js / bs);
    println!("banto: {}", bout.lines().next().unwrap_or_default());
    println!("jq:    {}", jout.trim());
    Ok(())
}

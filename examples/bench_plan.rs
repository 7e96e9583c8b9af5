//! Summarising a generated ~100 MB `terraform show -json` plan with 20,000 resource changes:
//! wall time and peak RSS of `banto tf summarize`, next to `jq` computing the same counts.
//!
//! cargo build --release && cargo run --release --example bench_plan [-- RESOURCES]

use std::fmt::Write as _;
use std::process::Command;

fn resource(i: usize) -> String {
    let action = match i % 10 {
        0 => r#"["delete"]"#,
        1 => r#"["delete","create"]"#,
        2 | 3 => r#"["create"]"#,
        _ => r#"["update"]"#,
    };
    let mut attrs = String::new();
    for a in 0..28 {
        let _ = write!(
            attrs,
            r#""attribute_{a:02}":"value-{i}-{a}-lorem-ipsum-dolor-sit-amet-consectetur-adipiscing","#
        );
    }
    let before = format!(
        r#"{{{attrs}"instance_type":"t3.small","password":"old-{i}","tags":{{"Team":"sre","Env":"prod"}}}}"#
    );
    let after = format!(
        r#"{{{attrs}"instance_type":"t3.large","password":"new-{i}","tags":{{"Team":"sre","Env":"prod"}}}}"#
    );
    format!(
        r#"{{"address":"module.fleet.aws_instance.node[{i}]","module_address":"module.fleet","mode":"managed","type":"aws_instance","name":"node","index":{i},"provider_name":"registry.terraform.io/hashicorp/aws","change":{{"actions":{action},"before":{before},"after":{after},"after_unknown":{{"id":true}},"before_sensitive":{{"password":true}},"after_sensitive":{{"password":true}}}}}}"#
    )
}

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
        let mut json = String::from(
            r#"{"format_version":"1.2","terraform_version":"1.9.0","resource_changes":["#,
        );
        for i in 0..n {
            if i > 0 {
                json.push(',');
            }
            json.push_str(&resource(i));
        }
        json.push_str(r#"],"output_changes":{}}"#);
        std::fs::write(&path, json)?;
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

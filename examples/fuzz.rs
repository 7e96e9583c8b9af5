//! Corpus-seeded mutation fuzzing of every parser that takes outside input, on the stable
//! toolchain: Slack bodies (commands, interactions, events), GitHub, EventBridge, Alertmanager
//! and Argo CD bodies, `terraform show -json`, credential masking, the YAML editor (input and
//! locator), the slash-command grammar, freeze windows and `config.toml`. Each input runs under
//! `catch_unwind`; one that panics or takes longer than a second is saved and reported. The
//! Slack events target also reports a signed JSON body that ingress would refuse.
//!
//! cargo run --release --example fuzz -- [SECONDS] [TARGET]   (default 60 s over all targets)

use banto::domain::{freeze::FreezeWindow, mask, plan, yaml_edit};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

type Target = fn(&[u8]);

fn text(b: &[u8]) -> &str {
    std::str::from_utf8(b).unwrap_or("")
}

fn slack_command(b: &[u8]) {
    let _ = banto::event::parse_slash_command(b);
}
fn slack_interaction(b: &[u8]) {
    let _ = banto::event::parse_interaction(b);
}
/// A signed Events API body is acknowledged unless it is not JSON at all (ingress answers 400
/// exactly when this parse fails): any other refusal is a finding.
fn slack_events(b: &[u8]) {
    let answer = banto::event::parse_slack_events(b);
    let json = serde_json::from_slice::<serde_json::Value>(b).is_ok();
    assert!(
        answer.is_ok() || !json,
        "a signed JSON event would be refused: {:?}",
        answer.err()
    );
}
fn github(b: &[u8]) {
    for kind in [
        "pull_request",
        "push",
        "registry_package",
        "package",
        "workflow_run",
        "ping",
    ] {
        let _ = banto::event::parse_github(kind, "d-1", b);
    }
}
fn aws_event(b: &[u8]) {
    let _ = banto::event::parse_aws_event(b);
}
fn alertmanager(b: &[u8]) {
    let _ = banto::event::parse_alertmanager(b);
}
fn argocd(b: &[u8]) {
    let _ = banto::event::parse_argocd(b);
}
fn terraform_plan(b: &[u8]) {
    if let Ok(s) = plan::summarize(text(b)) {
        let _ = banto::messages::plan::text(&s, banto::locale::Locale::En);
        let _ = banto::messages::plan::slack_card(&s, "p", banto::locale::Locale::Ja);
    }
}
fn masking(b: &[u8]) {
    let t = text(b);
    let masked = mask::text(t);
    assert!(
        masked.len() <= t.len() + 16 * t.len().max(1),
        "masking grew without bound"
    );
}
fn yaml(b: &[u8]) {
    // The first line names the locator, the rest is the file.
    let t = text(b);
    let (head, body) = t.split_once('\n').unwrap_or(("image.tag", t));
    let locators = [
        yaml_edit::Locator::Key {
            path: head.trim().to_owned(),
            repository: None,
        },
        yaml_edit::Locator::Image {
            repository: head.trim().to_owned(),
        },
        yaml_edit::Locator::Kustomize {
            name: head.trim().to_owned(),
        },
        yaml_edit::Locator::Setter {
            policy: head.trim().to_owned(),
        },
    ];
    for l in &locators {
        let _ = yaml_edit::current_tag(body, l);
        let _ = yaml_edit::set_tag(body, l, "1.2.3");
    }
}
fn commands(b: &[u8]) {
    let t = text(b);
    let _ = banto::commands::parse_tf(t);
    let _ = banto::commands::parse_deploy("/deploy", t);
    let _ = banto::commands::parse_deploy("/rollback", t);
    let _ = banto::commands::parse_deploy("/promote", t);
    let _ = banto::commands::parse_banto(t);
    let _ = t.parse::<FreezeWindow>();
}
fn config(b: &[u8]) {
    let _ = banto::config::Config::parse(text(b), Path::new("fuzz.toml"));
}

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus")
}

fn files(dirs: &[&str], suffixes: &[&str]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for d in dirs {
        let dir = if d.starts_with('/') {
            PathBuf::from(d)
        } else {
            corpus().join(d)
        };
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        paths.sort();
        for p in paths {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if suffixes.iter().any(|s| name.ends_with(s))
                && let Ok(b) = std::fs::read(&p)
                && b.len() < 256 * 1024
            {
                out.push(b);
            }
        }
    }
    out
}

fn seeds(name: &str) -> Vec<Vec<u8>> {
    let repo = env!("CARGO_MANIFEST_DIR");
    let mut s = match name {
        "slack_command" | "slack_interaction" => files(&["slack"], &[".form.txt"]),
        "slack_events" => {
            // Inner events as Slack wraps them, beside the whole envelopes.
            let mut v = files(&["slack"], &[".json"]);
            for inner in files(&["slack"], &[".inner.json"]) {
                if let Ok(event) = serde_json::from_slice::<serde_json::Value>(&inner) {
                    let envelope = serde_json::json!({ "type": "event_callback",
                        "event_id": "Ev0FUZZ", "team_id": "T1", "event": event });
                    v.push(envelope.to_string().into_bytes());
                }
            }
            v
        }
        "github" => files(&["github-webhooks"], &[".json"]),
        "aws_event" => files(&["codebuild", "alerts"], &[".json"]),
        "alertmanager" => files(&["alerts"], &[".json"]),
        "argocd" => vec![
            br#"{"app":"web-production","revision":"abc","sync_status":"Synced","health_status":"Healthy","message":""}"#.to_vec(),
        ],
        "terraform_plan" => {
            let mut v = files(&["terraform/plan-json"], &[".json"]);
            v.extend(files(&[&format!("{repo}/tests/terraform/leaks"), &format!("{repo}/tests/terraform/counts")], &["plan.json"]));
            v
        }
        "masking" => {
            let mut v = files(&["terraform/plan-text"], &[".txt"]);
            v.push(b"export AWS_ACCESS_KEY_ID=AKIAZ7VRSQ4TFE2MKD3P postgres://a:b@c/d Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln password=hunter2 xoxb-1-2-abc".to_vec());
            v
        }
        "yaml" => files(&["gitops"], &[".yaml", ".yml"])
            .into_iter()
            .map(|f| [b"image.tag\n".to_vec(), f].concat())
            .collect(),
        "commands" => [
            "plan network main", "status", "unlock network stuck", "web 1.5.0 production --break-glass fire",
            "lock web production reason", "history web production", "web staging production",
            "Fri 18:00 - Mon 09:00 Asia/Tokyo", "2026-12-24 00:00 - 2026-12-26 09:00 Asia/Tokyo", "help", "ping",
        ]
        .iter()
        .map(|s| s.as_bytes().to_vec())
        .collect(),
        "config" => vec![
            std::fs::read(format!("{repo}/config.toml")).unwrap_or_default(),
            b"[[deploy.apps]]\nname = \"web\"\nimage = \"ghcr.io/a/web\"\nrepo = \"a/b\"\nchannel = \"C1\"\napprovers = { users = [\"U1\"] }\ntag_policy = { semver = \">=1\" }\n[[deploy.apps.envs]]\nname = \"production\"\nfile = \"x.yaml\"\nfreeze = [\"Fri 18:00 - Mon 09:00 Asia/Tokyo\"]\n".to_vec(),
        ],
        _ => vec![],
    };
    if s.is_empty() {
        s.push(b"{}".to_vec());
    }
    s
}

const TARGETS: &[(&str, Target)] = &[
    ("slack_command", slack_command),
    ("slack_interaction", slack_interaction),
    ("slack_events", slack_events),
    ("github", github),
    ("aws_event", aws_event),
    ("alertmanager", alertmanager),
    ("argocd", argocd),
    ("terraform_plan", terraform_plan),
    ("masking", masking),
    ("yaml", yaml),
    ("commands", commands),
    ("config", config),
];

/// Tokens that reach deep paths faster than random bytes.
const TOKENS: &[&[u8]] = &[
    b"\"",
    b"{",
    b"}",
    b"[",
    b"]",
    b":",
    b",",
    b"null",
    b"true",
    b"-1",
    b"1e309",
    b"\\u0000",
    b"\\ud800",
    b"%",
    b"%ZZ",
    b"&",
    b"=",
    b"+",
    b"\n",
    b"\r\n",
    b"---",
    b"- ",
    b"  ",
    b"&a",
    b"*a",
    b"|",
    b">",
    b"#",
    b"'",
    b"..",
    b"/",
    b"\xff",
    b"\xe3\x81\x82",
    b"sensitive",
    b"after_sensitive",
    b"format_version",
    b"\"1.2\"",
    b"actions",
    b"delete",
    b"create",
    b"image:",
    b"tag:",
    b"[[",
    b"]]",
    b"payload=",
    b"type",
    b"event_callback",
    b"block_actions",
    b"-----BEGIN",
    b"AKIA",
    b"://",
    b"@",
    b"password=",
];

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn mutate(rng: &mut Rng, seeds: &[Vec<u8>], input: &mut Vec<u8>) {
    for _ in 0..=rng.below(4) {
        let len = input.len();
        match rng.below(8) {
            0 if len > 0 => {
                let i = rng.below(len);
                input[i] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let i = rng.below(len);
                input[i] = rng.next() as u8;
            }
            2 => {
                let t = TOKENS[rng.below(TOKENS.len())];
                let at = rng.below(len + 1);
                input.splice(at..at, t.iter().copied());
            }
            3 if len > 1 => {
                let a = rng.below(len);
                let b = (a + rng.below(64) + 1).min(len);
                input.drain(a..b);
            }
            4 if len > 1 => {
                let a = rng.below(len);
                let b = (a + rng.below(64) + 1).min(len);
                let chunk = input[a..b].to_vec();
                let at = rng.below(len + 1);
                input.splice(at..at, chunk);
            }
            5 => {
                let other = &seeds[rng.below(seeds.len())];
                if !other.is_empty() {
                    let a = rng.below(other.len());
                    let b = (a + rng.below(256) + 1).min(other.len());
                    let at = rng.below(len + 1);
                    input.splice(at..at, other[a..b].iter().copied());
                }
            }
            6 if len > 0 => input.truncate(rng.below(len)),
            _ => {
                let t = TOKENS[rng.below(TOKENS.len())];
                input.extend_from_slice(t);
            }
        }
    }
    input.truncate(512 * 1024);
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let seconds: u64 = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(60);
    let only = args.get(2).cloned();
    let targets: Vec<(&str, Target)> = TARGETS
        .iter()
        .copied()
        .filter(|(n, _)| only.as_deref().is_none_or(|o| o == *n))
        .collect();
    assert!(
        !targets.is_empty(),
        "unknown target {only:?}; one of {:?}",
        TARGETS.iter().map(|t| t.0).collect::<Vec<_>>()
    );
    std::panic::set_hook(Box::new(|_| {}));
    let out = std::env::temp_dir().join("banto-fuzz-findings");
    let per_target = Duration::from_secs_f64(seconds as f64 / targets.len() as f64);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let (mut total, mut findings) = (0u64, 0u64);
    println!(
        "{:<18} {:>12} {:>8} {:>7}",
        "target", "executions", "panics", "hangs"
    );
    for (name, target) in targets {
        let seeds = seeds(name);
        let execs = AtomicU64::new(0);
        let panics = AtomicU64::new(0);
        let hangs = AtomicU64::new(0);
        let stop = AtomicBool::new(false);
        let deadline = Instant::now() + per_target;
        std::thread::scope(|scope| {
            for t in 0..threads {
                let (seeds, execs, panics, hangs, stop, out) =
                    (&seeds, &execs, &panics, &hangs, &stop, &out);
                scope.spawn(move || {
                    let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ ((t as u64 + 1) * 0x1234_5678_9ABC));
                    // Every seed as it is first.
                    if t == 0 {
                        for s in seeds {
                            let _ = std::panic::catch_unwind(|| target(s));
                        }
                    }
                    let mut n = 0u64;
                    while !stop.load(Ordering::Relaxed) {
                        let mut input = seeds[rng.below(seeds.len())].clone();
                        mutate(&mut rng, seeds, &mut input);
                        let began = Instant::now();
                        let ok = std::panic::catch_unwind(|| target(&input)).is_ok();
                        let slow = began.elapsed() > Duration::from_secs(1);
                        if !ok || slow {
                            let kind = if ok { "hang" } else { "panic" };
                            let _ = std::fs::create_dir_all(out);
                            let file = out.join(format!("{name}-{kind}-{}-{n}", t));
                            let _ = std::fs::write(&file, &input);
                            if ok {
                                hangs.fetch_add(1, Ordering::Relaxed);
                            } else {
                                panics.fetch_add(1, Ordering::Relaxed);
                            }
                            eprintln!("{name}: {kind}, input saved to {}", file.display());
                        }
                        n += 1;
                        if n.is_multiple_of(256) {
                            execs.fetch_add(256, Ordering::Relaxed);
                            if Instant::now() >= deadline {
                                stop.store(true, Ordering::Relaxed);
                            }
                        }
                    }
                    execs.fetch_add(n % 256, Ordering::Relaxed);
                });
            }
        });
        let (e, p, h) = (execs.into_inner(), panics.into_inner(), hangs.into_inner());
        println!("{name:<18} {e:>12} {p:>8} {h:>7}");
        total += e;
        findings += p + h;
    }
    println!("total executions {total}, findings {findings}");
    if findings > 0 {
        eprintln!("findings saved under {}", out.display());
        std::process::exit(1);
    }
}

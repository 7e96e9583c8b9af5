//! Plans made by real Terraform with the built-in `terraform_data` (no provider, no network):
//! secrets Terraform marks in one place are masked where they repeat unmarked, credentials inside
//! ordinary values are masked, and the card leads with the counts of Terraform's own `Plan:` line.
//!
//! `tests/terraform/<scenario>/` holds `before.tf` (applied first), `after.tf` (planned), and the
//! committed `plan.json` + `plan.txt` made from them (Terraform 1.11.4). Where `terraform` is
//! installed the scenarios are also made afresh with it and checked the same way;
//! `BANTO_WRITE_PLANS=1` rewrites the committed files.

use banto::domain::plan::summarize;
use banto::locale::Locale;
use banto::messages::plan as render;
use std::path::{Path, PathBuf};
use std::process::Command;

const SCENARIOS: &[&str] = &["leaks", "counts"];

/// Every secret in the `leaks` scenario, in either its before or its after version.
const SECRETS: &[&str] = &[
    "correct-horse-battery-staple",
    "tr0ub4dor-and-3-more",
    "AKIAZ7VRSQ4TFE2MKD3P",
    "AKIAQX4MWB2LRT7NYE5K",
    "xoxb-1111111111-2222222222",
    "AbCdEfGhIjKlMnOpQrStUvWx",
    "ZyXwVuTsRqPoNmLkJiHgFeDc",
    "eyJhbGciOiJIUzI1NiJ9",
    "MIIEpAIBAAKCAQEA3Tz2mr7SZiAMfQyuvBjM9Oi8Q3BTmFlIhBGUFfWCmsc0BURYoLDd",
    "Kl7dqm6Ya8JmsNdJ0Yv8W9nUeRt2vDxGkVKWmA3NxLqpDdAc9TGfzs5iyQe4vvKJ",
    "Qm8erq7Zb9KntOe1Xw8V0Z3mYfPsDjA2xLwRoHkUb6CcNtGvEyMzq4JiSlp3",
];

fn scenario_dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/terraform")
        .join(name)
}

struct Plan {
    json: String,
    /// `terraform show -no-color` of the saved plan.
    text: String,
}

fn committed(name: &str) -> Plan {
    let dir = scenario_dir(name);
    let read = |f: &str| {
        std::fs::read_to_string(dir.join(f)).unwrap_or_else(|e| panic!("{name}/{f}: {e}"))
    };
    Plan {
        json: read("plan.json"),
        text: read("plan.txt"),
    }
}

fn terraform(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("terraform")
        .args(args)
        .current_dir(dir)
        .env("CHECKPOINT_DISABLE", "1")
        .env("TF_IN_AUTOMATION", "1")
        .env("TF_INPUT", "0")
        .output()
        .expect("terraform runs");
    assert!(
        out.status.success(),
        "terraform {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("terraform prints UTF-8")
}

/// Applies `before.tf`, plans `after.tf`, and returns the plan as JSON and as Terraform shows it.
fn made_afresh(name: &str) -> Plan {
    let dir = std::env::temp_dir().join(format!("banto-tf-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let src = scenario_dir(name);
    std::fs::copy(src.join("before.tf"), dir.join("main.tf")).unwrap();
    terraform(&dir, &["init", "-no-color"]);
    terraform(&dir, &["apply", "-auto-approve", "-no-color"]);
    std::fs::copy(src.join("after.tf"), dir.join("main.tf")).unwrap();
    terraform(&dir, &["plan", "-no-color", "-out=plan.bin"]);
    let plan = Plan {
        json: terraform(&dir, &["show", "-json", "plan.bin"]),
        text: terraform(&dir, &["show", "-no-color", "plan.bin"]),
    };
    let _ = std::fs::remove_dir_all(&dir);
    plan
}

fn terraform_installed() -> Option<String> {
    let out = Command::new("terraform")
        .arg("version")
        .env("CHECKPOINT_DISABLE", "1")
        .output()
        .ok()?;
    out.status.success().then(|| {
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .next()
            .unwrap_or("")
            .to_owned()
    })
}

/// "1 to import, 4 to add, 2 to change, 4 to destroy" from Terraform's `Plan:` line.
fn plan_line(text: &str) -> String {
    let line = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("Plan: "))
        .unwrap_or_else(|| panic!("no Plan: line in\n{text}"));
    line.trim_end_matches('.').to_owned()
}

/// Everything banto would post or print for this plan, in both languages.
fn everything_shown(json: &str) -> String {
    let s = summarize(json).expect("a real plan parses");
    let mut all = String::new();
    for locale in [Locale::En, Locale::Ja] {
        all += &render::text(&s, locale);
        all += &render::markdown(&s, locale);
        all += &serde_json::to_string(&render::slack_card(&s, "infra", locale)).unwrap();
        all += &render::slack_thread(&s, locale).join("\n");
    }
    all
}

fn check(name: &str, plan: &Plan) {
    let s = summarize(&plan.json).expect("a real plan parses");
    let ours = render::counts_line(&s.counts, Locale::En);
    let theirs = plan_line(&plan.text);
    assert!(
        ours == theirs || ours.starts_with(&format!("{theirs} (")),
        "{name}: the card says {ours:?}, Terraform says {theirs:?}"
    );
    if name == "leaks" {
        let shown = everything_shown(&plan.json);
        for secret in SECRETS {
            assert!(
                plan.json.contains(secret) || !plan.text.contains(secret),
                "{name}: the scenario no longer holds {secret}"
            );
            assert!(
                !shown.contains(secret),
                "{name}: {secret} shown in\n{shown}"
            );
        }
        assert!(
            plan.text.contains("correct-horse-battery-staple"),
            "Terraform itself shows the unmarked copy; banto must not"
        );
        assert!(
            shown.contains("postgres://admin:(sensitive)@db.internal/app"),
            "only the secret inside a value is masked, the rest stays readable:\n{shown}"
        );
        assert!(
            shown.contains("export AWS_ACCESS_KEY_ID=(sensitive)"),
            "{shown}"
        );
    }
}

#[test]
fn committed_real_plans_mask_repeats_and_count_like_terraform() {
    for name in SCENARIOS {
        let plan = committed(name);
        assert!(
            plan.json.contains(r#""terraform_version":"1.11.4""#),
            "{name}"
        );
        check(name, &plan);
    }
}

#[test]
fn plans_made_now_by_the_installed_terraform_are_masked_and_counted_alike() {
    let Some(version) = terraform_installed() else {
        eprintln!(
            "SKIPPED: `terraform` is not installed here, so only the committed plans (Terraform \
             1.11.4) were checked; install Terraform to check plans made by the version you run"
        );
        return;
    };
    eprintln!("making the scenarios with {version}");
    for name in SCENARIOS {
        let plan = made_afresh(name);
        check(name, &plan);
        if std::env::var_os("BANTO_WRITE_PLANS").is_some() {
            let dir = scenario_dir(name);
            std::fs::write(dir.join("plan.json"), &plan.json).unwrap();
            std::fs::write(dir.join("plan.txt"), &plan.text).unwrap();
        }
    }
}

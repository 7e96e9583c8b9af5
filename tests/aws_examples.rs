//! `examples/aws/` is what users apply: its buildspecs must read exactly the environment banto
//! gives each build, and the apply must refuse a plan file that is not the approved one.

use banto::config::Config;
use banto::domain::tf_run::{Binding, PlanFacts};
use banto::handlers::terraform::build_env;
use banto::ids::RunId;
use std::collections::BTreeSet;

fn read(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/examples/aws/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn banto_vars(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = text;
    while let Some(i) = rest.find("BANTO_") {
        let name: String = rest[i..]
            .chars()
            .take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '_')
            .collect();
        out.insert(name.clone());
        rest = &rest[i + name.len()..];
    }
    out
}

fn project() -> banto::config::TfProject {
    Config::parse(
        r#"
[[terraform.projects]]
name = "network"
repo = "acme/infra"
dir = "envs/prod/network"
codebuild_plan_project = "p"
codebuild_apply_project = "a"
artifact_bucket = "b"
channel = "C1"
approvers = { users = ["U1"] }
"#,
        std::path::Path::new("t.toml"),
    )
    .unwrap()
    .terraform
    .projects
    .remove(0)
}

#[test]
fn buildspecs_read_only_what_banto_sets_and_use_all_of_it() {
    let p = project();
    let approved = PlanFacts {
        sha256: "ab".into(),
        planned_at_ms: 0,
        required_approvals: 1,
        binding: Binding {
            lock_sha256: Some("cd".into()),
            terraform_version: Some("1.9.8".into()),
            base_sha: None,
            policy_digest: None,
        },
        policies: vec![],
        cost: None,
        changes_digest: None,
    };
    for (file, mode, approved) in [
        ("buildspec-plan.yml", "plan", None),
        ("buildspec-apply.yml", "apply", Some(&approved)),
    ] {
        let set: BTreeSet<String> = build_env(&p, RunId(1), mode, approved)
            .into_iter()
            .map(|(k, _)| k)
            .collect();
        let used = banto_vars(&read(file));
        assert!(
            used.is_subset(&set),
            "{file} reads variables banto never sets: {:?}",
            used.difference(&set).collect::<Vec<_>>()
        );
        for needed in [
            "BANTO_DIR",
            "BANTO_WORKSPACE",
            "BANTO_ARTIFACT_BUCKET",
            "BANTO_ARTIFACT_PREFIX",
        ] {
            assert!(used.contains(needed), "{file} ignores {needed}");
        }
    }
}

#[test]
fn the_apply_checks_the_plan_hash_before_applying_the_saved_plan() {
    let apply = read("buildspec-apply.yml");
    let check = apply
        .find("BANTO_PLAN_SHA256\" ]")
        .expect("compares against the approved hash");
    let exit = apply[check..].find("exit 1").expect("refuses on mismatch") + check;
    let run = apply.find("terraform apply").expect("applies");
    assert!(
        check < exit && exit < run,
        "the hash check comes before terraform apply"
    );
    assert!(
        apply[run..].contains("tfplan"),
        "applies the saved plan file, not a fresh plan"
    );
    for bound in ["$BANTO_LOCK_SHA256\"", "$BANTO_TERRAFORM_VERSION\""] {
        let at = apply
            .find(bound)
            .unwrap_or_else(|| panic!("compares against {bound}"));
        let exit = apply[at..].find("exit 1").expect("refuses on mismatch") + at;
        assert!(exit < run, "{bound} is checked before terraform apply");
    }
    let plan = read("buildspec-plan.yml");
    for artifact in [
        "tfplan",
        "tfplan.sha256",
        "plan.json",
        "binding.json",
        "infracost.json",
    ] {
        assert!(plan.contains(artifact), "the plan build uploads {artifact}");
    }
    assert!(
        plan.contains("terraform show -json"),
        "banto reads JSON, never plan text"
    );
}

#[test]
fn the_terraform_wires_eventbridge_to_banto_with_the_bearer_secret() {
    let tf = read("main.tf");
    for needed in [
        "\"${var.banto_url}/aws/events\"",
        "value = \"Bearer ${var.events_secret}\"",
        "\"CodeBuild Build State Change\"",
        "buildspec-plan.yml",
        "buildspec-apply.yml",
        "ReadOnlyAccess",
        "sse_algorithm     = \"aws:kms\"",
    ] {
        assert!(tf.contains(needed), "main.tf lacks {needed}");
    }
}

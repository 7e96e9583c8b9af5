//! `banto doctor` against the fake world: a good set-up passes every check, and each way a
//! set-up goes wrong is one ✗ that names the fix.

use banto::doctor::{Report, Status};
use banto::fake::world::{NETWORK_PROJECT, World, WorldOptions};

fn config() -> String {
    format!(
        r##"{NETWORK_PROJECT}
[slack]
ops_channel = "#ops"

[[deploy.apps]]
name = "web"
image = "ghcr.io/acme/web"
repo = "acme/gitops"
channel = "#deploys"
approvers = {{ users = ["@alice"], groups = ["&sre-leads"] }}

[[deploy.apps.envs]]
name = "production"
file = "apps/web/production/values.yaml"
key = "image.tag"

[postmortem]
docs_repo = "acme/postmortems"
"##
    )
}

async fn world() -> World {
    let w = World::start_with(WorldOptions::with_config(&config()))
        .await
        .unwrap();
    w.github.seed_repo(
        "acme/gitops",
        &[(
            "apps/web/production/values.yaml",
            "image:\n  tag: \"1.0\"\n",
        )],
    );
    w.github
        .seed_repo("acme/postmortems", &[("README.md", "# Postmortems\n")]);
    w
}

fn failed(report: &Report) -> Vec<String> {
    report
        .checks
        .iter()
        .filter(|c| c.status == Status::Fail)
        .map(|c| c.line.clone())
        .collect()
}

/// The one failure `report` has, with its fix.
fn only_failure(report: &Report) -> (String, String) {
    let f: Vec<_> = report
        .checks
        .iter()
        .filter(|c| c.status == Status::Fail)
        .collect();
    assert_eq!(f.len(), 1, "{}", report.render());
    (f[0].line.clone(), f[0].fix.clone().unwrap_or_default())
}

#[tokio::test]
async fn a_good_set_up_passes_every_check() {
    let w = world().await;
    let report = w.doctor().await;
    let text = report.render();
    assert_eq!(failed(&report), Vec::<String>::new(), "{text}");
    for expected in [
        "SLACK_BOT_TOKEN is set",
        "migrations applied",
        "bot token works: <@U0BANTOBOT> in banto demo",
        "all the manifest asks for",
        "#infra (",
        "Terraform project network",
        "#ops (",
        "user group",
        "acme/gitops: read and write, default branch main — GitOps repository of web",
        "acme/infra: read",
        "acme/postmortems: read and write",
        "CodeBuild project banto-tf-plan exists",
        "CodeBuild project banto-tf-apply exists",
        "s3://acme-banto-plans/",
    ] {
        assert!(text.contains(expected), "{expected:?} missing from\n{text}");
    }
    assert!(
        text.contains("checks: ") && text.contains(" 0 failed"),
        "{text}"
    );
    for secret in [
        w.signing_secret.as_str(),
        w.github_secret.as_str(),
        "xoxb-fake",
    ] {
        assert!(!text.contains(secret), "a secret is printed:\n{text}");
    }
}

#[tokio::test]
async fn each_slack_problem_is_named_with_its_fix() {
    let w = world().await;
    w.slack
        .mutate(|s| s.scopes.retain(|x| x != "pins:write" && x != "files:write"));
    let (line, fix) = only_failure(&w.doctor().await);
    assert!(
        line.contains("lacks scopes: files:write, pins:write"),
        "{line}"
    );
    assert!(fix.contains("reinstall"), "{fix}");
    w.slack
        .mutate(|s| s.scopes = banto::clients::slack::manifest_scopes());

    let infra = w.channel("infra");
    w.slack.mutate(|s| {
        let bot = s.bot_user.clone();
        s.channels.get_mut(&infra).unwrap().members.remove(&bot);
    });
    let (line, fix) = only_failure(&w.doctor().await);
    assert!(
        line.contains("banto is not in #infra") && line.contains("Terraform project network"),
        "{line}"
    );
    assert_eq!(fix, "type `/invite @banto` in #infra");
    w.slack.mutate(|s| {
        let bot = s.bot_user.clone();
        let ch = s.channels.get_mut(&infra).unwrap();
        ch.members.insert(bot);
        ch.is_archived = true;
    });
    let (line, _) = only_failure(&w.doctor().await);
    assert!(
        line.contains("#infra") && line.contains("is archived"),
        "{line}"
    );
    w.slack
        .mutate(|s| s.channels.get_mut(&infra).unwrap().is_archived = false);

    let deploys = w.channel("deploys");
    w.slack.mutate(|s| s.channels.remove(&deploys));
    w.slack.mutate(|s| s.usergroups.clear());
    let report = w.doctor().await;
    let f = failed(&report);
    assert_eq!(f.len(), 2, "{}", report.render());
    assert!(
        f[0].contains(&deploys) && f[0].contains("channel_not_found"),
        "{f:?}"
    );
    assert!(
        f[1].contains("does not resolve") && f[1].contains("no_such_subteam"),
        "{f:?}"
    );
}

#[tokio::test]
async fn a_wrong_token_stops_the_slack_checks_with_its_fix() {
    let w = world().await;
    w.slack.mutate(|s| s.bot_token = "xoxb-another".into());
    let report = w.doctor().await;
    let (line, fix) = only_failure(&report);
    assert!(
        line.contains("auth.test failed") && line.contains("invalid_auth"),
        "{line}"
    );
    assert!(fix.contains("Bot User OAuth Token"), "{fix}");
    assert!(
        report.find("#infra").is_none(),
        "channels are not checked with a bad token"
    );
}

#[tokio::test]
async fn github_and_aws_problems_are_named_with_their_fix() {
    let w = world().await;
    w.github
        .state()
        .read_only_repos
        .insert("acme/gitops".into());
    let (line, fix) = only_failure(&w.doctor().await);
    assert!(line.contains("acme/gitops: banto cannot write"), "{line}");
    assert!(fix.contains("write access"), "{fix}");
    w.github.state().read_only_repos.clear();

    w.github
        .state()
        .no_squash_repos
        .insert("acme/gitops".into());
    let (line, fix) = only_failure(&w.doctor().await);
    assert!(line.contains("squash merging is not allowed"), "{line}");
    assert!(fix.contains("Allow squash merging"), "{fix}");
    w.github.state().no_squash_repos.clear();

    w.github.state().missing_repos.insert("acme/infra".into());
    let (line, _) = only_failure(&w.doctor().await);
    assert!(
        line.contains("acme/infra cannot be read") && line.contains("404"),
        "{line}"
    );
    w.github.state().missing_repos.clear();

    w.codebuild
        .state()
        .projects
        .retain(|p| p != "banto-tf-apply");
    let (line, fix) = only_failure(&w.doctor().await);
    assert!(
        line.contains("CodeBuild project banto-tf-apply does not exist"),
        "{line}"
    );
    assert!(fix.contains("codebuild_apply_project"), "{fix}");
    w.codebuild.state().projects.push("banto-tf-apply".into());

    w.s3.deny("acme-banto-plans");
    let (line, fix) = only_failure(&w.doctor().await);
    assert!(
        line.contains("s3://acme-banto-plans/") && line.contains("AccessDenied"),
        "{line}"
    );
    assert!(
        fix.contains("s3:GetObject") && fix.contains("s3:ListBucket"),
        "{fix}"
    );
}

#[tokio::test]
async fn missing_secrets_and_an_unmigrated_database_fail() {
    let w = world().await;
    let fresh = banto::fake::database::TestDatabase::new().await.unwrap();
    let report = w
        .doctor_with(|config, secrets| {
            secrets.aws_events_secret = None;
            secrets.github_webhook_secret = None;
            config.database.url = fresh.url.clone();
        })
        .await;
    let f = failed(&report);
    let text = report.render();
    assert_eq!(f.len(), 3, "{text}");
    assert!(
        text.contains("GITHUB_WEBHOOK_SECRET is not set: GitHub's pull request"),
        "{text}"
    );
    assert!(
        text.contains("AWS_EVENTS_SECRET is not set: CodeBuild results"),
        "{text}"
    );
    assert!(
        text.contains("migrations not applied (first: 0001"),
        "{text}"
    );
    assert!(text.contains("run `banto migrate`"), "{text}");
}

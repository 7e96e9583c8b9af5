//! The GitHub client (octocrab) against the fake GitHub: token and App auth, pagination,
//! the shared retry policy.

use banto::clients::github::{GithubApi, GithubError};
use banto::clients::retry::RetryPolicy;
use banto::config::{Secret, Secrets};
use banto::fake::github::FakeGithub;

fn quick_retry() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 3,
        base_delay: std::time::Duration::from_millis(5),
        max_delay: std::time::Duration::from_millis(20),
        ..RetryPolicy::default()
    }
}

fn token_client(fake: &FakeGithub, token: &str) -> GithubApi {
    let secrets = Secrets {
        github_token: Some(Secret::new(token)),
        ..Default::default()
    };
    GithubApi::new(&fake.base_url, &secrets, quick_retry()).unwrap()
}

#[tokio::test]
async fn token_auth_lists_every_changed_file_across_pages() {
    let fake = FakeGithub::start().await.unwrap();
    fake.state().tokens.push("ghp_fake_token".into());
    let files: Vec<(String, &str)> = (0..75)
        .map(|i| (format!("envs/prod/net/{i:02}.tf"), "modified"))
        .collect();
    let refs: Vec<(&str, &str)> = files.iter().map(|(f, s)| (f.as_str(), *s)).collect();
    fake.add_pull("acme/infra", 7, &refs);
    let gh = token_client(&fake, "ghp_fake_token");
    let got = gh.changed_files("acme", "infra", 7).await.unwrap();
    assert_eq!(got.len(), 75);
    assert_eq!(got[74].path, "envs/prod/net/74.tf");
    assert_eq!(
        fake.calls("pulls.files"),
        3,
        "30 + 30 + 15 by Link: rel=next"
    );
}

#[tokio::test]
async fn server_errors_are_retried_and_client_errors_are_not() {
    let fake = FakeGithub::start().await.unwrap();
    fake.state().tokens.push("ghp_fake_token".into());
    fake.add_pull("acme/infra", 1, &[("main.tf", "added")]);
    let gh = token_client(&fake, "ghp_fake_token");
    fake.fail_next("pulls.files", 502, 2);
    assert_eq!(gh.changed_files("acme", "infra", 1).await.unwrap().len(), 1);
    assert_eq!(fake.calls("pulls.files"), 3);

    let err = gh.changed_files("acme", "infra", 404).await.unwrap_err();
    assert!(matches!(err, GithubError::Api { status: 404, .. }), "{err}");
    assert_eq!(fake.calls("pulls.files"), 4, "a 404 is not retried");

    let bad = token_client(&fake, "ghp_wrong_secret_value");
    let err = bad.changed_files("acme", "infra", 1).await.unwrap_err();
    assert_eq!(err.to_string(), "GitHub answered 401: Bad credentials");
    assert!(!format!("{err:?}").contains("ghp_wrong_secret_value"));
}

#[tokio::test]
async fn app_auth_finds_the_installation_and_mints_a_token_once() {
    let pem = std::process::Command::new("openssl")
        .args(["genrsa", "-traditional", "2048"])
        .output()
        .expect("openssl is needed to make a throwaway App key for this test");
    assert!(
        pem.status.success(),
        "openssl genrsa failed: {}",
        String::from_utf8_lossy(&pem.stderr)
    );
    let fake = FakeGithub::start().await.unwrap();
    fake.add_pull("acme/infra", 3, &[("modules/vpc/main.tf", "modified")]);
    let secrets = Secrets {
        github_app_id: Some(12345),
        github_app_private_key: Some(Secret::new(String::from_utf8(pem.stdout).unwrap())),
        ..Default::default()
    };
    let gh = GithubApi::new(&fake.base_url, &secrets, quick_retry()).unwrap();
    for _ in 0..2 {
        let files = gh.changed_files("acme", "infra", 3).await.unwrap();
        assert_eq!(files[0].path, "modules/vpc/main.tf");
    }
    assert_eq!(fake.calls("repo.installation"), 1);
    assert_eq!(fake.state().minted, 1, "the installation token is cached");
}

/// The GitOps write path: compare-and-swap on the blob SHA, one PR per branch, fast-forward
/// only, merges pinned to the approved head, conflicts refused.
#[tokio::test]
async fn gitops_write_path_refuses_every_stale_write() {
    let fake = FakeGithub::start().await.unwrap();
    fake.state().tokens.push("ghp_fake_token".into());
    let values = "image:\n  tag: v1 # pinned\n";
    fake.seed_repo(
        "acme/gitops",
        &[("apps/web/production/values.yaml", values)],
    );
    let gh = token_client(&fake, "ghp_fake_token");
    let path = "apps/web/production/values.yaml";

    let file = gh
        .file("acme", "gitops", path, "main")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(file.content, values);
    assert!(
        gh.file("acme", "gitops", "nope.yaml", "main")
            .await
            .unwrap()
            .is_none()
    );
    let main = gh
        .branch_head("acme", "gitops", "main")
        .await
        .unwrap()
        .unwrap();
    assert!(
        gh.branch_head("acme", "gitops", "banto/web-production")
            .await
            .unwrap()
            .is_none()
    );

    gh.create_branch("acme", "gitops", "banto/web-production", &main)
        .await
        .unwrap();
    let again = gh
        .create_branch("acme", "gitops", "banto/web-production", &main)
        .await;
    assert!(
        matches!(again, Err(GithubError::Api { status: 422, .. })),
        "{again:?}"
    );

    let v2 = values.replace("v1", "v2");
    let stale = gh
        .put_file(
            "acme",
            "gitops",
            "banto/web-production",
            path,
            &v2,
            Some("0000000000000000000000000000000000000000"),
            "bump",
        )
        .await;
    assert!(
        matches!(stale, Err(GithubError::Api { status: 409, .. })),
        "{stale:?}"
    );
    let blind = gh
        .put_file(
            "acme",
            "gitops",
            "banto/web-production",
            path,
            &v2,
            None,
            "bump",
        )
        .await;
    assert!(
        matches!(blind, Err(GithubError::Api { status: 422, .. })),
        "a write without the blob SHA is refused"
    );
    let commit = gh
        .put_file(
            "acme",
            "gitops",
            "banto/web-production",
            path,
            &v2,
            Some(&file.sha),
            "bump web to v2",
        )
        .await
        .unwrap();
    assert_eq!(
        fake.file("acme/gitops", "banto/web-production", path)
            .unwrap(),
        v2
    );
    assert_eq!(
        fake.file("acme/gitops", "main", path).unwrap(),
        values,
        "main untouched until merged"
    );

    let not_ff = gh
        .move_branch("acme", "gitops", "banto/web-production", &main, false)
        .await;
    assert!(
        matches!(not_ff, Err(GithubError::Api { status: 422, .. })),
        "never a silent force-push"
    );

    let pr = gh
        .create_pull(
            "acme",
            "gitops",
            "banto/web-production",
            "main",
            "web → v2",
            "body",
        )
        .await
        .unwrap();
    assert_eq!(pr.head_sha, commit);
    let dup = gh
        .create_pull(
            "acme",
            "gitops",
            "banto/web-production",
            "main",
            "again",
            "",
        )
        .await;
    assert!(
        matches!(dup, Err(GithubError::Api { status: 422, .. })),
        "one PR per branch"
    );
    assert_eq!(
        gh.open_pull("acme", "gitops", "banto/web-production")
            .await
            .unwrap()
            .unwrap()
            .number,
        pr.number
    );

    let moved = gh
        .merge_pull("acme", "gitops", pr.number, &main, "deploy")
        .await;
    assert!(
        matches!(moved, Err(GithubError::Api { status: 409, .. })),
        "merge is pinned to the approved head"
    );
    gh.merge_pull("acme", "gitops", pr.number, &commit, "deploy")
        .await
        .unwrap();
    assert_eq!(fake.file("acme/gitops", "main", path).unwrap(), v2);
    assert!(
        gh.open_pull("acme", "gitops", "banto/web-production")
            .await
            .unwrap()
            .is_none()
    );

    // Someone edits main's file while a second bump waits: the merge is refused, not clobbered.
    let main = gh
        .branch_head("acme", "gitops", "main")
        .await
        .unwrap()
        .unwrap();
    gh.create_branch("acme", "gitops", "banto/web-production-2", &main)
        .await
        .unwrap();
    let file = gh
        .file("acme", "gitops", path, "main")
        .await
        .unwrap()
        .unwrap();
    let c3 = gh
        .put_file(
            "acme",
            "gitops",
            "banto/web-production-2",
            path,
            &values.replace("v1", "v3"),
            Some(&file.sha),
            "v3",
        )
        .await
        .unwrap();
    fake.seed_repo("acme/gitops", &[(path, "image:\n  tag: hotfix\n")]);
    let pr = gh
        .create_pull(
            "acme",
            "gitops",
            "banto/web-production-2",
            "main",
            "web → v3",
            "",
        )
        .await
        .unwrap();
    let conflict = gh
        .merge_pull("acme", "gitops", pr.number, &c3, "deploy")
        .await;
    assert!(
        matches!(conflict, Err(GithubError::Api { status: 405, .. })),
        "{conflict:?}"
    );
    gh.update_pull(
        "acme",
        "gitops",
        pr.number,
        "web → v3 (superseded)",
        "",
        true,
    )
    .await
    .unwrap();
    assert!(
        gh.open_pull("acme", "gitops", "banto/web-production-2")
            .await
            .unwrap()
            .is_none()
    );
}

/// GitHub made the thing, then the answer was lost (a 502 or a timeout after the fact): the
/// retry finds what the first attempt made instead of making a second one or failing on its own
/// work.
#[tokio::test]
async fn every_create_retried_after_a_lost_answer_makes_exactly_one() {
    let fake = FakeGithub::start().await.unwrap();
    fake.state().tokens.push("ghp_fake_token".into());
    let path = "apps/web/production/values.yaml";
    fake.seed_repo("acme/gitops", &[(path, "image:\n  tag: v1\n")]);
    let gh = token_client(&fake, "ghp_fake_token");
    let main = gh
        .branch_head("acme", "gitops", "main")
        .await
        .unwrap()
        .unwrap();
    let branch = "banto/deploy/web-production-1";

    fake.lose_answer_next("git.refs.create", 502, 1);
    gh.create_branch("acme", "gitops", branch, &main)
        .await
        .unwrap();
    assert_eq!(fake.head("acme/gitops", branch), Some(main.clone()));
    assert_eq!(fake.calls("git.refs.create"), 1, "found, not created again");

    let blob = gh
        .file("acme", "gitops", path, branch)
        .await
        .unwrap()
        .unwrap()
        .sha;
    fake.lose_answer_next("contents.put", 504, 1);
    let commit = gh
        .put_file(
            "acme",
            "gitops",
            branch,
            path,
            "image:\n  tag: v2\n",
            Some(&blob),
            "bump",
        )
        .await
        .unwrap();
    assert_eq!(
        fake.head("acme/gitops", branch),
        Some(commit),
        "the one commit made"
    );
    assert_eq!(fake.calls("contents.put"), 1);

    fake.lose_answer_next("pulls.create", 502, 1);
    let pr = gh
        .create_pull("acme", "gitops", branch, "main", "web v2", "body")
        .await
        .unwrap();
    assert_eq!(fake.pulls("acme/gitops").len(), 1, "one pull request");
    assert_eq!(fake.pulls("acme/gitops")[0].0, pr.number);

    let marker = "<!-- banto:incident:7:action:1 -->";
    let labels = vec!["postmortem".to_owned()];
    fake.lose_answer_next("issues.create", 502, 1);
    let url = gh
        .create_issue(
            "acme",
            "gitops",
            "Add an alarm",
            &format!("body\n\n{marker}"),
            &labels,
            marker,
        )
        .await
        .unwrap();
    let issues = fake.state().issues.clone();
    assert_eq!(issues.len(), 1, "one issue: {issues:?}");
    assert!(
        url.ends_with(&format!("/issues/{}", issues[0].number)),
        "{url}"
    );

    fake.lose_answer_next("issues.comments.create", 502, 1);
    let id = gh
        .upsert_comment(
            "acme",
            "gitops",
            pr.number,
            None,
            "<!-- banto -->",
            "<!-- banto -->\nplan",
        )
        .await
        .unwrap();
    let comments = fake.comments_on("acme/gitops", pr.number);
    assert_eq!(comments.len(), 1, "one comment");
    assert_eq!(fake.calls("issues.comments.create"), 1);
    assert!(id > 0);
}

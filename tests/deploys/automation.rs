//! Automatic bumps from registries and CI, within the tag policy and never backwards.

use crate::helpers::*;

#[tokio::test]
async fn ecr_pushes_and_ci_runs_deploy_themselves_within_the_policy_and_never_backwards() {
    let apps = format!(
        r##"
[[deploy.apps]]
name = "api"
image = "{API_IMAGE}"
repo = "{REPO}"
channel = "#deploys"
approvers = {{ users = ["@alice"] }}
tag_policy = {{ regex = '^(v\d+\.\d+\.\d+|sha-[0-9a-f]{{7}})$' }}
workflow = {{ repo = "octo-org/octo-repo", name = "test", branch = "master", tag = "sha-{{short_sha}}" }}
[[deploy.apps.envs]]
name = "dev"
file = "{API_DEV}"
kustomize = "my-mysql"
auto_merge = true
auto_deploy = true
"##
    );
    let world = world_with("", &apps).await;
    let kustomization =
        corpus("gitops/kustomize__examples__transformerconfigs-images__kustomization.yaml");
    world.github.seed_repo(REPO, &[(API_DEV, &kustomization)]);

    assert!(
        world
            .post_aws_event(&ecr_push(1, "v4.0.0"))
            .await
            .unwrap()
            .status()
            .is_success()
    );
    world.settle().await.unwrap();
    world.next_message("deploys").await.unwrap();
    assert_eq!(
        main_file(&world, API_DEV),
        kustomization.replace("newTag: v3\n", "newTag: v4.0.0\n")
    );

    assert!(
        world
            .post_aws_event(&ecr_push(2, "v3.9.0"))
            .await
            .unwrap()
            .status()
            .is_success()
    );
    assert!(
        world
            .post_aws_event(&ecr_push(3, "latest"))
            .await
            .unwrap()
            .status()
            .is_success()
    );
    world.settle().await.unwrap();
    assert!(
        main_file(&world, API_DEV).contains("newTag: v4.0.0"),
        "an older tag and a tag outside the policy are not deployed"
    );

    let run = corpus("github-webhooks/octokit__workflow_run__completed.json");
    world
        .post_github(
            "workflow_run",
            "a1b2c3d4-0000-0000-0000-000000000001",
            run.as_bytes(),
        )
        .await
        .unwrap();
    world.settle().await.unwrap();
    world.next_message("deploys").await.unwrap();
    assert!(
        main_file(&world, API_DEV).contains("newTag: sha-3484a3f"),
        "{}",
        main_file(&world, API_DEV)
    );
    assert!(
        main_file(&world, STAGING).contains("tag: 0.1"),
        "other apps untouched"
    );

    // v4.0.0 is pushed again (a rebuild): a new event, so a new deploy over the CI's commit tag.
    assert!(
        world
            .post_aws_event(&ecr_push(9, "v4.0.0"))
            .await
            .unwrap()
            .status()
            .is_success()
    );
    world.settle().await.unwrap();
    world.next_message("deploys").await.unwrap();
    assert!(main_file(&world, API_DEV).contains("newTag: v4.0.0"));
}

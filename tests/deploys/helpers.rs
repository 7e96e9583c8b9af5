//! The world, the config and the steps every story here shares.

#![allow(unused_imports)]

pub(crate) use banto::config::Config;
pub(crate) use banto::fake::corpus::text as corpus;
pub(crate) use banto::fake::slack::FakeMessage;
pub(crate) use banto::fake::world::{World, WorldOptions};
pub(crate) use serde_json::{Value, json};

pub(crate) const REPO: &str = "acme/gitops";
pub(crate) const IMAGE: &str = "quay.io/argoprojlabs/argocd-e2e-container";
pub(crate) const STAGING: &str = "apps/guestbook/staging/values.yaml";
pub(crate) const PRODUCTION: &str = "apps/guestbook/production/deployment.yaml";

/// Helm values, `image.tag: 0.1` (argoproj/argocd-example-apps).
pub(crate) fn staging_values() -> String {
    corpus("gitops/argocd-example-apps__helm-guestbook__values.yaml")
}

/// A Deployment, `image: …argocd-e2e-container:0.2` (argoproj/argocd-example-apps).
pub(crate) fn production_deployment() -> String {
    corpus("gitops/argocd-example-apps__guestbook-ui-deployment.yaml")
}

pub(crate) async fn world(production_extra: &str) -> World {
    world_with(production_extra, "").await
}

pub(crate) async fn world_with(production_extra: &str, more_apps: &str) -> World {
    let text = format!(
        r##"
[github.slack_users]
bob-gh = "@bob"

[[deploy.apps]]
name = "guestbook"
image = "{IMAGE}"
repo = "{REPO}"
channel = "#deploys"
approvers = {{ users = ["@alice", "@bob"], groups = ["&sre-leads"] }}
tag_policy = {{ regex = '^0\.\d+$' }}

[[deploy.apps.envs]]
name = "staging"
file = "{STAGING}"
key = "image.tag"
auto_merge = true
auto_deploy = true

[[deploy.apps.envs]]
name = "production"
file = "{PRODUCTION}"
{production_extra}
{more_apps}
"##
    );
    let mut opts = WorldOptions::default();
    opts.config = Config {
        workers: opts.config.workers.clone(),
        ..Config::parse(&text, std::path::Path::new("test.toml")).expect("test config")
    };
    let world = World::start_with(opts).await.expect("world starts");
    world.github.seed_repo(
        REPO,
        &[
            (STAGING, &staging_values()),
            (PRODUCTION, &production_deployment()),
        ],
    );
    world
}

pub(crate) fn main_file(world: &World, path: &str) -> String {
    world.github.file(REPO, "main", path).expect("file on main")
}

pub(crate) async fn slash(world: &World, user: &str, line: &str) -> String {
    world.slash(user, "deploys", line).await.unwrap();
    world.settle().await.unwrap();
    world.next_reply(user).await.unwrap().text
}

/// The newest version of the message at `m`.
pub(crate) fn now(world: &World, m: &FakeMessage) -> FakeMessage {
    world.current(m).expect("message exists")
}

pub(crate) fn buttons(m: &FakeMessage) -> bool {
    m.blocks
        .as_ref()
        .is_some_and(|b| b.to_string().contains("deploy_approve"))
}

/// A `registry_package` published webhook (octokit's sample) for `tag` of the app's image.
pub(crate) fn package_event(tag: &str) -> Vec<u8> {
    let mut v: Value = serde_json::from_str(&corpus(
        "github-webhooks/octokit__registry_package__published.docker.json",
    ))
    .unwrap();
    let version = &mut v["registry_package"]["package_version"];
    version["package_url"] = json!(format!("{IMAGE}:{tag}"));
    version["container_metadata"]["tag"]["name"] = json!(tag);
    serde_json::to_vec(&v).unwrap()
}

pub(crate) const API_IMAGE: &str = "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/api";
pub(crate) const API_DEV: &str = "apps/api/dev/kustomization.yaml";

/// EventBridge event `n`: an "ECR Image Action" for a successful push of `tag`.
pub(crate) fn ecr_push(n: u32, tag: &str) -> Value {
    json!({ "version": "0", "id": format!("13cde686-328b-6117-af20-0e55661674{n:02}"), "detail-type": "ECR Image Action",
        "source": "aws.ecr", "account": "123456789012", "time": "2026-11-26T01:00:00Z",
        "region": "ap-northeast-1", "resources": [],
        "detail": { "result": "SUCCESS", "repository-name": "api", "action-type": "PUSH",
            "image-digest": "sha256:7f5b2640fe6fb4f46592dfd3410c4a79dac4f89e4782432e0378abcd1234abcd",
            "image-tag": tag } })
}

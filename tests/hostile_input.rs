//! What people type never shapes a request path: `../`, `?`, `#`, `%2F` and spaces sent through
//! every command that names a ref, an app, an environment, a project or a tag are refused or
//! percent-encoded, each command still gets an answer, and GitHub only ever sees routes banto
//! meant to call.

use banto::fake::world::{World, WorldOptions};

const REPO: &str = "acme/gitops";
const PRODUCTION: &str = "apps/web/production/deployment.yaml";

const HOSTILE: &[&str] = &[
    "../main",
    "../../orgs/acme/repos",
    "main?per_page=1",
    "main#frag",
    "a%2Fb",
    "..%2F..%2Fsecrets",
    "a b",
];

async fn world() -> World {
    let text = format!(
        r##"
[[terraform.projects]]
name = "network"
repo = "acme/infra"
dir = "envs/prod/network"
codebuild_plan_project = "banto-tf-plan"
codebuild_apply_project = "banto-tf-apply"
artifact_bucket = "acme-banto-plans"
channel = "#infra"
approvers = {{ users = ["@alice"] }}

[[deploy.apps]]
name = "web"
image = "ghcr.io/acme/web"
repo = "{REPO}"
channel = "#deploys"
approvers = {{ users = ["@alice"] }}

[[deploy.apps.envs]]
name = "production"
file = "{PRODUCTION}"
"##
    );
    let world = World::start_with(WorldOptions::with_config(&text))
        .await
        .expect("world starts");
    world.github.seed_repo(
        REPO,
        &[(
            PRODUCTION,
            "spec:\n  template:\n    spec:\n      containers:\n        - image: ghcr.io/acme/web:1.0\n",
        )],
    );
    world
}

/// A request path banto may send: no dot segments, no fragment, only the query keys it uses.
fn well_formed(request: &str) -> bool {
    let (path, query) = request.split_once('?').unwrap_or((request, ""));
    let clean_path = path.split('/').all(|s| !matches!(s, "." | ".."));
    let known_query = query.is_empty()
        || query.split('&').all(|kv| {
            let key = kv.split('=').next().unwrap_or("");
            matches!(key, "ref" | "state" | "head" | "page" | "per_page")
        });
    clean_path && known_query && !request.contains('#')
}

#[tokio::test]
async fn hostile_text_in_every_command_is_refused_or_encoded_and_always_answered() {
    let world = world().await;
    for h in HOSTILE {
        let lines = [
            ("infra", format!("/tf plan network {h}")),
            ("infra", format!("/tf status {h}")),
            ("infra", format!("/tf unlock {h} because")),
            ("deploys", format!("/deploy web {h} production")),
            ("deploys", format!("/deploy {h} 1.1 production")),
            ("deploys", format!("/deploy web 1.1 {h}")),
            ("deploys", format!("/promote web {h} production")),
            ("deploys", format!("/rollback web {h}")),
            ("deploys", format!("/rollback web production {h}")),
            ("deploys", format!("/deploy history web {h}")),
            ("deploys", format!("/deploy status {h}")),
            ("deploys", format!("/deploy lock web {h} because")),
        ];
        for (channel, line) in lines {
            world.slash("alice", channel, &line).await.unwrap();
            world.settle().await.unwrap();
            let reply = world.next_reply("alice").await.unwrap().text;
            assert!(!reply.is_empty(), "{line}: answered");
            if line.starts_with("/tf plan") && !h.contains(' ') {
                assert!(
                    reply.contains("is not a branch, tag or commit of `acme/infra`"),
                    "{line}: {reply}"
                );
            }
        }
    }
    let requests = world.github.requests();
    assert!(
        requests.iter().any(|r| r.contains("/commits/")),
        "refs git allows were looked up, encoded: {requests:#?}"
    );
    for r in &requests {
        assert!(well_formed(r), "GitHub was sent {r}");
    }
    assert!(
        requests.iter().any(|r| r.contains("a%252Fb")),
        "an escaped slash stays one literal segment: {requests:#?}"
    );
    assert!(
        world.github.pulls(REPO).is_empty(),
        "no hostile tag or environment opened a pull request"
    );
}

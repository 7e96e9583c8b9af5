//! GitOps deploys, as people live them: a tag bump becomes a pull request on the GitOps repo,
//! staging merges itself, production waits for the right people, and a bump that would clobber
//! someone else's change, land in a freeze, or undo a rollback is refused and explained. Fake
//! Slack and GitHub (with real git semantics: blob SHAs, refs, PRs, merges); real banto. The
//! GitOps files are real Argo CD example manifests from `../shared/corpus/gitops`.

use banto::config::Config;
use banto::fake::slack::FakeMessage;
use banto::fake::world::{World, WorldOptions};
use serde_json::{Value, json};

const REPO: &str = "acme/gitops";
const IMAGE: &str = "quay.io/argoprojlabs/argocd-e2e-container";
const STAGING: &str = "apps/guestbook/staging/values.yaml";
const PRODUCTION: &str = "apps/guestbook/production/deployment.yaml";

fn corpus(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpus")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Helm values, `image.tag: 0.1` (argoproj/argocd-example-apps).
fn staging_values() -> String {
    corpus("gitops/argocd-example-apps__helm-guestbook__values.yaml")
}

/// A Deployment, `image: …argocd-e2e-container:0.2` (argoproj/argocd-example-apps).
fn production_deployment() -> String {
    corpus("gitops/argocd-example-apps__guestbook-ui-deployment.yaml")
}

async fn world(production_extra: &str) -> World {
    world_with(production_extra, "").await
}

async fn world_with(production_extra: &str, more_apps: &str) -> World {
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

fn main_file(world: &World, path: &str) -> String {
    world.github.file(REPO, "main", path).expect("file on main")
}

async fn slash(world: &World, user: &str, line: &str) -> String {
    world.slash(user, "deploys", line).await.unwrap();
    world.settle().await.unwrap();
    world.next_reply(user).await.unwrap().text
}

async fn click(world: &World, user: &str, card: &FakeMessage, button: &str) {
    world.click(user, card, button).await.unwrap();
    world.settle().await.unwrap();
}

/// The newest version of the message at `m`.
fn now(world: &World, m: &FakeMessage) -> FakeMessage {
    world.current(m).expect("message exists")
}

fn buttons(m: &FakeMessage) -> bool {
    m.blocks
        .as_ref()
        .is_some_and(|b| b.to_string().contains("deploy_approve"))
}

#[tokio::test]
async fn staging_merges_itself_byte_exact_with_trailers_and_a_change_event() {
    let world = world("").await;
    let answer = slash(&world, "bob", "/deploy guestbook 0.3 staging").await;
    assert!(answer.contains("Merged"), "{answer}");
    let card = world.next_message("deploys").await.unwrap();
    let card = now(&world, &card);
    assert!(card.text.contains("Merged"), "{}", card.text);
    assert!(!buttons(&card), "nothing to approve in staging");

    assert_eq!(
        main_file(&world, STAGING),
        staging_values().replace("  tag: 0.1\n", "  tag: \"0.3\"\n"),
        "only the tag changed (quoted, or YAML would read the number 0.3), all else byte for byte"
    );
    let message = world.github.head_message(REPO, "main").unwrap();
    for trailer in [
        "Banto-Deploy-Id: 1",
        "Banto-Previous-Tag: 0.1",
        "Banto-Approved-By: auto-merge",
        "Banto-Requested-By: @bob-gh",
    ] {
        assert!(message.contains(trailer), "{trailer} missing:\n{message}");
    }
    let pulls = world.github.pulls(REPO);
    assert_eq!(pulls.len(), 1);
    assert!(pulls[0].1.merged);
    assert_eq!(pulls[0].1.head, "banto/deploy/guestbook-staging-1");

    let changes = world.app.store.changes_between(0, i64::MAX).await.unwrap();
    assert_eq!(changes.len(), 1, "a merged deploy is a change event");
    assert_eq!(changes[0].subject, "guestbook/staging");
    assert!(
        changes[0].detail.contains("0.1 → 0.3"),
        "{}",
        changes[0].detail
    );

    let again = slash(&world, "bob", "/deploy guestbook 0.3 staging").await;
    assert!(again.contains("already runs `0.3`"), "{again}");
}

#[tokio::test]
async fn production_waits_for_an_approver_who_is_not_the_requester_and_argo_cd_reports() {
    let mut world = world("").await;
    let mallory = world.slack.add_user("mallory", "en-US", "UTC");
    world.users.insert("mallory".into(), mallory);
    let answer = slash(&world, "bob", "/deploy guestbook 0.3 production").await;
    assert!(answer.contains("Deploy #1"), "{answer}");
    let card = world.next_message("deploys").await.unwrap();
    let card = now(&world, &card);
    assert!(card.text.contains("Awaiting approval"), "{}", card.text);
    let blocks = card.blocks.as_ref().unwrap().to_string();
    assert!(
        blocks.contains(&format!("+      - image: {IMAGE}:0.3")),
        "the card shows the diff: {blocks}"
    );
    let pulls = world.github.pulls(REPO);
    assert!(
        pulls.len() == 1 && pulls[0].1.open,
        "one pull request, open"
    );

    click(&world, "bob", &card, "Approve").await;
    let r = world.next_reply("bob").await.unwrap().text;
    assert!(r.contains("You requested this deploy"), "{r}");
    click(&world, "mallory", &card, "Approve").await;
    let r = world.next_reply("mallory").await.unwrap().text;
    assert!(r.contains("not an approver"), "{r}");
    assert_eq!(
        main_file(&world, PRODUCTION),
        production_deployment(),
        "nothing merged yet"
    );

    click(&world, "alice", &card, "Approve").await;
    let r = world.next_reply("alice").await.unwrap().text;
    assert!(r.contains("Merged"), "{r}");
    let card = world
        .wait_edit(&card, "merged", |m| m.text.contains("Merged"))
        .await
        .unwrap();
    assert!(!buttons(&card));
    assert_eq!(
        main_file(&world, PRODUCTION),
        production_deployment().replace(":0.2", ":0.3")
    );
    let message = world.github.head_message(REPO, "main").unwrap();
    assert!(
        message.contains(&format!("Banto-Approved-By: slack:{}", world.user("alice"))),
        "{message}"
    );

    // Argo CD syncs: progress in the thread, then the card turns healthy.
    let forged = reqwest::Client::new()
        .post(format!("{}/argocd/events", world.url))
        .bearer_auth("not-the-secret")
        .body(r#"{"app":"guestbook-production","sync_status":"Synced","health_status":"Healthy"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 401, "a forged notification is refused");
    let revision = world.github.head(REPO, "main").unwrap();
    let event = |health: &str, message: &str| -> Value {
        json!({ "app": "guestbook-production", "revision": revision, "sync_status": "Synced",
                "health_status": health, "message": message })
    };
    // Argo CD reports; banto answers in the card's thread.
    let report = async |health: &str| {
        let r = world.post_argocd(&event(health, "")).await.unwrap();
        assert!(r.status().is_success(), "{}", r.status());
        world.settle().await.unwrap();
        world.next_message("deploys").await.unwrap()
    };
    let note = report("Progressing").await;
    assert_eq!(note.thread_ts.as_deref(), Some(card.ts.as_str()));
    assert!(note.text.contains("Synced · Progressing"), "{}", note.text);
    let note = report("Healthy").await;
    assert!(note.text.contains("Healthy"), "{}", note.text);
    let card = world
        .wait_edit(&card, "healthy", |m| m.text.contains("Synced and healthy"))
        .await
        .unwrap();
    assert!(
        card.blocks
            .as_ref()
            .unwrap()
            .to_string()
            .contains("*Synced/Healthy*"),
        "the progress line reaches its last step"
    );
}

#[tokio::test]
async fn a_newer_request_closes_the_older_pull_request_and_a_moved_environment_is_not_clobbered() {
    let world = world("").await;
    slash(&world, "bob", "/deploy guestbook 0.3 production").await;
    let first = world.next_message("deploys").await.unwrap();
    slash(&world, "kenji", "/deploy guestbook 0.4 production").await;
    let first = world
        .wait_edit(&first, "superseded", |m| m.text.contains("Not merged"))
        .await
        .unwrap();
    assert!(
        first.text.contains("deploy #2 replaced it"),
        "{}",
        first.text
    );
    assert!(!buttons(&first));
    let second = world.next_message("deploys").await.unwrap();
    let pulls = world.github.pulls(REPO);
    let open: Vec<&str> = pulls
        .iter()
        .filter(|(_, p)| p.open)
        .map(|(_, p)| p.head.as_str())
        .collect();
    assert_eq!(
        open,
        ["banto/deploy/guestbook-production-2"],
        "one open pull request per app and environment"
    );

    // Someone changes production by hand while #2 waits for approval.
    world.github.seed_repo(
        REPO,
        &[(PRODUCTION, &production_deployment().replace(":0.2", ":0.5"))],
    );
    click(&world, "alice", &now(&world, &second), "Approve").await;
    let r = world.next_reply("alice").await.unwrap().text;
    assert!(
        r.contains("production moved to `0.5` since you asked"),
        "{r}"
    );
    let second = world
        .wait_edit(&second, "moved", |m| m.text.contains("Not merged"))
        .await
        .unwrap();
    assert!(second.text.contains("moved to `0.5`"), "{}", second.text);
    assert!(
        main_file(&world, PRODUCTION).contains(":0.5"),
        "the hand-made change stands"
    );
    assert!(
        world.github.pulls(REPO).iter().all(|(_, p)| !p.open),
        "its PR is closed"
    );
}

#[tokio::test]
async fn promote_copies_exactly_the_tag_running_below() {
    let world = world("").await;
    slash(&world, "bob", "/deploy guestbook 0.7 staging").await;
    world.next_message("deploys").await.unwrap();
    let answer = slash(&world, "bob", "/promote guestbook staging production").await;
    assert!(answer.contains("`0.7` to production"), "{answer}");
    let card = world.next_message("deploys").await.unwrap();
    let card = now(&world, &card);
    assert!(
        card.blocks
            .as_ref()
            .unwrap()
            .to_string()
            .contains("`0.2` → `0.7`")
    );
    click(&world, "kenji", &card, "Approve").await;
    world.next_reply("kenji").await.unwrap();
    assert_eq!(
        main_file(&world, PRODUCTION),
        production_deployment().replace(":0.2", ":0.7")
    );
    let status = slash(&world, "alice", "/deploy status guestbook").await;
    assert!(status.contains("staging: `0.7`"), "{status}");
    assert!(status.contains("production: `0.7`"), "{status}");
}

/// A `registry_package` published webhook (octokit's sample) for `tag` of the app's image.
fn package_event(tag: &str) -> Vec<u8> {
    let mut v: Value = serde_json::from_str(&corpus(
        "github-webhooks/octokit__registry_package__published.docker.json",
    ))
    .unwrap();
    let version = &mut v["registry_package"]["package_version"];
    version["package_url"] = json!(format!("{IMAGE}:{tag}"));
    version["container_metadata"]["tag"]["name"] = json!(tag);
    serde_json::to_vec(&v).unwrap()
}

#[tokio::test]
async fn a_rollback_holds_automatic_bumps_until_released() {
    let mut world = world("").await;
    let mallory = world.slack.add_user("mallory", "en-US", "UTC");
    world.users.insert("mallory".into(), mallory);
    // A new image is published; what banto says about it in the channel is returned.
    let publish = async |n: u32, tag: &str| {
        let delivery = format!("72d3162e-cc78-11e3-81ab-4c9367dc09{n:02}");
        world
            .post_github("registry_package", &delivery, &package_event(tag))
            .await
            .unwrap();
        world.settle().await.unwrap();
        world.next_message("deploys").await.unwrap()
    };
    publish(1, "0.3").await;
    assert!(
        main_file(&world, STAGING).contains("tag: \"0.3\""),
        "the new image is deployed"
    );

    let answer = slash(&world, "alice", "/rollback guestbook staging").await;
    assert!(answer.contains("goes from `0.3` to `0.1`"), "{answer}");
    world.next_message("deploys").await.unwrap();
    assert!(main_file(&world, STAGING).contains("tag: \"0.1\""));

    let notice = publish(2, "0.4").await;
    assert!(
        notice.text.contains("`0.4`") && notice.text.contains("held by"),
        "{}",
        notice.text
    );
    assert!(
        main_file(&world, STAGING).contains("tag: \"0.1\""),
        "the rollback stands"
    );

    let r = slash(&world, "mallory", "/deploy unlock guestbook staging").await;
    assert!(r.contains("not an approver"), "{r}");
    slash(&world, "alice", "/deploy unlock guestbook staging").await;
    world.next_message("deploys").await.unwrap();
    publish(3, "0.5").await;
    assert!(
        main_file(&world, STAGING).contains("tag: \"0.5\""),
        "bumps resume"
    );
    let history = slash(&world, "bob", "/deploy history guestbook staging").await;
    assert!(history.contains("`0.1` → `0.5`"), "{history}");
    assert!(history.contains("`0.3` → `0.1`"), "{history}");
}

#[tokio::test]
async fn a_freeze_refuses_and_break_glass_needs_one_more_approver() {
    let world = world(r#"freeze = ["2000-01-01 00:00 - 2099-12-31 23:59 Asia/Tokyo"]"#).await;
    let r = slash(&world, "bob", "/deploy guestbook 0.3 production").await;
    assert!(
        r.contains("is frozen") && r.contains("--break-glass"),
        "{r}"
    );
    assert!(
        r.contains("until Thu 2099-12-31 23:59 JST (Thu 2099-12-31 06:59 PST your time)"),
        "bob is in San Francisco: {r}"
    );
    assert!(world.github.pulls(REPO).is_empty(), "nothing was opened");
    let r = slash(&world, "bob", "/rollback guestbook production 0.1").await;
    assert!(r.contains("Deploy #1"), "a rollback is not frozen: {r}");
    let rollback = now(&world, &world.next_message("deploys").await.unwrap());
    assert!(
        rollback.text.contains("0 of 1"),
        "a rollback needs no break-glass: {}",
        rollback.text
    );

    let r = slash(
        &world,
        "bob",
        "/deploy guestbook 0.3 production --break-glass INC-7 checkout is down",
    )
    .await;
    assert!(r.contains("Deploy #2"), "{r}");
    let card = now(&world, &world.next_message("deploys").await.unwrap());
    assert!(card.text.contains("0 of 2"), "{}", card.text);
    assert!(
        card.text.contains("INC-7 checkout is down"),
        "{}",
        card.text
    );
    click(&world, "alice", &card, "Approve").await;
    world.next_reply("alice").await.unwrap();
    assert_eq!(main_file(&world, PRODUCTION), production_deployment());
    click(&world, "kenji", &card, "Approve").await;
    world.next_reply("kenji").await.unwrap();
    assert!(main_file(&world, PRODUCTION).contains(":0.3"));
    let message = world.github.head_message(REPO, "main").unwrap();
    assert!(
        message.contains("Banto-Break-Glass: INC-7 checkout is down"),
        "{message}"
    );
}

const API_IMAGE: &str = "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/api";
const API_DEV: &str = "apps/api/dev/kustomization.yaml";

/// EventBridge event `n`: an "ECR Image Action" for a successful push of `tag`.
fn ecr_push(n: u32, tag: &str) -> Value {
    json!({ "version": "0", "id": format!("13cde686-328b-6117-af20-0e55661674{n:02}"), "detail-type": "ECR Image Action",
        "source": "aws.ecr", "account": "123456789012", "time": "2026-11-26T01:00:00Z",
        "region": "ap-northeast-1", "resources": [],
        "detail": { "result": "SUCCESS", "repository-name": "api", "action-type": "PUSH",
            "image-digest": "sha256:7f5b2640fe6fb4f46592dfd3410c4a79dac4f89e4782432e0378abcd1234abcd",
            "image-tag": tag } })
}

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

#[tokio::test]
async fn a_rejected_deploy_says_why_and_closes_its_pull_request() {
    let world = world("").await;
    slash(&world, "bob", "/deploy guestbook 0.3 production").await;
    let card = now(&world, &world.next_message("deploys").await.unwrap());
    click(&world, "kenji", &card, "Reject").await;
    let modal = world
        .slack
        .state()
        .views
        .last()
        .cloned()
        .expect("a modal opened")
        .view;
    assert_eq!(modal["callback_id"], "deploy_reject_reason");
    world
        .submit_view(
            "kenji",
            "deploy_reject_reason",
            modal["private_metadata"].as_str().unwrap(),
            json!({ "reason": { "reason_input":
                "0.3 has the memory leak, see postgres://admin:hunter22@db/app" } }),
        )
        .await
        .unwrap();
    world.settle().await.unwrap();
    let card = world
        .wait_edit(&card, "rejected", |m| m.text.contains("Rejected"))
        .await
        .unwrap();
    assert!(
        card.text
            .contains("0.3 has the memory leak, see postgres://admin:(sensitive)@db/app"),
        "the reason is shown with the password in it masked: {}",
        card.text
    );
    assert!(!buttons(&card));
    let pulls = world.github.pulls(REPO);
    assert!(pulls.iter().all(|(_, p)| !p.open));
    assert!(
        pulls[0].1.body.contains("admin:(sensitive)@db") && !pulls[0].1.body.contains("hunter22"),
        "GitHub is told why without the password: {}",
        pulls[0].1.body
    );
    assert_eq!(main_file(&world, PRODUCTION), production_deployment());
}

#[tokio::test]
async fn a_merge_interrupted_after_the_last_approval_is_finished_by_the_hourly_resume() {
    let world = world("").await;
    slash(&world, "bob", "/deploy guestbook 0.3 production").await;
    let card = world.next_message("deploys").await.unwrap();
    // The last approval was saved, then the process died before merging.
    let mut stored = world
        .app
        .store
        .load(banto::ids::DeployId(1))
        .await
        .unwrap()
        .unwrap();
    stored.record.approvals.push(world.user("alice"));
    assert!(world.app.store.save(&mut stored).await.unwrap());
    assert_eq!(main_file(&world, PRODUCTION), production_deployment());

    banto::handlers::deploy::resume(&world.app).await.unwrap();
    world
        .wait_edit(&card, "merged", |m| m.text.contains("Merged"))
        .await
        .unwrap();
    let note = world.next_message("deploys").await.unwrap();
    assert_eq!(note.thread_ts.as_deref(), Some(card.ts.as_str()));
    assert_eq!(
        main_file(&world, PRODUCTION),
        production_deployment().replace(":0.2", ":0.3")
    );
    banto::handlers::deploy::resume(&world.app).await.unwrap();
    assert_eq!(world.github.pulls(REPO).len(), 1, "nothing merges twice");
}

#[tokio::test]
async fn a_deploy_that_failed_halfway_is_finished_by_its_retry_without_a_second_card_or_pr() {
    let world = world("").await;
    // GitHub is down just when the pull request is to be opened: the client's retries run out,
    // the handler fails, and the inbox runs it again two seconds later.
    world.github.fail_next("pulls.create", 502, 4);
    world
        .slash("bob", "deploys", "/deploy guestbook 0.3 production")
        .await
        .unwrap();
    let notice = world.next_reply("bob").await.unwrap().text;
    assert!(
        notice.contains("ran into a problem (GitHub answered 502")
            && notice.contains("trying again"),
        "bob is not left waiting in silence: {notice}"
    );
    let answer = world.next_reply("bob").await.unwrap().text;
    assert!(answer.contains("Deploy #1"), "{answer}");
    world.settle().await.unwrap();
    let card = world.next_message("deploys").await.unwrap();
    assert!(
        now(&world, &card).text.contains("Awaiting approval"),
        "the same card, now with its pull request"
    );
    let pulls = world.github.pulls(REPO);
    assert_eq!(pulls.len(), 1, "one pull request: {pulls:?}");
    assert_eq!(pulls[0].1.head, "banto/deploy/guestbook-production-1");
    assert_eq!(
        world
            .app
            .store
            .deploy_history("guestbook", "production", 10)
            .await
            .unwrap()
            .len(),
        1,
        "one deploy"
    );
}

#[tokio::test]
async fn a_repository_set_to_japanese_gets_its_pull_requests_in_japanese() {
    let world = world_with("", "\n[github.languages]\n\"acme/gitops\" = \"ja\"\n").await;
    slash(&world, "bob", "/deploy guestbook 0.3 production").await;
    world.next_message("deploys").await.unwrap();
    let pulls = world.github.pulls(REPO);
    assert_eq!(pulls.len(), 1);
    assert_eq!(
        pulls[0].1.title,
        "deploy(guestbook): production を 0.2 → 0.3"
    );
    assert!(
        pulls[0]
            .1
            .body
            .starts_with("banto 経由で @bob-gh が依頼したデプロイ #1 です。"),
        "{}",
        pulls[0].1.body
    );
}

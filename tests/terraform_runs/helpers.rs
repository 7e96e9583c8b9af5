//! The world, the config and the steps every story here shares.

#![allow(unused_imports)]

pub(crate) use banto::config::Config;
pub(crate) use banto::fake::codebuild::{FakeBuild, Outcome};
pub(crate) use banto::fake::slack::FakeMessage;
pub(crate) use banto::fake::world::{World, WorldOptions};
pub(crate) use std::time::Duration;

pub(crate) const PLAN: &str = "banto-tf-plan";
pub(crate) const APPLY: &str = "banto-tf-apply";
pub(crate) const REPO: &str = "acme/infra";
pub(crate) const HEAD_A: &str = "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1";
pub(crate) const HEAD_B: &str = "b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2";

pub(crate) fn corpus_plan(name: &str) -> String {
    banto::fake::corpus::text(&format!("terraform/plan-json/{name}"))
}

/// 7 resources to add.
pub(crate) fn creates() -> String {
    corpus_plan("terraform-json__120_basic.plan.json")
}

/// 1 to change, 1 to destroy (a `test_instance`, which the risk rule below guards).
pub(crate) fn destroys() -> String {
    corpus_plan("opentofu__show-json__basic-delete.plan.json")
}

pub(crate) fn config(extra: &str, poll_seconds: u64) -> Config {
    let text = format!(
        r##"
[terraform]
poll_seconds = {poll_seconds}

[[terraform.projects]]
name = "network"
repo = "acme/infra"
dir = "envs/prod/network"
when_modified = ["envs/prod/network/**", "modules/vpc/**"]
codebuild_plan_project = "banto-tf-plan"
codebuild_apply_project = "banto-tf-apply"
artifact_bucket = "acme-banto-plans"
channel = "#infra"
approvers = {{ users = ["@alice", "@bob"], groups = ["&sre-leads"] }}
{extra}
[[terraform.projects.risk]]
resource_types = ["test_instance"]
actions = ["delete"]
min_approvals = 2

[github.slack_users]
bob-gh = "@bob"
"##
    );
    Config::parse(&text, std::path::Path::new("test.toml")).expect("test config")
}

pub(crate) async fn world_with(extra: &str) -> World {
    world_polling(extra, 3600).await
}

pub(crate) async fn world_polling(extra: &str, poll_seconds: u64) -> World {
    let mut opts = WorldOptions::default();
    opts.config = Config {
        workers: opts.config.workers.clone(),
        ..config(extra, poll_seconds)
    };
    World::start_with(opts).await.expect("world starts")
}

pub(crate) fn blocks_text(m: &FakeMessage) -> String {
    m.blocks.as_ref().map(|b| b.to_string()).unwrap_or_default()
}

pub(crate) fn has_buttons(m: &FakeMessage) -> bool {
    blocks_text(m).contains("tf_approve")
}

/// A PR touching the network project is opened; its card appears and the plan build starts.
pub(crate) async fn open_pr(
    world: &World,
    number: u64,
    head: &str,
    author: &str,
) -> (FakeMessage, FakeBuild) {
    let builds_before = world.codebuild.started(PLAN).len();
    world
        .pull_request(
            "opened",
            REPO,
            number,
            head,
            author,
            &["envs/prod/network/main.tf", "README.md"],
        )
        .await
        .unwrap();
    let card = world.next_message("infra").await.unwrap();
    let build = world.build(PLAN, builds_before).await.unwrap();
    (card, build)
}

/// The plan build succeeds with `plan`; returns the card awaiting approval and the plan hash.
pub(crate) async fn plan_ready(
    world: &World,
    card: &FakeMessage,
    build: &FakeBuild,
    plan: &str,
) -> (FakeMessage, String) {
    let sha = world.finish_plan(build, plan).await.unwrap();
    let card = world
        .wait_edit(card, "awaiting approval", |m| {
            m.text.contains("Awaiting approval")
        })
        .await
        .unwrap();
    world.settle().await.unwrap();
    let thread = world.next_message("infra").await.unwrap();
    assert_eq!(
        thread.thread_ts.as_deref(),
        Some(card.ts.as_str()),
        "the full list goes in the card's thread"
    );
    (card, sha)
}

/// The run cards in #infra as first posted: the bot's top-level messages everyone sees.
pub(crate) fn cards(world: &World) -> Vec<FakeMessage> {
    let infra = world.channel("infra");
    world
        .slack
        .state()
        .messages
        .iter()
        .filter(|m| {
            m.from_bot && m.channel == infra && m.thread_ts.is_none() && m.ephemeral_to.is_none()
        })
        .cloned()
        .collect()
}

/// Run `id` as stored now.
pub(crate) async fn run(world: &World, id: i64) -> banto::store::StoredRun {
    world
        .app
        .store
        .load(banto::ids::RunId(id))
        .await
        .unwrap()
        .expect("the run exists")
}

/// The audit entries about the `network` project, oldest first.
pub(crate) async fn audit(world: &World) -> Vec<banto::domain::audit::AuditEntry> {
    world.app.store.audit_trail("tf:network").await.unwrap()
}

/// Everything posted so far counts as read (between a crash sweep's runs).
pub(crate) fn mark_read(world: &World) {
    world
        .slack
        .mutate(|s| s.messages.iter_mut().for_each(|m| m.seen = true));
}

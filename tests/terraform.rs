//! Terraform by approval, as people live it: a PR plans in CodeBuild, the card asks the right
//! people, one apply runs exactly the approved plan, and everything odd on the way is refused
//! or explained. Fake Slack, GitHub, CodeBuild and S3; real banto.

use banto::config::Config;
use banto::fake::codebuild::{FakeBuild, Outcome};
use banto::fake::slack::FakeMessage;
use banto::fake::world::{World, WorldOptions};
use std::time::Duration;

const PLAN: &str = "banto-tf-plan";
const APPLY: &str = "banto-tf-apply";
const REPO: &str = "acme/infra";
const HEAD_A: &str = "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1";
const HEAD_B: &str = "b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2";

fn corpus_plan(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpus/terraform/plan-json")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// 7 resources to add.
fn creates() -> String {
    corpus_plan("terraform-json__120_basic.plan.json")
}

/// 1 to change, 1 to destroy (a `test_instance`, which the risk rule below guards).
fn destroys() -> String {
    corpus_plan("opentofu__show-json__basic-delete.plan.json")
}

fn config(extra: &str, poll_seconds: u64) -> Config {
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

async fn world_with(extra: &str) -> World {
    world_polling(extra, 3600).await
}

async fn world_polling(extra: &str, poll_seconds: u64) -> World {
    let mut opts = WorldOptions::default();
    opts.config = Config {
        workers: opts.config.workers.clone(),
        ..config(extra, poll_seconds)
    };
    World::start_with(opts).await.expect("world starts")
}

fn blocks_text(m: &FakeMessage) -> String {
    m.blocks.as_ref().map(|b| b.to_string()).unwrap_or_default()
}

fn has_buttons(m: &FakeMessage) -> bool {
    blocks_text(m).contains("tf_approve")
}

/// A PR touching the network project is opened; its card appears and the plan build starts.
async fn open_pr(world: &World, number: u64, head: &str, author: &str) -> (FakeMessage, FakeBuild) {
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
async fn plan_ready(
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

async fn click(world: &World, user: &str, card: &FakeMessage, button: &str) {
    world.click(user, card, button).await.unwrap();
    world.settle().await.unwrap();
}

#[tokio::test]
async fn a_pull_request_plans_and_an_approver_applies_exactly_that_plan() {
    let world = world_with("").await;
    let (card, build) = open_pr(&world, 42, HEAD_A, "carol-gh").await;
    assert!(card.text.contains("Planning"), "{}", card.text);
    assert_eq!(
        build.source_version, HEAD_A,
        "CodeBuild plans the PR's head commit"
    );
    assert_eq!(build.env("BANTO_MODE"), Some("plan"));
    assert_eq!(build.env("BANTO_DIR"), Some("envs/prod/network"));
    assert_eq!(build.env("BANTO_WORKSPACE"), Some("default"));

    let (card, plan_sha) = plan_ready(&world, &card, &build, &creates()).await;
    let blocks = blocks_text(&card);
    assert!(blocks.contains("7 to add"), "{blocks}");
    assert!(card.text.contains("0 of 1"), "{}", card.text);
    assert!(has_buttons(&card));
    let comments = world.github.comments_on(REPO, 42);
    assert_eq!(comments.len(), 1, "one PR comment");
    assert!(
        comments[0].body.contains("7 to add"),
        "{}",
        comments[0].body
    );

    click(&world, "alice", &card, "Approve").await;
    let apply = world.build(APPLY, 0).await.unwrap();
    assert_eq!(apply.source_version, HEAD_A);
    assert_eq!(apply.env("BANTO_MODE"), Some("apply"));
    assert_eq!(
        apply.env("BANTO_PLAN_SHA256"),
        Some(plan_sha.as_str()),
        "the apply build is told which plan file it may apply"
    );
    assert_eq!(
        apply.env("BANTO_ARTIFACT_PREFIX"),
        build.env("BANTO_ARTIFACT_PREFIX")
    );
    let card = world
        .wait_edit(&card, "applying", |m| m.text.contains("Applying"))
        .await
        .unwrap();
    assert!(!has_buttons(&card), "no buttons while applying");

    world
        .finish_build(&apply, Outcome::Succeeded)
        .await
        .unwrap();
    world.settle().await.unwrap();
    let card = world
        .wait_edit(&card, "applied", |m| m.text.contains("Applied"))
        .await
        .unwrap();
    assert!(
        card.text.contains(&world.user("alice")),
        "the card says who approved: {}",
        card.text
    );

    let trail: Vec<String> = world
        .app
        .store
        .audit_trail("tf:network")
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(
        trail,
        [
            "plan_requested",
            "planned",
            "approved",
            "apply_started",
            "applied"
        ]
    );
    let changes = world.app.store.changes_between(0, i64::MAX).await.unwrap();
    assert_eq!(
        changes.len(),
        1,
        "the apply is a change event for incident timelines"
    );
    assert_eq!(changes[0].subject, "network");
    assert!(
        changes[0].detail.contains("null_resource.bar"),
        "{}",
        changes[0].detail
    );
    assert_eq!(
        world
            .app
            .store
            .lock_holder("network", "default")
            .await
            .unwrap(),
        None,
        "lock released"
    );
}

#[tokio::test]
async fn approval_is_deny_by_default_self_approval_is_refused_and_risk_needs_two() {
    let mut world = world_with("").await;
    let mallory = world.slack.add_user("mallory", "en-US", "UTC");
    world.users.insert("mallory".into(), mallory);
    // bob-gh is bob on Slack: bob opened the PR, so bob may not approve it.
    let (card, build) = open_pr(&world, 7, HEAD_A, "bob-gh").await;
    let (card, _) = plan_ready(&world, &card, &build, &destroys()).await;
    assert!(
        card.text.contains("0 of 2"),
        "deleting a test_instance needs two: {}",
        card.text
    );

    click(&world, "bob", &card, "Approve").await;
    assert!(
        world
            .next_reply("bob")
            .await
            .unwrap()
            .text
            .contains("You requested this run")
    );
    click(&world, "mallory", &card, "Approve").await;
    assert!(
        world
            .next_reply("mallory")
            .await
            .unwrap()
            .text
            .contains("not an approver")
    );

    click(&world, "alice", &card, "Approve").await;
    let card = world
        .wait_edit(&card, "1 of 2", |m| m.text.contains("1 of 2"))
        .await
        .unwrap();
    click(&world, "alice", &card, "Approve").await;
    assert!(
        world
            .next_reply("alice")
            .await
            .unwrap()
            .text
            .contains("already approved")
    );
    assert!(
        world.codebuild.started(APPLY).is_empty(),
        "one approval of two applies nothing"
    );

    // kenji approves through the sre-leads user group.
    click(&world, "kenji", &card, "Approve").await;
    world
        .wait_edit(&card, "applying", |m| m.text.contains("Applying"))
        .await
        .unwrap();
    assert_eq!(world.codebuild.started(APPLY).len(), 1);
}

#[tokio::test]
async fn a_new_commit_supersedes_an_approved_but_not_applied_plan() {
    let world = world_with("").await;
    let (card, build) = open_pr(&world, 9, HEAD_A, "carol-gh").await;
    let (card, _) = plan_ready(&world, &card, &build, &destroys()).await;
    click(&world, "alice", &card, "Approve").await;
    // A push lands on the PR; its webhook has not arrived yet when the last approval comes.
    world.github.set_head(REPO, 9, HEAD_B);
    click(&world, "bob", &card, "Approve").await;
    let old = world
        .wait_edit(&card, "superseded", |m| m.text.contains("Not applied"))
        .await
        .unwrap();
    assert!(old.text.contains("moved on to `b2b2b2b`"), "{}", old.text);
    assert!(!has_buttons(&old));
    assert!(
        world.codebuild.started(APPLY).is_empty(),
        "a stale plan is never applied"
    );

    // The webhook arrives: the new commit gets its own plan, and the PR comment is edited in place.
    world
        .pull_request(
            "synchronize",
            REPO,
            9,
            HEAD_B,
            "carol-gh",
            &["envs/prod/network/main.tf"],
        )
        .await
        .unwrap();
    let new_card = world.next_message("infra").await.unwrap();
    assert!(new_card.text.contains("Planning"), "{}", new_card.text);
    let build_b = world.build(PLAN, 1).await.unwrap();
    assert_eq!(build_b.source_version, HEAD_B);
    plan_ready(&world, &new_card, &build_b, &creates()).await;
    let comments = world.github.comments_on(REPO, 9);
    assert_eq!(comments.len(), 1, "one comment per PR and project");
    assert_eq!(comments[0].edits, 1);
    assert!(comments[0].body.contains("7 to add"));
}

#[tokio::test]
async fn a_plan_older_than_its_ttl_is_not_applied() {
    let world = world_with("plan_ttl_minutes = 60").await;
    let (card, build) = open_pr(&world, 3, HEAD_A, "carol-gh").await;
    let (card, _) = plan_ready(&world, &card, &build, &creates()).await;
    world.app.clock.advance(Duration::from_secs(61 * 60));
    click(&world, "alice", &card, "Approve").await;
    let card = world
        .wait_edit(&card, "expired", |m| m.text.contains("Not applied"))
        .await
        .unwrap();
    assert!(card.text.contains("older than 60 minutes"), "{}", card.text);
    assert!(world.codebuild.started(APPLY).is_empty());
    assert_eq!(
        world
            .app
            .store
            .lock_holder("network", "default")
            .await
            .unwrap(),
        None
    );
}

#[tokio::test]
async fn double_clicks_and_racing_approvers_start_one_apply() {
    let world = world_with("").await;
    let (card, build) = open_pr(&world, 5, HEAD_A, "carol-gh").await;
    let (card, _) = plan_ready(&world, &card, &build, &creates()).await;
    let (a, b, c) = tokio::join!(
        world.click("alice", &card, "Approve"),
        world.click("alice", &card, "Approve"),
        world.click("bob", &card, "Approve"),
    );
    a.unwrap();
    b.unwrap();
    c.unwrap();
    world.settle().await.unwrap();
    assert_eq!(world.codebuild.started(APPLY).len(), 1, "exactly one apply");
    // The clicks that lost are told why; nothing else happens.
    let mut replies = 0;
    for user in ["alice", "bob"] {
        while world
            .slack
            .unseen()
            .iter()
            .any(|m| m.ephemeral_to.as_deref() == Some(world.user(user).as_str()))
        {
            world.next_reply(user).await.unwrap();
            replies += 1;
        }
    }
    assert_eq!(replies, 2, "{}", world.history(""));
    world
        .wait_edit(&card, "applying", |m| m.text.contains("Applying"))
        .await
        .unwrap();
}

#[tokio::test]
async fn restart_while_applying_resumes_and_reports() {
    let mut world = world_polling("", 1).await;
    let (card, build) = open_pr(&world, 11, HEAD_A, "carol-gh").await;
    let (card, _) = plan_ready(&world, &card, &build, &creates()).await;
    click(&world, "alice", &card, "Approve").await;
    let apply = world.build(APPLY, 0).await.unwrap();
    // banto goes down; the build finishes and its EventBridge event is lost meanwhile.
    world.restart().await.unwrap();
    world
        .codebuild
        .finish(&apply.id, Outcome::Succeeded)
        .unwrap();
    // The poll timer scheduled before the restart is in the database and finds it.
    let card = world
        .wait_edit(&card, "applied after the restart", |m| {
            m.text.contains("Applied")
        })
        .await
        .unwrap();
    assert!(!has_buttons(&card));
    world.settle().await.unwrap();
    assert_eq!(
        world.codebuild.started(APPLY).len(),
        1,
        "the restart started no second apply"
    );
}

#[tokio::test]
async fn a_failed_plan_shows_its_phase_and_log_and_frees_the_lock() {
    let world = world_with("").await;
    let (card, build) = open_pr(&world, 13, HEAD_A, "carol-gh").await;
    world
        .finish_build(&build, Outcome::Failed("BUILD".into()))
        .await
        .unwrap();
    world.settle().await.unwrap();
    let card = world
        .wait_edit(&card, "failed", |m| m.text.contains("Plan failed"))
        .await
        .unwrap();
    assert!(card.text.contains("`BUILD`"), "{}", card.text);
    assert!(
        card.text.contains("Build log"),
        "a link to the logs: {}",
        card.text
    );
    assert!(!has_buttons(&card));
    world.settle().await.unwrap();
    let comments = world.github.comments_on(REPO, 13);
    assert_eq!(comments.len(), 1, "the PR hears of it too");
    assert!(
        comments[0]
            .body
            .contains("The plan failed in phase `BUILD`"),
        "{}",
        comments[0].body
    );
    assert_eq!(
        world
            .app
            .store
            .lock_holder("network", "default")
            .await
            .unwrap(),
        None
    );
}

#[tokio::test]
async fn a_failed_apply_is_reported_and_recorded_but_not_as_a_change() {
    let world = world_with("").await;
    let (card, build) = open_pr(&world, 15, HEAD_A, "carol-gh").await;
    let (card, _) = plan_ready(&world, &card, &build, &creates()).await;
    click(&world, "alice", &card, "Approve").await;
    let apply = world.build(APPLY, 0).await.unwrap();
    world
        .finish_build(&apply, Outcome::Failed("BUILD".into()))
        .await
        .unwrap();
    let card = world
        .wait_edit(&card, "apply failed", |m| m.text.contains("Apply failed"))
        .await
        .unwrap();
    assert!(card.text.contains("`BUILD`"), "{}", card.text);
    world.settle().await.unwrap();
    let trail = world.app.store.audit_trail("tf:network").await.unwrap();
    assert_eq!(trail.last().unwrap().action, "apply_failed");
    assert!(
        world
            .app
            .store
            .changes_between(0, i64::MAX)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn plans_queue_behind_the_lock_and_an_approver_can_force_unlock() {
    let mut world = world_with("").await;
    let mallory = world.slack.add_user("mallory", "en-US", "UTC");
    world.users.insert("mallory".into(), mallory);
    let (card1, build1) = open_pr(&world, 21, HEAD_A, "carol-gh").await;
    let (card1, _) = plan_ready(&world, &card1, &build1, &creates()).await;

    // A second PR on the same project queues instead of being refused.
    world
        .pull_request(
            "opened",
            REPO,
            22,
            HEAD_B,
            "dave-gh",
            &["modules/vpc/main.tf"],
        )
        .await
        .unwrap();
    let card2 = world.next_message("infra").await.unwrap();
    assert!(card2.text.contains("Queued"), "{}", card2.text);
    world.settle().await.unwrap();
    assert_eq!(
        world.codebuild.started(PLAN).len(),
        1,
        "no plan while another run holds the lock"
    );

    // Rejecting run 1 asks why, then frees the lock: run 2 starts planning.
    click(&world, "bob", &card1, "Reject").await;
    let view = world
        .slack
        .state()
        .views
        .last()
        .cloned()
        .expect("a modal opened");
    assert_eq!(view.view["callback_id"], "tf_reject_reason");
    world
        .submit_view(
            "bob",
            "tf_reject_reason",
            view.view["private_metadata"].as_str().unwrap(),
            serde_json::json!({ "reason": { "reason_input": "opens 0.0.0.0/0 <!channel>" } }),
        )
        .await
        .unwrap();
    world.settle().await.unwrap();
    let card1 = world
        .wait_edit(&card1, "rejected", |m| m.text.contains("Rejected"))
        .await
        .unwrap();
    assert!(
        card1.text.contains("opens 0.0.0.0/0 &lt;!channel&gt;"),
        "the reason is shown, escaped: {}",
        card1.text
    );
    let build2 = world.build(PLAN, 1).await.unwrap();
    assert_eq!(build2.source_version, HEAD_B);
    world
        .wait_edit(&card2, "planning", |m| m.text.contains("Planning"))
        .await
        .unwrap();

    // Only approvers may force-unlock; it is audited and announced.
    world
        .slash("mallory", "#infra", "/tf unlock network it is stuck")
        .await
        .unwrap();
    world.settle().await.unwrap();
    assert!(
        world
            .next_reply("mallory")
            .await
            .unwrap()
            .text
            .contains("Only approvers")
    );
    world
        .slash(
            "alice",
            "#infra",
            "/tf unlock network build hung after the outage",
        )
        .await
        .unwrap();
    world.settle().await.unwrap();
    let notice = world.next_message("infra").await.unwrap();
    assert!(
        notice
            .text
            .contains("force-released the lock on `network/default`"),
        "{}",
        notice.text
    );
    assert!(notice.text.contains("build hung after the outage"));
    world.next_reply("alice").await.unwrap();
    let trail = world.app.store.audit_trail("tf:network").await.unwrap();
    let unlock = trail
        .iter()
        .find(|e| e.action == "force_unlock")
        .expect("audited");
    assert_eq!(unlock.actor, world.user("alice"));

    // The lock is free: a new plan takes it. Run 2, still planning, lost it: once its plan is
    // in, approving it is refused with the reason.
    world.github.set_ref(REPO, "main", HEAD_A);
    world
        .slash("bob", "#infra", "/tf plan network main")
        .await
        .unwrap();
    world.settle().await.unwrap();
    assert!(
        world
            .next_reply("bob")
            .await
            .unwrap()
            .text
            .contains("Planning `network`")
    );
    world.next_message("infra").await.unwrap();
    let (card2, _) = plan_ready(&world, &card2, &build2, &creates()).await;
    click(&world, "alice", &card2, "Approve").await;
    let card2 = world
        .wait_edit(&card2, "lock lost", |m| m.text.contains("Not applied"))
        .await
        .unwrap();
    assert!(
        card2.text.contains("lock belongs to another run"),
        "{}",
        card2.text
    );
    assert!(world.codebuild.started(APPLY).is_empty());
}

#[tokio::test]
async fn closing_the_pull_request_cancels_its_runs_and_frees_the_lock() {
    let world = world_with("").await;
    let (card, _build) = open_pr(&world, 31, HEAD_A, "carol-gh").await;
    world
        .pull_request("closed", REPO, 31, HEAD_A, "carol-gh", &[])
        .await
        .unwrap();
    world.settle().await.unwrap();
    let card = world
        .wait_edit(&card, "closed", |m| m.text.contains("closed"))
        .await
        .unwrap();
    assert!(!has_buttons(&card));
    assert_eq!(
        world
            .app
            .store
            .lock_holder("network", "default")
            .await
            .unwrap(),
        None
    );
    assert!(world.app.store.open_runs(None).await.unwrap().is_empty());
}

#[tokio::test]
async fn tf_commands_answer_in_the_users_language() {
    let world = world_with("").await;
    world.github.set_ref(REPO, "main", HEAD_A);
    world
        .slash("kenji", "#infra", "/tf plan netwrok")
        .await
        .unwrap();
    world.settle().await.unwrap();
    let r = world.next_reply("kenji").await.unwrap();
    assert!(
        r.text.contains("`netwrok` はありません") && r.text.contains("`network`"),
        "{}",
        r.text
    );

    world
        .slash("alice", "#infra", "/tf plan network nosuchbranch")
        .await
        .unwrap();
    world.settle().await.unwrap();
    assert!(
        world
            .next_reply("alice")
            .await
            .unwrap()
            .text
            .contains("not a branch, tag or commit")
    );

    world
        .slash("alice", "#infra", "/tf plan network main")
        .await
        .unwrap();
    world.settle().await.unwrap();
    let r = world.next_reply("alice").await.unwrap();
    assert!(r.text.contains("Planning `network` as run #"), "{}", r.text);
    let card = world.next_message("infra").await.unwrap();
    assert!(card.text.contains("Planning"));
    assert_eq!(
        world.build(PLAN, 0).await.unwrap().source_version,
        HEAD_A,
        "main resolved to its commit"
    );

    world.slash("kenji", "#infra", "/tf status").await.unwrap();
    world.settle().await.unwrap();
    let r = world.next_reply("kenji").await.unwrap();
    assert!(
        r.text.contains("plan 中") && r.text.contains("network/default"),
        "{}",
        r.text
    );

    world
        .slash("alice", "#infra", "/tf cancel 1")
        .await
        .unwrap();
    world.settle().await.unwrap();
    assert!(
        world
            .next_reply("alice")
            .await
            .unwrap()
            .text
            .contains("cancelled")
    );
    world
        .wait_edit(&card, "cancelled", |m| m.text.contains("Cancelled"))
        .await
        .unwrap();
}

#[tokio::test]
async fn the_hourly_reconciler_stops_runs_of_prs_closed_without_a_webhook() {
    let world = world_with("").await;
    let (card, build) = open_pr(&world, 33, HEAD_A, "carol-gh").await;
    plan_ready(&world, &card, &build, &creates()).await;
    // The PR is merged elsewhere; GitHub's webhook never reaches banto.
    world.github.state().closed.insert((REPO.to_owned(), 33));
    banto::handlers::terraform::reconcile(&world.app)
        .await
        .unwrap();
    let card = world
        .wait_edit(&card, "closed", |m| m.text.contains("was closed"))
        .await
        .unwrap();
    assert!(!has_buttons(&card));
    assert_eq!(
        world
            .app
            .store
            .lock_holder("network", "default")
            .await
            .unwrap(),
        None
    );
}

#[tokio::test]
async fn no_plan_secret_reaches_slack_or_github_and_a_bad_plan_is_a_clear_failure() {
    let world = world_with("").await;
    let (card, build) = open_pr(&world, 41, HEAD_A, "carol-gh").await;
    let plan = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/plans/network.plan.json"
    ))
    .unwrap();
    plan_ready(&world, &card, &build, &plan).await;
    let slack: String = world
        .slack
        .state()
        .messages
        .iter()
        .map(|m| format!("{} {}", m.text, blocks_text(m)))
        .collect();
    let github: String = world
        .github
        .comments_on(REPO, 41)
        .into_iter()
        .map(|c| c.body)
        .collect();
    assert!(
        slack.contains("aws_db_instance.reports") && github.contains("aws_db_instance.reports")
    );
    for secret in ["old-demo-secret", "new-demo-secret", "demo-never-shown"] {
        assert!(!slack.contains(secret), "{secret} reached Slack");
        assert!(!github.contains(secret), "{secret} reached GitHub");
    }

    // A plan JSON from a Terraform banto does not understand fails plainly instead of guessing.
    world
        .pull_request("closed", REPO, 41, HEAD_A, "carol-gh", &[])
        .await
        .unwrap();
    world.settle().await.unwrap();
    let (card, build) = open_pr(&world, 42, HEAD_B, "carol-gh").await;
    world
        .finish_plan(&build, r#"{"format_version":"2.0","resource_changes":[]}"#)
        .await
        .unwrap();
    let card = world
        .wait_edit(&card, "failed", |m| m.text.contains("Plan failed"))
        .await
        .unwrap();
    assert!(card.text.contains("format_version"), "{}", card.text);
}

//! Slack took a post but its answer never came back (a 5xx after the fact, a crash mid-call):
//! banto finds the message by the key it carries in its metadata and goes on with it, instead of
//! posting the same card twice.

use banto::fake::slack::Fault;
use banto::fake::world::{NETWORK_PROJECT, World, WorldOptions};

const HEAD: &str = "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00";

async fn world() -> World {
    let world = World::start_with(WorldOptions::with_config(NETWORK_PROJECT))
        .await
        .expect("world starts");
    world.github.set_ref("acme/infra", "main", HEAD);
    world
}

fn plan() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/terraform/counts/plan.json"
    ))
    .expect("plan made by Terraform")
}

/// What the bot posted in the channel itself (not in threads, not ephemeral).
fn bot_posts(world: &World, channel: &str) -> Vec<String> {
    let channel = world.channel(channel);
    let st = world.slack.state();
    st.messages
        .iter()
        .filter(|m| {
            m.from_bot && m.channel == channel && m.ephemeral_to.is_none() && m.thread_ts.is_none()
        })
        .map(|m| m.text.clone())
        .collect()
}

fn thread_replies(world: &World, card: &banto::fake::slack::FakeMessage) -> usize {
    let st = world.slack.state();
    st.messages
        .iter()
        .filter(|m| m.thread_ts.as_deref() == Some(card.ts.as_str()) && m.ts != card.ts)
        .count()
}

#[tokio::test]
async fn a_card_posted_whose_answer_was_lost_is_found_by_the_retry_not_posted_again() {
    let world = world().await;
    world
        .slack
        .fail_next("chat.postMessage", Fault::HttpAfter(500), 1);
    world
        .slash("bob", "#infra", "/tf plan network main")
        .await
        .unwrap();
    world.settle().await.unwrap();
    let reply = world.next_reply("bob").await.unwrap().text;
    assert!(
        reply.contains("Planning `network` at `main` as run #1"),
        "{reply}"
    );
    let card = world.next_message("infra").await.unwrap();
    assert_eq!(bot_posts(&world, "infra").len(), 1, "one card");
    assert!(
        world.slack.calls("conversations.history") >= 1,
        "the retry looked before posting again"
    );

    // The card banto goes on with is the one Slack posted: the build's end edits it, and the
    // plan's details go in its thread, once, though that answer is lost too.
    world
        .slack
        .fail_next("chat.postMessage", Fault::HttpAfter(502), 1);
    let build = world.build("banto-tf-plan", 0).await.unwrap();
    world.finish_plan(&build, &plan()).await.unwrap();
    world.settle().await.unwrap();
    assert!(
        world.current(&card).unwrap().edited,
        "the posted card is edited"
    );
    assert_eq!(bot_posts(&world, "infra").len(), 1, "still one card");
    let details = world.next_message("infra").await.unwrap();
    assert_eq!(details.thread_ts.as_deref(), Some(card.ts.as_str()));
    assert!(
        details.text.contains("terraform_data.swap1"),
        "{}",
        details.text
    );
    assert!(world.slack.calls("conversations.replies") >= 1);
    assert_eq!(thread_replies(&world, &card), 1, "the details once");
}

#[tokio::test]
async fn a_handler_that_failed_after_slack_posted_its_card_reuses_that_card_on_its_retry() {
    let world = world().await;
    // Slack posts the card but its answer is lost, and Slack stays down for every look the
    // client's retries take: the handler fails and the inbox runs it again.
    world
        .slack
        .fail_next("chat.postMessage", Fault::HttpAfter(500), 1);
    world
        .slack
        .fail_next("conversations.history", Fault::Http(503), 3);
    world
        .slash("bob", "#infra", "/tf plan network main")
        .await
        .unwrap();
    let notice = world.next_reply("bob").await.unwrap().text;
    assert!(notice.contains("trying again"), "{notice}");
    let reply = world.next_reply("bob").await.unwrap().text;
    assert!(
        reply.contains("Planning `network` at `main` as run #1"),
        "{reply}"
    );
    world.settle().await.unwrap();
    let card = world.next_message("infra").await.unwrap();
    assert_eq!(
        bot_posts(&world, "infra").len(),
        1,
        "one card: the retry found the one Slack posted"
    );
    assert_eq!(
        world.codebuild.started("banto-tf-plan").len(),
        1,
        "one build"
    );

    let build = world.build("banto-tf-plan", 0).await.unwrap();
    world.finish_plan(&build, &plan()).await.unwrap();
    world.settle().await.unwrap();
    assert!(
        world.current(&card).unwrap().edited,
        "the posted card is edited"
    );
    world.next_message("infra").await.unwrap();
    assert_eq!(thread_replies(&world, &card), 1);
}

#[tokio::test]
async fn a_pr_comment_left_by_a_run_that_crashed_before_saving_its_id_is_edited_not_repeated() {
    let world = world().await;
    world
        .github
        .add_comment("acme/infra", 7, "LGTM once the plan is clean");
    world.github.add_comment(
        "acme/infra",
        7,
        "<!-- banto:tf:network -->\n**banto** · `network` · run #1 · `c0ffee0`\n\nPlanning…",
    );
    world
        .pull_request(
            "opened",
            "acme/infra",
            7,
            HEAD,
            "bob-gh",
            &["envs/prod/network/main.tf"],
        )
        .await
        .unwrap();
    let card = world.next_message("infra").await.unwrap();
    let build = world.build("banto-tf-plan", 0).await.unwrap();
    world.finish_plan(&build, &plan()).await.unwrap();
    world.settle().await.unwrap();
    world.next_message("infra").await.unwrap();
    assert!(world.current(&card).unwrap().edited);

    let comments = world.github.comments_on("acme/infra", 7);
    assert_eq!(comments.len(), 2, "no second plan comment: {comments:#?}");
    assert_eq!(comments[0].body, "LGTM once the plan is clean");
    assert!(
        comments[1].body.contains("to destroy") && comments[1].edits == 1,
        "the earlier comment now shows the plan: {:?}",
        comments[1]
    );
}
